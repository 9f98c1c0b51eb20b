"""The registry of solvers (``_solvers``): every registered solver runs, and what each
supports (losses, batching, chunked data) is what the estimators honour."""

import inspect

import numpy as np
import pytest

from sklearn_lmwc import LMWCClassifier, LMWCRegressor, _costs, _trials
from sklearn_lmwc._compression import NoPolicy
from sklearn_lmwc._loop import TERMINATION_MESSAGES, RunResult, serve
from sklearn_lmwc._losses import SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective
from sklearn_lmwc._options import fit_options
from sklearn_lmwc._solvers import SOLVERS

_CLASSIFIER_LOSSES = LMWCClassifier._parameter_constraints["loss"][0].options


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_every_solver_runs_to_a_result_and_decreases_the_loss(name):
    X, y = _data(40)
    network = Network(2, (3,), 1, "mlp", "tanh")
    objective = Objective(network, SquaredError(), X, y[:, None])
    w0 = np.random.default_rng(1).uniform(-1, 1, network.n_weights)
    start = objective.start(w0)
    # its own options from an estimator's parameters (a rate the first-order ones
    # descend at on these data)
    options = fit_options(LMWCRegressor(learning_rate_init=0.01)._trial_params(), True)
    options = SOLVERS[name].options(options, np.random.RandomState(0))
    run = SOLVERS[name].run(objective, start, NoPolicy(), **options, max_iter=5,
                            goal=0.0, callback=None)
    assert inspect.isgenerator(run)
    result = serve(run)
    assert isinstance(result, RunResult) and result.status in TERMINATION_MESSAGES
    assert 1 <= result.n_iter <= 5 and len(result.loss_curve) == result.n_iter
    # the value it reports is the objective at the weights it returns, and lower
    assert result.value == pytest.approx(objective.value(result.w), rel=1e-12)
    assert result.value < start.value
    assert result.loss_curve[-1] == pytest.approx(objective.mean(result.value), rel=1e-12)


_REFUSED = [(name, loss) for name, solver in sorted(SOLVERS.items())
            if solver.losses is not None
            for loss in sorted(_CLASSIFIER_LOSSES - solver.losses)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name, loss", _REFUSED)
def test_the_estimator_refuses_a_loss_the_solver_does_not_train(name, loss):
    X, y = _data(30)
    y = (y > np.median(y)).astype(int)
    with pytest.raises(ValueError) as error:
        LMWCClassifier(solver=name, loss=loss).fit(X, y)
    assert f'solver="{name}"' in str(error.value) and f'loss="{loss}"' in str(error.value)
    # a loss it trains is fitted
    trained = sorted(_CLASSIFIER_LOSSES & SOLVERS[name].losses)[0]
    model = LMWCClassifier((2,), solver=name, loss=trained, max_iter=2, alpha=0.0,
                           compression=None, random_state=0).fit(X, y)
    assert model.n_iter_ >= 1


def _dask_estimators():
    pytest.importorskip("dask")
    from sklearn_lmwc.dask import DaskLMWCClassifier, DaskLMWCRegressor

    return DaskLMWCRegressor, DaskLMWCClassifier


@pytest.mark.parametrize("name", sorted(n for n, s in SOLVERS.items() if not s.chunked))
def test_the_dask_estimators_refuse_solvers_that_are_not_chunked(name):
    X, y = _data(30)
    for estimator, target in zip(_dask_estimators(), [y, (y > np.median(y)).astype(int)]):
        with pytest.raises(ValueError) as error:
            estimator(solver=name).fit(X, target)
        message = str(error.value)
        assert f'solver="{name}"' in message
        assert all(f'"{other}"' in message for other, s in SOLVERS.items() if s.chunked)


@pytest.mark.parametrize("name", sorted(n for n, s in SOLVERS.items() if s.chunked))
def test_the_dask_estimators_take_chunked_solvers(name):
    for estimator in _dask_estimators():
        assert estimator((4,), solver=name)._check_params() == [4]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_trials_are_served_together_only_by_batchable_solvers(name, monkeypatch):
    # every run worth serving together (the work bound lifted) and a spy on the batching
    monkeypatch.setattr(_costs, "_MAX_WORK_TOGETHER", 1e300)
    served = []
    serve_together = _trials.serve_together

    def spy(runs, n_weights):
        served.append(n_weights)
        return serve_together(runs, n_weights)

    monkeypatch.setattr(_trials, "serve_together", spy)
    X, y = _data(60)
    model = LMWCRegressor((3,), solver=name, n_init=2, max_iter=3, n_jobs=1,
                          random_state=0)
    plan = _costs.plan(Network(2, (3,), 1, model.topology, model.activation), len(X))
    assert plan.worth_serving_together(2)  # the batching is the solver's to refuse
    model.fit(X, y)
    assert len(model.init_results_["loss"]) == 2
    assert bool(served) == SOLVERS[name].batchable
