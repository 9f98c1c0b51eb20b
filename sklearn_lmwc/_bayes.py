"""The prior on the weights: the L2 penalty, fixed or re-estimated by the evidence.

With ``alpha="bayes"`` the penalty is re-estimated after every accepted step by the
evidence approximation (MacKay 1992) in the Gauss-Newton form of Foresee & Hagan
(1997), as MATLAB's ``trainbr``. The objective consults the prior through
``Prior.reestimate`` alone; the noise precision comes from the loss.

The prior's state (alpha and the effective number of parameters, a ``PriorState``)
belongs to the weights it was estimated with: it travels with them in a point
(``_objective.Point``), and the ``Prior`` itself holds none.
"""

from typing import NamedTuple

import numpy as np

from ._predictive import Laplace

# bounds of the Bayesian alpha: a network that fits exactly would send it to 0, where
# the minimum of an over-parameterised network is no longer unique (then where LM
# stops depends on rounding: weighting and repeating samples gave different fits);
# one with zero weights would send it to infinity
_ALPHA_BOUNDS = (1e-6, 1e12)
# the Bayesian alpha's start: weak next to the summed loss of any data set
_ALPHA_START = 1e-3
# jitter, relative to alpha (with groups, the smallest), of the matrix whose inverse's
# trace gives gamma: keeps the unpenalised directions (biases) factorisable at a
# negligible cost in gamma
_TRACE_DAMPING = 1e-6


class PriorState(NamedTuple):
    """What the prior has learned: ``alpha``, and ``gamma`` the effective number of
    parameters of its last estimate (None before one, or with a fixed alpha); with
    groups of weights, arrays of one entry per group."""

    alpha: float | np.ndarray
    gamma: float | np.ndarray | None


class Prior:
    """``0.5 * alpha * ||w||^2`` over the penalised weights (biases are not
    penalised, as in scikit-learn's MLP); with ``groups``, ``0.5 * sum_g alpha_g
    ||w_g||^2`` over every weight, one Bayesian alpha per group (MacKay 1992's
    groups of weights, Netlab's; one group per input feature is automatic relevance
    determination).

    The prior is its configuration only: what it has learned is a ``PriorState``,
    passed in and handed back (``start``, ``reestimate``), which travels with the
    weights it was estimated at (``_objective.Point``).

    Parameters
    ----------
    alpha : float or "bayes"
        A fixed penalty, or ``"bayes"``: re-estimated during training (0 until
        ``start``). With groups, "bayes" only, and ``alpha`` an array (G,).
    penalised : ndarray of bool (n_weights,)
        The weights the penalty acts on; with groups, every weight (biases too: they
        have a group of their own).
    groups : ndarray of int (n_weights,), optional
        Each weight's group, 0 to G - 1, none empty (``Network.weight_groups``).
    """

    def __init__(self, alpha, penalised, groups=None):
        self.bayes = isinstance(alpha, str)
        self.groups = None
        if groups is None:
            self.fixed = 0.0 if self.bayes else float(alpha)
            self.penalised = penalised
            return
        if not self.bayes:
            raise ValueError(f"groups of weights need alpha='bayes', got alpha={alpha!r}")
        groups = np.asarray(groups)
        if groups.shape != np.shape(penalised) or not groups.size or \
                not np.issubdtype(groups.dtype, np.integer) or groups.min() < 0:
            raise ValueError("groups must be one int per weight, from 0")
        self.groups = groups.astype(np.intp)
        self.sizes = np.bincount(self.groups)  # weights per group
        if not self.sizes.all():
            raise ValueError("groups must be numbered 0 to G - 1, none empty")
        self.penalised = np.ones(self.groups.size, dtype=bool)

    @property
    def n_groups(self):
        """The number of alphas: 1 without groups."""
        return 1 if self.groups is None else self.sizes.size

    @property
    def active(self):
        """Whether the penalty may be nonzero during training (fixed and nonzero, or
        Bayesian)."""
        return self.bayes or bool(self.fixed)

    def initial(self):
        """The state before ``start``: the fixed alpha, or 0 (per group) with
        "bayes"."""
        if self.groups is None:
            return PriorState(self.fixed, None)
        return PriorState(np.zeros(self.sizes.size), None)

    def penalising(self, alpha):
        """Whether the penalty at ``alpha`` can be nonzero (``alpha`` may be an
        array: ask this, not its truth)."""
        if self.groups is None:
            return bool(alpha)
        return bool(np.any(alpha))

    def _group_array(self, value):
        """A new float array (G,) of value (a scalar, or an array of G)."""
        return np.array(np.broadcast_to(np.asarray(value, dtype=float), self.sizes.shape))

    def start(self, alpha=None):
        """The state a run starts from. With ``alpha="bayes"`` the first estimate is
        ``alpha`` when given (a warm start goes on from the fitted one), else a weak
        prior, ``_ALPHA_START``: the first steps then fit the data, and the estimates
        that follow grow alpha to what they determine. ``trainbr``'s start, every
        penalised weight taken as determined (``gamma = N_w``), gave penalties that
        shrank the hidden layer of small bridged networks to zero in one step, a
        saddle from which they kept only their linear part (a sine fit: R^2 0.66
        instead of 0.98). With groups every group starts there, or from ``alpha`` (a
        scalar, or an array of one alpha per group: copied)."""
        if not self.bayes:
            return self.initial()
        start = _ALPHA_START if alpha is None else alpha
        if self.groups is not None:
            return PriorState(self._group_array(start), None)
        return PriorState(float(start), None)

    def diagonal(self, alpha):
        """The penalty's diagonal at ``alpha``: alpha on the penalised weights, 0
        elsewhere (with groups, each weight's group's alpha)."""
        if self.groups is not None:
            return alpha[self.groups]
        return alpha * self.penalised

    def penalty(self, w, alpha):
        """The penalty at w with ``alpha``."""
        if self.groups is not None:
            return 0.5 * float(alpha @ self._group_squares(w))
        wp = w[self.penalised]
        return 0.5 * alpha * (wp @ wp)

    def _group_squares(self, w):
        """``||w_g||^2`` per group (G,)."""
        return np.bincount(self.groups, weights=w * w, minlength=self.sizes.size)

    @staticmethod
    def jitter(alpha):
        """The damping of the factor whose inverse gives gamma: ``1e-6`` of the
        (smallest) alpha, which keeps unpenalised directions factorisable."""
        return _TRACE_DAMPING * float(np.min(alpha))

    def effective_parameters(self, system, alpha):
        """``gamma = N_w - alpha * tr_w(Q^-1)`` from ``system`` (Q including the
        penalty at ``alpha``; see ``reestimate`` for the damping of its factor), or
        None when Q is not positive definite even with the jitter.

        With groups, ``gamma_g = N_g - alpha_g * tr_g(Q^-1)`` per group (an array),
        the block traces summed from one diagonal of the inverse (one
        factorisation), the jitter relative to the smallest alpha."""
        if self.groups is not None:
            diagonal = system.inverse_diagonal(self.jitter(alpha))
            if diagonal is None:
                return None
            traces = np.bincount(self.groups, weights=diagonal, minlength=self.sizes.size)
            gamma = np.clip(self.sizes - alpha * traces, 0.0, self.sizes)
            # a non-finite diagonal (an overflowing Q) fails like a factorisation
            return gamma if np.isfinite(gamma).all() else None
        n_w = np.count_nonzero(self.penalised)
        trace = system.inverse_trace(self.penalised, self.jitter(alpha))
        if trace is None:
            return None
        return float(np.clip(n_w - alpha * trace, 0.0, n_w))

    def reestimate(self, w, data, system, n_residuals, noise_variance, alpha):
        """The state re-estimated at w from ``alpha``, after an accepted step
        (Bayesian only); None when there is none (a fixed alpha, or a system that
        cannot give gamma). ``data``: the loss at w without the penalty; ``system``:
        the damped system of that step; ``n_residuals``: summed sample weights times
        outputs; ``noise_variance(data, n, gamma)``: the loss's ``1 / beta``, beta
        the noise precision (not the stall threshold of the public ``beta``).

        ``gamma = N_w - alpha * tr_w(Q^-1)`` (the trace over the penalised weights, Q
        including the current penalty), then ``alpha = gamma / ||w||^2`` (the
        precision of the weights) divided by beta. The trace comes from the
        accepted step's factor of ``Q + mu I`` when its damping mu is negligible next
        to alpha (at most ``1e-6 * alpha``), as it is near convergence; otherwise from
        a factor of ``Q + 1e-6 * alpha * I``. The damped factor itself would count
        each direction the data do not determine as ``mu / (alpha + mu)`` of a
        parameter: nearly one while mu is large.

        With groups, per group: ``alpha_g = gamma_g / ||w_g||^2`` divided by beta,
        beta from the total gamma (the trace's damping relative to the smallest
        alpha). A group the data do not determine (gamma_g near 0) gets a small
        alpha_g, as MacKay's formula says: sending it to the upper bound instead
        killed groups that later steps would have needed (the output weights of a
        bridged network, an input of Friedman #1) and scored lower on three real
        regression sets out of four.
        """
        if not self.bayes:
            return None
        gamma = self.effective_parameters(system, alpha)
        if gamma is None:  # Q not positive definite even with the jitter: keep alpha
            return None
        if self.groups is not None:
            variance = noise_variance(data, n_residuals, float(gamma.sum()))
            with np.errstate(over="ignore"):  # inf: clipped to the upper bound
                new = gamma / np.maximum(self._group_squares(w), 1e-300) * variance
            return PriorState(np.clip(new, *_ALPHA_BOUNDS), gamma)
        wp = w[self.penalised]
        new = gamma / max(wp @ wp, 1e-300) * noise_variance(data, n_residuals, gamma)
        return PriorState(float(np.clip(new, *_ALPHA_BOUNDS)), gamma)


def log_evidence(prior, state, w, value, log_det, n_residuals, loss, log_symmetries=0.0):
    """The log marginal likelihood of the data under the Laplace (Gauss-Newton)
    approximation at w, with the ``prior`` in ``state`` (MacKay 1992; Bishop 1995,
    10.4).

    In the objective's units (``value = E_D + sum_i 0.5 alpha_i w_i^2``, the loss at
    w plus the penalty; ``alpha = a / beta``), with beta the noise precision the loss
    gives at w (``1 / loss.noise_variance``; 1 for log-loss) and A = beta (Q + D) the
    posterior precision (Q the Gauss-Newton matrix, D the penalty's diagonal)::

        log p(D) = -beta value - 0.5 log det(Q + D) + 0.5 sum_(i penalised) log alpha_i
                   - 0.5 k log beta + 0.5 k log 2 pi + loss's normaliser + log symmetries

    ``log_det``: ``log det(Q + D)``; k the weights without a penalty (biases under a
    flat prior of unit density, which the Laplace integral covers like the others);
    the loss's normaliser ``0.5 n log(beta / 2 pi)`` for squared error over n
    residuals; ``log_symmetries`` the log of the number of equivalent weight vectors
    (hidden units' permutations and sign flips), each a mode of the posterior.
    """
    diagonal = prior.diagonal(state.alpha)
    penalised = diagonal > 0
    k = diagonal.size - np.count_nonzero(penalised)
    data = value - prior.penalty(w, state.alpha)
    gamma = 0.0 if state.gamma is None else float(np.sum(state.gamma))
    # an exact fit (no residual) has no noise to estimate: the smallest variance
    beta = 1.0 / max(loss.noise_variance(data, n_residuals, gamma), np.finfo(float).tiny)
    return float(-beta * value - 0.5 * log_det + 0.5 * np.log(diagonal[penalised]).sum()
                 + 0.5 * k * (np.log(2 * np.pi) - np.log(beta))
                 + loss.log_normaliser(n_residuals, beta) + log_symmetries)


class Posterior(NamedTuple):
    """The Laplace posterior at the weights a run returns: the prior's ``state`` there
    (gamma computed at them), the ``log_evidence`` (None without alpha="bayes", or
    when Q + D cannot be factorised) and, when asked for, the ``laplace`` posterior
    of predictive distributions (None when not asked for, or without a factor)."""

    state: PriorState
    log_evidence: float | None
    laplace: Laplace | None = None
