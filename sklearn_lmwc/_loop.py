"""The loop every solver shares: runs, their requests, and how a run ends.

A run is a generator that yields requests for passes over the data and
factorisations (``Values`` here, ``_lm.Tries``) and is sent their answers: ``serve``
carries one out alone, ``_batched`` serves the requests of many together. A solver
supplies one iteration (``step``); ``run_iterations`` does the rest: the goal, the
policy (compression, restarts), the callback (the monitor) and the record of the run,
which ends with a status code from ``TERMINATION_MESSAGES``. What a run carries from
iteration to iteration is an ``_objective.Point`` (weights, value, the prior's state
there): the objective holds no state of its own. Knows an objective and a policy;
nothing of scikit-learn.
"""

from dataclasses import dataclass, field

from ._objective import Point

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
    """What a run leaves: the point it returns and the record of its path."""

    point: Point
    n_iter: int = 0
    loss_curve: list = field(default_factory=list)  # mean loss per iteration (+ after each event)
    events: list = field(default_factory=list)  # (iteration, "compression" or "restart")
    status: int = MAX_ITER  # a key of TERMINATION_MESSAGES

    @property
    def w(self):
        return self.point.w

    @property
    def value(self):
        """The objective at ``w``."""
        return self.point.value

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
    """A request of a run for the ``Point`` at each of the weight vectors ``ws``, the
    prior in state ``prior`` with ``hold`` (see ``Objective.points``)."""

    def __init__(self, objective, ws, prior, hold=None):
        self.objective, self.ws, self.prior, self.hold = objective, ws, prior, hold

    def serve(self):
        return self.objective.points(self.ws, self.prior, self.hold)


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


def run_iterations(objective, start, policy, step, *, max_iter, goal, callback):
    """Iterations, goal, policy, callback and record (a run: see ``serve``; its result
    is a ``RunResult``).

    ``start``: the ``Point`` the run starts from, or weights (then the point there
    with the prior's start, one pass). The loop ends when the goal metric reaches
    ``goal`` or ``EXACT_FIT``, at ``max_iter``, or when the callback says so; the
    callback sees every iteration.

    ``step(point, after_event)`` is one solver iteration from ``point``, a run whose
    result is the next point; ``after_event`` is True for the first one after a
    policy event. After every iteration but the last the policy may send the run
    elsewhere (a ``_compression.Move``: an event, recorded); the loss curve gets the
    mean loss after every iteration and after every event.
    ``callback(iteration, point, mean_loss, move)`` gets each iteration's point and
    the policy's move from it (None: none). Ctrl-C stops the loop with the point of
    the last completed iteration; ``policy.finish`` picks the point returned.
    """
    if not isinstance(start, Point):
        start, = yield Values(objective, [start], objective.prior.start())
    point = start
    result = RunResult(point)
    goal = max(goal, EXACT_FIT)
    if objective.goal_metric(point.value) <= goal:
        result.status = GOAL
        return result
    event = False
    try:
        for it in range(1, max_iter + 1):
            previous = point.value
            point = yield from step(point, event)
            event = False
            result.n_iter = it
            result.loss_curve.append(objective.mean(point.value))
            reached = objective.goal_metric(point.value) <= goal
            move = policy.observe(it, point, previous) \
                if it < max_iter and not reached else None
            if move is not None:
                result.events.append((it, policy.event))
            # the callback sees every iteration's own point, before any compression,
            # the one that reaches the goal too (its records, early stopping's best)
            stop = callback is not None and callback(it, point, objective.mean(point.value),
                                                     move)
            if reached or stop:
                result.status = GOAL if reached else STOPPING_RULE
                break
            if move is not None:
                point, = yield Values(objective, [move.w], move.prior, move.hold)
                result.loss_curve.append(objective.mean(point.value))
                event = True
    except KeyboardInterrupt:
        result.status = INTERRUPTED
    result.point = policy.finish(point)
    return result
