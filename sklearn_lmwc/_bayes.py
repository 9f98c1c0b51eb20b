"""The prior on the weights: the L2 penalty, fixed or re-estimated by the evidence.

With ``alpha="bayes"`` the penalty is re-estimated after every accepted step by the
evidence approximation (MacKay 1992) in the Gauss-Newton form of Foresee & Hagan
(1997), as MATLAB's ``trainbr``. The objective consults the prior through
``Prior.reestimate`` alone; the noise precision comes from the loss.

The prior's ``state`` (alpha and the effective number of parameters) belongs to the
weights it was estimated with, like the fit's other state: whoever keeps weights to
return later keeps the state with them (``state``, ``restore``).
"""

from typing import NamedTuple

import numpy as np

# bounds of the Bayesian alpha: a network that fits exactly would send it to 0, where
# the minimum of an over-parameterised network is no longer unique (then where LM
# stops depends on rounding: weighting and repeating samples gave different fits);
# one with zero weights would send it to infinity
_ALPHA_BOUNDS = (1e-6, 1e12)
# the Bayesian alpha's start: weak next to the summed loss of any data set
_ALPHA_START = 1e-3
# jitter, relative to alpha, of the matrix whose inverse's trace gives gamma: keeps
# the unpenalised directions (biases) factorisable at a negligible cost in gamma
_TRACE_DAMPING = 1e-6


class PriorState(NamedTuple):
    """What the prior has learned: ``alpha``, and ``gamma`` the effective number of
    parameters of its last estimate (None before one, or with a fixed alpha)."""

    alpha: float
    gamma: float | None


class Prior:
    """``0.5 * alpha * ||w||^2`` over the penalised weights (biases are not
    penalised, as in scikit-learn's MLP).

    Parameters
    ----------
    alpha : float or "bayes"
        A fixed penalty, or ``"bayes"``: re-estimated during training (0 until
        ``start``).
    penalised : ndarray of bool (n_weights,)
        The weights the penalty acts on.
    """

    def __init__(self, alpha, penalised):
        self.bayes = isinstance(alpha, str)
        self.alpha = 0.0 if self.bayes else float(alpha)
        self.gamma = None
        self.penalised = penalised

    @property
    def active(self):
        """Whether the penalty may be nonzero during training (fixed and nonzero, or
        Bayesian)."""
        return self.bayes or bool(self.alpha)

    def state(self):
        return PriorState(self.alpha, self.gamma)

    def restore(self, state):
        self.alpha, self.gamma = state

    def start(self, alpha=None):
        """Prepare a run. With ``alpha="bayes"`` the first estimate is ``alpha`` when
        given (a warm start goes on from the fitted one), else a weak prior,
        ``_ALPHA_START``: the first steps then fit the data, and the estimates that
        follow grow alpha to what they determine. ``trainbr``'s start, every penalised
        weight taken as determined (``gamma = N_w``), gave penalties that shrank the
        hidden layer of small bridged networks to zero in one step, a saddle from
        which they kept only their linear part (a sine fit: R^2 0.66 instead of
        0.98)."""
        if self.bayes:
            self.alpha = _ALPHA_START if alpha is None else float(alpha)

    def diagonal(self):
        """The penalty's diagonal: alpha on the penalised weights, 0 elsewhere."""
        return self.alpha * self.penalised

    def penalty(self, w):
        wp = w[self.penalised]
        return 0.5 * self.alpha * (wp @ wp)

    def effective_parameters(self, system):
        """``gamma = N_w - alpha * tr_w(Q^-1)`` from ``system`` (Q including the
        current penalty; see ``reestimate`` for the damping of its factor), or None
        when Q is not positive definite even with the jitter."""
        n_w = np.count_nonzero(self.penalised)
        trace = system.inverse_trace(self.penalised, _TRACE_DAMPING * self.alpha)
        if trace is None:
            return None
        return float(np.clip(n_w - self.alpha * trace, 0.0, n_w))

    def reestimate(self, w, data, system, n_residuals, noise_variance):
        """Re-estimate alpha at w, after an accepted step (Bayesian only; a fixed
        alpha stays); whether it was. ``data``: the loss at w without the penalty;
        ``system``: the damped system of that step; ``n_residuals``: summed sample
        weights times outputs;
        ``noise_variance(data, n, gamma)``: the loss's ``1 / beta``, beta the noise
        precision (not the stall threshold of the public ``beta``).

        ``gamma = N_w - alpha * tr_w(Q^-1)`` (the trace over the penalised weights, Q
        including the current penalty), then ``alpha = gamma / ||w||^2`` (the
        precision of the weights) divided by beta. The trace comes from the
        accepted step's factor of ``Q + mu I`` when its damping mu is negligible next
        to alpha (at most ``1e-6 * alpha``), as it is near convergence; otherwise from
        a factor of ``Q + 1e-6 * alpha * I``. The damped factor itself would count
        each direction the data do not determine as ``mu / (alpha + mu)`` of a
        parameter: nearly one while mu is large.
        """
        if not self.bayes:
            return False
        gamma = self.effective_parameters(system)
        if gamma is None:  # Q not positive definite even with the jitter: keep alpha
            return False
        wp = w[self.penalised]
        alpha = gamma / max(wp @ wp, 1e-300) * noise_variance(data, n_residuals, gamma)
        self.alpha = float(np.clip(alpha, *_ALPHA_BOUNDS))
        self.gamma = gamma
        return True
