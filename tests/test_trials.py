"""Tests of how trials are run (_trials.py): threads for the passes over the data."""

import numpy as np
import pytest
from joblib import parallel_config
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_lmwc import LMWCRegressor, _costs
from sklearn_lmwc._passes import Passes
from sklearn_lmwc._trials import blas_threads


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
        blas.append(blas_threads())
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
