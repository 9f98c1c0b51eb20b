"""Property-based tests (hypothesis) over random shapes, values (1e-300 to 1e300, offsets,
duplicated and constant columns, float32/int/non-contiguous layouts), targets, sample
weights and parameter combinations (one wrong-typed or out-of-range parameter in
eight examples):

- fit either succeeds, with finite weights, a finite loss, finite predictions on the
  training inputs and no numpy RuntimeWarning, or raises a ValueError or TypeError
  (scikit-learn's InvalidParameterError is both) and leaves no fitted attribute;
- a fitted model answers other inputs without NaN, or raises a ValueError naming the
  problem;
- a refit that raises leaves the previously fitted model unchanged.

Examples per property: 25 by default, 500 with ``--hypothesis-profile=thorough``
(profiles in conftest.py). Networks are small and ``max_iter`` <= 8 so that an
example takes milliseconds.
"""

import copy
import warnings

import numpy as np
import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

pytestmark = pytest.mark.usefixtures("one_blas_thread")  # see conftest.py


# ---- data -----------------------------------------------------------------------------
# magnitudes from tiny to near the float range: every tanh saturated at the top end
SCALES = [1e-300, 1e-6, 1.0, 1e3, 1e6, 1e12, 1e150, 1e300]
UNIT = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)


@st.composite
def features(draw):
    n = draw(st.integers(1, 25))
    d = draw(st.integers(1, 4))
    X = draw(arrays(np.float64, (n, d), elements=UNIT)) * draw(st.sampled_from(SCALES))
    X = X + draw(st.sampled_from([0.0, 0.0, 1.0, -1e6]))  # offsets: inputs not centred
    layout = draw(st.sampled_from(["plain", "duplicate", "constant", "fortran", "strided",
                                   "float32", "int"]))
    if layout == "duplicate":  # singular Q
        X = np.hstack([X, X[:, :1]])
    elif layout == "constant":
        X = np.hstack([X, np.full((n, 1), draw(st.sampled_from([0.0, 1.0, 1e6])))])
    elif layout == "fortran":
        X = np.asfortranarray(X)
    elif layout == "strided":  # a non-contiguous view
        X = np.repeat(X, 2, axis=1)[:, ::2]
    elif layout == "float32":
        with np.errstate(over="ignore"):  # inf past 3.4e38: must then be rejected
            X = X.astype(np.float32)
    elif layout == "int":
        X = np.clip(X, -1e9, 1e9).astype(np.int64)
    return X


@st.composite
def sample_weights(draw, n):
    if draw(st.booleans()):
        return None
    w = draw(arrays(np.float64, n, elements=st.floats(0.0, 10.0)) | arrays(
        np.float64, n, elements=st.sampled_from([0.0, 1e-300, 1.0, 1e6])))
    if draw(st.sampled_from([True] * 5 + [False])):  # mostly some positive weight
        w[0] = max(w[0], 1.0)
    return w


@st.composite
def regression_data(draw):
    X = draw(features())
    n = X.shape[0]
    n_out = draw(st.sampled_from([None, 1, 2]))  # None: 1-D y
    shape = (n,) if n_out is None else (n, n_out)
    kind = draw(st.sampled_from(["random", "random", "constant"]))
    if kind == "constant":
        y = np.full(shape, draw(st.sampled_from([0.0, 3.7, -1e12])))
    else:
        y = draw(arrays(np.float64, shape, elements=UNIT)) * draw(st.sampled_from(SCALES))
        y = y + draw(st.sampled_from([0.0, 1e12]))
    return X, y, draw(sample_weights(n))


@st.composite
def classification_data(draw):
    X = draw(features())
    n = X.shape[0]
    kind = draw(st.sampled_from(["binary", "multiclass", "strings", "multilabel", "one"]))
    if kind == "multilabel":
        y = draw(arrays(np.int64, (n, draw(st.integers(1, 3))), elements=st.integers(0, 1)))
    else:
        k = {"binary": 2, "multiclass": 4, "strings": 3, "one": 1}[kind]
        y = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
        y[:k] = np.arange(k)[:n]  # every class present when there are samples enough
        if kind == "strings":
            y = np.array(["cat", "dog", "emu"])[y]
    return X, y, draw(sample_weights(n))


# ---- parameters -----------------------------------------------------------------------
VALID = {
    "hidden_layer_sizes": st.lists(st.integers(1, 4), max_size=3).map(tuple),
    "topology": st.sampled_from(["mlp", "bmlp", "fcc"]),
    "activation": st.sampled_from(["tanh", "logistic", "identity", "relu"]),
    "gain": st.floats(0.01, 10.0),
    "solver": st.sampled_from(["lm", "lm", "scipy"]),
    "compression": st.sampled_from(["adaptive", "restart", None]),
    "trigger": st.sampled_from(["stall", "interval"]),
    "beta": st.sampled_from([0.0, 1e-4, 1e-2, 1.0]),
    "interval": st.none() | st.integers(1, 4),
    "omega": st.floats(1e-3, 10.0),
    "rho": st.floats(1.0, 3.0),
    "net_statistic": st.sampled_from(["mean", "authors"]),
    "mu": st.sampled_from([1e-8, 1e-3, 1.0, 1e3]),
    "mu_factor": st.sampled_from([1.5, 10.0, 1e3]),
    "mu_min": st.sampled_from([0.0, 1e-15, 1e-3]),
    "mu_max": st.sampled_from([1e-3, 1e3, 1e15, 1e300]),
    "goal": st.sampled_from([0.0, 1e-3, 0.1, 1.0]),
    "tol": st.none() | st.sampled_from([0.0, 1e-4, 1.0]),
    "alpha": st.sampled_from([0.0, 1e-3, 1.0, 1e6]),
    "init": st.sampled_from(["uniform", "nguyen-widrow", "glorot", "he", "lecun"]),
    "n_init": st.integers(1, 2),
    "early_stopping": st.booleans(),
    "validation_fraction": st.sampled_from([0.1, 0.3, 0.5]),
    "n_iter_no_change": st.integers(1, 3),
    "warm_start": st.booleans(),
}
# wrong types and out-of-range values, one per example at most
INVALID = st.sampled_from([-1, 0, 0.5, 1.5, -np.inf, np.nan, "bogus", None, [], (0,),
                           (2, -1), True, object()])


@st.composite
def parameters(draw, classifier):
    params = draw(st.fixed_dictionaries({}, optional=VALID))
    params["max_iter"] = draw(st.integers(1, 8))
    params["random_state"] = draw(st.integers(0, 2**32 - 1))
    if classifier:
        params["loss"] = draw(st.sampled_from(["log_loss", "squared_error"]))
    if params.get("trigger") == "interval" and params.get("interval") is None:
        params["interval"] = draw(st.none() | st.integers(1, 4))  # mostly given
    if draw(st.sampled_from([False] * 7 + [True])):  # simplest: all valid
        names = sorted(VALID) + ["max_iter", "random_state"] + (["loss"] if classifier else [])
        params[draw(st.sampled_from(names))] = draw(INVALID)
    return params


# ---- the property ---------------------------------------------------------------------
ALLOWED = (ValueError, TypeError)


def _fit_or_clear_error(est, X, y, sample_weight):
    """Fit; return False on an allowed error, after checking no model was left behind."""
    note(f"X: shape {X.shape}, dtype {X.dtype}, max |x| "
         f"{np.max(np.abs(X.astype(float))) if X.size else None}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y, sample_weight=sample_weight)
        except ALLOWED as error:
            # (scikit-learn's own finiteness check warns "invalid value encountered in
            # reduce" on X holding both +inf and -inf before its ValueError: not ours)
            note(f"{type(error).__name__}: {error}")
            event(f"fit raised {type(error).__name__}")
            assert str(error), "an error must say what is wrong"
            with pytest.raises(NotFittedError):  # not even n_features_in_ is left behind
                check_is_fitted(est)
            return False
    leaked = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not leaked, leaked  # no numpy overflow / invalid value may reach the user
    event("fitted")
    return True


def _assert_finite_model(est, X):
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))
    assert np.isfinite(est.loss_)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        outputs = [est.predict(X)]
        if hasattr(est, "predict_proba"):
            outputs += [est.predict_proba(X), est.decision_function(X)]
    return outputs


@given(data=regression_data(), params=parameters(classifier=False))
def test_regressor_fits_finite_or_raises_clear_error(data, params):
    X, y, sample_weight = data
    est = LMWCRegressor(**params)
    if _fit_or_clear_error(est, X, y, sample_weight):
        (pred,) = _assert_finite_model(est, X)
        assert pred.shape == (y.shape if y.ndim == 2 and y.shape[1] > 1 else y.shape[:1])
        assert np.all(np.isfinite(pred))


@given(data=classification_data(), params=parameters(classifier=True))
def test_classifier_fits_finite_or_raises_clear_error(data, params):
    X, y, sample_weight = data
    est = LMWCClassifier(**params)
    if _fit_or_clear_error(est, X, y, sample_weight):
        pred, proba, scores = _assert_finite_model(est, X)
        assert np.all(np.isfinite(proba)) and np.all(np.isfinite(scores))
        assert np.all((proba >= 0) & (proba <= 1))
        multilabel = y.ndim == 2 and y.shape[1] > 1  # a single column is 1-D labels
        assert pred.shape == (y.shape if multilabel else y.shape[:1])
        assert set(np.unique(pred)) <= ({0, 1} if multilabel else set(est.classes_))


OTHER_X = ["double", "huge", "-huge", "nan", "empty", "wider"]


@given(reg_data=regression_data(), clf_data=classification_data(),
       reg_params=parameters(classifier=False), clf_params=parameters(classifier=True),
       other=st.sampled_from(OTHER_X))
def test_predict_on_other_data_answers_or_raises_clear_error(reg_data, clf_data, reg_params,
                                                             clf_params, other):
    # once fitted, predict answers any input of the fitted width without NaN (+-inf is
    # allowed from a regressor: far extrapolation), or raises a ValueError: NaN, wrong
    # width, empty, or inputs so large (|x| ~ 1e308) that the outputs overflow to NaN
    for Estimator, (X, y, sample_weight), params in (
            (LMWCRegressor, reg_data, reg_params), (LMWCClassifier, clf_data, clf_params)):
        est = Estimator(**params)
        if not _fit_or_clear_error(est, X, y, sample_weight):
            continue
        d = X.shape[1]
        X_new = {"double": X[:1] * 2, "huge": np.full((2, d), 1e308),
                 "-huge": np.full((2, d), -1e308), "nan": np.full((2, d), np.nan),
                 "empty": np.zeros((0, d)), "wider": np.zeros((2, d + 1))}[other]
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                pred = est.predict(X_new)
                proba = est.predict_proba(X_new) if Estimator is LMWCClassifier else None
            except ValueError as error:
                assert other not in ("double", "huge", "-huge") or "too large" in str(error)
                continue
        assert other in ("double", "huge", "-huge")
        if proba is None:
            assert not np.any(np.isnan(pred))
        else:
            assert np.all((proba >= 0) & (proba <= 1))
            assert set(np.unique(pred)) <= set(est.classes_) | {0, 1}


_X0 = np.random.RandomState(0).uniform(-1, 1, (20, 2))
_Y0 = np.sin(3 * _X0[:, 0]) + _X0[:, 1]


@pytest.fixture(scope="module")
def fitted_pair():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, random_state=0).fit(_X0, _Y0)
        clf = LMWCClassifier(hidden_layer_sizes=(2,), max_iter=3, random_state=0).fit(
            _X0, _Y0 > 0)
    return reg, clf


@given(reg_data=regression_data(), clf_data=classification_data(),
       reg_params=parameters(classifier=False), clf_params=parameters(classifier=True))
def test_failed_refit_leaves_the_fitted_model_unchanged(fitted_pair, reg_data, clf_data,
                                                        reg_params, clf_params):
    # a refit that raises (bad data, bad parameters, warm start on other features,
    # overflow) must not leave new classes_, target scale or n_features_in_ next to the
    # old weights
    for est, (X, y, sample_weight), params in ((fitted_pair[0], reg_data, reg_params),
                                              (fitted_pair[1], clf_data, clf_params)):
        model = copy.deepcopy(est)
        before = model.predict(_X0)
        attributes = set(vars(model))
        model.set_params(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model.fit(X, y, sample_weight=sample_weight)
            except ALLOWED:
                assert set(vars(model)) == attributes
                np.testing.assert_array_equal(model.predict(_X0), before)
