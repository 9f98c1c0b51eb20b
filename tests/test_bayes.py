"""The prior (``_bayes``): the penalty, the evidence re-estimate, and its states, which
it hands back and never holds."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.linalg import inv

from sklearn_lmwc._bayes import _ALPHA_BOUNDS, _ALPHA_START, _TRACE_DAMPING, Prior, PriorState
from sklearn_lmwc._losses import LogLoss, SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._solve import ResidualSpaceSystem, WeightSpaceSystem


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
    assert prior.penalty(w, 0.5) == pytest.approx(0.5 * 0.5 * 5.0)
    np.testing.assert_array_equal(prior.diagonal(0.5), [0.5, 0.0, 0.5])
    Q, _ = _system(N=3)
    assert prior.reestimate(w, 1.0, WeightSpaceSystem(Q, np.ones(3)), 10, lambda *a: 1.0,
                            0.5) is None
    assert prior.initial() == prior.start() == prior.start(2.0) == PriorState(0.5, None)
    assert not Prior(0.0, mask).active and Prior("bayes", mask).active


def test_start_from_the_weak_prior_or_a_given_alpha():
    prior = Prior("bayes", np.ones(3, bool))
    assert prior.initial() == PriorState(0.0, None)
    assert prior.start() == PriorState(_ALPHA_START, None)
    assert prior.start(2.5) == PriorState(2.5, None)


@pytest.mark.parametrize("loss", [SquaredError(), LogLoss("logistic")])
def test_reestimate_is_the_evidence_update(loss):
    Q, g = _system()
    mask = np.ones(9, bool)
    mask[[2, 7]] = False  # biases
    prior = Prior("bayes", mask)
    w = np.random.default_rng(1).normal(size=9)
    system = WeightSpaceSystem(Q + 0.3 * np.diag(mask.astype(float)), g)
    data, n = 12.5, 40
    state = prior.reestimate(w, data, system, n, loss.noise_variance, 0.3)
    gamma = _dense_gamma(Q, 0.3, mask)
    assert state.gamma == pytest.approx(gamma, rel=1e-5)
    # alpha = (gamma / ||w||^2) / beta; beta = (n - gamma) / SSE for squared error,
    # 1 for log-loss
    precision = gamma / (w[mask] @ w[mask])
    beta = (n - gamma) / (2 * data) if loss.name == "squared_error" else 1.0
    assert state.alpha == pytest.approx(precision / beta, rel=1e-5)


def test_effective_parameters_fail_on_an_indefinite_system():
    prior = Prior("bayes", np.ones(3, bool))
    assert prior.effective_parameters(WeightSpaceSystem(-np.eye(3), np.ones(3)),
                                      _ALPHA_START) is None
    assert prior.reestimate(np.ones(3), 1.0, WeightSpaceSystem(-np.eye(3), np.ones(3)),
                            10, SquaredError().noise_variance, _ALPHA_START) is None


# ---- groups of weights: one alpha per group ---------------------------------------


def _grouped_problem(seed=3, R=30, N=10):
    """A loss-scaled Jacobian, a gradient, weights and three groups of them."""
    rng = np.random.default_rng(seed)
    J, g, w = rng.normal(size=(R, N)), rng.normal(size=N), rng.normal(size=N)
    groups = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 2])
    return J, g, w, groups


def _dense_group_gamma(Q, alpha, groups, damping):
    """``N_g - alpha_g tr_g((Q + diag(alpha[groups]) + damping I)^-1)``, written out."""
    diagonal = np.diag(inv(Q + np.diag(alpha[groups]) + damping * np.eye(groups.size)))
    return np.array([np.count_nonzero(groups == k) - alpha[k] * diagonal[groups == k].sum()
                     for k in range(alpha.size)])


def test_groups_need_a_bayesian_alpha():
    mask = np.ones(4, bool)
    for alpha in (0.1, 0.0):
        with pytest.raises(ValueError, match="bayes"):
            Prior(alpha, mask, np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="empty"):
        Prior("bayes", mask, np.array([0, 2, 0, 2]))  # group 1 is empty
    for groups in (np.array([0, 1, 0]), np.array([0, -1, 0, 1]), np.zeros(4)):
        with pytest.raises(ValueError, match="one int per weight"):
            Prior("bayes", mask, groups)


def test_penalising_is_the_truth_of_a_scalar_alpha():
    mask = np.array([True, False, True])
    prior = Prior("bayes", mask)
    assert prior.penalising(0.5) and not prior.penalising(0.0)
    assert not prior.penalising(prior.initial().alpha)
    assert prior.penalising(prior.start().alpha)


def test_grouped_penalty_diagonal_and_start():
    groups = np.array([0, 1, 0, 2, 1])
    # biases have a group of their own: every weight is penalised, whatever the mask
    prior = Prior("bayes", np.array([True, True, False, True, False]), groups)
    assert prior.bayes and prior.active and prior.n_groups == 3
    assert prior.penalised.all()
    w = np.array([1.0, -2.0, 3.0, 0.5, 4.0])
    # before start: no penalty, and alpha an array (its truth would be ambiguous)
    initial = prior.initial().alpha
    assert not prior.penalising(initial)
    assert_array_equal(initial, np.zeros(3))
    assert_array_equal(prior.diagonal(initial), np.zeros(5))
    assert prior.penalty(w, initial) == 0.0
    assert prior.penalising(prior.start().alpha)
    assert_array_equal(prior.start().alpha, np.full(3, _ALPHA_START))
    assert_array_equal(prior.start(2.5).alpha, np.full(3, 2.5))
    fitted = np.array([1.0, 2.0, 3.0])
    alpha = prior.start(fitted).alpha  # a warm start from a fitted array: copied
    fitted[0] = 9.0
    assert_array_equal(alpha, [1.0, 2.0, 3.0])
    assert_array_equal(prior.diagonal(alpha), [1.0, 2.0, 1.0, 3.0, 2.0])
    expected = 0.5 * (1.0 * (1 + 9) + 2.0 * (4 + 16) + 3.0 * 0.25)
    assert prior.penalty(w, alpha) == pytest.approx(expected, rel=1e-15)
    assert prior.penalty(w, alpha) == pytest.approx(0.5 * prior.diagonal(alpha) @ (w * w),
                                                    rel=1e-15)


@pytest.mark.parametrize("System", ["weights", "residuals"])
def test_grouped_effective_parameters_match_a_dense_computation(System):
    J, g, w, groups = _grouped_problem()
    prior = Prior("bayes", np.ones(10, bool), groups)
    alpha = prior.start(np.array([0.2, 3.0, 40.0])).alpha
    Q = J.T @ J
    if System == "weights":
        system = WeightSpaceSystem(Q + np.diag(prior.diagonal(alpha)), g)
    else:
        system = ResidualSpaceSystem(J, g, prior.diagonal(alpha))
    gamma = prior.effective_parameters(system, alpha)
    # the jitter relative to the smallest alpha, as the trace's
    expected = _dense_group_gamma(Q, alpha, groups, _TRACE_DAMPING * 0.2)
    assert gamma.shape == (3,)
    np.testing.assert_allclose(gamma, expected, rtol=1e-8)
    assert np.all((gamma > 0) & (gamma < np.bincount(groups)))
    # a solve's factor with a damping below the jitter serves the estimate
    assert system.solve(1e-9) is not None
    np.testing.assert_allclose(prior.effective_parameters(system, alpha),
                               _dense_group_gamma(Q, alpha, groups, 1e-9), rtol=1e-8)


@pytest.mark.parametrize("loss", [SquaredError(), LogLoss("logistic")])
def test_grouped_reestimate_is_the_evidence_update_per_group(loss):
    J, g, w, groups = _grouped_problem()
    prior = Prior("bayes", np.ones(10, bool), groups)
    start = np.array([0.2, 3.0, 40.0])
    Q = J.T @ J
    system = WeightSpaceSystem(Q + np.diag(prior.diagonal(start)), g)
    data, n = 12.5, 30
    state = prior.reestimate(w, data, system, n, loss.noise_variance, start)
    gamma = _dense_group_gamma(Q, start, groups, _TRACE_DAMPING * 0.2)
    np.testing.assert_allclose(state.gamma, gamma, rtol=1e-8)
    # alpha_g = (gamma_g / ||w_g||^2) / beta, beta from the total gamma:
    # (n - gamma) / SSE for squared error, 1 for log-loss
    squares = np.array([w[groups == k] @ w[groups == k] for k in range(3)])
    beta = (n - gamma.sum()) / (2 * data) if loss.name == "squared_error" else 1.0
    expected = gamma / squares / beta
    assert np.all((expected > _ALPHA_BOUNDS[0]) & (expected < _ALPHA_BOUNDS[1]))
    np.testing.assert_allclose(state.alpha, expected, rtol=1e-8)
    assert_array_equal(start, [0.2, 3.0, 40.0])  # the state passed in is left alone


def test_grouped_reestimate_clips_and_fails_like_the_scalar_one():
    J, g, w, groups = _grouped_problem()
    prior = Prior("bayes", np.ones(10, bool), groups)
    alpha = prior.start().alpha
    system = WeightSpaceSystem(J.T @ J + np.diag(prior.diagonal(alpha)), g)
    w = w.copy()
    w[groups == 1] = 0.0  # a group of zero weights: the upper bound, no NaN
    w[groups == 2] *= 1e8  # huge weights: the lower bound
    state = prior.reestimate(w, 12.5, system, 30, SquaredError().noise_variance, alpha)
    assert state.alpha[1] == _ALPHA_BOUNDS[1] and state.alpha[2] == _ALPHA_BOUNDS[0]
    bad = WeightSpaceSystem(-np.eye(10), g)
    assert prior.effective_parameters(bad, state.alpha) is None
    assert prior.reestimate(w, 12.5, bad, 30, SquaredError().noise_variance,
                            state.alpha) is None


@pytest.mark.parametrize("System", ["weights", "residuals"])
def test_a_group_the_data_do_not_determine_counts_no_parameter(System):
    # the weights of a constant (zero) input feature: zero columns of J. Their
    # gamma is the jitter's own count; the formula then gives a weak penalty
    J, g, w, groups = _grouped_problem()
    J[:, groups == 1] = 0.0
    prior = Prior("bayes", np.ones(10, bool), groups)
    alpha = prior.start().alpha
    if System == "weights":
        system = WeightSpaceSystem(J.T @ J + np.diag(prior.diagonal(alpha)), g)
    else:
        system = ResidualSpaceSystem(J, g, prior.diagonal(alpha))
    state = prior.reestimate(w, 12.5, system, 30, SquaredError().noise_variance, alpha)
    assert 0.0 <= state.gamma[1] <= _TRACE_DAMPING * 3
    assert np.all(state.gamma[[0, 2]] > 0.1)
    assert np.isfinite(state.alpha).all() and state.alpha[1] < state.alpha[[0, 2]].min()


def test_ard_counts_no_parameter_for_a_constant_input_feature():
    # Levenberg-Marquardt written out, with one alpha per input feature: the
    # constant feature's group ends with gamma near 0, the others' determined; no
    # NaN along the way
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    X[:, 1] = 0.0
    y = np.sin(X[:, 0]) + 0.5 * X[:, 2] + 0.1 * rng.normal(size=60)
    net = Network(3, (4,), 1, topology="bmlp")
    groups, names = net.weight_groups("ard")
    prior = Prior("bayes", ~net.bias_mask(), groups)
    state = prior.start()
    w = 0.5 * rng.normal(size=net.n_weights)
    loss, mu = SquaredError(), 1e-2

    def data_loss(w):
        r = net.forward(w, X)[:, 0] - y
        return 0.5 * r @ r

    with np.errstate(all="raise"):
        for _ in range(40):
            _, J = net.jacobian(w, X)
            J = J[:, 0, :]
            diagonal = prior.diagonal(state.alpha)
            g = J.T @ (net.forward(w, X)[:, 0] - y) + diagonal * w
            value = data_loss(w) + prior.penalty(w, state.alpha)
            for _ in range(20):
                system = WeightSpaceSystem(J.T @ J + np.diag(diagonal), g)
                step = system.solve(mu)
                if step is not None and \
                        data_loss(w - step) + prior.penalty(w - step, state.alpha) < value:
                    w, mu = w - step, max(mu / 10, 1e-12)
                    break
                mu *= 10
            state = prior.reestimate(w, data_loss(w), system, 60, loss.noise_variance,
                                     state.alpha)
            assert np.isfinite(state.alpha).all() and np.isfinite(state.gamma).all()
    constant = names.index("input 1")
    assert state.gamma[constant] <= _TRACE_DAMPING * np.count_nonzero(groups == constant)
    others = np.arange(len(names)) != constant
    assert np.all(state.gamma[others] > 0.1)
