"""Estimator state: fit leaves its inputs untouched, pickling, the same random_state
gives the same weights, warm start, a failed refit, Ctrl-C.

Decisions recorded here:
- Ctrl-C (KeyboardInterrupt) during the LM iterations ends training like
  scikit-learn's MLP: a UserWarning "Training interrupted by user", and the
  estimator is fitted with the best weights found so far (with n_init > 1 trained
  one by one, it ends the running trial and the next trials still run; trials that
  run together, see sklearn_lmwc/_batched.py, end together and the ones not started
  by then do not run);
- a failed fit (any error) leaves the estimator exactly as it was before the call.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._objective import Objective

from conftest import BOTH, SMALL, Y_CLF, Y_REG, X, assert_finite_model, outputs

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # unscaled inputs on purpose; test_numerical_trouble.py's
    # test_saturation_warning_only_for_unscaled_inputs asserts the warning
    pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]


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
