"""Independent training runs (``n_init``), in parallel with joblib, and the choice of one.

Each trial builds its own objective from data passed as top-level arguments, so
that joblib backends that scatter large arguments (dask) send X once, and so that
state an objective learns during a run (the Bayesian alpha) never leaks from one
trial into the next.
"""

import time
from dataclasses import dataclass

import numpy as np
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from ._compression import make_policy
from ._init import initialize
from ._lm import levenberg_marquardt
from ._losses import Objective
from ._scipy_backend import least_squares_lm
from ._stopping import Monitor

# samples x weights^2 (the work of J^T J) from which a second BLAS thread pays.
# Measured in one run on a shared 2-core machine: at 3e10 (N = 1231, P = 2e4) 2
# threads took 0.76 of the time, at 8e8 (N = 201) 3.5 times as long: the
# small products collapse when the cores are busy
_MIN_WORK_FOR_BLAS_THREADS = 5e9
_STOPPED = {"goal": "the goal (or an exact fit)", "callback": "the tol rule",
            "max_iter": "max_iter", "interrupted": "an interrupt"}


@dataclass
class Trial:
    result: object  # the loop's LMResult
    monitor: Monitor
    alpha: float  # the penalty at the end (re-estimated with alpha="bayes")
    n_effective: float  # gamma, with alpha="bayes"
    seconds: float
    number: int  # 1-based, in the order of the seeds

    def summary(self, loss):
        result = self.result
        return (f"loss = {loss:.8g}, {result.n_iter} iterations, {result.n_events} "
                f"compressions, stopped by {_STOPPED[result.stopped]}, "
                f"{self.seconds:.2f} s")

    def score(self, early_stopping):
        """Higher is better: the best validation score, or minus the final objective."""
        return self.monitor.best_score if early_stopping else -self.result.value


def run_trial(params, network, loss, X, Y, sample_weight, w0, seed, validation, number=1,
              make_objective=Objective, alpha0=None):
    """One training run from w0 (or from random weights drawn with seed); ``number``
    names it in verbose output; ``make_objective`` builds the objective from the data
    (an ``Objective``, or one that sums over dask blocks); ``alpha0``, the Bayesian
    alpha to start from (a warm start's)."""
    start = time.perf_counter()
    objective = make_objective(network, loss, X, Y, sample_weight, params["alpha"])
    rng = np.random.RandomState(seed)
    w = initialize(network, params["init"], rng) if w0 is None else w0.copy()
    policy = make_policy(
        params["compression"], params["trigger"], objective=objective, w=w,
        value=objective.start(w, alpha0), draw=lambda: initialize(network, params["init"], rng),
        beta=params["beta"], interval=params["interval"], omega=params["omega"],
        rho=params["rho"], statistic=params["net_statistic"])
    label = f"[trial {number}] " if params["n_init"] > 1 else ""
    monitor = Monitor(params["tol"], params["n_iter_no_change"], objective.saturation,
                      validation, params["verbose"], label, policy)
    solve = least_squares_lm if params["solver"] == "scipy" else levenberg_marquardt
    # BLAS threads only pay on large products; on small ones they cost more than
    # they save, and collapse when the cores are shared
    work = X.shape[0] * network.n_weights**2
    threads = 1 if work < _MIN_WORK_FOR_BLAS_THREADS else None
    with threadpool_limits(limits=threads, user_api="blas"):
        result = solve(
            objective, w, policy, mu=params["mu"], mu_factor=params["mu_factor"],
            mu_min=params["mu_min"], mu_max=params["mu_max"], max_iter=params["max_iter"],
            goal=params["goal"], callback=monitor)
    trial = Trial(result, monitor, objective.alpha, objective.n_effective,
                  time.perf_counter() - start, number)
    if params["verbose"] and label:  # the estimator prints the summary of a lone trial
        print(f"{label}{trial.summary(objective.mean(result.value))}", flush=True)
    return trial


def best_trial(params, network, loss, X, Y, sample_weight, w0, seeds, validation,
               make_objective=Objective, alpha0=None):
    """Run a trial per seed (in parallel with ``n_jobs``) and return the best one."""
    trials = Parallel(n_jobs=params["n_jobs"])(
        delayed(run_trial)(params, network, loss, X, Y, sample_weight, w0, seed, validation,
                           number, make_objective, alpha0)
        for number, seed in enumerate(seeds, start=1))
    return max(trials, key=lambda trial: trial.score(params["early_stopping"]))
