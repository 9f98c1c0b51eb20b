"""ONNX export (sklearn_lmwc.onnx).

Every test converts a fitted estimator with skl2onnx, runs the graph in ONNX Runtime
on float32 inputs and compares with the estimator's own ``predict`` and
``predict_proba``: within 1e-4 of the targets' scale, and 1e-4 for probabilities.
"""

import ast
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

skl2onnx = pytest.importorskip("skl2onnx")
rt = pytest.importorskip("onnxruntime")
lmwc_onnx = pytest.importorskip("sklearn_lmwc.onnx")

TOPOLOGIES = ("mlp", "bmlp", "fcc")
ACTIVATIONS = ("tanh", "logistic", "identity", "relu", "elu", "selu", "leaky_relu", "softplus")
TASKS = ("regression", "regression-multioutput",
         "binary-log_loss", "multiclass-log_loss", "multilabel-log_loss",
         "binary-squared_error", "multiclass-squared_error", "multilabel-squared_error")
TOL = 1e-4
# the defaults' tol rule warns when max_iter (small here) ends the fit
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ---- data and models ----------------------------------------------------------------
def _data(task, n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    smooth = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    if task == "regression":
        return X, 3.0 * smooth + 7.0
    if task == "regression-multioutput":  # outputs of very different scales and offsets
        return X, np.column_stack([100.0 * smooth - 50.0, 0.01 * X[:, 2] ** 2 + 2.0])
    kind = task.split("-")[0]
    if kind == "binary":
        return X, np.where(smooth > 0, "yes", "no")
    if kind == "multiclass":  # integer labels, neither contiguous nor from 0
        return X, np.array([-3, 7, 10])[np.digitize(smooth, [-0.5, 0.5])]
    return X, np.column_stack([smooth > 0, X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)


def _fit(task, topology="bmlp", activation="tanh", gain=1.0, **params):
    X, y = _data(task)
    params = {**dict(hidden_layer_sizes=(2, 2), topology=topology, activation=activation,
                     gain=gain, max_iter=3, tol=None, n_init=1, random_state=0), **params}
    if task.startswith("regression"):
        return X, y, LMWCRegressor(**params).fit(X, y)
    return X, y, LMWCClassifier(loss=task.split("-")[1], **params).fit(X, y)


def _session(model, X, **kwargs):
    onx = skl2onnx.to_onnx(model, X[:1], **kwargs)
    return onx, rt.InferenceSession(onx.SerializeToString(),
                                    providers=["CPUExecutionProvider"])


def _run(model, X, **kwargs):
    """The ONNX Runtime outputs of ``model`` converted with ``to_onnx`` on ``X``."""
    _, session = _session(model, X, **kwargs)
    return session.run(None, {session.get_inputs()[0].name: X})


def _no_zipmap(model):
    return {id(model): {"zipmap": False}}


# ---- checks against the estimator ---------------------------------------------------
def _check_regression(model, X, y, Y_onnx, tol=TOL):
    Y = y.reshape(len(y), -1)
    assert Y_onnx.shape == (X.shape[0], Y.shape[1])  # 2-D, as skl2onnx's regressors
    error = np.abs(Y_onnx - np.asarray(model.predict(X)).reshape(len(X), -1)) / Y.std(axis=0)
    assert error.max() <= tol, error.max()
    return error.max()


def _check_classification(model, X, labels, proba, tol=TOL):
    expected = np.asarray(model.predict_proba(X))  # the Dask estimators' are lazy
    assert proba.shape == expected.shape
    error = np.abs(proba - expected).max()
    assert error <= tol, error
    predicted = np.asarray(model.predict(X))
    assert labels.shape == predicted.shape
    # labels must agree except where float32 could flip a near tie
    if _multilabel(model):
        clear = np.abs(expected - 0.5) > 10 * tol
    else:
        top2 = np.sort(expected, axis=1)[:, -2:]
        clear = top2[:, 1] - top2[:, 0] > 10 * tol
    assert clear.mean() > 0.8  # the comparison is not vacuous
    np.testing.assert_array_equal(labels[clear], predicted[clear])
    return error


def _multilabel(model):
    model = model[-1] if hasattr(model, "steps") else model  # a pipeline's estimator
    return model.layout_.target_type == "multilabel-indicator"


def _check(model, X, y, **kwargs):
    X32 = X.astype(np.float32)
    if isinstance(model, LMWCRegressor):
        (Y,) = _run(model, X32, **kwargs)
        return _check_regression(model, X32, y, Y)
    labels, proba = _run(model, X32, options=_no_zipmap(model), **kwargs)
    return _check_classification(model, X32, labels, proba)


# ---- every topology, activation, gain and task --------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("task", ["regression-multioutput", "multiclass-log_loss"])
def test_topologies_and_activations(task, topology, activation):
    X, y, model = _fit(task, topology, activation, gain=2.0 if topology == "mlp" else 1.0)
    _check(model, X, y)


@pytest.mark.parametrize("task", TASKS)
def test_tasks(task):
    X, y, model = _fit(task, "fcc", "tanh", gain=0.5)
    _check(model, X, y)


@pytest.mark.parametrize("task", TASKS)
def test_default_committee(task):
    """The defaults' committee (n_init="auto"): regressor mean of outputs, log-loss
    mean of probabilities, squared error mean of outputs then the +-1 mapping."""
    X, y = _data(task)
    model = (LMWCRegressor if task.startswith("regression") else LMWCClassifier)(
        hidden_layer_sizes=(3,), max_iter=5, random_state=0,
        **({} if task.startswith("regression") else {"loss": task.split("-")[1]}))
    model.fit(X, y)
    assert len(model.committee_coefs_) == 5
    _check(model, X, y)


def test_committee_uses_coefs_and_every_member():
    """Changing any member's weights changes the exported graph's outputs as it changes
    the estimator's."""
    X, y = _data("multiclass-log_loss")
    model = LMWCClassifier(hidden_layer_sizes=(3,), max_iter=3, n_init=3, committee_size=3,
                           random_state=0).fit(X, y)
    for member in (model.coefs_, model.committee_coefs_[2]):
        member[-1][:] = member[-1] * -2.0
        _check(model, X, y)


@pytest.mark.parametrize("task", TASKS)
def test_float64_and_integer_input(task):
    """A float64 sample gives a float64 graph, which agrees to 1e-10 (committees
    included); an integer input is cast to float32."""
    X, y, model = _fit(task, n_init=2, committee_size=2)
    if isinstance(model, LMWCRegressor):
        (Y,) = _run(model, X)
        assert Y.dtype == np.float64
        _check_regression(model, X, y, Y, tol=1e-10)
        X_int = np.round(3 * X).astype(np.int64)
        (Y,) = _run(model, X_int)
        assert Y.dtype == np.float32
        _check_regression(model, X_int, y, Y)
        return
    labels, proba = _run(model, X, options=_no_zipmap(model))
    assert proba.dtype == np.float64
    _check_classification(model, X, labels, proba, tol=1e-10)


@pytest.mark.parametrize("opset", [13, 17])
def test_older_opsets(opset):
    """ReduceMax takes its axes as an attribute before opset 18."""
    X, y, model = _fit("multiclass-squared_error")
    onx, _ = _session(model, X.astype(np.float32), target_opset=opset)
    assert max(o.version for o in onx.opset_import if o.domain in ("", "ai.onnx")) <= opset
    _check(model, X, y, target_opset=opset)


def test_no_hidden_layer():
    X, y, model = _fit("binary-log_loss", hidden_layer_sizes=())
    _check(model, X, y)


# ---- pipelines and skl2onnx's classifier options ------------------------------------
def test_pipelines():
    X, y = _data("regression")
    reg = make_pipeline(StandardScaler(), LMWCRegressor((3,), max_iter=3, n_init=1,
                                                       random_state=0)).fit(5 * X + 1, y)
    X32 = (5 * X + 1).astype(np.float32)
    (Y,) = _run(reg, X32)
    _check_regression(reg, X32, y, Y)

    X, y = _data("multiclass-log_loss")
    y = np.array(["low", "mid", "high"])[np.searchsorted([-3, 7, 10], y)]
    clf = make_pipeline(StandardScaler(), LMWCClassifier((3,), max_iter=3, n_init=1,
                                                         random_state=0)).fit(X, y)
    X32 = X.astype(np.float32)
    labels, proba_maps = _run(clf, X32)  # zipmap by default: one {label: p} per row
    assert labels.dtype == object and set(labels) <= set(clf.classes_)
    proba = np.array([[row[c] for c in clf.classes_] for row in proba_maps])
    _check_classification(clf, X32, labels, proba)


def test_classifier_options():
    X, y, model = _fit("multiclass-log_loss")
    X32 = X.astype(np.float32)
    expected = model.predict_proba(X32)
    _, session = _session(model, X32, options={id(model): {"zipmap": "columns"}})
    names = [o.name for o in session.get_outputs()]
    assert names[0] == "output_label" and len(names) == 1 + len(model.classes_)
    columns = session.run(None, {session.get_inputs()[0].name: X32})[1:]
    np.testing.assert_allclose(np.column_stack(columns), expected, atol=TOL)

    labels, proba = _run(model, X32, options={id(model): {"zipmap": False, "nocl": True}})
    np.testing.assert_allclose(proba, expected, atol=TOL)
    assert set(labels) <= {0, 1, 2}  # class indices, not labels

    labels, proba, class_labels = _run(
        model, X32, options={id(model): {"zipmap": False, "output_class_labels": True}})
    np.testing.assert_array_equal(class_labels, model.classes_)


def test_labels_of_other_types():
    X, y = _data("binary-log_loss")
    for labels in (y == "yes", np.where(y == "yes", 2.0, -1.0)):
        model = LMWCClassifier((2,), max_iter=3, n_init=1, random_state=0).fit(X, labels)
        _check(model, X, labels)


# ---- errors --------------------------------------------------------------------------
@pytest.mark.parametrize("Estimator", [LMWCRegressor, LMWCClassifier])
def test_unfitted(Estimator):
    X = np.zeros((1, 3), dtype=np.float32)
    with pytest.raises(NotFittedError, match=f"{Estimator.__name__}.*not fitted"):
        skl2onnx.to_onnx(Estimator(), X)
    with pytest.raises(NotFittedError, match=f"{Estimator.__name__}.*not fitted"):
        skl2onnx.to_onnx(make_pipeline(StandardScaler().fit(X), Estimator()), X)


def test_activation_without_mapping(monkeypatch):
    X, y, model = _fit("regression", activation="relu")
    monkeypatch.delitem(lmwc_onnx.ACTIVATION_OPS, "relu")
    with pytest.raises(ValueError, match="activation='relu'"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32))


def test_labels_without_onnx_type():
    """Labels ONNX cannot hold (int64 or strings) are named; fit accepts none, so
    they are set by hand here."""
    X, y, model = _fit("binary-log_loss")
    model.classes_ = np.array([0.5, 1.5])
    with pytest.raises(ValueError, match=r"labels \[0.5, 1.5\] have no ONNX type"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32))


def test_moderated_probabilities_have_no_onnx_equivalent():
    X, y, model = _fit("binary-log_loss", moderation="probit")
    with pytest.raises(ValueError, match="moderation='probit'.*set_params"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32))
    _check(model.set_params(moderation=None), X, y)


def test_old_opset():
    X, y, model = _fit("regression")
    with pytest.raises(RuntimeError, match="LMWCRegressor.*target_opset >= 13"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32), target_opset=12)


def test_core_does_not_import_onnx():
    """No module but sklearn_lmwc/onnx.py imports onnx, skl2onnx, onnxruntime or
    sklearn_lmwc.onnx (read from the sources: this process has imported them all)."""
    optional = {"onnx", "skl2onnx", "onnxruntime"}
    package = Path(lmwc_onnx.__file__).parent
    for path in package.glob("*.py"):
        if path.name == "onnx.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):  # "from . import onnx" names it last
                names = [node.module or ""] + [alias.name for alias in node.names
                                                if node.level and not node.module]
            else:
                continue
            assert not {n.split(".")[0] for n in names} & optional, (path.name, names)
        assert "sklearn_lmwc.onnx" not in path.read_text(encoding="utf-8"), path.name


def test_dask_estimators():
    da = pytest.importorskip("dask.array")
    from sklearn_lmwc.dask import DaskLMWCClassifier, DaskLMWCRegressor

    for task, Estimator in (("regression", DaskLMWCRegressor),
                            ("binary-log_loss", DaskLMWCClassifier)):
        X, y = _data(task)
        model = Estimator(hidden_layer_sizes=(2,), max_iter=3, n_init=1, random_state=0)
        model.fit(da.from_array(X, chunks=20), da.from_array(y, chunks=20))
        _check(model, X, y)
