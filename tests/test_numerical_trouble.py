"""Numerical trouble: saturating and overflowing inputs and outputs, singular
quasi-Hessians, the damping at its bounds, huge and tiny targets and sample weights,
inputs near the float limit at predict time.

No fit hands back a broken model (non-finite weights or predictions), and no numpy
RuntimeWarning reaches the user: a fit either succeeds or says what went wrong.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._solve import WeightSpaceSystem

from conftest import BOTH, SMALL, Y_REG, X, assert_finite_model, no_runtime_warnings, outputs

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # unscaled inputs on purpose; test_saturation_warning_only_for_unscaled_inputs asserts it
    pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]


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
