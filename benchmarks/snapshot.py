"""A snapshot of fitted attributes over the estimators' main paths, for refactors.

``python benchmarks/snapshot.py --write PATH`` (with ``PYTHONPATH=.`` in a checkout)
fits every case below and stores each fitted attribute (arrays, lists, floats,
``init_results_``, the Laplace factors) and the predictions in one ``.npz``;
``--check PATH`` fits them again and compares with the file exactly (bit for bit;
NaN equals NaN), prints what differs and exits 1 when anything does. A refactor
that must not change any fit runs ``--check`` against a file written before it.
Under a minute on one core.
"""

import argparse
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_iris, make_classification, make_regression

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc.datasets import make_parity

# fitted attributes that are timings, not results
_SKIPPED = {"seconds"}


def _regression():
    X, y = make_regression(n_samples=60, n_features=4, noise=5.0, random_state=0)
    return X / X.std(axis=0), y


def _classification(n_classes=2):
    return make_classification(n_samples=80, n_features=5, n_informative=3,
                               n_classes=n_classes, random_state=0)


def _cases():
    """``(name, estimator, X, y, fit keyword arguments, refit)``: ``refit`` a
    function of the fitted estimator that fits it again (a warm start), or None."""
    Xr, yr = _regression()
    Xc, yc = _classification()
    Xm, ym = _classification(3)
    Xk, yk = make_classification(n_samples=300, n_features=10, n_informative=5,
                                 n_classes=3, random_state=0)
    Xi, yi = load_iris(return_X_y=True)
    Xi = (Xi - Xi.mean(axis=0)) / Xi.std(axis=0)
    Xp, yp = make_parity(4)
    Y2 = np.column_stack([yc, (Xc[:, 0] > 0).astype(int)])
    sw = np.random.RandomState(1).uniform(0.5, 2.0, size=Xr.shape[0])
    paper = dict(hidden_layer_sizes=(3,), topology="fcc", goal=1e-3, max_iter=60,
                 random_state=0)

    def warm(est):
        est.set_params(max_iter=5)
        return est.fit(Xr, yr)

    return [
        ("reg_default", LMWCRegressor(max_iter=20, random_state=0), Xr, yr, {}, None),
        ("reg_default_n3", LMWCRegressor(max_iter=15, n_init=3, random_state=1), Xr, yr,
         {}, None),
        *[(f"paper_{c}", LMWCRegressor(compression=c, **paper), Xp, yp, {}, None)
          for c in ("adaptive", "restart", None)],
        ("paper_interval", LMWCRegressor(compression="adaptive", trigger="interval",
                                         interval=5, **paper), Xp, yp, {}, None),
        ("clf_log_loss", LMWCClassifier(max_iter=15, random_state=0), Xc, yc, {}, None),
        ("clf_squared", LMWCClassifier(loss="squared_error", max_iter=15, random_state=0),
         Xc, yc, {}, None),
        ("clf_multiclass", LMWCClassifier(max_iter=15, random_state=0), Xm, ym, {}, None),
        ("clf_iris", LMWCClassifier(hidden_layer_sizes=(4,), max_iter=15,
                                    random_state=2), Xi, yi, {}, None),
        ("clf_multilabel", LMWCClassifier(max_iter=10, random_state=0), Xc, Y2, {}, None),
        ("reg_layers", LMWCRegressor(weight_groups="layers", max_iter=15, random_state=0),
         Xr, yr, {}, None),
        ("reg_ard", LMWCRegressor(weight_groups="ard", max_iter=15, random_state=0),
         Xr, yr, {}, None),
        ("clf_ard", LMWCClassifier(weight_groups="ard", max_iter=10, random_state=0),
         Xc, yc, {}, None),
        ("reg_early_stopping", LMWCRegressor(early_stopping=True, max_iter=30,
                                             random_state=0), Xr, yr, {}, None),
        ("clf_early_stopping", LMWCClassifier(early_stopping=True, n_init=2, max_iter=20,
                                              random_state=0), Xc, yc, {}, None),
        ("reg_warm_start", LMWCRegressor(warm_start=True, max_iter=10, random_state=0),
         Xr, yr, {}, warm),
        ("reg_fixed_alpha", LMWCRegressor(alpha=1e-2, max_iter=20, random_state=0),
         Xr, yr, {}, None),
        ("reg_fixed_alpha_adaptive", LMWCRegressor(alpha=1e-2, compression="adaptive",
                                                   max_iter=40, random_state=0),
         Xr, yr, {}, None),
        ("reg_bayes_adaptive", LMWCRegressor(compression="adaptive", beta=1e-2,
                                             max_iter=40, random_state=0), Xr, yr, {}, None),
        ("reg_bayes_restart", LMWCRegressor(compression="restart", beta=1e-2, max_iter=40,
                                            random_state=0), Xr, yr, {}, None),
        ("reg_scipy", LMWCRegressor(solver="scipy", max_iter=15, random_state=0), Xr, yr,
         {}, None),
        ("reg_scipy_adaptive", LMWCRegressor(solver="scipy", compression="adaptive",
                                             max_iter=20, random_state=0), Xp, yp, {}, None),
        ("reg_adam_adaptive", LMWCRegressor(solver="adam", compression="adaptive",
                                            max_iter=30, random_state=0), Xr, yr, {}, None),
        ("clf_sgd_restart", LMWCClassifier(solver="sgd", compression="restart",
                                           batch_size=16, max_iter=20, random_state=0),
         Xc, yc, {}, None),
        ("reg_ebp", LMWCRegressor(solver="ebp", max_iter=20, random_state=0), Xp, yp, {},
         None),
        ("reg_batched_n4", LMWCRegressor(n_init=4, committee_size=2, max_iter=20,
                                         random_state=0), Xr, yr, {}, None),
        ("reg_batched_paper", LMWCRegressor(n_init=3, compression="adaptive", **{
            **paper, "random_state": 3}), Xp, yp, {}, None),
        ("reg_sample_weight", LMWCRegressor(max_iter=15, random_state=0), Xr, yr,
         {"sample_weight": sw}, None),
        ("clf_sample_weight", LMWCClassifier(max_iter=15, random_state=0), Xc, yc,
         {"sample_weight": np.resize(sw, Xc.shape[0])}, None),
        ("reg_sparse", LMWCRegressor(max_iter=15, random_state=0), sp.csr_matrix(Xr), yr,
         {}, None),
        # the residuals' form (few rows, many weights)
        ("reg_residuals", LMWCRegressor(hidden_layer_sizes=(40,), max_iter=8,
                                        random_state=0), Xr[:20], yr[:20], {}, None),
        # a problem too large for the automatic committee: one trial, Kronecker blocks,
        # shares of the rows
        ("clf_kronecker", LMWCClassifier(hidden_layer_sizes=(16, 16), topology="mlp",
                                         max_iter=5, random_state=0), Xk, yk, {}, None),
        ("reg_adam_interval", LMWCRegressor(solver="adam", compression="adaptive",
                                            trigger="interval", interval=7, max_iter=20,
                                            random_state=0), Xr, yr, {}, None),
        ("reg_n_jobs", LMWCRegressor(n_init=2, n_jobs=2, compression="adaptive",
                                     max_iter=15, random_state=0), Xr, yr, {}, None),
    ]


def _flatten(prefix, value, out):
    """Store ``value`` under ``prefix`` in ``out`` as arrays, recursing into
    containers; None and strings become object-free arrays."""
    if isinstance(value, dict):
        for key in sorted(value):
            if key not in _SKIPPED:
                _flatten(f"{prefix}.{key}", value[key], out)
    elif isinstance(value, (list, tuple)):
        out[f"{prefix}.len"] = np.array(len(value))
        for i, item in enumerate(value):
            _flatten(f"{prefix}[{i}]", item, out)
    elif value is None:
        out[f"{prefix}.none"] = np.array(True)
    elif isinstance(value, str):
        out[f"{prefix}.str"] = np.array(value)
    elif hasattr(value, "_asdict"):  # a NamedTuple (Laplace)
        _flatten(prefix, value._asdict(), out)
    else:
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError(f"{prefix}: cannot store {type(value).__name__}")
        out[prefix] = array


def _fitted(est):
    """The estimator's fitted attributes (names ending in ``_``)."""
    names = [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    return {k: getattr(est, k) for k in names if k != "feature_names_in_"}


def snapshot():
    """Every case's fitted attributes and predictions, as ``{name: array}``."""
    out = {}
    for name, est, X, y, kwargs, refit in _cases():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y, **kwargs)
            if refit is not None:
                refit(est)
        _flatten(name, _fitted(est), out)
        Xq = X[:7]
        if isinstance(est, LMWCRegressor):
            _flatten(f"{name}.predict", est.predict(Xq), out)
            if est._has_posterior():
                _flatten(f"{name}.predict_std", est.predict(Xq, return_std=True), out)
        else:
            _flatten(f"{name}.predict", est.predict(Xq), out)
            _flatten(f"{name}.predict_proba", est.predict_proba(Xq), out)
            _flatten(f"{name}.decision_function", est.decision_function(Xq), out)
            if est._has_posterior():
                _flatten(f"{name}.decision_std",
                         est.decision_function(Xq, return_std=True), out)
    return out


def compare(reference, current):
    """The names whose arrays differ (NaN equal to NaN), missing or new."""
    differ = []
    for key in sorted(set(reference) | set(current)):
        if key not in reference or key not in current:
            differ.append(f"{key}: {'new' if key in current else 'missing'}")
            continue
        a, b = reference[key], current[key]
        same = a.shape == b.shape and a.dtype == b.dtype and (
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        if not same:
            differ.append(key)
    return differ


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="PATH")
    group.add_argument("--check", metavar="PATH")
    args = parser.parse_args(argv)
    current = snapshot()
    if args.write:
        np.savez(args.write, **current)
        print(f"{len(current)} arrays written to {args.write}")
        return 0
    with np.load(args.check) as stored:
        reference = dict(stored)
    differ = compare(reference, current)
    for key in differ:
        print(f"differs: {key}")
    print(f"{len(current)} arrays, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
