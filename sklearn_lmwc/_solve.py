"""The damped Gauss-Newton system of one LM iteration, ``(Q + mu I) delta = g``.

An objective hands the loop a system built once per iteration (one Jacobian); the
loop asks it for steps at growing damping. The system keeps its last factorisation,
so that quantities of the accepted step's matrix (the trace that Bayesian
regularisation needs) come without another one when its damping is small enough.
"""

from functools import lru_cache

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, solve_triangular
from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _blas():
    return ThreadpoolController()


def _cholesky(A):
    """Lower Cholesky factor of A (overwritten), or None when A is not positive
    definite. It runs on one BLAS thread: at these sizes threads barely help it,
    and when the cores are shared they slow it down a hundredfold (measured with
    OpenBLAS, N = 841)."""
    with _blas().limit(limits=1, user_api="blas"):
        try:
            return cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
        except (LinAlgError, ValueError):
            return None


def damped_step(Q, g, mu):
    """``(Q + mu I)^-1 g`` by Cholesky, or None when Q + mu I is not positive definite.

    Only the lower triangle of Q is read.
    """
    return GramSystem(Q, g).solve(mu)


class GramSystem:
    """``(Q + mu I) delta = g`` in the weights' space (N x N), by Cholesky."""

    def __init__(self, Q, g):
        self.Q, self.g = Q, g
        self._factor, self._mu = None, None

    def is_finite(self):
        return bool(np.all(np.isfinite(self.Q)) and np.all(np.isfinite(self.g)))

    def solve(self, mu):
        """The step for damping mu, or None when the factorisation fails or the step
        is not finite."""
        self._factor = self._factorise(mu)
        if self._factor is None:
            return None
        with _blas().limit(limits=1, user_api="blas"):
            step = cho_solve(self._factor, self.g, check_finite=False)
        return step if np.all(np.isfinite(step)) else None

    def _factorise(self, mu):
        A = self.Q.copy()
        A[np.diag_indices_from(A)] += mu
        self._mu = mu
        return _cholesky(A)

    def inverse_trace(self, mask, mu):
        """``sum_i (Q + m I)^-1_ii`` over the indices in ``mask``, where m is the
        damping of the last successful ``solve`` if it is at most ``mu`` (its factor
        is reused), else ``mu`` (factorised anew); None if that factorisation fails.
        It is the sum of the squared columns of ``L^-1``."""
        factor = self._factor if self._factor is not None and self._mu <= mu else \
            self._factorise(mu)
        if factor is None:
            return None
        with _blas().limit(limits=1, user_api="blas"):
            L_inv = solve_triangular(np.tril(factor[0]), np.eye(len(self.g)), lower=True,
                                     check_finite=False)
        return float(np.square(L_inv[:, mask]).sum())
