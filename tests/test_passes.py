"""Passes over the data (``_passes``): chunks, shares, the threads and their pool, and
the kept forward state. What a pass sums is ``_objective``'s (tests/test_objective.py)."""

import math
import pickle
import threading
import warnings

import numpy as np
import pytest

from sklearn_lmwc import _passes
from sklearn_lmwc._passes import Passes


def _passes_of(n=300, weighted=True, chunk=64, stacked_chunk=32, shares=1, seed=0):
    """Passes over n rows whose first column numbers the rows."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.arange(n, dtype=float), rng.normal(size=(n, 2))])
    Y = rng.normal(size=(n, 2))
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    return Passes(X, Y, sw, chunk, stacked_chunk, shares)


def _rows(chunks):
    """The row numbers of each chunk."""
    return [X[:, 0].astype(int).tolist() for X, _, _ in chunks]


# ---- chunks ---------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("networks, shares, start, stop", [
    (1, 1, 0, None), (1, 4, 0, 75), (1, 4, 225, 300), (3, 1, 0, None), (3, 2, 10, 290),
    (1, 1, 40, 41)])
def test_chunks_cover_the_rows_in_equal_bounded_chunks(networks, shares, start, stop,
                                                       weighted):
    passes = _passes_of(weighted=weighted, chunk=64, stacked_chunk=32)
    chunks = list(passes.chunks(networks, start, stop, shares))
    stop = 300 if stop is None else stop
    # networks evaluated together share the stacked chunk's rows; shares divide them
    bound = max(1, (64 if networks == 1 else 32) // (networks * shares))
    sizes = [len(X) for X, _, _ in chunks]
    assert len(chunks) == math.ceil((stop - start) / bound)  # as few as the bound allows
    assert max(sizes) <= bound and max(sizes) - min(sizes) <= 1  # no small last chunk
    # the rows in order, each with its targets and weights
    assert sum(_rows(chunks), []) == list(range(start, stop))
    np.testing.assert_array_equal(np.concatenate([Y for _, Y, _ in chunks]),
                                  passes.Y[start:stop])
    if weighted:
        np.testing.assert_array_equal(np.concatenate([sw for _, _, sw in chunks]),
                                      passes.sample_weight[start:stop])
    else:
        assert all(sw is None for _, _, sw in chunks)


def test_use_threads_is_capped_by_the_shares():
    one = _passes_of(shares=1)
    assert one.use_threads(4) == 1 and one.threads == 1
    two = _passes_of(shares=2)
    assert two.use_threads(8) == 2 and two.threads == 2
    assert two.use_threads(1) == 1 and two.threads == 1
    assert two.use_threads(0) == 1  # the calling thread, at least


# ---- shares, on threads ---------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_shares_run_in_order_on_the_pool_threads(threads):
    passes = _passes_of(shares=4)
    assert passes.use_threads(threads) == threads

    def share(chunks, extra):
        return threading.get_ident(), extra, _rows(chunks)

    results = list(passes.map_shares(share, extras=["a", "b", "c", "d"]))
    # four shares of 75 rows, in order, each in equal chunks of at most a quarter of a
    # chunk's rows (the shares running at once hold no more than a chunk)
    assert [extra for _, extra, _ in results] == ["a", "b", "c", "d"]
    for k, (_, _, rows) in enumerate(results):
        assert sum(rows, []) == list(range(75 * k, 75 * (k + 1)))
        assert [len(r) for r in rows] == [15] * 5
    on_caller = {thread for thread, _, _ in results} == {threading.get_ident()}
    assert on_caller == (threads == 1)
    # without extras, each share gets None
    assert [extra for _, extra, _ in passes.map_shares(share)] == [None] * 4


@pytest.mark.parametrize("threads", [1, 2])
def test_shares_start_in_waves_of_the_threads(threads):
    # at most ``threads`` shares' results are under way before the caller takes them
    passes = _passes_of(shares=4)
    passes.use_threads(threads)
    started, lock = [], threading.Lock()

    def share(chunks, extra):
        with lock:
            started.append(extra)
        return extra

    results = passes.map_shares(share, extras=[0, 1, 2, 3])
    taken = [next(results) for _ in range(threads)]
    assert taken == list(range(threads))
    assert sorted(started) == list(range(threads))  # the next wave not begun
    assert list(results) == list(range(threads, 4)) and sorted(started) == [0, 1, 2, 3]


def test_passes_share_one_pool():
    # the trials of a batch each run passes on threads: not a pool each
    workers, lock = set(), threading.Lock()

    def share(chunks, extra):
        with lock:
            workers.add(threading.get_ident())
        return sum(len(X) for X, _, _ in chunks)

    for seed in range(4):
        passes = _passes_of(shares=2, seed=seed)
        passes.use_threads(2)
        assert sum(passes.map_shares(share)) == 300
    assert 1 <= len(workers) <= 2 and threading.get_ident() not in workers
    assert _passes._pool(2) is _passes._pool(2)


@pytest.mark.parametrize("threads", [1, 2])
def test_shares_ignore_floating_point_errors(threads):
    # numpy's error state is per thread: the pool's threads do not inherit the caller's
    passes = _passes_of(shares=2)
    passes.use_threads(threads)

    def share(chunks, extra):
        big = np.array([1e308])
        return float((big * 10)[0]), float((big - big)[0] / 0.0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            results = list(passes.map_shares(share))
    assert len(results) == 2
    assert all(over == np.inf and np.isnan(invalid) for over, invalid in results)


# ---- the kept forward state -----------------------------------------------------


def test_a_kept_state_serves_only_its_own_pass():
    passes = _passes_of(shares=2)
    w = np.array([0.5, -1.0, 2.0])
    states = [["share 0"], ["share 1"]]
    assert passes.kept(w) is None  # nothing kept yet
    passes.keep(w, states)
    assert passes.kept(w) is states and passes.kept(w.copy()) is states
    w[0] = 7.0  # the weights are the pass's, not the caller's array
    assert passes.kept(w) is None and passes.kept(np.array([0.5, -1.0, 2.0])) is states
    w = np.array([0.5, -1.0, 2.0])
    assert passes.kept(w + 1e-12) is None  # other weights
    # other chunks: new data (even equal), another chunk or another number of shares
    for attribute, other in [("X", passes.X.copy()), ("chunk", 32), ("shares", 4)]:
        original = getattr(passes, attribute)
        setattr(passes, attribute, other)
        assert passes.kept(w) is None, attribute
        setattr(passes, attribute, original)
        assert passes.kept(w) is states
    passes.close()
    assert passes.kept(w) is None


def test_passes_pickle_without_the_kept_state():
    # a trial's objective may be pickled (joblib's workers): without the forward state
    passes = _passes_of(shares=2)
    passes.keep_states = True
    passes.use_threads(2)
    w = np.ones(3)
    passes.keep(w, [["state"], ["state"]])
    copy = pickle.loads(pickle.dumps(passes))
    assert copy.kept(w) is None
    assert (copy.chunk, copy.stacked_chunk, copy.shares, copy.threads, copy.keep_states) \
        == (64, 32, 2, 2, True)
    np.testing.assert_array_equal(copy.X, passes.X)
    np.testing.assert_array_equal(copy.sample_weight, passes.sample_weight)
    assert passes.kept(w) is not None  # the original keeps its own
    passes.close()
    assert passes.kept(w) is None
    assert sum(len(X) for X, _, _ in passes.chunks()) == 300  # still usable
