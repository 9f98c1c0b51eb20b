"""What a full-batch first-order epoch costs, against one forward and backward pass.

An epoch is one gradient pass and one value pass (the objective at the new weights,
which the goal, the policy and the monitor see); the value pass keeps its forward state
and the next epoch's gradient pass starts from it, so an epoch should cost about one
forward and one backward pass. Measured per problem (one BLAS thread):

- ``pass``: ``Objective.gradient(w)`` from scratch (forward and backward), best of 5;
- ``epoch (run)``: ``first_order_run`` alone (no policy, no monitor), per epoch, best
  of 3 runs;
- ``epoch (fit)``: ``LMWCRegressor(solver="sgd", batch_size=n).fit`` per epoch, with
  the monitor (saturation curve) and everything else a fit does, best of 3 fits.

    python benchmarks/first_order_epoch.py            # writes results/first_order_epoch.md
"""

import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc._compression import NoPolicy
from sklearn_lmwc._first_order import Momentum, Schedule, first_order_run
from sklearn_lmwc._loop import serve
from sklearn_lmwc._losses import SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective

# (samples, features, hidden, topology, outputs)
PROBLEMS = [(2000, 10, (10,), "bmlp", 1), (20000, 10, (10,), "bmlp", 1),
            (20000, 20, (32, 16), "mlp", 1), (5000, 8, (6,), "fcc", 3)]
EPOCHS = 30


def measure(n, d, hidden, topology, outputs):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, d))
    Y = np.tanh(X[:, :outputs] + 0.1 * rng.normal(size=(n, outputs)))
    network = Network(d, hidden, outputs, topology, "tanh")
    w = rng.uniform(-0.5, 0.5, network.n_weights)
    objective = Objective(network, SquaredError(), X, Y)
    objective.passes.keep_states = True  # as a trial served alone

    def best(function, repeats=5):
        times = []
        for _ in range(repeats):
            objective.close()
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return min(times)

    one_pass = best(lambda: objective.gradient(w))
    start = objective.start(w)
    run_epoch = best(lambda: serve(first_order_run(
        objective, start, NoPolicy(), rule=Momentum(0.9, True),
        schedule=Schedule("constant", 1e-3), max_iter=EPOCHS)), 3) / EPOCHS
    est = LMWCRegressor(hidden, topology=topology, solver="sgd", batch_size=n,
                        compression=None, tol=None, max_iter=EPOCHS, random_state=0)
    fit_epoch = best(lambda: est.fit(X, Y if outputs > 1 else Y.ravel()), 3) / EPOCHS
    return one_pass, run_epoch, fit_epoch


def main():
    lines = ["| samples | features | hidden | topology | outputs | pass (ms) | "
             "epoch, run (ms) | ratio | epoch, fit (ms) | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    with threadpool_limits(1):
        for problem in PROBLEMS:
            one_pass, run_epoch, fit_epoch = measure(*problem)
            n, d, hidden, topology, outputs = problem
            lines.append(f"| {n} | {d} | {hidden} | {topology} | {outputs} | "
                         f"{1e3 * one_pass:.2f} | {1e3 * run_epoch:.2f} | "
                         f"{run_epoch / one_pass:.2f} | {1e3 * fit_epoch:.2f} | "
                         f"{fit_epoch / one_pass:.2f} |")
            print(lines[-1], flush=True)
    text = ("# Full-batch first-order epoch against one forward and backward pass\n\n"
            "`python benchmarks/first_order_epoch.py`, one BLAS thread; ratio: epoch "
            "over the pass.\n\n" + "\n".join(lines) + "\n")
    out = Path(__file__).resolve().parent / "results" / "first_order_epoch.md"
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
