"""LMWCClassifier's ``class_weight`` (issue 28).

The weights become sample weights before anything below the estimator's face sees the
data, so two kinds of test: a fit with ``class_weight`` is exactly (bit for bit) the fit
with the sample weights it stands for, for every path that reads sample weights (both
losses, every solver, early stopping's validation score, the evidence and the
committee's ranking, warm start, multilabel); and the semantics: an integer class weight
is that many copies of the class's rows (predictions, ``alpha_``,
``n_effective_params_``, ``log_evidence_`` to 1e-6), ``"balanced"`` on balanced classes
changes nothing.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.estimator_checks import check_estimator

from sklearn_lmwc import LMWCClassifier

from conftest import FIRST_ORDER, assert_same_evidence

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]


def _data(n=60, seed=1, classes=2):
    """A smooth problem on 3 features in [-1, 1], its classes unbalanced (about 2:1 for
    two classes)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n, 3))
    f = np.sin(2 * X[:, 0]) + np.cos(2 * X[:, 1]) * X[:, 2] + 0.1 * rng.randn(n)
    if classes == 2:
        return X, (f > np.quantile(f, 0.65)).astype(int), rng
    return X, np.array(["a", "b", "c"])[np.digitize(f, np.quantile(f, [0.5, 0.8]))], rng


def _bayes(**params):
    """Plain LM (no compression, no tol rule) for a fixed number of iterations: weighted
    and repeated rows then take the same path."""
    return {**dict(hidden_layer_sizes=(3,), max_iter=20, alpha="bayes", n_init=2,
                   committee_size=1, compression=None, tol=None, random_state=1), **params}


def _numbers(est, X):
    """What a fit predicts, in numbers, and its evidence's quantities."""
    proba = est.predict_proba(X)
    return proba, est.decision_function(X)


def _assert_identical(a, b, X, rtol=0.0):
    """Two fits that are the same computation: the same weights and predictions, bit
    for bit (or to ``rtol``)."""
    def same(p, q):
        if rtol:
            # atol: a pruned unit's weights are ~1e-23, rounding noise
            np.testing.assert_allclose(p, q, rtol=rtol, atol=rtol)
        else:
            np.testing.assert_array_equal(p, q)

    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        same(p, q)
    for p, q in zip(_numbers(a, X), _numbers(b, X)):
        same(p, q)
    same(a.alpha_, b.alpha_)
    assert a.n_iter_ == b.n_iter_
    same(a.loss_, b.loss_)
    assert (a.log_evidence_ is None) == (b.log_evidence_ is None)
    if a.log_evidence_ is not None:
        same(a.log_evidence_, b.log_evidence_)
        same(a.n_effective_params_, b.n_effective_params_)
    same(a.init_results_["loss"], b.init_results_["loss"])


# ---- class_weight is sample weights: the same fit, bit for bit, on every path ----------
CONFIGS = {
    "lm-log_loss-bayes-committee": dict(n_init=3, committee_size=2),
    "lm-squared_error": dict(loss="squared_error", n_init=3, committee_size=2),
    "lm-early_stopping": dict(early_stopping=True, validation_fraction=0.25, n_init=2,
                              tol=1e-4, n_iter_no_change=3),
    "lm-layers": dict(weight_groups="layers"),
    "lm-fixed-alpha": dict(alpha=1e-2, compression="adaptive"),
    "scipy": dict(solver="scipy", loss="squared_error", alpha=1e-2, n_init=1),
    "scipy-bayes": dict(solver="scipy", loss="squared_error", n_init=1),
    **{f"{solver}": dict(solver=solver, alpha=1e-3, n_init=1, max_iter=30,
                         **FIRST_ORDER[solver])
       for solver in ("ebp", "sgd", "adam", "rmsprop")},
    "adam-minibatch-early_stopping": dict(solver="adam", alpha=1e-3, n_init=1, max_iter=30,
                                          batch_size=16, early_stopping=True,
                                          validation_fraction=0.25, tol=1e-4,
                                          learning_rate_init=0.01),
}


@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 2.5}, "balanced"],
                         ids=["dict", "balanced"])
@pytest.mark.parametrize("config", CONFIGS)
def test_class_weight_is_the_sample_weight_it_stands_for(config, class_weight):
    X, y, rng = _data(80)
    sw = rng.uniform(0.5, 2.0, len(y))
    params = _bayes(**CONFIGS[config])
    classes, inverse = np.unique(y, return_inverse=True)
    # "balanced" counts the classes' rows by their sample weights, as LogisticRegression
    expected = sw * compute_class_weight(class_weight, classes=classes, y=y,
                                         sample_weight=sw)[inverse]
    weighted = LMWCClassifier(class_weight=class_weight, **params).fit(X, y, sample_weight=sw)
    plain = LMWCClassifier(**params).fit(X, y, sample_weight=expected)
    _assert_identical(weighted, plain, X)
    if params.get("early_stopping"):  # the validation score is the weighted one
        assert weighted.validation_scores_ == plain.validation_scores_
    # and the weights matter: the fit differs from the unweighted one
    unweighted = LMWCClassifier(**params).fit(X, y, sample_weight=sw)
    assert not np.array_equal(weighted.predict_proba(X), unweighted.predict_proba(X))


def test_balanced_without_sample_weight_is_compute_sample_weight():
    X, y, _ = _data(80, classes=3)
    params = _bayes(n_init=3, committee_size=3)
    weighted = LMWCClassifier(class_weight="balanced", **params).fit(X, y)
    plain = LMWCClassifier(**params).fit(X, y, sample_weight=compute_sample_weight(
        "balanced", y))
    _assert_identical(weighted, plain, X)
    counts = np.unique(y, return_counts=True)[1]
    explicit = dict(zip("abc", len(y) / (3 * counts)))
    _assert_identical(LMWCClassifier(class_weight=explicit, **params).fit(X, y), plain, X)


@pytest.mark.parametrize("class_weight", [[{0: 1.0, 1: 3.0}, {0: 2.0, 1: 0.5}], "balanced"],
                         ids=["dicts", "balanced"])
@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_multilabel_class_weight(class_weight, loss):
    X, _, rng = _data(80)
    Y = np.column_stack([X[:, 0] > 0.4, X[:, 1] + X[:, 2] > 0.8]).astype(int)
    params = _bayes(loss=loss, n_init=2, committee_size=2)
    weighted = LMWCClassifier(class_weight=class_weight, **params).fit(X, Y)
    expected = compute_sample_weight(class_weight, Y)  # per label, multiplied
    plain = LMWCClassifier(**params).fit(X, Y, sample_weight=expected)
    _assert_identical(weighted, plain, X)


def test_warm_start_with_class_weight():
    X, y, _ = _data(80)
    cw = {0: 1.0, 1: 3.0}
    params = _bayes(warm_start=True, max_iter=5)
    weighted = LMWCClassifier(class_weight=cw, **params)
    plain = LMWCClassifier(**params)
    sw = compute_sample_weight(cw, y)
    for _ in range(2):  # the first fit, then a warm start from it
        weighted.fit(X, y)
        plain.fit(X, y, sample_weight=sw)
        _assert_identical(weighted, plain, X)
    # a warm start may change the weights: the second fit's are the new ones
    weighted.set_params(class_weight="balanced").fit(X, y)
    plain.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    _assert_identical(weighted, plain, X)


# ---- the semantics: integer weights are repeated rows ---------------------------------
@pytest.mark.parametrize("committee_size", [1, 2], ids=["alone", "committee"])
@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
@pytest.mark.parametrize("classes", [2, 3], ids=["binary", "multiclass"])
def test_integer_class_weight_is_repeated_rows(classes, loss, committee_size):
    X, y, _ = _data(60, classes=classes)
    labels = np.unique(y)
    cw = dict(zip(labels.tolist(), [1, 3, 2][:len(labels)]))
    repeats = np.array([cw[label] for label in y.tolist()])
    Xr, yr = np.repeat(X, repeats, axis=0), np.repeat(y, repeats)
    params = _bayes(loss=loss, committee_size=committee_size)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        weighted = LMWCClassifier(class_weight=cw, **params).fit(X, y)
        repeated = LMWCClassifier(**params).fit(Xr, yr)
    assert weighted.n_iter_ == repeated.n_iter_ == 20
    assert_same_evidence(weighted, repeated)
    for a, b in zip(_numbers(weighted, X), _numbers(repeated, X)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_balanced_with_integer_sample_weights_is_repeated_rows(loss):
    # "balanced" counts each class by its summed sample weights: repeated rows count the
    # same, so the weights of both fits are the same and so are the fits
    X, y, rng = _data(60, classes=3)
    sw = rng.randint(1, 4, len(y))
    params = _bayes(loss=loss, committee_size=2)
    weighted = LMWCClassifier(class_weight="balanced", **params).fit(X, y, sample_weight=sw)
    repeated = LMWCClassifier(class_weight="balanced", **params).fit(
        np.repeat(X, sw, axis=0), np.repeat(y, sw))
    assert_same_evidence(weighted, repeated)
    for a, b in zip(_numbers(weighted, X), _numbers(repeated, X)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_balanced_with_a_class_of_zero_summed_weight():
    # its weight would be n / (K * 0): 0 instead (it has no row of positive weight), and
    # the other class's is n / (2 n) = 1/2
    X, y, _ = _data(60)
    sw = np.where(y == 1, 0.0, 1.0)
    params = _bayes(max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        weighted = LMWCClassifier(class_weight="balanced", **params).fit(X, y,
                                                                         sample_weight=sw)
    plain = LMWCClassifier(**params).fit(X, y, sample_weight=0.5 * sw)
    _assert_identical(weighted, plain, X)


@pytest.mark.parametrize("solver", ["scipy", "ebp", "adam"])
def test_integer_class_weight_is_repeated_rows_other_solvers(solver):
    # fixed alpha; "adam" on the full batch (a mini-batch of repeated rows is another
    # batch); scipy's MINPACK sees other residual vectors with the same J^T J and J^T r
    X, y, _ = _data(60)
    cw = {0: 1, 1: 3}
    repeats = np.where(y == 1, 3, 1)
    Xr, yr = np.repeat(X, repeats, axis=0), np.repeat(y, repeats)
    params = dict(hidden_layer_sizes=(3,), solver=solver, alpha=1e-2, n_init=1,
                  compression=None, tol=None, max_iter=20, random_state=1)
    if solver == "scipy":
        params["loss"] = "squared_error"
    else:
        params.update(FIRST_ORDER[solver], batch_size=1000, max_iter=50)
    weighted = LMWCClassifier(class_weight=cw, **params).fit(X, y)
    repeated = LMWCClassifier(**params).fit(Xr, yr)
    for a, b in zip(_numbers(weighted, X), _numbers(repeated, X)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
@pytest.mark.parametrize("classes", [2, 3], ids=["binary", "multiclass"])
def test_balanced_on_balanced_classes_changes_nothing(classes, loss):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (60, 3))
    y = np.arange(60) % classes  # exactly balanced: every weight is 1.0
    params = _bayes(loss=loss, n_init=3, committee_size=2)
    # every weight is 1: no weights at all, the unweighted fit bit for bit
    _assert_identical(LMWCClassifier(class_weight="balanced", **params).fit(X, y),
                      LMWCClassifier(**params).fit(X, y), X)


# ---- parameter validation and errors ----------------------------------------------------
@pytest.mark.parametrize("class_weight, y_kind, match", [
    ({0: 1.0, 5: 2.0}, "binary", r"labels that are not classes of y: \[5\]"),
    ({"a": 1.0, "z": 2.0}, "multiclass", r"labels that are not classes of y: \['z'\]"),
    ({0: -1.0}, "binary", "finite non-negative"),
    ({0: np.nan}, "binary", "finite non-negative"),
    ({0: "heavy"}, "binary", "finite non-negative"),
    ({0: 0.0, 1: 0.0}, "binary", "every sample a weight of 0"),
    ([{0: 1.0, 1: 2.0}], "binary", "list .* is for multilabel"),
    ({0: 1.0}, "multilabel", "list of one dict per label"),
    ([{0: 1.0, 1: 2.0}], "multilabel", "1 dicts for 2 labels"),
    ([{0: 1.0, 2: 2.0}, {}], "multilabel", r"label 0\) has labels .* \[2\]"),
    (["balanced", "even"], "multilabel", "must be a dict or 'balanced'"),
])
def test_class_weight_errors(class_weight, y_kind, match):
    X, y, _ = _data(40, classes=3 if y_kind == "multiclass" else 2)
    if y_kind == "multilabel":
        y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    with pytest.raises(ValueError, match=match):
        LMWCClassifier(class_weight=class_weight, max_iter=2).fit(X, y)


@pytest.mark.parametrize("class_weight", ["balanced_subsample", 3.0, (1, 2)])
def test_class_weight_parameter_validation(class_weight):
    X, y, _ = _data(40)
    with pytest.raises(InvalidParameterError, match="class_weight"):
        LMWCClassifier(class_weight=class_weight).fit(X, y)


def test_failed_fit_leaves_the_estimator_unchanged():
    X, y, _ = _data(40)
    est = LMWCClassifier(max_iter=3, random_state=0).fit(X, y)
    before = est.predict_proba(X)
    with pytest.raises(ValueError, match="not classes of y"):
        est.set_params(class_weight={7: 1.0}).fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)


# ---- scikit-learn's checks, as a plain call -------------------------------------------
@pytest.mark.slow  # 16 s each: CI runs the slow tests too
@pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning")
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_check_estimator_plain_call(class_weight):
    # with class_weight in get_params, scikit-learn adds check_class_weight_classifiers
    check_estimator(LMWCClassifier(class_weight=class_weight))


# ---- ONNX export of a class-weighted fit ------------------------------------------------
@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
@pytest.mark.parametrize("classes", [2, 3], ids=["binary", "multiclass"])
def test_onnx_export_of_a_class_weighted_fit(classes, loss):
    skl2onnx = pytest.importorskip("skl2onnx")
    rt = pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn_lmwc.onnx")
    X, y, _ = _data(60, classes=classes)
    model = LMWCClassifier(hidden_layer_sizes=(3,), class_weight="balanced", loss=loss,
                           max_iter=10, random_state=0).fit(X, y)
    X32 = X.astype(np.float32)
    onx = skl2onnx.to_onnx(model, X32[:1], options={id(model): {"zipmap": False}})
    session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    labels, proba = session.run(None, {session.get_inputs()[0].name: X32})
    expected = model.predict_proba(X32)
    assert np.abs(proba - expected).max() <= 1e-4
    top2 = np.sort(expected, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-3  # float32 may flip a near tie
    assert clear.mean() > 0.8
    np.testing.assert_array_equal(labels[clear], model.predict(X32)[clear])


# ---- Dask ------------------------------------------------------------------------------
@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 3.0}, "balanced"],
                         ids=["dict", "balanced"])
def test_dask_classifier_class_weight(class_weight):
    da = pytest.importorskip("dask.array")
    pytest.importorskip("distributed")
    from sklearn_lmwc.dask import DaskLMWCClassifier
    X, y, rng = _data(120)
    sw = rng.uniform(0.5, 2.0, len(y))
    params = dict(hidden_layer_sizes=(3,), topology="mlp", max_iter=8, tol=None,
                  alpha="bayes", random_state=1, n_init=1, class_weight=class_weight)
    chunked = DaskLMWCClassifier(**params, client="synchronous").fit(
        da.from_array(X, chunks=50), da.from_array(y, chunks=50),
        sample_weight=da.from_array(sw, chunks=50))
    memory = LMWCClassifier(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(chunked.predict_proba(X).compute(), memory.predict_proba(X),
                               atol=1e-6)
    assert chunked.log_evidence_ == pytest.approx(memory.log_evidence_, rel=1e-6)
    np.testing.assert_allclose(chunked.alpha_, memory.alpha_, rtol=1e-6)
    unweighted = clone(memory).set_params(class_weight=None).fit(X, y, sample_weight=sw)
    assert not np.allclose(unweighted.predict_proba(X), memory.predict_proba(X))
