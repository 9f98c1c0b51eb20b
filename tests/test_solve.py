import numpy as np
import pytest
from scipy.linalg import inv, solve

from sklearn_lmwc._solve import ResidualSpaceSystem, WeightSpaceSystem, solve_together


def test_gram_step_matches_scipy_solve():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 6))
    Q, g = A.T @ A, rng.normal(size=6)
    np.testing.assert_allclose(WeightSpaceSystem(Q, g).solve(0.5), solve(Q + 0.5 * np.eye(6), g),
                               rtol=1e-10)


def test_failed_factorisation_is_none_not_error():
    Q = -np.eye(3)  # Q + mu I is indefinite for mu < 1
    assert WeightSpaceSystem(Q, np.ones(3)).solve(0.5) is None
    assert WeightSpaceSystem(np.full((2, 2), np.nan), np.ones(2)).solve(1.0) is None
    assert WeightSpaceSystem(Q, np.ones(3)).solve(2.0) is not None


def test_inverse_trace_of_the_last_factor_matches_scipy_inverse():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(30, 7))
    system = WeightSpaceSystem(A.T @ A, rng.normal(size=7))
    mask = np.array([True, False, True, True, False, True, True])

    def expected(mu):
        return np.trace(inv(A.T @ A + mu * np.eye(7))[np.ix_(mask, mask)])

    assert system.solve(1e-3) is not None
    # the last factor serves any requested damping at least as large as its own
    assert np.isclose(system.inverse_trace(mask, 1e-2), expected(1e-3), rtol=1e-10)
    # a smaller one is factorised anew
    assert np.isclose(system.inverse_trace(mask, 1e-9), expected(1e-9), rtol=1e-10)
    assert WeightSpaceSystem(-np.eye(3), np.ones(3)).inverse_trace(np.ones(3, bool), 0.5) is None



@pytest.mark.parametrize("System", ["weights", "residuals"])
def test_inverse_trace_asked_twice_uses_its_own_factor(System):
    # a factor made for the trace is kept: the second call must not fall back on the
    # factor of the last solve (damping 1.0), which a stale factor did
    A = np.random.default_rng(0).normal(size=(50, 20))
    mask = np.ones(20, bool)
    if System == "weights":
        system = WeightSpaceSystem(A.T @ A, np.ones(20))
    else:
        system = ResidualSpaceSystem(A, np.ones(20), np.full(20, 1e-12))
    exact = np.trace(inv(A.T @ A + 0.01 * np.eye(20)))
    assert system.solve(1.0) is not None
    for _ in range(3):
        assert np.isclose(system.inverse_trace(mask, 0.01), exact, rtol=1e-6)

def _kernel_problem(seed=2, R=6, N=15):
    rng = np.random.default_rng(seed)
    J, g = rng.normal(size=(R, N)), rng.normal(size=N)
    penalty = np.where(np.arange(N) % 4 == 3, 0.0, 0.3)  # every fourth weight a bias
    return J, g, penalty


def test_kernel_system_solves_the_weights_space_system():
    J, g, penalty = _kernel_problem()
    system = ResidualSpaceSystem(J, g, penalty)
    for mu in (1e-4, 1e-2, 10.0):
        dense = J.T @ J + np.diag(penalty + mu)
        np.testing.assert_allclose(system.solve(mu), solve(dense, g), rtol=1e-9)


def test_kernel_inverse_trace_matches_scipy_inverse():
    J, g, penalty = _kernel_problem()
    system = ResidualSpaceSystem(J, g, penalty)
    mask = penalty > 0
    assert system.solve(1e-3) is not None
    for mu, used in ((1e-3, 1e-3), (1.0, 1e-3), (1e-5, 1e-5)):
        expected = np.trace(inv(J.T @ J + np.diag(penalty + used))[np.ix_(mask, mask)])
        assert np.isclose(system.inverse_trace(mask, mu), expected, rtol=1e-9)


def test_kernel_system_failures_are_none():
    J, g, penalty = _kernel_problem()
    assert ResidualSpaceSystem(J, g, penalty).solve(0.0) is None  # the biases' c is 0
    assert ResidualSpaceSystem(J, g, penalty).inverse_trace(penalty > 0, 0.0) is None
    bad = J.copy()
    bad[0, 0] = np.nan
    system = ResidualSpaceSystem(bad, g, penalty)
    assert not system.is_finite() and system.solve(1.0) is None


def test_solve_together_matches_each_systems_solve():
    rng = np.random.default_rng(4)
    systems, reference = [], []
    for k in range(4):
        A = rng.normal(size=(12, 8))
        Q, g = A.T @ A, rng.normal(size=8)
        if k == 2:  # indefinite: its factorisation fails, alone
            Q = Q - 50.0 * np.eye(8)
        systems.append(WeightSpaceSystem(Q, g))
        reference.append(WeightSpaceSystem(Q.copy(), g.copy()))
    mus = [1e-3, 1.0, 1e-3, 10.0]
    steps = solve_together(systems, mus)
    for system, ref, mu, step in zip(systems, reference, mus, steps):
        expected = ref.solve(mu)
        if expected is None:
            assert step is None
            continue
        np.testing.assert_allclose(step, solve(system.Q + mu * np.eye(8), system.g),
                                   rtol=1e-10)
        # the factor is kept, as after solve: the trace reuses it
        mask = np.ones(8, dtype=bool)
        assert system.inverse_trace(mask, mu) == \
            pytest.approx(np.trace(inv(system.Q + mu * np.eye(8))), rel=1e-10)
    assert steps[2] is None and sum(s is None for s in steps) == 1


def test_inverse_diagonal_matches_scipy_inverse():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(30, 7))
    Q = A.T @ A

    def expected(mu):
        return np.diag(inv(Q + mu * np.eye(7)))

    # no factor yet: one at the requested damping
    np.testing.assert_allclose(WeightSpaceSystem(Q, np.ones(7)).inverse_diagonal(1e-4),
                               expected(1e-4), rtol=1e-10)
    system = WeightSpaceSystem(Q, rng.normal(size=7))
    assert system.solve(1e-3) is not None
    # the last solve's factor serves any damping at least as large as its own
    np.testing.assert_allclose(system.inverse_diagonal(1e-2), expected(1e-3), rtol=1e-10)
    # a smaller one is factorised anew, and that factor kept
    np.testing.assert_allclose(system.inverse_diagonal(1e-9), expected(1e-9), rtol=1e-10)
    np.testing.assert_allclose(system.inverse_diagonal(1e-2), expected(1e-9), rtol=1e-10)
    # the trace over a mask is the sum of the diagonal there, from the same factor
    mask = np.array([True, False, True, True, False, True, True])
    assert system.inverse_trace(mask, 1e-2) == \
        pytest.approx(system.inverse_diagonal(1e-2)[mask].sum(), rel=1e-12)
    assert WeightSpaceSystem(-np.eye(3), np.ones(3)).inverse_diagonal(0.5) is None


def test_kernel_inverse_diagonal_matches_scipy_inverse():
    J, g, penalty = _kernel_problem()
    N = J.shape[1]

    def expected(mu):
        return np.diag(inv(J.T @ J + np.diag(penalty + mu)))

    np.testing.assert_allclose(ResidualSpaceSystem(J, g, penalty).inverse_diagonal(1e-4),
                               expected(1e-4), rtol=1e-9)
    system = ResidualSpaceSystem(J, g, penalty)
    assert system.solve(1e-3) is not None
    for mu, used in ((1e-3, 1e-3), (1.0, 1e-3), (1e-5, 1e-5)):
        diagonal = system.inverse_diagonal(mu)
        assert diagonal.shape == (N,)
        np.testing.assert_allclose(diagonal, expected(used), rtol=1e-9)
        mask = penalty > 0
        assert system.inverse_trace(mask, mu) == pytest.approx(diagonal[mask].sum(),
                                                               rel=1e-10)
    # the biases' c is 0 without damping: no factor
    assert ResidualSpaceSystem(J, g, penalty).inverse_diagonal(0.0) is None


@pytest.mark.parametrize("System", ["weights", "residuals"])
def test_inverse_diagonal_with_one_penalty_per_group(System):
    # a grouped prior: every weight penalised, one alpha per group, no damping
    rng = np.random.default_rng(6)
    J, g = rng.normal(size=(8, 12)), rng.normal(size=12)
    penalty = np.array([0.1, 2.0, 30.0])[np.arange(12) % 3]
    if System == "weights":
        system = WeightSpaceSystem(J.T @ J + np.diag(penalty), g)
    else:
        system = ResidualSpaceSystem(J, g, penalty)
    np.testing.assert_allclose(system.inverse_diagonal(1e-7),
                               np.diag(inv(J.T @ J + np.diag(penalty + 1e-7))), rtol=1e-9)


@pytest.mark.parametrize("n_penalties", [2, 15])
def test_kernel_system_with_many_penalties_matches_scipy(n_penalties):
    # one penalty per weight (ARD on wide data) takes the product of the scaled J per
    # damping instead of one product per penalty: both must solve the same system
    rng = np.random.default_rng(3)
    J, g = rng.normal(size=(6, 15)), rng.normal(size=15)
    penalty = rng.uniform(0.1, 2.0, size=n_penalties)[np.arange(15) % n_penalties]
    system = ResidualSpaceSystem(J, g, penalty)
    assert (system.grams is None) == (n_penalties == 15)
    for mu in (1e-4, 1.0):
        dense = J.T @ J + np.diag(penalty + mu)
        np.testing.assert_allclose(system.solve(mu), solve(dense, g), rtol=1e-9)
        np.testing.assert_allclose(system.inverse_diagonal(mu), np.diag(inv(dense)),
                                   rtol=1e-9)
