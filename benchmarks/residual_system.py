"""The residuals' form of the damped system with one alpha per input (ARD on wide data).

``ResidualSpaceSystem`` (``sklearn_lmwc/_solve.py``) solves ``(J^T J + diag(c)) delta =
g`` through an R x R factorisation (R rows of J, fewer than its N weights). With few
distinct penalties it forms one product ``J_v J_v^T`` per penalty v once and sums them
per damping; past ``MAX_GRAMS`` distinct penalties it forms one product of the scaled J
per damping. This script times an iteration's work of both (the system, two damping
tries, the inverse diagonal that ARD's re-estimation reads) on the Jacobian of a bridged
network of 10 tanh neurons over d inputs (one group per input, plus hidden-to-output
and biases), in one run, on one BLAS thread, and checks that both give the same step.

    python benchmarks/residual_system.py            # the table, under a minute
    python benchmarks/residual_system.py --smoke    # small shapes, a second
    python benchmarks/residual_system.py --out benchmarks/results/residual_system.md
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import sklearn_lmwc._solve as solve

CASES = ((750, 100), (750, 250), (1500, 250))  # (rows, inputs)
SMOKE = ((40, 5), (40, 12))
HIDDEN = 10


def iteration(J, g, penalty):
    """Seconds of one iteration's work on the system, its step and inverse diagonal."""
    start = time.perf_counter()
    system = solve.ResidualSpaceSystem(J, g, penalty)
    for mu in (1e-3, 1e-2):  # two tries, as the cost model assumes (_costs._TRIES)
        step = system.solve(mu)
    diagonal = system.inverse_diagonal(1e-3)
    return time.perf_counter() - start, step, diagonal


def measure(rows, inputs, rng):
    """One table row: both ways' seconds on the same J, and their largest difference."""
    fan_out = HIDDEN + 1  # an input feeds every hidden neuron and the bridged output
    N = inputs * fan_out + HIDDEN + HIDDEN + 1
    J, g = rng.normal(size=(rows, N)), rng.normal(size=N)
    groups = np.r_[np.repeat(np.arange(inputs), fan_out), np.full(HIDDEN, inputs),
                   np.full(HIDDEN + 1, inputs + 1)]
    penalty = rng.uniform(0.01, 10.0, inputs + 2)[groups]
    kept = solve.MAX_GRAMS
    try:
        solve.MAX_GRAMS = np.inf  # one product per penalty, however many
        per_penalty = iteration(J, g, penalty)
        solve.MAX_GRAMS = kept
        scaled = iteration(J, g, penalty)
    finally:
        solve.MAX_GRAMS = kept
    step_error = np.max(np.abs(per_penalty[1] - scaled[1])) / np.max(np.abs(scaled[1]))
    return rows, inputs, N, inputs + 2, per_penalty[0], scaled[0], step_error


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small shapes")
    parser.add_argument("--out", help="write the table (markdown) here")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    lines = ["| rows | inputs | weights | penalties | per penalty s | scaled product s | "
             "ratio | step difference |", "|---|---|---|---|---|---|---|---|"]
    with threadpool_limits(limits=1, user_api="blas"):
        for rows, inputs in SMOKE if args.smoke else CASES:
            R, d, N, G, a, b, error = measure(rows, inputs, rng)
            lines.append(f"| {R} | {d} | {N} | {G} | {a:.3g} | {b:.3g} | {a / b:.1f} | "
                         f"{error:.1e} |")
            print(lines[-1], flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    return lines


if __name__ == "__main__":
    main()
