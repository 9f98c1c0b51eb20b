"""The Levenberg-Marquardt loop (the NBN form of Wilamowski & Yu).

Knows an ``Objective`` (value, normal equations, goal metric) and a policy
(``_compression``); nothing of scikit-learn.
"""

from dataclasses import dataclass, field

import numpy as np

MAX_TRIES = 30  # damping increases tried per iteration before giving up on it

# An exact fit: the goal metric (an RMSE of unit-scale targets, or a mean log-loss) at
# 1e-12 leaves nothing for LM or compression to improve that floating point can show
EXACT_FIT = 1e-12


@dataclass
class LMResult:
    w: np.ndarray
    value: float  # objective at w
    n_iter: int = 0
    loss_curve: list = field(default_factory=list)  # mean loss per iteration (+ after each event)
    n_events: int = 0  # compressions or restarts
    converged: bool = False  # goal reached
    stopped: str = "max_iter"  # "goal", "callback", "interrupted" or "max_iter"


class Values:
    """A request of a run for the objective at each of the weight vectors ``ws``."""

    def __init__(self, objective, ws):
        self.objective, self.ws = objective, ws

    def serve(self):
        return self.objective.values(self.ws)


class Tries:
    """A request for tries of LM steps from w at each of ``dampings``, from ``system``,
    the damped system at w (built first when None).

    Answered by ``(system, tried)``: ``tried`` lists ``(damping, weights, value)`` for
    each damping whose step could be computed (its factorisation did not fail and the
    step is finite), the values from one pass over the data (``objective.values``
    when served alone); None when the system is not finite (no step can be tried).
    """

    def __init__(self, objective, w, system, dampings):
        self.objective, self.w, self.system, self.dampings = objective, w, system, dampings

    def serve(self):
        system = self.objective.damped_system(self.w) if self.system is None else \
            self.system
        if not system.is_finite():
            return system, None
        trials = self.trials([system.solve(mu) for mu in self.dampings])
        values = self.objective.values([w for _, w in trials]) if trials else []
        return system, [(mu, w, value) for (mu, w), value in zip(trials, values)]

    def trials(self, steps):
        """``(damping, trial weights)`` of the steps (one per damping; None: failed)."""
        return [(mu, self.w - step) for mu, step in zip(self.dampings, steps)
                if step is not None]


def serve(run):
    """Carry a run out alone: serve each of its requests as it comes; its result.

    A run (``lm_run``, ``lm_iteration``, ``run_iterations``) is a generator that
    yields ``Values`` and ``Tries`` requests, the passes over the data
    and the factorisations, and is sent their answers; ``_batched`` serves the
    requests of many runs together instead. Ctrl-C is passed into the run, which
    ends with the weights of its last completed iteration.
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


def levenberg_marquardt(objective, w, policy, **options):
    """Minimise ``objective`` from w: ``lm_run`` carried out alone, an ``LMResult``."""
    return serve(lm_run(objective, w, policy, **options))


def lm_run(objective, w, policy, *, mu=1e-3, mu_factor=10.0, mu_min=1e-15, mu_max=1e15,
           max_iter=1000, goal=0.0, callback=None, value=None):
    """Minimise ``objective`` from w (a run: see ``serve``); ``value``, the objective at
    w when already known (computed first otherwise).

    Each iteration computes Q and g once, then tries ``w - (Q + mu I)^-1 g`` with mu
    growing by ``mu_factor`` until the objective does not increase (at most
    ``MAX_TRIES`` tries; then the weights stay). A failed factorisation counts as a
    failed try. After a policy event (compression, restart) mu is reset and the next
    step is taken without the error check.

    ``callback(iteration, w, mean_loss, event, mu)`` gets the weights and loss after
    each iteration, with ``event`` True when the policy is about to act on them, and
    the damping the next iteration will start from; returning True stops the loop.
    """
    damping = mu

    def step(w, value, after_event):
        nonlocal damping
        w, value, damping = yield from lm_iteration(
            objective, w, value, mu if after_event else damping, unconditional=after_event,
            mu_factor=mu_factor, mu_min=mu_min, mu_max=mu_max)
        return w, value

    def report(iteration, w, loss, event):
        return callback(iteration, w, loss, event, damping)

    return (yield from run_iterations(objective, w, policy, step, max_iter=max_iter,
                                      goal=goal,
                                      callback=None if callback is None else report,
                                      value=value))


def lm_iteration(objective, w, value, damping, *, unconditional=False, mu_factor=10.0,
                 mu_min=1e-15, mu_max=1e15):
    """One LM iteration from w (``value = objective.value(w)``), a run whose result is
    ``(w, value, damping)``.

    Computes Q and g once and tries ``w - (Q + damping I)^-1 g``, multiplying the
    damping by ``mu_factor`` after every failed try (at most ``MAX_TRIES``; then w
    stays). A try fails when the factorisation fails, the objective overflows or,
    unless ``unconditional``, the objective increases. An accepted step divides the
    damping by ``mu_factor``, and lets the objective re-estimate its penalty
    (``alpha="bayes"``) from the accepted step's system.

    The tries of ``objective.trial_batch`` successive dampings are evaluated by one
    call of ``objective.values`` (one pass over the data) and the first that passes
    is taken: the same step, damping and count of tries as trying them one by one.
    """
    system, start, tries = None, damping, 0
    while tries < MAX_TRIES:
        dampings = []
        for _ in range(min(objective.trial_batch, MAX_TRIES - tries)):
            dampings.append(damping)
            damping = min(damping * mu_factor, mu_max)
            tries += 1
        system, tried = yield Tries(objective, w, system, dampings)
        if tried is None:  # a non-finite system: no step
            return w, value, start
        for mu, trial, trial_value in tried:
            if trial_value < np.inf and (unconditional or trial_value <= value):
                trial_value = objective.reestimate(trial, trial_value, system)
                return trial, trial_value, max(mu / mu_factor, mu_min)
    return w, value, damping


def run_iterations(objective, w, policy, step, *, max_iter, goal, callback, value=None):
    """The loop every solver shares: iterations, goal, policy, callback, bookkeeping
    (a run: see ``serve``; its result is an ``LMResult``).

    The loop ends when the goal metric reaches ``goal`` or ``EXACT_FIT``, at
    ``max_iter``, or when the callback says so.

    ``step(w, value, after_event)`` is one solver iteration from w (``value =
    objective.value(w)``), a run whose result is ``(w, value)``; ``after_event`` is
    True for the first one after a policy event. After every iteration but the last
    the policy may replace the weights; the loss curve gets the mean loss after every
    iteration and after every event. Ctrl-C stops the loop with the weights of the
    last completed iteration; ``policy.finish`` picks the weights returned. ``value``
    is the objective at w when the caller has it (no pass then).
    """
    if value is None:
        value, = yield Values(objective, [w])
    result = LMResult(w, value)
    goal = max(goal, EXACT_FIT)
    if objective.goal_metric(value) <= goal:
        result.converged, result.stopped = True, "goal"
        return result
    event = False
    try:
        for it in range(1, max_iter + 1):
            previous = value
            w, value = yield from step(w, value, event)
            event = False
            result.n_iter = it
            result.loss_curve.append(objective.mean(value))
            if objective.goal_metric(value) <= goal:
                result.converged, result.stopped = True, "goal"
                break
            new_w = policy.observe(it, w, value, previous) if it < max_iter else None
            # the callback sees the iteration's own weights, before any compression
            if callback is not None and callback(it, w, objective.mean(value),
                                                 new_w is not None):
                result.stopped = "callback"
                break
            if new_w is not None:
                value, = yield Values(objective, [new_w])
                w = new_w
                result.loss_curve.append(objective.mean(value))
                event = True
    except KeyboardInterrupt:
        result.stopped = "interrupted"
    result.w, result.value = policy.finish(w, value)
    result.n_events = policy.n_events
    return result
