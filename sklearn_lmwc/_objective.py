"""The objective the solvers minimise: values, Gauss-Newton sums and the penalty.

A solver sees only ``Objective``: the loss (``_losses``) supplies the per-chunk value
and its factors of ``Q`` and ``g``, the prior (``_bayes``) the penalty, and the
passes (``_passes``) cut the data into chunks and shares as the plan (``_costs``)
says, so that no solver branches on the loss, the prior or the sizes. The objective
holds no state of the fit: what a run learns (the prior's state) travels in its
points (``Point``), and every value, system and posterior is under the state passed in.
"""

import math
from dataclasses import dataclass, replace

import numpy as np

from ._bayes import Posterior, Prior, PriorState, log_evidence
from ._costs import MAX_SHARES, STATE_ELEMENTS, plan
from ._network import KroneckerGram
from ._passes import Passes
from ._predictive import Laplace
from ._solve import ResidualSpaceSystem, WeightSpaceSystem


def add_gram(Q, A):
    """``Q += A^T A`` (or, for a stack of T matrices, ``Q[t] += A[t]^T A[t]``). numpy
    runs ``A.T @ A`` as one symmetric BLAS product; measured at 8000 x 841 on 2
    threads it took half the time of scipy's own ``dsyrk``."""
    Q += A.T @ A if A.ndim == 2 else np.swapaxes(A, -1, -2) @ A


@dataclass(frozen=True, eq=False)
class Point:
    """A point of a run: the weights ``w``, the objective ``value`` there under the
    penalty of ``prior`` (the prior's state, which belongs to these weights), the
    count of flat hidden activations the value's pass made (``flat``; None when no
    pass counted them) and ``hold``: the prior learns nothing from a step to a value
    above it (None: no hold; see ``Objective.accept``). What a run carries, a
    policy and the monitor keep, and a trial returns; never changed in place."""

    w: np.ndarray
    value: float
    prior: PriorState
    flat: int | None = None
    hold: float | None = None


class Objective:
    """A loss of a network's outputs on a training set, plus the prior's penalty.

    Parameters
    ----------
    network : Network
    loss : loss instance
    X : ndarray (n_samples, n_features)
    Y : ndarray (n_samples, n_outputs)
        Targets in the loss's encoding.
    sample_weight : ndarray (n_samples,) or None
    alpha : float or "bayes"
        The prior's penalty (see ``_bayes.Prior``). The objective holds no state of
        it: values, sums and the posterior take the prior's state (a
        ``PriorState``; None: ``Prior.initial``, the fixed alpha or 0) or a
        ``Point`` carrying it.
    form : {"auto", "weights", "residuals"}
        The space of the damped system (see ``_costs``).
    weight_groups : {"single", "layers", "ard"}
        One Bayesian alpha over the weights but the biases, or one per group of
        weights (``Network.weight_groups``).
    """

    # damping tries ``lm_iteration`` evaluates per pass over the data: one, as in memory
    # a try costs its own pass however they are grouped, and batching would waste the
    # passes of the tries after the accepted one
    tries_per_pass = 1
    # whether loss_sums and gauss_newton_sums take a stack of weight vectors, so that
    # the runs of several trials can be served together (``_batched``)
    stackable = True
    max_shares = MAX_SHARES

    def __init__(self, network, loss, X, Y, sample_weight=None, alpha=0.0, form="auto",
                 weight_groups="single"):
        self.network, self.loss = network, loss
        groups = None if weight_groups == "single" else network.weight_groups(weight_groups)[0]
        self.prior = Prior(alpha, ~network.bias_mask(), groups)
        self.weight_sum = float(X.shape[0] if sample_weight is None else sample_weight.sum())
        self.plan = plan(network, X.shape[0], form, self.max_shares)
        self.passes = Passes(X, Y, sample_weight, self.plan.chunk, self.plan.stacked_chunk,
                             self.plan.shares)

    # the data are the passes'
    X = property(lambda self: self.passes.X)
    Y = property(lambda self: self.passes.Y)
    sample_weight = property(lambda self: self.passes.sample_weight)

    def close(self):
        """Free what the passes keep between calls (the forward state); the objective
        stays usable."""
        self.passes.close()

    def penalised_weights(self):
        """Indices of the weights the penalty may act on during a run: none when it
        is 0 throughout."""
        return np.flatnonzero(self.prior.penalised) if self.prior.active else \
            np.empty(0, dtype=np.intp)

    def _state(self, prior):
        """``prior``, or the prior's initial state when None."""
        return self.prior.initial() if prior is None else prior

    def penalty_diagonal(self, prior=None):
        """The penalty's contribution to Q's diagonal, per weight, in state
        ``prior``."""
        return self.prior.diagonal(self._state(prior).alpha)

    def value(self, w, prior=None):
        """The penalised objective at w (a sum over samples) with the prior in state
        ``prior``; inf if it overflows."""
        return self.points([w], prior)[0].value

    def points(self, ws, prior=None, hold=None):
        """The ``Point`` at each of the weight vectors ws, with the prior in state
        ``prior`` and ``hold``. Each pass counts the flat hidden activations too, so
        that the ``saturation`` of whichever point a step accepts costs no other
        pass."""
        return self.points_from_sums(ws, self._loss_sums_at(ws), prior, hold)

    def _loss_sums_at(self, ws):
        """``loss_sums`` at each of ws: here one pass per point; a distributed
        objective evaluates them all in one pass over the data."""
        return [self.loss_sums(w) for w in ws]

    def points_from_sums(self, ws, sums, prior=None, hold=None):
        """``points(ws, prior, hold)`` from the ``loss_sums`` at each of ws, however
        computed."""
        prior = self._state(prior)
        return [Point(w, self._with_penalty(w, total, prior.alpha), prior, int(flat), hold)
                for w, (total, flat) in zip(ws, sums)]

    def _with_penalty(self, w, total, alpha):
        total = float(total)
        if self.prior.penalising(alpha):
            with np.errstate(all="ignore"):
                total += float(self.prior.penalty(w, alpha))
        return total if math.isfinite(total) else math.inf

    def loss_sums(self, w):
        """The loss summed over the samples at w, without the penalty, and the count
        of flat hidden activations: the sums a distributed objective adds up. For T
        weight vectors (w of shape ``(T, N)``), two arrays of T sums."""
        networks = w.shape[0] if w.ndim == 2 else 1
        passes = self.passes
        # one network's states are kept for gauss_newton_sums when they fit (the
        # residuals' form builds its system from passes of its own)
        keep = passes.keep_states and networks == 1 and self.plan.form == "weights" and \
            self.network.state_size(self.X.shape[0]) <= STATE_ELEMENTS
        passes.close()

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
            for part_total, part_flat, states in passes.map_shares(share, networks):
                total, flat = total + part_total, flat + part_flat
                kept.append(states)
        if keep:
            passes.keep(w, kept)
        return total, flat

    def _factors(self, w, X, Y, sw, state=None):
        """Per layer A and the loss-scaled sensitivities B of one chunk, and its
        gradient; ``state``, the chunk's forward state at w when kept."""
        out, A, D = self.network.backprop(w, X, state)
        r, scale = self.loss.gauss_newton(out, Y, sw)
        return A, [scale(d) for d in D], self.network.gradient(A, D, r)

    def damped_system(self, w, prior=None):
        """The damped system of an iteration at w with the prior in state ``prior``
        (see ``_solve``): in the weights' space, or in the residuals' space when
        that is cheaper (``plan.form``)."""
        if self.plan.form == "weights":
            return self.weight_space_system(w, *self.gauss_newton_sums(w), prior)
        N = self.network.n_weights
        rows, g = [], np.zeros(N)
        with np.errstate(all="ignore"):
            for X, Y, sw in self.passes.chunks():
                A, B, g_chunk = self._factors(w, X, Y, sw)
                g += g_chunk
                rows.append(self.network.assemble_jacobian(A, B).reshape(-1, N))
        return ResidualSpaceSystem(np.concatenate(rows), self._penalised_gradient(w, g, prior),
                                   self.penalty_diagonal(prior))

    def weight_space_system(self, w, Q, g, prior=None):
        """The weights'-space system at w from the loss's ``gauss_newton_sums`` (Q and g
        get the penalty of the prior in state ``prior``, in place)."""
        if self.prior.penalising(self._state(prior).alpha):
            np.einsum("ii->i", Q)[...] += self.penalty_diagonal(prior)
        return WeightSpaceSystem(Q, self._penalised_gradient(w, g, prior))

    def _penalised_gradient(self, w, g, prior):
        if self.prior.penalising(self._state(prior).alpha):
            g += self.penalty_diagonal(prior) * w
        return g

    def gauss_newton_sums(self, w):
        """Q and g of the loss alone (without the penalty), summed over the samples;
        for T weight vectors (w of shape ``(T, N)``) stacks of T, always through the
        Jacobian (the Kronecker blocks are for one network)."""
        lead, N = w.shape[:-1], self.network.n_weights
        kept = None if lead else self.passes.kept(w)
        kronecker = self.plan.kronecker and not lead

        def share(chunks, states):
            # Q's sums: the Kronecker blocks, assembled once for all the shares
            sums = KroneckerGram(self.network) if kronecker else np.zeros((*lead, N, N))
            g = np.zeros((*lead, N))
            for k, (X, Y, sw) in enumerate(chunks):
                A, B, g_chunk = self._factors(w, X, Y, sw, None if states is None else
                                              states[k])
                g += g_chunk
                if kronecker:
                    sums.add(A, B)
                else:
                    add_gram(sums, self.network.assemble_jacobian(A, B).reshape(*lead, -1, N))
            return sums, g

        sums = g = None
        with np.errstate(all="ignore"):
            for part, g_part in self.passes.map_shares(share, w.shape[0] if lead else 1,
                                                       kept):
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

    def gradient(self, w, rows=None, prior=None):
        """The gradient at w of the objective (the prior in state ``prior``), for
        first-order solvers, and the summed sample weights it is over: ``(g, weight)``.

        Over every sample (``rows`` None; the forward state of a value pass at w is
        reused), or over the samples ``rows`` (an index array: a mini-batch) with the
        penalty's gradient times their share of the summed sample weights, so that the
        mini-batches of an epoch add up to the objective's gradient. No Jacobian: the
        sensitivities are contracted with the loss's residuals per chunk.
        """
        def chunk_gradient(X, Y, sw, state=None):
            out, A, D = self.network.backprop(w, X, state)
            r, _ = self.loss.gauss_newton(out, Y, sw)
            return self.network.gradient(A, D, r)

        def share(chunks, states):
            return sum(chunk_gradient(*chunk, None if states is None else states[k])
                       for k, chunk in enumerate(chunks))

        with np.errstate(all="ignore"):
            if rows is None:
                g, weight = sum(self.passes.map_shares(share, 1, self.passes.kept(w))), \
                    self.weight_sum
            else:
                sw = None if self.sample_weight is None else self.sample_weight[rows]
                g = chunk_gradient(self.X[rows], self.Y[rows], sw)
                weight = float(len(rows) if sw is None else sw.sum())
            if self.prior.penalising(self._state(prior).alpha):
                g += weight / max(self.weight_sum, 1e-300) * self.penalty_diagonal(prior) * w
        return g, weight

    def value_under(self, point, prior):
        """The objective at ``point`` under the penalty of the prior in state
        ``prior`` instead of its own: values of different iterations (a policy's
        best point and the current one) are compared under one penalty, the kept
        point's. Compared under their own, the weak penalty of an early iterate made
        it look best for ever (a warm start returned its start); under the current
        one, a collapsed iterate's large alpha made the best point look worse than
        it."""
        if np.array_equal(prior.alpha, point.prior.alpha):
            return point.value
        with np.errstate(all="ignore"):
            return point.value - self.prior.penalty(point.w, point.prior.alpha) \
                + self.prior.penalty(point.w, prior.alpha)

    def posterior(self, point, laplace=False):
        """The Laplace posterior at the point a run returns: its prior's state with,
        for alpha="bayes", the effective number of parameters computed at its
        weights, and the log evidence (one pass for Q there, one factorisation of
        ``Q + D``; a jitter of ``1e-6 alpha`` where that one fails). The unpenalised
        weights' directions get that jitter always: a bias the data do not
        determine (a pruned unit's) has no curvature, and the log determinant would
        be rounding noise (evidences 80 apart for the same weights, measured); on a
        determined bias it moves the evidence by the jitter over its curvature.
        With ``laplace``, also ``laplace``'s answer, from the same factorisation when
        the evidence made one."""
        prior, state, w, value = self.prior, point.prior, point.w, point.value
        if not prior.bayes:
            return Posterior(state, None, self.laplace(point) if laplace else None)
        with np.errstate(all="ignore"):
            system = self._posterior_system(w, state)
            if not system.is_finite():
                return Posterior(state, None, None)
            log_det = system.log_det(0.0)
            if log_det is None:
                log_det = system.log_det(prior.jitter(state.alpha))
            # the factor just made serves gamma too (its damping is at most the jitter)
            gamma = prior.effective_parameters(system, state.alpha)
        if gamma is not None:
            state = PriorState(state.alpha, gamma)
        posterior = self._laplace_from(system, w, value, state) if laplace else None
        if log_det is None or not np.isfinite(value):
            return Posterior(state, None, posterior)
        evidence = log_evidence(prior, state, w, value, log_det,
                                self.weight_sum * self.network.n_outputs, self.loss,
                                self.network.log_symmetries())
        return Posterior(state, evidence if np.isfinite(evidence) else None, posterior)

    def _posterior_system(self, w, state):
        """``Q + D`` at w (Q the Gauss-Newton matrix, D the penalty's diagonal in
        ``state``), the unpenalised weights' directions jittered (see
        ``posterior``)."""
        Q, g = self.gauss_newton_sums(w)
        np.einsum("ii->i", Q)[...] += self.prior.jitter(state.alpha) * ~self.prior.penalised
        return self.weight_space_system(w, Q, g, state)

    def laplace(self, point):
        """The Laplace posterior at ``point`` (the weights a run returned, with the
        prior's state there) for predictive distributions:
        ``Laplace(factor, noise_variance)``, or None when ``Q + D`` (``posterior``'s
        matrix) cannot be factorised even with the jitter.

        The posterior precision of the weights is ``beta (Q + D) = beta L L^T``; the
        noise variance ``1 / beta`` is the loss's (1 for log-loss), from the residuals
        at w and the effective number of parameters: the prior's estimate with
        alpha="bayes", else computed here from the same factor, so that a fixed
        alpha gets MacKay's estimate ``SSE / (n - gamma)`` too."""
        with np.errstate(all="ignore"):
            return self._laplace_from(self._posterior_system(point.w, point.prior),
                                      point.w, point.value, point.prior)

    def _laplace_from(self, system, w, value, state):
        """``laplace``'s answer from ``_posterior_system(w, state)``."""
        prior = self.prior
        with np.errstate(all="ignore"):
            if not system.is_finite():
                return None
            factor = system.cholesky(0.0)
            jitter = prior.jitter(state.alpha)
            if factor is None and jitter > 0:
                factor = system.cholesky(jitter)
            gamma = state.gamma if prior.bayes else \
                prior.effective_parameters(system, state.alpha)
        if factor is None or not np.isfinite(factor).all():
            return None
        variance = self.loss.noise_variance(
            value - prior.penalty(w, state.alpha), self.weight_sum * self.network.n_outputs,
            0.0 if gamma is None else float(np.sum(gamma)))
        return Laplace(factor, float(variance))

    def start(self, w, alpha=None):
        """The ``Point`` a run starts from at w: the prior's start (``alpha``, a
        Bayesian alpha to start from), one pass for the value."""
        return self.points([w], self.prior.start(alpha))[0]

    def accept(self, point, system=None):
        """After a solver accepted a step to ``point`` (``system``, the damped system
        the step came from, if the solver has one): the point once the prior has
        learned from the step (a Bayesian alpha re-estimated, the value under the
        new penalty; a system at w is built for it when none is given).

        While the point holds the prior (``hold``: after a compression) a step to a
        value above the hold teaches it nothing; the first at or below it ends the
        hold. Compressed weights are small and fit worse: re-estimated there, alpha
        would grow and shrink them further."""
        prior = self.prior
        if not prior.bayes:
            return point
        if point.hold is not None:
            if point.value > point.hold:
                return point
            point = replace(point, hold=None)
        w, alpha = point.w, point.prior.alpha
        if system is None:
            system = self.damped_system(w, point.prior)
        data = point.value - prior.penalty(w, alpha)  # the loss without the penalty
        state = prior.reestimate(w, data, system, self.weight_sum * self.network.n_outputs,
                                 self.loss.noise_variance, alpha)
        if state is None:
            return point
        return replace(point, value=data + prior.penalty(w, state.alpha), prior=state)

    def mean(self, total):
        """The reported loss (``loss_``): the objective as a mean over samples."""
        return self.loss.mean(total, max(self.weight_sum, 1e-300), self.network.n_outputs)

    def goal_metric(self, total):
        return self.loss.goal_metric(self.mean(total))

    def saturation(self, w, flat=None):
        """Fraction of hidden activations over the training set on a flat spot
        (see ``Network.forward_counting_flat``); 0 without hidden neurons. ``flat``,
        their count at w when a pass made it (a ``Point``'s), else a pass counts
        them."""
        n_hidden = sum(layer.size for layer in self.network.hidden)
        if not n_hidden:
            return 0.0
        if flat is None:
            flat = self.loss_sums(w)[1]
        return flat / (self.X.shape[0] * n_hidden)

    def mean_net_statistic(self, w, statistic):
        """Per hidden layer, the (sample-weighted) mean over the training set of the
        per-neuron net statistic (see ``Network.net_statistic``)."""
        return [s / max(self.weight_sum, 1e-300) for s in self.net_statistic_sums(w, statistic)]

    def net_statistic_sums(self, w, statistic):
        """Per hidden layer, the (sample-weighted) sum over the samples of the
        per-neuron net statistic."""
        sums = None
        for X, _, sw in self.passes.chunks():
            stats = self.network.net_statistic(w, X, statistic)
            part = [s.sum(axis=0) if sw is None else sw @ s for s in stats]
            sums = part if sums is None else [a + b for a, b in zip(sums, part)]
        return sums
