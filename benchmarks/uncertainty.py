"""How good are the predictive distributions? LMWC's Laplace posterior beside a GP's,
Bayesian ridge's and an MLP committee's (regression), and LMWC's probabilities with and
without moderation beside scikit-learn's classifiers (issue 19, items 4 and 5).

Data: the 14 regression and 12 classification sets of ``benchmarks/real_data.py``
(its ``DATASETS`` and ``load_data``: the same rows, the same 2000-row
subsamples of spam7 and diamonds; its docstring says what each set is).

Regression. 5-fold cross-validation (``KFold(5, shuffle=True, random_state=0)``); in
each fold the inputs are standardised on the training fold (``make_pipeline(
StandardScaler(), model)``) and so are the targets (mean and standard deviation of each
output on the training fold): every number below is in units of the training folds'
target standard deviation, so NLPD compares across sets. Every row is a test row once;
the out-of-fold means mu and standard deviations sigma of all rows (and, for linnerud, of
its three targets, pooled) give per set and model:

- coverage of the central p interval: the fraction of test targets y with
  ``|y - mu| <= z_p sigma``, ``z_p = Phi^-1((1 + p) / 2)`` (1.645 for 90%, 1.960 for
  95%), for p in 0.1, 0.2, ..., 0.9, 0.95, 0.99 (the calibration curve);
- NLPD, the mean negative log predictive density of a Gaussian,
  ``0.5 log(2 pi sigma^2) + (y - mu)^2 / (2 sigma^2)``;
- RMSE of mu and the mean sigma (sharpness), for context.

Models (``random_state=0`` where they have one):

- ``LMWC defaults``: ``LMWCRegressor(random_state=0)``, ``predict(X, return_std=True)``:
  the noise variance 1/beta plus the weights' Laplace variance, and for the default
  committee the equal mixture of its members' Gaussians (their mean variance plus the
  spread of their means); ``LMWC one trial``: the same with ``n_init=1``;
- ``GP ARD``: real_data.py's ``GaussianProcessRegressor(ConstantKernel() *
  RBF(np.ones(n_features)) + WhiteKernel(), normalize_y=True)``, kernel tuned on at
  most 300 rows of the training fold (``GPTunedOnSubsample``); its ``return_std``
  includes the white-noise level (the GP predicts noisy targets);
- ``BayesianRidge``: ``BayesianRidge()``, ``return_std`` (noise plus the weights'
  posterior variance); linnerud through ``MultiOutputRegressor``;
- ``MLP committee``: five ``MLPRegressor(random_state=k)``, k = 0..4, on the
  standardised targets; mean = the members' mean, variance = the members' spread
  about it (population variance over the five) plus the noise, estimated as the mean
  over the members of their mean squared training residual (an ad-hoc ensemble
  variance, not a posterior: the training residuals understate the noise of an
  overfitted member).

Classification. ``StratifiedKFold(5, shuffle=True, random_state=0)`` of
``make_pipeline(StandardScaler(), model)``; from the out-of-fold probabilities of all
rows per set and model: the mean log-loss (labels all the set's classes), the accuracy,
and the expected calibration error: the rows binned by their top-class probability into
10 equal-width bins on [0, 1], ECE = sum over the bins of (rows in the bin / rows) x
|accuracy in the bin - mean top-class probability in the bin|. The reliability diagram
pools the bins' rows over all sets (bins of fewer than 10 rows left out). Models:
``LMWCClassifier(random_state=0)`` fitted once per fold and predicted with
``moderation=None`` (plug-in) and with
``moderation="probit"`` (``set_params`` on the fitted model: moderation changes only the
predictions), likewise with ``n_init=1``; real_data.py's ``MLP``
(``MLPClassifier(random_state=0)``), ``HGB`` (``HistGradientBoostingClassifier(
random_state=0)``) and ``LogisticRegression`` (``max_iter=1000``).

Targets of issue 19: LMWC's 95% intervals cover 92-98% of the test targets on every
regression set; its NLPD at most the GP's on most sets.

Writes ``uncertainty.md`` (printed too) and ``uncertainty.json`` into ``--out`` and the
figure (calibration curves, mean over the regression sets, and the reliability
diagram) to ``--figure`` (default ``docs/_static/uncertainty.png``, for the benchmarks
page). ``uncertainty.json`` is the cache as well: a row is reused while its data (hash),
folds, parameters, scikit-learn version, the metric code (hash of the functions that
compute it), and for LMWC rows the package's source, for the GP real_data.py's wrapper,
for the MLP committee its class, are unchanged. ConvergenceWarnings are silenced. The
figure needs matplotlib (skipped without it). ``--smoke``: real_data.py's smoke
settings (2 folds, 60-sample subsets, every max_iter at most 30), ``_smoke`` file
names, figure beside the tables.

A full run from an empty cache took 816 s on 2 cores shared with other jobs (load 3 to
6), the LMWC rows alone 230 s at a load of 2 to 3 (digits' a third of it).

    python benchmarks/uncertainty.py                     # everything (cached rows reused)
    python benchmarks/uncertainty.py --datasets diabetes,iris --refresh
    python benchmarks/uncertainty.py --smoke             # under a minute
"""

import argparse
import datetime
import hashlib
import inspect
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import BayesianRidge
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_data import (  # noqa: E402
    SMOKE_FOLDS,
    SMOKE_MAX_ITER,
    SMOKE_SAMPLES,
    GPTunedOnSubsample,
    _header,
    _load,
    _row,
    add_datasets_argument,
    add_run_arguments,
    cap_iterations,
    code_hash,
    data_hash,
    lmwc_source_hash,
    load_data,
    machine_line,
    output_stem,
    params_key,
    read_cache,
    reference_models,
    selected_datasets,
    write_cache,
)

ROOT = Path(__file__).resolve().parents[1]
LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
TARGET_95 = (0.92, 0.98)  # issue 19: 95% intervals cover 92-98% of the test targets
N_BINS = 10
MIN_BIN_ROWS = 10  # the reliability diagram leaves out bins of fewer rows (pooled)
LMWC_CONFIGS = {"LMWC defaults": {}, "LMWC one trial": {"n_init": 1}}
MODERATIONS = {"none": None, "probit": "probit"}
REGRESSORS = ["LMWC defaults", "LMWC one trial", "GP ARD", "BayesianRidge",
              "MLP committee"]
CLASSIFIERS = ["MLP", "HGB", "LogisticRegression"]  # real_data.py's, by its names
RELIABILITY_MODELS = ["LMWC defaults, none", "LMWC defaults, probit", *CLASSIFIERS]


class MLPCommittee(RegressorMixin, BaseEstimator):
    """``n_members`` MLPRegressors (``random_state`` 0, 1, ...); ``predict(X,
    return_std=True)``: their mean, and the square root of their spread (population
    variance over the members) plus the members' mean training MSE per output."""

    def __init__(self, n_members=5, max_iter=200):
        self.n_members = n_members
        self.max_iter = max_iter

    def fit(self, X, y):
        self.members_ = [MLPRegressor(random_state=k, max_iter=self.max_iter).fit(X, y)
                         for k in range(self.n_members)]
        residuals = np.stack([(np.reshape(y, (len(y), -1))
                               - m.predict(X).reshape(len(y), -1)) for m in self.members_])
        self.noise_variance_ = np.mean(residuals ** 2, axis=(0, 1))
        return self

    def predict(self, X, return_std=False):
        outputs = np.stack([m.predict(X).reshape(len(X), -1) for m in self.members_])
        mean = outputs.mean(axis=0)
        std = np.sqrt(outputs.var(axis=0) + self.noise_variance_)
        if mean.shape[1] == 1:
            mean, std = mean.ravel(), std.ravel()
        return (mean, std) if return_std else mean


def regression_models(n_features, multi_output):
    gp = reference_models("regression", multi_output, n_features)["GP ARD"]
    ridge = BayesianRidge()
    return {
        **{name: LMWCRegressor(**{"random_state": 0, **params})
           for name, params in LMWC_CONFIGS.items()},
        "GP ARD": gp,
        "BayesianRidge": MultiOutputRegressor(ridge) if multi_output else ridge,
        "MLP committee": MLPCommittee(),
    }


def classification_models():
    others = reference_models("classification")
    return {
        # moderation is switched after the fit: the fitted model does not depend on it
        **{name: LMWCClassifier(**{"random_state": 0, "moderation": None, **params})
           for name, params in LMWC_CONFIGS.items()},
        **{name: others[name] for name in CLASSIFIERS},
    }


def variants(name):
    """The rows a fitted model gives: an LMWC classifier one per moderation."""
    if name in LMWC_CONFIGS:
        return {f"{name}, {label}": moderation for label, moderation in MODERATIONS.items()}
    return {name: None}


def classifier_columns():
    return [v for name in [*LMWC_CONFIGS, *CLASSIFIERS] for v in variants(name)]


def predict_with_std(model, X):
    """(mean, std), each (n, n_outputs), of a fitted regressor."""
    if isinstance(model, GPTunedOnSubsample):
        model = model.gp_
    if isinstance(model, MultiOutputRegressor):
        parts = [predict_with_std(m, X) for m in model.estimators_]
        return tuple(np.concatenate([p[i] for p in parts], axis=1) for i in (0, 1))
    mean, std = model.predict(X, return_std=True)
    return mean.reshape(len(X), -1), std.reshape(len(X), -1)


# ---------------------------------------------------------------------------- metrics

def regression_metrics(Y, mean, std):
    """Coverage at LEVELS, NLPD, RMSE and mean std of out-of-fold (n, M) arrays, every
    output's rows pooled."""
    residual, std = (Y - mean).ravel(), std.ravel()
    z = norm.ppf(0.5 + np.asarray(LEVELS) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(residual) / std
        nlpd = 0.5 * np.log(2 * np.pi * std ** 2) + 0.5 * ratio ** 2
    coverage = (ratio[:, None] <= z).mean(axis=0)
    return dict(coverage=dict(zip(map(str, LEVELS), coverage.tolist())),
                nlpd=float(nlpd.mean()), rmse=float(np.sqrt(np.mean(residual ** 2))),
                mean_std=float(std.mean()), n=int(residual.size))


def classification_metrics(y, proba):
    """Log-loss, accuracy, ECE and the reliability bins of out-of-fold probabilities
    ``(n, n_classes)`` (columns in the order of the codes 0..k-1 of y)."""
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype(float)
    bins = np.minimum((confidence * N_BINS).astype(int), N_BINS - 1)
    count = np.bincount(bins, minlength=N_BINS)
    sum_conf = np.bincount(bins, confidence, minlength=N_BINS)
    sum_correct = np.bincount(bins, correct, minlength=N_BINS)
    return dict(log_loss=float(log_loss(y, proba, labels=np.arange(proba.shape[1]))),
                accuracy=float(correct.mean()),
                ece=float(np.abs(sum_correct - sum_conf).sum() / len(y)),
                bins=dict(count=count.tolist(), confidence=sum_conf.tolist(),
                          correct=sum_correct.tolist()))


def metric_hash():
    source = "".join(inspect.getsource(f) for f in (regression_metrics,
                                                    classification_metrics,
                                                    predict_with_std))
    return hashlib.sha256(f"{source}{LEVELS}{N_BINS}".encode()).hexdigest()[:12]


# -------------------------------------------------------------------------- measuring

def run_regression(pipeline, X, y, folds):
    """Out-of-fold means and stds, (n, M), in training-fold-standardised units, of the
    targets standardised the same way, and the mean fit seconds per fold."""
    Y = y.reshape(len(y), -1)
    mean, std, Ys, fit_s = np.empty(Y.shape), np.empty(Y.shape), np.empty(Y.shape), []
    for train, test in KFold(folds, shuffle=True, random_state=0).split(X):
        scaler = StandardScaler().fit(Y[train])
        target = scaler.transform(Y[train])
        model = clone(pipeline)
        start = time.perf_counter()
        model.fit(X[train], target if Y.shape[1] > 1 else target.ravel())
        fit_s.append(time.perf_counter() - start)
        mean[test], std[test] = predict_with_std(model[-1], model[:-1].transform(X[test]))
        Ys[test] = scaler.transform(Y[test])
    return Ys, mean, std, float(np.mean(fit_s))


def run_classification(pipeline, moderations, X, y, folds):
    """Out-of-fold probabilities (columns: the set's classes 0..k-1) per variant, from
    one fit per fold (the variants set ``moderation`` on the fitted model)."""
    n_classes = len(np.unique(y))
    proba = {name: np.zeros((len(y), n_classes)) for name in moderations}
    fit_s = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y):
        model = clone(pipeline)
        start = time.perf_counter()
        model.fit(X[train], y[train])
        fit_s.append(time.perf_counter() - start)
        for name, moderation in moderations.items():
            if isinstance(model[-1], LMWCClassifier):
                model[-1].set_params(moderation=moderation)
            # a training fold may miss a class: its column stays 0
            proba[name][np.ix_(test, model[-1].classes_)] = model.predict_proba(X[test])
    return proba, float(np.mean(fit_s))


def mlp_committee_hash():
    """The class's text in this file (read as text: a module loaded from its path
    alone, as the tests do, has no class source for inspect)."""
    text = Path(__file__).read_text(encoding="utf-8")
    start = text.index("class MLPCommittee")
    return hashlib.sha256((text[start:text.index("\n\n\n", start)] + "\n").encode()
                          ).hexdigest()[:12]


def row_code(name, lmwc_source):
    if name in LMWC_CONFIGS:
        return lmwc_source
    if name == "MLP committee":
        return mlp_committee_hash()
    return code_hash(name, [], lmwc_source)  # the GP wrapper's text, else None


def run(args, cache, cache_path):
    lmwc_source, metrics_code = lmwc_source_hash(), metric_hash()
    results, shapes, n_reused = {}, {}, 0
    for dataset in args.datasets:
        X, y = load_data(dataset, args.smoke)
        shapes[dataset.name] = X.shape
        digest = data_hash(X, y)
        regression = dataset.task == "regression"
        models = (regression_models(X.shape[1], y.ndim == 2) if regression
                  else classification_models())
        for name, model in models.items():
            pipeline = make_pipeline(StandardScaler(), model)
            if args.smoke:
                cap_iterations(pipeline, SMOKE_MAX_ITER)
            key = dict(n_samples=len(y), data=digest, folds=args.folds,
                       params=params_key(pipeline), sklearn=sklearn.__version__,
                       code=row_code(name, lmwc_source), metrics=metrics_code)
            slot = f"{dataset.name}/{name}"
            entry = cache.get(slot)
            if entry is not None and entry["key"] == key and not args.refresh:
                results.update({(dataset.name, v): r for v, r in entry["rows"].items()})
                n_reused += 1
                continue
            if args.cached_only:
                continue
            print(f"{slot} ...", end=" ", file=sys.stderr, flush=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                if regression:
                    Ys, mean, std, fit_s = run_regression(pipeline, X, y, args.folds)
                    rows = {name: dict(regression_metrics(Ys, mean, std), fit_s=fit_s)}
                else:
                    proba, fit_s = run_classification(pipeline, variants(name), X, y,
                                                      args.folds)
                    rows = {v: dict(classification_metrics(y, p), fit_s=fit_s)
                            for v, p in proba.items()}
            print(", ".join(f"{v}: " + (f"cov95 {r['coverage']['0.95']:.3f} NLPD "
                                        f"{r['nlpd']:.3f}" if regression else
                                        f"log-loss {r['log_loss']:.3f} ECE {r['ece']:.3f}")
                            for v, r in rows.items()) + f", {fit_s:.2f} s/fold",
                  file=sys.stderr)
            results.update({(dataset.name, v): r for v, r in rows.items()})
            measured = datetime.datetime.now().isoformat(timespec="seconds")
            cache[slot] = dict(key=key, rows=rows, measured=measured)
            write_cache(cache_path, cache)
    return results, shapes, n_reused


# ---------------------------------------------------------------------------- summary

def in_target(row):
    return TARGET_95[0] <= row["coverage"]["0.95"] <= TARGET_95[1]


def regression_summary(sets, results):
    """Per model: sets with 95% coverage in TARGET_95, median coverages, median NLPD,
    and the sets where its NLPD is at most the GP's."""
    lines = _header(["model", "sets", f"95% coverage in {TARGET_95[0]}–{TARGET_95[1]}",
                     "median coverage 90% / 95%", "median NLPD", "NLPD ≤ GP ARD's"])
    for name in REGRESSORS:
        rows = {d: results[d, name] for d in sets if (d, name) in results}
        if not rows:
            continue
        versus = [d for d in rows if (d, "GP ARD") in results]
        better = sum(rows[d]["nlpd"] <= results[d, "GP ARD"]["nlpd"] for d in versus)
        lines.append(_row([
            name, str(len(rows)), f"{sum(map(in_target, rows.values()))}/{len(rows)}",
            f"{statistics.median(r['coverage']['0.9'] for r in rows.values()):.3f} / "
            f"{statistics.median(r['coverage']['0.95'] for r in rows.values()):.3f}",
            f"{statistics.median(r['nlpd'] for r in rows.values()):.3f}",
            "—" if name == "GP ARD" else f"{better}/{len(versus)}"]))
    return lines


def set_table(sets, columns, results, cell, shapes=None):
    lines = _header(["data set", *(["rows x features"] if shapes else []), *columns])
    for d in sets:
        shape = [f"{shapes[d][0]} x {shapes[d][1]}"] if shapes else []
        lines.append(_row([d, *shape, *(cell(results[d, c]) if (d, c) in results
                                        else "—" for c in columns)]))
    return lines


def moderation_summary(sets, results):
    lines = _header(["configuration", "sets", "log-loss lower with probit",
                     "ECE lower with probit", "median log-loss none → probit",
                     "median ECE none → probit", "accuracy changed on"])
    for name in LMWC_CONFIGS:
        none, probit = f"{name}, none", f"{name}, probit"
        pairs = [(results[d, none], results[d, probit]) for d in sets
                 if (d, none) in results and (d, probit) in results]
        if not pairs:
            continue
        n = len(pairs)
        med = {k: [statistics.median(p[i][k] for p in pairs) for i in (0, 1)]
               for k in ("log_loss", "ece")}
        lines.append(_row([
            name, str(n), f"{sum(b['log_loss'] < a['log_loss'] for a, b in pairs)}/{n}",
            f"{sum(b['ece'] < a['ece'] for a, b in pairs)}/{n}",
            f"{med['log_loss'][0]:.4f} → {med['log_loss'][1]:.4f}",
            f"{med['ece'][0]:.4f} → {med['ece'][1]:.4f}",
            f"{sum(a['accuracy'] != b['accuracy'] for a, b in pairs)}/{n} sets"]))
    return lines


def markdown(args, results, shapes, n_reused, wall, load_start, figure, measured):
    reg = [d.name for d in args.datasets if d.task == "regression"]
    clf = [d.name for d in args.datasets if d.task == "classification"]
    cov = {level: (lambda r, level=level: f"{r['coverage'][level]:.3f}")
           for level in ("0.9", "0.95")}
    lines = [
        f"# Predictive uncertainty{' — SMOKE RUN' if args.smoke else ''}", "",
        f"`{' '.join(['python', 'benchmarks/uncertainty.py', *args.argv])}` on "
        f"{datetime.date.today().isoformat()}: {n_reused} fitted models reused from the "
        f"cache, {wall:.0f} s wall; the rows were measured from {measured[0]} to "
        f"{measured[1]}.", "",
        f"Machine: {machine_line()}. Load average (1 / 5 / 15 min) at the start "
        f"{load_start}, at the end {_load()}.", "",
        f"{args.folds}-fold cross-validation (KFold / StratifiedKFold, shuffled, "
        "random_state=0); inputs standardised on the training folds, regression targets "
        "too: coverages, NLPD and RMSE are in units of the training folds' target "
        "standard deviation, over the out-of-fold predictions of all rows (linnerud: its "
        "three targets pooled). The module docstring says how each number is measured."
        + (f" Smoke run: at most {SMOKE_SAMPLES} samples per data set, every max_iter "
           f"capped at {SMOKE_MAX_ITER}." if args.smoke else ""), "",
        f"Figure: {figure}.", ""]
    if reg:
        lines += [
            "## Regression", "",
            f"Targets of issue 19: LMWC's 95% intervals cover {TARGET_95[0]}–"
            f"{TARGET_95[1]} of the test targets on every set; its NLPD at most the GP's "
            "on most sets. MLP committee: the members' spread plus their mean training "
            "MSE (not a posterior).", ""]
        lines += regression_summary(reg, results)
        lines += ["", "### Coverage of the 90% interval (nominal 0.900)", ""]
        lines += set_table(reg, REGRESSORS, results, cov["0.9"], shapes)
        lines += ["", "### Coverage of the 95% interval (nominal 0.950)", ""]
        lines += set_table(reg, REGRESSORS, results, cov["0.95"])
        lines += ["", "### NLPD (standardised targets; lower is better)", ""]
        lines += set_table(reg, REGRESSORS, results, lambda r: f"{r['nlpd']:.3f}")
        lines += ["", "### RMSE / mean predictive std (standardised targets)", ""]
        lines += set_table(reg, REGRESSORS, results,
                           lambda r: f"{r['rmse']:.3f} / {r['mean_std']:.3f}")
        lines += ["", "### Calibration curve: observed coverage per nominal level, mean "
                  "over the sets", ""]
        lines += _header(["model", *map(str, LEVELS)])
        for name in REGRESSORS:
            curve = calibration_curve(reg, results, name)
            if curve is not None:
                lines.append(_row([name, *(f"{c:.3f}" for c in curve)]))
        lines.append("")
    if clf:
        columns = classifier_columns()
        lines += ["## Classification", "",
                  "Moderation against the plug-in probabilities, per LMWC configuration "
                  "(same fitted models):", ""]
        lines += moderation_summary(clf, results)
        lines += ["", "### Mean log-loss (out of fold)", ""]
        lines += set_table(clf, columns, results, lambda r: f"{r['log_loss']:.4f}", shapes)
        lines += ["", f"### ECE ({N_BINS} equal-width bins of the top-class probability)",
                  ""]
        lines += set_table(clf, columns, results, lambda r: f"{r['ece']:.4f}")
        lines += ["", "### Accuracy (out of fold)", ""]
        lines += set_table(clf, columns, results, lambda r: f"{r['accuracy']:.3f}")
        lines += ["", "Mean log-loss and ECE over the sets:", ""]
        lines += _header(["model", "mean log-loss", "mean ECE", "sets"])
        for c in columns:
            rows = [results[d, c] for d in clf if (d, c) in results]
            if rows:
                lines.append(_row([c, f"{np.mean([r['log_loss'] for r in rows]):.4f}",
                                   f"{np.mean([r['ece'] for r in rows]):.4f}",
                                   str(len(rows))]))
        lines.append("")
    return "\n".join(lines)


def calibration_curve(sets, results, name):
    rows = [results[d, name] for d in sets if (d, name) in results]
    if not rows:
        return None
    return np.mean([[r["coverage"][str(level)] for level in LEVELS] for r in rows], axis=0)


def reliability(sets, results, name, min_rows=MIN_BIN_ROWS):
    """(mean confidence, accuracy, rows) per bin of at least ``min_rows`` rows, the
    sets' rows pooled."""
    rows = [results[d, name]["bins"] for d in sets if (d, name) in results]
    if not rows:
        return None
    count, conf, correct = (np.sum([r[k] for r in rows], axis=0)
                            for k in ("count", "confidence", "correct"))
    full = count >= max(min_rows, 1)
    return conf[full] / count[full], correct[full] / count[full], count[full]


def plot(args, results, path):
    """The figure at PATH; False (and no figure) without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no figure.", file=sys.stderr)
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reg = [d.name for d in args.datasets if d.task == "regression"]
    clf = [d.name for d in args.datasets if d.task == "classification"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8), layout="constrained")
    left.plot([0, 1], [0, 1], color="0.6", linestyle=":", label="ideal")
    for name in REGRESSORS:
        curve = calibration_curve(reg, results, name)
        if curve is not None:
            left.plot(LEVELS, curve, marker="o", markersize=3, label=name)
    left.set(xlabel="nominal coverage of the central interval",
             ylabel="observed coverage (mean over the sets)",
             title=f"Regression: calibration over {len(reg)} sets", xlim=(0, 1),
             ylim=(0, 1))
    left.legend(fontsize=8)
    right.plot([0, 1], [0, 1], color="0.6", linestyle=":", label="ideal")
    for name in RELIABILITY_MODELS:
        curve = reliability(clf, results, name)
        if curve is not None:
            style = "--" if name.endswith(", none") else "-"
            right.plot(curve[0], curve[1], style, marker="o", markersize=3, label=name)
    right.set(xlabel="top-class probability (bin mean; one-trial rows in the tables)",
              ylabel="accuracy in the bin",
              title=f"Classification: reliability, {len(clf)} sets pooled "
             f"(bins of ≥ {MIN_BIN_ROWS} rows)",
              xlim=(0, 1), ylim=(0, 1))
    right.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# -------------------------------------------------------------------------------- CLI

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_datasets_argument(parser)
    add_run_arguments(parser)  # --smoke, --refresh, --cached-only, --out
    parser.add_argument("--figure", type=Path, default=None,
                        help="the PNG (default docs/_static/uncertainty.png; with --smoke "
                             "uncertainty_smoke.png in --out)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.datasets = selected_datasets(parser, args.datasets)
    args.folds = SMOKE_FOLDS if args.smoke else 5
    if args.figure is None:
        args.figure = (args.out / "uncertainty_smoke.png" if args.smoke
                       else ROOT / "docs" / "_static" / "uncertainty.png")
    return args


def main(argv=None):
    args = parse_args(argv)
    stem = output_stem(args, "uncertainty")
    cache_path = stem.with_suffix(".json")
    cache = read_cache(cache_path)
    start, load_start = time.perf_counter(), _load()
    results, shapes, n_reused = run(args, cache, cache_path)
    try:
        figure = f"`{args.figure.resolve().relative_to(ROOT)}`"
    except ValueError:
        figure = f"`{args.figure}`"
    if not plot(args, results, args.figure):
        figure = "none (matplotlib is not installed)"
    names = {d.name for d in args.datasets}
    times = sorted(entry["measured"] for slot, entry in cache.items()
                   if slot.split("/")[0] in names)
    measured = (times[0], times[-1]) if times else ("—", "—")
    text = markdown(args, results, shapes, n_reused, time.perf_counter() - start,
                    load_start, figure, measured)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {stem}.md and {cache_path.name}; figure: {figure}")
    return results


if __name__ == "__main__":
    main()
