"""Predictive distributions from the Laplace posterior at the fitted weights.

Under the Laplace (Gauss-Newton) approximation the weights' posterior is Gaussian
about the fitted weights w, with precision ``beta (Q + D)`` (``_objective.laplace``);
to first order in the weights an output ``f(x, w)`` is then Gaussian too, with
variance ``g^T (Q + D)^-1 g / beta``, g its derivative with respect to the weights
(MacKay 1992; Bishop 1995, section 10.6). Squared error adds the noise ``1 / beta``;
a logit's variance moderates its probability (MacKay's probit approximation).

The fit keeps the lower Cholesky factor L of ``Q + D`` (``L L^T``) of every committee
member; a prediction then costs, per chunk of rows, one Jacobian pass and one
triangular solve: ``g^T (L L^T)^-1 g = ||L^-1 g||^2``.
"""

from typing import NamedTuple

import numpy as np
from scipy.linalg import solve_triangular
from scipy.sparse import issparse
from sklearn.utils import gen_batches

# the posterior factor is kept for networks of at most this many weights: N x N
# floats, 32 MB at this bound
MAX_WEIGHTS = 2000
# elements of a chunk's Jacobian (rows x outputs x weights) held at once
_CHUNK_ELEMENTS = 2**21
# the factors of every trial (trials x weights^2 floats) held at once, 256 MB: below
# it each trial keeps the factor its evidence made, so that the fit makes no other
_TRIALS_ELEMENTS = 2**25


class Laplace(NamedTuple):
    """The Laplace posterior of one network's weights, in the units it was trained
    in (the regressor's standardised targets, the classifier's logits).

    factor : ndarray of shape (n_weights, n_weights)
        Lower Cholesky factor L of ``Q + D`` at the weights (``L L^T``; zeros above
        the diagonal): Q the Gauss-Newton matrix of the summed training loss, D the
        penalty's diagonal (the unpenalised weights' directions jittered by ``1e-6``
        of alpha). The weights' posterior covariance is ``(L L^T)^-1 / beta``.
    noise_variance : float
        ``1 / beta``: for squared error ``SSE / (n - gamma)`` at the weights (n the
        summed sample weights times outputs, gamma the effective number of
        parameters); 1 for log-loss.
    """

    factor: np.ndarray
    noise_variance: float


def trials_keep_laplace(network, n_trials):
    """Whether each of ``n_trials`` trials keeps its ``Laplace`` posterior: when a fit
    keeps one (``MAX_WEIGHTS``) and all of theirs fit in ``_TRIALS_ELEMENTS``; the
    fit otherwise computes its committee's afterwards (``laplace_posteriors``)."""
    N = network.n_weights
    return N <= MAX_WEIGHTS and n_trials * N * N <= _TRIALS_ELEMENTS


def laplace_posteriors(objective, trials, n_trials, own=True):
    """The ``Laplace`` posterior (or None) at each of ``trials`` (a committee of
    ``n_trials`` trials' best): each trial's own when the trials kept theirs (and
    ``own``: their objective was ``objective``), else computed on ``objective`` at the
    trial's point; all None for a network of more than ``MAX_WEIGHTS`` weights."""
    if objective.network.n_weights > MAX_WEIGHTS:
        return [None] * len(trials)
    if own and trials_keep_laplace(objective.network, n_trials):
        return [trial.laplace for trial in trials]
    return [objective.laplace(trial.point) for trial in trials]


def output_moments(network, w, factor, X, cov=False, centred=False):
    """The outputs at the rows of X, ``(n, M)``, and the variance of each under the
    weights' posterior in units of ``1 / beta``: ``(n, M)``, or with ``cov`` the
    covariances between rows, ``(n, n, M)``. With ``centred``, the variances of the
    outputs minus their mean over the outputs: softmax logits, whose common shift
    the data cannot determine (nor a penalty on biases: their jitter gives that
    direction a variance of ``1e6 / alpha``), count only by their differences.

    Rows in chunks whose Jacobian holds at most ``_CHUNK_ELEMENTS`` (the covariances
    need every row's solve at once: ``n x M x N`` floats)."""
    N, M = network.n_weights, network.n_outputs
    outputs, solved = [], []
    for rows in gen_batches(X.shape[0], max(1, _CHUNK_ELEMENTS // (M * N))):
        chunk = X[rows].toarray() if issparse(X) else X[rows]
        Y, J = network.jacobian(w, chunk)
        if centred:
            J = J - J.mean(axis=1, keepdims=True)
        # (N, rows x M): a view when J is that of a C-ordered (N, rows, M) array
        V = solve_triangular(factor, J.transpose(2, 0, 1).reshape(N, -1), lower=True,
                             check_finite=False)
        outputs.append(Y)
        solved.append(V if cov else np.einsum("ij,ij->j", V, V).reshape(-1, M))
    if not outputs:
        empty = np.empty((0, M))
        return empty, (np.empty((0, 0, M)) if cov else empty)
    if not cov:
        return np.concatenate(outputs), np.concatenate(solved)
    V = np.concatenate(solved, axis=1).reshape(N, -1, M).transpose(2, 1, 0)  # (M, n, N)
    return np.concatenate(outputs), np.moveaxis(V @ V.transpose(0, 2, 1), 0, -1)


def mixture(means, variances):
    """The mean and variance of an equal mixture of Gaussians (a committee's
    predictive distribution) from its members' ``(n, M)`` means and variances:
    ``mean_m(v_m) + mean_m((z_m - zbar)^2)``, which keeps the members' spread
    without the cancellation of subtracting squares. With covariances ``(n, n, M)``
    the spread is the mean outer product of the deviations."""
    means = np.stack(means)
    mean = means.mean(axis=0)
    deviations = means - mean
    variances = np.stack(variances)
    if variances.ndim == means.ndim:
        return mean, variances.mean(axis=0) + np.square(deviations).mean(axis=0)
    spread = np.einsum("tim,tjm->ijm", deviations, deviations) / len(means)
    return mean, variances.mean(axis=0) + spread


def moderated(logits, variance):
    """Logits moderated by their posterior variance (same shape): MacKay's probit
    approximation of the logistic's expectation, ``z / sqrt(1 + pi v / 8)``, and
    for softmax outputs its mean-field analogue, each logit moderated by its own
    variance (Lu, Ie & Sha 2020)."""
    return logits / np.sqrt(1.0 + np.pi / 8.0 * variance)
