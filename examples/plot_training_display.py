"""
The training display: LM against LM with weight compression
============================================================

:class:`~sklearn_lmwc.TrainingDisplay` draws what a fit did, iteration by iteration,
from its fitted attributes alone: the training loss (``loss_curve_``; with several
trials, every trial's curve faint and the kept one bold), the damping mu
(``mu_curve_``), the fraction of saturated hidden activations (``saturation_curve_``)
and, when the fit has them, the validation score (``validation_scores_``, with
``early_stopping``) and the effective number of parameters
(``n_effective_params_curve_``, with ``alpha="bayes"``). A vertical line on every
panel marks each compression or restart (``events_``).

First, the paper's setting on full parity-5 (all 32 patterns of 5 bipolar bits): a
fully connected cascade of 2 tanh neurons, goal RMSE 0.1, no ``tol`` rule, no penalty
(``alpha="auto"`` is 0 with a goal), stall threshold ``beta=1e-3``, 5 random starts,
trained by plain LM (``compression=None``) and by LM-WC (``compression="adaptive"``).

Run it with ``python examples/plot_training_display.py [OUTPUT_DIR]``; it saves
``plot_training_display.png`` and ``plot_training_display_bayes.png`` next to itself,
or into ``OUTPUT_DIR``.
"""

import os
import sys
import warnings
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY"):  # headless (CI, servers): draw into files only
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCRegressor, TrainingDisplay
from sklearn_lmwc.datasets import make_parity, make_peaks

X, y = make_parity(5)
fig, axes = plt.subplots(1, 2, figsize=(11, 6.5), layout="constrained")
for ax, (name, compression) in zip(axes, [("LM", None), ("LM-WC", "adaptive")]):
    model = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", compression=compression,
                          beta=1e-3, goal=0.1, tol=None, max_iter=100, n_init=5,
                          random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a failed start warns
        model.fit(X, y)
    # one Axes: the display splits its area into the panels
    display = TrainingDisplay.from_estimator(model, ax=ax, name=f"{name}, kept trial")
    successes = int(model.init_results_["converged"].sum())
    display.axes_[0].set_title(f"{name}: {successes}/5 starts reach the goal",
                               fontsize=10)

# %%
# Plain LM's starts end on plateaus of the loss, with more and more of the hidden
# activations on tanh's flat tails (all of them, at the end of the kept start), where
# the Jacobian vanishes: LM's steps are still accepted, and mu keeps falling, but they
# no longer change the error. LM-WC's compressions (dashed lines) throw the loss up
# for a moment, bring the saturated fraction down to zero and reset mu; LM then
# descends again from the compressed best weights. The saturation and damping panels
# stop one iteration short of the loss where a start reaches the goal: that iteration
# ends the fit before it is recorded.

# %%
# A Bayesian fit with early stopping
# ----------------------------------
# With ``alpha="bayes"`` the display adds the effective number of parameters, the
# ``gamma`` of the evidence approximation, re-estimated after every accepted step; with
# ``early_stopping`` the score on the held-out data, its best marked (those weights are
# the ones returned).

Xp, yp = make_peaks(500, noise=0.1, random_state=0)
Xp /= 3  # from [-3, 3] to unit scale
bayes = LMWCRegressor(hidden_layer_sizes=(10,), alpha="bayes", early_stopping=True,
                      n_iter_no_change=20, n_init=1, max_iter=200, random_state=0)
bayes.fit(Xp, yp)
bayes_display = TrainingDisplay.from_estimator(bayes)
bayes_display.figure_.suptitle("Peaks, bridged MLP of 10 tanh neurons, alpha='bayes', "
                               "early stopping")
# right after the compression the validation R^2 falls far below 0: the panels are
# matplotlib Axes (``axes_``, in the order of ``panels_``), to adjust at will
validation_ax = bayes_display.axes_[bayes_display.panels_.index("validation")]
validation_ax.set_ylim(-0.5, 1)

# %%
# The effective number of parameters grows as the data come to determine more of
# the weights. After the compression it stays put: the prior learns nothing until the
# fit is back at its best value (see ``alpha``), which it did not reach again here, so
# early stopping returns the weights of the best validation score (the dot), before
# the compression.

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_training_display.png", dpi=100)
bayes_display.figure_.savefig(out_dir / "plot_training_display_bayes.png", dpi=100)
print(f"saved {out_dir / 'plot_training_display.png'} and "
      f"{out_dir / 'plot_training_display_bayes.png'}")
