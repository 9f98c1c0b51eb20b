"""
Predictive intervals: the Laplace posterior beside a Gaussian process
=====================================================================

``LMWCRegressor.predict(X, return_std=True)`` returns, with the mean, the standard
deviation of the predictive distribution, as ``GaussianProcessRegressor.predict`` does.
It has two parts:

- the noise, ``1 / beta``: the scatter of the targets about the curve, estimated in the
  fit (by the evidence with ``alpha="bayes"``, from the training residuals otherwise).
  It is the same everywhere;
- the weights' part, ``g^T A^-1 g``: how much the output at x moves under the
  Laplace posterior of the weights (A their posterior precision, g the output's
  derivative with respect to them). It is small where training data pin the curve
  down and grows where they do not: in the gaps between the training inputs and
  outside them.

With the default committee (``committee_size="auto"``, up to five trials), the
distribution is the equal mixture of the members' Gaussians, so the members'
disagreement, which is largest where there are no data, widens the band as well.

Below, 90 noisy samples of a smooth curve, drawn on three stretches of [-3, 3] with
gaps between them, and the 95% band (mean ± 1.96 std) of an ``LMWCRegressor`` (the
defaults: one hidden layer of 10 tanh neurons) and of a ``GaussianProcessRegressor``
with an RBF + white-noise kernel. Near the data both bands are about as wide as the
noise alone (LMWC's dashed lines: its estimate of the noise, the rest of the band is
the weights' part). In the gaps the network's band widens, most in the right-hand gap,
where the curve's peak falls between the samples and the committee's members disagree
on it; the GP's widens little there, as the gaps are about as wide as its fitted length
scale. Beyond ±3 both widen: the GP returns to its prior (its mean to the targets'
mean, its std to the prior's), while the network extrapolates its last trend (tanh
units saturate into lines) and its band keeps growing with the distance, at a rate
set by the network and its weights' posterior rather than by a kernel's length scale.
``benchmarks/uncertainty.py`` measures how well both kinds of
interval cover held-out targets on real data (see the benchmarks page).

Run it with ``python examples/plot_predictive_interval.py [OUTPUT_DIR]``; it saves
``plot_predictive_interval.png`` next to itself, or into ``OUTPUT_DIR``.
"""

import os
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY"):  # headless (CI, servers): draw into files only
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

from sklearn_lmwc import LMWCRegressor

rng = np.random.default_rng(0)
NOISE = 0.15


def curve(x):
    return np.sin(2 * x) + 0.3 * x


# three stretches of training inputs, with gaps at about [-1.6, -0.6] and [0.6, 1.6]
x_train = np.concatenate([rng.uniform(-3.0, -1.6, 30), rng.uniform(-0.6, 0.6, 30),
                          rng.uniform(1.6, 3.0, 30)])
y_train = curve(x_train) + NOISE * rng.standard_normal(x_train.size)
X_train = x_train.reshape(-1, 1)
x_plot = np.linspace(-4.5, 4.5, 400)
X_plot = x_plot.reshape(-1, 1)

lmwc = LMWCRegressor(random_state=0).fit(X_train, y_train)
gp = GaussianProcessRegressor(ConstantKernel() * RBF() + WhiteKernel(),
                              normalize_y=True, random_state=0).fit(X_train, y_train)

predictions = {"LMWCRegressor (defaults)": lmwc.predict(X_plot, return_std=True),
               f"GaussianProcessRegressor\n{gp.kernel_}": gp.predict(X_plot,
                                                                      return_std=True)}

# %%
# The noise part of LMWC's band
# -----------------------------
# Each committee member keeps its Laplace posterior (``laplace_posteriors_``) with its
# noise variance ``1 / beta`` in the units of the standardised targets it was trained
# on; times the targets' variance it is in the units of y. The rest of the predictive
# variance is the weights' part (and the members' spread).
noise_std = np.sqrt(np.mean([p.noise_variance for p in lmwc.laplace_posteriors_])
                    * np.var(y_train))
lmwc_mean, lmwc_std = predictions["LMWCRegressor (defaults)"]
print(f"LMWC committee of {len(lmwc.laplace_posteriors_)}: noise std {noise_std:.3f} "
      f"(true {NOISE}); predictive std from {lmwc_std.min():.3f} to {lmwc_std.max():.3f} "
      "on [-4.5, 4.5]")

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True, layout="constrained")
for ax, (name, (mean, std)) in zip(axes, predictions.items()):
    for lo, hi in [(-1.6, -0.6), (0.6, 1.6)]:
        ax.axvspan(lo, hi, color="0.93", zorder=0)
    ax.axvspan(-4.5, -3, color="0.97", zorder=0)
    ax.axvspan(3, 4.5, color="0.97", zorder=0)
    ax.fill_between(x_plot, mean - 1.96 * std, mean + 1.96 * std, color="tab:blue",
                    alpha=0.25, label="95% band (mean ± 1.96 std)")
    ax.plot(x_plot, curve(x_plot), color="k", ls=":", lw=1, label="true curve")
    ax.plot(x_plot, mean, color="tab:blue", lw=1.5, label="predicted mean")
    ax.plot(x_train, y_train, ".", color="tab:orange", ms=4, label="training data")
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("x (grey: no training inputs)")
    ax.set_xlim(-4.5, 4.5)
axes[0].plot(x_plot, lmwc_mean + 1.96 * noise_std, color="tab:blue", ls="--", lw=0.8,
             label="mean ± 1.96 noise std alone")
axes[0].plot(x_plot, lmwc_mean - 1.96 * noise_std, color="tab:blue", ls="--", lw=0.8)
axes[0].set_ylabel("y")
axes[0].set_ylim(-4, 4)
axes[0].legend(loc="upper left", fontsize=8)

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_predictive_interval.png", dpi=100)
print(f"saved {out_dir / 'plot_predictive_interval.png'}")
