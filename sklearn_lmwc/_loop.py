"""The loop every solver shares: runs, their requests, and how a run ends.

A run is a generator that yields requests for passes over the data and
factorisations (``Values`` here, ``_lm.Tries``) and is sent their answers: ``serve``
carries one out alone, ``_batched`` serves the requests of many together. A solver
supplies one iteration (``step``); ``run_iterations`` does the rest: the goal, the
policy (compression, restarts), the callback (the monitor) and the record of the run,
which ends with a status code from ``TERMINATION_MESSAGES``. Knows an objective and
a policy; nothing of scikit-learn.
"""

from dataclasses import dataclass, field

import numpy as np

# An exact fit: the goal metric (an RMSE of unit-scale targets, or a mean log-loss) at
# 1e-12 leaves nothing for a solver or compression to improve that floating point
# can show
EXACT_FIT = 1e-12

# how a run ended, as scipy's least_squares reports ``status``
INTERRUPTED, MAX_ITER, GOAL, STOPPING_RULE = -1, 0, 1, 2
TERMINATION_MESSAGES = {
    INTERRUPTED: "an interrupt",
    MAX_ITER: "max_iter",
    GOAL: "the goal (or an exact fit)",
    STOPPING_RULE: "the tol rule",
}


@dataclass
class RunResult:
    """What a run leaves: its weights and the record of its path."""

    w: np.ndarray
    value: float  # objective at w
    n_iter: int = 0
    loss_curve: list = field(default_factory=list)  # mean loss per iteration (+ after each event)
    events: list = field(default_factory=list)  # (iteration, "compression" or "restart")
    status: int = MAX_ITER  # a key of TERMINATION_MESSAGES

    @property
    def n_events(self):
        return len(self.events)

    @property
    def converged(self):
        """Whether the goal (or an exact fit) was reached."""
        return self.status == GOAL

    @property
    def message(self):
        return TERMINATION_MESSAGES[self.status]


class Values:
    """A request of a run for the objective at each of the weight vectors ``ws``."""

    def __init__(self, objective, ws):
        self.objective, self.ws = objective, ws

    def serve(self):
        return self.objective.values(self.ws)


def serve(run):
    """Carry a run out alone: serve each of its requests as it comes; its result.

    Ctrl-C is passed into the run, which ends with the weights of its last completed
    iteration.
    """
    answer, interrupted = None, False
    while True:
        try:
            request = run.throw(KeyboardInterrupt()) if interrupted else run.send(answer)
        except StopIteration as stop:
            return stop.value
        try:
            answer, interrupted = request.serve(), False
        except KeyboardInterrupt:
            interrupted = True


def run_iterations(objective, w, policy, step, *, max_iter, goal, callback, value=None):
    """Iterations, goal, policy, callback and record (a run: see ``serve``; its result
    is a ``RunResult``).

    The loop ends when the goal metric reaches ``goal`` or ``EXACT_FIT``, at
    ``max_iter``, or when the callback says so; the callback sees every iteration.

    ``step(w, value, after_event)`` is one solver iteration from w (``value =
    objective.value(w)``), a run whose result is ``(w, value)``; ``after_event`` is
    True for the first one after a policy event. After every iteration but the last
    the policy may replace the weights (an event, recorded); the loss curve gets the
    mean loss after every iteration and after every event. Ctrl-C stops the loop with
    the weights of the last completed iteration; ``policy.finish`` picks the weights
    returned. ``value`` is the objective at w when the caller has it (no pass then).
    """
    if value is None:
        value, = yield Values(objective, [w])
    result = RunResult(w, value)
    goal = max(goal, EXACT_FIT)
    if objective.goal_metric(value) <= goal:
        result.status = GOAL
        return result
    event = False
    try:
        for it in range(1, max_iter + 1):
            previous = value
            w, value = yield from step(w, value, event)
            event = False
            result.n_iter = it
            result.loss_curve.append(objective.mean(value))
            reached = objective.goal_metric(value) <= goal
            new_w = policy.observe(it, w, value, previous) \
                if it < max_iter and not reached else None
            if new_w is not None:
                result.events.append((it, policy.event))
            # the callback sees every iteration's own weights, before any compression,
            # the one that reaches the goal too (its records, early stopping's best)
            stop = callback is not None and callback(it, w, objective.mean(value),
                                                     new_w is not None)
            if reached or stop:
                result.status = GOAL if reached else STOPPING_RULE
                break
            if new_w is not None:
                value, = yield Values(objective, [new_w])
                w = new_w
                result.loss_curve.append(objective.mean(value))
                event = True
    except KeyboardInterrupt:
        result.status = INTERRUPTED
    result.w, result.value = policy.finish(w, value)
    return result
