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
    """A request for tries of LM steps from ``point`` at each of ``dampings``, from
    ``system``, the damped system there (built first when None).

    Answered by ``(system, tried)``: ``tried`` lists ``(damping, point tried)`` for
    each damping whose step could be computed (its factorisation did not fail and the
    step is finite), the points (with the prior's state and hold of ``point``) from
    one pass over the data (``objective.points`` when served alone); None when the
    system is not finite (no step can be tried).
    """

    def __init__(self, objective, point, system, dampings):
        self.objective, self.point, self.system = objective, point, system
        self.dampings = dampings

    def serve(self):
        point = self.point
        system = self.objective.damped_system(point.w, point.prior) \
            if self.system is None else self.system
        if not system.is_finite():
            return system, None
        candidates = self.candidates([system.solve(mu) for mu in self.dampings])
        return system, self.tried(candidates, self.objective.points(
            [w for _, w in candidates], point.prior, point.hold) if candidates else [])

    def candidates(self, steps):
        """``(damping, weights tried)`` of the steps (one per damping; None: failed)."""
        return [(mu, self.point.w - step) for mu, step in zip(self.dampings, steps)
                if step is not None]

    @staticmethod
    def tried(candidates, points):
        """The answer's ``tried`` from the candidates and the points at their weights."""
        return [(mu, point) for (mu, _), point in zip(candidates, points)]


def lm_run(objective, start, policy, *, mu=1e-3, mu_factor=10.0, mu_min=1e-15,
           mu_max=1e15, max_iter=1000, goal=0.0, callback=None):
    """Minimise ``objective`` from ``start``, a ``Point`` or weights (a run: see
    ``_loop.serve`` and ``_loop.run_iterations``).

    Each iteration computes Q and g once, then tries ``w - (Q + mu I)^-1 g`` with mu
    growing by ``mu_factor`` until the objective does not increase (at most
    ``MAX_TRIES`` tries; then the weights stay). A failed factorisation counts as a
    failed try. After a policy event (compression, restart) mu is reset and the next
    step is taken without the error check.

    ``callback(iteration, point, mean_loss, move, mu)`` gets the point and loss after
    each iteration, with the policy's ``move`` from it (None: none), and the damping
    the next iteration will start from unless the policy moves (it then starts from
    ``mu``); returning True stops the loop.
    """
    damping = mu

    def step(point, after_event):
        nonlocal damping
        point, damping = yield from lm_iteration(
            objective, point, mu if after_event else damping, unconditional=after_event,
            mu_factor=mu_factor, mu_min=mu_min, mu_max=mu_max)
        return point

    def report(iteration, point, loss, move):
        return callback(iteration, point, loss, move, damping)

    return (yield from run_iterations(objective, start, policy, step, max_iter=max_iter,
                                      goal=goal,
                                      callback=None if callback is None else report))


def lm_iteration(objective, point, damping, *, unconditional=False, mu_factor=10.0,
                 mu_min=1e-15, mu_max=1e15):
    """One LM iteration from ``point``, a run whose result is ``(point, damping)``.

    Computes Q and g once and tries ``w - (Q + damping I)^-1 g``, multiplying the
    damping by ``mu_factor`` after every failed try (at most ``MAX_TRIES``; then w
    stays). A try fails when the factorisation fails, the objective overflows or,
    unless ``unconditional``, the objective increases. An accepted step divides the
    damping by ``mu_factor`` and is handed to ``objective.accept`` with its system
    (a Bayesian prior learns from it).

    The tries of ``objective.tries_per_pass`` successive dampings are evaluated by one
    call of ``objective.points`` (one pass over the data) and the first that passes
    is taken: the same step, damping and count of tries as trying them one by one.
    """
    system, start, tries = None, damping, 0
    while tries < MAX_TRIES:
        dampings = []
        for _ in range(min(objective.tries_per_pass, MAX_TRIES - tries)):
            dampings.append(damping)
            damping = min(damping * mu_factor, mu_max)
            tries += 1
        system, tried = yield Tries(objective, point, system, dampings)
        if tried is None:  # a non-finite system: no step
            return point, start
        for mu, candidate in tried:
            if candidate.value < np.inf and (unconditional or candidate.value <= point.value):
                return objective.accept(candidate, system), max(mu / mu_factor, mu_min)
    return point, damping
