"""Trials run together: the requests of many LM runs served as stacked arrays.

A run (``_lm.lm_run``; see ``_loop``) asks for passes over the data (``Values``)
and for the tries of an iteration (``Tries``: its system, the factorisations and the
values of the points tried). For a small network each of these is a few microseconds of
arithmetic wrapped in tens of numpy calls (one per layer, per chunk, per
factorisation), so an LM iteration of a compact network is almost all Python
overhead. Here every pending request of every run is served in one round: the
weights of all runs asking for values or a system are stacked (T, N) and evaluated
by one batched forward or backward pass (``Network`` and the losses broadcast over a
leading axis of networks), their systems formed and solved together
(``_solve.solve_together``). Each run keeps its own damping, policy, stopping and
objective (its alpha), so it takes the same path as when served alone; only the
rounding of the stacked products may differ.
"""

from collections import defaultdict
from itertools import islice

import numpy as np
from threadpoolctl import threadpool_limits

from ._costs import MAX_STACK_ELEMENTS
from ._lm import Tries
from ._loop import Values
from ._solve import solve_together


def serve_together(runs, n_weights):
    """Carry out the runs (``_lm`` generators, on networks of ``n_weights`` weights)
    together; their results, in order.

    At most ``MAX_STACK_ELEMENTS / n_weights^2`` runs are under way at a time; a
    run that ends makes room for the next. Ctrl-C is passed into the runs under way,
    which end with the weights of their last completed iteration; the runs not
    started by then have no result (None).
    """
    runs = list(runs)
    results, pending = [None] * len(runs), {}  # pending: run index -> its request
    waiting = iter(range(len(runs)))

    def advance(i, answer, interrupt=False):
        try:
            pending[i] = runs[i].throw(KeyboardInterrupt()) if interrupt else \
                runs[i].send(answer)
        except StopIteration as stop:
            results[i] = stop.value
            pending.pop(i, None)
            following = None if interrupt else next(waiting, None)
            if following is not None:
                advance(following, None)
        except KeyboardInterrupt:
            if not interrupt:
                raise
            pending.pop(i)  # interrupted before its first iteration: no result

    with threadpool_limits(limits=1, user_api="blas"):
        for i in islice(waiting, max(1, MAX_STACK_ELEMENTS // n_weights**2)):
            advance(i, None)
        while pending:
            try:
                answers = _serve_round(pending)
            except KeyboardInterrupt:
                for i in list(pending):
                    advance(i, None, interrupt=True)
                continue
            for i, answer in answers:
                advance(i, answer)
    if not any(result is not None for result in results):
        raise KeyboardInterrupt  # not one run got as far as an iteration
    return results


def _serve_round(pending):
    """The answers to every pending request, served kind by kind: ``[(i, answer)]``."""
    by_kind = defaultdict(list)
    for i, request in pending.items():
        by_kind[type(request)].append(i)
    answers = []
    for kind, indices in by_kind.items():
        answers += zip(indices, _SERVE[kind]([pending[i] for i in indices]))
    return answers


def _values(requests):
    points = [w for request in requests for w in request.ws]
    sums = _loss_sums(requests[0].objective, points)
    answers, k = [], 0
    for request in requests:
        n = len(request.ws)
        answers.append(request.objective.points_from_sums(request.ws, sums[k:k + n],
                                                          request.prior, request.hold))
        k += n
    return answers


def _loss_sums(objective, points):
    """``objective.loss_sums`` at each point, by one stacked pass."""
    totals, flats = objective.loss_sums(np.stack(points))
    return list(zip(totals.tolist(), flats.tolist()))


def _tries(requests):
    """``Tries`` together: the systems the requests lack from one stacked Jacobian
    pass, every step from ``solve_together``, every point tried from one stacked
    forward pass."""
    new = [r for r in requests if r.system is None]
    finite = {}
    if new:
        Q, g = new[0].objective.gauss_newton_sums(np.stack([r.point.w for r in new]))
        for r, q, v in zip(new, Q, g):
            # copies: a system kept for its retries must not hold the whole stack
            r.system = r.objective.weight_space_system(r.point.w, q.copy(), v.copy(),
                                                       r.point.prior)
            finite[id(r)] = r.system.is_finite()  # penalty included, as alone
    live = [r for r in requests if finite.get(id(r), True)]  # retries: finite before
    steps = iter(solve_together([r.system for r in live for _ in r.dampings],
                                [mu for r in live for mu in r.dampings]) if live else [])
    candidates = {id(r): r.candidates([next(steps) for _ in r.dampings]) for r in live}
    points = [w for r in live for _, w in candidates[id(r)]]
    sums = iter(_loss_sums(requests[0].objective, points) if points else [])
    answers = []
    for r in requests:
        if id(r) not in candidates:
            answers.append((r.system, None))
            continue
        mine = candidates[id(r)]
        points = r.objective.points_from_sums([w for _, w in mine], [next(sums) for _ in mine],
                                              r.point.prior, r.point.hold)
        answers.append((r.system, r.tried(mine, points)))
    return answers


# the runs of a batch share the data, so any request's objective computes the sums
_SERVE = {Values: _values, Tries: _tries}
