"""The cost model and the plan (``_costs``): the form of the damped system, the
Kronecker or Jacobian path, chunks, shares, BLAS threads, trials together."""

import pytest

from sklearn_lmwc import _costs
from sklearn_lmwc._costs import Plan, plan
from sklearn_lmwc._network import Network


def _network(hidden=(4,), n_outputs=2, topology="bmlp"):
    return Network(3, hidden, n_outputs, topology, "tanh")


def _matmul(a_shape, b_shape):
    """Multiply-adds of the product of matrices of these shapes."""
    (rows, inner), (inner_b, cols) = a_shape, b_shape
    assert inner == inner_b
    return rows * inner * cols


# ---- plan(): choices from the sizes -------------------------------------------------


def test_cost_model_picks_kronecker_for_many_outputs_and_the_kernel_for_few_rows():
    many = plan(_network((20,), 10, "mlp"), 5000)
    assert many.kronecker and many.form == "weights"
    # one output: always through the Jacobian, whatever the model's prices
    assert not plan(_network((20,), 1, "mlp"), 5000).kronecker
    few = plan(_network((30,), 3, "mlp"), 20)
    assert few.form == "residuals"  # 60 rows, 213 weights
    with pytest.raises(ValueError, match="form"):
        plan(_network((3, 2), 1, "mlp"), 70, form="dual")


def test_chunk_bounds_memory():
    # the rows held at once do not depend on the number of samples
    network = _network()
    small, large = plan(network, 100), plan(network, 100_000)
    assert small.chunk == large.chunk
    assert small.stacked_chunk == large.stacked_chunk


def test_shares_follow_the_work(monkeypatch):
    network, n = _network(), 300
    N = network.n_weights
    assert plan(network, n).shares == 1  # little work: the passes stay on one thread
    # a value pass's elementwise work, or a Jacobian pass's J^T J, of 3.5 shares' worth:
    # 3 shares, at most max_shares
    for threshold, work in [("_MIN_SHARE_STATE", network.state_size(n)),
                            ("_MIN_SHARE_GRAM", n * 2 * N * N)]:
        with monkeypatch.context() as patch:
            patch.setattr(_costs, threshold, work / 3.5)
            assert plan(network, n).form == "weights"
            assert plan(network, n).shares == min(3, _costs.MAX_SHARES)
            assert plan(network, n, max_shares=5).shares == 3
            assert plan(network, n, max_shares=2).shares == 2
    monkeypatch.setattr(_costs, "_MIN_SHARE_STATE", 1)
    assert plan(network, n).shares == _costs.MAX_SHARES
    # the residuals' form builds its system on one thread: J J^T is one product
    assert plan(network, n, form="residuals").shares == 1


# ---- Plan's methods ---------------------------------------------------------------

# (form, chunk, n_samples, n_outputs, n_weights)
_PLANS = {
    "weights, a chunk of the rows": ("weights", 256, 1000, 3, 50),
    "weights, all rows in one chunk": ("weights", 256, 100, 3, 50),
    "residuals": ("residuals", 256, 20, 3, 213),
}


def _plan(form, chunk, n, M, N, shares=1):
    return Plan(form, False, chunk, 64, shares, n, M, N)


@pytest.mark.parametrize("case", list(_PLANS))
def test_largest_product_is_the_chunks_gram_or_the_kernel(case):
    form, chunk, n, M, N = _PLANS[case]
    if form == "weights":  # J^T J of the rows of one chunk's J (samples x outputs)
        rows = min(n, chunk) * M
        expected = _matmul((N, rows), (rows, N))
    else:  # J J^T of the whole J
        expected = _matmul((n * M, N), (N, n * M))
    assert _plan(form, chunk, n, M, N).largest_product() == expected


@pytest.mark.parametrize("case", list(_PLANS))
def test_blas_threads_only_on_large_products(case, monkeypatch):
    p = _plan(*_PLANS[case])
    largest = p.largest_product()
    # below the threshold: one BLAS thread, however many are allowed
    monkeypatch.setattr(_costs, "_MIN_PRODUCT_FOR_BLAS_THREADS", largest + 1)
    for allowed, threads in [(8, 1), (4, 2), (1, 1)]:
        assert p.blas_threads(allowed, threads) == 1
    # from the threshold on: each share's part of the allowed threads, at least one
    monkeypatch.setattr(_costs, "_MIN_PRODUCT_FOR_BLAS_THREADS", largest)
    for allowed, threads, expected in [(8, 1, 8), (4, 2, 2), (5, 2, 2), (2, 4, 1),
                                       (1, 1, 1)]:
        assert p.blas_threads(allowed, threads) == expected


def test_worth_serving_together_small_work_in_the_weights_space(monkeypatch):
    n, M, N = 500, 2, 40
    weights = _plan("weights", 128, n, M, N)  # the chunk does not enter: all rows
    work = _matmul((N, n * M), (n * M, N))  # an iteration's J^T J
    monkeypatch.setattr(_costs, "_MAX_WORK_TOGETHER", work + 1)
    assert weights.worth_serving_together(2) and weights.worth_serving_together(8)
    assert not weights.worth_serving_together(1)  # a run alone
    # the residuals' form is served alone, however small
    assert not _plan("residuals", 128, n, M, N).worth_serving_together(2)
    monkeypatch.setattr(_costs, "_MAX_WORK_TOGETHER", work)  # below it, strictly
    assert not weights.worth_serving_together(2)
