"""The stall trigger's scale for first-order solvers: the window it measures over.

LM's stall trigger fires when the objective's relative change over ONE iteration is
<= beta. A first-order epoch is a small step, so that test passes on most epochs
(the authors' EBP-WC, their ``ebp_wc.m``, compressed about two epochs of three). This
script measures, for EBP (the authors' c = 0.005 on the summed error, momentum 0.5)
and Adam (learning_rate_init=0.01), on full parity-5 (FCC 3) and the peaks surface
(FCC 4), both with goal 0.1:

1. on plain runs (no compression), the share of epochs whose relative change over a
   window of W epochs is <= beta, for W in ``WINDOWS``: how often a trigger of that
   window would fire;
2. WC runs (``compression="adaptive"``) with each window: compressions per 1000 epochs
   and the success rate (training RMSE <= goal), with 95% Wilson intervals.

The window is an internal constant (``_first_order.STALL_WINDOW``); this script
swaps it in the solver registry for each measurement.

    python benchmarks/first_order_trigger.py            # 20 seeds, 2000 epochs
    python benchmarks/first_order_trigger.py --seeds 5 --epochs 300   # quick
"""

import argparse
import dataclasses
import time
import warnings

import numpy as np
from scipy.stats import binomtest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCRegressor, _solvers
from sklearn_lmwc.datasets import make_parity, make_peaks

WINDOWS = (1, 10, 50, 200)
BETA = 1e-3


def _peaks():
    X, y = make_peaks(100, random_state=0)
    return X / 3.0, 2.0 * (y - y.min()) / (y.max() - y.min()) - 1.0


PROBLEMS = {"parity-5 FCC 3": (lambda: make_parity(5), 3),
            "peaks FCC 4": (_peaks, 4)}
SOLVERS = {"EBP": dict(solver="ebp", learning_rate_init=0.005, momentum=0.5),
           "Adam": dict(solver="adam", learning_rate_init=0.01)}


def fit(problem, solver, compression, window, seeds, epochs, random_state=0):
    data, hidden = PROBLEMS[problem]
    X, y = data()
    registry = _solvers.SOLVERS
    name = SOLVERS[solver]["solver"]
    saved = registry[name]
    registry[name] = dataclasses.replace(saved, stall_window=window)
    try:
        est = LMWCRegressor((hidden,), topology="fcc", compression=compression,
                            beta=BETA, omega=0.1, rho=1.1, goal=0.1 / y.std(), tol=None,
                            max_iter=epochs, n_init=seeds, n_jobs=1,
                            random_state=random_state,
                            **SOLVERS[solver])
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
    finally:
        registry[name] = saved
    return est


def fire_shares(curve, windows):
    """Per window W, the share of epochs t >= W with |E_t - E_{t-W}| <= beta E_{t-W}."""
    E = np.asarray(curve)
    return {W: float(np.mean(np.abs(E[W:] - E[:-W]) <= BETA * E[:-W])) for W in windows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2000)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print(f"beta = {BETA:g}, {args.seeds} seeds, {args.epochs} epochs\n")
    print("| problem | solver | share of epochs a trigger would fire on, W = "
          + ", ".join(map(str, WINDOWS)) + " |")
    print("|---|---|---|")
    for problem in PROBLEMS:
        for solver in SOLVERS:
            # one trial per seed: loss_curve_ is the kept trial's, so fit them apart
            shares = [fire_shares(fit(problem, solver, None, 1, 1, args.epochs, seed)
                                  .loss_curve_, WINDOWS)
                      for seed in range(min(args.seeds, 5))]
            print(f"| {problem} | {solver} | " + ", ".join(
                f"{np.mean([s[W] for s in shares]):.2f}" for W in WINDOWS) + " |")
    print("\n| problem | solver | method | window | success | 95% CI | "
          "compressions per 1000 epochs |")
    print("|---|---|---|---|---|---|---|")
    for problem in PROBLEMS:
        for solver in SOLVERS:
            rows = [("plain", None, 1)] + [("WC", "adaptive", W) for W in WINDOWS]
            for method, compression, window in rows:
                res = fit(problem, solver, compression, window, args.seeds,
                          args.epochs).init_results_
                k, n = int(res["converged"].sum()), len(res["converged"])
                ci = binomtest(k, n).proportion_ci(method="wilson")
                rate = 1000 * res["n_compressions"].sum() / res["n_iter"].sum()
                print(f"| {problem} | {solver} | {method} | "
                      f"{'—' if compression is None else window} | {k}/{n} | "
                      f"{ci.low:.0%}–{ci.high:.0%} | {rate:.1f} |", flush=True)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
