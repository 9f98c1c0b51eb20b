"""Seconds per LM iteration against the floor, and against other LM implementations.

For each case, the median time of one LM iteration of this project (plain LM without
penalty, as the peers run it, so every iteration is alike, through the estimators) and
of its floor, one numpy ``A.T @ A`` of the Jacobian's shape (P samples x N weights: the
BLAS work no single-output LM can avoid), measured in the same run at 1 and 2 BLAS
threads (threadpoolctl). Peers, when installed (``pip install sklearn-lmwc[peers]``),
run the same network on the same data in the same run: torch-levenberg-marquardt (CPU
torch) and pyrenn; a peer that is not installed is skipped with a note.

Cases: S, M and L are single-output regressions (MLP 8-20-1 on 2e3 and 2e4 samples,
MLP 8-30-30-1 on 2e4); "10-class" a softmax classifier with 10 outputs; "R < N" the
setting of scikit-learn's MLP tests (50 hidden neurons, 150 digits of 3 classes, more
weights than residuals); "FCC-9 spiral" the paper's two-spiral network, alone and as
32 trials of one fit (``n_init=32``, run together: seconds per trial iteration).

    python benchmarks/lm_speed.py              # the table, a few minutes
    python benchmarks/lm_speed.py --smoke      # small shapes, a few seconds
    python benchmarks/lm_speed.py --out benchmarks/results/lm_speed.md
"""

import argparse
import platform
import time
from dataclasses import dataclass
from importlib.util import find_spec

import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc.datasets import make_two_spirals


@dataclass
class Case:
    name: str
    X: np.ndarray
    y: np.ndarray
    hidden: tuple
    topology: str = "mlp"
    classifier: bool = False
    n_init: int = 1  # trials per fit; > 1: run together, timed per trial iteration


def _regression(P, hidden, rng, name):
    X = rng.uniform(-1, 1, (P, 8))
    y = np.sin(X @ rng.normal(size=8)) + 0.1 * rng.normal(size=P)
    return Case(name, X, y, hidden)


def cases(smoke, rng):
    scale = 10 if smoke else 1
    X10 = rng.normal(size=(5000 // scale, 64))
    y10 = (X10 @ rng.normal(size=(64, 10))).argmax(axis=1)
    X3, y3 = load_digits(n_class=3, return_X_y=True)
    X_spiral, y_spiral = make_two_spirals()
    return [
        _regression(2000 // scale, (20,), rng, "S: MLP 8-20-1, P=2e3"),
        _regression(20000 // scale, (20,), rng, "M: MLP 8-20-1, P=2e4"),
        _regression(20000 // scale, (30, 30), rng, "L: MLP 8-30-30-1, P=2e4"),
        Case("10-class: MLP 64-24-10, P=5e3", X10, y10, (24,), classifier=True),
        Case("R < N: MLP 64-50-3, 150 digits", MinMaxScaler().fit_transform(X3[:150]),
             y3[:150], (50,), classifier=True),
        Case("FCC-9 two-spiral, P=194", X_spiral, y_spiral, (9,), "fcc"),
        Case("FCC-9 two-spiral, 32 trials together", X_spiral, y_spiral, (9,), "fcc",
             n_init=32),
    ]


def median_seconds(run, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        n = run()
        times.append((time.perf_counter() - start) / n)
    return float(np.median(times))


def ours(case, iterations, repeat):
    """Seconds per iteration (fits of ``iterations`` and of 1 iteration differenced,
    so that set-up does not count; per trial iteration with ``n_init`` > 1) and the
    number of weights."""
    Estimator = LMWCClassifier if case.classifier else LMWCRegressor

    def fit(max_iter):
        return Estimator(hidden_layer_sizes=case.hidden, topology=case.topology,
                         compression=None, tol=None, alpha=0.0, max_iter=max_iter,
                         n_init=case.n_init, random_state=0).fit(case.X, case.y)

    def seconds(max_iter):
        start = time.perf_counter()
        est = fit(max_iter)
        return time.perf_counter() - start, est.n_iter_

    est = fit(1)  # warm-up: imports, BLAS threads
    n_weights = sum(c.size for c in est.coefs_) + sum(b.size for b in est.intercepts_)
    per_iteration = []
    for _ in range(repeat):
        (long, n), (short, _) = seconds(iterations), seconds(1)
        per_iteration.append((long - short) / max(n - 1, 1) / case.n_init)
    return float(np.median(per_iteration)), n_weights


def floor(P, N, repeat, rng):
    A = rng.normal(size=(P, N))
    return median_seconds(lambda: (A.T @ A, 1)[1], repeat)


def _targets(case):
    if case.classifier:
        return np.eye(case.y.max() + 1)[case.y]
    return case.y.reshape(-1, 1)


def torch_lm(case, iterations, repeat, threads):
    """torch-levenberg-marquardt's training step on the same network (tanh, MSE)."""
    import torch
    import torch_levenberg_marquardt as tlm

    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(threads)
    X = torch.as_tensor(case.X)
    Y = torch.as_tensor(_targets(case), dtype=torch.float64)
    if case.topology != "mlp":
        return None
    sizes = [X.shape[1], *case.hidden, Y.shape[1]]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1])
    module = tlm.training.LevenbergMarquardtModule(model=model, loss_fn=tlm.loss.MSELoss())

    def run():
        for _ in range(iterations):
            module.training_step(X, Y)
        return iterations

    run()
    return median_seconds(run, repeat)


def pyrenn_lm(case, iterations, repeat, threads):
    """pyrenn's ``train_LM`` on the same MLP."""
    import pyrenn

    if case.topology != "mlp":
        return None
    P, Y = case.X.T, _targets(case).T
    sizes = [P.shape[0], *case.hidden, Y.shape[0]]

    def run():
        net = pyrenn.CreateNN(sizes)
        pyrenn.train_LM(P, Y, net, k_max=iterations, E_stop=0.0, verbose=False)
        return iterations

    return median_seconds(run, repeat)


PEERS = {"torch-levenberg-marquardt": torch_lm, "pyrenn": pyrenn_lm}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small shapes, seconds")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="also write the table to this markdown file")
    args = parser.parse_args()
    iterations = 2 if args.smoke else args.iterations
    repeat = 1 if args.smoke else args.repeat
    rng = np.random.default_rng(0)
    peers, notes = {}, []
    for name, run in PEERS.items():
        if find_spec(name.replace("-", "_")) is None:
            notes.append(f"{name} is not installed: skipped.")
        else:
            peers[name] = run
    if args.smoke:
        peers = {}
        notes.append("--smoke: peers skipped, shapes divided by 10.")
    header = ["case", "N", "BLAS threads", "floor s", "s / iteration", "ratio to floor"]
    header += [f"{name} s / iteration" for name in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    print("\n".join(lines), flush=True)
    for case in cases(args.smoke, rng):
        for threads in (1, 2):
            with threadpool_limits(limits=threads, user_api="blas"):
                seconds, n_weights = ours(case, iterations, repeat)
                base = floor(len(case.X), n_weights, max(repeat, 3), rng)
                row = [case.name, str(n_weights), str(threads), f"{base:.4f}",
                       f"{seconds:.4f}", f"{seconds / base:.2f}"]
                for run in peers.values():
                    try:
                        # peers are slower: fewer iterations, one repeat
                        peer = run(case, min(iterations, 3), 1, threads)
                    except Exception as exc:  # a peer's failure is a note, not a crash
                        notes.append(f"{run.__name__} on {case.name}: {exc!r}")
                        peer = None
                    row.append("n/a" if peer is None else f"{peer:.4f}")
            line = "| " + " | ".join(row) + " |"
            lines.append(line)
            print(line, flush=True)
    lines += ["", f"Python {platform.python_version()}, numpy {np.__version__}, "
              f"{iterations} iterations x {repeat} repeats (median)."] + notes
    for note in notes:
        print(note)
    if args.out:
        with open(args.out, "w") as f:
            f.write("# Seconds per LM iteration (`benchmarks/lm_speed.py`)\n\n")
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
