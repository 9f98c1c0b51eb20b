"""Quickstart: what adaptable weight compression (LM-WC) is for.

Full parity-5 (all 32 patterns of 5 bipolar bits; the target is +1 when an odd
number of bits is +1) with a fully connected cascade (FCC) of just 2 tanh
neurons: the network can solve it, but Levenberg-Marquardt (LM) often gets
stuck on the way, because its hidden neurons saturate. A trial succeeds when
the training RMSE reaches 0.1 within 100 iterations. Three methods are trained
from the same random starts:

- LM:    plain Levenberg-Marquardt (``compression=None``);
- LM-RR: LM that restarts from fresh random weights when it stalls
         (``compression="restart"``, the paper's baseline);
- LM-WC: LM that rescales the hidden neurons' weights back into tanh's
         working range when it stalls (``compression="adaptive"``).

Every parameter that matters is passed explicitly, as in the paper's setting
(Smith, Wu & Wilamowski, IEEE TNNLS 2019; ``benchmarks/paper.py``, "parity5-2"),
so the result does not depend on the estimator's defaults.

Each method is one fit with ``n_init=50``: its 50 random starts run together (their
arrays stacked, each start on the path it would take alone), and ``init_results_``
says how every start went. The same ``random_state`` gives every method the same 50
starts.

Run it with ``python examples/quickstart.py`` (about a second).
"""

import math
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_parity

N_SEEDS = 50  # random starts per method: enough to separate LM-WC from the others
GOAL = 0.1  # training RMSE on the +-1 targets
METHODS = {"LM": None, "LM-RR (restarts)": "restart", "LM-WC (compression)": "adaptive"}


def make_model(compression, y_std):
    return LMWCRegressor(
        hidden_layer_sizes=(2,), topology="fcc", activation="tanh", gain=1.0,
        solver="lm", compression=compression, trigger="stall", beta=1e-3,
        omega=0.1, rho=1.1, net_statistic="mean", mu=1e-3,
        goal=GOAL / y_std,  # goal is on the standardised targets; y_std is 1 here
        tol=None, max_iter=100, alpha=0.0, init="uniform", n_init=N_SEEDS,
        early_stopping=False, n_jobs=1, random_state=0, verbose=0)


def fit_starts(compression, X, y):
    """One fit of N_SEEDS random starts: (success per start, iterations per start,
    seconds of the whole fit)."""
    model = make_model(compression, y.std())
    start = time.perf_counter()
    with warnings.catch_warnings():
        # the fit warns when its best start misses the goal within max_iter
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    seconds = time.perf_counter() - start
    return model.init_results_["converged"], model.init_results_["n_iter"], seconds


def wilson(successes, n, z=1.959964):
    """95% Wilson score interval of a success rate."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


X, y = make_parity(5)
print(f"Full parity-5 ({len(X)} points), FCC of 2 tanh neurons, {N_SEEDS} random starts "
      f"per method (one fit,\nn_init={N_SEEDS}); a start succeeds when its training RMSE "
      f"reaches {GOAL} within 100 iterations.\n")
header = (f"{'method':<21}{'success':>9}{'95% interval':>15}{'iterations':>12}"
          f"{'s per start':>13}{'s per success':>15}")
print(header)
print("-" * len(header))

rates, cost = {}, {}
for name, compression in METHODS.items():
    converged, n_iter, seconds = fit_starts(compression, X, y)
    successes = int(converged.sum())
    lo, hi = wilson(successes, N_SEEDS)
    rates[name] = successes / N_SEEDS
    cost[name] = seconds / successes if successes else math.inf
    mean_iter = f"{n_iter[converged].mean():.0f}" if successes else "-"
    print(f"{name:<21}{successes / N_SEEDS:>9.0%}{f'{lo:.0%} - {hi:.0%}':>15}"
          f"{mean_iter:>12}{seconds / N_SEEDS:>13.4f}{cost[name]:>15.4f}")

print("\n'iterations' is the mean over the successful starts; 's per start' is the fit's "
      "time over its\nstarts, and 's per success' over the successes: the cost of one "
      "solved network.")
lm, rr, wc = rates.values()
speedup = cost["LM"] / cost["LM-WC (compression)"]
print(f"\nWith the same tiny network and the same random starts, weight compression solves "
      f"parity-5\n{wc:.0%} of the time against {lm:.0%} for plain LM and {rr:.0%} with random "
      f"restarts,\nso a working network costs about {speedup:.0f}x less training time than "
      "with plain LM.")
