"""The prior (``_bayes``): the penalty, the evidence re-estimate and its state."""

import numpy as np
import pytest
from scipy.linalg import inv

from sklearn_lmwc._bayes import _ALPHA_START, Prior, PriorState
from sklearn_lmwc._losses import LogLoss, SquaredError
from sklearn_lmwc._solve import WeightSpaceSystem


def _system(seed=0, N=9):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(40, N))
    return A.T @ A, rng.normal(size=N)


def _dense_gamma(Q, alpha, mask):
    """``N_w - alpha tr_w((Q + alpha diag(mask))^-1)``, written out."""
    inverse = inv(Q + alpha * np.diag(mask.astype(float)))
    return mask.sum() - alpha * np.trace(inverse[np.ix_(mask, mask)])


def test_fixed_alpha_penalty_and_no_reestimate():
    mask = np.array([True, False, True])
    prior = Prior(0.5, mask)
    assert not prior.bayes and prior.active
    w = np.array([1.0, 10.0, 2.0])
    assert prior.penalty(w) == pytest.approx(0.5 * 0.5 * 5.0)
    np.testing.assert_array_equal(prior.diagonal(), [0.5, 0.0, 0.5])
    Q, _ = _system(N=3)
    assert not prior.reestimate(w, 1.0, WeightSpaceSystem(Q, np.ones(3)), 10, lambda *a: 1.0)
    assert prior.state() == PriorState(0.5, None)
    assert not Prior(0.0, mask).active and Prior("bayes", mask).active


def test_start_from_the_weak_prior_or_a_given_alpha():
    prior = Prior("bayes", np.ones(3, bool))
    assert prior.alpha == 0.0
    prior.start()
    assert prior.alpha == _ALPHA_START
    prior.start(2.5)
    assert prior.alpha == 2.5


@pytest.mark.parametrize("loss", [SquaredError(), LogLoss("logistic")])
def test_reestimate_is_the_evidence_update(loss):
    Q, g = _system()
    mask = np.ones(9, bool)
    mask[[2, 7]] = False  # biases
    prior = Prior("bayes", mask)
    prior.start(0.3)
    w = np.random.default_rng(1).normal(size=9)
    system = WeightSpaceSystem(Q + 0.3 * np.diag(mask.astype(float)), g)
    data, n = 12.5, 40
    assert prior.reestimate(w, data, system, n, loss.noise_variance)
    gamma = _dense_gamma(Q, 0.3, mask)
    assert prior.gamma == pytest.approx(gamma, rel=1e-5)
    # alpha = (gamma / ||w||^2) / beta; beta = (n - gamma) / SSE for squared error,
    # 1 for log-loss
    precision = gamma / (w[mask] @ w[mask])
    beta = (n - gamma) / (2 * data) if loss.name == "squared_error" else 1.0
    assert prior.alpha == pytest.approx(precision / beta, rel=1e-5)


def test_effective_parameters_fail_on_an_indefinite_system():
    prior = Prior("bayes", np.ones(3, bool))
    prior.start()
    assert prior.effective_parameters(WeightSpaceSystem(-np.eye(3), np.ones(3))) is None
    assert not prior.reestimate(np.ones(3), 1.0, WeightSpaceSystem(-np.eye(3), np.ones(3)),
                                10, SquaredError().noise_variance)
    assert prior.alpha == _ALPHA_START and prior.gamma is None


def test_state_restores_alpha_and_gamma():
    prior = Prior("bayes", np.ones(3, bool))
    prior.start(1.0)
    saved = prior.state()
    prior.alpha, prior.gamma = 7.0, 2.0
    prior.restore(saved)
    assert prior.state() == PriorState(1.0, None)
