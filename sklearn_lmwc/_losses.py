"""Losses, and the objective the LM loop minimises: value, quasi-Hessian and gradient.

The LM loop sees only ``Objective``; each loss supplies its per-chunk value and its
contribution to ``Q`` and ``g``, so the loop never branches on the loss. Values are
sums over samples (the paper's SSE scale, on which the damping ``mu`` acts); the
reported loss (``loss_``) is a mean.
"""

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from typing import NamedTuple

import numpy as np
from scipy.special import expit, log_expit, softmax

from ._network import KroneckerGram
from ._solve import GramSystem, KernelSystem

# rows of J held at once: bounded so that memory does not grow with the samples
_CHUNK_ELEMENTS = 2**21
# the forward state (activations, slopes) of every sample that a value pass keeps for
# the Jacobian pass at the same weights, the accepted step's: at most this many
# elements (as many as a chunk of J), so that memory stays bounded
_STATE_ELEMENTS = _CHUNK_ELEMENTS
# the work per share of the rows from which threads pay (``Objective.shares``):
# forward-state elements (a value pass) or multiply-adds of J^T J (a Jacobian pass).
# Measured with a thread pool on a 2-core machine: elementwise passes over 2e4 values
# per thread ran no faster on two threads than on one, over 2e5 values 1.9 times as fast
_MIN_SHARE_STATE = 2**18
_MIN_SHARE_GRAM = 1e8
# a share's chunks hold 1 / shares of a chunk's rows, so that memory stays that of one
# chunk whatever the threads: four shares, with chunks half as large, made an
# iteration of the M case 6 % (one thread) to 16 % (two) slower than two shares
_MAX_SHARES = 2
# the process's thread pools that run shares, by size: one for all objectives (the
# trials of a batch would each start one), idle between passes like BLAS's threads
_POOLS, _POOLS_LOCK = {}, threading.Lock()


def _pool(threads):
    with _POOLS_LOCK:
        if threads not in _POOLS:
            _POOLS[threads] = ThreadPoolExecutor(threads, "sklearn_lmwc")
        return _POOLS[threads]

# "gram": (Q + mu I) in the weights' space, N x N; "kernel": its R x R form in the
# space of the R scaled residuals (samples x outputs), for R < N
FORMS = ("auto", "gram", "kernel")
_TRIES = 2  # damping tries per iteration assumed by the cost model (typical of LM)


def _costs(network, n_samples):
    """Relative costs (multiply-adds per iteration) of the ways to build and solve the
    damped system, and the elements held per sample by each way of building Q.

    The weights of the non-BLAS terms (sums over outputs of small per-sample
    products, elementwise passes) were measured against BLAS products on this
    code's shapes."""
    M, N = network.n_outputs, network.n_weights
    layers = network.layers
    kron = kron_memory = 0
    for l, L in enumerate(layers):
        for K in layers[:l + 1]:
            if K is L:
                u, v = (L.fan_in + 1) * (L.fan_in + 2) // 2, L.size * (L.size + 1) // 2
            else:
                u, v = (L.fan_in + 1) * (K.fan_in + 1), L.size * K.size
            kron += u * v + _MEMORY * (u + v) + _SMALL_PRODUCT * M * L.size * K.size \
                + _PER_SAMPLE_CALL
            kron_memory = max(kron_memory, u + M * L.size * K.size)
    backprop = M * (network.n_columns + 2 * sum(L.size for L in layers))
    jacobian = M * N * N / 2 + _MEMORY * M * N
    R = n_samples * M
    gram = n_samples * min(kron, jacobian) + _TRIES * N**3 / 6
    kernel = n_samples * _MEMORY * M * N + R * R * N / 2 + _TRIES * (R**3 / 6 + 2 * R * N)
    return {"kronecker": kron, "jacobian": jacobian, "gram": gram, "kernel": kernel,
            "kronecker_memory": kron_memory + backprop, "jacobian_memory": M * N + backprop}


_MEMORY = 4  # an element written and read again, in multiply-adds
_SMALL_PRODUCT = 10  # a multiply-add of a batch of tiny per-sample products
_PER_SAMPLE_CALL = 15_000  # numpy's matmul calls BLAS once per sample of a batch


def add_gram(Q, A):
    """``Q += A^T A`` (or, for a stack of T matrices, ``Q[t] += A[t]^T A[t]``). numpy
    runs ``A.T @ A`` as one symmetric BLAS product; measured at 8000 x 841 on 2
    threads it took half the time of scipy's own ``dsyrk``."""
    Q += A.T @ A if A.ndim == 2 else np.swapaxes(A, -1, -2) @ A


class SquaredError:
    """``0.5 * sum_p s_p ||f(x_p) - y_p||^2``; ``Q = J^T S J``, ``g = J^T S r``."""

    name = "squared_error"
    gaussian = True  # a noise precision (beta) to estimate for alpha="bayes"

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
    gaussian = False  # a likelihood without a noise scale: beta = 1 for alpha="bayes"
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


class _Kept(NamedTuple):
    """The forward states of a value pass, per share and chunk, for the Jacobian pass
    at the same weights over the same chunks."""

    X: object
    chunk: int
    shares: int
    w: np.ndarray
    states: list

    def matches(self, objective, w):
        return (self.X is objective.X and self.chunk == objective.chunk
                and self.shares == objective.shares and np.array_equal(self.w, w))


# bounds of the Bayesian alpha / beta: a network that fits exactly would send it to 0,
# where the minimum of an over-parameterised network is no longer unique (then where
# LM stops depends on rounding: weighting and repeating samples gave different fits);
# one with zero weights would send it to infinity
_ALPHA_BOUNDS = (1e-6, 1e12)
# the Bayesian alpha's start: weak next to the summed loss of any data set
_ALPHA_START = 1e-3
# points whose flat counts are kept from the value passes, for ``saturation``
_FLAT_POINTS = 8
# jitter, relative to alpha, of the matrix whose inverse's trace gives gamma: keeps
# the unpenalised directions (biases) factorisable at a negligible cost in gamma
_TRACE_DAMPING = 1e-6


class Objective:
    """A loss of a network's outputs on a training set, plus ``0.5 * alpha * ||w||^2``.

    Biases are not penalised (as in scikit-learn's MLP). With ``alpha="bayes"`` the
    penalty is re-estimated after every accepted LM step by the evidence
    approximation (MacKay 1992) in the Gauss-Newton form of Foresee & Hagan (1997):
    see ``reestimate``.

    Parameters
    ----------
    network : Network
    loss : loss instance
    X : ndarray (n_samples, n_features)
    Y : ndarray (n_samples, n_outputs)
        Targets in the loss's encoding.
    sample_weight : ndarray (n_samples,) or None
    alpha : float or "bayes"
        A fixed penalty, or ``"bayes"``: re-estimated during training (its current
        value is ``self.alpha``, 0 until ``start`` is called).
    """

    # damping tries ``lm_iteration`` evaluates per pass over the data: one, as in memory
    # a try costs its own pass however they are grouped, and batching would waste the
    # passes of the tries after the accepted one
    trial_batch = 1
    # whether loss_sums and gauss_newton_sums take a stack of weight vectors, so that
    # the runs of several trials can be served together (``_batched``)
    stackable = True

    def __init__(self, network, loss, X, Y, sample_weight=None, alpha=0.0, form="auto"):
        self.network, self.loss = network, loss
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.bayes = isinstance(alpha, str)
        self.alpha = 0.0 if self.bayes else float(alpha)
        self.n_effective = None  # gamma of the last Bayesian re-estimate
        self.weight_sum = float(X.shape[0] if sample_weight is None else sample_weight.sum())
        self.penalised = ~network.bias_mask()
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form!r}.")
        self.form = form
        costs = _costs(network, X.shape[0])
        # one output: the Jacobian's own product is the cheaper (the model prices the
        # Kronecker path's elementwise passes too low there: 3x slower than J^T J,
        # measured on a bridged 8-24-24-1 network at P = 8000)
        self.kronecker = network.n_outputs > 1 and costs["kronecker"] < costs["jacobian"]
        if form == "auto":
            self.form = "kernel" if costs["kernel"] < costs["gram"] else "gram"
        per_sample = costs["kronecker_memory" if self.kronecker else "jacobian_memory"]
        self.chunk = max(64, _CHUNK_ELEMENTS // per_sample)
        # networks evaluated together always go through the Jacobian
        self._stacked_chunk = max(64, _CHUNK_ELEMENTS // costs["jacobian_memory"])
        self._flat = []  # (weights, flat count) of the points of the last value passes
        self.shares = self._count_shares()
        self.threads = 1
        # a run served alone keeps the forward state of its last value pass (``_Kept``)
        self.keep_states, self._kept = False, None

    def _count_shares(self):
        """Contiguous shares of the rows whose sums the passes accumulate apart, then
        add in order: as many as the work pays threads for (``_MIN_SHARE_STATE``,
        ``_MIN_SHARE_GRAM``), up to ``_MAX_SHARES``, and one in the residuals' form
        (its system is one product). They depend on the data and the network only, so
        that a fit is the same on any number of threads."""
        if self.form != "gram":
            return 1
        n, M, N = self.X.shape[0], self.network.n_outputs, self.network.n_weights
        affordable = max(self.network.state_size(n) // _MIN_SHARE_STATE,
                         int(n * M * N * N // _MIN_SHARE_GRAM))
        return max(1, min(affordable, _MAX_SHARES))

    def use_threads(self, threads):
        """Run the shares on up to ``threads`` threads (the callers give each its part
        of BLAS's threads): numpy and BLAS release the GIL, so the elementwise work runs
        in parallel too, which BLAS threads alone leave on one core. Returns the number
        of threads (1: the calling thread)."""
        self.threads = max(1, min(int(threads), self.shares))
        return self.threads

    def close(self):
        """Free what the passes keep between calls (the forward state); the objective
        stays usable."""
        self._kept = None

    def __getstate__(self):
        # a trial's monitor refers to its objective: pickled without the forward state
        state = self.__dict__.copy()
        state["_kept"] = None
        return state

    def largest_product(self):
        """Multiply-adds of the largest BLAS product of an iteration: a chunk's
        ``J^T J`` in the weights' space, ``J J^T`` in the residuals' space."""
        n, M, N = self.X.shape[0], self.network.n_outputs, self.network.n_weights
        if self.form == "kernel":
            return (n * M) ** 2 * N
        return min(n, self.chunk) * M * N * N

    def _chunks(self, networks=1, start=0, stop=None, shares=1):
        """The data (rows start to stop) in chunks of rows; ``networks`` evaluated
        together, and ``shares`` that may run at once, divide the rows of a chunk, so
        that memory stays bounded."""
        chunk = self.chunk if networks == 1 else self._stacked_chunk
        size = max(1, chunk // (networks * shares))
        stop = self.X.shape[0] if stop is None else stop
        count = -(-(stop - start) // size)  # chunks of equal size: no small last one
        for k in range(count):
            s = slice(start + (stop - start) * k // count,
                      start + (stop - start) * (k + 1) // count)
            sw = None if self.sample_weight is None else self.sample_weight[s]
            yield self.X[s], self.Y[s], sw

    def _map_shares(self, function, networks=1, extras=None):
        """``function(chunks, extra)`` of each share, in the shares' order, as a
        generator: on the pool's threads in waves of ``threads`` shares, so that at
        most that many shares' sums are held at once. ``extras``, one per share (None
        each by default)."""
        n, shares = self.X.shape[0], self.shares
        extras = [None] * shares if extras is None else extras
        tasks = [(self._chunks(networks, n * k // shares, n * (k + 1) // shares, shares),
                  extra) for k, extra in enumerate(extras)]

        def run(task):
            with np.errstate(all="ignore"):  # numpy's error state is per thread
                return function(*task)

        if self.threads == 1:
            yield from map(run, tasks)
            return
        pool = _pool(self.threads)
        for start in range(0, shares, self.threads):
            yield from pool.map(run, tasks[start:start + self.threads])

    def _penalty(self, w):
        wp = w[self.penalised]
        return 0.5 * self.alpha * (wp @ wp)

    def value(self, w):
        """The penalised objective at w (a sum over samples); inf if it overflows.

        The pass also counts the flat hidden activations at w, so that ``saturation``
        of the weights a step has just accepted costs no other pass."""
        return self.values([w])[0]

    def values(self, ws):
        """The objective at each of the weight vectors ws (a list of floats).

        Here one pass per point; a distributed objective evaluates them all in one
        pass over the data. The flat counts of every point are kept for
        ``saturation``, whichever of them a step accepts."""
        return self.values_from_sums(ws, [self.loss_sums(w) for w in ws])

    def values_from_sums(self, ws, sums):
        """``values(ws)`` from the ``loss_sums`` at each of ws, however computed."""
        # the points before are kept too: an iteration that accepts no step stays
        # at the point of an earlier pass
        self._flat = ([(w.copy(), flat) for w, (_, flat) in zip(ws, sums)]
                      + self._flat)[:_FLAT_POINTS]
        return [self._with_penalty(w, total) for w, (total, _) in zip(ws, sums)]

    def _with_penalty(self, w, total):
        total = float(total)
        if self.alpha:
            with np.errstate(all="ignore"):
                total += float(self._penalty(w))
        return total if math.isfinite(total) else math.inf

    def loss_sums(self, w):
        """The loss summed over the samples at w, without the penalty, and the count
        of flat hidden activations: the sums a distributed objective adds up. For T
        weight vectors (w of shape ``(T, N)``), two arrays of T sums."""
        networks = w.shape[0] if w.ndim == 2 else 1
        # one network's states are kept for gauss_newton_sums when they fit (the
        # residuals' form builds its system from passes of its own)
        keep = self.keep_states and networks == 1 and self.form == "gram" and \
            self.network.state_size(self.X.shape[0]) <= _STATE_ELEMENTS
        self._kept = None

        def share(chunks, _):
            total, flat, states = 0.0, 0, []
            for X, Y, sw in chunks:
                out, count, state = self.network.forward_counting_flat(w, X)
                total += self.loss.value(out, Y, sw)
                flat += count
                if keep:
                    states.append(state)
            return total, flat, states

        total, flat, kept = 0.0, 0, []
        with np.errstate(all="ignore"):
            for part_total, part_flat, states in self._map_shares(share, networks):
                total, flat = total + part_total, flat + part_flat
                kept.append(states)
        if keep:
            self._kept = _Kept(self.X, self.chunk, self.shares, w.copy(), kept)
        return total, flat

    def _factors(self, w, X, Y, sw, state=None):
        """Per layer A and the loss-scaled sensitivities B of one chunk, and its
        gradient; ``state``, the chunk's forward state at w when kept."""
        out, A, D = self.network.backprop(w, X, state)
        r, scale = self.loss.gauss_newton(out, Y, sw)
        return A, [scale(d) for d in D], self.network.gradient(A, D, r)

    def damped_system(self, w):
        """The damped system of an LM iteration at w (see ``_solve``): in the weights'
        space, or in the residuals' space when that is cheaper (``form``)."""
        if self.form == "gram":
            return self.gram_system(w, *self.gauss_newton_sums(w))
        N = self.network.n_weights
        rows, g = [], np.zeros(N)
        with np.errstate(all="ignore"):
            for X, Y, sw in self._chunks():
                A, B, g_chunk = self._factors(w, X, Y, sw)
                g += g_chunk
                rows.append(self.network.assemble_jacobian(A, B).reshape(-1, N))
        return KernelSystem(np.concatenate(rows), self._penalised_gradient(w, g),
                            self.alpha * self.penalised)

    def gram_system(self, w, Q, g):
        """The weights'-space system at w from the loss's ``gauss_newton_sums`` (Q and g
        get the penalty, in place)."""
        return GramSystem(*self._penalise(w, Q, g))

    def normal_equations(self, w):
        """Quasi-Hessian Q and gradient g of the objective at w, accumulated over chunks."""
        return self._penalise(w, *self.gauss_newton_sums(w))

    def _penalise(self, w, Q, g):
        if self.alpha:
            np.einsum("ii->i", Q)[...] += self.alpha * self.penalised  # Q's diagonal
        return Q, self._penalised_gradient(w, g)

    def _penalised_gradient(self, w, g):
        if self.alpha:
            g += self.alpha * self.penalised * w
        return g

    def gauss_newton_sums(self, w):
        """Q and g of the loss alone (without the penalty), summed over the samples;
        for T weight vectors (w of shape ``(T, N)``) stacks of T, always through the
        Jacobian (the Kronecker blocks are for one network)."""
        lead, N = w.shape[:-1], self.network.n_weights
        kept = self._kept
        if kept is not None and not lead and kept.matches(self, w):
            kept = kept.states
        else:
            kept = None

        kronecker = self.kronecker and not lead

        def share(chunks, states):
            # Q's sums: the Kronecker blocks, assembled once for all the shares
            sums = KroneckerGram(self.network) if kronecker else np.zeros((*lead, N, N))
            g = np.zeros((*lead, N))
            for (X, Y, sw), state in zip(chunks, repeat(None) if states is None else states):
                A, B, g_chunk = self._factors(w, X, Y, sw, state)
                g += g_chunk
                if kronecker:
                    sums.add(A, B)
                else:
                    add_gram(sums, self.network.assemble_jacobian(A, B).reshape(*lead, -1, N))
            return sums, g

        sums = g = None
        with np.errstate(all="ignore"):
            for part, g_part in self._map_shares(share, w.shape[0] if lead else 1, kept):
                if sums is None:
                    sums, g = part, g_part
                else:
                    sums += part
                    g += g_part
            if kronecker:
                Q = np.zeros((N, N))
                sums.assemble(Q)
                return Q, g
        return sums, g

    def start(self, w, alpha=None):
        """Prepare a run from w; returns the objective's value there.

        With ``alpha="bayes"`` the first estimate is ``alpha`` when given (a warm
        start goes on from the fitted one), else a weak prior, ``_ALPHA_START``:
        the first steps then fit the data, and the estimates that follow grow alpha
        to what they determine. ``trainbr``'s start, every penalised weight taken
        as determined (``gamma = N_w``), gave penalties that shrank the hidden
        layer of small bridged networks to zero in one step, a saddle from which
        they kept only their linear part (a sine fit: R^2 0.66 instead of 0.98).
        """
        if self.bayes:
            self.alpha = _ALPHA_START if alpha is None else float(alpha)
        return self.value(w)

    def reestimate(self, w, value, system):
        """After an accepted step to w (objective ``value``, damped ``system`` of that
        step): the objective's new value, with alpha re-estimated if Bayesian.

        ``gamma = N_w - alpha * tr_w(Q^-1)`` (the trace over the penalised weights, Q
        including the current penalty), then ``alpha = gamma / ||w||^2`` (the
        precision of the weights) divided by ``beta``, the noise precision:
        ``(n - gamma) / SSE`` for squared error (n residuals: summed sample weights
        times outputs), 1 for log-loss.
        The trace comes from the accepted step's factor of ``Q + mu I`` when its
        damping mu is negligible next to alpha (at most ``1e-6 * alpha``), as it is
        near convergence; otherwise from a factor of ``Q + 1e-6 * alpha * I``. The
        damped factor itself would count each direction the data do not determine
        as ``mu / (alpha + mu)`` of a parameter: nearly one while mu is large.
        """
        if not self.bayes:
            return value
        n_w = np.count_nonzero(self.penalised)
        trace = system.inverse_trace(self.penalised, _TRACE_DAMPING * self.alpha)
        if trace is None:  # Q not positive definite even with the jitter: keep alpha
            return value
        gamma = float(np.clip(n_w - self.alpha * trace, 0.0, n_w))
        wp = w[self.penalised]
        data = value - 0.5 * self.alpha * (wp @ wp)  # the loss without the penalty
        alpha = gamma / max(wp @ wp, 1e-300)
        if self.loss.gaussian:  # divided by beta = (n - gamma) / SSE, SSE = 2 * data
            n = self.weight_sum * self.network.n_outputs
            alpha *= 2.0 * data / max(n - gamma, 1.0)
        self.alpha = float(np.clip(alpha, *_ALPHA_BOUNDS))
        self.n_effective = gamma
        return data + self._penalty(w)

    def mean(self, total):
        """The reported loss (``loss_``): the objective as a mean over samples."""
        return self.loss.mean(total, max(self.weight_sum, 1e-300), self.network.n_outputs)

    def goal_metric(self, total):
        return self.loss.goal_metric(self.mean(total))

    def saturation(self, w):
        """Fraction of hidden activations over the training set on a flat spot
        (see ``Network.flat_count``); 0 without hidden neurons. Taken from the last
        ``value`` passes when one was at w (the step just accepted, or the point
        an iteration without one stayed at), else computed."""
        n_hidden = sum(layer.size for layer in self.network.hidden)
        if not n_hidden:
            return 0.0
        flat = next((f for point, f in self._flat if np.array_equal(point, w)), None)
        if flat is None:
            self.value(w)
            flat = self._flat[0][1]
        return flat / (self.X.shape[0] * n_hidden)

    def mean_net_statistic(self, w, statistic):
        """Per hidden layer, the (sample-weighted) mean over the training set of the
        per-neuron net statistic (see ``Network.net_statistic``)."""
        return [s / max(self.weight_sum, 1e-300) for s in self.net_statistic_sums(w, statistic)]

    def net_statistic_sums(self, w, statistic):
        """Per hidden layer, the (sample-weighted) sum over the samples of the
        per-neuron net statistic."""
        sums = None
        for X, _, sw in self._chunks():
            stats = self.network.net_statistic(w, X, statistic)
            part = [s.sum(axis=0) if sw is None else sw @ s for s in stats]
            sums = part if sums is None else [a + b for a, b in zip(sums, part)]
        return sums
