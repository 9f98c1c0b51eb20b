"""Seconds per LM iteration against the bare J^T J product, and peak memory.

For P in {1e3, 1e4, 1e5} samples of 8 inputs and an MLP (24, 24) with one output:
the time of one LM iteration of LMWCRegressor (plain LM, so every iteration is
alike), the time of ``J.T @ J`` for a random J of the same shape (the BLAS work
no LM implementation can avoid), their ratio (goal <= 1.5 at P >= 1e4), and the
peak memory a fit allocates beyond the data, traced with tracemalloc (goal: flat
in P). Measured in one run, so the ratios compare like with like.

    python benchmarks/lm_speed.py            # P = 1e3, 1e4, 1e5
    python benchmarks/lm_speed.py --smoke    # P = 1e3 only, a few seconds
"""

import argparse
import time
import tracemalloc

import numpy as np

from sklearn_lmwc import LMWCRegressor

HIDDEN = (24, 24)


def data(P, rng):
    X = rng.uniform(-1, 1, (P, 8))
    return X, np.sin(X @ rng.normal(size=8)) + 0.1 * rng.normal(size=P)


def model(max_iter):
    return LMWCRegressor(hidden_layer_sizes=HIDDEN, compression=None, tol=None,
                         max_iter=max_iter, random_state=0)


def seconds_per_iteration(X, y, iterations):
    model(1).fit(X, y)  # warm-up: imports, BLAS threads
    start = time.perf_counter()
    est = model(iterations).fit(X, y)
    return (time.perf_counter() - start) / est.n_iter_, est


def seconds_per_gram(P, n_weights, rng, repeat=3):
    J = rng.normal(size=(P, n_weights))
    start = time.perf_counter()
    for _ in range(repeat):
        J.T @ J
    return (time.perf_counter() - start) / repeat


def peak_mib(X, y):
    tracemalloc.start()
    model(2).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="P = 1e3 only")
    parser.add_argument("--iterations", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    sizes = [1_000] if args.smoke else [1_000, 10_000, 100_000]
    print(f"MLP {HIDDEN}, 8 inputs, 1 output\n")
    print("| P | weights | ms / LM iteration | ms / J^T J | ratio | data MiB | peak MiB beyond data |")
    print("|---|---|---|---|---|---|---|")
    for P in sizes:
        X, y = data(P, rng)
        per_iter, est = seconds_per_iteration(X, y, args.iterations)
        n_weights = sum(c.size for c in est.coefs_) + sum(b.size for b in est.intercepts_)
        gram = seconds_per_gram(P, n_weights, rng)
        print(f"| {P} | {n_weights} | {per_iter * 1e3:.1f} | {gram * 1e3:.1f} | "
              f"{per_iter / gram:.2f} | {(X.nbytes + y.nbytes) / 2**20:.1f} | "
              f"{peak_mib(X, y):.1f} |", flush=True)


if __name__ == "__main__":
    main()
