"""Tests of how trials are run (_trials.py): threads for the passes over the data."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc import _losses
from sklearn_lmwc._losses import Objective
from sklearn_lmwc._trials import blas_threads


def test_blas_threads_are_threadpoolctls():
    threads = max([lib["num_threads"] for lib in threadpool_info()
                   if lib["user_api"] == "blas"], default=1)
    assert blas_threads() == threads
    with threadpool_limits(limits=1, user_api="blas"):
        assert blas_threads() == 1


@pytest.mark.parametrize("alpha", [0.0, "bayes"])
def test_a_fit_split_among_threads_is_the_fit_on_one(alpha, monkeypatch):
    # the threads BLAS may use take shares of the rows; the sums only change order, and
    # BLAS runs on one thread in each
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (600, 3))
    monkeypatch.setattr(_losses, "_MIN_SHARE_STATE", 1000)  # split this small set
    y = np.sin(X @ np.array([1.0, -2.0, 0.5])) + 0.05 * rng.normal(size=len(X))
    shares, objectives = [], []
    split_among = Objective.split_among

    def recording(self, threads):
        shares.append(split_among(self, threads))
        objectives.append(self)
        return shares[-1]

    monkeypatch.setattr(Objective, "split_among", recording)
    blas = []
    sums = Objective.gauss_newton_sums

    def recording_blas(self, w):
        blas.append(blas_threads())
        return sums(self, w)

    monkeypatch.setattr(Objective, "gauss_newton_sums", recording_blas)
    monkeypatch.setattr("sklearn_lmwc._trials.blas_threads", lambda: 2)
    params = dict(hidden_layer_sizes=(6,), alpha=alpha, tol=None, max_iter=15,
                  random_state=0)
    split = LMWCRegressor(**params).fit(X, y)
    assert shares == [2] and set(blas) == {1}
    # the trial kept refers to its objective: closed, without threads or forward state
    assert objectives[0]._pool is None and objectives[0]._state is None
    monkeypatch.setattr("sklearn_lmwc._trials.blas_threads", lambda: 1)
    alone = LMWCRegressor(**params).fit(X, y)
    assert shares == [2, 1]
    assert split.n_iter_ == alone.n_iter_
    np.testing.assert_allclose(split.loss_curve_, alone.loss_curve_, rtol=1e-9)
    for a, b in zip(split.coefs_ + split.intercepts_, alone.coefs_ + alone.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
