import numpy as np
import pytest

from sklearn_lmwc._compression import (
    AdaptiveCompression,
    IntervalTrigger,
    NoPolicy,
    RandomRestart,
    StallTrigger,
    WindowStallTrigger,
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


def test_window_stall_trigger_measures_over_the_window_and_waits_after_firing():
    fire = WindowStallTrigger(1e-2, 3)
    # each iteration lowers the objective by 0.4%: below beta over one, above over three
    values = 1.0 * 0.996 ** np.arange(1, 6)
    assert [fire(i, v, None) for i, v in enumerate(values, 1)] == [False] * 5
    # then flat: the first flat value is 0.8% below the one three iterations back, so
    # it fires; after firing it waits for three iterations from the new point
    flat = [fire(i, values[-1], None) for i in range(6, 14)]
    assert flat == [True, False, False, False, True, False, False, False]


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


class _Learning:
    """An objective whose learned state is a counter, bumped by the test."""

    def __init__(self):
        self.learned = 0

    def state(self):
        return self.learned

    def restore(self, state):
        self.learned = state

    def restate(self, w, value, state):
        return value  # what it learns changes no value


def test_restart_draws_fresh_weights_and_keeps_best():
    draws = iter([np.full(4, 7.0), np.full(4, 8.0)])
    objective = _Learning()
    policy = RandomRestart(_Always(), objective, np.zeros(4), 10.0, lambda: next(draws))
    objective.learned = 1
    np.testing.assert_array_equal(policy.observe(1, np.ones(4), 3.0, 3.0), 7.0)
    # a restart is a fresh start: the objective's state as at the run's start
    assert objective.learned == 0
    objective.learned = 2
    np.testing.assert_array_equal(policy.observe(2, np.full(4, 2.0), 5.0, 5.0), 8.0)
    assert policy.event == "restart"
    objective.learned = 3
    w, value = policy.finish(np.full(4, 9.0), 4.0)
    np.testing.assert_array_equal(w, 1.0)
    assert value == 3.0
    assert objective.learned == 1  # the state kept with the best weights


def test_compression_restores_the_state_of_the_best_weights():
    objective, w0 = _objective()
    # values as given, whatever alpha (Objective.restate is tested on its own)
    objective.restate = lambda w, value, state: value
    saved = objective.state()
    policy = AdaptiveCompression(_Always(), objective, w0, 10.0)
    objective.prior.alpha = 4.0  # what the objective learned on the way
    policy.observe(1, w0 + 0.5, 12.0, 12.0)  # no improvement: back to the best
    assert objective.state() == saved
    objective.prior.alpha = 5.0
    policy.observe(2, w0 + 0.1, 9.0, 9.5)  # an improvement: its state is kept
    objective.prior.alpha = 6.0
    w, value = policy.finish(w0 + 2, 11.0)
    np.testing.assert_array_equal(w, w0 + 0.1)
    assert value == 9.0 and objective.prior.alpha == 5.0
    objective.prior.alpha = 7.0
    w, _ = policy.finish(w0 + 3, 8.0)  # the final weights are the best: theirs stays
    np.testing.assert_array_equal(w, w0 + 3)
    assert objective.prior.alpha == 7.0


def test_make_policy_dispatch():
    objective, w = _objective()
    kw = dict(objective=objective, w=w, value=1.0, draw=lambda: w)
    assert isinstance(make_policy(None, "stall", **kw), NoPolicy)
    adaptive = make_policy("adaptive", "stall", beta=1e-3, omega=0.5, **kw)
    assert isinstance(adaptive, AdaptiveCompression) and adaptive.omega == 0.5
    assert adaptive.trigger.beta == 1e-3
    restart = make_policy("restart", "interval", interval=4, **kw)
    assert isinstance(restart, RandomRestart) and restart.trigger.interval == 4
    windowed = make_policy("adaptive", "stall", beta=1e-3, window=7, **kw)
    assert isinstance(windowed.trigger, WindowStallTrigger) and windowed.trigger.window == 7


def test_compression_holds_the_prior_until_the_fit_is_back_at_its_best():
    # compressed weights are small and fit worse: a Bayesian alpha re-estimated there
    # would grow and shrink them further, so it waits for the best value
    objective, w0 = _objective()
    objective.prior = type(objective.prior)("bayes", objective.prior.penalised)
    objective.start(w0)
    value = objective.value(w0)
    policy = AdaptiveCompression(_Always(), objective, w0, 0.5 * value)
    w1 = policy.observe(1, w0, value, value)  # no improvement on the best (half)
    alpha = objective.prior.alpha
    for point in (w1, w0):  # above the best value: nothing learned
        assert objective.accept(point, 0.6 * value) == 0.6 * value
        assert objective.prior.alpha == alpha and objective.prior.gamma is None
    # at the best value or below, the prior learns again
    objective.accept(w0, 0.5 * value)
    assert objective.prior.alpha != alpha and objective.prior.gamma is not None
