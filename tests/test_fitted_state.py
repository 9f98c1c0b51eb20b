"""Predictions come from the fitted state only (issue 29, item 1).

For every parameter of both estimators: fit, change the parameter with ``set_params`` to
another valid value, and every prediction (``predict``, ``predict_proba``,
``predict_log_proba``, ``decision_function`` with and without ``return_std``, the
regressor's ``predict`` with ``return_std`` and ``return_cov``, ``layout_``) is
unchanged, bit for bit. The parameters that act at prediction time are listed in
``PREDICTION_TIME``, and their docstrings say so.
"""

import copy
import re

import numpy as np
import pytest

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]

# for each parameter, a valid value other than the fits' below (None: toggled per fit)
OTHER_VALUE = {
    "hidden_layer_sizes": (4, 2), "topology": "fcc", "activation": "relu", "gain": 2.0,
    "solver": "adam", "compression": None, "trigger": "interval", "beta": 1e-2,
    "interval": 5, "omega": 0.3, "rho": 1.5, "net_statistic": "authors", "mu": 1e-2,
    "mu_factor": 5.0, "mu_min": 1e-10, "mu_max": 1e10, "learning_rate_init": 0.01,
    "learning_rate": "adaptive", "power_t": 0.25, "decay_rate": 0.9, "decay_steps": 10,
    "momentum": 0.5, "nesterovs_momentum": False, "beta_1": 0.8, "beta_2": 0.99,
    "epsilon": 1e-6, "batch_size": 8, "shuffle": False, "max_grad_norm": 1.0,
    "max_iter": 3, "goal": 0.1, "tol": None, "alpha": 0.5, "weight_groups": "ard",
    "prune_ratio": 1e3,
    "init": "glorot", "n_init": 7, "committee_size": None, "early_stopping": True,
    "validation_fraction": 0.3, "n_iter_no_change": 2, "n_jobs": 2, "random_state": 123,
    "verbose": 2, "warm_start": True,
    # the classifier's
    "loss": None, "moderation": None, "class_weight": "balanced",
}
TOGGLE = {"loss": ("log_loss", "squared_error"), "moderation": ("probit", None),
          "committee_size": (1, 2), "weight_groups": ("ard", "layers")}
# parameters documented to act at prediction time
PREDICTION_TIME = {LMWCClassifier: {"moderation"}, LMWCRegressor: set()}

SMALL = dict(hidden_layer_sizes=(3,), max_iter=8, n_init=2, committee_size=2,
             random_state=0)
FITS = {
    "regressor": (LMWCRegressor, "continuous", {}),
    "regressor-2-outputs-layers": (LMWCRegressor, "continuous-2",
                                   {"weight_groups": "layers"}),
    "regressor-ard-pruned": (LMWCRegressor, "continuous-constant-copy",
                             {"weight_groups": "ard", "prune_ratio": 100.0}),
    "multiclass-log_loss-probit": (LMWCClassifier, "multiclass",
                                   {"moderation": "probit"}),
    "multiclass-log_loss": (LMWCClassifier, "multiclass", {}),
    "binary-log_loss-probit": (LMWCClassifier, "binary", {"moderation": "probit"}),
    "binary-squared_error": (LMWCClassifier, "binary", {"loss": "squared_error"}),
    "multiclass-squared_error": (LMWCClassifier, "multiclass", {"loss": "squared_error"}),
    "multilabel-log_loss-probit": (LMWCClassifier, "multilabel", {"moderation": "probit"}),
    "multilabel-squared_error": (LMWCClassifier, "multilabel", {"loss": "squared_error"}),
    "binary-log_loss-one-trial": (LMWCClassifier, "binary", {"n_init": 1,
                                                             "committee_size": 1}),
}


def _data(kind):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (50, 3))
    f = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2]
    if kind == "continuous":
        return X, 3.0 * f + 1.0
    if kind == "continuous-constant-copy":  # two inputs pruned before the fit
        return np.column_stack([X, np.ones(len(X)), X[:, 0]]), 3.0 * f + 1.0
    if kind == "continuous-2":
        return X, np.column_stack([3.0 * f + 1.0, X[:, 2] ** 2])
    if kind == "binary":
        return X, np.where(f > 0, "yes", "no")
    if kind == "multiclass":
        return X, np.digitize(f, [-0.3, 0.3])
    return X, np.column_stack([f > 0, X[:, 0] > 0]).astype(int)


def _predictions(est, X):
    """Everything the fitted estimator predicts on X, by name."""
    out = {"layout_": repr(est.layout_)}
    if isinstance(est, LMWCRegressor):
        out["predict"] = est.predict(X)
        out["predict std"] = est.predict(X, return_std=True)
        out["predict cov"] = est.predict(X, return_cov=True)
        return out
    out["predict"] = est.predict(X)
    out["predict_proba"] = est.predict_proba(X)
    out["predict_log_proba"] = est.predict_log_proba(X)
    out["decision_function"] = est.decision_function(X)
    out["decision_function std"] = est.decision_function(X, return_std=True)
    return out


@pytest.fixture(scope="module", params=list(FITS))
def fitted(request):
    Estimator, kind, params = FITS[request.param]
    X, y = _data(kind)
    est = Estimator(**{**SMALL, **params}).fit(X, y)
    return est, X, _predictions(est, X)


def _other(est, name):
    if name in TOGGLE:
        first, second = TOGGLE[name]
        return second if est.get_params()[name] == first else first
    return OTHER_VALUE[name]


def test_every_parameter_has_another_value():
    for Estimator in (LMWCRegressor, LMWCClassifier):
        params = Estimator().get_params()
        assert set(params) <= set(OTHER_VALUE), set(params) - set(OTHER_VALUE)
        for name in params:
            if name not in TOGGLE:
                assert OTHER_VALUE[name] != params[name], name


def test_predictions_do_not_read_the_parameters(fitted):
    est, X, expected = fitted
    for name in est.get_params():
        if name in PREDICTION_TIME[type(est)]:
            continue
        changed = copy.deepcopy(est).set_params(**{name: _other(est, name)})
        assert changed.get_params()[name] != est.get_params()[name]
        got = _predictions(changed, X)
        for key, value in expected.items():
            if isinstance(value, tuple):
                for a, b in zip(value, got[key]):
                    np.testing.assert_array_equal(b, a, err_msg=f"{name}: {key}")
            elif isinstance(value, str):
                assert got[key] == value, f"{name}: {key}"
            else:
                np.testing.assert_array_equal(got[key], value, err_msg=f"{name}: {key}")


def test_log_loss_model_keeps_its_probabilities_when_loss_changes():
    # issue 29: after set_params(loss="squared_error") iris' first row went from
    # 0.9992 to 0.8959 while layout_ still said softmax
    X, y = _data("multiclass")
    est = LMWCClassifier(**SMALL).fit(X, y)
    proba = est.predict_proba(X)
    est.set_params(loss="squared_error")
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    assert est.out_activation_ == est.layout_.output_link == "softmax"


def _parameter_doc(Estimator, name):
    doc = Estimator.__doc__
    match = re.search(rf"\n    {name} : .*?(?=\n    \w[\w, ]* : |\n    Attributes\n)", doc,
                      re.S)
    assert match, name
    return " ".join(match.group(0).split())


@pytest.mark.parametrize("Estimator", [LMWCClassifier, LMWCRegressor])
def test_prediction_time_parameters_say_so(Estimator):
    for name in PREDICTION_TIME[Estimator]:
        assert "acts at prediction time" in _parameter_doc(Estimator, name), name


def test_prediction_time_parameters_do_act_then():
    X, y = _data("multiclass")
    est = LMWCClassifier(**SMALL).fit(X, y)
    plain = est.predict_proba(X)
    moderated = est.set_params(moderation="probit").predict_proba(X)
    assert not np.array_equal(plain, moderated)
