"""Passes over the training data: chunks of rows, shares run on threads, and the memo
of the last value pass.

A pass cuts the rows into ``shares`` contiguous parts whose sums are accumulated
apart and added in order (so that a fit is the same on any number of threads), each
part into chunks small enough that memory stays that of one chunk (``_costs``).
What is summed is the caller's business (``_objective``).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

# the process's thread pools that run shares, by size: one for all objectives (the
# trials of a batch would each start one), idle between passes like BLAS's threads
_POOLS, _POOLS_LOCK = {}, threading.Lock()


def _pool(threads):
    with _POOLS_LOCK:
        if threads not in _POOLS:
            _POOLS[threads] = ThreadPoolExecutor(threads, "sklearn_lmwc")
        return _POOLS[threads]


class Kept(NamedTuple):
    """The forward states of a value pass, per share and chunk, for the Jacobian pass
    at the same weights over the same chunks."""

    X: object
    chunk: int
    shares: int
    w: np.ndarray
    states: list


class Passes:
    """Chunks and shares of the rows of (X, Y, sample_weight), and the threads that
    run the shares.

    Parameters
    ----------
    X, Y, sample_weight
        The data (sample_weight None or an array of the rows).
    chunk : int
        Rows of one network's chunk.
    stacked_chunk : int
        Rows of a chunk for a stack of networks, shared among them.
    shares : int
        Contiguous shares of the rows.
    """

    def __init__(self, X, Y, sample_weight, chunk, stacked_chunk, shares):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.chunk, self.stacked_chunk, self.shares = chunk, stacked_chunk, shares
        self.threads = 1
        # a run served alone keeps the forward state of its last value pass
        self.keep_states, self._kept = False, None

    def use_threads(self, threads):
        """Run the shares on up to ``threads`` threads (the callers give each its part
        of BLAS's threads): numpy and BLAS release the GIL, so the elementwise work runs
        in parallel too, which BLAS threads alone leave on one core. Returns the number
        of threads (1: the calling thread)."""
        self.threads = max(1, min(int(threads), self.shares))
        return self.threads

    def chunks(self, networks=1, start=0, stop=None, shares=1):
        """``(X, Y, sample_weight)`` of rows start to stop in chunks; ``networks``
        evaluated together, and ``shares`` that may run at once, divide the rows of a
        chunk, so that memory stays bounded."""
        chunk = self.chunk if networks == 1 else self.stacked_chunk
        size = max(1, chunk // (networks * shares))
        stop = self.X.shape[0] if stop is None else stop
        count = -(-(stop - start) // size)  # chunks of equal size: no small last one
        for k in range(count):
            s = slice(start + (stop - start) * k // count,
                      start + (stop - start) * (k + 1) // count)
            sw = None if self.sample_weight is None else self.sample_weight[s]
            yield self.X[s], self.Y[s], sw

    def map_shares(self, function, networks=1, extras=None):
        """``function(chunks, extra)`` of each share, in the shares' order, as a
        generator: on the pool's threads in waves of ``threads`` shares, so that at
        most that many shares' sums are held at once. ``extras``, one per share (None
        each by default)."""
        n, shares = self.X.shape[0], self.shares
        extras = [None] * shares if extras is None else extras
        tasks = [(self.chunks(networks, n * k // shares, n * (k + 1) // shares, shares),
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

    def keep(self, w, states):
        """Keep the forward states (per share, per chunk) of a value pass at w."""
        self._kept = Kept(self.X, self.chunk, self.shares, w.copy(), states)

    def kept(self, w):
        """The kept states per share when they are of a pass at w over these chunks,
        else None."""
        kept = self._kept
        if kept is not None and kept.X is self.X and kept.chunk == self.chunk \
                and kept.shares == self.shares and np.array_equal(kept.w, w):
            return kept.states
        return None

    def close(self):
        """Free the kept forward state; the passes stay usable."""
        self._kept = None

    def __getstate__(self):
        # a run's objective may be pickled (joblib's workers): without the forward state
        state = self.__dict__.copy()
        state["_kept"] = None
        return state
