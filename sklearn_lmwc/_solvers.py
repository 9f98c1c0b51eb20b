"""The solvers, by name: what each runs and what it supports.

Every place that depends on the solver asks this registry, so that a solver is added
by registering it here (its iteration in a module of its own, driven by
``_loop.run_iterations``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from . import _first_order, _scipy_backend
from ._lm import lm_run


def damping_options(options, rng):
    """The keyword arguments of a damped (LM) run from the fit's options."""
    return options.solver.damping.run_options()


@dataclass(frozen=True)
class Solver:
    """A solver's run and its capabilities.

    run : callable
        ``run(objective, start, policy, **options, max_iter, goal, callback)``: a run
        (``_loop.serve``) from the point ``start`` whose result is a ``RunResult``.
    options : callable
        ``options(fit_options, rng)``: the run's own keyword arguments from the fit's
        options (``_options.FitOptions``) and the trial's RandomState.
    losses : frozenset of str or None
        The losses it trains (None: all).
    batchable : bool
        Whether the runs of several trials can be served together (``_batched``).
    threaded : bool
        Whether its passes over the data run in shares on threads.
    chunked : bool
        Whether it accumulates over chunks of rows, so that it trains on data that is
        not in memory at once (the Dask estimators).
    check : callable or None
        ``check(objective)``: warns, once per fit, of how it will run on the problem.
    bayes : bool
        Whether it trains with ``alpha="bayes"`` (the re-estimation needs the
        Gauss-Newton matrix of its steps).
    stall_window : int
        The iterations over which the stall trigger measures the relative change of
        the objective (see ``_compression.WindowStallTrigger``).
    """

    run: Callable
    options: Callable
    losses: frozenset | None = None
    batchable: bool = False
    threaded: bool = False
    chunked: bool = False
    check: Callable | None = None
    bayes: bool = True
    stall_window: int = 1


SOLVERS = {
    "lm": Solver(lm_run, damping_options, batchable=True, threaded=True, chunked=True),
    # its Jacobian is one pass of its own, held whole
    "scipy": Solver(_scipy_backend.least_squares_run, damping_options,
                    losses=frozenset({"squared_error"}), check=_scipy_backend.check),
    # served alone; their full-batch passes run in shares on threads, mini-batches
    # need the rows in memory
    **{name: Solver(_first_order.first_order_run, partial(_first_order.run_options, name),
                    threaded=True, bayes=False,
                    stall_window=_first_order.STALL_WINDOW)
       for name in _first_order.SOLVERS},
}
