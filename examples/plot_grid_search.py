"""
Tuning beta and omega with GridSearchCV
=======================================

``beta`` (the stall threshold that triggers a compression) and ``omega`` (the mean
``|net|`` a compression brings every hidden neuron to) are ordinary estimator
parameters, so scikit-learn's model selection tunes them like any other. Here a
``Pipeline`` scales the inputs to [-1, 1] and fits a fully connected cascade of 6 tanh
neurons to noisy samples of MATLAB's ``peaks`` surface; ``GridSearchCV`` scores every
(``beta``, ``omega``) pair by 3-fold cross-validated R², in parallel over the pairs and
folds, and plain LM (``compression=None``) is scored alongside as the reference.

Cross-validated R² measures generalisation, not only the training fit, and the
differences between settings are often small compared with the spread between folds:
read the heat map together with the standard deviations printed below it. ``beta``
usually matters more than ``omega``: a large ``beta`` compresses while LM is still
making progress, and ``omega`` adapts during training anyway.

Run it with ``python examples/plot_grid_search.py [OUTPUT_DIR]``; it saves
``plot_grid_search.png`` next to itself, or into ``OUTPUT_DIR``.
"""

import os
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY"):  # headless (CI, servers): draw into files only
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_peaks

X, y = make_peaks(n_samples=400, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# %%
# The search
# ----------
# Two grids: compression with every (beta, omega) pair, and plain LM once. The
# iteration budget is fixed (``tol=None``, no goal), so every candidate trains equally
# long.
#
# The network and the compression parameters are the paper's (FCC, no penalty), set
# explicitly: the estimator's defaults are for real data. Without a goal, the default
# ``alpha="auto"`` would be Bayesian regularisation, whose penalty changes the fit and
# with it what ``beta`` and ``omega`` do; ``alpha=0.0`` keeps the search about
# compression alone.

pipe = make_pipeline(
    MinMaxScaler(feature_range=(-1, 1)),
    LMWCRegressor(hidden_layer_sizes=(6,), topology="fcc", alpha=0.0, tol=None,
                  max_iter=300, random_state=0))
betas, omegas = [1e-4, 1e-3, 1e-2], [0.03, 0.1, 0.3, 1.0]
param_grid = [
    {"lmwcregressor__compression": ["adaptive"], "lmwcregressor__beta": betas,
     "lmwcregressor__omega": omegas},
    {"lmwcregressor__compression": [None]},
]
search = GridSearchCV(pipe, param_grid, cv=KFold(3, shuffle=True, random_state=0),
                      n_jobs=-1)
search.fit(X_train, y_train)

results = search.cv_results_
is_wc = np.array([p["lmwcregressor__compression"] == "adaptive" for p in results["params"]])
plain = np.flatnonzero(~is_wc)[0]
print(f"plain LM:  R2 = {results['mean_test_score'][plain]:.3f} "
      f"+- {results['std_test_score'][plain]:.3f}")
for i in np.flatnonzero(is_wc):
    p = results["params"][i]
    print(f"beta={p['lmwcregressor__beta']:<7g} omega={p['lmwcregressor__omega']:<5g} "
          f"R2 = {results['mean_test_score'][i]:.3f} +- {results['std_test_score'][i]:.3f}")
print(f"best: {search.best_params_}, held-out R2 = {search.score(X_test, y_test):.3f}")

# %%
# Mean cross-validated R² of every pair
# -------------------------------------

score = np.empty((len(betas), len(omegas)))
for i in np.flatnonzero(is_wc):
    p = results["params"][i]
    score[betas.index(p["lmwcregressor__beta"]),
          omegas.index(p["lmwcregressor__omega"])] = results["mean_test_score"][i]

fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
image = ax.imshow(score, cmap="viridis", origin="lower")
for (r, c), value in np.ndenumerate(score):
    ax.text(c, r, f"{value:.3f}", ha="center", va="center",
            color="w" if value < score.mean() else "k")
ax.set_xticks(range(len(omegas)), [f"{o:g}" for o in omegas])
ax.set_yticks(range(len(betas)), [f"{b:g}" for b in betas])
ax.set_xlabel("omega")
ax.set_ylabel("beta")
ax.set_title(f"LM-WC, 3-fold CV R² on noisy peaks\n(plain LM: "
             f"{results['mean_test_score'][plain]:.3f})", fontsize=10)
fig.colorbar(image, ax=ax, label="mean R²")

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_grid_search.png", dpi=100)
print(f"saved {out_dir / 'plot_grid_search.png'}")
