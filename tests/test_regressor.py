import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import (
    check_sample_weight_equivalence_on_dense_data,
    parametrize_with_checks,
)

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_parity

from conftest import FIRST_ORDER


# some checks fit unscaled data, which draws the saturation UserWarning
@pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=50
@parametrize_with_checks([
    LMWCRegressor(),  # plain, with the defaults
    LMWCRegressor(compression="restart", topology="fcc", alpha=0.0, max_iter=50),
    # first-order solvers (full batch on these small data; mini-batches are tested in
    # test_first_order.py): ebp and sgd here, the other two in the classifier's
    # checks, all four in the slow test below
    *(LMWCRegressor(solver=solver, max_iter=50, **FIRST_ORDER[solver])
      for solver in ("ebp", "sgd")),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([LMWCRegressor(solver=solver, max_iter=50, **FIRST_ORDER[solver])
                          for solver in ("adam", "rmsprop")])
def test_sklearn_compatible_other_first_order_solvers(estimator, check):
    check(estimator)


def test_sample_weight_equivalence_plain_lm():
    check_sample_weight_equivalence_on_dense_data(
        "LMWCRegressor", LMWCRegressor(compression=None, random_state=0))


def _sine(n=200):
    X = np.linspace(-1, 1, n).reshape(-1, 1)
    return X, np.sin(3 * X).ravel()


def _rmse(est, X, y):
    return np.sqrt(np.mean((est.predict(X) - y) ** 2))


def test_sine_mlp8_rmse_below_1e_3_in_100_iterations():
    X, y = _sine()
    est = LMWCRegressor(hidden_layer_sizes=(8,), compression=None, tol=None, max_iter=100,
                        random_state=0).fit(X, y)
    assert est.n_iter_ <= 100
    assert _rmse(est, X, y) < 1e-3


def _parity_success(compression, seeds=100):
    X, y = make_parity(7, summed=True)
    hits = 0
    for seed in range(seeds):
        est = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", compression=compression,
                            beta=1e-2, goal=0.1, tol=None, max_iter=100, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        hits += _rmse(est, X, y) <= 0.1 * (1 + 1e-9)
    return hits


@pytest.mark.slow  # statistical: 200 fits
def test_parity7_adaptive_compression_triples_success():
    plain, adaptive = _parity_success(None), _parity_success("adaptive")
    assert adaptive >= 3 * max(plain, 1), (plain, adaptive)


def test_goal_stops_training_and_sets_converged():
    X, y = _sine()
    est = LMWCRegressor(hidden_layer_sizes=(5,), goal=0.05, alpha=0.0,
                        random_state=0).fit(X, y)
    assert est.converged_
    assert np.sqrt(est.loss_) <= 0.05
    assert est.n_iter_ < 100
    # goal is the RMSE of the standardised targets
    assert _rmse(est, X, y) / y.std() == pytest.approx(np.sqrt(est.loss_), rel=1e-6)


def test_convergence_warning_when_goal_not_reached():
    X, y = _sine()
    est = LMWCRegressor(hidden_layer_sizes=(1,), goal=1e-6, tol=None, max_iter=5,
                        random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter=5"):
        est.fit(X, y)
    assert not est.converged_ and est.n_iter_ == 5


def test_targets_are_standardised_and_mapped_back():
    X, y = _sine()
    big = 1e6 * y + 3e7
    kw = dict(hidden_layer_sizes=(6,), max_iter=50, alpha=0.0, random_state=0)
    a = LMWCRegressor(**kw).fit(X, y)
    b = LMWCRegressor(**kw).fit(X, big)
    np.testing.assert_allclose(b.predict(X), 1e6 * a.predict(X) + 3e7, rtol=1e-6)
    assert a.loss_ == pytest.approx(b.loss_, rel=1e-6)


def test_multi_output():
    X, y = _sine()
    Y = np.c_[y, np.cos(2 * X.ravel()), 10 * y]
    est = LMWCRegressor(hidden_layer_sizes=(8,), max_iter=200, random_state=0).fit(X, Y)
    assert est.n_outputs_ == 3 and est.predict(X).shape == (200, 3)
    assert est.coefs_[-1].shape == (1 + 8, 3)  # bmlp: the output sees input and hidden
    np.testing.assert_allclose(est.predict(X), Y, atol=1e-2 * np.abs(Y).max())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=5
def test_single_column_y_predicts_1d():
    X, y = _sine(50)
    est = LMWCRegressor(max_iter=5, random_state=0).fit(X, y.reshape(-1, 1))
    assert est.predict(X).shape == (50,)


def test_loss_curve_counts_iterations_and_compressions():
    X, y = make_parity(7, summed=True)
    est = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", beta=1e-2, tol=None,
                        max_iter=100, random_state=3).fit(X, y)
    assert est.n_compressions_ > 0
    assert len(est.loss_curve_) == est.n_iter_ + est.n_compressions_
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.loss_ <= est.loss_curve_[-1] + 1e-15


def test_interval_trigger_compresses_on_schedule():
    X, y = _sine(60)
    est = LMWCRegressor(hidden_layer_sizes=(3,), trigger="interval", interval=7, tol=None,
                        max_iter=50, random_state=0).fit(X, y)
    assert est.n_compressions_ == 49 // 7


@pytest.mark.parametrize("compression", [None, "adaptive", "restart"])
def test_tol_rule_counts_iterations_whatever_the_policy(compression):
    X, y = _sine(60)
    est = LMWCRegressor(hidden_layer_sizes=(3,), compression=compression,
                        trigger="interval", interval=3, tol=10.0, n_iter_no_change=4,
                        random_state=0).fit(X, y)
    # the first iteration sets the best; then n_iter_no_change + 1 without improvement
    assert est.n_iter_ == 4 + 2


def test_converged_fit_with_compression_stops_without_warning():
    X, y = _sine(200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = LMWCRegressor(hidden_layer_sizes=(3,), topology="fcc", random_state=0,
                            alpha=0.0).fit(X, y)
    assert est.score(X, y) > 0.999
    assert est.n_iter_ < 200


def test_exact_fit_stops_without_tol_or_goal():
    # 4 points, 7 weights: an interpolating network, reached well before max_iter
    X = np.array([[-1.0], [-0.3], [0.4], [1.0]])
    y = np.array([0.5, -1.0, 2.0, 0.0])
    est = LMWCRegressor(hidden_layer_sizes=(2,), compression=None, tol=None, alpha=0.0,
                        max_iter=1000, random_state=0).fit(X, y)
    assert est.converged_ and est.n_iter_ < 1000
    assert np.sqrt(est.loss_) <= 1e-12


def test_early_stopping_keeps_best_validation_weights():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (300, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1] + 0.3 * rng.normal(size=300)
    est = LMWCRegressor(hidden_layer_sizes=(20,), early_stopping=True, random_state=0,
                        compression=None).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None
    assert est.n_iter_ < 1000  # stopped by the validation score


def test_n_init_keeps_the_best_trial():
    X, y = make_parity(7, summed=True)
    kw = dict(hidden_layer_sizes=(2,), topology="fcc", compression=None, tol=None,
              max_iter=30, random_state=5)
    one = LMWCRegressor(**kw).fit(X, y)  # its seed is the first of the five below
    five = LMWCRegressor(n_init=5, **kw).fit(X, y)
    assert five.loss_ <= one.loss_


def test_n_jobs_gives_identical_weights():
    X, y = _sine(80)
    kw = dict(hidden_layer_sizes=(4,), n_init=3, max_iter=40, random_state=0)
    a = LMWCRegressor(**kw).fit(X, y)
    b = LMWCRegressor(n_jobs=2, **kw).fit(X, y)
    for ca, cb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(ca, cb)


def test_warm_start_continues_from_fitted_weights():
    X, y = _sine()
    est = LMWCRegressor(hidden_layer_sizes=(4,), compression=None, tol=None, max_iter=3,
                        warm_start=True, random_state=0)
    first = est.fit(X, y).loss_
    coefs = [c.copy() for c in est.coefs_]
    second = est.fit(X, y).loss_
    assert second < first
    fresh = clone(est).set_params(warm_start=False).fit(X, y)
    np.testing.assert_array_equal(fresh.coefs_[0], coefs[0])  # same start, same 3 steps


def test_alpha_shrinks_weights():
    X, y = _sine(100)
    norms = []
    for alpha in (0.0, 10.0):
        est = LMWCRegressor(hidden_layer_sizes=(6,), alpha=alpha, max_iter=100,
                            random_state=0).fit(X, y)
        norms.append(sum(np.sum(c ** 2) for c in est.coefs_))
    assert norms[1] < norms[0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=20
def test_fcc_equals_bmlp_of_single_neurons():
    X, y = _sine(60)
    a = LMWCRegressor(hidden_layer_sizes=(3,), topology="fcc", max_iter=20,
                      random_state=0).fit(X, y)
    b = LMWCRegressor(hidden_layer_sizes=(1, 1, 1), topology="bmlp", max_iter=20,
                      random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_verbose_1_prints_the_kept_trial(capsys):
    X, y = _sine(30)
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=4, tol=None, compression=None,
                        verbose=1, n_init=1, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Kept trial 1 of 1 (the highest log evidence): loss = ")
    assert f"{est.n_iter_} iterations, 0 compressions, stopped by max_iter" in lines[0]


@pytest.mark.parametrize("params, criterion", [
    ({}, "the highest log evidence"),
    ({"alpha": 0.1}, "the lowest training objective"),
    ({"early_stopping": True}, "the best validation score"),
])
def test_verbose_1_says_the_criterion_and_the_committee(capsys, params, criterion):
    X, y = _sine(40)
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=4, tol=None, verbose=1,
                        n_init=3, committee_size=2, random_state=0, **params).fit(X, y)
    lines = [line for line in capsys.readouterr().out.strip().splitlines()
             if not line.startswith("[trial")]
    assert lines[0].startswith("Kept trial ")
    assert f"of 3 ({criterion}): loss = {est.loss_:.8g}, " in lines[0]
    assert lines[1] == "A committee of the 2 best trials predicts (their outputs averaged)."
    assert len(lines) == 2


@pytest.mark.parametrize("n_init, said", [("auto", True), (1, False)])
def test_verbose_1_says_when_auto_ran_one_trial_for_size(capsys, monkeypatch, n_init, said):
    from sklearn_lmwc import _costs
    monkeypatch.setattr(_costs, "_MAX_WORK_TOGETHER", 0)  # every problem above the bound
    X, y = _sine(30)
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, tol=None, verbose=1,
                        n_init=n_init, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert est.init_results_["n_iter"].size == 1
    assert ("n_init='auto' ran one trial, not a committee" in out) == said
    assert "A committee" not in out


def test_verbose_2_prints_the_bayesian_prior_and_seconds(capsys):
    X, y = _sine(30)
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, tol=None, n_init=1, verbose=2,
                        weight_groups="ard", random_state=0).fit(X, y)
    iterations = [line for line in capsys.readouterr().out.splitlines()
                  if line.startswith("Iteration")]
    assert len(iterations) == est.n_iter_ == 3
    n_groups = len(est.alpha_groups_)
    for line, gamma in zip(iterations, est.n_effective_params_curve_):
        assert f"({n_groups} groups), gamma = {gamma:.1f}, " in line
        assert line.endswith(" s") and float(line.split(", ")[-1][:-2]) >= 0
    fixed = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=2, tol=None, n_init=1,
                          verbose=2, alpha=0.1, random_state=0).fit(X, y)
    assert fixed.n_iter_ == 2
    assert "alpha" not in capsys.readouterr().out


def test_verbose_says_one_compression_in_the_singular(capsys):
    X, y = _sine(30)
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, tol=None, trigger="interval",
                        interval=2, n_init=1, verbose=1, random_state=0).fit(X, y)
    assert est.n_compressions_ == 1
    assert "1 compression, stopped by" in capsys.readouterr().out


def test_verbose_2_prints_iterations_events_and_trials(capsys):
    X, y = _sine(30)
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=6, tol=None, trigger="interval",
                        interval=2, n_init=2, verbose=2, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    for trial in (1, 2):
        mine = [line for line in lines if line.startswith(f"[trial {trial}] ")]
        iterations = [line for line in mine if "Iteration" in line]
        assert [line.split(",")[0] for line in iterations] == [
            f"[trial {trial}] Iteration {i}" for i in range(1, 7)]
        assert all(", mu = " in line for line in iterations)
        # interval 2 over 6 iterations: events after iterations 2 and 4
        assert sum("* compression, omega = " in line for line in mine) == 2
        assert "6 iterations, 2 compressions, stopped by max_iter" in mine[-1]
    assert lines[-2].startswith("Kept trial ")
    assert lines[-1].startswith("A committee of the 2 best trials")
    assert est.n_compressions_ == 2


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=20
def test_pickle_round_trip():
    X, y = _sine(60)
    est = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=20, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


@pytest.mark.parametrize("params, match", [
    (dict(hidden_layer_sizes=(3, 0)), "hidden_layer_sizes"),
    (dict(trigger="interval"), "interval"),
    (dict(mu=1e-20), "mu"),
    (dict(omega=0.0), "omega"),
    (dict(topology="ring"), "topology"),
])
def test_bad_parameters_raise_in_fit(params, match):
    X, y = _sine(20)
    est = LMWCRegressor(**params)  # __init__ stores, fit validates
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


# ---- alpha="bayes" ----------------------------------------------------------------
def _linear_gaussian(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = X @ np.array([1.0, -2.0, 0.0, 0.5, 0.0]) + 0.3 + 0.5 * rng.normal(size=n)
    return X, y


def test_bayes_identity_network_agrees_with_bayesian_ridge():
    from sklearn.linear_model import BayesianRidge

    X, y = _linear_gaussian()
    # vanishing hyperpriors: the evidence approximation proper
    ridge = BayesianRidge(tol=1e-12, max_iter=1000, alpha_1=0, alpha_2=0, lambda_1=0,
                          lambda_2=0).fit(X, y)
    est = LMWCRegressor(hidden_layer_sizes=(), alpha="bayes", compression=None, tol=None,
                        max_iter=60, random_state=0).fit(X, y)
    assert est.alpha_ == pytest.approx(ridge.lambda_ / ridge.alpha_, rel=1e-6)
    np.testing.assert_allclose(est.predict(X), ridge.predict(X), rtol=0, atol=1e-8)
    Xc = X - X.mean(axis=0)
    eig = np.linalg.eigvalsh(Xc.T @ Xc)
    gamma = np.sum(ridge.alpha_ * eig / (ridge.lambda_ + ridge.alpha_ * eig))
    assert est.n_effective_params_ == pytest.approx(gamma, rel=1e-6)


@pytest.mark.parametrize("compression", [None, "adaptive", "restart"])
def test_bayes_effective_parameters_in_range_and_deterministic(compression):
    X, y = _sine(100)
    y = y + 0.1 * np.random.default_rng(0).normal(size=y.size)
    kw = dict(hidden_layer_sizes=(6,), alpha="bayes", compression=compression,
              max_iter=60, random_state=0)
    a, b = LMWCRegressor(**kw).fit(X, y), LMWCRegressor(**kw).fit(X, y)
    n_penalised = sum(c.size for c in a.coefs_)
    assert 0 < a.n_effective_params_ <= n_penalised
    assert a.alpha_ > 0 and a.score(X, y) > 0.9
    assert (a.alpha_, a.n_effective_params_) == (b.alpha_, b.n_effective_params_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_bayes_sample_weight_counts_as_repetition():
    X, y = _linear_gaussian(60)
    sw = np.random.default_rng(0).integers(1, 4, size=60)
    kw = dict(hidden_layer_sizes=(), alpha="bayes", compression=None, tol=None,
              max_iter=40, random_state=0)
    weighted = LMWCRegressor(**kw).fit(X, y, sample_weight=sw)
    repeated = LMWCRegressor(**kw).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-8)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), atol=1e-8)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=5
def test_bayes_multi_output_n_init_and_warm_start():
    X, y = _sine(80)
    Y = np.c_[y, np.cos(2 * X.ravel())]
    est = LMWCRegressor(hidden_layer_sizes=(5,), alpha="bayes", n_init=2, max_iter=40,
                        random_state=0).fit(X, Y)
    assert est.score(X, Y) > 0.95 and 0 < est.n_effective_params_
    loss = est.loss_
    est.set_params(warm_start=True, max_iter=5).fit(X, Y)
    assert est.alpha_ > 0 and est.loss_ < 10 * loss


def test_bayes_with_the_scipy_solver_agrees_with_bayesian_ridge():
    from sklearn.linear_model import BayesianRidge

    X, y = _linear_gaussian(80)
    ridge = BayesianRidge(tol=1e-12, max_iter=1000, alpha_1=0, alpha_2=0, lambda_1=0,
                          lambda_2=0).fit(X, y)
    est = LMWCRegressor(hidden_layer_sizes=(), alpha="bayes", solver="scipy",
                        compression=None, tol=None, max_iter=40, random_state=0).fit(X, y)
    assert est.alpha_ == pytest.approx(ridge.lambda_ / ridge.alpha_, rel=1e-5)
    np.testing.assert_allclose(est.predict(X), ridge.predict(X), rtol=0, atol=1e-7)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_fixed_alpha_is_reported_unchanged():
    X, y = _sine(30)
    est = LMWCRegressor(hidden_layer_sizes=(3,), alpha=0.25, max_iter=5).fit(X, y)
    assert est.alpha_ == 0.25 and est.n_effective_params_ is None


@pytest.mark.parametrize("name", ["LMWCRegressor", "LMWCClassifier"])
def test_misspelt_parameter_names_the_estimator(name):
    import sklearn_lmwc

    with pytest.raises(TypeError, match=f"{name}.__init__.. got an unexpected keyword"):
        getattr(sklearn_lmwc, name)(hiden_layer_sizes=(3,))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_alpha_auto_is_bayes_without_a_goal_and_zero_with_one():
    X, y = _sine(60)
    free = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=20).fit(X, y)
    assert free.n_effective_params_ is not None  # Bayesian
    goal = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=20, goal=1e-3).fit(X, y)
    assert goal.alpha_ == 0.0 and goal.n_effective_params_ is None


# ---- input kinds ------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
@pytest.mark.parametrize("name", ["LMWCRegressor", "LMWCClassifier"])
def test_float32_stays_float32_and_matches_float64(name):
    import sklearn_lmwc

    X, y = _sine(80)
    target = y if name == "LMWCRegressor" else (y > 0)
    kw = dict(hidden_layer_sizes=(3,), max_iter=20, n_init=1, random_state=0)
    est32 = getattr(sklearn_lmwc, name)(**kw).fit(X.astype(np.float32), target)
    est64 = getattr(sklearn_lmwc, name)(**kw).fit(X, target)
    assert all(c.dtype == np.float32 for c in est32.coefs_ + est32.intercepts_)
    assert all(c.dtype == np.float64 for c in est64.coefs_ + est64.intercepts_)
    method = "predict" if name == "LMWCRegressor" else "predict_proba"
    out32 = getattr(est32, method)(X.astype(np.float32))
    assert out32.dtype == np.float32
    # float32 data are exactly representable in float64: the same fit, rounded
    np.testing.assert_allclose(out32, getattr(est64, method)(X), rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
@pytest.mark.parametrize("name", ["LMWCRegressor", "LMWCClassifier"])
def test_sparse_input_fits_as_dense(name):
    import scipy.sparse as sp

    import sklearn_lmwc

    rng = np.random.default_rng(0)
    X = rng.normal(size=(70, 6)) * (rng.uniform(size=(70, 6)) < 0.3)
    y = X @ rng.normal(size=6)
    target = y if name == "LMWCRegressor" else (y > 0)
    kw = dict(hidden_layer_sizes=(3,), max_iter=20, random_state=0)
    dense = getattr(sklearn_lmwc, name)(**kw).fit(X, target)
    sparse = getattr(sklearn_lmwc, name)(**kw).fit(sp.csr_matrix(X), target)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sparse.predict(sp.csc_matrix(X)), dense.predict(X))


# ---- the Bayesian state belongs to the returned weights (issue 22) -----------------
def _friedman(n=300, seed=0):
    from sklearn.datasets import make_friedman1
    from sklearn.preprocessing import StandardScaler

    X, y = make_friedman1(n, 16, noise=1.0, random_state=seed)
    return StandardScaler().fit_transform(X), y


def _state_at_returned_weights(est, X, y):
    """The training loss (``loss_``'s definition) and gamma of the fitted weights under
    the fitted ``alpha_``, written out from the whole Jacobian."""
    network = est._network
    w = network.pack(est.coefs_, est.intercepts_)
    Y = ((y.reshape(len(y), -1) - est._y_mean) / est._y_scale)
    out, J = network.jacobian(w, X)
    penalised = ~network.bias_mask()
    W = w[penalised]
    loss = (np.sum((out - Y) ** 2) + est.alpha_ * W @ W) / Y.size
    Jf = J.reshape(-1, network.n_weights)
    # the posterior's factor: Q + alpha D, and a 1e-6 alpha jitter on the biases
    A = Jf.T @ Jf + est.alpha_ * np.diag(np.where(penalised, 1.0, 1e-6))
    inverse = np.linalg.inv(A)
    gamma = penalised.sum() - est.alpha_ * np.trace(inverse[np.ix_(penalised, penalised)])
    return loss, gamma


@pytest.mark.parametrize("params", [
    dict(random_state=5),  # compression acts, and the best point is restored
    dict(compression="restart", random_state=1, max_iter=40),
    dict(n_init=3, random_state=2, hidden_layer_sizes=(4,)),
    dict(compression=None, random_state=0, max_iter=30),
])
def test_bayes_alpha_and_gamma_are_those_of_the_returned_weights(params):
    X, y = _friedman()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LMWCRegressor(**params).fit(X, y)
    loss, gamma = _state_at_returned_weights(est, X, y)
    assert est.loss_ == pytest.approx(loss, rel=1e-9)
    assert est.n_effective_params_ == pytest.approx(gamma, rel=1e-6)


def test_bayes_compression_returns_the_best_point_with_its_alpha():
    # the reproduction of issue 22: the path ends worse than its best, whose weights
    # (and now alpha) are returned
    X, y = _friedman()
    est = LMWCRegressor(n_init=1, random_state=5).fit(X, y)
    assert est.n_compressions_ > 0
    assert est.loss_curve_[-1] > 1.5 * est.loss_  # the path as run, not rewritten
    # the policy keeps the best of the points where it acted: near the curve's minimum
    assert min(est.loss_curve_) <= est.loss_ <= 1.001 * min(est.loss_curve_)
    w2 = sum(float(c.ravel() @ c.ravel()) for c in est.coefs_)
    # gamma / ||W||^2 / beta, beta from the returned weights' residuals
    residuals = est.loss_ * len(y) - est.alpha_ * w2
    beta = (len(y) - est.n_effective_params_) / residuals
    assert est.n_effective_params_ > 5  # not the collapsed last iterate's 0.7
    assert est.alpha_ == pytest.approx(est.n_effective_params_ / w2 / beta, rel=0.2)


def test_bayes_early_stopping_returns_the_alpha_of_the_best_validation_weights():
    from sklearn.model_selection import train_test_split

    X, y = _friedman()
    est = LMWCRegressor(early_stopping=True, random_state=3, max_iter=60).fit(X, y)
    # the training part of fit's own split (its first use of the random state)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.1,
                                              random_state=np.random.RandomState(3))
    loss, gamma = _state_at_returned_weights(est, X_train, y_train)
    assert est.loss_ == pytest.approx(loss, rel=1e-9)
    assert est.n_effective_params_ == pytest.approx(gamma, rel=1e-6)


def test_bayes_warm_start_goes_on_from_the_returned_alpha(monkeypatch):
    from sklearn_lmwc import _bayes

    X, y = _friedman(200)
    est = LMWCRegressor(random_state=5, max_iter=40).fit(X, y)
    starts = []
    start = _bayes.Prior.start
    monkeypatch.setattr(_bayes.Prior, "start",
                        lambda self, alpha=None: starts.append(alpha) or start(self, alpha))
    alpha = est.alpha_
    est.set_params(warm_start=True, max_iter=3, compression=None).fit(X, y)
    assert starts == [alpha]
    loss, gamma = _state_at_returned_weights(est, X, y)
    assert est.loss_ == pytest.approx(loss, rel=1e-9)
    assert est.n_effective_params_ == pytest.approx(gamma, rel=1e-6)


# ---- log evidence (issue 18) ------------------------------------------------------
def test_log_evidence_of_an_identity_network_is_bayesian_ridges():
    from sklearn.linear_model import BayesianRidge

    X, y = _linear_gaussian()
    ridge = BayesianRidge(tol=1e-12, max_iter=1000, alpha_1=0, alpha_2=0, lambda_1=0,
                          lambda_2=0, compute_score=True).fit(X, y)
    est = LMWCRegressor(hidden_layer_sizes=(), alpha="bayes", compression=None, tol=None,
                        max_iter=60, random_state=0).fit(X, y)
    assert est.alpha_ == pytest.approx(ridge.lambda_ / ridge.alpha_, rel=1e-6)
    # BayesianRidge integrates the intercept out by centring; here it has a flat prior
    # of unit density in the standardised targets' units: the Gaussian integral over
    # it, sqrt(2 pi / (beta n)), and the unit's scale
    n, beta = len(y), ridge.alpha_
    intercept = 0.5 * np.log(2 * np.pi / (beta * n)) - np.log(est._y_scale[0])
    assert est.log_evidence_ == pytest.approx(ridge.scores_[-1] + intercept, abs=1e-8)
    assert est.init_results_["log_evidence"][0] == est.log_evidence_


def test_log_evidence_only_with_bayes_and_every_trial_has_one():
    X, y = _sine(60)
    fixed = LMWCRegressor(hidden_layer_sizes=(3,), alpha=0.1, max_iter=10,
                          random_state=0).fit(X, y)
    assert fixed.log_evidence_ is None and np.isnan(fixed.init_results_["log_evidence"]).all()
    bayes = LMWCRegressor(hidden_layer_sizes=(3,), n_init=3, max_iter=30,
                          random_state=0).fit(X, y)
    evidence = bayes.init_results_["log_evidence"]
    assert np.isfinite(evidence).all()
    # the kept trial is the one of highest evidence, not of lowest training loss
    assert bayes.log_evidence_ == evidence.max()
    assert bayes.loss_ == pytest.approx(bayes.init_results_["loss"][evidence.argmax()],
                                        rel=1e-12)


# ---- committees ---------------------------------------------------------------------
def test_committee_predicts_the_mean_of_its_members():
    X, y = _friedman(150)
    est = LMWCRegressor(hidden_layer_sizes=(4,), n_init=4, committee_size=3, max_iter=30,
                        random_state=0).fit(X, y)
    assert len(est.committee_coefs_) == len(est.committee_intercepts_) == 3
    assert est.committee_coefs_[0] is est.coefs_
    # members best first, by evidence
    evidence = np.sort(est.init_results_["log_evidence"])[::-1]
    assert est.log_evidence_ == evidence[0]
    members = [est._network.forward(est._network.pack(c, i), X) * est._y_scale + est._y_mean
               for c, i in zip(est.committee_coefs_, est.committee_intercepts_)]
    np.testing.assert_allclose(est.predict(X), np.mean(members, axis=0).ravel(), rtol=1e-12)
    single = LMWCRegressor(hidden_layer_sizes=(4,), n_init=4, committee_size=1, max_iter=30,
                           random_state=0).fit(X, y)
    np.testing.assert_array_equal(single.coefs_[0], est.coefs_[0])
    np.testing.assert_allclose(single.predict(X), members[0].ravel(), rtol=1e-12)


def test_committee_needs_the_trials_and_groups_need_bayes():
    X, y = _sine(30)
    with pytest.raises(ValueError, match="committee_size=3 needs as many trials: n_init=2"):
        LMWCRegressor(n_init=2, committee_size=3).fit(X, y)
    with pytest.raises(ValueError, match='weight_groups="ard" .* alpha="bayes"'):
        LMWCRegressor(weight_groups="ard", alpha=0.1).fit(X, y)


# ---- weight groups and ARD ----------------------------------------------------------
def test_ard_finds_the_inputs_the_targets_depend_on():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = np.sin(2 * X[:, 0]) + X[:, 1] + 0.1 * rng.normal(size=200)
    est = LMWCRegressor(weight_groups="ard", hidden_layer_sizes=(5,), random_state=0).fit(X, y)
    assert est.alpha_groups_ == ("input 0", "input 1", "input 2", "input 3", "output", "bias")
    assert est.alpha_.shape == est.n_effective_params_.shape == (6,)
    relevance = est.input_relevance_
    np.testing.assert_array_equal(relevance, est.n_effective_params_[:4])
    assert min(relevance[:2]) > 100 * max(relevance[2:])
    assert np.all(est.n_effective_params_[:2] > 1) and np.all(est.n_effective_params_[2:4] < 0.1)
    assert np.isfinite(est.log_evidence_) and est.score(X, y) > 0.95


@pytest.mark.parametrize("weight_groups", ["layers", "ard"])
def test_grouped_state_is_that_of_the_returned_weights(weight_groups):
    X, y = _friedman(200)
    # every input kept: the state over the full network (a pruned fit's, over the kept
    # inputs, is test_pruning's)
    est = LMWCRegressor(weight_groups=weight_groups, prune_ratio=None, random_state=5,
                        max_iter=60).fit(X, y)
    network = est._network
    groups, names = network.weight_groups(weight_groups)
    assert est.alpha_groups_ == names and est.alpha_.shape == (len(names),)
    w = network.pack(est.coefs_, est.intercepts_)
    Y = (y[:, None] - est._y_mean) / est._y_scale
    out, J = network.jacobian(w, X)
    a = est.alpha_[groups]
    loss = (np.sum((out - Y) ** 2) + a @ (w * w)) / len(y)
    assert est.loss_ == pytest.approx(loss, rel=1e-9)
    Jf = J.reshape(len(y), -1)
    inverse = np.diag(np.linalg.inv(Jf.T @ Jf + np.diag(a)))
    gamma = np.bincount(groups, minlength=len(names)) - np.bincount(groups, a * inverse)
    np.testing.assert_allclose(est.n_effective_params_, gamma, rtol=1e-6, atol=1e-9)
    # a warm start goes on from the groups' alphas
    est.set_params(warm_start=True, max_iter=2, compression=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.alpha_.shape == (len(names),)


def test_auto_trials_make_a_committee_on_small_problems(monkeypatch):
    from sklearn_lmwc import _costs

    X, y = _sine(60)
    small = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    assert len(small.init_results_["loss"]) == len(small.committee_coefs_) == 5
    # an explicit n_init is kept, its trials all in the committee
    three = LMWCRegressor(hidden_layer_sizes=(3,), n_init=3, max_iter=5).fit(X, y)
    assert len(three.init_results_["loss"]) == len(three.committee_coefs_) == 3
    # one trial: with a goal (the paper's setting), and on a problem too large
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        goal = LMWCRegressor(hidden_layer_sizes=(3,), goal=1e-9, max_iter=5).fit(X, y)
        monkeypatch.setattr(_costs, "_MAX_WORK_TOGETHER", 0)
        large = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    for est in (goal, large):
        assert len(est.init_results_["loss"]) == len(est.committee_coefs_) == 1


def test_committee_keeps_only_members_that_can_predict(monkeypatch):
    import dataclasses

    from sklearn_lmwc import _base

    ranked = _base.ranked_trials

    def one_overflowing(trials, early_stopping):
        best, second, *rest = ranked(trials, early_stopping)
        # finite weights whose outputs overflow on the training inputs
        point = dataclasses.replace(second.point, w=np.full_like(second.w, 1e308))
        return [best, dataclasses.replace(second, point=point), *rest]

    monkeypatch.setattr(_base, "ranked_trials", one_overflowing)
    X, y = _sine(60)
    est = LMWCRegressor(hidden_layer_sizes=(3,), n_init=3, committee_size=3, max_iter=10,
                        random_state=0).fit(X, y)
    assert len(est.committee_coefs_) == 2
    assert all(np.isfinite(c).all() for member in est.committee_coefs_ for c in member)
    assert np.isfinite(est.predict(X)).all()
