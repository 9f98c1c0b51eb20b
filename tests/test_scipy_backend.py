"""solver="scipy": scipy.optimize.least_squares (MINPACK LM) with the policies between
segments."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import sklearn_lmwc._scipy_backend as backend
from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._compression import NoPolicy
from sklearn_lmwc._loop import INTERRUPTED, serve
from sklearn_lmwc._losses import LogLoss, SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective
from sklearn_lmwc.datasets import make_parity

PARITY = dict(hidden_layer_sizes=(2,), topology="fcc", beta=1e-2, goal=0.1, tol=None,
              max_iter=100, alpha=0.0)  # the paper's setting


def _smooth(n=60, n_outputs=1, seed=0):
    """A smooth target that one tanh neuron fits well but not exactly."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n, 2))
    y = (2 * np.tanh(1.5 * X[:, 0] - X[:, 1] + 0.3) + np.tanh(X[:, 0] + X[:, 1])
         + 0.1 * np.sin(3 * X[:, 0]))
    if n_outputs == 2:
        y2 = 0.1 * np.cos(2 * X[:, 1]) - np.tanh(1.5 * X[:, 0] - X[:, 1] + 0.3)
        y = np.column_stack([y, y2])
    return X, y, rng.uniform(0.2, 2.0, n)


class _Spy:
    """Wraps scipy's least_squares in the backend, recording every call."""

    def __init__(self, monkeypatch):
        self.calls = []
        self._inner = backend.least_squares
        monkeypatch.setattr(backend, "least_squares", self)

    def __call__(self, fun, x0, **kwargs):
        record = {"method": kwargs["method"], "max_nfev": kwargs["max_nfev"], "nfev": 0}
        self.calls.append(record)

        def counted(x):
            record["nfev"] += 1
            return fun(x)

        return self._inner(counted, x0, **kwargs)


# ---- the residual formulation ------------------------------------------------------
def test_residuals_reproduce_objective_and_normal_equations():
    # sample weights, two outputs and the L2 rows: 0.5 ||r||^2 is the objective,
    # J^T J and J^T r are the built-in solver's Q and g
    rng = np.random.default_rng(0)
    network = Network(3, (4,), 2, "bmlp", "tanh")
    X, Y = rng.normal(size=(50, 3)), rng.normal(size=(50, 2))
    objective = Objective(network, SquaredError(), X, Y, rng.uniform(0.1, 2, 50), 0.3)
    w = rng.normal(size=network.n_weights)
    problem = backend._Residuals(objective)
    r, J = problem.residuals(w), problem.jacobian(w)
    assert r.shape == (backend.n_residuals(objective),) == (100 + (~network.bias_mask()).sum(),)
    assert J.shape == (r.size, network.n_weights)
    system = objective.weight_space_system(w, *objective.gauss_newton_sums(w))
    Q, g = system.Q, system.g
    np.testing.assert_allclose(0.5 * r @ r, objective.value(w), rtol=1e-12)
    np.testing.assert_allclose(J.T @ J, Q, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(J.T @ r, g, rtol=1e-10, atol=1e-10)
    # with L2 rows the Jacobian is stacked anew on every call (alpha may change
    # between calls): writing to it leaves the cached network Jacobian intact
    J[0, 0] += 1.0
    assert problem.jacobian(w)[0, 0] == pytest.approx(J[0, 0] - 1.0, abs=1e-12)
    plain = backend._Residuals(Objective(network, SquaredError(), X, Y))
    with pytest.raises(ValueError):  # without them the cached Jacobian is shared: read-only
        plain.jacobian(w)[0, 0] = 1.0


def test_backend_refuses_a_loss_that_is_not_a_sum_of_squares():
    network = Network(2, (2,), 1)
    objective = Objective(network, LogLoss("logistic"), np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="squared-error"):
        serve(backend.least_squares_run(objective, np.zeros(network.n_weights), NoPolicy()))


# ---- same meaning as the built-in solver -------------------------------------------
@pytest.mark.parametrize("case", ["plain", "weighted_l2", "two_outputs"])
def test_both_solvers_reach_the_same_training_loss_from_the_same_start(case):
    # One tanh neuron on a smooth target: from a common start both solvers converge
    # to the same minimum. Stated tolerance: relative difference of loss_ <= 1e-6
    # (measured: ~1e-15 on 30 of 30 starts).
    X, y, sw = _smooth(n_outputs=2 if case == "two_outputs" else 1)
    kwargs = dict(sample_weight=sw) if case == "weighted_l2" else {}
    alpha = 1e-2 if case == "weighted_l2" else 0.0
    for seed in range(5):
        losses = []
        for solver in ["lm", "scipy"]:
            reg = LMWCRegressor(hidden_layer_sizes=(1,), topology="mlp", compression=None,
                                tol=None, max_iter=100, alpha=alpha, solver=solver,
                                random_state=seed)
            losses.append(reg.fit(X, y, **kwargs).loss_)
        assert abs(losses[1] - losses[0]) <= 1e-6 * losses[0], (seed, losses)
        assert losses[0] < 0.05  # and it is a fit, not a common failure


@pytest.mark.slow  # statistical: 200 fits with scipy's solver (about a minute)
def test_parity7_adaptive_compression_at_least_doubles_success():
    X, y = make_parity(7, summed=True)
    successes = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the trf fallback warning, every fit
        for compression in ["adaptive", None]:
            successes[compression] = sum(
                LMWCRegressor(solver="scipy", compression=compression, random_state=seed,
                              **PARITY).fit(X, y).converged_
                for seed in range(100))
    # measured: 35 vs 3 (the built-in solver: 35 vs 4)
    assert successes["adaptive"] >= 2 * max(successes[None], 1), successes


def test_fitted_attributes_mean_the_same_as_with_the_builtin_solver(monkeypatch):
    X, y = make_parity(7, summed=True)
    spy = _Spy(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs = [LMWCRegressor(solver="scipy", random_state=s, **PARITY).fit(X, y)
                for s in range(10)]
    assert any(r.converged_ for r in runs) and not all(r.converged_ for r in runs)
    assert sum(r.n_iter_ for r in runs) == len(spy.calls)  # one least_squares call each
    for reg in runs:
        assert 1 <= reg.n_iter_ <= PARITY["max_iter"]
        assert len(reg.loss_curve_) == reg.n_iter_ + reg.n_compressions_
        assert reg.converged_ == (np.sqrt(reg.loss_) <= PARITY["goal"])
        assert reg.converged_ == (reg.n_iter_ < PARITY["max_iter"]
                                  or np.sqrt(reg.loss_curve_[-1]) <= PARITY["goal"])
        assert reg.loss_ == pytest.approx(np.mean((reg.predict(X) - y) ** 2))
        assert reg.best_loss_ == min(reg.loss_curve_ + [reg.loss_])


def test_an_iteration_is_one_minpack_iteration(monkeypatch):
    # one least_squares call of at most SEGMENT_NFEV evaluations, ended at the first
    # accepted step: one Jacobian per iteration, as with the built-in solver
    X, y, _ = _smooth()
    spy = _Spy(monkeypatch)
    jacobians = []
    inner = Network.jacobian
    monkeypatch.setattr(Network, "jacobian",
                        lambda net, w, X: jacobians.append(1) or inner(net, w, X))
    reg = LMWCRegressor(hidden_layer_sizes=(3,), n_init=1, compression=None, tol=None,
                        max_iter=15, solver="scipy", random_state=0).fit(X, y)
    assert reg.n_iter_ == 15 == len(spy.calls) == len(jacobians)
    assert all(c["method"] == "lm" and c["max_nfev"] == backend.SEGMENT_NFEV for c in spy.calls)
    assert all(c["nfev"] <= backend.SEGMENT_NFEV for c in spy.calls)
    # every iteration accepted a step, and MINPACK only accepts decreases
    assert np.all(np.diff(reg.loss_curve_) < 0)


def test_step_after_a_compression_is_the_builtin_unconditional_one(monkeypatch):
    X, y = make_parity(7, summed=True)
    calls = []
    inner = backend.lm_iteration

    def spy(objective, point, damping, **kwargs):
        calls.append((damping, kwargs["unconditional"]))
        return (yield from inner(objective, point, damping, **kwargs))

    monkeypatch.setattr(backend, "lm_iteration", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = LMWCRegressor(solver="scipy", trigger="interval", interval=5, mu=0.25,
                            random_state=0, **PARITY).fit(X, y)
    assert reg.n_compressions_ >= 1
    assert calls == [(0.25, True)] * reg.n_compressions_


def test_keyboard_interrupt_keeps_the_last_weights():
    X, y, _ = _smooth()
    network = Network(2, (2,), 1)
    objective = Objective(network, SquaredError(), X, y[:, None])
    w0 = np.random.RandomState(0).uniform(-1, 1, network.n_weights)

    def interrupt(iteration, point, loss, move):
        if iteration == 3:
            raise KeyboardInterrupt

    result = serve(backend.least_squares_run(objective, w0, NoPolicy(), max_iter=10,
                                             callback=interrupt))
    assert result.status == INTERRUPTED and result.n_iter == 3
    assert result.value == objective.value(result.w) < objective.value(w0)


# ---- fewer residuals than weights, and losses that are not sums of squares ----------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # not its topic
def test_fewer_residuals_than_weights_use_trf_and_warn_once_per_fit(monkeypatch):
    X, y = make_parity(7, summed=True)  # 8 residuals, 9 weights
    spy = _Spy(monkeypatch)
    with pytest.warns(UserWarning, match=r'9 weights but only 8 residuals.*method="trf"') as rec:
        reg = LMWCRegressor(solver="scipy", n_init=3, random_state=0, **PARITY).fit(X, y)
    assert sum("residuals" in str(w.message) for w in rec) == 1
    assert spy.calls and all(c["method"] == "trf" for c in spy.calls)
    assert np.all(np.isfinite(reg.predict(X)))


def test_l2_rows_count_as_residuals(monkeypatch):
    # 8 samples + 6 penalised weights >= 9 weights: MINPACK, no warning
    X, y = make_parity(7, summed=True)
    spy = _Spy(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LMWCRegressor(solver="scipy", random_state=0,
                      **dict(PARITY, goal=0.0, alpha=1e-4)).fit(X, y)
    assert spy.calls and all(c["method"] == "lm" for c in spy.calls)


def test_log_loss_with_scipy_raises_naming_the_fix():
    X, y = make_parity(3)
    with pytest.raises(ValueError, match=r'solver="lm" with loss="log_loss".*'
                                         r'solver="scipy" with loss="squared_error"'):
        LMWCClassifier(solver="scipy", loss="log_loss").fit(X, y)


@pytest.mark.filterwarnings("ignore:solver=.scipy.:UserWarning")  # 8 samples: trf
def test_classifier_squared_error_with_scipy():
    X, y = make_parity(3)
    clf = LMWCClassifier(hidden_layer_sizes=(3,), topology="fcc", loss="squared_error",
                         solver="scipy", goal=0.1, tol=None, max_iter=200, n_init=3,
                         alpha=0.0, random_state=0).fit(X, y)
    assert clf.converged_ and clf.score(X, y) == 1.0


# ---- a parameter like any other ----------------------------------------------------
def test_grid_search_clone_and_pickle():
    X, y, _ = _smooth()
    search = GridSearchCV(LMWCRegressor(hidden_layer_sizes=(2,), max_iter=20, tol=None,
                                        random_state=0),
                          {"solver": ["lm", "scipy"]}, cv=3).fit(X, y)
    assert list(search.cv_results_["param_solver"]) == ["lm", "scipy"]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert clone(search.best_estimator_).get_params()["solver"] == search.best_params_["solver"]
    reg = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=20, tol=None, solver="scipy",
                        random_state=0)
    assert clone(reg).solver == "scipy"
    reg.fit(X, y)
    again = pickle.loads(pickle.dumps(reg))
    assert again.solver == "scipy"
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
    refit = pickle.loads(pickle.dumps(clone(reg))).fit(X, y)
    np.testing.assert_array_equal(refit.predict(X), reg.predict(X))


def test_parallel_trials_give_identical_weights():
    X, y, _ = _smooth()
    fits = [LMWCRegressor(hidden_layer_sizes=(2,), max_iter=15, tol=None, n_init=2,
                          solver="scipy", n_jobs=n_jobs, random_state=0).fit(X, y)
            for n_jobs in [None, 2]]
    for a, b in zip(fits[0].coefs_, fits[1].coefs_):
        np.testing.assert_array_equal(a, b)
