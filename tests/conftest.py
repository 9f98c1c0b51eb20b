"""Test configuration: the ``slow`` marker, and Hypothesis profiles.

Statistical tests (success rates over many random starts) and long fits are marked
``@pytest.mark.slow``. pyproject.toml registers the marker and deselects them by default
(``addopts = "-ra -m 'not slow'"``), so ``python -m pytest`` stays under 3 minutes on 2
cores; ``python -m pytest -m slow`` runs only them, ``python -m pytest -m ""`` runs
everything. CI (.ci/run) runs both commands.

Hypothesis profiles for the property-based tests (tests/test_properties.py); pick one
with ``--hypothesis-profile=NAME``:

- ``default``: 25 examples per property, so the whole suite stays fast;
- ``thorough``: 500 examples per property, for a deliberate hunt
  (``python -m pytest tests/test_properties.py --hypothesis-profile=thorough``).

Both have no deadline: a fit's time varies with the drawn network and data, and
with the machine's load.

Fixtures:

- ``benchmark_script(name)`` imports ``benchmarks/NAME.py`` as a module, for the
  benchmarks' smoke tests;
- ``one_blas_thread`` limits BLAS to one thread for a whole test module (module
  scope: one limit for all its tests and module-scoped fixtures); a module takes it
  with ``pytestmark = pytest.mark.usefixtures("one_blas_thread")``. Its matrices are
  small (N <= ~600): multithreaded BLAS gains little on them and slows down badly
  when the cores are shared with other processes;
- ``flat_count`` is ``count(network, w, X, threshold=0.1)``: how many (sample, hidden
  neuron) pairs sit on a flat spot of the activation, ``|f'(gain * net)| < threshold
  * max f'``, computed from ``network.forward``'s nets and the activations' textbook
  derivatives, independently of the engine's slopes and its own count
  (``Network.forward_counting_flat``);
- ``close_figures`` closes the matplotlib figures a test opened (the displays' tests
  take it with ``pytestmark = pytest.mark.usefixtures("close_figures")``).

Shared data and checks, imported (``from conftest import ...``): the small problem of
the input-validation, numerical-trouble and estimator-state tests (``X``, ``Y_REG``,
``Y_CLF``, the estimators' parameters ``SMALL``, ``BOTH`` to parametrize over the two
estimators), ``no_runtime_warnings()``, ``outputs(est, X)``,
``assert_finite_model(est, X)``, ``assert_same_evidence(a, b)`` (weighted against
repeated rows) and ``fit_quietly(model, X, y)`` (the displays' fits).
"""

import importlib.util
import warnings
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

# parameters of the first-order solvers for scikit-learn's estimator checks
# (test_regressor.py, test_classifier.py): rates that fit the checks' data in 50 epochs
FIRST_ORDER = {"ebp": dict(learning_rate_init=1e-3, momentum=0.5),
               "sgd": dict(learning_rate_init=0.05), "adam": dict(learning_rate_init=0.05),
               "rmsprop": dict(learning_rate_init=0.01)}

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow],
               print_blob=True)

settings.register_profile("default", max_examples=25, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
settings.load_profile("default")  # the command line's --hypothesis-profile overrides it


@cache
def _load_benchmark(name):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_{name}_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def benchmark_script():
    """``load(name)``: the script ``benchmarks/<name>.py`` imported as a module."""
    return _load_benchmark


@pytest.fixture(scope="module")
def one_blas_thread():
    """BLAS on one thread for the module's tests (see the module's docstring)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# f'(z) of every hidden activation, and its maximum, written from the textbook
# definitions (not from sklearn_lmwc._activations)
_DERIVATIVES = {
    "tanh": (lambda z: 1.0 - np.tanh(z) ** 2, 1.0),
    "logistic": (lambda z: np.exp(-np.logaddexp(0.0, z) - np.logaddexp(0.0, -z)), 0.25),
    "identity": (lambda z: np.ones_like(z), 1.0),
    "relu": (lambda z: (z > 0).astype(float), 1.0),
    "elu": (lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))), 1.0),
    "selu": (lambda z: 1.0507009873554805 * np.where(
        z > 0, 1.0, 1.6732632423543772 * np.exp(np.minimum(z, 0.0))),
             1.0507009873554805 * 1.6732632423543772),
    "leaky_relu": (lambda z: np.where(z > 0, 1.0, 0.01), 1.0),
    "softplus": (lambda z: 1.0 / (1.0 + np.exp(-z)), 1.0),
}


def _flat_count(network, w, X, threshold=0.1):
    derivative, max_slope = _DERIVATIVES[network.activation.name]
    _, (_, nets, _) = network.forward(w, X, keep=True)
    # a count per network for a stack of weight vectors (nets (T, n, size))
    return sum(np.count_nonzero(derivative(network.activation.gain * net)
                                < threshold * max_slope, axis=(-2, -1))
               for net in nets)


def _fd_jacobian(network, w, X, h=1e-6):
    """d outputs / d weights (n, M, N) by central differences of the forward pass."""
    J = np.empty((X.shape[0], network.n_outputs, w.size))
    for i in range(w.size):  # a loop over the weights, each step vectorised over rows
        e = np.zeros(w.size)
        e[i] = h
        J[:, :, i] = (network.forward(w + e, X) - network.forward(w - e, X)) / (2 * h)
    return J


@pytest.fixture(scope="session")
def fd_jacobian():
    """``jacobian(network, w, X, h=1e-6)``: the Jacobian of the outputs by central
    differences, independent of ``Network.jacobian``."""
    return _fd_jacobian


@pytest.fixture(scope="session")
def flat_count():
    """``count(network, w, X, threshold=0.1)``: the flat-spot count (module docstring)."""
    return _flat_count


# ---- the small problem of the input-validation, numerical-trouble and estimator-state
# tests (test_input_validation.py, test_numerical_trouble.py, test_estimator_state.py),
# 40 rows of 3 features in [-1, 1], and what those tests assert of a fitted model
X = np.random.RandomState(0).uniform(-1, 1, (40, 3))
Y_REG = np.sin(2 * X[:, 0]) + X[:, 1]
Y_CLF = (Y_REG > 0).astype(int)
# an MLP: its tanh layer bounds what the outputs see of hostile inputs (bridged
# topologies, the default, pass the inputs to the outputs: see
# test_bridged_default_says_when_inputs_overflow)
SMALL = dict(hidden_layer_sizes=(3,), topology="mlp", max_iter=10, random_state=0)

BOTH = [pytest.param(LMWCRegressor, Y_REG, id="regressor"),
        pytest.param(LMWCClassifier, Y_CLF, id="classifier")]


@contextmanager
def no_runtime_warnings():
    """Fail on any numpy RuntimeWarning (overflow, invalid value, divide by zero)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def outputs(est, X):
    """Everything numeric the estimator predicts (a classifier's labels are checked
    to be among classes_)."""
    if not hasattr(est, "predict_proba"):
        return [est.predict(X)]
    labels = est.predict(X)
    assert set(np.unique(labels)) <= set(est.classes_) | {0, 1}
    return [est.predict_proba(X), est.decision_function(X)]


def table_cells(table, first, after=None):
    """The cells of the markdown table row starting with FIRST (after the line AFTER,
    if given)."""
    lines = table.splitlines()
    if after is not None:
        lines = lines[lines.index(after):]
    row = next(line for line in lines if line.startswith(f"| {first} |"))
    return [c.strip() for c in row.strip("|").split("|")]


def fit_quietly(model, X, y):
    """``model.fit(X, y)`` with its ConvergenceWarnings silenced (short fits, failed
    starts): for the displays' tests, which draw what a fit left."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test opened."""
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def assert_same_evidence(a, b):
    """Two fits of the same problem (weighted, and with repeated rows) agree on the
    evidence's quantities to 1e-6: the log evidence (the kept trial's and every
    trial's), alpha and gamma."""
    assert a.log_evidence_ == pytest.approx(b.log_evidence_, rel=1e-6)
    np.testing.assert_allclose(a.init_results_["log_evidence"],
                               b.init_results_["log_evidence"], rtol=1e-6)
    np.testing.assert_allclose(a.alpha_, b.alpha_, rtol=1e-6)
    np.testing.assert_allclose(a.n_effective_params_, b.n_effective_params_,
                               rtol=1e-6, atol=1e-9)


def assert_finite_model(est, X):
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))
    assert np.isfinite(est.loss_)
    with no_runtime_warnings():
        for out in outputs(est, X):
            assert np.all(np.isfinite(out))
