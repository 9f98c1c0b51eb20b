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
    python benchmarks/dask_scaling.py --passes             # passes over the data
    python benchmarks/dask_scaling.py --zarr /tmp/store --rows 1e7 --iterations 2

``--zarr DIR`` is the out-of-core case: the script writes X and y (generated block by
block on the cluster, never whole in any process) to a zarr store in DIR, then fits
on the LocalCluster from the store, every pass reading the blocks from disk again.

``--passes`` counts instead the passes over the row blocks of a plain-LM fit on the
threaded scheduler (1e4 rows, 50 iterations), with the damping tries judged one by
one (``tries_per_pass = 1``) and three per pass (the default), per iteration: Jacobian
passes (Q and g) and value passes (the tries, and the fit's few other values).
"""

import argparse
import time
import tracemalloc
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

import sklearn_lmwc.dask as lmwc_dask
from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.dask import DaskLMWCRegressor, DaskObjective

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


def count_passes(rows=10_000, iterations=50):
    """Per tries_per_pass (1, 3): Jacobian and value passes per iteration of a plain-LM fit."""
    X, y = data(rows)
    Xd, yd = da.from_array(X, chunks=(-(-rows // BLOCKS), -1)), da.from_array(y, chunks=-1)
    kinds, inner = [], lmwc_dask._block_sums

    def spy(*args, kind, **kwargs):
        kinds.append(kind)
        return inner(*args, kind=kind, **kwargs)

    lmwc_dask._block_sums = spy
    print(f"MLP {N_FEATURES}-10-1, plain LM, {rows} rows in {BLOCKS} blocks, "
          f"{iterations} iterations, passes per iteration")
    print(f"{'tries/pass':>11} | {'Jacobian':>8} | {'value':>6} | {'total':>6} | loss")
    default = DaskObjective.tries_per_pass
    for tries_per_pass in (1, default):
        kinds.clear()
        DaskObjective.tries_per_pass = tries_per_pass
        reg = DaskLMWCRegressor(hidden_layer_sizes=(10,), topology="mlp", alpha=0.0,
                                compression=None, tol=None, max_iter=iterations,
                                random_state=0, client="threads")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reg.fit(Xd, yd)
        jacobian, value = (kinds.count(k) / BLOCKS / reg.n_iter_ for k in ("gauss_newton", "loss"))
        print(f"{tries_per_pass:>11} | {jacobian:>8.2f} | {value:>6.2f} | {jacobian + value:>6.2f} "
              f"| {reg.loss_:.6g}")
    DaskObjective.tries_per_pass, lmwc_dask._block_sums = default, inner


def out_of_core(rows, path, iterations, client):
    """Write ``rows`` rows to a zarr store at ``path``, then fit from it on ``client``."""
    chunk = 100_000
    rng = da.random.RandomState(0)
    X = rng.uniform(-1, 1, (rows, N_FEATURES), chunks=(chunk, -1))
    y = da.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(rows, chunks=chunk)
    start = time.perf_counter()
    da.to_zarr(X, f"{path}/X.zarr", overwrite=True)
    da.to_zarr(y, f"{path}/y.zarr", overwrite=True)
    print(f"wrote {rows:.0e} rows in {rows // chunk} blocks to {path} in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    estimator = DaskLMWCRegressor(hidden_layer_sizes=(10,), topology="mlp", alpha=0.0,
                                  compression=None, tol=None, max_iter=iterations,
                                  random_state=0, client=client)
    per_iteration, peak, _ = timed_fit(estimator, da.from_zarr(f"{path}/X.zarr"),
                                       da.from_zarr(f"{path}/y.zarr"))
    print(f"{rows:>9.0e} | {'zarr, cluster':<13} | {per_iteration:>13.3f} | {peak:>15.1f}",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e5, 1e6])
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="2 iterations")
    parser.add_argument("--zarr", metavar="DIR", help="out of core, from a zarr store in DIR")
    parser.add_argument("--passes", action="store_true",
                        help="count passes over the data per iteration instead")
    args = parser.parse_args()
    if args.passes:
        return count_passes()
    iterations = 2 if args.smoke else args.iterations
    params = dict(hidden_layer_sizes=(10,), topology="mlp", alpha=0.0, compression=None,
                  tol=None, max_iter=iterations, random_state=0)
    print(f"MLP {N_FEATURES}-10-1 (101 weights), plain LM, {iterations} iterations, "
          f"{BLOCKS} row blocks, LocalCluster of {args.workers} single-thread processes")
    print(f"{'rows':>9} | {'mode':<13} | {'s / iteration':>13} | {'peak client MiB':>15} "
          f"| {'weights vs in-memory':>20}")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        if args.zarr:
            for rows in map(int, args.rows):
                out_of_core(rows, args.zarr, iterations, client)
            return
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
