"""Irrelevant inputs pruned from a fit (automatic relevance determination).

With ``weight_groups="ard"`` every input has an alpha of its own, and the evidence
sends the alpha of an input the targets do not need to large values, its weights to
zero. An input whose alpha passes ``prune_ratio`` times the smallest input alpha (the
most relevant input's), or the prior's ceiling, leaves the network: its column
leaves X and its weights leave the Jacobian, the Gauss-Newton matrix, the
factorisation and the evidence, so that every later iteration costs what the kept
inputs cost. A ratio and not an alpha (as ``sklearn.linear_model.ARDRegression``'s
``threshold_lambda``), because a network can move its weights' scale between layers
(smaller input weights, larger output weights) without changing its function: alone,
an input's alpha says little; next to the other inputs' it says how much less the
targets need it. With log-loss, relevant inputs' alphas were 600 to 90000 on a small
binary problem, where with squared error they were 0.01 to 0.04. Inputs the data
cannot inform (constant, or a copy of an earlier column) leave before the first
iteration.

A trial's run goes on in rounds (``Rounds``): when an input's alpha passes the
ratio, the round ends, the network shrinks (``Support``) and the next round goes
on from the same point without those inputs. What the trials, the monitor and the
estimator see is always in the full network's terms: pruned weights are exactly 0,
and a pruned input keeps the alpha it was pruned at, with no effective parameters.
"""

from dataclasses import replace

import numpy as np
from scipy.sparse import issparse

from ._bayes import _ALPHA_BOUNDS, PriorState
from ._loop import INTERRUPTED, MAX_ITER, RunResult

# the prior's ceiling, ``_bayes._ALPHA_BOUNDS``: an input whose alpha reaches it is
# switched off, whatever the others'; an input that never entered the fit (constant or
# a copy) gets it
SCREENED_ALPHA = _ALPHA_BOUNDS[1]


def over_ratio(alpha, keep, ratio):
    """Which inputs to prune, of those ``keep`` says (bool, one per entry of
    ``alpha``, the inputs' alphas): an alpha above ``ratio`` times the smallest kept
    one, or at the prior's ceiling."""
    alpha = np.asarray(alpha, dtype=float)
    if not keep.any():
        return np.zeros(alpha.shape, dtype=bool)
    return keep & ((alpha > ratio * alpha[keep].min()) | (alpha >= SCREENED_ALPHA))


def informative_inputs(X):
    """Which columns of X (dense or sparse) can inform a fit: not constant and not a
    copy of an earlier column; a bool array (n_features,)."""
    n = X.shape[0]
    if n == 0:
        return np.ones(X.shape[1], dtype=bool)
    if issparse(X):
        X = X.tocsc()
        low = X.min(axis=0).toarray().ravel()
        high = X.max(axis=0).toarray().ravel()
        keep = high > low
        return keep  # copies among sparse columns are left to the evidence
    keep = np.ptp(X, axis=0) > 0
    # a copy of an earlier column: the same bytes (one pass over the kept columns)
    columns = np.flatnonzero(keep)
    _, first = np.unique(np.ascontiguousarray(X[:, columns].T), axis=0, return_index=True)
    copies = np.ones(columns.size, dtype=bool)
    copies[first] = False
    keep[columns[copies]] = False
    return keep


class Support:
    """The kept inputs of a full network: ``keep`` (bool, one per input), the
    ``network`` over them and ``index``, where its weights sit in the full flat
    vector; states of the prior (one alpha per input, then the other groups) move
    between the two."""

    def __init__(self, full, keep):
        self.full = full
        self.keep = np.asarray(keep, dtype=bool).copy()
        self.columns = np.flatnonzero(self.keep)
        if self.keep.all():
            self.network, self.index = full, np.arange(full.n_weights)
        else:
            self.network, self.index = full.restricted(self.columns)

    @property
    def everything(self):
        return bool(self.keep.all())

    def embed(self, w):
        """Weights of the full network: ``w``'s, 0 for the pruned inputs'."""
        full = np.zeros(self.full.n_weights)
        full[self.index] = w
        return full

    def restrict(self, w):
        return w[self.index]

    def embed_state(self, state, pruned_alpha):
        """The prior's state over the full network's groups: ``state``'s, and for a
        pruned input its entry of ``pruned_alpha`` (one per input) and no effective
        parameters."""
        n_in, k = self.full.n_inputs, self.columns.size
        alpha = np.concatenate([np.asarray(pruned_alpha, dtype=float), state.alpha[k:]])
        alpha[self.columns] = state.alpha[:k]
        gamma = None
        if state.gamma is not None:
            gamma = np.concatenate([np.zeros(n_in), state.gamma[k:]])
            gamma[self.columns] = state.gamma[:k]
        return PriorState(alpha, gamma)

    def restrict_state(self, state):
        n_in = self.full.n_inputs

        def part(a):
            return None if a is None else np.concatenate([a[self.columns], a[n_in:]])
        return PriorState(part(np.asarray(state.alpha, dtype=float)), part(state.gamma))

    def embed_point(self, point, pruned_alpha):
        return replace(point, w=self.embed(point.w),
                       prior=self.embed_state(point.prior, pruned_alpha))

    def restrict_point(self, point):
        """A point of the full network as this support's (its value unchanged)."""
        return replace(point, w=self.restrict(point.w),
                       prior=self.restrict_state(point.prior))


class Rounds:
    """A trial's run in rounds, pruning inputs between them (see the module's note).

    ``objective_on(support)`` builds the objective over a ``Support``'s inputs;
    ``run(objective, start, max_iter, callback)`` a solver run from the point
    ``start``, its policy made anew for each round; ``callback`` (the monitor) sees
    every iteration's point in the full network's terms, numbered from the first
    round's first iteration.
    """

    def __init__(self, full, keep, ratio, objective_on, run, callback):
        self.support = Support(full, keep)
        self.ratio = ratio
        self.objective_on, self._run, self.callback = objective_on, run, callback
        # the alpha each input was pruned at (those kept: overwritten when embedded)
        self.pruned_alpha = np.full(full.n_inputs, SCREENED_ALPHA)
        self.objective = objective_on(self.support)
        self.rounds = 1
        # the inputs of the round the monitor's best point came from (early stopping)
        self.best_keep = None

    def full_point(self, point):
        """``point`` (of the current support) in the full network's terms."""
        return self.support.embed_point(point, self.pruned_alpha)

    def _over(self, point):
        """Which kept inputs to prune at ``point`` (``over_ratio``)."""
        alpha = np.asarray(point.prior.alpha)[:self.support.columns.size]
        return over_ratio(alpha, np.ones(alpha.shape, dtype=bool), self.ratio)

    def run(self, start, max_iter):
        """The rounds from ``start`` (a point of the current support) for at most
        ``max_iter`` iterations in all; one ``RunResult`` of the whole, its point of
        the last round's support."""
        done, total, trigger = 0, RunResult(start), None

        def watched(iteration, point, loss, move, *damping):
            nonlocal trigger
            full = self.full_point(point)
            stop = self.callback(done + iteration, full, loss, move, *damping)
            if getattr(self.callback, "best", None) is full:
                self.best_keep = self.support.keep.copy()
            if stop or move is not None or not self._over(point).any():
                return stop
            trigger = point
            return True

        while True:
            trigger = None
            result = yield from self._run(self.objective, start, max_iter - done, watched)
            total.loss_curve += result.loss_curve
            total.events += [(done + it, what) for it, what in result.events]
            done += result.n_iter
            total.n_iter, total.status, total.point = done, result.status, result.point
            if trigger is None or result.status == INTERRUPTED:
                return total
            if done >= max_iter:  # the watch's stop was no stopping rule's
                total.status = MAX_ITER
                return total
            start = self.prune(trigger)

    def prune(self, point):
        """The point of a smaller support: ``point`` without the inputs whose alpha
        passes the ratio (one pass for its value there)."""
        support = self.support
        over = self._over(point)
        full = self.full_point(point)
        self.pruned_alpha[support.columns[over]] = point.prior.alpha[:over.size][over]
        keep = support.keep.copy()
        keep[support.columns[over]] = False
        self._move_to(keep)
        self.rounds += 1
        kept = self.support.restrict_point(full)
        return self.objective.points([kept.w], kept.prior, point.hold)[0]

    def restore(self, keep):
        """Go back to the support ``keep`` (a superset of the current one): early
        stopping's best point may come from a round with more inputs."""
        if not np.array_equal(keep, self.support.keep):
            self._move_to(keep)

    def _move_to(self, keep):
        """The support ``keep`` and its objective, the current one's closed."""
        self.objective.close()
        self.support = Support(self.support.full, keep)
        self.objective = self.objective_on(self.support)

    def final(self, point):
        """The point a trial returns: ``point`` with the inputs still over the
        ratio pruned too."""
        return self.prune(point) if self._over(point).any() else point
