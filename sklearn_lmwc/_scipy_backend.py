"""Levenberg-Marquardt by ``scipy.optimize.least_squares`` (MINPACK), run in segments.

The loop, the goal, the policies (compression, restarts) and the bookkeeping are every
solver's (``_loop.run_iterations``); only the iteration differs. One iteration
here is one ``least_squares`` call from the current weights that stops after
MINPACK's first accepted step, or after ``max_nfev`` residual evaluations, whichever
comes first: one MINPACK iteration (one Jacobian, trial steps until one decreases the
error), as a built-in iteration is one Jacobian and damping raised until a step is
accepted. So the stall or interval trigger and the policy act between segments
exactly as they act between built-in iterations.

Reproducibility: on a rank-deficient Jacobian (for example every hidden neuron
saturated, as with unscaled inputs) scipy 1.17's ``least_squares(method="lm")`` gives
results that depend on memory left by earlier allocations, so two identical fits can
differ in the last digits and then diverge. Full-rank Jacobians are unaffected; the
built-in solver is deterministic.

Knows an ``Objective`` with a squared-error loss; nothing of scikit-learn.
"""

import warnings

import numpy as np
from scipy.optimize import least_squares

from ._lm import MAX_TRIES, lm_iteration
from ._loop import Values, run_iterations

# Residual evaluations per segment, the one at the starting point included (scipy
# counts it for both "lm" and "trf"): at most MAX_TRIES trial steps, the built-in
# solver's bound on damping increases. A segment normally ends earlier, at the first
# accepted step. It cannot be short: every call restarts MINPACK's trust region at
# the Gauss-Newton step, often far too long for a network's ill-conditioned
# Jacobian, and each rejection only shrinks it by 2-10; with segments of 6
# evaluations 99% of them accepted nothing on the two spirals, so the stall trigger
# fired on no-ops.
SEGMENT_NFEV = MAX_TRIES + 1

# scipy's own termination tests (ftol, xtol, gtol) at the smallest values it accepts
# for both methods: stopping is the loop's business (goal, max_iter, tol, the
# policy). With scipy's default 1e-8, trf declared convergence on saturated plateaus
# and the segments stopped taking steps at all, where the built-in solver keeps
# stepping.
_TOL = float(np.finfo(float).eps)


def n_residuals(objective):
    """Length of the residual vector: one per sample and output, plus one per weight
    the penalty may act on."""
    n = objective.X.shape[0] * objective.network.n_outputs
    return n + objective.penalised_weights().size


def scipy_method(objective):
    """``"lm"`` (MINPACK) when there are at least as many residuals as weights, which
    MINPACK requires; ``"trf"`` otherwise."""
    return "lm" if n_residuals(objective) >= objective.network.n_weights else "trf"


def check(objective):
    """Warn when MINPACK cannot take the problem and ``"trf"`` will."""
    if scipy_method(objective) != "lm":
        penalised = objective.penalised_weights().size
        warnings.warn(
            f'solver="scipy": {objective.network.n_weights} weights but only '
            f"{n_residuals(objective)} residuals (samples x outputs"
            f"{' + penalised weights' if penalised else ''}); MINPACK's "
            'Levenberg-Marquardt needs at least as many residuals as weights, so '
            'least_squares(method="trf") is used instead.', UserWarning)


class _Residuals:
    """The objective as ``0.5 * ||r(w)||^2`` with its Jacobian.

    ``r = [sqrt(s_p) * (f(x_p; w) - y_p) for every sample p, flattened;
    sqrt(alpha) * w_k for every penalised (non-bias) weight k]``, so that
    ``0.5 * ||r||^2 == objective.value(w, prior)``, with the prior's state ``prior``
    of the segment (``at``; it changes between segments with ``alpha="bayes"``).
    The last network Jacobian is
    cached: a segment that accepts no step asks for it again at its end, and so does
    the next segment, which starts from the same weights unless a policy acted.
    """

    def __init__(self, objective):
        if getattr(objective.loss, "name", None) != "squared_error":
            raise ValueError("The scipy least-squares solver needs a squared-error loss, "
                             f"got {getattr(objective.loss, 'name', objective.loss)!r}.")
        self.objective = objective
        self.network = objective.network
        sw = objective.sample_weight
        self.root = None if sw is None else np.sqrt(sw)[:, None]
        penalised = objective.penalised_weights()
        self.penalised = penalised if penalised.size else None
        self._key = self._out = self._jac = None
        self.at(objective.prior.initial())

    def at(self, prior):
        """The residuals with the penalty of the prior's state ``prior`` from now."""
        if self.penalised is not None:
            self._root = np.sqrt(self.objective.penalty_diagonal(prior)[self.penalised])

    def _weighted(self, a):
        if self.root is None:
            return a
        return a * (self.root if a.ndim == 2 else self.root[..., None])

    def residuals(self, w):
        obj = self.objective
        if self._key is not None and np.array_equal(w, self._key):
            out = self._out
        else:
            with np.errstate(all="ignore"):
                out = self.network.forward(w, obj.X)
        r = self._weighted(out - obj.Y).ravel()
        if self.penalised is not None:
            r = np.concatenate([r, self._root * w[self.penalised]])
        return r

    def jacobian(self, w):
        if self._key is None or not np.array_equal(w, self._key):
            with np.errstate(all="ignore"):
                out, J = self.network.jacobian(w, self.objective.X)
                J = self._weighted(J).reshape(-1, self.network.n_weights)
            J.flags.writeable = False  # shared with the cache: scipy must not write to it
            self._key, self._out, self._jac = w.copy(), out, J
        if self.penalised is None:
            return self._jac
        P = np.zeros((self.penalised.size, self._jac.shape[1]))
        P[np.arange(self.penalised.size), self.penalised] = self._root
        return np.vstack([self._jac, P])


class _Accepted(Exception):
    """Raised from the Jacobian callback to end a segment at its first accepted step."""

    def __init__(self, x):
        self.x = x


def least_squares_run(objective, start, policy, *, mu=1e-3, mu_factor=10.0, mu_min=1e-15,
                      mu_max=1e15, max_iter=1000, goal=0.0, callback=None,
                      max_nfev=SEGMENT_NFEV):
    """Minimise a squared-error ``objective`` from ``start`` (a ``Point`` or weights)
    with ``scipy.optimize.least_squares`` (a run: see ``_loop.serve``).

    Same protocol and result as ``_lm.lm_run``. An iteration is one
    ``least_squares(method="lm")`` call (MINPACK's ``lmder``, analytic Jacobian,
    ``x_scale="jac"``) from the current weights, ended at MINPACK's first accepted
    step (scipy then asks for the Jacobian at a new point) or after ``max_nfev``
    residual evaluations (``max_nfev - 1`` rejected trial steps; the weights stay).
    The policy is consulted between iterations, the goal checked after each. With
    fewer residuals than weights, which MINPACK cannot handle, ``method="trf"`` is
    used instead (see ``scipy_method``); its iterations end the same way.

    MINPACK runs its own trust-region damping, started afresh by every call, and never
    accepts a step that increases the error. So the step the paper takes
    unconditionally after a compression or restart is the built-in solver's
    (``_lm.lm_iteration`` with the damping reset to ``mu``), taken before that iteration's
    ``least_squares`` call; without it compression does not help (summed parity-7,
    100 starts: 3 successes instead of 35, plain LM 3). The damping arguments are
    used for that step only.
    """
    problem = _Residuals(objective)
    method = scipy_method(objective)

    def step(point, after_event):
        if after_event:
            point, _ = yield from lm_iteration(
                objective, point, mu, unconditional=True, mu_factor=mu_factor,
                mu_min=mu_min, mu_max=mu_max)
        w = point.w
        problem.at(point.prior)
        # skipped, as the built-in solver skips a non-finite Q (the Jacobian is cached
        # for least_squares' first request)
        if not (np.isfinite(point.value) and np.all(np.isfinite(problem.jacobian(w)))):
            return point

        def jacobian(x):
            if not np.array_equal(x, w):
                raise _Accepted(x.copy())
            return problem.jacobian(x)

        try:  # overflowing trial steps are rejected below: scipy need not warn of them
            with np.errstate(all="ignore"):
                x = least_squares(problem.residuals, w, jac=jacobian, method=method,
                                  x_scale="jac", max_nfev=max_nfev, ftol=_TOL, xtol=_TOL,
                                  gtol=_TOL).x
        except _Accepted as accepted:
            x = accepted.x
        new, = yield Values(objective, [x], point.prior, point.hold)
        if new.value <= point.value:  # MINPACK keeps its factors: the objective builds its own
            return objective.accept(new)
        return point  # no step accepted (or a non-finite excursion)

    return (yield from run_iterations(objective, start, policy, step, max_iter=max_iter,
                                      goal=goal, callback=callback))

