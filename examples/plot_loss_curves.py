"""
Loss curves of LM, LM with restarts and LM with weight compression
==================================================================

Full parity-5 (all 32 patterns of 5 bipolar bits, targets ±1) with a fully connected
cascade of 2 tanh neurons and a linear output, trained from 20 random starts by each of

- plain LM (``compression=None``),
- LM with random restarts on a stall (``compression="restart"``, LM-RR),
- LM with adaptable weight compression (``compression="adaptive"``, LM-WC),

with goal RMSE 0.1, at most 100 iterations, stall threshold ``beta=1e-3`` and
``tol=None``. Every curve is one start's ``loss_curve_`` as an RMSE; a curve that
reaches the dotted goal line ends there. Plain LM's failures are flat lines: the
network has stalled in a local minimum and nothing gets it out. Restarts and
compressions show as jumps up, after which LM descends again, from new random
weights (LM-RR) or from the compressed best weights (LM-WC).

Run it with ``python examples/plot_loss_curves.py [OUTPUT_DIR]``; it saves
``plot_loss_curves.png`` next to itself, or into ``OUTPUT_DIR``.
"""

import os
import sys
import warnings
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY"):  # headless (CI, servers): draw into files only
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_parity

X, y = make_parity(5)
methods = {"LM": None, "LM-RR (restarts)": "restart", "LM-WC (compression)": "adaptive"}
n_starts, goal = 20, 0.1

fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True, layout="constrained")
for ax, (name, compression) in zip(axes, methods.items()):
    successes = 0
    for seed in range(n_starts):
        model = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc",
                              compression=compression, beta=1e-3, goal=goal, tol=None,
                              max_iter=100, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # failed starts warn
            model.fit(X, y)
        successes += model.converged_
        # the targets are balanced +-1, so the standardised loss is the loss itself
        rmse = np.sqrt(model.loss_curve_)
        ax.semilogy(np.arange(1, len(rmse) + 1), rmse, lw=0.9,
                    color="tab:green" if model.converged_ else "tab:red", alpha=0.7)
    ax.axhline(goal, color="k", ls=":", lw=1)
    ax.set_title(f"{name}: {successes}/{n_starts} reach the goal", fontsize=10)
    ax.set_xlabel("iterations (and restarts or compressions)")
axes[0].set_ylabel("training RMSE")
fig.suptitle("Full parity-5, FCC with 2 tanh neurons; green: goal reached, red: not")

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_loss_curves.png", dpi=100)
print(f"saved {out_dir / 'plot_loss_curves.png'}")
