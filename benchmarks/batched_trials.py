"""Many random starts of a small network in one fit: ``n_init`` trials run as a batch.

For three problems of the paper (``benchmarks/paper.py``'s settings, trained by LM-WC:
``compression="adaptive"``, ``topology="fcc"``, ``init="uniform"``, ``tol=None``,
``alpha=0``, ``n_jobs=1``, one BLAS thread) it measures the wall time of

- one trial: the median of ``--trials`` fits with ``n_init=1`` (``random_state = 0, 1,
  ...``), which together are also
- the trials one by one: those fits' summed time, the cost of the starts without batching;
- the trials as a batch: one fit with ``n_init=--trials``, ``random_state=0`` (the median
  of ``--repeats`` such fits),

and writes a markdown table (printed too) and the raw numbers as JSON:
``batched_trials.md`` and ``batched_trials.json`` in ``--out``. The ratio batch / one
trial is what a batch of starts costs in units of one start (the target is <= 4 for 32
trials); one by one / batch is the speed-up from batching. The successes (training RMSE
<= goal on the [-1, 1] targets) of the batch's trials come from its ``init_results_``,
those of the separate fits from their models.

    python benchmarks/batched_trials.py           # 32 trials, about 2 minutes on 2 cores
    python benchmarks/batched_trials.py --smoke   # 4 trials of at most 20 iterations
"""

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_parity, make_two_spirals

SMOKE_TRIALS, SMOKE_ITER = 4, 20


@dataclass(frozen=True)
class Problem:
    key: str  # the key of the same setting in benchmarks/paper.py
    name: str
    data: callable  # () -> (X, y), both in [-1, 1]
    hidden: int  # FCC hidden neurons
    goal: float  # training RMSE on the [-1, 1] targets
    max_iter: int
    beta: float  # stall threshold


# as in benchmarks/paper.py's SETTINGS (tests/test_benchmarks.py checks it)
PROBLEMS = [
    Problem("spiral", "two-spiral (194 points)", make_two_spirals, 9, 0.1, 1000, 1e-4),
    Problem("parity5-2", "parity-5 full (32 points)", lambda: make_parity(5), 2, 0.1, 100,
            1e-3),
    Problem("parity7-summed", "parity-7 summed (8 points)",
            lambda: make_parity(7, summed=True), 2, 0.1, 100, 1e-2),
]


def make_estimator(problem, y, n_init, random_state, smoke):
    # the regressor's goal is on standardised targets; rescale it to the raw RMSE
    return LMWCRegressor(
        hidden_layer_sizes=(problem.hidden,), topology="fcc", activation="tanh",
        init="uniform", compression="adaptive", trigger="stall", beta=problem.beta,
        omega=0.1, rho=1.1, goal=problem.goal / y.std(), tol=None, alpha=0.0,
        max_iter=min(problem.max_iter, SMOKE_ITER) if smoke else problem.max_iter,
        n_init=n_init, n_jobs=1, random_state=random_state)


def timed_fit(est, X, y):
    """Fit est; returns the wall time in seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # failed trials warn
        start = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - start


def measure(problem, n_trials, repeats, smoke):
    """The timings and successes of one problem (a dict, one row of the table)."""
    X, y = problem.data()
    threshold = problem.goal * (1 + 1e-9)
    single, single_won = [], 0
    for random_state in range(n_trials):
        est = make_estimator(problem, y, 1, random_state, smoke)
        single.append(timed_fit(est, X, y))
        single_won += bool(np.sqrt(np.mean((est.predict(X) - y) ** 2)) <= threshold)
    batch = []
    for _ in range(repeats):
        est = make_estimator(problem, y, n_trials, 0, smoke)
        batch.append(timed_fit(est, X, y))
    res = est.init_results_
    # alpha=0: a trial's loss is the mean squared error on the standardised targets
    rmse = np.sqrt(np.asarray(res["loss"], dtype=float)) * y.std()
    n_weights = (sum(W.size for W in est.coefs_) + sum(b.size for b in est.intercepts_))
    one, batched = statistics.median(single), statistics.median(batch)
    return dict(
        key=problem.key, problem=f"{problem.name}, FCC {problem.hidden}",
        n_weights=int(n_weights), n_samples=int(X.shape[0]), n_trials=n_trials,
        max_iter=est.max_iter, one_trial_s=one, batch_s=batched, ratio=batched / one,
        one_by_one_s=sum(single), speedup=sum(single) / batched,
        batch_successes=int(np.sum(rmse <= threshold)),
        batch_converged=int(np.sum(res["converged"])),
        one_by_one_successes=int(single_won), single_times_s=single, batch_times_s=batch,
        batch_trial_iterations=[int(n) for n in res["n_iter"]])


HEADER = ["problem", "N weights", "one trial s", "{n} trials s (one fit)", "ratio",
          "{n} one by one s", "speed-up", "successes (batch)", "successes (one by one)"]


def markdown(rows, args, n_trials, repeats, wall):
    header = [h.format(n=n_trials) for h in HEADER]
    lines = [
        f"# {n_trials} random starts in one fit (n_init={n_trials}) vs one start"
        + (" — SMOKE RUN" if args.smoke else ""),
        "",
        f"`{shlex.join(['python', 'benchmarks/batched_trials.py', *args.argv])}`: "
        f"{wall:.0f} s wall on {os.cpu_count()} CPUs (shared), one process, one BLAS "
        f"thread (Python {platform.python_version()}, {platform.machine()}).",
        "",
        "LM-WC as in `benchmarks/paper.py`: FCC of tanh neurons with a linear output, "
        "weights U[-1, 1], compression=\"adaptive\", trigger=\"stall\", omega=0.1, "
        "rho=1.1, tol=None, alpha=0, n_jobs=1, the setting's goal (RMSE 0.1 on the "
        "[-1, 1] targets), beta and max_iter"
        + (f" (capped at {SMOKE_ITER})" if args.smoke else "") + ". "
        f"'one trial': the median time of {n_trials} fits with n_init=1 (random_state "
        f"0–{n_trials - 1}); '{n_trials} one by one': their summed time; "
        f"'{n_trials} trials (one fit)': a fit with n_init={n_trials}, random_state=0, "
        f"whose trials run as a batch (median of {repeats} fits); 'ratio': "
        "batch / one trial (target <= 4); 'speed-up': one by one / batch. Successes: "
        "trials with training RMSE <= goal, from the batch's init_results_ and from the "
        "separate fits (different random starts, so equal only within noise).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join([
            r["problem"], str(r["n_weights"]), f"{r['one_trial_s']:.3f}",
            f"{r['batch_s']:.3f}", f"{r['ratio']:.2f}", f"{r['one_by_one_s']:.2f}",
            f"{r['speedup']:.1f}x", f"{r['batch_successes']}/{n_trials}",
            f"{r['one_by_one_successes']}/{n_trials}"]) + " |")
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=None,
                        help=f"n_init of the batched fit, and separate fits (default 32; "
                             f"{SMOKE_TRIALS} with --smoke)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="batched fits timed, the median kept (default 3; 1 with "
                             "--smoke)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_TRIALS} trials of at most {SMOKE_ITER} iterations: "
                             "checks the pipeline")
    parser.add_argument("--problems", nargs="+", choices=[p.key for p in PROBLEMS],
                        default=None, help="run only these problems")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results",
                        help="output directory (default benchmarks/results/)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def main(argv=None):
    args = parse_args(argv)
    n_trials = args.trials or (SMOKE_TRIALS if args.smoke else 32)
    repeats = args.repeats or (1 if args.smoke else 3)
    problems = [p for p in PROBLEMS if args.problems is None or p.key in args.problems]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"batched_trials{'_smoke' if args.smoke else ''}"
    start = time.perf_counter()
    # the matrices are tiny: threaded BLAS on them is slower than serial
    with threadpool_limits(1):
        rows = [measure(p, n_trials, repeats, args.smoke) for p in problems]
    wall = time.perf_counter() - start
    text = markdown(rows, args, n_trials, repeats, wall)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(dict(
        command=["python", "benchmarks/batched_trials.py", *args.argv], wall_s=wall,
        cpus=os.cpu_count(), python=platform.python_version(), n_trials=n_trials,
        repeats=repeats, rows=rows), indent=1) + "\n", encoding="utf-8")
    print(text)
    print(f"wrote {stem}.md, .json")
    return rows


if __name__ == "__main__":
    main()
