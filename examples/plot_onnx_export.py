"""
Exporting a fitted network to ONNX
==================================

A fitted estimator, or a ``Pipeline`` holding one, converts to an ONNX graph with
skl2onnx once ``sklearn_lmwc.onnx`` is imported (it registers the converters), and the
graph runs wherever ONNX Runtime does, without Python, numpy or scikit-learn. Here a
regressor (a cascade of 6 tanh neurons on MATLAB's ``peaks`` surface) and a classifier
(the two moons, with the defaults' committee of 5 networks) are exported, run in ONNX
Runtime on float32 inputs, and compared with the estimators' own predictions.

The graph computes in float32 for a float32 input: its predictions differ from the
estimator's (which computes in float64) by the rounding of the inputs and of every
layer to float32, here about 1e-5 of the targets' scale for the regressor and 1e-6
for the probabilities. Pass a float64 sample to ``to_onnx`` for a float64 graph.

It needs the ``onnx`` extra (``pip install ".[onnx]"``: skl2onnx and onnxruntime).
Run it with ``python examples/plot_onnx_export.py [OUTPUT_DIR]``; it saves
``plot_onnx_export.png`` next to itself, or into ``OUTPUT_DIR``.
"""

import os
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY"):  # headless (CI, servers): draw into files only
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as rt
from skl2onnx import to_onnx
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import sklearn_lmwc.onnx  # noqa: F401  (registers the converters with skl2onnx)
from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc.datasets import make_peaks

# %%
# Train
# -----
# A regressor in a pipeline that scales its inputs to [-1, 1], and a classifier with
# the defaults (a committee of 5 bridged MLPs, whose probabilities are averaged).

X, y = make_peaks(n_samples=400, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
regressor = make_pipeline(
    MinMaxScaler(feature_range=(-1, 1)),
    LMWCRegressor(hidden_layer_sizes=(6,), topology="fcc", random_state=0),
).fit(X_train, y_train)

Xc, yc = make_moons(n_samples=300, noise=0.25, random_state=0)
classes = np.array(["left moon", "right moon"])[yc]  # labels of any type convert
classifier = make_pipeline(StandardScaler(), LMWCClassifier(random_state=0)).fit(Xc, classes)

# %%
# Export and run in ONNX Runtime
# ------------------------------
# ``to_onnx`` takes a sample of the input to fix its type (float32 here) and number of
# features. ``zipmap=False`` makes the classifier's probabilities a plain
# ``(n_samples, n_classes)`` tensor instead of one dictionary per sample.


def session(model, sample, **kwargs):
    onx = to_onnx(model, sample, **kwargs)
    return rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


X32 = X_test.astype(np.float32)
reg_session = session(regressor, X32[:1])
(y_onnx,) = reg_session.run(None, {"X": X32})  # shape (n_samples, 1)
y_onnx = y_onnx.ravel()
y_pred = regressor.predict(X_test)
print(f"regressor: R2 {regressor.score(X_test, y_test):.3f}; largest difference "
      f"ONNX - predict {np.abs(y_onnx - y_pred).max():.2e} (targets' std "
      f"{y_test.std():.2f})")

xx, yy = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.5, 2, 160))
grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(np.float32)
clf_session = session(classifier, grid[:1],
                      options={id(classifier[-1]): {"zipmap": False}})
labels_onnx, proba_onnx = clf_session.run(None, {"X": grid})
proba = classifier.predict_proba(grid)
print(f"classifier: accuracy {classifier.score(Xc, classes):.3f}; largest difference "
      f"of probabilities {np.abs(proba_onnx - proba).max():.2e}; labels that differ: "
      f"{np.sum(labels_onnx != classifier.predict(grid))} of {len(grid)}")

# %%
# Compare
# -------
# Left: the ONNX graph's predictions against the estimator's on the test set (they lie
# on the diagonal). Right: the probability of the right moon computed by ONNX
# Runtime over the plane, with the training points.

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
ax1.scatter(y_pred, y_onnx, s=10)
lims = [y_pred.min(), y_pred.max()]
ax1.plot(lims, lims, "k:", lw=1)
ax1.set(xlabel="regressor.predict (float64)", ylabel="ONNX Runtime (float32)",
        title=f"peaks: largest difference {np.abs(y_onnx - y_pred).max():.1e}")

right = proba_onnx[:, list(classifier.classes_).index("right moon")]
im = ax2.contourf(xx, yy, right.reshape(xx.shape), levels=20, cmap="RdBu_r", alpha=0.8)
ax2.scatter(Xc[:, 0], Xc[:, 1], c=yc, cmap="RdBu_r", edgecolor="k", linewidths=0.4, s=14)
fig.colorbar(im, ax=ax2, label="P(right moon), ONNX Runtime")
ax2.set(title=f"moons, committee of {len(classifier[-1].committee_coefs_)}: largest "
        f"difference {np.abs(proba_onnx - proba).max():.1e}")

# argv[0] is this file, also under sphinx-gallery (which defines no __file__)
out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.argv[0]).resolve().parent
fig.savefig(out_dir / "plot_onnx_export.png", dpi=100)
print(f"saved {out_dir / 'plot_onnx_export.png'}")
