"""Hostile input: every input (X, y, sample_weight, pandas data, parameters, predict
before fit or with other features) gets either a correct fit or a clear error that
names the problem.

Decisions recorded here:
- sparse X is accepted as scikit-learn's MLP accepts it, densified a chunk of rows
  at a time (the LM engine works on dense Jacobians); float32 X keeps float32
  weights and outputs.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

from conftest import BOTH, SMALL, Y_CLF, Y_REG, X, assert_finite_model, no_runtime_warnings

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # unscaled inputs on purpose; test_numerical_trouble.py's
    # test_saturation_warning_only_for_unscaled_inputs asserts the warning
    pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]


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
