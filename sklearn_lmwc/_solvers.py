"""The solvers, by name: what each runs and what it supports.

Every place that depends on the solver asks this registry, so that a solver is added
by registering it here (its iteration in a module of its own, driven by
``_loop.run_iterations``).
"""

from dataclasses import dataclass
from typing import Callable

from . import _scipy_backend
from ._lm import lm_run


@dataclass(frozen=True)
class Solver:
    """A solver's run and its capabilities.

    run : callable
        ``run(objective, w, policy, *, mu, mu_factor, mu_min, mu_max, max_iter, goal,
        callback, value)``: a run (``_loop.serve``) whose result is a ``RunResult``.
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
    """

    run: Callable
    losses: frozenset | None = None
    batchable: bool = False
    threaded: bool = False
    chunked: bool = False
    check: Callable | None = None


SOLVERS = {
    "lm": Solver(lm_run, batchable=True, threaded=True, chunked=True),
    # its Jacobian is one pass of its own, held whole
    "scipy": Solver(_scipy_backend.least_squares_run, losses=frozenset({"squared_error"}),
                    check=_scipy_backend.check),
}
