"""Predictive distributions from the Laplace posterior (``_predictive``): the
regressor's ``return_std`` / ``return_cov``, the classifier's logit variance and
moderated probabilities, each against an independent dense computation (finite-
difference Jacobians, ``np.linalg.inv``) or scikit-learn's ``BayesianRidge``."""

import copy

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.special import expit, softmax
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import BayesianRidge

from sklearn_lmwc import LMWCClassifier, LMWCRegressor, _predictive
from sklearn_lmwc._predictive import mixture, moderated

pytestmark = pytest.mark.usefixtures("one_blas_thread")  # see conftest.py


def _data(n=60, d=2, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (n, d))
    Y = np.column_stack([np.sin(2 * X[:, 0] + k) + 0.3 * X[:, 1] for k in range(outputs)])
    Y += 0.1 * rng.normal(size=Y.shape)
    return X, Y[:, 0] if outputs == 1 else Y


def _dense_precision(net, w, J, alpha, hessians=None):
    """``Q + D`` from a training Jacobian: ``sum_p J_p^T H_p J_p`` (H the identity for
    squared error) plus alpha on the penalised weights and ``1e-6 alpha`` on the
    biases (the jitter the library documents)."""
    if hessians is None:
        Q = np.einsum("pmi,pmj->ij", J, J)
    else:
        Q = np.einsum("pmi,pmk,pkj->ij", J, hessians, J)
    biases = net.bias_mask()
    return Q + np.diag(np.where(biases, 1e-6 * alpha, alpha)), ~biases


def _one_member(estimator, k):
    """A copy of a committee estimator that keeps member k alone."""
    single = copy.deepcopy(estimator)
    single.coefs_ = single.committee_coefs_[k]
    single.intercepts_ = single.committee_intercepts_[k]
    single.committee_coefs_ = [single.coefs_]
    single.committee_intercepts_ = [single.intercepts_]
    single.laplace_posteriors_ = [estimator.laplace_posteriors_[k]]
    return single


# ---- regression ------------------------------------------------------------------------
def test_identity_network_reproduces_bayesian_ridge():
    # No hidden layer: a linear model. BayesianRidge without hyperpriors stops at
    # MacKay's fixed point; with its alpha (ours: lambda / alpha in the targets'
    # units) our noise estimate SSE / (n - gamma) is its 1 / alpha_. BayesianRidge
    # leaves the intercept's variance out (it centres X): on centred training inputs
    # that is 1 / (n beta), added here.
    rng = np.random.default_rng(1)
    n, d = 80, 4
    X = rng.normal(size=(n, d))
    X -= X.mean(axis=0)
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    y = (y - y.mean()) / y.std()  # standardised already: the internal scaling is 1
    ridge = BayesianRidge(tol=1e-14, max_iter=100_000, alpha_1=0, alpha_2=0, lambda_1=0,
                          lambda_2=0).fit(X, y)
    reg = LMWCRegressor(hidden_layer_sizes=(), alpha=ridge.lambda_ / ridge.alpha_,
                        n_init=1, tol=None, max_iter=50, random_state=0).fit(X, y)
    X_test = rng.normal(size=(25, d))
    mean_br, std_br = ridge.predict(X_test, return_std=True)
    mean, std = reg.predict(X_test, return_std=True)
    np.testing.assert_allclose(mean, mean_br, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(std, np.sqrt(std_br**2 + 1 / (n * ridge.alpha_)), rtol=1e-8)


@pytest.mark.parametrize("outputs", [1, 2])
@pytest.mark.parametrize("alpha", ["bayes", 0.05])
def test_std_against_a_finite_difference_posterior(outputs, alpha, fd_jacobian):
    X, y = _data(outputs=outputs)
    reg = LMWCRegressor(hidden_layer_sizes=(3,), alpha=alpha, n_init=1, max_iter=60,
                        random_state=0).fit(X, y)
    net, w = reg._network, reg._network.pack(reg.coefs_, reg.intercepts_)
    A, penalised = _dense_precision(net, w, fd_jacobian(net, w, X), reg.alpha_)
    covariance = np.linalg.inv(A)
    # the noise from the residuals of the standardised targets, gamma at the weights
    Y = ((y.reshape(len(y), -1) - reg._y_mean) / reg._y_scale)
    sse = np.sum((net.forward(w, X) - Y) ** 2)
    gamma = penalised.sum() - reg.alpha_ * np.trace(covariance[np.ix_(penalised, penalised)])
    if alpha == "bayes":
        np.testing.assert_allclose(gamma, reg.n_effective_params_, rtol=1e-5)
    noise = sse / (Y.size - gamma)
    X_test = np.vstack([_data(n=20, outputs=outputs, seed=2)[0], [[4.0, -4.0]]])
    G = fd_jacobian(net, w, X_test)
    expected = np.sqrt(noise * (1 + np.einsum("pmi,ij,pmj->pm", G, covariance, G))) \
        * reg._y_scale
    mean, std = reg.predict(X_test, return_std=True)
    np.testing.assert_allclose(mean, reg.predict(X_test), rtol=1e-12)
    np.testing.assert_allclose(std, expected.ravel() if outputs == 1 else expected,
                               rtol=1e-5)
    assert std.shape == mean.shape
    # far from the data the weights' part dominates: the band widens
    assert np.all(std[-1] > 2 * np.median(std[:-1], axis=0))


@pytest.mark.parametrize("outputs", [1, 3])
def test_cov_diagonal_is_the_variance(outputs):
    X, y = _data(outputs=outputs)
    reg = LMWCRegressor(hidden_layer_sizes=(3,), n_init=2, committee_size=2, max_iter=30,
                        random_state=0).fit(X, y)
    X_test = _data(n=15, outputs=outputs, seed=3)[0]
    mean, std = reg.predict(X_test, return_std=True)
    mean_c, cov = reg.predict(X_test, return_cov=True)
    np.testing.assert_allclose(mean_c, mean)
    assert cov.shape == ((15, 15) if outputs == 1 else (15, 15, outputs))
    cov = cov.reshape(15, 15, -1)
    np.testing.assert_allclose(np.einsum("iim->im", cov), std.reshape(15, -1) ** 2,
                               rtol=1e-9)
    for m in range(outputs):
        np.testing.assert_allclose(cov[:, :, m], cov[:, :, m].T, rtol=1e-10, atol=1e-14)
        assert np.linalg.eigvalsh(cov[:, :, m]).min() > 0
    with pytest.raises(RuntimeError, match="At most one of return_std or return_cov"):
        reg.predict(X_test, return_std=True, return_cov=True)


def test_committee_std_is_the_mixture_of_its_members():
    X, y = _data()
    reg = LMWCRegressor(hidden_layer_sizes=(3,), n_init=3, committee_size=3, max_iter=30,
                        random_state=0).fit(X, y)
    X_test = _data(n=30, seed=4)[0]
    members = [_one_member(reg, k).predict(X_test, return_std=True) for k in range(3)]
    means = np.array([m for m, _ in members])
    variances = np.array([s**2 for _, s in members])
    assert np.ptp(means, axis=0).max() > 1e-3  # the members differ
    mean, std = reg.predict(X_test, return_std=True)
    np.testing.assert_allclose(mean, means.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(std**2, variances.mean(axis=0) + means.var(axis=0),
                               rtol=1e-9)


@pytest.mark.parametrize("alpha", ["bayes", 0.05])
def test_trials_keep_the_factor_their_evidence_made(alpha, monkeypatch):
    # within the memory bound each trial keeps the factor of its end-of-run posterior;
    # beyond it the fit computes its committee's afterwards: the same posteriors
    X, y = _data()
    params = dict(hidden_layer_sizes=(3,), alpha=alpha, n_init=3, committee_size=2,
                  max_iter=30, random_state=0)
    kept = LMWCRegressor(**params).fit(X, y)
    monkeypatch.setattr(_predictive, "_TRIALS_ELEMENTS", 0)
    computed = LMWCRegressor(**params).fit(X, y)
    assert len(kept.laplace_posteriors_) == 2
    for a, b in zip(kept.laplace_posteriors_, computed.laplace_posteriors_):
        np.testing.assert_allclose(a.factor, b.factor, rtol=1e-10, atol=1e-12)
        assert a.noise_variance == pytest.approx(b.noise_variance, rel=1e-10)


def test_mixture_moments():
    rng = np.random.default_rng(0)
    means, variances = rng.normal(size=(4, 7, 2)), rng.uniform(0.1, 1, (4, 7, 2))
    mean, variance = mixture(list(means), list(variances))
    np.testing.assert_allclose(mean, means.mean(axis=0))
    # E[x^2] - E[x]^2 over the members' Gaussians
    np.testing.assert_allclose(variance, (variances + means**2).mean(axis=0) - mean**2)
    covariances = np.einsum("tim,tjm->tijm", variances, variances)  # PSD per output
    mean, cov = mixture(list(means), list(covariances))
    deviation = means - mean
    for m in range(2):
        spread = np.mean([np.outer(d[:, m], d[:, m]) for d in deviation], axis=0)
        np.testing.assert_allclose(cov[:, :, m], covariances[:, :, :, m].mean(axis=0) + spread)


def test_std_with_sample_weight_equals_repetition():
    X, y = _data(n=40)
    weights = np.random.default_rng(0).integers(0, 3, size=40)
    params = dict(hidden_layer_sizes=(3,), compression=None, alpha=1e-2, tol=None,
                  max_iter=300, n_init=1, random_state=0)
    weighted = LMWCRegressor(**params).fit(X, y, sample_weight=weights)
    repeated = LMWCRegressor(**params).fit(np.repeat(X, weights, axis=0),
                                           np.repeat(y, weights))
    X_test = _data(n=20, seed=5)[0]
    std_w = weighted.predict(X_test, return_std=True)[1]
    np.testing.assert_allclose(std_w, repeated.predict(X_test, return_std=True)[1],
                               rtol=1e-5)
    # and weights change it: the unweighted fit's differs
    unweighted = LMWCRegressor(**params).fit(X, y)
    assert not np.allclose(std_w, unweighted.predict(X_test, return_std=True)[1], rtol=1e-3)


def test_std_for_float32_and_sparse_inputs():
    X, y = _data()
    reg = LMWCRegressor(hidden_layer_sizes=(3,), n_init=1, max_iter=30,
                        random_state=0).fit(X, y)
    X_test = _data(n=20, seed=6)[0]
    X_test[::3, 1] = 0.0
    mean, std = reg.predict(X_test, return_std=True)
    mean_s, std_s = reg.predict(csr_matrix(X_test), return_std=True)
    np.testing.assert_allclose(mean_s, mean, rtol=1e-12)
    np.testing.assert_allclose(std_s, std, rtol=1e-12)
    reg32 = LMWCRegressor(hidden_layer_sizes=(3,), n_init=1, max_iter=30,
                          random_state=0).fit(X.astype(np.float32), y)
    mean32, std32 = reg32.predict(X_test.astype(np.float32), return_std=True)
    assert mean32.dtype == std32.dtype == np.float32
    np.testing.assert_allclose(std32, reg32.predict(X_test, return_std=True)[1], rtol=1e-5)


def test_no_posterior_answers_with_a_clear_error(monkeypatch):
    X, y = _data(n=30)
    with pytest.raises(NotFittedError):
        LMWCRegressor().predict(X, return_std=True)
    # more weights than the factor is kept for
    monkeypatch.setattr(_predictive, "MAX_WEIGHTS", 10)
    reg = LMWCRegressor(hidden_layer_sizes=(4,), n_init=1, max_iter=5,
                        random_state=0).fit(X, y)
    assert reg.laplace_posteriors_ == [None]
    with pytest.raises(ValueError, match="has no Laplace posterior.*weights, more than"):
        reg.predict(X, return_std=True)
    monkeypatch.undo()
    # no penalty on a network the data do not determine (more weights than samples):
    # Q + D is singular, there is no posterior
    reg = LMWCRegressor(hidden_layer_sizes=(8,), alpha=0.0, n_init=1, max_iter=20,
                        random_state=0).fit(X[:6], y[:6])
    reg.predict(X)  # predictions themselves are fine
    with pytest.raises(ValueError, match="not positive definite.*alpha='bayes'"):
        reg.predict(X, return_cov=True)
    # a model unpickled from a version that kept no posterior
    del reg.laplace_posteriors_
    with pytest.raises(ValueError, match="kept none; refit"):
        reg.predict(X, return_std=True)


@pytest.mark.slow
def test_intervals_cover_the_noise_of_a_known_curve():
    # a curve with Gaussian noise of known scale: the 95% interval covers about 95% of
    # fresh targets, and the std is at least the noise's
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (300, 1))
    noise = 0.2

    def f(X):
        return np.sin(2 * X[:, 0]) + 0.5 * X[:, 0]

    reg = LMWCRegressor(random_state=0).fit(X, f(X) + noise * rng.normal(size=300))
    X_test = rng.uniform(-2, 2, (4000, 1))
    y_test = f(X_test) + noise * rng.normal(size=4000)
    mean, std = reg.predict(X_test, return_std=True)
    coverage = np.mean(np.abs(y_test - mean) <= 1.96 * std)
    assert 0.93 <= coverage <= 0.97
    assert np.median(std) == pytest.approx(noise, rel=0.15)


# ---- classification ----------------------------------------------------------------------
def _classes(kind, n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    if kind == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + 0.5 * rng.normal(size=n), [-0.5, 0.5])
    else:
        y = (X[:, 0] - X[:, 1] ** 2 + 0.7 * rng.normal(size=n) > -0.5).astype(int)
    return X, y


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_logit_std_and_moderation_against_a_dense_posterior(kind, fd_jacobian):
    X, y = _classes(kind)
    clf = LMWCClassifier(hidden_layer_sizes=(3,), n_init=1, max_iter=40,
                         moderation="probit", random_state=0).fit(X, y)
    net, w = clf._network, clf._network.pack(clf.coefs_, clf.intercepts_)
    Z = net.forward(w, X)
    if kind == "multiclass":  # H_p = diag(p) - p p^T
        P = softmax(Z, axis=1)
        hessians = np.einsum("pm,mk->pmk", P, np.eye(3)) - np.einsum("pm,pk->pmk", P, P)
    else:  # p (1 - p)
        hessians = (expit(Z) * expit(-Z))[:, :, None]
    A, _ = _dense_precision(net, w, fd_jacobian(net, w, X), clf.alpha_, hessians)
    covariance = np.linalg.inv(A)
    X_test = np.vstack([_classes(kind, n=20, seed=1)[0], [[5.0, 5.0]]])
    G = fd_jacobian(net, w, X_test)
    if kind == "multiclass":  # softmax counts the logits' differences only
        G = G - G.mean(axis=1, keepdims=True)
    variance = np.einsum("pmi,ij,pmj->pm", G, covariance, G)
    logits = net.forward(w, X_test)
    scores, std = clf.decision_function(X_test, return_std=True)
    np.testing.assert_allclose(std, np.sqrt(variance).squeeze(), rtol=1e-5)
    expected = logits / np.sqrt(1 + np.pi * variance / 8)
    np.testing.assert_allclose(scores, expected.squeeze(), rtol=1e-5, atol=1e-8)
    proba = clf.predict_proba(X_test)
    if kind == "multiclass":
        np.testing.assert_allclose(proba, softmax(expected, axis=1), rtol=1e-5)
    else:
        np.testing.assert_allclose(proba[:, 1], expit(expected[:, 0]), rtol=1e-5)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[proba.argmax(axis=1)])
    # moderation pulls the far point's probabilities towards uniform
    clf.set_params(moderation=None)
    plug_in = clf.predict_proba(X_test)
    np.testing.assert_allclose(clf.decision_function(X_test), logits.squeeze(), rtol=1e-12)
    assert proba[-1].max() < plug_in[-1].max()


def test_moderation_needs_log_loss_and_a_posterior(monkeypatch):
    X, y = _classes("binary")
    params = dict(hidden_layer_sizes=(3,), n_init=1, max_iter=20, random_state=0)
    pm1 = LMWCClassifier(loss="squared_error", alpha=0.1, moderation="probit",
                         **params).fit(X, y)
    plain = pm1.predict_proba(X)
    np.testing.assert_array_equal(plain, pm1.set_params(moderation=None).predict_proba(X))
    monkeypatch.setattr(_predictive, "MAX_WEIGHTS", 5)
    big = LMWCClassifier(moderation="probit", **params).fit(X, y)
    np.testing.assert_array_equal(big.predict_proba(X),
                                  big.set_params(moderation=None).predict_proba(X))
    with pytest.raises(ValueError, match="no Laplace posterior"):
        big.decision_function(X, return_std=True)


def test_moderated_is_the_probit_approximation():
    # E[sigmoid(z)] for z ~ N(mu, v), by quadrature, against sigmoid(mu / sqrt(1 +
    # pi v / 8)): MacKay's approximation is within 0.02 for these
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    for mu, v in [(0.0, 4.0), (2.0, 1.0), (-3.0, 9.0), (5.0, 0.25)]:
        exact = weights @ expit(mu + np.sqrt(v) * nodes) / weights.sum()
        assert expit(moderated(mu, v)) == pytest.approx(exact, abs=0.02)
