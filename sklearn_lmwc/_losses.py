"""The losses of a network's outputs: their values, Gauss-Newton factors and means.

Values are sums over samples (the paper's SSE scale, on which the damping ``mu``
acts); the reported loss (``loss_``) is a mean. Each loss supplies what the objective
(``_objective``) and the prior (``_bayes``) need of it, so that neither branches on
the loss.
"""

import numpy as np
from scipy.special import expit, log_expit, softmax


class SquaredError:
    """``0.5 * sum_p s_p ||f(x_p) - y_p||^2``; ``Q = J^T S J``, ``g = J^T S r``."""

    name = "squared_error"

    def value(self, out, Y, sw):
        """The loss summed over the samples (a value per network for a stack of
        outputs, ``(T, n, M)``)."""
        r2 = np.square(out - Y).sum(axis=-1)
        return 0.5 * (r2.sum(axis=-1) if sw is None else r2 @ sw)

    def gauss_newton(self, out, Y, sw):
        """``(r, scale)``: ``g = sum_p J_p^T r_p`` and ``Q = sum_p B_p^T B_p`` with
        ``B_p = scale(J)_p``; ``scale`` acts on any (n, M, k) array of per-output rows
        (the Jacobian, or its sensitivity factors) and returns a new array or T itself."""
        r = out - Y
        if sw is None:
            return r, lambda T: T
        root = np.sqrt(sw)[:, None, None]
        return r * sw[:, None], lambda T: T * root

    def mean(self, total, weight_sum, n_outputs):
        """Mean squared error (per sample and output) from the objective's total."""
        return 2.0 * total / (weight_sum * n_outputs)

    def goal_metric(self, mean_loss):
        """RMSE: what ``goal`` is compared with."""
        return np.sqrt(mean_loss)

    def noise_variance(self, total, n_residuals, gamma):
        """``1 / beta``, the noise variance the evidence estimates from the loss's
        ``total`` at the weights (``SSE = 2 * total``) over ``n_residuals`` residuals,
        ``gamma`` of them taken by the fit."""
        return 2.0 * total / max(n_residuals - gamma, 1.0)

    def log_normaliser(self, n_residuals, beta):
        """The Gaussian likelihood's ``0.5 n log(beta / 2 pi)`` over n residuals."""
        return 0.5 * n_residuals * (np.log(beta) - np.log(2 * np.pi))


def _softmax_nll(out, Y):
    """Per row ``-log softmax(z)_y = logsumexp(z - z_y)`` for one-hot Y, as
    ``m + log1p(sum of the other terms)`` with ``m`` the largest ``z_k - z_y``: no
    overflow, and a well-classified row keeps its tiny loss (``exp(-50)``, not 0)
    whatever scipy's ``logsumexp`` does."""
    d = out - (Y * out).sum(axis=-1, keepdims=True)
    top = d.argmax(axis=-1)[..., None]
    m = np.take_along_axis(d, top, axis=-1)
    terms = np.exp(d - m)
    np.put_along_axis(terms, top, 0.0, axis=-1)
    return m[..., 0] + np.log1p(terms.sum(axis=-1))


class LogLoss:
    """Cross-entropy of the network's outputs taken as logits, by generalised Gauss-Newton.

    ``kind="logistic"``: independent logistic outputs (binary: one output; multilabel:
    one per label), ``l_p = -sum_m [y log sigma(z) + (1 - y) log sigma(-z)]``,
    ``H_p = diag(p (1 - p))``. ``kind="softmax"`` (multiclass, one-hot Y):
    ``l_p = logsumexp(z) - z_y``, ``H_p = diag(p) - p p^T``.

    The objective is ``sum_p s_p l_p`` (no 0.5); ``Q = sum_p s_p J_p^T H_p J_p`` and
    ``g = sum_p s_p J_p^T (p - y)``, both vectorised over the chunk as one product
    ``A^T A`` of scaled rows (see ``gauss_newton``): for logistic outputs the rows of
    J are scaled by ``sqrt(s p (1 - p))``; for softmax, since ``sum_m p_m = 1``,
    ``J_p^T H_p J_p = sum_m p_m (J_pm - Jbar_p)^T (J_pm - Jbar_p)`` with
    ``Jbar_p = sum_m p_m J_pm`` (equal to ``J^T diag(p) J - (J^T p)(p^T J)``), so the
    rows are centred, then scaled by ``sqrt(s p_m)``: positive semi-definite by
    construction, without the cancellation of subtracting two large products when p
    is nearly one-hot. Logits are handled in log-sum-exp form throughout, so large
    logits neither overflow nor lose the tiny losses of well-classified samples.
    """

    name = "log_loss"
    KINDS = ("logistic", "softmax")

    def __init__(self, kind="softmax"):
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got {kind!r}.")
        self.kind = kind

    def probabilities(self, out):
        if self.kind == "softmax":
            return softmax(out, axis=-1)
        return expit(out)

    def value(self, out, Y, sw):
        """The loss summed over the samples (per network for a stack of outputs)."""
        if self.kind == "softmax":
            nll = _softmax_nll(out, Y)
        else:
            nll = -(Y * log_expit(out) + (1.0 - Y) * log_expit(-out)).sum(axis=-1)
        return nll.sum(axis=-1) if sw is None else nll @ sw

    def gauss_newton(self, out, Y, sw):
        """``(r, scale)`` as for ``SquaredError.gauss_newton``."""
        P = self.probabilities(out)
        r = P - Y
        if self.kind == "softmax":
            h = P
        else:
            h = expit(out) * expit(-out)  # p (1 - p) without cancellation near p = 1
        if sw is not None:
            r *= sw[:, None]
            h = h * sw[:, None]
        root = np.sqrt(h)[..., None]
        if self.kind == "softmax":
            # centre each sample's rows on their p-weighted mean: T_m - Tbar
            return r, lambda T: (T - np.einsum("...pm,...pmk->...pk", P, T)[..., None, :]
                                 ) * root
        return r, lambda T: T * root

    def mean(self, total, weight_sum, n_outputs):
        """Mean log-loss per sample (summed over the labels for multilabel)."""
        return total / weight_sum

    def goal_metric(self, mean_loss):
        """The mean log-loss itself."""
        return mean_loss

    def noise_variance(self, total, n_residuals, gamma):
        """1: a likelihood without a noise scale."""
        return 1.0

    def log_normaliser(self, n_residuals, beta):
        """0: the loss is the negative log-likelihood itself."""
        return 0.0
