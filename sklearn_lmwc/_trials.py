"""Independent training runs (``n_init``), in parallel with joblib, and the choice of one.

Each trial builds its own objective from data passed as top-level arguments, so
that joblib backends that scatter large arguments (dask) send X once. What a run
learns (the Bayesian alpha) travels in its points, never in the objective. Trials
of a small network run together, one batch per joblib worker (``_batched``); the
others one by one.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from ._batched import serve_together
from ._bayes import PriorState
from ._init import initialize
from ._loop import RunResult, serve
from ._network import Network
from ._objective import Objective, Point
from ._options import FitOptions
from ._predictive import Laplace, trials_keep_laplace
from ._pruning import Rounds, Support
from ._solve import blas_controller
from ._solvers import SOLVERS
from ._stopping import Monitor


@dataclass
class Trial:
    """What a training run leaves: the point it returns (its weights with the prior's
    state at them) and the record of its path; no data and no objective, so that
    trials come back from joblib's workers small (but for the posterior factor of
    predictive distributions, when ``_predictive.trials_keep_laplace`` says it
    fits)."""

    number: int  # 1-based, in the order of the seeds
    result: RunResult  # the run as it ended
    # the point returned: the run's, or early stopping's best, with gamma computed there
    point: Point
    log_evidence: float | None  # at the point, with alpha="bayes"
    laplace: Laplace | None  # at w, when the trials keep it (else None)
    saturation_curve: list
    validation_scores: list
    best_validation_score: float
    seconds: float
    # per iteration the monitor saw: the damping (None: a solver without one) and,
    # with alpha="bayes", the prior's total gamma
    mu_curve: list | None = None
    gamma_curve: list | None = None
    # the inputs the trial kept (bool, one per input), None when none can be pruned;
    # the point is the full network's, the pruned inputs' weights 0
    support: np.ndarray | None = None

    # the point's parts, as a committee member's weights and prior are read
    w = property(lambda self: self.point.w)
    value = property(lambda self: self.point.value)
    prior = property(lambda self: self.point.prior)

    def summary(self, loss):
        result = self.result
        events = "compression" if result.n_events == 1 else "compressions"
        return (f"loss = {loss:.8g}, {result.n_iter} iterations, {result.n_events} "
                f"{events}, stopped by {result.message}, {self.seconds:.2f} s")

    def score(self, early_stopping, by_evidence):
        """Higher is better: the best validation score, the log evidence (-inf for a
        trial without one), or minus the final objective."""
        if early_stopping:
            return self.best_validation_score
        if by_evidence:
            return -np.inf if self.log_evidence is None else self.log_evidence
        return -self.value


def blas_threads():
    """The BLAS threads allowed here and now (``threadpoolctl``'s limits, joblib's in
    its workers): the threads a fit may use."""
    libraries = blas_controller().select(user_api="blas").info()
    return max([library["num_threads"] for library in libraries], default=1)


@dataclass(frozen=True)
class Setting:
    """What the trials of a fit share but the data (passed beside it, see the
    module's note): the options, the network and loss, ``make_objective``, which
    builds the objective from the data (an ``Objective``, or one that sums over dask
    blocks), ``validation`` (early stopping's score of weights, or None), and for a
    warm start ``w0``, the weights to go on from, and ``alpha0``, the Bayesian alpha
    to start from; ``keep``, with pruning (``_pruning``), the inputs a trial starts
    with (bool, one per input), else None."""

    options: FitOptions
    network: Network
    loss: object
    make_objective: Callable = Objective
    validation: Callable | None = None
    w0: np.ndarray | None = None
    alpha0: object = None
    keep: np.ndarray | None = None

    @property
    def solver(self):
        """The registered solver the options name."""
        return SOLVERS[self.options.solver.name]

    def objective_on(self, support, X, Y, sample_weight):
        """The objective over the inputs of ``support`` (a ``_pruning.Support``) of
        the data."""
        prior = self.options.prior
        return self.make_objective(support.network, self.loss,
                                   X if support.everything else X[:, support.columns],
                                   Y, sample_weight, prior.alpha,
                                   weight_groups=prior.weight_groups)


def run_trial(setting, X, Y, sample_weight, seed, number=1):
    """One training run from ``setting.w0`` (or from random weights drawn with seed);
    ``number`` names it in verbose output."""
    start = time.perf_counter()
    # a threaded solver's passes run on the threads BLAS may use, in shares of the rows
    allowed = blas_threads()
    run = _Run(setting, X, Y, sample_weight, seed, number,
               allowed if setting.solver.threaded else 1, alone=True)
    objective = run.objective
    threads = objective.plan.blas_threads(allowed, objective.passes.threads)
    try:
        with threadpool_limits(limits=threads, user_api="blas"):
            run.begin()
            result = serve(run.generator())
            return run.finish(result, time.perf_counter() - start)
    finally:
        objective.close()


def run_trials_together(setting, X, Y, sample_weight, seeds, numbers):
    """The trials of ``seeds`` (named by ``numbers``) as ``run_trial`` runs them, their
    LM runs served together (``_batched``); each gets an equal share of the time."""
    if len(seeds) == 1:  # a batch of one (more workers than seeds) is a lone trial
        return [run_trial(setting, X, Y, sample_weight, seeds[0], numbers[0])]
    start = time.perf_counter()
    threads = blas_threads()
    runs = [_Run(setting, X, Y, sample_weight, seed, number, threads, alone=False)
            for seed, number in zip(seeds, numbers)]
    with threadpool_limits(limits=1, user_api="blas"):
        for run in runs:
            run.begin()
    results = serve_together([run.generator() for run in runs], setting.network.n_weights)
    seconds = (time.perf_counter() - start) / len(runs)
    # each run's last passes (its posterior) alone, as ``run_trial``'s
    passes = runs[0].objective.passes
    with threadpool_limits(limits=runs[0].objective.plan.blas_threads(threads, passes.threads),
                           user_api="blas"):
        return [run.finish(result, seconds) for run, result in zip(runs, results)
                if result is not None]


class _Run:
    """What a trial needs around its run: objective, initial weights, policy, monitor
    (from ``begin``, the objective's first pass); ``finish`` makes the ``Trial``.
    ``threads``: those its passes may use; ``alone``: served alone, so that its value
    passes keep their forward states for the next Jacobian. With pruning, the run
    goes on in rounds (``_pruning.Rounds``) and the objective is the current
    round's."""

    def __init__(self, setting, X, Y, sample_weight, seed, number, threads=1, alone=True):
        self.setting, self.number = setting, int(number)
        prior = setting.options.prior

        def objective_on(support):
            objective = setting.objective_on(support, X, Y, sample_weight)
            objective.passes.keep_states = alone
            objective.passes.use_threads(threads)
            return objective

        if setting.keep is None:
            self.rounds, support = None, Support(setting.network,
                                                 np.ones(setting.network.n_inputs, bool))
            self._objective = objective_on(support)
        else:
            self.rounds = Rounds(setting.network, setting.keep, prior.prune_ratio,
                                 objective_on, self._round, None)
            support = self.rounds.support
        self.rng = np.random.RandomState(seed)
        init = setting.options.trials.init
        w = initialize(setting.network, init, self.rng) if setting.w0 is None else \
            setting.w0
        self.w = support.restrict(w)  # a copy (an index array's)
        self.alpha0 = setting.alpha0
        if self.alpha0 is not None and not support.everything:
            self.alpha0 = support.restrict_state(PriorState(self.alpha0, None)).alpha

    @property
    def objective(self):
        return self._objective if self.rounds is None else self.rounds.objective

    def begin(self):
        setting = self.setting
        options, solver = setting.options, setting.solver
        self.start = self.objective.start(self.w, self.alpha0)
        self.label = f"[trial {self.number}] " if options.trials.n_init > 1 else ""
        stopping = options.stopping
        self.monitor = Monitor(stopping.tol, stopping.n_iter_no_change, self._saturation,
                               setting.validation, stopping.verbose, self.label, None,
                               gamma=total_gamma if options.prior.bayes else None)
        self.options = dict(solver.options(options, self.rng), goal=options.solver.goal)
        if self.rounds is not None:
            self.rounds.callback = self.monitor

    def _saturation(self, w, flat=None):
        """The monitor's: at w, the full network's weights."""
        if self.rounds is not None:
            w = self.rounds.support.restrict(w)
        return self.objective.saturation(w, flat)

    def _round(self, objective, start, max_iter, callback):
        """A solver run on ``objective`` from the point ``start``, with a policy of its
        own; after a pruning the ``tol`` rule starts afresh (the problem changed)."""
        setting, options = self.setting, self.setting.options
        network = objective.network
        policy = options.policy.policy(
            objective, start, lambda: initialize(network, options.trials.init, self.rng),
            setting.solver.stall_window)
        self.monitor.policy = policy
        if self.rounds is not None and self.rounds.rounds > 1:
            self.monitor.best_metric, self.monitor.no_improvement = np.inf, 0
        return setting.solver.run(objective, start, policy, max_iter=max_iter,
                                  callback=callback, **self.options)

    def generator(self):
        max_iter = self.setting.options.solver.max_iter
        if self.rounds is None:
            return self._round(self.objective, self.start, max_iter, self.monitor)
        return self.rounds.run(self.start, max_iter)

    def finish(self, result, seconds):
        """The ``Trial``: the run's point, or with early stopping that of the best
        validation score (its value again, from a pass of its own); with pruning, the
        inputs still over the ratio leave before the posterior."""
        monitor, setting, rounds = self.monitor, self.setting, self.rounds
        point = result.point
        if setting.validation is not None and monitor.best is not None:
            best = monitor.best
            if rounds is not None:  # the monitor's points are the full network's
                rounds.restore(rounds.best_keep)
                best = rounds.support.restrict_point(best)
            point = self.objective.points([best.w], best.prior)[0]
        if rounds is not None:
            point = rounds.final(point)
        objective = self.objective
        pruned = rounds is not None and not rounds.support.everything
        keep_laplace = not pruned and trials_keep_laplace(setting.network,
                                                          setting.options.trials.n_init)
        state, evidence, laplace = objective.posterior(point, laplace=keep_laplace)
        point = Point(point.w, point.value, state)
        if rounds is not None:
            point = rounds.full_point(point)
        # a solver without a damping of its own (scipy's) reports None
        mu_curve = None if None in monitor.mu_curve else monitor.mu_curve
        trial = Trial(self.number, result, point, evidence, laplace,
                      monitor.saturation_curve, monitor.scores, monitor.best_score, seconds,
                      mu_curve, monitor.gamma_curve if monitor.gamma is not None else None,
                      None if rounds is None else rounds.support.keep)
        if setting.options.stopping.verbose and self.label:  # the estimator prints a lone trial's
            print(f"{self.label}{trial.summary(objective.mean(result.value))}", flush=True)
        return trial


def total_gamma(prior):
    """The effective number of parameters of the prior's state ``prior`` (summed over
    its groups of weights), NaN before its first estimate: a float per iteration."""
    return np.nan if prior.gamma is None else float(np.sum(prior.gamma))


def run_trials(setting, X, Y, sample_weight, seeds, together):
    """A trial per seed, in the order of the seeds (see ``run_trial``); ``together``:
    whether they run together (``served_together``).

    With ``n_jobs``, the seeds are split among the workers: together, one batch per
    worker (see ``_batched``), else one by one.
    """
    numbers = list(range(1, len(seeds) + 1))
    n_jobs = setting.options.trials.n_jobs
    if not together:
        return Parallel(n_jobs=n_jobs)(
            delayed(run_trial)(setting, X, Y, sample_weight, seed, number)
            for number, seed in zip(numbers, seeds))
    n_batches = min(len(seeds), effective_n_jobs(n_jobs))
    batches = Parallel(n_jobs=n_jobs)(
        delayed(run_trials_together)(setting, X, Y, sample_weight, part, numbers_part)
        for part, numbers_part in zip(np.array_split(seeds, n_batches),
                                      np.array_split(np.array(numbers), n_batches)))
    return [trial for batch in batches for trial in batch]


def served_together(solver, stackable, plan, n_trials):
    """Whether ``n_trials`` trials run together: a batchable ``solver``, an objective
    that evaluates stacks of weights (``stackable``), and small networks (see
    ``_costs.Plan.worth_serving_together``, of the ``plan`` of the data), where many
    cost a few times one."""
    return solver.batchable and stackable and plan.worth_serving_together(n_trials)


def ranked_trials(trials, early_stopping):
    """The trials, best first: the best validation score, the highest evidence with
    alpha="bayes", or the lowest final objective (ties in the order of the seeds)."""
    by_evidence = any(trial.log_evidence is not None for trial in trials)
    return sorted(trials, key=lambda trial: trial.score(early_stopping, by_evidence),
                  reverse=True)


def ranking_criterion(trials, early_stopping):
    """What ``ranked_trials`` ranked the trials by, for the verbose summary."""
    if early_stopping:
        return "the best validation score"
    if any(trial.log_evidence is not None for trial in trials):
        return "the highest log evidence"
    return "the lowest training objective"


def init_results(trials, objective):
    """Per trial, in the order of the seeds: the fitted attribute ``init_results_``."""
    results = [trial.result for trial in trials]
    return {"loss": np.array([objective.mean(r.value) for r in results]),
            "n_iter": np.array([r.n_iter for r in results]),
            "n_compressions": np.array([r.n_events for r in results]),
            "converged": np.array([r.converged for r in results]),
            "log_evidence": np.array([np.nan if trial.log_evidence is None else
                                      trial.log_evidence for trial in trials]),
            "seconds": np.array([trial.seconds for trial in trials]),
            # of unequal lengths: lists, one entry per trial
            "loss_curve": [list(r.loss_curve) for r in results],
            "events": [list(r.events) for r in results]}
