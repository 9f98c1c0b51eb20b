"""The Levenberg-Marquardt loop (the NBN form of Wilamowski & Yu).

Knows an ``Objective`` (value, normal equations, goal metric) and a policy
(``_compression``); nothing of scikit-learn.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve

MAX_TRIES = 30  # damping increases tried per iteration before giving up on it


@dataclass
class LMResult:
    w: np.ndarray
    value: float  # objective at w
    n_iter: int = 0
    loss_curve: list = field(default_factory=list)  # mean loss per iteration (+ after each event)
    n_events: int = 0  # compressions or restarts
    converged: bool = False  # goal reached
    stopped: str = "max_iter"  # "goal", "callback", "interrupted" or "max_iter"


def damped_step(Q, g, mu):
    """``(Q + mu I)^-1 g`` by Cholesky, or None when Q + mu I is not positive definite."""
    A = Q.copy()
    A[np.diag_indices_from(A)] += mu
    try:
        factor = cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
    except (LinAlgError, ValueError):
        return None
    step = cho_solve(factor, g, check_finite=False)
    return step if np.all(np.isfinite(step)) else None


def levenberg_marquardt(objective, w, policy, *, mu=1e-3, mu_factor=10.0, mu_min=1e-15,
                        mu_max=1e15, max_iter=1000, goal=0.0, callback=None):
    """Minimise ``objective`` from w.

    Each iteration computes Q and g once, then tries ``w - (Q + mu I)^-1 g`` with mu
    growing by ``mu_factor`` until the objective does not increase (at most
    ``MAX_TRIES`` tries; then the weights stay). A failed factorisation counts as a
    failed try. After a policy event (compression, restart) mu is reset and the next
    step is taken without the error check.

    ``callback(iteration, w, mean_loss, event)`` returning True stops the loop.
    """
    value = objective.value(w)
    result = LMResult(w, value)
    if objective.goal_metric(value) <= goal:
        result.converged, result.stopped = True, "goal"
        return result
    damping, unconditional = mu, False
    try:
        for it in range(1, max_iter + 1):
            previous = value
            Q, g = objective.normal_equations(w)
            if np.all(np.isfinite(Q)) and np.all(np.isfinite(g)):
                for _ in range(MAX_TRIES):
                    step = damped_step(Q, g, damping)
                    if step is not None:
                        trial = w - step
                        trial_value = objective.value(trial)
                        if trial_value < np.inf and (unconditional or trial_value <= value):
                            w, value = trial, trial_value
                            damping = max(damping / mu_factor, mu_min)
                            break
                    damping = min(damping * mu_factor, mu_max)
            unconditional = False
            result.n_iter = it
            result.loss_curve.append(objective.mean(value))
            if objective.goal_metric(value) <= goal:
                result.converged, result.stopped = True, "goal"
                break
            event = False
            if it < max_iter:
                new_w = policy.observe(it, w, value, previous)
                if new_w is not None:
                    w, value = new_w, objective.value(new_w)
                    result.loss_curve.append(objective.mean(value))
                    damping, unconditional, event = mu, True, True
            if callback is not None and callback(it, w, objective.mean(value), event):
                result.stopped = "callback"
                break
    except KeyboardInterrupt:
        result.stopped = "interrupted"
    result.w, result.value = policy.finish(w, value)
    result.n_events = policy.n_events
    return result
