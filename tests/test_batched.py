"""Trials served together (``_batched``) take the path each takes alone."""

import numpy as np
import pytest

from sklearn_lmwc import LMWCClassifier, LMWCRegressor, _batched, _costs
from sklearn_lmwc._compression import make_policy
from sklearn_lmwc._init import initialize
from sklearn_lmwc._lm import lm_run
from sklearn_lmwc._loop import serve
from sklearn_lmwc._losses import LogLoss, SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective
from sklearn_lmwc.datasets import make_parity, make_two_spirals


def _sine(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, (n, 2))
    return X, np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.05 * rng.normal(size=n)


@pytest.fixture
def one_by_one(monkeypatch):
    """Make every fit run its trials one by one."""
    def fit(estimator, *args, **kwargs):
        with monkeypatch.context() as m:
            m.setattr(_costs, "_MAX_WORK_TOGETHER", 0)
            return estimator.fit(*args, **kwargs)
    return fit


def _assert_same_trials(batched, alone, rtol=1e-8, curve_rtol=1e-8):
    a, b = batched.init_results_, alone.init_results_
    for key in ("n_iter", "n_compressions", "converged"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=rtol, atol=1e-14)
    for x, y in zip(batched.coefs_ + batched.intercepts_, alone.coefs_ + alone.intercepts_):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(batched.loss_curve_, alone.loss_curve_, rtol=curve_rtol,
                               atol=1e-14)


def _runs(objectives, seeds, compression, max_iter=30, **options):
    runs = []
    for objective, seed in zip(objectives, seeds):
        rng = np.random.RandomState(seed)

        def draw(r=rng, net=objective.network):
            return initialize(net, "uniform", r)

        w = draw()
        policy = make_policy(compression, "stall", objective=objective,
                             start=objective.start(w), draw=draw, beta=1e-3)
        # from the weights: each run's first pass is a request of its own
        runs.append(lm_run(objective, w, policy, max_iter=max_iter, **options))
    return runs


@pytest.mark.parametrize("compression", [None, "adaptive", "restart"])
def test_runs_served_together_equal_runs_served_alone(compression):
    X, y = make_parity(4)
    network = Network(4, (2,), 1, "fcc")
    seeds = range(6)

    def objectives():
        return [Objective(network, SquaredError(), X, y[:, None]) for _ in seeds]

    together = _batched.serve_together(_runs(objectives(), seeds, compression),
                                       network.n_weights)
    alone = [serve(run) for run in _runs(objectives(), seeds, compression)]
    assert sum(r.n_events for r in alone) > 0 or compression is None
    for a, b in zip(together, alone):
        assert (a.n_iter, a.n_events, a.converged) == (b.n_iter, b.n_events, b.converged)
        np.testing.assert_allclose(a.w, b.w, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(a.loss_curve, b.loss_curve, rtol=1e-8, atol=1e-14)


def test_at_most_the_stack_limit_under_way(monkeypatch):
    X, y = make_parity(4)
    network = Network(4, (2,), 1, "fcc")
    seeds = range(5)
    served = []
    inner = _batched._serve_round

    def spy(pending):
        served.append(len(pending))
        return inner(pending)

    monkeypatch.setattr(_batched, "_serve_round", spy)
    monkeypatch.setattr(_batched, "MAX_STACK_ELEMENTS", 2 * network.n_weights**2)
    objectives = [Objective(network, SquaredError(), X, y[:, None]) for _ in seeds]
    limited = _batched.serve_together(_runs(objectives, seeds, "adaptive"),
                                      network.n_weights)
    alone = [serve(run) for run in _runs(
        [Objective(network, SquaredError(), X, y[:, None]) for _ in seeds], seeds,
        "adaptive")]
    assert max(served) == 2
    for a, b in zip(limited, alone):
        np.testing.assert_allclose(a.w, b.w, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("params, curve_rtol", [
    (dict(), 1e-8),  # the defaults: bmlp, alpha="auto" (bayes), tol rule, compression
    (dict(topology="fcc", hidden_layer_sizes=(3,), alpha=0.0, compression="restart"), 1e-8),
    (dict(hidden_layer_sizes=(4,), alpha=0.1, compression=None, tol=None, max_iter=25), 1e-8),
    # after the validation's best point the kept trial compresses, and the steps that
    # follow under the held alpha are ill-conditioned: the stacked products' rounding
    # grows to 3e-7 of the loss over the path's last 6 iterations (the weights
    # returned, the best validation point's, agree to 1e-8)
    (dict(hidden_layer_sizes=(4,), early_stopping=True, validation_fraction=0.25), 1e-6),
])
def test_regressor_trials_together_equal_one_by_one(params, curve_rtol, one_by_one):
    X, y = _sine()
    sw = np.random.RandomState(1).uniform(0.5, 2.0, y.size)
    est = LMWCRegressor(n_init=4, random_state=0, **params)
    assert Objective(Network(2, est.hidden_layer_sizes, 1, est.topology), SquaredError(),
                     X, y[:, None]).plan.worth_serving_together(4)
    batched = est.fit(X, y, sample_weight=sw)
    alone = one_by_one(LMWCRegressor(n_init=4, random_state=0, **params), X, y,
                       sample_weight=sw)
    _assert_same_trials(batched, alone, curve_rtol=curve_rtol)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes, X", [
    (2, _sine(80)[0]),  # one logistic output
    # ten softmax outputs: a lone trial builds Q from Kronecker blocks, trials
    # together through the Jacobian
    (10, np.random.RandomState(0).normal(size=(100, 8)))])
def test_classifier_trials_together_equal_one_by_one(n_classes, X, one_by_one):
    y = np.arange(len(X)) % n_classes
    params = dict(hidden_layer_sizes=(10,), topology="mlp", n_init=3, random_state=2,
                  max_iter=20)
    _assert_same_trials(LMWCClassifier(**params).fit(X, y),
                        one_by_one(LMWCClassifier(**params), X, y))


def test_split_among_jobs_gives_the_same_trials():
    X, y = make_parity(4)
    params = dict(hidden_layer_sizes=(2,), topology="fcc", goal=0.05, alpha=0.0, tol=None,
                  max_iter=60, init="uniform", n_init=6, random_state=3)
    _assert_same_trials(LMWCRegressor(n_jobs=2, **params).fit(X, y),
                        LMWCRegressor(n_jobs=1, **params).fit(X, y))


def test_init_results_describe_every_trial():
    X, y = make_parity(4)
    est = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", goal=0.05, alpha=0.0,
                        tol=None, max_iter=60, init="uniform", n_init=8,
                        random_state=0).fit(X, y)
    r = est.init_results_
    assert all(len(v) == 8 for v in r.values())
    # the kept trial is the lowest loss, and it is the fitted model's
    assert est.loss_ == pytest.approx(r["loss"].min(), rel=1e-12)
    assert est.n_iter_ in r["n_iter"][r["loss"] == r["loss"].min()]
    np.testing.assert_array_equal(r["converged"], r["loss"] <= (0.05**2) * (1 + 1e-9))
    assert 0 < r["converged"].sum() < 8  # parity: some starts fail
    assert np.all(r["seconds"] > 0) and np.all(r["n_iter"] >= 1)


def test_worth_serving_together_only_small_networks_in_the_weights_space():
    X, y = _sine(100)
    small = Objective(Network(2, (3,), 1, "fcc"), SquaredError(), X, y[:, None])
    assert small.plan.worth_serving_together(2)
    assert not small.plan.worth_serving_together(1)
    big = Objective(Network(2, (200,), 1, "mlp"), SquaredError(), X, y[:, None])
    assert big.plan.form == "residuals" and not big.plan.worth_serving_together(8)
    # ten classes: a lone trial builds Q from Kronecker blocks, trials together
    # through the Jacobian
    X10 = np.random.RandomState(0).normal(size=(100, 8))
    several = Objective(Network(8, (10,), 10, "mlp"), LogLoss("softmax"), X10,
                        np.eye(10)[np.arange(100) % 10])
    assert several.plan.kronecker and several.plan.worth_serving_together(2)


def _interrupt_round(monkeypatch, kind, k):
    """Ctrl-C in the k-th round that serves requests of this kind."""
    calls = [0]
    inner = _batched._SERVE[kind]

    def interrupting(requests):
        calls[0] += 1
        if calls[0] == k:
            raise KeyboardInterrupt
        return inner(requests)

    monkeypatch.setitem(_batched._SERVE, kind, interrupting)


def _interrupted_fit(X, y, max_iter):
    est = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", alpha=0.0, tol=None,
                        compression=None, max_iter=max_iter, n_init=3, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        return est.fit(X, y)


def test_interrupt_ends_every_trial_with_its_weights(monkeypatch):
    X, y = make_parity(4)
    _interrupt_round(monkeypatch, _batched.Tries, 5)
    est = _interrupted_fit(X, y, max_iter=50)
    # every trial stopped between its iterations, long before max_iter
    assert np.all((1 <= est.init_results_["n_iter"]) & (est.init_results_["n_iter"] < 5))
    assert np.all(np.isfinite(est.predict(X)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_names_every_trial(capsys):
    X, y = make_parity(4)
    LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", max_iter=5, n_init=3,
                  verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert all(f"[trial {k}] loss = " in out for k in (1, 2, 3))
    assert "Kept trial" in out


def _paper_trials(X, y, hidden, beta, max_iter, together, monkeypatch):
    with monkeypatch.context() as m:
        if not together:
            m.setattr(_costs, "_MAX_WORK_TOGETHER", 0)
        return LMWCRegressor(hidden_layer_sizes=(hidden,), topology="fcc", init="uniform",
                             alpha=0.0, beta=beta, goal=0.1 / y.std(), tol=None,
                             max_iter=max_iter, n_init=32, random_state=0).fit(X, y)


def _assert_same_outcomes(batched, alone):
    a, b = batched.init_results_, alone.init_results_
    for key in ("n_iter", "n_compressions", "converged"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-6, atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("data, beta", [(make_parity(5), 1e-3),
                                        (make_parity(7, summed=True), 1e-2)])
def test_paper_parity_trials_have_their_own_outcomes(data, beta, monkeypatch):
    # 32 starts of the paper's parity settings, 100 iterations: the same success,
    # iterations and compressions for every start, together or alone
    X, y = data
    batched = _paper_trials(X, y, 2, beta, 100, True, monkeypatch)
    alone = _paper_trials(X, y, 2, beta, 100, False, monkeypatch)
    assert 0 < batched.init_results_["converged"].sum() < 32
    _assert_same_outcomes(batched, alone)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_two_spiral_trials_have_their_own_outcomes(monkeypatch):
    X, y = make_two_spirals()
    _assert_same_outcomes(_paper_trials(X, y, 9, 1e-4, 300, True, monkeypatch),
                          _paper_trials(X, y, 9, 1e-4, 300, False, monkeypatch))


def test_a_run_whose_system_overflows_keeps_its_weights_beside_the_others():
    X, y = make_parity(4)
    network = Network(4, (2,), 1, "fcc")
    seeds = range(3)

    def runs():
        objectives = [Objective(network, SquaredError(), X, y[:, None]) for _ in seeds]
        made = _runs(objectives, seeds, None, max_iter=5)
        # the middle run starts where its Jacobian overflows: no step can be taken
        made[1] = lm_run(objectives[1], objectives[1].start(np.full(network.n_weights, 1e200)),
                         make_policy(None, "stall", objective=None, start=None, draw=None),
                         max_iter=5)
        return made

    together = _batched.serve_together(runs(), network.n_weights)
    alone = [serve(run) for run in runs()]
    np.testing.assert_array_equal(together[1].w, np.full(network.n_weights, 1e200))
    for a, b in zip(together, alone):
        assert a.n_iter == b.n_iter == 5
        np.testing.assert_allclose(a.w, b.w, rtol=1e-8, atol=1e-10)


def test_init_results_are_each_trials_own_end_with_early_stopping():
    X, y = _sine(80)
    est = LMWCRegressor(hidden_layer_sizes=(4,), n_init=3, early_stopping=True, alpha=0.0,
                        compression=None, random_state=0).fit(X, y)
    # the kept trial's entry is its final loss, not the loss at its best-scoring
    # weights (which loss_ is, with early stopping)
    finals = est.init_results_["loss"]
    assert len(finals) == 3
    assert est.loss_curve_[-1] in finals


def test_interrupt_before_a_later_run_starts_keeps_the_finished_ones(monkeypatch):
    X, y = make_parity(4)
    network = Network(4, (2,), 1, "fcc")
    monkeypatch.setattr(_batched, "MAX_STACK_ELEMENTS", network.n_weights**2)  # one at a time
    _interrupt_round(monkeypatch, _batched.Values, 2)  # the first pass of the second run
    seeds = range(3)
    objectives = [Objective(network, SquaredError(), X, y[:, None]) for _ in seeds]
    results = _batched.serve_together(_runs(objectives, seeds, None, max_iter=5),
                                      network.n_weights)
    # the run that finished is kept; the one interrupted before its first iteration
    # and the one not started have no result
    assert results[0].n_iter == 5 and results[1] is None and results[2] is None


def test_trials_not_started_by_an_interrupt_are_left_out(monkeypatch):
    X, y = make_parity(4)
    network = Network(4, (2,), 1, "fcc")
    monkeypatch.setattr(_batched, "MAX_STACK_ELEMENTS", network.n_weights**2)  # one at a time
    inner, first = _batched._SERVE[_batched.Tries], []

    def interrupting(requests):  # Ctrl-C in the second trial's first iteration
        first.append(first[0] if first else requests[0].objective)
        if requests[0].objective is not first[0]:
            raise KeyboardInterrupt
        return inner(requests)

    monkeypatch.setitem(_batched._SERVE, _batched.Tries, interrupting)
    est = _interrupted_fit(X, y, max_iter=5)
    # the first trial finished, the second stopped at its start, the third never ran
    np.testing.assert_array_equal(est.init_results_["n_iter"], [5, 0])
    assert np.all(np.isfinite(est.predict(X)))
