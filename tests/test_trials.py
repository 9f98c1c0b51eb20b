"""Tests of how trials are run (_trials.py): threads for the passes over the data, and
the per-iteration records a trial carries to the fitted attributes (checked against the
rules they follow: the damping's, the stall trigger's)."""

import pickle
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_lmwc import LMWCRegressor, _costs
from sklearn_lmwc._passes import Passes
from sklearn_lmwc._trials import blas_threads
from sklearn_lmwc.datasets import make_parity


def test_blas_threads_are_threadpoolctls():
    threads = max([lib["num_threads"] for lib in threadpool_info()
                   if lib["user_api"] == "blas"], default=1)
    assert blas_threads() == threads
    with threadpool_limits(limits=1, user_api="blas"):
        assert blas_threads() == 1


def _data(n=600):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (n, 3))
    return X, np.sin(X @ np.array([1.0, -2.0, 0.5])) + 0.05 * rng.normal(size=n)


def _weights(est):
    return np.concatenate([a.ravel() for a in est.coefs_ + est.intercepts_])


@pytest.mark.parametrize("alpha", [0.0, "bayes"])
def test_a_fit_on_threads_is_the_fit_on_one(alpha, monkeypatch):
    # the threads BLAS may use run the shares of the rows, with one BLAS thread each;
    # the shares, and so the sums, are the same on one thread
    X, y = _data()
    monkeypatch.setattr(_costs, "_MIN_SHARE_STATE", 1000)  # shares of this small set
    objectives, blas = [], []
    use_threads, map_shares = Passes.use_threads, Passes.map_shares

    def recording(self, threads):
        objectives.append(self)
        return use_threads(self, threads)

    def recording_blas(self, *args, **kwargs):
        if self in objectives:  # the trial's passes (the fit's posterior pass follows
            blas.append(blas_threads())  # the caller's BLAS threads)
        return map_shares(self, *args, **kwargs)

    monkeypatch.setattr(Passes, "use_threads", recording)
    monkeypatch.setattr(Passes, "map_shares", recording_blas)
    monkeypatch.setattr("sklearn_lmwc._trials.blas_threads", lambda: 2)
    params = dict(hidden_layer_sizes=(6,), alpha=alpha, tol=None, max_iter=15, n_init=1,
                  random_state=0)
    split = LMWCRegressor(**params).fit(X, y)
    (passes,) = objectives
    assert passes.shares > 1 and passes.threads == 2 and set(blas) == {1}
    # the trial's objective is closed when it ends: no forward state kept
    assert passes._kept is None
    monkeypatch.setattr("sklearn_lmwc._trials.blas_threads", lambda: 1)
    alone = LMWCRegressor(**params).fit(X, y)
    assert objectives[1].threads == 1
    assert split.n_iter_ == alone.n_iter_ and split.loss_curve_ == alone.loss_curve_
    np.testing.assert_array_equal(_weights(split), _weights(alone))


def test_n_jobs_and_threads_give_identical_trials(monkeypatch):
    # joblib's workers allow other BLAS threads than the caller: the trials are the same
    X, y = _data()
    monkeypatch.setattr(_costs, "_MIN_SHARE_STATE", 1000)
    monkeypatch.setattr(_costs, "_MAX_WORK_TOGETHER", 0)  # trials one by one
    params = dict(hidden_layer_sizes=(6,), tol=None, max_iter=10, n_init=2,
                  random_state=0)
    one = LMWCRegressor(**params, n_jobs=1).fit(X, y)
    with parallel_config(backend="threading"):
        two = LMWCRegressor(**params, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.init_results_["loss"], two.init_results_["loss"])
    np.testing.assert_array_equal(_weights(one), _weights(two))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scipy_backend_stays_on_one_thread(monkeypatch):
    # its Jacobian is one pass of its own, not in shares
    X, y = _data()
    monkeypatch.setattr(_costs, "_MIN_SHARE_STATE", 1000)
    monkeypatch.setattr("sklearn_lmwc._trials.blas_threads", lambda: 2)
    threads = []
    use_threads = Passes.use_threads

    def recording(self, n):
        threads.append(use_threads(self, n))
        return threads[-1]

    monkeypatch.setattr(Passes, "use_threads", recording)
    LMWCRegressor(hidden_layer_sizes=(6,), solver="scipy", max_iter=5, n_init=1,
                  random_state=0).fit(X, y)
    assert threads == [1]


@pytest.mark.parametrize("threads, large, limit", [(1, False, 1), (1, True, 4),
                                                   (2, False, 1), (2, True, 2)])
def test_blas_threads_are_shared_among_the_shares(threads, large, limit, monkeypatch):
    # the threads allowed: the shares' threads each with its part of BLAS's, which
    # only go to large products
    X, y = _data()
    monkeypatch.setattr(_costs, "_MIN_SHARE_STATE", 1000 if threads == 2 else 1e30)
    monkeypatch.setattr("sklearn_lmwc._trials.blas_threads", lambda: 4)
    monkeypatch.setattr(_costs, "_MIN_PRODUCT_FOR_BLAS_THREADS",
                        0 if large else float("inf"))
    recorded = []

    def recording(limits=None, user_api=None):
        recorded.append(limits)
        return threadpool_limits(limits=limits, user_api=user_api)

    monkeypatch.setattr("sklearn_lmwc._trials.threadpool_limits", recording)
    LMWCRegressor(hidden_layer_sizes=(6,), tol=None, max_iter=2, n_init=1,
                  random_state=0).fit(X, y)
    assert recorded == [limit]


# ---- the per-iteration records a trial carries to the fitted attributes -------------


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # failed starts warn
        return model.fit(X, y)


def _parity(**params):
    """Parity-5 in the paper's setting: stalls, compressions, some starts succeed."""
    X, y = make_parity(5)
    options = dict(hidden_layer_sizes=(2,), topology="fcc", goal=0.1, tol=None,
                   beta=1e-3, max_iter=60, n_init=1, random_state=0)
    return _fit(LMWCRegressor(**{**options, **params}), X, y)


def _check_lengths(model):
    n = model.n_iter_  # the monitor sees every iteration, the goal's too
    assert len(model.saturation_curve_) == n
    assert model.mu_curve_ is None or len(model.mu_curve_) == n
    assert model.n_effective_params_curve_ is None or \
        len(model.n_effective_params_curve_) == n
    assert model.validation_scores_ is None or len(model.validation_scores_) == n
    assert len(model.events_) == model.n_compressions_
    # a value after every iteration and every event, but a final one
    final = bool(model.events_) and model.events_[-1][0] == model.n_iter_
    assert len(model.loss_curve_) == model.n_iter_ + len(model.events_) - final
    # the trials' records, the kept one's among them
    r = model.init_results_
    assert len(r["loss_curve"]) == len(r["events"]) == len(r["loss"])
    kept = [i for i, curve in enumerate(r["loss_curve"]) if curve == model.loss_curve_]
    assert kept and any(r["events"][i] == model.events_ for i in kept)
    for curve, events, n_iter in zip(r["loss_curve"], r["events"], r["n_iter"]):
        assert len(curve) in (n_iter + len(events), n_iter + len(events) - 1)


def _expected_dampings(previous, mu_factor, mu_min, mu_max):
    """What an LM iteration started at ``previous`` can leave: after an accepted j-th
    try (damping ``previous * mu_factor^j``, growing by mu_factor to at most mu_max)
    that damping over mu_factor (at least mu_min); after 30 failed tries mu_factor
    times the last (at most mu_max); no try at all (a non-finite system): previous."""
    tried = [previous]
    for _ in range(30):
        tried.append(min(tried[-1] * mu_factor, mu_max))
    return [max(t / mu_factor, mu_min) for t in tried[:-1]] + [tried[-1], previous]


@pytest.mark.parametrize("params", [dict(), dict(mu=1e-2, mu_factor=3.0, mu_min=1e-5),
                                    dict(compression="restart")])
def test_mu_curve_follows_the_damping_rule(params):
    model = _parity(**params)
    p = model.get_params()
    assert model.events_ and len(model.mu_curve_) > 10
    after_event = {it + 1 for it, _ in model.events_}
    previous = None
    for k, mu in enumerate(model.mu_curve_, 1):
        # the first iteration, and the one after an event, start from mu
        start = p["mu"] if k == 1 or k in after_event else previous
        allowed = _expected_dampings(start, p["mu_factor"], p["mu_min"], p["mu_max"])
        assert np.isclose(mu, allowed, rtol=1e-12, atol=0).any(), (k, mu, start)
        previous = mu
    assert len(set(model.mu_curve_)) > 3  # the damping moves


@pytest.mark.parametrize("compression", ["adaptive", "restart"])
def test_events_are_where_the_stall_trigger_fires(compression):
    # with alpha 0 the loss curve is the objective over a constant, so the trigger
    # (relative change over one iteration <= beta) can be replayed on it: the value
    # before iteration k is k - 1's, or the one after k - 1's event
    model = _parity(compression=compression)
    beta, events = model.beta, dict(model.events_)
    assert events and set(events.values()) == {"compression" if compression == "adaptive"
                                                else "restart"}
    values = iter(model.loss_curve_)
    previous = None
    for k in range(1, model.n_iter_ + 1):
        value = next(values)
        if previous is not None and k < model.n_iter_:  # the last is not observed
            assert (abs(value - previous) <= beta * previous) == (k in events), k
        previous = next(values) if k in events else value


@pytest.mark.parametrize("params", [
    dict(),  # goal reached
    dict(goal=0.0, max_iter=12),  # max_iter
    dict(goal=0.0, tol=1e-3, n_iter_no_change=2, max_iter=60),  # the tol rule
    dict(goal=0.0, n_init=3, max_iter=15, early_stopping=True, validation_fraction=0.25),
])
def test_record_lengths(params):
    _check_lengths(_parity(**params))


def test_record_lengths_of_a_committee_and_a_warm_start():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (80, 2))
    y = np.tanh(2 * X[:, 0]) - X[:, 1] ** 2 + 0.05 * rng.normal(size=80)
    model = _fit(LMWCRegressor(hidden_layer_sizes=(3,), max_iter=15, warm_start=True,
                               random_state=0), X, y)
    assert len(model.init_results_["loss_curve"]) == 5  # n_init="auto": a committee
    _check_lengths(model)
    _fit(model.set_params(max_iter=4), X, y)  # a warm start: its own iterations
    assert model.n_iter_ <= 4 and len(model.init_results_["loss_curve"]) == 1
    _check_lengths(model)


@pytest.mark.parametrize("weight_groups", ["single", "layers"])
def test_n_effective_params_curve_ends_near_the_returned_gamma(weight_groups):
    # each value is the prior's estimate after an accepted step, from the system at
    # the step's start; n_effective_params_ is computed afresh at the returned
    # weights: at convergence (the tol rule, no compression) they agree closely
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1] + 0.05 * rng.normal(size=200)
    model = _fit(LMWCRegressor(hidden_layer_sizes=(5,), alpha="bayes", compression=None,
                               weight_groups=weight_groups, n_init=1, random_state=0),
                 X, y)
    curve = np.asarray(model.n_effective_params_curve_)
    _check_lengths(model)
    assert model.n_iter_ < 200 and np.isfinite(curve).all()
    n_weights = sum(c.size + b.size for c, b in zip(model.coefs_, model.intercepts_))
    assert np.all((curve > 0) & (curve <= n_weights))
    assert curve[-1] == pytest.approx(np.sum(model.n_effective_params_), rel=5e-3)
    assert np.ptp(curve) > 1  # it moved along the path


def test_no_gamma_curve_without_bayes_and_no_mu_curve_with_scipy():
    fixed = _parity(max_iter=5)
    assert fixed.n_effective_params_curve_ is None and len(fixed.mu_curve_) == 5
    X, y = make_parity(5)
    scipy = _fit(LMWCRegressor(hidden_layer_sizes=(2,), solver="scipy", alpha="bayes",
                               tol=None, max_iter=5, n_init=1, random_state=0), X, y)
    assert scipy.mu_curve_ is None and len(scipy.n_effective_params_curve_) == 5


def test_records_survive_pickling():
    model = _parity(n_init=2, max_iter=20)
    copy = pickle.loads(pickle.dumps(model))
    for name in ("events_", "mu_curve_", "loss_curve_", "saturation_curve_"):
        assert getattr(copy, name) == getattr(model, name)
    assert copy.init_results_["loss_curve"] == model.init_results_["loss_curve"]
