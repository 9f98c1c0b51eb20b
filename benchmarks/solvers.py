"""Built-in LM against scipy's least_squares (solver="scipy") on the paper's settings.

The paper's settings (docs/benchmarks.rst, Setup): summed parity-7 (8 points, FCC 2
hidden, goal 0.1, 100 iterations, stall beta 1e-2) and the two spirals (194 points, FCC
9 hidden, goal 0.1, 1000 iterations, stall beta 1e-4); omega 0.1, rho 1.1, tol=None,
U[-1, 1] weights, the same starting weights (random_state = trial index) for both
solvers. Success = training RMSE <= goal. Per row: success rate, mean iterations and
compressions per trial, milliseconds per iteration (all fits' time over all their
iterations, trials run one after the other), network Jacobians per iteration (a scipy
iteration is one least_squares call of up to SEGMENT_NFEV evaluations and may accept
several steps). Measured in one run, so rows compare like with like.

    python benchmarks/solvers.py                  # 100 trials, WC only
    python benchmarks/solvers.py --trials 20 --compression adaptive none
"""

import argparse
import time
import warnings

import sklearn_lmwc._network as network_module
from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc._scipy_backend import SEGMENT_NFEV
from sklearn_lmwc.datasets import make_parity, make_two_spirals

SETTINGS = {
    "parity-7 (summed)": (lambda: make_parity(7, summed=True),
                          dict(hidden_layer_sizes=(2,), beta=1e-2, max_iter=100)),
    "two-spiral": (make_two_spirals, dict(hidden_layer_sizes=(9,), beta=1e-4, max_iter=1000)),
}
COMMON = dict(topology="fcc", goal=0.1, tol=None, omega=0.1, rho=1.1, init="uniform")


class _JacobianCounter:
    """Counts Network.jacobian calls (both solvers get their Jacobians there)."""

    def __init__(self):
        self.count = 0
        self._inner = network_module.Network.jacobian
        counter = self

        def counted(net, w, X):
            counter.count += 1
            return counter._inner(net, w, X)

        network_module.Network.jacobian = counted


def run(X, y, params, trials, counter):
    ok = iterations = compressions = 0
    counter.count = 0
    elapsed = 0.0
    for seed in range(trials):
        est = LMWCRegressor(random_state=seed, **params)
        start = time.perf_counter()
        est.fit(X, y)
        elapsed += time.perf_counter() - start
        ok += est.converged_
        iterations += est.n_iter_
        compressions += est.n_compressions_
    return dict(success=ok / trials, iterations=iterations / trials,
                compressions=compressions / trials, ms=elapsed / iterations * 1e3,
                jacobians=counter.count / iterations, seconds=elapsed / trials)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100, help="trials per row (default 100)")
    parser.add_argument("--compression", nargs="+", default=["adaptive"],
                        choices=["adaptive", "restart", "none"])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS),
                        choices=list(SETTINGS))
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # ConvergenceWarning, and the trf fallback on parity-7
    counter = _JacobianCounter()
    X, y = make_parity(3)
    LMWCRegressor(solver="scipy", max_iter=3).fit(X, y)  # warm-up: imports, BLAS
    print(f"{args.trials} trials per row; scipy segment = least_squares(max_nfev="
          f"{SEGMENT_NFEV})\n")
    print("| data | solver | compression | success | iterations | compressions "
          "| ms / iteration | Jacobians / iteration | s / trial |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.settings:
        make, setting = SETTINGS[name]
        X, y = make()
        for compression in args.compression:
            for solver in ["lm", "scipy"]:
                params = dict(COMMON, **setting, solver=solver,
                              compression=None if compression == "none" else compression)
                n_weights = network_module.Network(
                    X.shape[1], setting["hidden_layer_sizes"], 1, "fcc").n_weights
                label = solver if solver == "lm" else (
                    "scipy (lm)" if len(y) >= n_weights else "scipy (trf)")
                r = run(X, y, params, args.trials, counter)
                print(f"| {name} | {label} | {compression} | {r['success']:.0%} | "
                      f"{r['iterations']:.1f} | {r['compressions']:.1f} | {r['ms']:.3f} | "
                      f"{r['jacobians']:.2f} | {r['seconds']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
