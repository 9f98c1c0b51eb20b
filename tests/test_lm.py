import numpy as np
import pytest

from sklearn_lmwc._compression import NoPolicy, make_policy
from sklearn_lmwc._lm import MAX_TRIES, lm_iteration, lm_run
from sklearn_lmwc._loop import INTERRUPTED, STOPPING_RULE, serve
from sklearn_lmwc._losses import SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective, Point


def _lm(objective, w, policy, **options):
    """An LM run carried out alone."""
    return serve(lm_run(objective, w, policy, **options))

def _sine_objective(n=200, hidden=(8,)):
    X = np.linspace(-1, 1, n).reshape(-1, 1)
    network = Network(1, hidden, 1, "mlp", "tanh")
    return Objective(network, SquaredError(), X, np.sin(3 * X))


def test_fits_sine_below_1e_3_within_100_iterations():
    objective = _sine_objective()
    w0 = np.random.RandomState(0).uniform(-1, 1, objective.network.n_weights)
    result = _lm(objective, w0, NoPolicy(), max_iter=100, goal=1e-3)
    assert result.converged and result.n_iter <= 100
    rmse = np.sqrt(np.mean((objective.network.forward(result.w, objective.X)
                            - objective.Y) ** 2))
    assert rmse < 1e-3


def test_loss_never_increases_without_policy():
    objective = _sine_objective(hidden=(3,))
    w0 = np.random.RandomState(1).uniform(-1, 1, objective.network.n_weights)
    result = _lm(objective, w0, NoPolicy(), max_iter=60)
    curve = np.array(result.loss_curve)
    assert len(curve) == result.n_iter == 60
    assert np.all(np.diff(curve) <= 0)
    assert curve[-1] < objective.mean(objective.value(w0))


@pytest.mark.parametrize("tries_per_pass", [1, 3, 7])
def test_all_tries_failing_keeps_the_weights(tries_per_pass):
    # w0 is a strict minimum: every try increases the error
    class Uphill:
        def __init__(self, inner, w0):
            self.inner, self.network, self.prior, self.w0 = inner, inner.network, \
                inner.prior, w0
            self.tries_per_pass, self.passes = tries_per_pass, 0

        def value(self, w):
            self.passes += 1
            return self.inner.value(w) + (0.0 if np.array_equal(w, self.w0) else 1e9)

        def points(self, ws, prior, hold=None):
            return [Point(w, self.value(w), prior) for w in ws]

        def damped_system(self, w, prior):
            return self.inner.damped_system(w, prior)

        def accept(self, point, system=None):
            return point

        def mean(self, v):
            return self.inner.mean(v)

        def goal_metric(self, v):
            return self.inner.goal_metric(v)

    inner = _sine_objective(hidden=(2,))
    w0 = np.random.RandomState(0).uniform(-1, 1, inner.network.n_weights)
    objective = Uphill(inner, w0)
    result = _lm(objective, w0, NoPolicy(), max_iter=2)
    np.testing.assert_array_equal(result.w, w0)
    assert result.loss_curve == [objective.mean(objective.value(w0))] * 2
    # one evaluation at the start, then MAX_TRIES per iteration (30 is no multiple of
    # 7: the last batch is short), then the check above
    assert objective.passes == 1 + 2 * MAX_TRIES + 1


class _Counting(Objective):
    """An objective counting its ``points`` calls and the points they evaluate."""

    def __init__(self, *args, tries_per_pass, **kwargs):
        super().__init__(*args, **kwargs)
        self.tries_per_pass, self.calls, self.evaluated = tries_per_pass, 0, 0

    def points(self, ws, prior=None, hold=None):
        self.calls += 1
        self.evaluated += len(ws)
        return super().points(ws, prior, hold)


@pytest.mark.parametrize("compression", [None, "adaptive"])
def test_tries_per_pass_gives_the_run_of_one_by_one_tries(compression):
    X = np.random.RandomState(0).uniform(-1, 1, (150, 2))
    Y = np.sin(3 * X[:, :1]) * X[:, 1:]
    network = Network(2, (6,), 1, "mlp", "tanh")
    w0 = np.random.RandomState(1).uniform(-1, 1, network.n_weights)
    runs = []
    for tries_per_pass in (1, 3):
        objective = _Counting(network, SquaredError(), X, Y, tries_per_pass=tries_per_pass)
        start = objective.start(w0)
        policy = make_policy(compression, "interval", objective=objective, start=start,
                             draw=None, interval=8)
        mus = []
        result = _lm(objective, start, policy, max_iter=40, mu=10.0,
                     callback=lambda *args, mus=mus: mus.append(args[-1]))
        runs.append((objective, result, mus))
    (one, a, mus_a), (batched, b, mus_b) = runs
    np.testing.assert_array_equal(b.w, a.w)
    assert (b.value, b.loss_curve, b.n_iter, b.n_events, b.status) == \
        (a.value, a.loss_curve, a.n_iter, a.n_events, a.status)
    assert mus_b == mus_a  # the same damping after every iteration
    if compression:
        assert a.n_events > 0
    # one call per try before; fewer calls, each judging up to three tries, with
    assert one.calls == one.evaluated > a.n_iter
    assert batched.calls < one.calls <= batched.evaluated


def test_saturation_of_a_batched_try_needs_no_pass():
    objective = _sine_objective(n=300, hidden=(4,))
    objective.passes.X = objective.X * 3  # some neurons saturate
    objective.tries_per_pass = 3
    w0 = np.random.RandomState(0).uniform(-1, 1, objective.network.n_weights)
    point, _ = serve(lm_iteration(objective, objective.start(w0), 1e-3))
    expected = _sine_objective(n=300, hidden=(4,))
    expected.passes.X = objective.X
    assert not np.array_equal(point.w, w0)  # a step was accepted

    def no_pass(w):
        raise AssertionError("a pass over the data")

    objective.loss_sums = no_pass
    # the accepted point carries the count its try's pass made
    assert 0 < objective.saturation(point.w, point.flat) == expected.saturation(point.w)


def test_mu_max_reached_leaves_finite_weights():
    objective = _sine_objective(hidden=(2,))
    objective.passes.X = objective.X * 1e6  # every hidden neuron saturated
    w0 = np.random.RandomState(0).uniform(-1, 1, objective.network.n_weights)
    result = _lm(objective, w0, NoPolicy(), max_iter=20, mu=1.0,
                                 mu_min=1.0, mu_max=10.0)
    assert np.all(np.isfinite(result.w)) and np.isfinite(result.value)


def test_callback_stops_and_sees_every_iteration():
    seen = []

    def callback(iteration, w, loss, event, mu):
        seen.append((iteration, loss))
        return iteration == 5

    objective = _sine_objective(hidden=(3,))
    w0 = np.random.RandomState(0).uniform(-1, 1, objective.network.n_weights)
    result = _lm(objective, w0, NoPolicy(), max_iter=50, callback=callback)
    assert result.status == STOPPING_RULE and result.n_iter == 5
    assert [it for it, _ in seen] == [1, 2, 3, 4, 5]
    assert [loss for _, loss in seen] == pytest.approx(result.loss_curve)


def test_keyboard_interrupt_keeps_current_weights():
    def callback(iteration, w, loss, event, mu):
        if iteration == 3:
            raise KeyboardInterrupt

    objective = _sine_objective(hidden=(3,))
    w0 = np.random.RandomState(0).uniform(-1, 1, objective.network.n_weights)
    result = _lm(objective, w0, NoPolicy(), max_iter=50, callback=callback)
    assert result.status == INTERRUPTED and result.n_iter == 3
    assert objective.mean(result.value) == pytest.approx(result.loss_curve[-1])
