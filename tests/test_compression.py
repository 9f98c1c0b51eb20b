import numpy as np
import pytest

from sklearn_lmwc._compression import (
    AdaptiveCompression,
    IntervalTrigger,
    NoPolicy,
    RandomRestart,
    StallTrigger,
    compress,
    make_policy,
)
from sklearn_lmwc._losses import SquaredError
from sklearn_lmwc._objective import Objective
from sklearn_lmwc._network import Network


def _objective(hidden=(5,), topology="mlp", gain=1.0, seed=0):
    rng = np.random.default_rng(seed)
    network = Network(3, hidden, 1, topology, "tanh", gain)
    X = rng.uniform(-1, 1, (60, 3))
    objective = Objective(network, SquaredError(), X, np.sin(X.sum(1, keepdims=True)))
    w = 3 * rng.normal(size=network.n_weights)  # large: saturated neurons
    return objective, w


def _mean_abs_net(objective, w):
    (W, b), *_ = objective.network.unpack(w)
    return np.abs(objective.X @ W + b).mean(axis=0)


@pytest.mark.parametrize("gain", [1.0, 2.5])
@pytest.mark.parametrize("omega", [0.1, 1.3])
def test_compress_sets_mean_abs_net_to_omega_over_gain(gain, omega):
    objective, w = _objective(gain=gain)
    assert np.all(_mean_abs_net(objective, w) > omega / gain)  # it really changes
    w_new = compress(objective, w, omega)
    np.testing.assert_allclose(_mean_abs_net(objective, w_new), omega / gain, rtol=1e-12)


def test_compress_authors_statistic_is_brought_to_omega():
    objective, w = _objective()
    w_new = compress(objective, w, 0.7, "authors")
    stats = objective.network.net_statistic(w_new, objective.X, "authors")[0]
    np.testing.assert_allclose(stats.mean(axis=0), 0.7, rtol=1e-12)
    # the authors' statistic is larger than mean |net|, so it compresses harder
    assert np.all(_mean_abs_net(objective, w_new) < 0.7)


def test_compress_leaves_output_layer_and_input_untouched():
    objective, w = _objective(hidden=(3, 2), topology="bmlp")
    w0 = w.copy()
    w_new = compress(objective, w, 0.1)
    np.testing.assert_array_equal(w, w0)
    out = objective.network.layers[-1]
    np.testing.assert_array_equal(w_new[out.weights], w[out.weights])
    np.testing.assert_array_equal(w_new[out.bias], w[out.bias])


def test_compress_computes_all_statistics_before_scaling():
    objective, w = _objective(hidden=(1, 1, 1), topology="fcc")
    before = [m[0] for m in objective.mean_net_statistic(w, "mean")]
    w_new = compress(objective, w, 0.2)
    for layer, m in zip(objective.network.hidden, before):
        np.testing.assert_allclose(w_new[layer.weights], w[layer.weights] * 0.2 / m)
        np.testing.assert_allclose(w_new[layer.bias], w[layer.bias] * 0.2 / m)


def test_dead_neuron_is_left_alone():
    objective, w = _objective(hidden=(2,))
    (W, b), _ = objective.network.unpack(w)
    W[:, 0] = 0.0
    b[0] = 0.0
    w_new = compress(objective, w, 0.1)
    assert np.all(np.isfinite(w_new))
    (W_new, _), _ = objective.network.unpack(w_new)
    np.testing.assert_array_equal(W_new[:, 0], 0.0)


def test_stall_trigger():
    fire = StallTrigger(1e-2)
    assert fire(1, 0.995, 1.0)
    assert not fire(1, 0.98, 1.0)
    assert fire(1, 1.0, 1.0)  # a failed iteration is a stall
    assert fire(1, 0.0, 0.0)


def test_interval_trigger():
    fire = IntervalTrigger(3)
    assert [fire(i, 0.0, 1.0) for i in range(1, 8)] == [False, False, True,
                                                         False, False, True, False]


class _Always:
    def __call__(self, iteration, value, previous):
        return True


def test_adaptive_improvement_grows_omega_and_keeps_best():
    objective, w0 = _objective()
    policy = AdaptiveCompression(_Always(), objective, w0, 10.0, omega=0.1, rho=1.1)
    w1 = w0 + 0.01
    new = policy.observe(1, w1, 5.0, 6.0)
    assert policy.omega == pytest.approx(0.11)
    np.testing.assert_array_equal(policy.best_w, w1)
    assert policy.best_value == 5.0 and policy.event == "compression"
    np.testing.assert_allclose(new, compress(objective, w1, 0.11))


def test_adaptive_no_improvement_reverts_and_shrinks_omega():
    objective, w0 = _objective()
    policy = AdaptiveCompression(_Always(), objective, w0, 10.0, omega=0.1, rho=1.1)
    worse = w0 + 0.5
    new = policy.observe(1, worse, 12.0, 12.0)
    assert policy.omega == pytest.approx(0.1 / 1.1)
    np.testing.assert_array_equal(policy.best_w, w0)
    # the best weights are restored, then compressed
    np.testing.assert_allclose(new, compress(objective, w0, 0.1 / 1.1))


def test_policy_quiet_without_trigger_and_finish_returns_best():
    objective, w0 = _objective()
    policy = AdaptiveCompression(StallTrigger(1e-4), objective, w0, 10.0)
    assert policy.observe(1, w0 + 1, 9.0, 10.0) is None
    w, value = policy.finish(w0 + 1, 11.0)
    np.testing.assert_array_equal(w, w0)
    assert value == 10.0
    w, value = policy.finish(w0 + 1, 9.0)
    np.testing.assert_array_equal(w, w0 + 1)


def test_restart_draws_fresh_weights_and_keeps_best():
    draws = iter([np.full(4, 7.0), np.full(4, 8.0)])
    policy = RandomRestart(_Always(), np.zeros(4), 10.0, lambda: next(draws))
    np.testing.assert_array_equal(policy.observe(1, np.ones(4), 3.0, 3.0), 7.0)
    np.testing.assert_array_equal(policy.observe(2, np.full(4, 2.0), 5.0, 5.0), 8.0)
    assert policy.event == "restart"
    w, value = policy.finish(np.full(4, 9.0), 4.0)
    np.testing.assert_array_equal(w, 1.0)
    assert value == 3.0


def test_make_policy_dispatch():
    objective, w = _objective()
    kw = dict(objective=objective, w=w, value=1.0, draw=lambda: w)
    assert isinstance(make_policy(None, "stall", **kw), NoPolicy)
    adaptive = make_policy("adaptive", "stall", beta=1e-3, omega=0.5, **kw)
    assert isinstance(adaptive, AdaptiveCompression) and adaptive.omega == 0.5
    assert adaptive.trigger.beta == 1e-3
    restart = make_policy("restart", "interval", interval=4, **kw)
    assert isinstance(restart, RandomRestart) and restart.trigger.interval == 4
