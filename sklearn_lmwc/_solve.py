"""The damped Gauss-Newton system of one LM iteration, ``(Q + mu I) delta = g``.

An objective hands the loop a system built once per iteration (one Jacobian); the
loop asks it for steps at growing damping. The system keeps its last factorisation,
so that quantities of the accepted step's matrix (the trace that Bayesian
regularisation needs) come without another one when its damping is small enough.
"""

from functools import lru_cache

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, solve_triangular
from scipy.linalg.lapack import dposv, dtrtri
from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def blas_controller():
    """The process's ``threadpoolctl`` controller (its library scan is costly)."""
    return ThreadpoolController()


# distinct penalties up to which ``ResidualSpaceSystem`` keeps one product per penalty:
# one alpha or the layers' groups (at most 5 values) keep it; ARD, one alpha per input,
# takes one product of the scaled J per damping, whose cost does not grow with the
# groups (on 253 groups of 750 rows, the products took 1.2 s to form and 0.35 s to sum
# per damping, the scaled product 0.15 s)
MAX_GRAMS = 8


def _cholesky(A):
    """Lower Cholesky factor of A (overwritten), or None when A is not positive
    definite. It runs on one BLAS thread: at these sizes threads barely help it,
    and when the cores are shared they slow it down a hundredfold (measured with
    OpenBLAS, N = 841)."""
    with blas_controller().limit(limits=1, user_api="blas"):
        try:
            return cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
        except (LinAlgError, ValueError):
            return None


class WeightSpaceSystem:
    """``(Q + mu I) delta = g`` in the weights' space (N x N), by Cholesky. Q is
    symmetric: every objective fills both triangles, with the same sums."""

    def __init__(self, Q, g):
        self.Q, self.g = Q, g
        self._factor, self._mu = None, None

    def is_finite(self):
        return bool(np.isfinite(self.Q).all() and np.isfinite(self.g).all())

    def solve(self, mu):
        """The step for damping mu, or None when the factorisation fails or the step
        is not finite: ``solve_together`` of this system alone, so that a trial run
        alone and trials run together take their steps from one computation."""
        with blas_controller().limit(limits=1, user_api="blas"):
            return solve_together([self], [mu])[0]

    def _factorise(self, mu):
        """Factorise ``Q + mu I`` and keep the factor (None if it failed) for the
        quantities asked of the system next."""
        A = self.Q.copy()
        A[np.diag_indices_from(A)] += mu
        self._factor, self._mu = _cholesky(A), mu
        return self._factor

    def _factor_at(self, mu):
        """The factor of ``Q + m I``: m the damping of the last factorisation if it
        is at most ``mu`` (its factor is reused), else ``mu`` (factorised anew); None
        if that factorisation fails."""
        if self._factor is not None and self._mu <= mu:
            return self._factor
        return self._factorise(mu)

    def log_det(self, mu):
        """``log det(Q + m I)``, m as for ``_factor_at``; None if the factorisation
        fails."""
        factor = self._factor_at(mu)
        if factor is None:
            return None
        return 2.0 * float(np.log(np.diagonal(factor[0])).sum())

    def cholesky(self, mu):
        """The lower Cholesky factor L of ``Q + m I`` (``L L^T``, zeros above the
        diagonal; a new array), m as for ``_factor_at``; None if the factorisation
        fails."""
        factor = self._factor_at(mu)
        return None if factor is None else np.tril(factor[0])

    def inverse_trace(self, mask, mu):
        """``sum_i (Q + m I)^-1_ii`` over the indices in ``mask``, m as for
        ``_factor_at``; None if the factorisation fails. It is the sum of the squared
        columns of ``L^-1``."""
        L_inv = self._inverse_factor(mu)
        if L_inv is None:
            return None
        return float(np.square(L_inv[:, mask]).sum())

    def inverse_diagonal(self, mu):
        """The diagonal of ``(Q + m I)^-1`` (N,), m as for ``_factor_at`` (the factor
        kept as for ``inverse_trace``: one factorisation serves both); None if the
        factorisation fails. Entry i is the squared norm of column i of ``L^-1``."""
        L_inv = self._inverse_factor(mu)
        if L_inv is None:
            return None
        return np.square(L_inv).sum(axis=0)

    def _inverse_factor(self, mu):
        """``L^-1`` (lower triangular, zeros above), L the factor of ``_factor_at``;
        None if a factorisation fails."""
        factor = self._factor_at(mu)
        if factor is None:
            return None
        # LAPACK's triangular inverse: a third of the work of solving L X = I
        with blas_controller().limit(limits=1, user_api="blas"):
            L_inv, info = dtrtri(factor[0], lower=1)
        if info != 0:
            return None
        return np.tril(L_inv)


def solve_together(systems, mus):
    """``[system.solve(mu) for system, mu in zip(systems, mus)]`` for ``WeightSpaceSystem``s of
    one size, each system keeping its factor as after its own ``solve``.

    The damped matrices are formed in one stacked operation, then each is factorised
    and solved by one call of LAPACK's ``dposv`` (Cholesky), so that a matrix that
    is not positive definite fails alone. Measured per
    system against numpy's stacked Cholesky followed by stacked triangular solves:
    3.3 vs 9.4 microseconds at N = 21, 22 vs 29 at N = 75; numpy's stacked LU solve
    of the damped matrix is cheaper but, on the ill-conditioned systems of small
    damping, 5e-5 away from the Cholesky step (4e-14 for dposv), enough to send a
    trial on another path than its own. The caller limits BLAS threads (a context
    per system would cost more than the solve at these sizes)."""
    A = np.stack([system.Q for system in systems])
    diagonal = np.arange(A.shape[-1])
    A[:, diagonal, diagonal] += np.asarray(mus)[:, None]
    steps = []
    with np.errstate(all="ignore"):
        for system, a, mu in zip(systems, A, mus):
            # a.T: the (symmetric) matrix in LAPACK's column order, not copied; a
            # lower factorisation, as _cholesky's (an upper one rounds differently:
            # paths 1e-8 apart after 30 iterations, measured)
            factor, step, info = dposv(a.T, system.g, lower=1, overwrite_a=True)
            system._factor = (factor.copy(), True) if info == 0 else None
            system._mu = mu
            steps.append(step if info == 0 and np.isfinite(step).all() else None)
    return steps


class ResidualSpaceSystem:
    """``(J^T J + diag(penalty) + mu I) delta = g`` in the space of J's R rows.

    For R < N weights this is the cheap form: with ``c = penalty + mu`` (positive
    for mu > 0), Woodbury's identity gives

        ``delta = (g - J^T (I + J C^-1 J^T)^-1 J C^-1 g) / c``,

    an R x R factorisation, the penalty handled exactly. ``J C^-1 J^T`` is the sum,
    over the few distinct penalties v, of ``J_v J_v^T / (v + mu)`` (``J_v``: the
    columns with penalty v), so those products are formed once and each damping
    costs O(R^3 + R N). With many distinct penalties (one alpha per input: ARD on
    wide data) those G products would hold G R^2 floats (1.1 GB for 253 groups of
    750 rows) and cost more to sum than one product of the scaled J per damping,
    O(R^2 N), which is formed then.

    Parameters
    ----------
    J : ndarray (R, N)
        The loss-scaled Jacobian: ``J^T J`` is the quasi-Hessian without penalty.
    g : ndarray (N,)
        The gradient, penalty included.
    penalty : ndarray (N,)
        The penalty's diagonal (alpha on penalised weights, 0 elsewhere).
    """

    def __init__(self, J, g, penalty):
        self.J, self.g, self.penalty = J, g, penalty
        values = np.unique(penalty)
        # the products per penalty, or None: one product per damping
        self.grams = [] if values.size <= MAX_GRAMS else None
        with np.errstate(all="ignore"):  # an overflowing J is caught by is_finite
            for v in values if self.grams is not None else ():
                Jv = J[:, penalty == v]
                self.grams.append((v, Jv @ Jv.T))
        self._factor, self._mu = None, None

    def is_finite(self):
        return bool(np.isfinite(self.J).all() and np.isfinite(self.g).all())

    def solve(self, mu):
        """The step for damping mu, or None when the factorisation fails or the step
        is not finite."""
        self._factor, self._mu = self._factorise(mu), mu
        if self._factor is None:
            return None
        c = self.penalty + mu
        # a step that overflows is rejected below like a failed factorisation
        with blas_controller().limit(limits=1, user_api="blas"), \
                np.errstate(all="ignore"):
            y = cho_solve(self._factor, self.J @ (self.g / c), check_finite=False)
            step = (self.g - self.J.T @ y) / c
        return step if np.isfinite(step).all() else None

    def _factorise(self, mu):
        """Cholesky factor of ``I + J C^-1 J^T``, or None."""
        if not np.all(self.penalty + mu > 0):  # J^T J + C is singular
            return None
        with np.errstate(all="ignore"):  # overflow: the factorisation fails below
            if self.grams is None:
                scaled = self.J / np.sqrt(self.penalty + mu)
                K = scaled @ scaled.T
                np.einsum("ii->i", K)[...] += 1.0
            else:
                K = np.eye(self.J.shape[0])
                for v, gram in self.grams:
                    K += gram / (v + mu)
        return _cholesky(K)

    def inverse_trace(self, mask, mu):
        """``sum_i (J^T J + C)^-1_ii`` over the indices in ``mask``, with the damping
        chosen as in ``WeightSpaceSystem.inverse_trace``: ``1 / c_i`` minus the squared
        column norms of ``L^-1 J C^-1`` (Woodbury again, L the R x R factor)."""
        terms = self._inverse_terms(mask, mu)
        if terms is None:
            return None
        c, V = terms
        return float(np.sum(1.0 / c) - np.square(V).sum())

    def inverse_diagonal(self, mu):
        """The diagonal of ``(J^T J + C)^-1`` (N,), the damping chosen as for
        ``inverse_trace``: ``1 / c_i`` minus the squared norm of column i of
        ``L^-1 J C^-1``; None if the factorisation fails."""
        terms = self._inverse_terms(slice(None), mu)
        if terms is None:
            return None
        c, V = terms
        return 1.0 / c - np.square(V).sum(axis=0)

    def _inverse_terms(self, columns, mu):
        """``(c, L^-1 J C^-1)`` over ``columns`` (a mask or a slice) for the trace
        and the diagonal of the inverse: L the factor of the last ``solve`` if its
        damping is at most ``mu`` (c then with that damping), else a factor at
        ``mu`` (not kept: every call makes its own); None if it fails."""
        if self._factor is None or self._mu > mu:
            factor = self._factorise(mu)
        else:
            factor, mu = self._factor, self._mu
        if factor is None:
            return None
        c = self.penalty[columns] + mu
        with blas_controller().limit(limits=1, user_api="blas"):
            V = solve_triangular(np.tril(factor[0]), self.J[:, columns] / c, lower=True,
                                 check_finite=False)
        return c, V
