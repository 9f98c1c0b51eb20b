"""Persistence of fitted estimators.

skops (``skops.io``): pipelines holding the estimators round-trip with equal
predictions, and the only types skops does not trust by default are this
project's, which a user can review and trust by name.
"""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    smooth = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    return 4 * X + 1, smooth


def _models():
    """Fitted pipelines: regression (single and multi-output) and classification
    (string, multiclass and multilabel), over topologies, activations and solvers;
    the defaults' committee in the first two."""
    X, smooth = _data()
    labels = np.array(["low", "mid", "high"])[np.digitize(smooth, [-0.5, 0.5])]
    multilabel = np.column_stack([smooth > 0, X[:, 0] > 1]).astype(int)
    small = dict(hidden_layer_sizes=(2,), max_iter=3, n_init=1)
    cases = [
        (LMWCRegressor(hidden_layer_sizes=(3,), max_iter=3), smooth),
        (LMWCClassifier(hidden_layer_sizes=(3,), max_iter=3), labels),
        (LMWCRegressor(topology="fcc", activation="logistic", gain=2.0, **small),
         np.column_stack([smooth, 10 * smooth + 3])),
        (LMWCRegressor(solver="scipy", alpha=0.0, activation="relu", **small), smooth),
        (LMWCClassifier(topology="mlp", activation="identity", loss="squared_error",
                        weight_groups="ard", **small), multilabel),
        (LMWCClassifier(early_stopping=True, validation_fraction=0.25, **small),
         smooth > 0),
    ]
    return [(make_pipeline(StandardScaler(), est.set_params(random_state=0)).fit(X, y), X)
            for est, y in cases]


def _predictions(model, X):
    out = [model.predict(X)]
    if hasattr(model, "predict_proba"):
        out.append(model.predict_proba(X))
    return out


def test_skops_round_trip(tmp_path):
    for i, (model, X) in enumerate(_models()):
        path = tmp_path / f"model{i}.skops"
        sio.dump(model, path)
        untrusted = sio.get_untrusted_types(file=path)
        # only this project's types need the user's trust (numpy, scipy and
        # scikit-learn's are trusted by skops)
        assert untrusted and all(t.startswith("sklearn_lmwc.") for t in untrusted), untrusted
        with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
            sio.load(path)
        loaded = sio.load(path, trusted=untrusted)

        assert type(loaded) is type(model) and loaded is not model
        for before, after in zip(_predictions(model, X), _predictions(loaded, X)):
            np.testing.assert_array_equal(after, before)
        assert loaded[-1].layout_ == model[-1].layout_
        assert len(loaded[-1].committee_coefs_) == len(model[-1].committee_coefs_)


def test_skops_round_trip_warm_start(tmp_path):
    """A loaded estimator keeps training where the saved one stopped."""
    X, smooth = _data()
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=2, n_init=1, tol=None,
                        warm_start=True, random_state=0).fit(X, smooth)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(loaded.fit(X, smooth).predict(X),
                                  est.fit(X, smooth).predict(X))
