"""The loop every solver shares (``_loop``): goal, policy, callback, record and status,
driven by a scripted iteration on a toy objective (no LM), and ``serve``."""

import numpy as np
import pytest

from sklearn_lmwc._bayes import Prior, PriorState
from sklearn_lmwc._compression import Move
from sklearn_lmwc._loop import (
    EXACT_FIT,
    GOAL,
    INTERRUPTED,
    MAX_ITER,
    STOPPING_RULE,
    TERMINATION_MESSAGES,
    RunResult,
    Values,
    run_iterations,
    serve,
)
from sklearn_lmwc._objective import Point

STATE = PriorState(0.0, None)  # the toy's prior: no penalty


class Toy:
    """The objective ``w @ w`` as a sum over 4 samples: its mean is a quarter of it, and
    so is the goal metric (a mean loss). Records the points of each pass; the pass
    numbered ``interrupt_at`` (from 1) raises KeyboardInterrupt, as Ctrl-C would."""

    prior = Prior(0.0, np.ones(2, bool))

    def __init__(self, interrupt_at=None):
        self.passes, self.interrupt_at = [], interrupt_at

    def points(self, ws, prior, hold=None):
        self.passes.append([w.copy() for w in ws])
        if len(self.passes) == self.interrupt_at:
            raise KeyboardInterrupt
        return [Point(w, float(w @ w), prior, hold=hold) for w in ws]

    def mean(self, total):
        return total / 4

    def goal_metric(self, total):
        return total / 4


def _value(w):
    return float(w @ w)


def _mean(w):
    return _value(w) / 4


def halving(objective, calls, interrupt_at=None):
    """A scripted solver iteration: halve the weights (their value from a ``Values``
    request); records ``(w, value, after_event)`` of each call. Call number
    ``interrupt_at`` raises KeyboardInterrupt before its request."""

    def step(point, after_event):
        calls.append((point.w.copy(), point.value, after_event))
        if len(calls) == interrupt_at:
            raise KeyboardInterrupt
        point, = yield Values(objective, [point.w / 2], point.prior)
        return point

    return step


class Scripted:
    """A policy that sends the run to ``replace[iteration]`` (an event named ``event``)
    and whose ``finish`` returns ``pick`` (a point) when given; records its calls."""

    def __init__(self, replace=None, pick=None, event="restart"):
        self.replace, self.pick, self.event = replace or {}, pick, event
        self.observed, self.finished = [], []

    def observe(self, iteration, point, previous):
        self.observed.append((iteration, point.w.copy(), point.value, previous))
        w = self.replace.get(iteration)
        return None if w is None else Move(w, point.prior)

    def finish(self, point):
        self.finished.append((point.w.copy(), point.value))
        return point if self.pick is None else self.pick


class Recording:
    """A callback recording its calls; returns True (stop) at ``stop_at``."""

    def __init__(self, stop_at=None):
        self.calls, self.stop_at = [], stop_at

    def __call__(self, iteration, point, loss, move):
        self.calls.append((iteration, point.w.copy(), loss, move is not None))
        return iteration == self.stop_at


def _run(objective, w, policy, step, *, max_iter=10, goal=0.0, callback=None, value=None):
    """The run from w, or from the point (w, value) when the value is known."""
    start = w if value is None else Point(w, value, STATE)
    return serve(run_iterations(objective, start, policy, step, max_iter=max_iter,
                                goal=goal, callback=callback))


def _check_status(result, status):
    assert result.status == status
    assert result.message == TERMINATION_MESSAGES[status]
    assert result.converged == (status == GOAL)


def _array_lists_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


W0 = np.array([4.0, 0.0])  # value 16, mean 4; after k halvings mean 4 / 4^k


# ---- how a run ends -------------------------------------------------------------


@pytest.mark.parametrize("known", [False, True])
@pytest.mark.parametrize("w, goal", [(np.array([0.5, 0.0]), 0.0625),  # the goal, exactly
                                     (np.array([0.0, 0.0]), 0.0)])  # an exact fit
def test_goal_at_the_start_takes_no_iteration(w, goal, known):
    objective, calls, policy = Toy(), [], Scripted()
    callback = Recording()
    result = _run(objective, w, policy, halving(objective, calls), goal=goal,
                  callback=callback, value=_value(w) if known else None)
    _check_status(result, GOAL)
    assert result.n_iter == 0 and result.loss_curve == [] and result.events == []
    assert result.w is w and result.value == _value(w)
    # one pass for the value unless the caller had it; no iteration, no policy
    assert len(objective.passes) == (0 if known else 1)
    assert calls == [] and policy.observed == [] and policy.finished == []
    assert callback.calls == []


def test_an_exact_fit_is_a_goal_whatever_the_goal():
    # the goal metric at EXACT_FIT ends the run with goal=0; above it, an iteration
    objective, calls = Toy(), []
    w = np.array([1.0, 0.0])
    at = _run(objective, w, Scripted(), halving(objective, calls), value=4 * EXACT_FIT)
    _check_status(at, GOAL)
    assert at.n_iter == 0 and calls == []
    above = _run(objective, w, Scripted(), halving(objective, calls), max_iter=1,
                 value=8 * EXACT_FIT)
    assert above.n_iter == 1 and len(calls) == 1


def test_goal_after_iterations():
    objective, calls, policy = Toy(), [], Scripted()
    callback = Recording()
    result = _run(objective, W0, policy, halving(objective, calls), goal=4 / 4**3,
                  callback=callback)
    _check_status(result, GOAL)
    assert result.n_iter == 3
    iterates = [W0 / 2**k for k in (1, 2, 3)]
    assert result.loss_curve == [_mean(w) for w in iterates]
    np.testing.assert_array_equal(result.w, W0 / 8)
    assert result.value == _value(W0 / 8)
    # the goal is checked before the policy, which does not act on the last
    # iteration; the callback sees it (no event), and its answer cannot undo the goal
    assert [it for it, *_ in policy.observed] == [1, 2]
    assert [(it, event) for it, _, _, event in callback.calls] == \
        [(1, False), (2, False), (3, False)]
    assert len(policy.finished) == 1
    toy = Toy()
    result = _run(toy, W0, Scripted(), halving(toy, []), goal=4 / 4**3,
                  callback=Recording(stop_at=3))
    _check_status(result, GOAL)


def test_the_callback_stops_the_run():
    objective, calls = Toy(), []
    callback = Recording(stop_at=2)
    result = _run(objective, W0, Scripted(), halving(objective, calls), callback=callback)
    _check_status(result, STOPPING_RULE)
    assert result.n_iter == 2 and len(calls) == 2
    # it sees each iteration's weights and mean loss, and whether the policy acts
    assert [(it, loss, event) for it, _, loss, event in callback.calls] == \
        [(1, _mean(W0 / 2), False), (2, _mean(W0 / 4), False)]
    _array_lists_equal([w for _, w, _, _ in callback.calls], [W0 / 2, W0 / 4])
    np.testing.assert_array_equal(result.w, W0 / 4)


def test_max_iter_and_the_policy_after_every_iteration_but_the_last():
    objective, calls, policy = Toy(), [], Scripted()
    result = _run(objective, W0, policy, halving(objective, calls), max_iter=4)
    _check_status(result, MAX_ITER)
    assert result.n_iter == 4 and len(calls) == 4
    assert result.loss_curve == [_mean(W0 / 2**k) for k in range(1, 5)]
    # observed with the iteration's weights, value and the value before it
    assert [(it, value, previous) for it, _, value, previous in policy.observed] == \
        [(k, _value(W0 / 2**k), _value(W0 / 2 ** (k - 1))) for k in (1, 2, 3)]
    _array_lists_equal([w for _, w, _, _ in policy.observed], [W0 / 2, W0 / 4, W0 / 8])
    np.testing.assert_array_equal(result.w, W0 / 16)


# ---- events -----------------------------------------------------------------------


def test_events_are_recorded_and_restart_the_iterations():
    objective, calls = Toy(), []
    r1, r3 = np.array([0.0, 2.0]), np.array([1.0, 1.0])
    policy = Scripted(replace={1: r1, 3: r3}, event="compression")
    callback = Recording()
    result = _run(objective, W0, policy, halving(objective, calls), max_iter=5,
                  callback=callback)
    _check_status(result, MAX_ITER)
    assert result.n_iter == 5
    assert result.events == [(1, "compression"), (3, "compression")]
    assert result.n_events == 2
    # a mean after every iteration and after every event, in order
    assert result.loss_curve == [_mean(W0 / 2), _mean(r1), _mean(r1 / 2), _mean(r1 / 4),
                                 _mean(r3), _mean(r3 / 2), _mean(r3 / 4)]
    assert len(result.loss_curve) == result.n_iter + result.n_events
    # the iteration after an event starts from the policy's weights, flagged
    _array_lists_equal([w for w, _, _ in calls], [W0, r1, r1 / 2, r3, r3 / 2])
    assert [(value, flag) for _, value, flag in calls] == \
        [(_value(W0), False), (_value(r1), True), (_value(r1 / 2), False),
         (_value(r3), True), (_value(r3 / 2), False)]
    # the callback sees the iteration's own weights, before the policy's
    assert [event for *_, event in callback.calls] == [True, False, True, False, False]
    np.testing.assert_array_equal(callback.calls[0][1], W0 / 2)
    np.testing.assert_array_equal(result.w, r3 / 4)


def test_a_final_event_is_recorded_but_not_taken():
    # the callback stops the run at an iteration where the policy acts
    objective, calls = Toy(), []
    policy = Scripted(replace={2: np.array([1.0, 1.0])})
    result = _run(objective, W0, policy, halving(objective, calls),
                  callback=Recording(stop_at=2))
    _check_status(result, STOPPING_RULE)
    assert result.events == [(2, "restart")]
    assert result.loss_curve == [_mean(W0 / 2), _mean(W0 / 4)]  # n_iter + n_events - 1
    np.testing.assert_array_equal(result.w, W0 / 4)
    assert len(objective.passes) == 1 + 2  # no pass at the policy's weights


def test_the_policy_picks_the_weights_returned():
    objective, calls = Toy(), []
    best = Point(np.array([3.0, 3.0]), 123.0, STATE)
    policy = Scripted(pick=best)
    result = _run(objective, W0, policy, halving(objective, calls), max_iter=3)
    assert result.point is best
    assert len(policy.finished) == 1  # with the last iteration's weights and value
    np.testing.assert_array_equal(policy.finished[0][0], W0 / 8)
    assert policy.finished[0][1] == _value(W0 / 8)
    assert result.loss_curve == [_mean(W0 / 2), _mean(W0 / 4), _mean(W0 / 8)]  # as run


# ---- Ctrl-C ---------------------------------------------------------------------


def test_an_interrupt_in_an_iteration_keeps_the_last_completed_one():
    objective, calls, policy = Toy(), [], Scripted()
    result = _run(objective, W0, policy, halving(objective, calls, interrupt_at=3),
                  max_iter=10)
    _check_status(result, INTERRUPTED)
    assert result.n_iter == 2 and len(calls) == 3
    np.testing.assert_array_equal(result.w, W0 / 4)
    assert result.value == _value(W0 / 4)
    assert result.loss_curve == [_mean(W0 / 2), _mean(W0 / 4)]
    assert len(policy.finished) == 1  # the policy still picks the weights


def test_serve_passes_an_interrupt_into_the_run():
    # Ctrl-C while a request is served (the third iteration's pass) ends the run as an
    # interrupt inside the iteration does
    objective, calls = Toy(interrupt_at=3), []
    result = _run(objective, W0, Scripted(), halving(objective, calls),
                  value=_value(W0))
    _check_status(result, INTERRUPTED)
    assert result.n_iter == 2 and len(calls) == 3 and len(objective.passes) == 3
    np.testing.assert_array_equal(result.w, W0 / 4)
    assert result.value == _value(W0 / 4)


def test_serve_throws_the_interrupt_at_the_request():
    class Request:
        def __init__(self, answer):
            self.answer = answer

        def serve(self):
            if self.answer is None:
                raise KeyboardInterrupt
            return self.answer

    def run():
        first = yield Request("a")
        try:
            yield Request(None)
        except KeyboardInterrupt:
            caught = True
        after = yield Request("b")  # served as usual after the interrupt
        return first, caught, after

    assert serve(run()) == ("a", True, "b")


def test_an_interrupt_before_the_first_iteration_is_not_a_result():
    # Ctrl-C during the pass for the starting value: no iteration completed
    objective = Toy(interrupt_at=1)
    with pytest.raises(KeyboardInterrupt):
        _run(objective, W0, Scripted(), halving(objective, []))


def test_a_run_result_names_its_status():
    for status, message in TERMINATION_MESSAGES.items():
        result = RunResult(Point(W0, 1.0, STATE), status=status)
        assert result.message == message and result.converged == (status == GOAL)
    assert RunResult(Point(W0, 1.0, STATE)).status == MAX_ITER


def test_the_run_goes_on_with_the_prior_and_hold_of_the_policys_move():
    class Moving(Scripted):
        def observe(self, iteration, point, previous):
            super().observe(iteration, point, previous)
            return Move(np.array([1.0, 1.0]), learned, 2.5) if iteration == 1 else None

    objective, calls, seen = Toy(), [], []
    learned = PriorState(3.0, 1.5)

    def step(point, after_event):
        seen.append((point.prior, point.hold))
        return (yield from halving(objective, calls)(point, after_event))

    result = _run(objective, W0, Moving(), step, max_iter=3)
    # the start's state, then the move's with its hold (the toy's step passes the
    # state on, not the hold)
    assert seen == [(Toy.prior.start(), None), (learned, 2.5), (learned, None)]
    assert result.point.prior is learned
