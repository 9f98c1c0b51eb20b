"""Levenberg-Marquardt iterations (the NBN form of Wilamowski & Yu).

An iteration builds the damped system once (one Jacobian) and tries steps at growing
damping (``Tries`` requests); the loop around the iterations is every solver's
(``_loop.run_iterations``). Knows an ``Objective`` and a policy; nothing of
scikit-learn.
"""

import numpy as np

from ._loop import run_iterations

MAX_TRIES = 30  # damping increases tried per iteration before giving up on it


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
        candidates = self.candidates([system.solve(mu) for mu in self.dampings])
        values = self.objective.values([w for _, w in candidates]) if candidates else []
        return system, [(mu, w, value) for (mu, w), value in zip(candidates, values)]

    def candidates(self, steps):
        """``(damping, weights tried)`` of the steps (one per damping; None: failed)."""
        return [(mu, self.w - step) for mu, step in zip(self.dampings, steps)
                if step is not None]


def lm_run(objective, w, policy, *, mu=1e-3, mu_factor=10.0, mu_min=1e-15, mu_max=1e15,
           max_iter=1000, goal=0.0, callback=None, value=None):
    """Minimise ``objective`` from w (a run: see ``_loop.serve``); ``value``, the
    objective at w when already known (computed first otherwise).

    Each iteration computes Q and g once, then tries ``w - (Q + mu I)^-1 g`` with mu
    growing by ``mu_factor`` until the objective does not increase (at most
    ``MAX_TRIES`` tries; then the weights stay). A failed factorisation counts as a
    failed try. After a policy event (compression, restart) mu is reset and the next
    step is taken without the error check.

    ``callback(iteration, w, mean_loss, event, mu)`` gets the weights and loss after
    each iteration, with ``event`` True when the policy is about to act on them, and
    the damping the next iteration will start from unless the policy acts (it then
    starts from ``mu``); returning True stops the loop.
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
    damping by ``mu_factor`` and is handed to ``objective.accept`` with its system
    (a Bayesian prior learns from it).

    The tries of ``objective.tries_per_pass`` successive dampings are evaluated by one
    call of ``objective.values`` (one pass over the data) and the first that passes
    is taken: the same step, damping and count of tries as trying them one by one.
    """
    system, start, tries = None, damping, 0
    while tries < MAX_TRIES:
        dampings = []
        for _ in range(min(objective.tries_per_pass, MAX_TRIES - tries)):
            dampings.append(damping)
            damping = min(damping * mu_factor, mu_max)
            tries += 1
        system, tried = yield Tries(objective, w, system, dampings)
        if tried is None:  # a non-finite system: no step
            return w, value, start
        for mu, candidate, candidate_value in tried:
            if candidate_value < np.inf and (unconditional or candidate_value <= value):
                candidate_value = objective.accept(candidate, candidate_value, system)
                return candidate, candidate_value, max(mu / mu_factor, mu_min)
    return w, value, damping
