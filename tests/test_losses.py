import numpy as np
import pytest

from sklearn_lmwc._losses import Objective, SquaredError
from sklearn_lmwc._network import Network


def _problem(n=300, n_outputs=2, weighted=True, alpha=0.0, seed=0):
    rng = np.random.default_rng(seed)
    network = Network(3, (4,), n_outputs, "bmlp", "tanh")
    X = rng.normal(size=(n, 3))
    Y = rng.normal(size=(n, n_outputs))
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    w = rng.normal(size=network.n_weights)
    return Objective(network, SquaredError(), X, Y, sw, alpha), w


def _dense(objective, w):
    """Q and g from the whole Jacobian at once, written out independently."""
    out, J = objective.network.jacobian(w, objective.X)
    sw = np.ones(len(out)) if objective.sample_weight is None else objective.sample_weight
    Jf = J.reshape(-1, J.shape[-1])
    s = np.repeat(sw, out.shape[1])
    r = (out - objective.Y).ravel()
    Q = Jf.T @ (s[:, None] * Jf)
    g = Jf.T @ (s * r)
    mask = ~objective.network.bias_mask()
    Q += objective.alpha * np.diag(mask.astype(float))
    g += objective.alpha * mask * w
    return Q, g


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_chunked_normal_equations_equal_whole_jacobian(weighted, alpha):
    objective, w = _problem(weighted=weighted, alpha=alpha)
    objective.chunk = 64  # several chunks, the last one partial
    Q, g = objective.normal_equations(w)
    Q_ref, g_ref = _dense(objective, w)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-10)


def test_gradient_is_derivative_of_value():
    objective, w = _problem(alpha=0.2)
    _, g = objective.normal_equations(w)
    h = 1e-6
    fd = np.array([(objective.value(w + h * e) - objective.value(w - h * e)) / (2 * h)
                   for e in np.eye(len(w))])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)


def test_value_and_mean_loss():
    objective, w = _problem(weighted=True)
    out = objective.network.forward(w, objective.X)
    sw = objective.sample_weight
    sse = sw @ ((out - objective.Y) ** 2).sum(axis=1)
    assert objective.value(w) == pytest.approx(0.5 * sse)
    mse = sse / (sw.sum() * out.shape[1])
    assert objective.mean(objective.value(w)) == pytest.approx(mse)
    assert objective.goal_metric(objective.value(w)) == pytest.approx(np.sqrt(mse))


def test_penalty_skips_biases():
    objective, w = _problem(alpha=2.0)
    plain = Objective(objective.network, SquaredError(), objective.X, objective.Y,
                      objective.sample_weight, 0.0)
    W = w[~objective.network.bias_mask()]
    assert objective.value(w) - plain.value(w) == pytest.approx(W @ W)


def test_overflow_gives_inf_not_warning():
    objective, w = _problem()
    with np.errstate(all="raise"):
        assert objective.value(w * 1e300) == np.inf


def test_chunk_bounds_memory():
    # the rows held at once do not depend on the number of samples
    small, _ = _problem(n=100)
    large, _ = _problem(n=100_000)
    assert small.chunk == large.chunk


def test_mean_net_statistic_weighted():
    objective, w = _problem()
    stats = objective.network.net_statistic(w, objective.X, "mean")
    sw = objective.sample_weight
    expected = [sw @ s / sw.sum() for s in stats]
    objective.chunk = 64
    for got, want in zip(objective.mean_net_statistic(w, "mean"), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
