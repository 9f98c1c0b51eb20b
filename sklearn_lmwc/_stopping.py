"""When a fit is done: the ``tol`` rule, early stopping, and what is recorded per iteration.

The loop calls a ``Monitor`` after every iteration with that iteration's point
(``_objective.Point``), mean loss, the policy's move from it and (from solvers that
have one) damping; returning True ends the fit. Goal and
exact fits are the loop's own business (``_loop.run_iterations``), which calls the
monitor on the iteration that reaches the goal too: its records have one entry per
iteration.
"""

import numpy as np


class Monitor:
    """Per-iteration bookkeeping: the records (saturation, damping, effective number of
    parameters, validation scores) and the ``tol`` rule.

    The rule, as scikit-learn's MLP applies it per epoch, applied per LM iteration:
    an iteration improves when its metric (the training loss, or minus the
    validation score with early stopping) is below the best so far by more than
    ``tol``; the fit stops after ``n_iter_no_change + 1`` iterations in a row without
    improvement. Compressions and restarts do not pause the count, so a fit ends
    within a bounded number of iterations of its last improvement whatever the
    policy does; an event that leads to an improvement within ``n_iter_no_change``
    iterations resets it.

    Parameters
    ----------
    tol : float or None
        None disables the rule.
    n_iter_no_change : int
    saturation : callable or None
        ``saturation(w, flat)`` -> fraction of flat hidden activations (``flat``, the
        count a point carries, or None), recorded per iteration.
    validation : callable or None
        ``validation(w)`` -> score (higher is better) on held-out data; the point of
        the best score is kept as ``best``.
    verbose : int
        2 and more: a line per iteration (loss, damping) and per policy event.
    label : str
        Put before every line printed (the trial's number when there are several).
    policy : object or None
        The compression policy, whose ``omega`` the event lines show.
    gamma : callable or None
        ``gamma(prior)`` -> the effective number of parameters of the prior's state
        ``prior`` (NaN before its first estimate), recorded per iteration in
        ``gamma_curve``: of the state the run goes on with, the iteration's point's
        or, after a policy event, the move's.

    Attributes
    ----------
    saturation_curve, mu_curve, gamma_curve, scores : list
        One entry per call: the saturation, the damping passed (None from a solver
        without one), gamma and the validation score; empty lists when the callable
        is None (``mu_curve`` is always recorded).
    best : Point or None
        The point of the best validation score (None without validation).
    """

    def __init__(self, tol, n_iter_no_change, saturation=None, validation=None, verbose=0,
                 label="", policy=None, gamma=None):
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.saturation = saturation
        self.validation = validation
        self.verbose, self.label, self.policy = verbose, label, policy
        self.best_metric = np.inf
        self.no_improvement = 0
        self.scores, self.best_score, self.best = [], -np.inf, None
        self.gamma = gamma
        self.saturation_curve, self.mu_curve, self.gamma_curve = [], [], []

    def __call__(self, iteration, point, loss, move, mu=None):
        if self.verbose >= 2:
            self._print_iteration(iteration, loss, move is not None, mu)
        if self.saturation is not None:
            self.saturation_curve.append(self.saturation(point.w, point.flat))
        self.mu_curve.append(mu)
        if self.gamma is not None:
            self.gamma_curve.append(self.gamma(point.prior if move is None else move.prior))
        if self.validation is None:
            metric = loss
        else:
            score = self.validation(point.w)
            self.scores.append(score)
            if score > self.best_score:
                self.best_score, self.best = score, point
            metric = -score
        if self.tol is None:
            return False
        if metric >= self.best_metric - self.tol:  # an equal metric is no improvement
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        self.best_metric = min(self.best_metric, metric)
        return self.no_improvement > self.n_iter_no_change

    def _print_iteration(self, iteration, loss, event, mu):
        damping = "" if mu is None else f", mu = {mu:.1e}"
        print(f"{self.label}Iteration {iteration}, loss = {loss:.8g}{damping}", flush=True)
        if event:
            omega = getattr(self.policy, "omega", None)
            what = "restart" if omega is None else f"compression, omega = {omega:.4g}"
            print(f"{self.label}  * {what}", flush=True)
