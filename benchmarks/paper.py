"""The experiments of Smith, Wu & Wilamowski (IEEE TNNLS 2019): LM, LM-RR and LM-WC,
and the same policies on first-order training.

Every setting (the paper's, plus full parity and the peaks surface: docs/benchmarks.rst,
Setup) is trained from ``--seeds`` random starts by

- ``LM``: plain Levenberg-Marquardt (``compression=None``),
- ``LM-RR``: LM with random restarts on a stall (``compression="restart"``),
- ``LM-WC``: LM with adaptable weight compression (``compression="adaptive"``),
- ``EBP``, ``EBP-RR``, ``EBP-WC``: the authors' error backpropagation
  (``solver="ebp"``: full-batch gradient descent with momentum on the summed error, their
  settings, docs/benchmarks.rst, First-order training), plain, with restarts and with
  compression, on the first-order stall trigger (``beta`` over a window of epochs),
  ``--fo-epochs`` epochs (by default 20 per LM iteration of the setting);
- ``Adam``, ``Adam-RR``, ``Adam-WC``: the same with ``solver="adam"``,

all on a fully connected cascade (FCC) of tanh neurons with a linear output, weights
U[-1, 1], ``trigger="stall"``, ``omega=0.1``, ``rho=1.1``, ``tol=None``; and, as a
reference, scikit-learn's ``MLPRegressor`` (one hidden layer with as many tanh neurons,
``lbfgs`` and ``adam``). Inputs and targets lie in [-1, 1]. A trial succeeds when its
training RMSE on those targets is <= the setting's goal.

The random starts of an LM row (setting and method) run as ONE fit with
``n_init=--seeds``, ``random_state=0`` and ``n_jobs=1``, whose trials advance together
(the batched engine); its ``init_results_`` gives every trial's loss, iterations,
compressions and seconds (the fit's wall time shared among its trials). The three LM
methods draw the same trial seeds, so trial k of LM, LM-RR and LM-WC starts from the same
weights; in the trials file an LM trial's ``seed`` is its number k = 0, 1, ... in that
fit. The MLP rows are one fit per seed (``random_state = seed``). joblib runs the LM fits
in parallel (longest first), then the MLP fits.

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
    python benchmarks/paper.py --reuse benchmarks/results/paper_mean_trials.csv \
        --reuse-methods "MLP lbfgs" "MLP adam"            # rerun the LM rows only
    python benchmarks/paper.py --seeds 20 --settings spiral peaks-5
    python benchmarks/paper.py --smoke                    # < 1 minute
"""

import argparse
import csv
import math
import os
import platform
import shlex
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import binomtest
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
    # the paper's rows
    Setting("parity7-summed", "parity-7 summed (8 points)",
            lambda: make_parity(7, summed=True), 2, 0.1, 100, 1e-2),
    Setting("spiral", "two-spiral (194 points)", make_two_spirals, 9, 0.1, 1000, 1e-4),
    # full parity: every bipolar pattern, 100 iterations and beta 1e-3 as in the
    # authors' runs on full parity-7 (docs/benchmarks.rst, Setup)
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
# first-order rows: (solver, compression, its own parameters). EBP as the authors ran it
# (docs/benchmarks.rst, First-order training): c = 0.005 on the summed error with
# momentum 0.5, and for EBP-WC momentum 0, omega 1; Adam at scikit-learn's MLP adam row's
# rate. Every first-order policy fires on a stall of FO_BETA over the solvers' window of
# epochs.
_EBP = dict(learning_rate_init=0.005, momentum=0.5, omega=0.1)
_ADAM = dict(learning_rate_init=0.01, omega=0.1)
FO_METHODS = {"EBP": ("ebp", None, _EBP), "EBP-RR": ("ebp", "restart", _EBP),
              "EBP-WC": ("ebp", "adaptive", dict(_EBP, momentum=0.0, omega=1.0)),
              "Adam": ("adam", None, _ADAM), "Adam-RR": ("adam", "restart", _ADAM),
              "Adam-WC": ("adam", "adaptive", _ADAM)}
FO_BETA = 1e-3  # the authors' EBP-WC beta
FO_ITER_FACTOR = 20  # epochs per LM iteration of the setting's budget
SMOKE_FO_ITER = 50
MLP_METHODS = {"MLP lbfgs": "lbfgs", "MLP adam": "adam"}
LM_RANDOM_STATE = 0  # every LM row is one fit with n_init=seeds and this random_state
# the rows run as one fit of LMWCRegressor with n_init=seeds
FIT_METHODS = [*LM_METHODS, *FO_METHODS]
METHODS = [*FIT_METHODS, *MLP_METHODS]


def lm_max_iter(setting, smoke):
    return min(setting.max_iter, SMOKE_LM_ITER) if smoke else setting.max_iter


def budget(setting, method, smoke, fo_epochs=None):
    """``(max_iter, beta)`` of an LMWCRegressor row: LM iterations, or epochs."""
    if method in LM_METHODS:
        return lm_max_iter(setting, smoke), setting.beta
    epochs = fo_epochs or FO_ITER_FACTOR * setting.max_iter
    return (min(epochs, SMOKE_FO_ITER) if smoke else epochs), FO_BETA


def make_estimator(setting, method, seed, y, net_statistic, smoke, n_init=1,
                   fo_epochs=None):
    if method in FO_METHODS:
        solver, compression, params = FO_METHODS[method]
        max_iter, beta = budget(setting, method, smoke, fo_epochs)
        return LMWCRegressor(
            hidden_layer_sizes=(setting.hidden,), topology="fcc", activation="tanh",
            init="uniform", solver=solver, compression=compression, trigger="stall",
            beta=beta, rho=1.1, net_statistic=net_statistic, goal=setting.goal / y.std(),
            tol=None, max_iter=max_iter, n_init=n_init, n_jobs=1, random_state=seed,
            **params)
    if method in LM_METHODS:
        # the regressor's goal is on standardised targets; rescale it to the raw RMSE
        return LMWCRegressor(
            hidden_layer_sizes=(setting.hidden,), topology="fcc", activation="tanh",
            init="uniform", compression=LM_METHODS[method], trigger="stall",
            beta=setting.beta, omega=0.1, rho=1.1, net_statistic=net_statistic,
            goal=setting.goal / y.std(), tol=None,
            max_iter=lm_max_iter(setting, smoke), n_init=n_init, n_jobs=1,
            random_state=seed)
    max_iter = SMOKE_MLP_ITER if smoke else MLP_ITER_FACTOR * setting.max_iter
    extra = (dict(max_fun=2 * max_iter) if method == "MLP lbfgs" else
             # no early stop on a plateau: the whole budget is used, like LM's max_iter
             dict(learning_rate_init=0.01, n_iter_no_change=max_iter))
    return MLPRegressor(hidden_layer_sizes=(setting.hidden,), activation="tanh",
                        solver=MLP_METHODS[method], alpha=0.0, tol=0.0, max_iter=max_iter,
                        random_state=seed, **extra)


def run_trial(setting, method, seed, net_statistic, smoke, fo_epochs=None):
    """One fit (an MLP row's seed); returns its record (a dict, one row of the trials
    file)."""
    X, y = setting.data()
    est = make_estimator(setting, method, seed, y, net_statistic, smoke,
                         fo_epochs=fo_epochs)
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


def run_lm_row(setting, method, n_seeds, net_statistic, smoke, fo_epochs=None):
    """An LM (or first-order) row: one fit with ``n_init=n_seeds``; returns ``(records,
    seconds, check)``,
    a record per trial (in the order of the trials' seeds), the fit's wall time, and the
    consistency checks of the trials against the fitted model (a dict)."""
    X, y = setting.data()
    est = make_estimator(setting, method, LM_RANDOM_STATE, y, net_statistic, smoke,
                         n_init=n_seeds, fo_epochs=fo_epochs)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # failed trials warn
        start = time.perf_counter()
        est.fit(X, y)
        seconds = time.perf_counter() - start
    res = est.init_results_
    # alpha is 0 with a goal, so a trial's loss is the mean squared error on the
    # standardised targets (y - mean) / y.std(): its RMSE on the raw targets is
    # sqrt(loss) * y.std(), and the goal test is the one run_trial applies to the MLP
    rmse = np.sqrt(np.asarray(res["loss"], dtype=float)) * y.std()
    success = rmse <= setting.goal * (1 + 1e-9)
    records = [dict(setting=setting.key, method=method, seed=k, success=bool(success[k]),
                    rmse=float(rmse[k]), n_iter=int(res["n_iter"][k]),
                    seconds=float(res["seconds"][k]),
                    n_compressions=int(res["n_compressions"][k]))
               for k in range(n_seeds)]
    # the kept trial is the one of least loss: its RMSE is the refitted model's
    kept = float(np.sqrt(np.mean((est.predict(X) - y) ** 2)))
    check = dict(n_trials=len(res["loss"]), kept_rmse=kept, best_rmse=float(rmse.min()),
                 success_vs_converged=int(np.sum(success != np.asarray(res["converged"]))),
                 seconds_sum=float(np.sum(res["seconds"])), fit_seconds=seconds)
    return records, seconds, check


def check_lm_row(setting, method, check):
    """Problems with an LM row's records (a list of strings; empty when consistent)."""
    problems = []
    name = f"{setting.key} {method}"
    if check["n_trials"] == 0:
        return [f"{name}: init_results_ has no trials"]
    if not math.isclose(check["kept_rmse"], check["best_rmse"], rel_tol=1e-6, abs_tol=1e-9):
        problems.append(f"{name}: the fitted model's RMSE {check['kept_rmse']:.6g} is not "
                        f"the best trial's {check['best_rmse']:.6g}")
    if check["success_vs_converged"]:
        problems.append(f"{name}: {check['success_vs_converged']} trials where success "
                        "(RMSE <= goal) differs from init_results_['converged']")
    if not check["seconds_sum"] <= check["fit_seconds"] * 1.01 + 0.01:
        problems.append(f"{name}: the trials' seconds sum to {check['seconds_sum']:.3f} s, "
                        f"more than the fit's {check['fit_seconds']:.3f} s")
    return problems


def wilson(successes, n):
    """95% Wilson score interval of a binomial proportion (scipy's)."""
    if n == 0:
        return 0.0, 1.0
    interval = binomtest(successes, n).proportion_ci(method="wilson")
    return interval.low, interval.high


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


def table_cells(row, smoke=False, fo_epochs=None):
    s = row["setting"]
    max_iter, beta = budget(s, row["method"], smoke, fo_epochs)
    if row["method"] in MLP_METHODS:
        max_iter, beta = lm_max_iter(s, smoke), s.beta
    beta = f"{beta:.0e}".replace("e-0", "e-")
    return [s.name, f"FCC {s.hidden}", f"{s.goal:g}", str(max_iter), beta,
            row["method"], f"{row['successes']}/{row['n']} ({row['rate']:.0%})",
            f"{row['lo']:.0%}–{row['hi']:.0%}", _fmt(row["iterations"], ".0f"),
            _fmt(row["seconds"], ".3f"), _fmt(row["per_success"], ".3f"),
            _fmt(row["compressions"], ".1f")]


def markdown(rows, args, n_seeds, timing, n_reused=0, problems=()):
    lm_methods = [m for m in LM_METHODS if any(r["method"] == m for r in rows)]
    fo_methods = [m for m in FO_METHODS if any(r["method"] == m for r in rows)]
    fo_note = (
        f"First-order rows ({', '.join(fo_methods)}): LMWCRegressor with solver \"ebp\" "
        "(full batch, the summed error's gradient, learning_rate_init=0.005, momentum "
        "0.5; EBP-WC momentum 0 and omega=1, as the authors' ebp_wc.m) or \"adam\" "
        "(learning_rate_init=0.01, full batch on these sets), "
        f"max_iter={FO_ITER_FACTOR}x the LM iterations in epochs"
        + (f" (--fo-epochs {args.fo_epochs})" if args.fo_epochs else "")
        + f", beta={FO_BETA:g} over the first-order stall window of 200 epochs, "
        "omega=0.1 but for EBP-WC; each row is one fit with n_init, random_state="
        f"{LM_RANDOM_STATE}, n_jobs=1 whose trials run one after another (first-order "
        "runs are not batched), read and checked as an LM row's. " + (
            "" if not problems else "Checks that FAILED: " + "; ".join(problems) + ". ")
        if fo_methods else "")
    lm_note = (
        f"LM rows ({', '.join(lm_methods)}): each row is ONE fit with n_init={n_seeds}, "
        f"random_state={LM_RANDOM_STATE}, n_jobs=1, whose trials advance together (the "
        "batched engine); the trials file's seed of an LM trial is its number in that fit "
        "(every LM method starts trial k from the same weights), its success is its final "
        "RMSE from init_results_[\"loss\"] <= goal, and its seconds are its share of the "
        "fit's wall time (init_results_[\"seconds\"]), so 's (succ.)' is about the fit's "
        "time over its trials. " + (
            "Checked on every LM row: success agrees with init_results_[\"converged\"] "
            "and the fitted model's RMSE is the best trial's. " if not problems else
            "Checks that FAILED: " + "; ".join(problems) + ". ")
        if lm_methods else "")
    lines = [
        f"# LM, LM-RR, LM-WC and first-order training on the paper's benchmarks "
        f"(net_statistic=\"{args.net_statistic}\"){' — SMOKE RUN' if args.smoke else ''}",
        "",
        f"`{shlex.join(['python', 'benchmarks/paper.py', *args.argv])}`: {n_seeds} random "
        f"starts per row, net_statistic=\"{args.net_statistic}\" "
        f"for LM-WC's compression (LM and LM-RR do not use it). {timing['wall']:.0f} s "
        f"wall on {os.cpu_count()} CPUs, n_jobs={args.n_jobs}, of which "
        f"{timing['lm_fit_seconds']:.0f} s of fitting for the {timing['n_lm_fits']} LM fits "
        f"(the last ended {timing['lm_done']:.0f} s after the start) and "
        f"{timing['mlp_fit_seconds']:.0f} s for the {timing['n_mlp_fits']} MLP fits; one "
        "BLAS thread per fit "
        f"(Python {platform.python_version()}, {platform.machine()})"
        + (f"; the {n_reused} trials of {', '.join(args.reuse_methods)} were taken from "
           f"`{args.reuse.name}`, so their seconds were measured in that run."
           if n_reused else "."),
        "",
        "FCC of tanh neurons with a linear output, weights U[-1, 1], trigger=\"stall\", "
        "omega=0.1, rho=1.1, tol=None. Success: training RMSE on the [-1, 1] targets <= "
        "goal. " + lm_note + fo_note + "MLP rows: scikit-learn's MLPRegressor with one "
        "hidden layer "
        f"of as many tanh neurons, one fit per seed (random_state 0–{n_seeds - 1}), "
        f"alpha=0, {MLP_ITER_FACTOR}x the iterations (epochs for adam, "
        "learning_rate_init=0.01), no goal stop (so their seconds are the whole budget). "
        "'s per success' is all trials' seconds over the successes.",
        "",
        "| " + " | ".join(TABLE_HEADER) + " |",
        "|" + "|".join("---" for _ in TABLE_HEADER) + "|",
    ]
    lines += ["| " + " | ".join(table_cells(row, args.smoke, args.fo_epochs)) + " |"
              for row in rows]
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
                        help="random starts per setting and method: n_init of an LM row's "
                             "fit, MLP fits per row (default 100; 2 with --smoke)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_SEEDS} seeds, at most {SMOKE_LM_ITER} LM and "
                             f"{SMOKE_MLP_ITER} MLP iterations: checks the pipeline")
    parser.add_argument("--n-jobs", type=int, default=-1,
                        help="joblib workers over the LM fits (one per row), then over "
                             "the MLP fits (one per seed) (default -1: all CPUs)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results",
                        help="output directory (default benchmarks/results/)")
    parser.add_argument("--net-statistic", choices=["mean", "authors"], default="mean",
                        help="LMWCRegressor's net_statistic for LM-WC")
    parser.add_argument("--settings", nargs="+", choices=[s.key for s in SETTINGS],
                        default=None, help="run only these settings")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=None,
                        help="run only these methods")
    parser.add_argument("--fo-epochs", type=int, default=None,
                        help=f"epochs of the first-order rows (default {FO_ITER_FACTOR}x "
                             "the setting's LM iterations)")
    parser.add_argument("--reuse", type=Path, default=None, metavar="TRIALS_CSV",
                        help="take the trials of --reuse-methods (by default those that do "
                             "not depend on net_statistic: LM, LM-RR, MLP) from this trials "
                             "file of an earlier run with the same settings, and run only "
                             "the others (an LM row is taken only whole)")
    parser.add_argument("--reuse-methods", nargs="+", choices=METHODS, metavar="METHOD",
                        default=[m for m in METHODS if m != "LM-WC"],
                        help="the methods whose trials --reuse takes (default all but "
                             "LM-WC; for example \"MLP lbfgs\" \"MLP adam\" to run every "
                             "LM row again but not the MLP references)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def finished(func, *args):
    """``(func(*args), the time it ended)``: when a worker's job ended (epoch seconds)."""
    result = func(*args)
    return result, time.time()


def lm_cost(setting):
    """A rough cost of an LM (or first-order) row, to start the longest fits first."""
    return setting.max_iter * (setting.hidden + 2) ** 2


def main(argv=None):
    args = parse_args(argv)
    n_seeds = args.seeds or (SMOKE_SEEDS if args.smoke else 100)
    settings = [s for s in SETTINGS if args.settings is None or s.key in args.settings]
    methods = [m for m in METHODS if args.methods is None or m in args.methods]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"paper_{args.net_statistic}{'_smoke' if args.smoke else ''}"

    reused = {}
    if args.reuse is not None:
        # only LM-WC reads net_statistic; the other trials are the same in every run
        reused = {(t["setting"], t["method"], t["seed"]): t for t in load_trials(args.reuse)
                  if t["method"] in args.reuse_methods}
    seeds = range(n_seeds)
    # an LM row is one fit, so it is reused only whole
    lm_rows = [(setting, method) for setting in settings for method in methods
               if method in FIT_METHODS and not all(
                   (setting.key, method, seed) in reused for seed in seeds)]
    lm_rows.sort(key=lambda row: -lm_cost(row[0]))
    mlp_jobs = [(setting, method, seed) for setting in settings for method in methods
                if method in MLP_METHODS for seed in seeds
                if (setting.key, method, seed) not in reused]

    # one pool: the LM fits first (longest first), the MLP fits after them fill the
    # workers as the LM fits end
    start, epoch = time.perf_counter(), time.time()
    done = Parallel(n_jobs=args.n_jobs)(
        [delayed(finished)(run_lm_row, setting, method, n_seeds, args.net_statistic,
                           args.smoke, args.fo_epochs) for setting, method in lm_rows]
        + [delayed(finished)(run_trial, setting, method, seed, args.net_statistic,
                             args.smoke) for setting, method, seed in mlp_jobs])
    wall = time.perf_counter() - start
    lm_results = [result for result, _ in done[:len(lm_rows)]]
    mlp_trials = [result for result, _ in done[len(lm_rows):]]
    lm_done = max((end for _, end in done[:len(lm_rows)]), default=epoch) - epoch

    fresh = {(t["setting"], t["method"], t["seed"]): t for t in mlp_trials}
    problems = []
    for (setting, method), (records, _, check) in zip(lm_rows, lm_results):
        fresh.update({(t["setting"], t["method"], t["seed"]): t for t in records})
        problems += check_lm_row(setting, method, check)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    trials = [fresh.get(key) or reused[key] for key in (
        (setting.key, method, seed) for setting in settings for method in methods
        for seed in seeds)]
    timing = dict(wall=wall, lm_done=lm_done, n_lm_fits=len(lm_rows),
                  lm_fit_seconds=sum(seconds for _, seconds, _ in lm_results),
                  mlp_fit_seconds=sum(t["seconds"] for t in mlp_trials),
                  n_mlp_fits=len(mlp_jobs))

    rows = summarize(trials, settings, methods)
    text = markdown(rows, args, n_seeds, timing, n_reused=len(trials) - len(fresh),
                    problems=problems)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    write_csv(stem.with_suffix(".csv"), TABLE_HEADER,
              [table_cells(r, args.smoke, args.fo_epochs) for r in rows])
    write_csv(f"{stem}_trials.csv", list(trials[0]), [list(t.values()) for t in trials])
    print(text)
    png = chart(rows, settings, methods, stem.with_suffix(".png"),
                f"Success over {n_seeds} seeds (net_statistic=\"{args.net_statistic}\")")
    print(f"wrote {stem}.md, .csv, _trials.csv{', .png' if png else ''}")
    return rows


if __name__ == "__main__":
    main()
