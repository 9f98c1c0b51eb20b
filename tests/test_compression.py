from dataclasses import replace

import numpy as np
import pytest

from sklearn_lmwc._bayes import PriorState
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
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective, Point


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


def _point(w, value, alpha=0.0, hold=None):
    """A point whose prior's state is ``alpha`` (the objectives here: a fixed 0)."""
    return Point(w, value, PriorState(alpha, None), hold=hold)


def test_adaptive_improvement_grows_omega_and_keeps_best():
    objective, w0 = _objective()
    policy = AdaptiveCompression(_Always(), objective, _point(w0, 10.0), omega=0.1, rho=1.1)
    w1 = w0 + 0.01
    point = _point(w1, 5.0)
    move = policy.observe(1, point, 6.0)
    assert policy.omega == pytest.approx(0.11)
    assert policy.best is point and policy.event == "compression"
    np.testing.assert_allclose(move.w, compress(objective, w1, 0.11))
    assert move.prior is point.prior


def test_adaptive_no_improvement_reverts_and_shrinks_omega():
    objective, w0 = _objective()
    start = _point(w0, 10.0)
    policy = AdaptiveCompression(_Always(), objective, start, omega=0.1, rho=1.1)
    move = policy.observe(1, _point(w0 + 0.5, 12.0), 12.0)
    assert policy.omega == pytest.approx(0.1 / 1.1)
    assert policy.best is start
    # the best point is compressed, its prior's state gone on with
    np.testing.assert_allclose(move.w, compress(objective, w0, 0.1 / 1.1))
    assert move.prior is start.prior


def test_policy_quiet_without_trigger_and_finish_returns_best():
    objective, w0 = _objective()
    start = _point(w0, 10.0)
    policy = AdaptiveCompression(StallTrigger(1e-4), objective, start)
    assert policy.observe(1, _point(w0 + 1, 9.0), 10.0) is None
    assert policy.finish(_point(w0 + 1, 11.0)) is start
    better = _point(w0 + 1, 9.0)
    assert policy.finish(better) is better


class _Stateless:
    """An objective whose prior's states change no value."""

    def value_under(self, point, prior):
        return point.value


def test_restart_draws_fresh_weights_and_keeps_best():
    draws = iter([np.full(4, 7.0), np.full(4, 8.0)])
    start = _point(np.zeros(4), 10.0, alpha=0.0)
    policy = RandomRestart(_Always(), _Stateless(), start, lambda: next(draws))
    best = _point(np.ones(4), 3.0, alpha=1.0)
    move = policy.observe(1, best, 3.0)
    np.testing.assert_array_equal(move.w, 7.0)
    # a restart is a fresh start: the prior's state as at the run's start
    assert move.prior is start.prior and move.hold is None
    move = policy.observe(2, _point(np.full(4, 2.0), 5.0, alpha=2.0), 5.0)
    np.testing.assert_array_equal(move.w, 8.0)
    assert move.prior is start.prior and policy.event == "restart"
    # the best point comes back with the state kept with its weights
    assert policy.finish(_point(np.full(4, 9.0), 4.0, alpha=3.0)) is best


def test_compression_goes_on_from_the_state_of_the_best_weights():
    objective, w0 = _objective()
    # values as given, whatever alpha (Objective.value_under is tested on its own)
    objective.value_under = lambda point, prior: point.value
    start = _point(w0, 10.0)
    policy = AdaptiveCompression(_Always(), objective, start)
    # no improvement: back to the best, whatever the run had learned on the way
    assert policy.observe(1, _point(w0 + 0.5, 12.0, alpha=4.0), 12.0).prior is start.prior
    improved = _point(w0 + 0.1, 9.0, alpha=5.0)
    assert policy.observe(2, improved, 9.5).prior is improved.prior  # its state kept
    assert policy.finish(_point(w0 + 2, 11.0, alpha=6.0)) is improved
    final = _point(w0 + 3, 8.0, alpha=7.0)
    assert policy.finish(final) is final  # the final weights are the best: theirs stays


def test_make_policy_dispatch():
    objective, w = _objective()
    kw = dict(objective=objective, start=_point(w, 1.0), draw=lambda: w)
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
    start = objective.start(w0)
    value = start.value
    best = replace(start, value=0.5 * value)
    policy = AdaptiveCompression(_Always(), objective, best)
    move = policy.observe(1, start, value)  # no improvement on the best (half)
    assert move.hold == pytest.approx(0.5 * value, rel=1e-8) and move.hold >= 0.5 * value
    for w in (move.w, w0):  # above the best value: nothing learned
        held = Point(w, 0.6 * value, move.prior, hold=move.hold)
        assert objective.accept(held) is held
    # at the best value or below, the prior learns again, and the hold ends
    learned = objective.accept(Point(w0, 0.5 * value, move.prior, hold=move.hold))
    assert learned.prior.alpha != move.prior.alpha and learned.prior.gamma is not None
    assert learned.hold is None
