"""
Two spirals: decision regions of LM and LM-WC
=============================================

Lang & Witbrock's two-spiral problem (194 points, targets ±1) with a fully connected
cascade (FCC) of 9 tanh neurons and a linear output, the setting of Smith, Wu &
Wilamowski (2019): a start succeeds when its training RMSE on the ±1 targets reaches 0.1
within 1000 LM iterations. Plain LM and LM with adaptable weight compression (LM-WC) get
the same 20 random starts (``n_init=20``, the starts advancing together) and each keeps
its best network.

The goal is rarely reached: a single start, or the best of a few, says little about
which method is better (on 4 starts plain LM can come closer than LM-WC). So the
example counts successes over all 20 starts, with their 95% intervals, and compares them
with the documentation's benchmark of 100 starts per method (:doc:`/benchmarks`,
``benchmarks/paper.py``). The plot shades the sign of each method's best network over
the plane: a network that has learned the spirals separates them everywhere, not only on
the training points.

Run it with ``python examples/plot_two_spirals.py [OUTPUT_DIR]``; it saves
``plot_two_spirals.png`` next to itself, or into ``OUTPUT_DIR``.
"""

import math
import os
import sys
import time
import warnings
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY"):  # headless (CI, servers): draw into files only
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_two_spirals

N_STARTS = 20  # random starts per method: about 20 s per method on one core
GOAL = 0.1  # training RMSE on the +-1 targets
# the benchmark's 100 starts per method (docs/benchmarks.rst, benchmarks/paper.py with
# net_statistic "mean", benchmarks/results/paper_spiral_rerun.md, and "authors"):
# successes out of 100
BENCHMARK = {"LM": "0/100 (0%-4%)",
             "LM-WC": "5/100 (2%-11%); 13/100 (8%-21%) with net_statistic='authors'"}

X, y = make_two_spirals()


def wilson(successes, n, z=1.959964):
    """95% Wilson score interval of a success rate."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


# %%
# Train both methods from the same starts
# ---------------------------------------
# ``random_state`` fixes the seeds of the ``n_init`` trials, so both estimators start
# from the same 20 weight vectors; ``tol=None`` leaves only the goal and ``max_iter``
# as stopping rules, as in the paper. ``init_results_`` records how every start
# ended: its final training loss (the mean squared error, alpha being 0 with a goal)
# and whether it reached the goal.

models = {}
print(f"{N_STARTS} random starts per method; success: training RMSE <= {GOAL} within "
      "1000 iterations\n")
print(f"{'method':<7}{'successes':>11}{'95% interval':>15}{'median RMSE':>13}"
      f"{'best RMSE':>11}{'seconds':>9}   benchmark (100 starts)")
for name, compression in [("LM", None), ("LM-WC", "adaptive")]:
    model = LMWCRegressor(hidden_layer_sizes=(9,), topology="fcc", compression=compression,
                          beta=1e-4, goal=GOAL, tol=None, max_iter=1000, n_init=N_STARTS,
                          n_jobs=1, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a failed start warns
        models[name] = model.fit(X, y)
    seconds = time.perf_counter() - start
    rmse = np.sqrt(np.asarray(model.init_results_["loss"]))  # y's std is 1
    successes = int(np.sum(model.init_results_["converged"]))
    lo, hi = wilson(successes, N_STARTS)
    print(f"{name:<7}{f'{successes}/{N_STARTS}':>11}{f'{lo:.0%} - {hi:.0%}':>15}"
          f"{np.median(rmse):>13.3f}{rmse.min():>11.3f}{seconds:>9.1f}   "
          f"{BENCHMARK[name]}")
print("\nWith 20 starts the two intervals overlap; 100 starts begin to separate the "
      "methods (0\nagainst 5, and 13 with net_statistic='authors'). On this problem "
      "compression adds rare "
      "successes (hundreds of\niterations in) rather than moving the typical start: the "
      "median RMSE is about the same.\nThe paper's headline gains are on parity "
      "(examples/quickstart.py: about 90% against 30%).")

# %%
# Decision regions
# ----------------
# Blue where the output is positive (first spiral), orange where it is negative.

grid = np.linspace(-1.15, 1.15, 301)
gx, gy = np.meshgrid(grid, grid)
plane = np.column_stack([gx.ravel(), gy.ravel()])

fig, axes = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
for ax, (name, model) in zip(axes, models.items()):
    out = model.predict(plane).reshape(gx.shape)
    ax.contourf(gx, gy, out, levels=[-np.inf, 0, np.inf], colors=["#f6c28b", "#9cc3e6"])
    ax.contour(gx, gy, out, levels=[0], colors="k", linewidths=0.6)
    for label, color in [(1, "tab:blue"), (-1, "tab:orange")]:
        ax.scatter(*X[y == label].T, s=12, c=color, edgecolors="k", linewidths=0.4)
    errors = int(np.sum(np.sign(model.predict(X)) != y))
    rmse = np.sqrt(np.mean((model.predict(X) - y) ** 2))
    successes = int(np.sum(model.init_results_["converged"]))
    ax.set_title(f"{name}: {successes} of {N_STARTS} starts reach RMSE {GOAL}\n"
                 f"best: RMSE {rmse:.3f}, {errors} of {len(y)} misclassified",
                 fontsize=10)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle(f"Two spirals, FCC with 9 tanh neurons: the best of {N_STARTS} starts")

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_two_spirals.png", dpi=100)
print(f"saved {out_dir / 'plot_two_spirals.png'}")
