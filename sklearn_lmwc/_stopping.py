"""When a fit is done: the ``tol`` rule, early stopping (its validation split and
score), what is recorded per iteration, and the warning of a saturated fit.

The loop calls a ``Monitor`` after every iteration with that iteration's point
(``_objective.Point``), mean loss, the policy's move from it and (from solvers that
have one) damping; returning True ends the fit. Goal and
exact fits are the loop's own business (``_loop.run_iterations``), which calls the
monitor on the iteration that reaches the goal too: its records have one entry per
iteration.
"""

import time
import warnings

import numpy as np
from sklearn.model_selection import train_test_split

# a feature whose root mean square exceeds this is taken as unscaled
_UNSCALED = 10.0


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
        2 and more: a line per iteration (loss, damping, with a Bayesian prior its
        alpha and effective number of parameters, as MATLAB's ``trainbr`` prints
        them, and the seconds since the previous line) and per policy event.
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
        self._clock = time.perf_counter()

    def __call__(self, iteration, point, loss, move, mu=None):
        if self.verbose >= 2:
            self._print_iteration(iteration, loss, move is not None, mu, point.prior)
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

    def _print_iteration(self, iteration, loss, event, mu, prior):
        damping = "" if mu is None else f", mu = {mu:.1e}"
        bayes = "" if self.gamma is None else _prior_text(prior)
        now = time.perf_counter()
        seconds, self._clock = now - self._clock, now
        print(f"{self.label}Iteration {iteration}, loss = {loss:.8g}{damping}{bayes}, "
              f"{seconds:.2f} s", flush=True)
        if event:
            omega = getattr(self.policy, "omega", None)
            what = "restart" if omega is None else f"compression, omega = {omega:.4g}"
            print(f"{self.label}  * {what}", flush=True)


def _prior_text(prior):
    """A Bayesian prior's state for a verbose line: alpha (with groups, their range
    and number) and the effective number of parameters (summed over the groups)."""
    alpha, gamma = prior
    if np.ndim(alpha):
        alpha = f"{np.min(alpha):.2e} to {np.max(alpha):.2e} ({np.size(alpha)} groups)"
    else:
        alpha = f"{alpha:.2e}"
    gamma = "n/a" if gamma is None else f"{float(np.sum(gamma)):.1f}"
    return f", alpha = {alpha}, gamma = {gamma}"


def split_validation(network, X, Y, sample_weight, fraction, rng, score, stratify=None):
    """Early stopping's held-out set: ``(X, Y, sample_weight, validation)`` of the
    training part, ``validation(w)`` the score (higher is better; ``score(outputs,
    Y, sample_weight)``, the estimator's) of the network at w on the held-out
    ``fraction`` of the rows (stratified by ``stratify`` when given); overflowing
    outputs score worst, -inf."""
    try:
        parts = train_test_split(
            X, Y, *([] if sample_weight is None else [sample_weight]),
            test_size=fraction, random_state=rng, stratify=stratify)
    except ValueError as error:  # name our parameters, not train_test_split's
        raise ValueError("early_stopping cannot hold out validation_fraction="
                         f"{fraction} of {X.shape[0]} samples: {error}") from error
    X, X_val, Y, Y_val = parts[:4]
    sample_weight, sw_val = (None, None) if sample_weight is None else parts[4:]
    if X_val.shape[0] < 2:
        raise ValueError("The validation set is too small; increase validation_fraction "
                         "or set early_stopping=False.")
    if sample_weight is not None and not (sample_weight.sum() > 0 and sw_val.sum() > 0):
        raise ValueError("With early_stopping, the sample_weight of the training part "
                         "and of the validation set must each have a positive sum; "
                         "change random_state or validation_fraction, or set "
                         "early_stopping=False.")

    def validation(w):
        with np.errstate(all="ignore"):  # overflowing outputs score worst, silently
            outputs = network.forward(w, X_val)
            if not np.all(np.isfinite(outputs)):
                return -np.inf
            value = score(outputs, Y_val, sw_val)
        return value if np.isfinite(value) else -np.inf

    return X, Y, sample_weight, validation


def warn_if_saturated(scale, saturation):
    """Warn when most hidden activations are on a flat spot and the inputs are far
    from unit scale (``scale``: the largest root mean square of a feature): the
    network can barely learn, and scaling the inputs is the usual cure.
    ``saturation()`` gives the fraction of flat activations (a pass over the data,
    made only for unscaled inputs)."""
    if not scale > _UNSCALED:  # NaN-safe: overflowing squares count as unscaled
        return
    saturated = saturation()
    if saturated > 0.5:
        warnings.warn(
            f"{saturated:.0%} of the hidden activations are saturated on the training "
            f"data (|slope| below a tenth of its maximum), and the inputs look "
            f"unscaled (root mean square of a feature up to {scale:.3g}): the "
            "network learns little there. Scale the inputs, for example with "
            "sklearn.preprocessing.StandardScaler in a Pipeline.", UserWarning)
