"""
Saturated neurons over the iterations, with and without compression
====================================================================

Why LM stalls: when a hidden neuron's net input is large, tanh is flat there, its
derivative is nearly zero and so are the Jacobian's columns that go through it; LM's
steps then hardly change the error. The fitted attribute ``saturation_curve_`` records,
after every LM iteration, the fraction of hidden activations (over training samples and
hidden neurons) in the flat region, where ``|f'(net)|`` is below a tenth of its maximum.

Both networks are a fully connected cascade of 9 tanh neurons trained on the two spirals
from the same random start (the paper's setting: goal RMSE 0.1, at most 1000
iterations). Under plain LM the fraction climbs and then levels off while the error
stalls. LM-WC's curve dips at every compression: a compression rescales every hidden
neuron so that its mean ``|net|`` is ``omega`` (0.1 at first), out of the flat region
(the value is recorded after the LM step that follows, which is taken without an
error check, so the dips do not reach zero). Within a few iterations LM drives the
fraction back up as it fits the data, until the next stall triggers the next
compression. Compression does not keep the neurons out of saturation (a fitted tanh
network needs some saturated neurons): it gives LM informative Jacobians again, from
the best weights found so far.

Run it with ``python examples/plot_saturation.py [OUTPUT_DIR]``; it saves
``plot_saturation.png`` next to itself, or into ``OUTPUT_DIR``.
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
from sklearn_lmwc.datasets import make_two_spirals

X, y = make_two_spirals()

models = {}
for name, compression in [("LM", None), ("LM-WC", "adaptive")]:
    model = LMWCRegressor(hidden_layer_sizes=(9,), topology="fcc", compression=compression,
                          beta=1e-4, goal=0.1, tol=None, max_iter=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the goal may not be reached
        models[name] = model.fit(X, y)

# %%
# The saturation diagnostic
# -------------------------
# One value per LM iteration (``len(saturation_curve_) == n_iter_``). Below it, the
# training RMSE after every iteration and, for LM-WC, after every compression too
# (``loss_curve_`` is the mean squared error of the standardised targets, which for
# these ±1 targets are the targets themselves).

fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), layout="constrained")
for (name, model), color in zip(models.items(), ["tab:gray", "tab:blue"]):
    saturation = np.asarray(model.saturation_curve_)
    top.plot(np.arange(1, len(saturation) + 1), 100 * saturation, color=color, lw=1,
             label=f"{name} ({model.n_compressions_} compressions)")
    rmse = np.sqrt(model.loss_curve_)
    bottom.semilogy(np.arange(1, len(rmse) + 1), rmse, color=color, lw=1,
                    label=f"{name}: final RMSE {np.sqrt(model.loss_):.3f}")
top.set_xlabel("LM iteration")
top.set_ylabel("saturated activations (%)")
top.set_ylim(0, 100)
top.legend(loc="upper right")
bottom.axhline(0.1, color="k", ls=":", lw=1, label="goal")
bottom.set_xlabel("entry of loss_curve_ (iterations, and compressions for LM-WC)")
bottom.set_ylabel("training RMSE")
bottom.legend(loc="upper right")
fig.suptitle("Two spirals, FCC with 9 tanh neurons, one random start")

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_saturation.png", dpi=100)
print(f"saved {out_dir / 'plot_saturation.png'}")
