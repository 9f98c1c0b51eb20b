"""The experiments of Smith, Wu & Wilamowski (IEEE TNNLS 2019): LM, LM-RR and LM-WC.

Every setting (DESIGN section 4 plus full parity and the peaks surface) is trained from
``--seeds`` random starts (``random_state = 0, 1, ...``) by

- ``LM``: plain Levenberg-Marquardt (``compression=None``),
- ``LM-RR``: LM with random restarts on a stall (``compression="restart"``),
- ``LM-WC``: LM with adaptable weight compression (``compression="adaptive"``),

all on a fully connected cascade (FCC) of tanh neurons with a linear output, weights
U[-1, 1], ``trigger="stall"``, ``omega=0.1``, ``rho=1.1``, ``tol=None``; and, as a
reference, scikit-learn's ``MLPRegressor`` (one hidden layer with as many tanh neurons,
``lbfgs`` and ``adam``). Inputs and targets lie in [-1, 1]. A trial succeeds when its
training RMSE on those targets is <= the setting's goal.

Per setting and method: the success rate with a 95% Wilson interval, the mean iterations
and seconds of the successful trials, the seconds spent per success (all trials' time
divided by the successes) and the mean compressions (restarts for LM-RR) per trial.
Writes ``paper_<statistic>.md`` (printed too), ``paper_<statistic>.csv`` (the same table),
``paper_<statistic>_trials.csv`` (one row per trial) and ``paper_<statistic>.png`` (skipped
without matplotlib) into ``--out``; ``--smoke`` runs 2 seeds with capped iterations and
adds ``_smoke`` to the names.

    python benchmarks/paper.py                            # 100 seeds, net_statistic="mean"
    python benchmarks/paper.py --net-statistic authors    # the authors' statistic
    python benchmarks/paper.py --net-statistic authors \
        --reuse benchmarks/results/paper_mean_trials.csv  # rerun LM-WC only
    python benchmarks/paper.py --seeds 20 --settings spiral peaks-5
    python benchmarks/paper.py --smoke                    # < 1 minute
"""

import argparse
import csv
import math
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_parity, make_peaks, make_two_spirals

PEAKS_SAMPLES = 100  # make_peaks(100, random_state=0): x, y uniform on [-3, 3]^2
MLP_ITER_FACTOR = 10  # MLP iterations are far cheaper than LM's, so give them 10x as many
SMOKE_SEEDS, SMOKE_LM_ITER, SMOKE_MLP_ITER = 2, 20, 50


def _peaks():
    X, y = make_peaks(PEAKS_SAMPLES, random_state=0)
    return X / 3.0, 2.0 * (y - y.min()) / (y.max() - y.min()) - 1.0


@dataclass(frozen=True)
class Setting:
    key: str
    name: str
    data: callable  # () -> (X, y), both in [-1, 1]
    hidden: int  # FCC hidden neurons (and the MLP's one hidden layer)
    goal: float  # training RMSE on the [-1, 1] targets
    max_iter: int
    beta: float  # stall threshold


SETTINGS = [
    # DESIGN section 4, the paper's rows
    Setting("parity7-summed", "parity-7 summed (8 points)",
            lambda: make_parity(7, summed=True), 2, 0.1, 100, 1e-2),
    Setting("spiral", "two-spiral (194 points)", make_two_spirals, 9, 0.1, 1000, 1e-4),
    # full parity: every bipolar pattern, 100 iterations and beta 1e-3 as in the
    # authors' runs on full parity-7 quoted in DESIGN section 1
    Setting("parity5-2", "parity-5 full (32 points)", lambda: make_parity(5), 2, 0.1, 100,
            1e-3),
    Setting("parity5-3", "parity-5 full (32 points)", lambda: make_parity(5), 3, 0.1, 100,
            1e-3),
    Setting("parity7-2", "parity-7 full (128 points)", lambda: make_parity(7), 2, 0.1, 100,
            1e-3),
    Setting("parity7-3", "parity-7 full (128 points)", lambda: make_parity(7), 3, 0.1, 100,
            1e-3),
    # MATLAB's peaks surface, a smooth regression problem
    *(Setting(f"peaks-{k}", f"peaks ({PEAKS_SAMPLES} points)", _peaks, k, 0.1, 1000, 1e-4)
      for k in (4, 5, 6)),
]

LM_METHODS = {"LM": None, "LM-RR": "restart", "LM-WC": "adaptive"}
MLP_METHODS = {"MLP lbfgs": "lbfgs", "MLP adam": "adam"}
METHODS = [*LM_METHODS, *MLP_METHODS]


def lm_max_iter(setting, smoke):
    return min(setting.max_iter, SMOKE_LM_ITER) if smoke else setting.max_iter


def make_estimator(setting, method, seed, y, net_statistic, smoke):
    if method in LM_METHODS:
        # the regressor's goal is on standardised targets; rescale it to the raw RMSE
        return LMWCRegressor(
            hidden_layer_sizes=(setting.hidden,), topology="fcc", activation="tanh",
            init="uniform", compression=LM_METHODS[method], trigger="stall",
            beta=setting.beta, omega=0.1, rho=1.1, net_statistic=net_statistic,
            goal=setting.goal / y.std(), tol=None,
            max_iter=lm_max_iter(setting, smoke), random_state=seed)
    max_iter = SMOKE_MLP_ITER if smoke else MLP_ITER_FACTOR * setting.max_iter
    extra = (dict(max_fun=2 * max_iter) if method == "MLP lbfgs" else
             # no early stop on a plateau: the whole budget is used, like LM's max_iter
             dict(learning_rate_init=0.01, n_iter_no_change=max_iter))
    return MLPRegressor(hidden_layer_sizes=(setting.hidden,), activation="tanh",
                        solver=MLP_METHODS[method], alpha=0.0, tol=0.0, max_iter=max_iter,
                        random_state=seed, **extra)


def run_trial(setting, method, seed, net_statistic, smoke):
    """One fit; returns its record (a dict, one row of the trials file)."""
    X, y = setting.data()
    est = make_estimator(setting, method, seed, y, net_statistic, smoke)
    # One BLAS thread per trial: the matrices are tiny, and threaded BLAS on them is
    # several times slower than serial (the parallelism is over seeds instead).
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # failed trials warn
        start = time.perf_counter()
        est.fit(X, y)
        seconds = time.perf_counter() - start
    rmse = float(np.sqrt(np.mean((est.predict(X) - y) ** 2)))
    return dict(setting=setting.key, method=method, seed=seed,
                success=rmse <= setting.goal * (1 + 1e-9), rmse=rmse, n_iter=est.n_iter_,
                seconds=seconds, n_compressions=getattr(est, "n_compressions_", None))


def wilson(successes, n, z=1.959964):
    """95% Wilson score interval of a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def summarize(trials, settings, methods):
    rows = []
    for setting in settings:
        for method in methods:
            mine = [t for t in trials if t["setting"] == setting.key and t["method"] == method]
            won = [t for t in mine if t["success"]]
            lo, hi = wilson(len(won), len(mine))
            compressions = [t["n_compressions"] for t in mine if t["n_compressions"] is not None]
            rows.append(dict(
                setting=setting, method=method, n=len(mine), successes=len(won),
                rate=len(won) / len(mine), lo=lo, hi=hi,
                iterations=np.mean([t["n_iter"] for t in won]) if won else None,
                seconds=np.mean([t["seconds"] for t in won]) if won else None,
                per_success=sum(t["seconds"] for t in mine) / len(won) if won else None,
                compressions=np.mean(compressions) if compressions else None))
    return rows


def _fmt(value, spec):
    return "—" if value is None else format(value, spec)


TABLE_HEADER = ["data", "network", "goal", "max it", "beta", "method", "success",
                "95% CI", "iterations (succ.)", "s (succ.)", "s per success",
                "compressions"]


def table_cells(row, smoke=False):
    s = row["setting"]
    beta = f"{s.beta:.0e}".replace("e-0", "e-")
    return [s.name, f"FCC {s.hidden}", f"{s.goal:g}", str(lm_max_iter(s, smoke)), beta,
            row["method"], f"{row['successes']}/{row['n']} ({row['rate']:.0%})",
            f"{row['lo']:.0%}–{row['hi']:.0%}", _fmt(row["iterations"], ".0f"),
            _fmt(row["seconds"], ".3f"), _fmt(row["per_success"], ".3f"),
            _fmt(row["compressions"], ".1f")]


def markdown(rows, args, n_seeds, wall, n_reused=0):
    lines = [
        f"# LM, LM-RR and LM-WC on the paper's benchmarks "
        f"(net_statistic=\"{args.net_statistic}\"){' — SMOKE RUN' if args.smoke else ''}",
        "",
        f"`{' '.join(['python', 'benchmarks/paper.py', *args.argv])}`: {n_seeds} seeds "
        f"(random_state 0–{n_seeds - 1}) per row, net_statistic=\"{args.net_statistic}\" "
        f"for LM-WC's compression (LM and LM-RR do not use it). {wall:.0f} s wall on "
        f"{os.cpu_count()} CPUs, n_jobs={args.n_jobs}, one BLAS thread per trial "
        f"(Python {platform.python_version()}, {platform.machine()})"
        + (f"; the {n_reused} trials that do not depend on net_statistic (LM, LM-RR, MLP) "
           f"were taken from `{args.reuse.name}`, so their seconds were measured in that "
           "run." if n_reused else "."),
        "",
        "FCC of tanh neurons with a linear output, weights U[-1, 1], trigger=\"stall\", "
        "omega=0.1, rho=1.1, tol=None. Success: training RMSE on the [-1, 1] targets <= "
        "goal. MLP rows: scikit-learn's MLPRegressor with one hidden layer of as many tanh "
        f"neurons, alpha=0, {MLP_ITER_FACTOR}x the iterations (epochs for adam, "
        "learning_rate_init=0.01), no goal stop (so their seconds are the whole budget). "
        "Seconds are per fit; 's per success' is all trials' time over the successes.",
        "",
        "| " + " | ".join(TABLE_HEADER) + " |",
        "|" + "|".join("---" for _ in TABLE_HEADER) + "|",
    ]
    lines += ["| " + " | ".join(table_cells(row, args.smoke)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def load_trials(path):
    """The records of a trials file written by an earlier run."""
    with open(path, newline="", encoding="utf-8") as f:
        return [dict(setting=r["setting"], method=r["method"], seed=int(r["seed"]),
                     success=r["success"] == "True", rmse=float(r["rmse"]),
                     n_iter=int(r["n_iter"]), seconds=float(r["seconds"]),
                     n_compressions=int(r["n_compressions"]) if r["n_compressions"] else None)
                for r in csv.DictReader(f)]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def chart(rows, settings, methods, path, title):
    """Grouped bars of the success rates with their Wilson intervals."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no chart.")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 4.5), layout="constrained")
    width = 0.8 / len(methods)
    x = np.arange(len(settings))
    for i, method in enumerate(methods):
        mine = [r for r in rows if r["method"] == method]
        rate = np.array([r["rate"] for r in mine])
        err = np.array([[r["rate"] - r["lo"] for r in mine], [r["hi"] - r["rate"] for r in mine]])
        ax.bar(x + (i - (len(methods) - 1) / 2) * width, 100 * rate, width, yerr=100 * err,
               capsize=2, ecolor="0.35", error_kw=dict(linewidth=0.8), label=method)
    ax.set_xticks(x, [f"{s.name.split(' (')[0]}\nFCC {s.hidden}" for s in settings],
                  fontsize=8)
    ax.set_ylabel("success rate (%), 95% Wilson CI")
    ax.set_ylim(0, 105)
    ax.set_title(title)
    ax.legend(ncols=len(methods), fontsize=8, loc="upper left")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=None,
                        help="random starts per setting and method (default 100; 2 with "
                             "--smoke)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_SEEDS} seeds, at most {SMOKE_LM_ITER} LM and "
                             f"{SMOKE_MLP_ITER} MLP iterations: checks the pipeline")
    parser.add_argument("--n-jobs", type=int, default=-1,
                        help="joblib workers over the trials (default -1: all CPUs)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results",
                        help="output directory (default benchmarks/results/)")
    parser.add_argument("--net-statistic", choices=["mean", "authors"], default="mean",
                        help="LMWCRegressor's net_statistic for LM-WC")
    parser.add_argument("--settings", nargs="+", choices=[s.key for s in SETTINGS],
                        default=None, help="run only these settings")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=None,
                        help="run only these methods")
    parser.add_argument("--reuse", type=Path, default=None, metavar="TRIALS_CSV",
                        help="take the trials that do not depend on net_statistic (LM, "
                             "LM-RR, MLP) from this trials file of an earlier run with the "
                             "same settings, and run only the others")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def main(argv=None):
    args = parse_args(argv)
    n_seeds = args.seeds or (SMOKE_SEEDS if args.smoke else 100)
    settings = [s for s in SETTINGS if args.settings is None or s.key in args.settings]
    methods = [m for m in METHODS if args.methods is None or m in args.methods]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"paper_{args.net_statistic}{'_smoke' if args.smoke else ''}"

    jobs = [(setting, method, seed)
            for setting in settings for method in methods for seed in range(n_seeds)]
    reused = {}
    if args.reuse is not None:
        # only LM-WC reads net_statistic; the other trials are the same in every run
        reused = {(t["setting"], t["method"], t["seed"]): t for t in load_trials(args.reuse)
                  if t["method"] != "LM-WC"}
    todo = [job for job in jobs if (job[0].key, job[1], job[2]) not in reused]
    start = time.perf_counter()
    fresh = iter(Parallel(n_jobs=args.n_jobs)(
        delayed(run_trial)(setting, method, seed, args.net_statistic, args.smoke)
        for setting, method, seed in todo))
    wall = time.perf_counter() - start
    trials = [reused.get((setting.key, method, seed)) or next(fresh)
              for setting, method, seed in jobs]

    rows = summarize(trials, settings, methods)
    text = markdown(rows, args, n_seeds, wall, n_reused=len(jobs) - len(todo))
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    write_csv(stem.with_suffix(".csv"), TABLE_HEADER, [table_cells(r, args.smoke) for r in rows])
    write_csv(f"{stem}_trials.csv", list(trials[0]), [list(t.values()) for t in trials])
    print(text)
    png = chart(rows, settings, methods, stem.with_suffix(".png"),
                f"Success over {n_seeds} seeds (net_statistic=\"{args.net_statistic}\")")
    print(f"wrote {stem}.md, .csv, _trials.csv{', .png' if png else ''}")
    return rows


if __name__ == "__main__":
    main()
