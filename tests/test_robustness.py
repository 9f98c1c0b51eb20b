"""Hostile input, numerical trouble and estimator state.

Every input gets either a correct fit or a clear error that names the problem; no
fit hands back a broken model (non-finite weights or predictions, or a half-updated
estimator after a failed refit); no numpy RuntimeWarning reaches the user.

Decisions recorded here:
- sparse X is accepted as scikit-learn's MLP accepts it, densified a chunk of rows
  at a time (the LM engine works on dense Jacobians); float32 X keeps float32
  weights and outputs;
- Ctrl-C (KeyboardInterrupt) during the LM iterations ends training like
  scikit-learn's MLP: a UserWarning "Training interrupted by user", and the
  estimator is fitted with the best weights found so far (with n_init > 1 it ends
  the running trial; the next trials still run);
- a failed fit (any error) leaves the estimator exactly as it was before the call.
"""

import pickle
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._objective import Objective
from sklearn_lmwc._solve import WeightSpaceSystem

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # unscaled inputs on purpose; test_saturation_warning_only_for_unscaled_inputs asserts it
    pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]


X = np.random.RandomState(0).uniform(-1, 1, (40, 3))
Y_REG = np.sin(2 * X[:, 0]) + X[:, 1]
Y_CLF = (Y_REG > 0).astype(int)
# an MLP: its tanh layer bounds what the outputs see of hostile inputs (bridged
# topologies, the default, pass the inputs to the outputs: see
# test_bridged_default_says_when_inputs_overflow)
SMALL = dict(hidden_layer_sizes=(3,), topology="mlp", max_iter=10, random_state=0)

BOTH = [pytest.param(LMWCRegressor, Y_REG, id="regressor"),
        pytest.param(LMWCClassifier, Y_CLF, id="classifier")]


@contextmanager
def no_runtime_warnings():
    """Fail on any numpy RuntimeWarning (overflow, invalid value, divide by zero)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def outputs(est, X):
    """Everything numeric the estimator predicts (a classifier's labels are checked
    to be among classes_)."""
    if not hasattr(est, "predict_proba"):
        return [est.predict(X)]
    labels = est.predict(X)
    assert set(np.unique(labels)) <= set(est.classes_) | {0, 1}
    return [est.predict_proba(X), est.decision_function(X)]


def assert_finite_model(est, X):
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))
    assert np.isfinite(est.loss_)
    with no_runtime_warnings():
        for out in outputs(est, X):
            assert np.all(np.isfinite(out))


# ==== input battery ======================================================================
def _with(value):
    def make(X):
        X = X.copy()
        X[3, 1] = value
        return X
    return make


# name -> (how to spoil X, error type, message pattern); each is tried in fit and predict
BAD_X = {
    "nan": (_with(np.nan), ValueError, "Input X contains NaN"),
    "inf": (_with(np.inf), ValueError, "Input X contains infinity"),
    "-inf": (_with(-np.inf), ValueError, "Input X contains infinity"),
    "empty": (lambda X: X[:0], ValueError, "0 sample"),
    "zero features": (lambda X: X[:, :0], ValueError, "0 feature"),
    "1-D": (lambda X: X[:, 0], ValueError, "Expected 2D array, got 1D array"),
    "scalar": (lambda X: 3.0, ValueError, "Expected 2D array, got scalar"),
    "3-D": (lambda X: X[:, :, None], ValueError, "dim 3"),
    "strings": (lambda X: np.full(X.shape, "a"), ValueError, "could not convert string"),
    "object with None": (lambda X: np.where(np.eye(*X.shape, dtype=bool), None,
                                            X.astype(object)), ValueError, "NaN"),
    "ragged lists": (lambda X: [list(X[0]), list(X[1, :2])] + X[2:].tolist(),
                     ValueError, "inhomogeneous"),
    "complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "DataFrame with a string column": (
        lambda X: pd.DataFrame({"a": ["x"] * len(X), "b": X[:, 1], "c": X[:, 2]}),
        ValueError, "could not convert string"),
}


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("sparse", [sp.csr_matrix, sp.csc_array])
def test_sparse_X_fits_like_dense(Estimator, y, sparse):
    est = Estimator(**SMALL).fit(sparse(X), y)
    ref = Estimator(**SMALL).fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(est.predict(sparse(X)), ref.predict(X))


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("case", list(BAD_X))
def test_bad_X_raises_clear_error_in_fit(Estimator, y, case):
    spoil, error, match = BAD_X[case]
    Xb = spoil(X)
    yb = y[:0] if case == "empty" else y
    with pytest.raises(error, match=match):
        Estimator(**SMALL).fit(Xb, yb)


@pytest.mark.filterwarnings("ignore:X has feature names:UserWarning")  # the DataFrame case
@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("case", list(BAD_X))
def test_bad_X_raises_clear_error_in_predict(Estimator, y, case, fitted):
    spoil, error, match = BAD_X[case]
    est = fitted[Estimator]
    methods = ["predict"] + (["predict_proba", "decision_function", "predict_log_proba"]
                             if Estimator is LMWCClassifier else [])
    for method in methods:
        with pytest.raises(error, match=match):
            getattr(est, method)(spoil(X))


@pytest.fixture(scope="module")
def fitted():
    return {LMWCRegressor: LMWCRegressor(**SMALL).fit(X, Y_REG),
            LMWCClassifier: LMWCClassifier(**SMALL).fit(X, Y_CLF)}


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("value, match", [(np.nan, "Input y contains NaN"),
                                          (np.inf, "Input y contains infinity")])
def test_nan_or_inf_in_y_raises(Estimator, y, value, match):
    y = y.astype(float)
    y[5] = value
    with pytest.raises(ValueError, match=match):
        Estimator(**SMALL).fit(X, y)


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("y_bad, error, match", [
    (None, ValueError, "requires y to be passed"),
    (lambda y: y[:-1], ValueError, "inconsistent numbers of samples"),
    (lambda y: y + 1j, ValueError, "Complex data not supported"),
    (lambda y: np.repeat(y[:, None, None], 2, axis=2), ValueError, "dim 3"),
])
def test_bad_y_raises_clear_error(Estimator, y, y_bad, error, match):
    with pytest.raises(error, match=match):
        Estimator(**SMALL).fit(X, None if y_bad is None else y_bad(y))


def test_mismatched_lengths_raise():
    for Estimator, y in [(LMWCRegressor, Y_REG), (LMWCClassifier, Y_CLF)]:
        with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[39, 40\]"):
            Estimator(**SMALL).fit(X[:-1], y)


def test_regressor_rejects_string_targets():
    # scikit-learn's y_numeric converts object arrays only; strings used to fail deep
    # inside with "the resolved dtypes are not compatible with add.reduce"
    with pytest.raises(ValueError, match="numeric targets.*LMWCClassifier"):
        LMWCRegressor(**SMALL).fit(X, np.where(Y_CLF, "yes", "no"))


def test_classifier_rejects_continuous_targets():
    with pytest.raises(ValueError, match="Unknown label type"):
        LMWCClassifier(**SMALL).fit(X, Y_REG)


def test_single_sample():
    # the regressor fits it (elsewhere the network is what its random start made
    # it); the classifier needs two classes
    with no_runtime_warnings():
        reg = LMWCRegressor(**SMALL, alpha=0.0).fit(X[:1], [2.5])  # unregularised: exact
    np.testing.assert_allclose(reg.predict(X[:1]), 2.5, rtol=1e-9)
    assert_finite_model(reg, X)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LMWCClassifier(**SMALL).fit(X[:1], ["a"])


def test_two_samples_of_two_classes():
    with no_runtime_warnings():
        clf = LMWCClassifier(**SMALL).fit(X[:2], ["a", "b"])
    assert_finite_model(clf, X)
    np.testing.assert_array_equal(clf.predict(X[:2]), ["a", "b"])


@pytest.mark.parametrize("labels", [np.full(40, "only"), np.ones(40), np.zeros(40, int)])
def test_one_class_raises(labels):
    with pytest.raises(ValueError, match="at least 2 classes.*only one class"):
        LMWCClassifier(**SMALL).fit(X, labels)


@pytest.mark.parametrize("value", [0.0, -3.7, 1e12])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_constant_y_regressor_predicts_the_constant(value, n_outputs):
    y = np.full((40, n_outputs), value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither RuntimeWarning nor ConvergenceWarning
        # one trial: an exact fit (a committee would average in any member that
        # stopped short of it)
        reg = LMWCRegressor(hidden_layer_sizes=(3,), n_init=1, random_state=0).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == ((40,) if n_outputs == 1 else (40, n_outputs))
    np.testing.assert_allclose(pred, y.reshape(pred.shape), rtol=1e-9, atol=1e-12)
    assert_finite_model(reg, X)


def test_y_column_vector():
    reg_1d = LMWCRegressor(**SMALL).fit(X, Y_REG)
    reg_2d = LMWCRegressor(**SMALL).fit(X, Y_REG[:, None])
    assert reg_2d.predict(X).shape == (40,)
    np.testing.assert_array_equal(reg_2d.coefs_[0], reg_1d.coefs_[0])
    clf_1d = LMWCClassifier(**SMALL).fit(X, Y_CLF)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        clf_2d = LMWCClassifier(**SMALL).fit(X, Y_CLF[:, None])
    assert clf_2d.predict(X).shape == (40,)
    np.testing.assert_array_equal(clf_2d.coefs_[0], clf_1d.coefs_[0])


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("layout", ["float32", "int", "bool", "fortran", "strided", "list",
                                    "object", "nullable Float64 DataFrame"])
def test_dtypes_and_layouts_fit_like_float64(Estimator, y, layout):
    # every input is converted to C-contiguous float64 (float32 is kept, and computed
    # in float64): the same values give the very same weights
    base = {"float32": X.astype(np.float32), "int": np.round(4 * X).astype(np.int32),
            "bool": X > 0}.get(layout, X)
    converted = {
        "fortran": np.asfortranarray(base),
        "strided": np.repeat(base, 2, axis=1)[:, ::2],  # a non-contiguous view
        "list": base.tolist(),
        "object": base.astype(object),
        "nullable Float64 DataFrame": pd.DataFrame(base).astype("Float64"),
    }.get(layout, base)
    if layout == "strided":
        assert not converted.flags.c_contiguous and not converted.flags.f_contiguous
    est = Estimator(**SMALL).fit(converted, y)
    ref = Estimator(**SMALL).fit(np.asarray(base, dtype=np.float64), y)
    for a, b in zip(est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_array_equal(a, b.astype(a.dtype))
    if layout == "float32":  # predicted from the float32 weights: rounded
        np.testing.assert_allclose(est.predict(converted), ref.predict(base), rtol=1e-5,
                                   atol=1e-6)
    else:
        np.testing.assert_array_equal(est.predict(converted), ref.predict(base))
    assert_finite_model(est, np.asarray(base, dtype=float))


def test_integer_and_float32_targets():
    a = LMWCRegressor(**SMALL).fit(X, np.round(10 * Y_REG).astype(np.int64))
    b = LMWCRegressor(**SMALL).fit(X, np.round(10 * Y_REG))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = LMWCRegressor(**SMALL).fit(X, Y_REG.astype(np.float32))
    assert c.predict(X).dtype == np.float64


# ---- pandas ---------------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH)
def test_dataframe_feature_names(Estimator, y):
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    est = Estimator(**SMALL).fit(df, pd.Series(y, name="target"))
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b", "c"])
    assert est.n_features_in_ == 3
    ref = Estimator(**SMALL).fit(X, y)  # names do not change the fit
    np.testing.assert_array_equal(est.coefs_[0], ref.coefs_[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same names: no warning
        np.testing.assert_array_equal(est.predict(df), ref.predict(X))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        est.predict(X)
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(df.rename(columns={"a": "z"}))
    with pytest.raises(ValueError, match="same order"):
        est.predict(df[["b", "a", "c"]])
    with pytest.warns(UserWarning, match="X has feature names, but"):
        ref.predict(df)
    assert not hasattr(ref, "feature_names_in_")
    # non-string column names are not feature names
    assert not hasattr(Estimator(**SMALL).fit(pd.DataFrame(X), y), "feature_names_in_")


def test_dataframe_categorical_labels():
    labels = pd.Series(pd.Categorical(np.where(Y_CLF, "yes", "no")))
    clf = LMWCClassifier(**SMALL).fit(pd.DataFrame(X, columns=list("abc")), labels)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    assert set(clf.predict(pd.DataFrame(X, columns=list("abc")))) <= {"no", "yes"}


# ---- predict --------------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH)
def test_predict_with_another_number_of_features(Estimator, y, fitted):
    est = fitted[Estimator]
    for width in (2, 4):
        with pytest.raises(ValueError, match=f"X has {width} features, but {Estimator.__name__}"
                                             " is expecting 3 features"):
            est.predict(np.zeros((5, width)))


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_predict_before_fit(Estimator, y):
    est = Estimator()
    methods = ["predict", "score"] + (["predict_proba", "predict_log_proba",
                                       "decision_function"]
                                      if Estimator is LMWCClassifier else [])
    for method in methods:
        args = (X, y) if method == "score" else (X,)
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(est, method)(*args)


# ---- parameters -----------------------------------------------------------------------
# (parameter, wrong type, out-of-range value); out-of-range None where no range exists
BAD_PARAMS = [
    ("hidden_layer_sizes", None, (3, 0)),
    ("topology", 1, "ring"),
    ("activation", 1, "swish"),
    ("gain", "1", 0.0),
    ("solver", 1, "lbfgs"),
    ("compression", True, "none"),
    ("trigger", 1, "often"),
    ("beta", "a", -1e-4),
    ("interval", 1.5, 0),
    ("omega", "a", 0.0),
    ("rho", "a", 0.5),
    ("net_statistic", 1, "median"),
    ("mu", "a", 0.0),
    ("mu_factor", "a", 1.0),
    ("mu_min", "a", -1.0),
    ("mu_max", "a", 0.0),
    ("max_iter", 1.5, 0),
    ("goal", "a", -0.1),
    ("tol", "a", -1.0),
    ("alpha", "a", -1.0),
    ("init", 1, "zeros"),
    ("n_init", 1.5, 0),
    ("early_stopping", "yes", None),
    ("validation_fraction", "a", 1.0),
    ("n_iter_no_change", 1.5, 0),
    ("n_jobs", 1.5, 0),
    ("random_state", "a", -1),
    ("verbose", "a", -1),
    ("warm_start", "yes", None),
]
_CASES = [(name, value, kind) for name, wrong, bad in BAD_PARAMS
          for value, kind in ((wrong, "wrong type"), (bad, "out of range"))
          if not (kind == "out of range" and bad is None)]
# plus non-finite floats, which are out of range for every real parameter
_CASES += [(name, value, "non-finite") for name in
           ("gain", "beta", "omega", "rho", "mu", "mu_factor", "mu_min", "mu_max", "goal",
            "tol", "alpha", "validation_fraction") for value in (np.nan, np.inf)]


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("name, value, kind", _CASES,
                         ids=[f"{n}-{k}-{v!r}" for n, v, k in _CASES])
def test_bad_parameter_raises_in_fit_naming_it(Estimator, y, name, value, kind):
    est = Estimator(**{**SMALL, name: value})  # __init__ only stores
    assert est.get_params()[name] is value
    with pytest.raises((ValueError, TypeError), match=name):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


@pytest.mark.parametrize("params, match", [
    (dict(hidden_layer_sizes=(2.5,)), "hidden_layer_sizes"),
    (dict(hidden_layer_sizes="abc"), "hidden_layer_sizes"),
    (dict(hidden_layer_sizes=[[1, 2]]), "hidden_layer_sizes"),
    (dict(mu=1.0, mu_max=0.1), "mu must lie in"),
    (dict(mu_min=1.0, mu=0.1), "mu must lie in"),
    (dict(trigger="interval"), "interval"),
    (dict(early_stopping=True, validation_fraction=0.01), "validation"),
])
def test_inconsistent_parameters_raise_in_fit(params, match):
    for Estimator, y in [(LMWCRegressor, Y_REG), (LMWCClassifier, Y_CLF)]:
        with pytest.raises(ValueError, match=match):
            Estimator(**{**SMALL, **params}).fit(X, y)


@pytest.mark.parametrize("value", [1, "hinge", None])
def test_classifier_loss_parameter(value):
    with pytest.raises((ValueError, TypeError), match="loss"):
        LMWCClassifier(**SMALL, loss=value).fit(X, Y_CLF)
    with pytest.raises(ValueError, match="solver=\"scipy\".*log_loss"):
        LMWCClassifier(**SMALL, solver="scipy").fit(X, Y_CLF)


def test_empty_hidden_layer_sizes_is_a_linear_model():
    # as scikit-learn's MLP: no hidden layer at all, the outputs see the inputs
    reg = LMWCRegressor(hidden_layer_sizes=(), random_state=0).fit(X, 2 * X[:, 0] - X[:, 2])
    assert len(reg.coefs_) == 1 and reg.coefs_[0].shape == (3, 1)
    np.testing.assert_allclose(reg.predict(X), 2 * X[:, 0] - X[:, 2], atol=1e-6)


# ---- sample_weight --------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("spoil, match", [
    (lambda w: -w, "Negative values in data passed to `sample_weight`"),
    (lambda w: np.where(np.arange(40) == 7, np.nan, w), "Input sample_weight contains NaN"),
    (lambda w: np.where(np.arange(40) == 7, np.inf, w), "sample_weight contains infinity"),
    (lambda w: w[:-1], r"sample_weight.shape == \(39,\), expected \(40,\)"),
    (lambda w: w[:, None], "Sample weights must be 1D"),
    (lambda w: 0 * w, "Sample weights must contain at least one non-zero number"),
    (lambda w: np.full(40, "a"), "could not convert string"),
])
def test_bad_sample_weight_raises(Estimator, y, spoil, match):
    with pytest.raises(ValueError, match=match):
        Estimator(**SMALL).fit(X, y, sample_weight=spoil(np.ones(40)))


def test_early_stopping_needs_weight_on_both_sides():
    w = np.zeros(40)
    w[:2] = 1.0  # whichever way the split falls, one side may hold no weight
    for seed in range(5):
        try:
            LMWCRegressor(**{**SMALL, "random_state": seed}, early_stopping=True,
                          validation_fraction=0.2).fit(X, Y_REG, sample_weight=w)
        except ValueError as error:
            assert "positive sum" in str(error)
            return
    pytest.fail("no split put all the weight on one side")


# ==== numerical trouble =================================================================
@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("params", [dict(), dict(compression=None),
                                    dict(compression="restart"),
                                    dict(solver="scipy", loss="squared_error")],
                         ids=["adaptive", "plain", "restart", "scipy"])
@pytest.mark.parametrize("scale, offset", [(1e6, 0.0), (1e6, 1e6), (1e150, 0.0),
                                           (1e300, 0.0)])
def test_saturating_inputs(Estimator, y, params, scale, offset):
    # |x| >= 1e6 with weights from U[-1, 1]: every tanh saturated, its slope exactly 0
    if Estimator is LMWCRegressor:
        params = {k: v for k, v in params.items() if k != "loss"}
    est = Estimator(**SMALL, **params)
    with no_runtime_warnings():
        est.fit(X * scale + offset, y)
    assert_finite_model(est, X * scale + offset)


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_saturated_inputs_warn_when_goal_not_reached(Estimator, y):
    est = Estimator(hidden_layer_sizes=(3,), goal=1e-6, tol=None, max_iter=15,
                    random_state=0)
    with no_runtime_warnings(), pytest.warns(ConvergenceWarning, match="max_iter=15"):
        est.fit(X * 1e6, y)
    assert not est.converged_
    assert_finite_model(est, X * 1e6)


def test_adaptive_compression_acts_on_saturated_inputs():
    # from most starts compression gets the saturated network out of its flat spot
    improved = 0
    for seed in range(4):
        kw = {**SMALL, "max_iter": 30, "alpha": 0.0, "random_state": seed}
        plain = LMWCRegressor(**kw, compression=None).fit(X * 1e6, Y_REG)
        wc = LMWCRegressor(**kw).fit(X * 1e6, Y_REG)
        assert wc.n_compressions_ > 0 and plain.saturation_curve_[-1] == 1.0
        improved += wc.loss_ < 0.5 * plain.loss_
    assert improved >= 3


@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_overflowing_outputs(activation):
    # unbounded activations on |x| = 1e300: every output overflows at the start.
    # Compression brings the nets back to finite values (the stall trigger fires on an
    # inf loss that stays inf); plain LM cannot, and fit says so instead of returning
    # a model that predicts inf
    Xb = X * 1e300
    with no_runtime_warnings():
        wc = LMWCRegressor(**SMALL, activation=activation).fit(Xb, Y_REG)
    assert wc.n_compressions_ > 0
    assert_finite_model(wc, Xb)
    with no_runtime_warnings(), pytest.raises(ValueError, match="overflow.*Scale the inputs"):
        LMWCRegressor(**SMALL, activation=activation, compression=None).fit(Xb, Y_REG)


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_bridged_default_says_when_inputs_overflow(Estimator, y):
    # the default bmlp's outputs see the inputs: at 1e300 they overflow at the start;
    # fit either finds finite outputs (compression, the penalty) or says so
    est = Estimator(max_iter=10, random_state=0)
    with no_runtime_warnings():
        try:
            est.fit(X * 1e300, y)
        except ValueError as error:
            assert "overflow" in str(error) and "Scale the inputs" in str(error)
        else:
            assert_finite_model(est, X * 1e300)


def test_failed_refit_keeps_the_previous_model():
    reg = LMWCRegressor(**SMALL).fit(X, Y_REG)
    before = reg.predict(X)
    state = {k: v for k, v in vars(reg).items() if k.endswith("_")}
    with pytest.raises(ValueError, match="overflow"):
        reg.set_params(activation="relu", compression=None).fit(X * 1e300, 1e3 * Y_REG)
    with pytest.raises(ValueError, match="validation set is too small"):
        reg.set_params(activation="tanh", early_stopping=True).fit(X[:5], 1e3 * Y_REG[:5])
    with pytest.raises(ValueError, match="sample_weight"):
        reg.set_params(early_stopping=False).fit(np.ones((40, 5)), Y_REG,
                                                 sample_weight=-np.ones(40))
    assert {k: v for k, v in vars(reg).items() if k.endswith("_")}.keys() == state.keys()
    assert reg.n_features_in_ == 3
    np.testing.assert_array_equal(reg.predict(X), before)
    clf = LMWCClassifier(**SMALL).fit(X, Y_CLF)
    with pytest.raises(ValueError):  # 3 classes, a validation set of 1
        clf.set_params(early_stopping=True).fit(X[:6], list("abcabc"))
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    np.testing.assert_array_equal(clf.predict(X), LMWCClassifier(**SMALL).fit(X, Y_CLF)
                                  .predict(X))


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("columns", ["duplicated", "constant", "all constant"])
def test_singular_quasi_hessian(Estimator, y, columns):
    # duplicated or constant input columns make Q singular: the damping mu I carries LM
    Xb = {"duplicated": np.hstack([X, X, X[:, :1]]),
          "constant": np.hstack([X, np.ones((40, 1)), np.zeros((40, 1))]),
          "all constant": np.ones((40, 3))}[columns]
    est = Estimator(hidden_layer_sizes=(3,), max_iter=30, compression=None, random_state=0)
    with no_runtime_warnings():
        est.fit(Xb, y)
    assert_finite_model(est, Xb)
    if columns != "all constant":
        assert est.score(Xb, y) > 0.95


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("solver", ["lm", "scipy"])
def test_more_weights_than_residuals(Estimator, y, solver):
    # 5 samples, 101 weights: Q has rank <= 5
    kw = dict(loss="squared_error") if Estimator is LMWCClassifier else {}
    est = Estimator(hidden_layer_sizes=(20,), max_iter=30, random_state=0, solver=solver,
                    alpha=0.0, **kw)  # unregularised, so that it can interpolate
    Xs, ys = X[:5], (y[:5] if Estimator is LMWCRegressor else [0, 1, 0, 1, 1])
    with no_runtime_warnings(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(Xs, ys)
    if solver == "scipy":  # MINPACK needs more residuals than weights
        assert any('method="trf"' in str(w.message) for w in caught)
    assert_finite_model(est, X)
    assert est.score(Xs, ys) > 0.99  # interpolates


@pytest.fixture
def damping_spy(monkeypatch):
    """The damping of every step the built-in LM tries."""
    seen = []
    original = WeightSpaceSystem.solve

    def spy(self, mu):
        seen.append(mu)
        return original(self, mu)

    monkeypatch.setattr(WeightSpaceSystem, "solve", spy)
    return seen


def test_mu_reaching_mu_max(damping_spy):
    # saturated inputs, plain LM: no step decreases the error any more, mu climbs to
    # mu_max and the iterations keep the weights
    hit = False
    for seed in range(8):  # which seeds get there depends on rounding
        if hit:
            break
        damping_spy.clear()
        est = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", compression=None,
                            goal=1e-3, tol=None, max_iter=30, alpha=0.0,
                            random_state=seed)
        with no_runtime_warnings(), pytest.warns(ConvergenceWarning, match="max_iter=30"):
            est.fit(X * 1e6, Y_REG)
        assert_finite_model(est, X * 1e6)
        hit |= max(damping_spy) == est.mu_max
    assert hit
    # the default tol rule sees the stable point and stops early, without a
    # ConvergenceWarning; what is said is that the inputs need scaling
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.warns(UserWarning, match="100% of the hidden activations.*Scaler"):
            est = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", compression=None,
                                alpha=0.0, max_iter=100, random_state=1).fit(X * 1e6, Y_REG)
    assert est.n_iter_ < 100 and not est.converged_


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_saturation_warning_only_for_unscaled_inputs(Estimator, y):
    with pytest.warns(UserWarning, match=r"\d+% of the hidden activations are saturated"):
        Estimator(**SMALL).fit(X * 1e6, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=10: expected
        Estimator(**SMALL).fit(X, y)  # scaled inputs
        # saturated by large weights on scaled inputs: the inputs are not to blame
        Estimator(**SMALL, gain=1e6).fit(X, y)


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_small_mu_max_bounds_the_damping(Estimator, y, damping_spy):
    # saturated inputs: many steps fail, and mu stops at mu_max
    est = Estimator(hidden_layer_sizes=(2,), topology="fcc", mu_max=0.1, goal=1e-3,
                    tol=None, max_iter=20, alpha=0.0, random_state=0)
    with no_runtime_warnings(), pytest.warns(ConvergenceWarning, match="max_iter=20"):
        est.fit(X * 1e6, y)
    assert max(damping_spy) == 0.1
    assert damping_spy.count(0.1) > 20  # whole iterations at mu_max
    assert_finite_model(est, X * 1e6)


@pytest.mark.parametrize("transform", [
    lambda y: 1e12 * y, lambda y: y + 1e12, lambda y: 1e300 * y, lambda y: 1e-300 * y,
    lambda y: np.c_[1e12 * y, 1e-12 * y]],
    ids=["x1e12", "+1e12", "x1e300", "x1e-300", "two outputs 1e12 1e-12"])
def test_huge_and_tiny_targets(transform):
    # targets are standardised: the fit is the same at any scale (up to rounding)
    y = transform(Y_REG)
    with no_runtime_warnings():
        reg = LMWCRegressor(hidden_layer_sizes=(4,), max_iter=30, alpha=0.0,
                            random_state=0).fit(X, y)
        pred = reg.predict(X)
    assert_finite_model(reg, X)
    assert pred.shape == y.shape
    for j in range(1 if y.ndim == 1 else y.shape[1]):
        col = y if y.ndim == 1 else y[:, j]
        p = pred if y.ndim == 1 else pred[:, j]
        rmse = np.sqrt(np.mean(((p - col) / np.abs(col).max()) ** 2))
        assert rmse < 0.05


def test_huge_sample_weights():
    with no_runtime_warnings():
        reg = LMWCRegressor(**SMALL).fit(X, 1e300 * Y_REG, sample_weight=np.full(40, 1e300))
    assert_finite_model(reg, X)


# ==== state =============================================================================
@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("params", [dict(), dict(early_stopping=True),
                                    dict(solver="scipy", loss="squared_error"),
                                    dict(compression="restart", alpha=0.1)],
                         ids=["default", "early_stopping", "scipy", "restart+alpha"])
def test_fit_does_not_modify_its_inputs(Estimator, y, params):
    if Estimator is LMWCRegressor:
        params = {k: v for k, v in params.items() if k != "loss"}
    Xc, yc, wc = X.copy(), y.copy(), np.random.RandomState(1).uniform(0.5, 2.0, 40)
    inputs = (Xc, yc, wc)
    copies = [a.copy() for a in inputs]
    Estimator(**SMALL, **params).fit(Xc, yc, sample_weight=wc)
    for a, b in zip(inputs, copies):
        np.testing.assert_array_equal(a, b)
        assert a.flags.writeable
    for a in inputs:  # read-only inputs: any write into them would raise
        a.setflags(write=False)
    Estimator(**SMALL, **params).fit(Xc, yc, sample_weight=wc).predict(Xc)
    df = pd.DataFrame(X, columns=list("abc"))
    before = df.copy()
    Estimator(**SMALL, **params).fit(df, y)
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_pickle_round_trip(Estimator, y):
    df = pd.DataFrame(X, columns=list("abc"))
    est = Estimator(**SMALL).fit(df, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.feature_names_in_, est.feature_names_in_)
    for a, b in zip(outputs(again, df), outputs(est, df)):
        np.testing.assert_array_equal(a, b)
    # an unpickled model can go on training
    again.set_params(warm_start=True, max_iter=2).fit(df, y)
    assert_finite_model(again, df)


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("compression", ["adaptive", "restart", None])
def test_same_random_state_same_weights(Estimator, y, compression):
    kw = dict(hidden_layer_sizes=(3,), max_iter=25, compression=compression, beta=1e-2,
              random_state=7)
    a, b = Estimator(**kw).fit(X, y), Estimator(**kw).fit(X, y)
    for ca, cb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(ca, cb)
    assert a.loss_curve_ == b.loss_curve_
    c = Estimator(**{**kw, "random_state": 8}).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_same_random_state_same_weights_with_n_jobs():
    # (the regressor's twin is test_regressor.py::test_n_jobs_gives_identical_weights)
    kw = dict(hidden_layer_sizes=(3,), n_init=3, max_iter=15, random_state=0)
    a = LMWCClassifier(**kw).fit(X, Y_CLF)
    b = LMWCClassifier(n_jobs=2, **kw).fit(X, Y_CLF)
    for ca, cb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(ca, cb)


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_warm_start_continues_from_fitted_weights(Estimator, y):
    # a fixed penalty: the loss of one fit and of its continuation are comparable
    est = Estimator(hidden_layer_sizes=(3,), compression=None, tol=None, max_iter=2,
                    alpha=0.0, warm_start=True, random_state=0)
    losses = [est.fit(X, y).loss_ for _ in range(4)]
    assert all(b <= a for a, b in zip(losses, losses[1:]))  # LM never goes uphill
    assert losses[-1] < losses[0]
    # a model already at its goal is returned untouched: the fit starts where it stopped
    est.set_params(goal=est.loss_ * (1 + 1e-9) if Estimator is LMWCClassifier
                   else np.sqrt(est.loss_) * (1 + 1e-9))
    coefs = [c.copy() for c in est.coefs_]
    est.fit(X, y)
    assert est.n_iter_ == 0 and est.converged_
    for a, b in zip(est.coefs_, coefs):
        np.testing.assert_array_equal(a, b)
    # a fresh fit (warm_start=False) starts again from random weights
    cold = clone(est).set_params(warm_start=False, goal=0.0).fit(X, y)
    assert cold.n_iter_ == 2


@pytest.mark.parametrize("Estimator, y", BOTH)
def test_warm_start_with_other_features_raises(Estimator, y):
    est = Estimator(**SMALL, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features"):
        est.fit(X[:, :2], y)
    assert est.n_features_in_ == 3


def _interrupt_at_call(monkeypatch, k):
    """Make the k-th computation of the Gauss-Newton sums raise KeyboardInterrupt."""
    original = Objective.gauss_newton_sums
    calls = [0]

    def interrupted(self, w):
        calls[0] += 1
        if calls[0] == k:
            raise KeyboardInterrupt
        return original(self, w)

    monkeypatch.setattr(Objective, "gauss_newton_sums", interrupted)


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("k", [1, 5])
def test_keyboard_interrupt_keeps_the_best_weights(Estimator, y, k, monkeypatch):
    # plain LM: the weights of the last completed iteration are the best
    _interrupt_at_call(monkeypatch, k)
    est = Estimator(hidden_layer_sizes=(3,), compression=None, tol=None, max_iter=50,
                    n_init=1, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        est.fit(X, y)
    check_is_fitted(est)
    assert est.n_iter_ == k - 1
    assert len(est.loss_curve_) == k - 1
    if k > 1:
        assert est.loss_ == min(est.loss_curve_) == est.loss_curve_[-1]
    assert_finite_model(est, X)
    monkeypatch.undo()
    # the same weights as a fit stopped there on purpose
    ref = clone(est).set_params(max_iter=max(k - 1, 1)).fit(X, y)
    if k > 1:
        np.testing.assert_array_equal(est.coefs_[0], ref.coefs_[0])


def test_keyboard_interrupt_with_compression_returns_the_best_seen(monkeypatch):
    _interrupt_at_call(monkeypatch, 12)
    est = LMWCRegressor(hidden_layer_sizes=(3,), n_init=1, trigger="interval", interval=3,
                        tol=None, max_iter=50, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        est.fit(X, Y_REG)
    assert est.n_iter_ == 11 and est.n_compressions_ == 3
    assert est.loss_ <= est.loss_curve_[-1]
    assert_finite_model(est, X)


@pytest.mark.parametrize("Estimator, y", BOTH)
@pytest.mark.parametrize("activation", ["tanh", "identity", "relu"])
def test_predict_on_inputs_near_the_float_limit(Estimator, y, activation):
    # outputs that overflow to +-inf are answered with their limit (regressor: +-inf,
    # classifier: the limiting probabilities); a net that becomes inf - inf = NaN
    # cannot be answered and raises, naming the problem
    est = Estimator(**SMALL, activation=activation).fit(X, y)
    for value in (1e308, -1e308):
        Xb = np.full((2, 3), value)
        with no_runtime_warnings():
            try:
                answers = outputs(est, Xb)
            except ValueError as error:
                assert "too large for the fitted network" in str(error)
                continue
        for answer in answers:
            assert not np.any(np.isnan(answer))
        if Estimator is LMWCClassifier:
            np.testing.assert_allclose(answers[0].sum(axis=1), 1.0)


def test_pm1_probabilities_of_extreme_outputs():
    # loss="squared_error" probabilities stay finite, normalised and argmax-consistent
    # for outputs of any magnitude (the row sum used to overflow, and (z + 1) - shift
    # to lose the 1 of the top class when every output was ~ -1e300)
    from sklearn_lmwc._classifier import _pm1_proba

    Z = np.array([[1e308, 1e308, -1e308], [-1e300, -1e300, -1e300], [-1e300, -1e299, -1e300],
                  [1.5e308, 1e308, 1.0], [-1e308, -1e308, 1e-300]])
    with no_runtime_warnings():
        P = _pm1_proba(Z, False)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(P.argmax(axis=1), Z.argmax(axis=1))


# ==== issue 18: the evidence, weight groups and committees at the edges =================
# alpha="bayes" with weight_groups "single", "layers" and "ard", committees of 1 and 2
# (of n_init=2 trials): sample weights, several outputs, warm start, Dask, float32 and
# sparse X, constant targets and features, one feature, untouched inputs, determinism.
# Every fit gives finite weights (every committee member's), alpha_,
# n_effective_params_ and log_evidence_, or a clear error; never NaN.
GROUPS = ["single", "layers", "ard"]
COMMITTEES = [pytest.param(1, id="alone"), pytest.param(2, id="committee")]
# the names of alpha_ of a bridged (3,) network on 3 features (it has no "hidden" group)
GROUP_NAMES = {"single": None, "layers": ("input", "output", "bias"),
               "ard": ("input 0", "input 1", "input 2", "output", "bias")}


def _bayes_data(n, seed=1):
    """A smooth regression problem on 3 features in [-1, 1] (and the generator, for
    more draws)."""
    rng = np.random.RandomState(seed)
    Xb = rng.uniform(-1, 1, (n, 3))
    yb = np.sin(2 * Xb[:, 0]) + np.cos(2 * Xb[:, 1]) * Xb[:, 2] + 0.1 * rng.randn(n)
    return Xb, yb, rng


XB, YB, _ = _bayes_data(80)
YB_CLF = (YB > np.median(YB)).astype(int)
BOTH_B = [pytest.param(LMWCRegressor, YB, id="regressor"),
          pytest.param(LMWCClassifier, YB_CLF, id="classifier")]


def bayes(weight_groups="single", committee_size=1, **params):
    """A small Bayesian estimator's parameters: two trials, a committee of 1 or 2;
    ``params`` add to them or override them."""
    return {**dict(hidden_layer_sizes=(3,), max_iter=30, alpha="bayes", n_init=2,
                   committee_size=committee_size, weight_groups=weight_groups,
                   random_state=1), **params}


def predictions(est, X):
    """What the estimator predicts in numbers: the regressor's values, the
    classifier's probabilities."""
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


def assert_finite_bayes(est, X, weight_groups):
    """Finite weights of every member, finite alpha_, n_effective_params_ and
    log_evidence_ of the groups' shapes, finite predictions, without RuntimeWarning."""
    for coefs, intercepts in zip(est.committee_coefs_, est.committee_intercepts_):
        for array in coefs + intercepts:
            assert np.all(np.isfinite(array))
    names = GROUP_NAMES[weight_groups] if X.shape[1] == 3 else est.alpha_groups_
    assert est.alpha_groups_ == names
    shape = () if weight_groups == "single" else (len(est.alpha_groups_),)
    assert np.shape(est.alpha_) == shape and np.shape(est.n_effective_params_) == shape
    assert np.all(np.isfinite(est.alpha_)) and np.all(np.asarray(est.alpha_) > 0)
    assert np.all(np.isfinite(est.n_effective_params_))
    assert np.all(np.asarray(est.n_effective_params_) >= 0)
    assert isinstance(est.log_evidence_, float) and np.isfinite(est.log_evidence_)
    assert np.all(np.isfinite(est.init_results_["log_evidence"]))
    if weight_groups == "ard":
        assert est.input_relevance_.shape == (X.shape[1],)
        assert np.all(np.isfinite(est.input_relevance_))
    else:
        assert est.input_relevance_ is None
    with no_runtime_warnings():
        assert np.all(np.isfinite(predictions(est, X)))


# ---- sample weights: an integer weight is that many copies of the row ----------------------
def _weighted_and_repeated(seed=1, n=60):
    Xw, yw, rng = _bayes_data(n, seed)
    sw = rng.randint(1, 4, n)
    return Xw, yw, sw, np.repeat(Xw, sw, axis=0), np.repeat(yw, sw)


@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
@pytest.mark.parametrize("Estimator", [LMWCRegressor, LMWCClassifier])
def test_integer_sample_weights_are_repeated_rows(Estimator, weight_groups, committee_size):
    # no compression and no tol rule, a fixed number of iterations: both fits take the
    # same path, so that the evidence's quantities agree up to rounding. (This data and
    # seed give well-conditioned posteriors, no pruned hidden unit: for a pruned one
    # see test_log_evidence_of_pruned_units_is_not_rounding_noise.)
    Xw, yw, sw, Xr, yr = _weighted_and_repeated()
    if Estimator is LMWCClassifier:
        yw, yr = (yw > np.median(yw)).astype(int), (yr > np.median(yw)).astype(int)
    kw = bayes(weight_groups, committee_size, compression=None, tol=None, max_iter=20)
    with no_runtime_warnings():
        weighted = Estimator(**kw).fit(Xw, yw, sample_weight=sw)
        repeated = Estimator(**kw).fit(Xr, yr)
    assert_finite_bayes(weighted, Xw, weight_groups)
    assert weighted.n_iter_ == repeated.n_iter_ == 20
    assert weighted.log_evidence_ == pytest.approx(repeated.log_evidence_, rel=1e-6)
    np.testing.assert_allclose(weighted.init_results_["log_evidence"],
                               repeated.init_results_["log_evidence"], rtol=1e-6)
    np.testing.assert_allclose(weighted.alpha_, repeated.alpha_, rtol=1e-6)
    np.testing.assert_allclose(weighted.n_effective_params_, repeated.n_effective_params_,
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(predictions(weighted, Xw), predictions(repeated, Xw),
                               rtol=1e-6, atol=1e-9)


# A Bayesian fit often prunes hidden units: their incoming and outgoing weights go to ~0
# (here 2 of 3). The bias of such a unit is unpenalised with "single" and the data no
# longer see it, so the posterior precision Q + D is singular up to rounding
# (eigenvalues ~1e-16 of the largest, of either sign). Its log determinant, and with it
# log_evidence_, is then rounding noise: the same weights (to 1e-10) give evidences
# 80 apart for weighted and repeated rows, or for the rows in another order.
def _pruned_fits():
    """The same fit three ways: weighted rows, repeated rows, permuted rows."""
    Xw, yw, sw, Xr, yr = _weighted_and_repeated(seed=0)
    kw = dict(hidden_layer_sizes=(3,), compression=None, tol=None, max_iter=20,
              alpha="bayes", n_init=1, committee_size=1, random_state=0)
    perm = np.random.RandomState(4).permutation(len(yw))
    return [LMWCRegressor(**kw).fit(Xw, yw, sample_weight=sw), LMWCRegressor(**kw).fit(Xr, yr),
            LMWCRegressor(**kw).fit(Xw[perm], yw[perm], sample_weight=sw[perm])], Xw


def test_pruned_units_same_fit_whatever_the_rows_order_or_weighting():
    fits, Xw = _pruned_fits()
    first = fits[0]
    # the precondition of the evidence test below: two of the three hidden units are pruned
    assert np.sum(np.abs(first.coefs_[1][3:, 0]) < 1e-9) == 2
    for other in fits[1:]:
        for a, b in zip(first.coefs_ + first.intercepts_, other.coefs_ + other.intercepts_):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-8)
        assert other.alpha_ == pytest.approx(first.alpha_, rel=1e-6)
        np.testing.assert_allclose(other.predict(Xw), first.predict(Xw), rtol=1e-8)
        assert np.isfinite(other.log_evidence_)


def test_log_evidence_of_pruned_units_is_not_rounding_noise():
    fits, _ = _pruned_fits()
    evidences = [est.log_evidence_ for est in fits]
    np.testing.assert_allclose(evidences, evidences[0], rtol=1e-6)


# ---- several outputs ----------------------------------------------------------------------
def _several_outputs():
    rng = np.random.RandomState(5)
    Y2 = np.column_stack([YB, XB[:, 0] * XB[:, 1] + 0.1 * rng.randn(len(YB))])
    multiclass = np.digitize(YB, np.quantile(YB, [1 / 3, 2 / 3]))
    multilabel = np.column_stack([YB > 0, XB[:, 1] > 0]).astype(int)
    return [(LMWCRegressor, Y2, 2), (LMWCClassifier, multiclass, 3),
            (LMWCClassifier, multilabel, 2)]


@pytest.mark.parametrize("case", [0, 1, 2], ids=["regressor-2", "multiclass", "multilabel"])
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_several_outputs(case, weight_groups, committee_size):
    Estimator, y, n_outputs = _several_outputs()[case]
    with no_runtime_warnings():
        est = Estimator(**bayes(weight_groups, committee_size)).fit(XB, y)
    assert est.n_outputs_ == n_outputs
    assert len(est.committee_coefs_) == committee_size
    assert_finite_bayes(est, XB, weight_groups)
    assert predictions(est, XB).shape[1] == (3 if case == 1 else 2)


# ---- warm start -----------------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_warm_start_keeps_the_groups(Estimator, y, weight_groups, committee_size):
    est = Estimator(**bayes(weight_groups, committee_size, warm_start=True)).fit(XB, y)
    shape = np.shape(est.alpha_)
    with no_runtime_warnings():
        est.fit(XB, y)
    assert np.shape(est.alpha_) == shape
    assert_finite_bayes(est, XB, weight_groups)
    # a warm start continues the best trial alone (committee_size's documentation)
    assert len(est.init_results_["log_evidence"]) == 1
    assert len(est.committee_coefs_) == 1


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("first, second", [(a, b) for a in GROUPS for b in GROUPS if a != b])
def test_warm_start_with_other_weight_groups(Estimator, y, first, second):
    # the weights go on; alpha starts afresh, one per group of the new kind
    est = Estimator(**bayes(first, warm_start=True)).fit(XB, y)
    with no_runtime_warnings():
        est.set_params(weight_groups=second).fit(XB, y)
    assert_finite_bayes(est, XB, second)


def test_warm_start_with_other_weight_groups_estimates_their_alphas():
    Xw, yw, _ = _bayes_data(80)
    est = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=20, alpha="bayes", n_init=1,
                        committee_size=1, weight_groups="layers", random_state=0,
                        warm_start=True).fit(Xw, yw)
    before = [c.copy() for c in est.coefs_]
    est.set_params(weight_groups="ard").fit(Xw, yw)
    assert est.n_iter_ > 0
    assert not np.all(est.alpha_ == 1e-3)  # re-estimated, not the untouched start
    assert not all(np.array_equal(a, b) for a, b in zip(before, est.coefs_))


# ---- Dask -----------------------------------------------------------------------------------
def test_dask_ard_committee():
    da = pytest.importorskip("dask.array")
    from sklearn_lmwc.dask import DaskLMWCRegressor

    Xd, yd, _ = _bayes_data(120)
    est = DaskLMWCRegressor(**bayes("ard", 2, max_iter=20), client="synchronous").fit(
        da.from_array(Xd, chunks=(50, -1)), da.from_array(yd, chunks=50))
    assert_finite_bayes(est, Xd, "ard")
    assert len(est.committee_coefs_) == 2
    prediction = est.predict(da.from_array(Xd, chunks=(50, -1))).compute()
    np.testing.assert_allclose(prediction, est.to_local().predict(Xd), rtol=1e-8, atol=1e-12)
    # the in-memory fit of the same data and seed: the same up to rounding (ARD
    # penalises the biases too, so the posterior is well conditioned)
    memory = LMWCRegressor(**bayes("ard", 2, max_iter=20)).fit(Xd, yd)
    assert est.log_evidence_ == pytest.approx(memory.log_evidence_, rel=1e-6)


# ---- float32 and sparse X -------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_float32_input(Estimator, y, weight_groups, committee_size):
    X32 = XB.astype(np.float32)
    with no_runtime_warnings():
        est = Estimator(**bayes(weight_groups, committee_size)).fit(X32, y)
    assert_finite_bayes(est, X32, weight_groups)
    assert predictions(est, X32).dtype == np.float32
    for coefs in est.committee_coefs_:
        assert all(W.dtype == np.float32 for W in coefs)


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_sparse_input_same_evidence_as_dense(Estimator, y, weight_groups, committee_size):
    Xz = XB.copy()
    Xz[np.abs(Xz) < 0.3] = 0.0  # about 30% zeros
    kw = bayes(weight_groups, committee_size)
    with no_runtime_warnings():
        dense = Estimator(**kw).fit(Xz, y)
        sparse = Estimator(**kw).fit(sp.csr_matrix(Xz), y)
    assert_finite_bayes(sparse, Xz, weight_groups)
    assert sparse.log_evidence_ == pytest.approx(dense.log_evidence_, rel=1e-8)
    np.testing.assert_allclose(sparse.alpha_, dense.alpha_, rtol=1e-8)
    np.testing.assert_allclose(predictions(sparse, sp.csr_matrix(Xz)), predictions(dense, Xz),
                               rtol=1e-8, atol=1e-12)


# ---- constant targets: nothing to learn -----------------------------------------------------
@pytest.mark.parametrize("topology", ["mlp", "bmlp"])
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_constant_targets(topology, weight_groups, committee_size):
    # The standardised targets are all 0 and the fit is nearly exact (loss_ from 1e-9
    # down to 1e-34): the noise variance estimate SSE / (n - gamma) is tiny, beta huge,
    # so alpha = a / b falls to ~1e-3 or to its lower bound 1e-6, and log_evidence_ is
    # finite, a large number (the Gaussian normaliser 0.5 n log beta): not None. (A loss
    # of exactly 0 is another matter: test_constant_target_fitted_exactly.)
    with no_runtime_warnings():
        est = LMWCRegressor(**bayes(weight_groups, committee_size, topology=topology,
                                    random_state=0)).fit(XB, np.full(len(XB), 3.5))
    assert_finite_bayes(est, XB, weight_groups)
    np.testing.assert_allclose(est.predict(XB), 3.5, rtol=0, atol=1e-2)
    # gamma -> 0 holds for an MLP only: a bridged network's direct input -> output
    # weights are pinned by data of (near) zero noise, and gamma counts them (about
    # n_features with "single"), as MacKay's gamma = sum lambda / (lambda + alpha) does
    # when beta -> infinity
    if topology == "mlp":
        # nothing determined but the output bias, which groups penalise (in the
        # "bias" group: at most one parameter)
        gamma = np.atleast_1d(est.n_effective_params_)
        names = est.alpha_groups_ or ("all",)
        for name, g in zip(names, gamma):
            assert g <= (1.0 + 1e-9 if name == "bias" else 1e-3), name


def test_constant_target_fitted_exactly():
    est = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=30, alpha="bayes", n_init=1,
                        committee_size=1, weight_groups="layers", random_state=0)
    est.fit(XB[:, :1], np.full(len(XB), 2.0))
    assert est.log_evidence_ is None or np.isfinite(est.log_evidence_)


# ---- constant and single features under ARD -------------------------------------------------
def _with_a_constant_feature():
    from sklearn.preprocessing import StandardScaler

    Xk = XB.copy()
    Xk[:, 1] = 7.0
    Xk = StandardScaler().fit_transform(Xk)
    assert not Xk[:, 1].any()  # all zeros after scaling
    return Xk


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_constant_feature_under_ard(Estimator, y, committee_size):
    Xk = _with_a_constant_feature()
    with no_runtime_warnings():
        est = Estimator(**bayes("ard", committee_size, random_state=0)).fit(Xk, y)
    assert_finite_bayes(est, Xk, "ard")
    # the data say nothing of the zero feature's weights
    assert est.alpha_groups_[1] == "input 1"
    assert est.n_effective_params_[1] < 1e-6


def test_constant_feature_is_the_least_relevant():
    est = LMWCRegressor(**bayes("ard", random_state=0)).fit(_with_a_constant_feature(), YB)
    assert est.input_relevance_[1] < est.input_relevance_[[0, 2]].min()


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_one_feature_under_ard(Estimator, y, committee_size):
    with no_runtime_warnings():
        est = Estimator(**bayes("ard", committee_size)).fit(XB[:, :1], y)
    assert est.input_relevance_.shape == (1,)
    assert est.alpha_groups_ == ("input 0", "output", "bias")
    assert_finite_bayes(est, XB[:, :1], "ard")


# ---- inputs untouched, results reproducible -----------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
@pytest.mark.parametrize("kind", ["float64", "float32", "sparse"])
def test_bayes_fit_does_not_modify_its_inputs(Estimator, y, weight_groups, committee_size,
                                              kind):
    Xc = {"float64": XB.copy(), "float32": XB.astype(np.float32),
          "sparse": sp.csr_matrix(np.where(np.abs(XB) < 0.3, 0.0, XB))}[kind]
    yc, wc = y.copy(), np.random.RandomState(2).randint(1, 4, len(y)).astype(float)
    arrays = [Xc.data, Xc.indices, Xc.indptr] if kind == "sparse" else [Xc]
    arrays += [yc, wc]
    copies = [a.copy() for a in arrays]
    for a in arrays:  # read-only: any write into them would raise
        a.setflags(write=False)
    Estimator(**bayes(weight_groups, committee_size)).fit(Xc, yc, sample_weight=wc)
    for a, b in zip(arrays, copies):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_same_random_state_same_evidence(Estimator, y, weight_groups, committee_size):
    a, b = (Estimator(**bayes(weight_groups, committee_size)).fit(XB, y) for _ in range(2))
    assert a.log_evidence_ == b.log_evidence_
    np.testing.assert_array_equal(a.init_results_["log_evidence"],
                                  b.init_results_["log_evidence"])
    np.testing.assert_array_equal(a.alpha_, b.alpha_)
    np.testing.assert_array_equal(a.n_effective_params_, b.n_effective_params_)
    assert len(a.committee_coefs_) == len(b.committee_coefs_) == committee_size
    for ma, mb in zip(a.committee_coefs_ + a.committee_intercepts_,
                      b.committee_coefs_ + b.committee_intercepts_):
        for ca, cb in zip(ma, mb):
            np.testing.assert_array_equal(ca, cb)
    np.testing.assert_array_equal(predictions(a, XB), predictions(b, XB))
