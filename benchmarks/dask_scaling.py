"""Seconds per LM iteration in memory, on dask's threaded scheduler and on a LocalCluster.

One regression (MLP 8-10-1, 101 weights; plain LM, so every iteration is alike) at
each number of rows, trained by ``LMWCRegressor`` on numpy data and by
``DaskLMWCRegressor`` on the same data in 10 row blocks: on the threaded scheduler in
this process, and on a ``LocalCluster`` of worker processes (the blocks persisted on
the workers). Reported: seconds per iteration (the whole fit, data validation and
target scaling included, divided by the iterations), and the peak memory the fit
allocated in this (the client's) process beyond the data already there, by
tracemalloc. The fits agree: the largest relative difference of the dask fits'
weights from the in-memory one is printed.

    python benchmarks/dask_scaling.py                      # 1e5 and 1e6 rows
    python benchmarks/dask_scaling.py --rows 1e4 --smoke   # seconds
"""

import argparse
import time
import tracemalloc
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.dask import DaskLMWCRegressor

N_FEATURES, BLOCKS = 8, 10


def data(n_rows, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n_rows, N_FEATURES))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n_rows)
    return X, y


def timed_fit(estimator, X, y):
    """(seconds per iteration, peak MiB allocated during fit, fitted estimator)."""
    tracemalloc.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds / estimator.n_iter_, peak, estimator


def weights_gap(a, b):
    wa, wb = (np.concatenate([c.ravel() for c in e.coefs_ + e.intercepts_]) for e in (a, b))
    return float(np.abs(wa - wb).max() / np.abs(wb).max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e5, 1e6])
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="2 iterations")
    args = parser.parse_args()
    iterations = 2 if args.smoke else args.iterations
    params = dict(hidden_layer_sizes=(10,), topology="mlp", alpha=0.0, compression=None,
                  tol=None, max_iter=iterations, random_state=0)
    print(f"MLP {N_FEATURES}-10-1 (101 weights), plain LM, {iterations} iterations, "
          f"{BLOCKS} row blocks, LocalCluster of {args.workers} single-thread processes")
    print(f"{'rows':>9} | {'mode':<13} | {'s / iteration':>13} | {'peak client MiB':>15} "
          f"| {'weights vs in-memory':>20}")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        for rows in map(int, args.rows):
            X, y = data(rows)
            chunk = -(-rows // BLOCKS)
            Xd, yd = da.from_array(X, chunks=(chunk, -1)), da.from_array(y, chunks=chunk)
            Xc, yc = client.persist([Xd, yd])  # on the workers before timing
            modes = [
                ("in-memory", LMWCRegressor(**params), X, y),
                ("dask threads", DaskLMWCRegressor(client="threads", **params), Xd, yd),
                ("LocalCluster", DaskLMWCRegressor(client=client, **params), Xc, yc),
            ]
            reference = None
            for name, estimator, Xm, ym in modes:
                per_iteration, peak, fitted = timed_fit(estimator, Xm, ym)
                reference = reference or fitted
                print(f"{rows:>9.0e} | {name:<13} | {per_iteration:>13.3f} | {peak:>15.1f} "
                      f"| {weights_gap(fitted, reference):>20.1e}", flush=True)


if __name__ == "__main__":
    main()
