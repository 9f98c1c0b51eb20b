"""sklearn_lmwc.dask: the objective's sums over dask blocks, the Dask estimators, and
the joblib dask backend with the in-memory estimators."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from sklearn_lmwc import LMWCClassifier, LMWCRegressor  # noqa: E402
from sklearn_lmwc._compression import make_policy  # noqa: E402
from sklearn_lmwc._lm import lm_run  # noqa: E402
from sklearn_lmwc._loop import serve  # noqa: E402
from sklearn_lmwc._losses import LogLoss, SquaredError  # noqa: E402
from sklearn_lmwc._network import Network  # noqa: E402
from sklearn_lmwc._objective import Objective  # noqa: E402
from sklearn_lmwc.dask import DaskLMWCClassifier, DaskLMWCRegressor, DaskObjective  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N_SAMPLES, CHUNK = 600, 170  # four blocks, the last one short


def _problem(loss_name, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(N_SAMPLES, 4)
    if loss_name == "squared_error":
        loss, Y = SquaredError(), rng.randn(N_SAMPLES, 2)
    elif loss_name == "softmax":
        loss, Y = LogLoss("softmax"), np.eye(3)[rng.randint(3, size=N_SAMPLES)]
    else:
        loss, Y = LogLoss("logistic"), rng.randint(2, size=(N_SAMPLES, 1)).astype(float)
    network = Network(4, [3, 2], Y.shape[1], "bmlp")
    return network, loss, X, Y, rng


def _pair(loss_name, weighted, alpha):
    """The in-memory objective and its dask twin on the threaded scheduler."""
    network, loss, X, Y, rng = _problem(loss_name)
    sw = rng.uniform(0.1, 2.0, N_SAMPLES) if weighted else None
    memory = Objective(network, loss, X, Y, sw, alpha)
    chunked = DaskObjective(
        network, loss, da.from_array(X, chunks=(CHUNK, -1)), da.from_array(Y, chunks=(CHUNK, -1)),
        None if sw is None else da.from_array(sw, chunks=CHUNK), alpha, scheduler="threads")
    return memory, chunked, network, rng


def _close(a, b, rtol):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * max(np.abs(a).max(), 1e-300))


@pytest.mark.parametrize("loss_name", ["squared_error", "softmax", "logistic"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_fixed_weights_match_in_memory(loss_name, weighted, alpha):
    memory, chunked, network, rng = _pair(loss_name, weighted, alpha)
    w = rng.uniform(-2, 2, network.n_weights)  # large enough that some neurons saturate
    assert chunked.weight_sum == pytest.approx(memory.weight_sum, rel=1e-14)
    _close(chunked.value(w), memory.value(w), 1e-12)
    systems = [o.weight_space_system(w, *o.gauss_newton_sums(w)) for o in (chunked, memory)]
    for a, b in zip(*[(s.Q, s.g) for s in systems]):
        _close(a, b, 1e-12)
    assert 0 < memory.saturation(w) < 1
    assert chunked.saturation(w) == memory.saturation(w)
    for statistic in ("mean", "authors"):
        for a, b in zip(chunked.mean_net_statistic(w, statistic),
                        memory.mean_net_statistic(w, statistic)):
            _close(a, b, 1e-12)


@pytest.mark.parametrize("loss_name", ["squared_error", "softmax"])
def test_plain_lm_trajectory_matches_in_memory(loss_name):
    memory, chunked, network, rng = _pair(loss_name, True, 0.1)
    w0 = rng.uniform(-1, 1, network.n_weights)
    results = []
    for objective in (memory, chunked):
        policy = make_policy(None, "stall", objective=objective, start=None, draw=None)
        results.append(serve(lm_run(objective, w0.copy(), policy, max_iter=6)))
    a, b = results
    assert a.n_iter == b.n_iter == 6
    np.testing.assert_allclose(b.loss_curve, a.loss_curve, rtol=1e-8)
    np.testing.assert_allclose(b.w, a.w, rtol=1e-8, atol=1e-10)
    assert a.loss_curve[-1] < a.loss_curve[0]  # the trajectory went somewhere


def _regression(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (N_SAMPLES, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 3.0
    return X, y, rng.uniform(0.5, 1.5, N_SAMPLES)


def _classification(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(N_SAMPLES, 3)
    labels = np.array(["a", "b", "c"])
    return X, labels[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]


def _assert_same_fit(chunked, memory, rtol):
    assert chunked.n_iter_ == memory.n_iter_
    assert chunked.n_compressions_ == memory.n_compressions_
    np.testing.assert_allclose(chunked.loss_curve_, memory.loss_curve_, rtol=rtol)
    for a, b in zip(chunked.coefs_ + chunked.intercepts_, memory.coefs_ + memory.intercepts_):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_regressor_matches_fit_on_computed_data():
    X, y, sw = _regression()
    Xd, yd, swd = (da.from_array(a, chunks=CHUNK) for a in (X, y, sw))
    params = dict(hidden_layer_sizes=(3,), topology="fcc", max_iter=25, tol=None, alpha=0.0,
                  beta=1e-2, random_state=0, n_init=2)
    chunked = DaskLMWCRegressor(**params).fit(Xd, yd, sample_weight=swd)
    memory = LMWCRegressor(**params).fit(Xd.compute(), yd.compute(), sample_weight=sw)
    assert chunked.n_compressions_ > 0  # the compression statistic took part
    _assert_same_fit(chunked, memory, 1e-6)
    np.testing.assert_allclose(chunked._y_mean, memory._y_mean, rtol=1e-12)
    prediction = chunked.predict(Xd)
    assert isinstance(prediction, da.Array) and prediction.chunks == yd.chunks
    np.testing.assert_allclose(prediction.compute(), memory.predict(X), rtol=1e-6, atol=1e-6)
    local = chunked.to_local()
    assert type(local) is LMWCRegressor and "client" not in local.get_params()
    # the same model; BLAS may round the products of other row blocks differently
    np.testing.assert_allclose(local.predict(X), prediction.compute(), rtol=1e-12)
    # predictive std lazily, by the same blocks (the posterior computed over them)
    mean, std = chunked.predict(Xd, return_std=True)
    assert isinstance(std, da.Array) and std.chunks == yd.chunks
    mean_memory, std_memory = memory.predict(X, return_std=True)
    np.testing.assert_allclose(mean.compute(), mean_memory, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(std.compute(), std_memory, rtol=1e-5)
    with pytest.raises(ValueError, match="does not give return_cov"):
        chunked.predict(Xd, return_cov=True)


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_classifier_matches_fit_on_computed_data(loss):
    X, y = _classification()
    params = dict(hidden_layer_sizes=(3,), topology="mlp", max_iter=8, tol=None, loss=loss,
                  alpha="bayes", random_state=1)
    chunked = DaskLMWCClassifier(**params).fit(da.from_array(X, chunks=CHUNK),
                                               da.from_array(y, chunks=CHUNK))
    memory = LMWCClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(chunked.classes_, memory.classes_)
    _assert_same_fit(chunked, memory, 1e-6)
    proba = chunked.predict_proba(X)  # numpy input is wrapped
    assert isinstance(proba, da.Array) and proba.shape == (N_SAMPLES, 3)
    np.testing.assert_allclose(proba.compute(), memory.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(chunked.predict(X).compute(), memory.predict(X))
    assert chunked.to_local().score(X, y) == memory.score(X, y)
    scores, std = chunked.decision_function(X, return_std=True)
    assert isinstance(std, da.Array) and std.shape == (N_SAMPLES, 3)
    scores_memory, std_memory = memory.decision_function(X, return_std=True)
    np.testing.assert_allclose(scores.compute(), scores_memory, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(std.compute(), std_memory, rtol=1e-5)


def test_unsupported_settings_raise():
    X, y, _ = _regression()
    for params, match in [({"solver": "scipy"}, 'solver="scipy" needs the data in memory'),
                          ({"solver": "adam"}, 'solver="adam" needs the data in memory'),
                          ({"early_stopping": True},
                           "early_stopping is not supported on dask data")]:
        with pytest.raises(ValueError, match=match):
            DaskLMWCRegressor(**params).fit(X, y)
    with pytest.raises(ValueError, match="1-D"):
        DaskLMWCClassifier().fit(X, np.eye(2)[(X[:, 0] > 0).astype(int)])


def _spoiled(X, y, sw, case):
    """The regression data with one value made bad, as ``case`` (input, value) says."""
    name, value = case
    X, y, sw = X.copy(), y.copy(), sw.copy()
    {"X": X[:, 1], "y": y, "sample_weight": sw}[name][7] = value
    if value == 0.0:  # every weight zero
        sw[:] = 0.0
    return X, y, sw


@pytest.mark.parametrize("case", [("X", np.nan), ("X", np.inf), ("y", np.nan), ("y", -np.inf),
                                  ("sample_weight", np.nan), ("sample_weight", np.inf),
                                  ("sample_weight", -1.0), ("sample_weight", 0.0)],
                         ids=lambda case: f"{case[0]}={case[1]}")
def test_bad_values_raise_the_in_memory_message(case):
    X, y, sw = _spoiled(*_regression(), case)
    with pytest.raises(ValueError) as memory:
        LMWCRegressor().fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError) as chunked:
        DaskLMWCRegressor().fit(da.from_array(X, chunks=(CHUNK, -1)),
                                da.from_array(y, chunks=CHUNK),
                                sample_weight=da.from_array(sw, chunks=CHUNK))
    # the input and the problem named alike (scikit-learn's words)
    first_line = str(memory.value).split("\n")[0]
    assert str(chunked.value).split("\n")[0] == first_line
    if first_line.endswith("NaN."):  # and what to do about missing values
        assert "DaskLMWCRegressor does not accept missing values" in str(chunked.value)
        assert "impute" in str(chunked.value)


def test_public_names():
    namespace = {}
    exec("from sklearn_lmwc.dask import *", namespace)
    assert sorted(set(namespace) - {"__builtins__"}) == ["DaskLMWCClassifier",
                                                         "DaskLMWCRegressor"]


def test_dask_extra_installs_what_dask_dataframe_imports():
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    extra = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["dask"]
    assert any(r.startswith("dask[") and "dataframe" in r for r in extra)
    assert "pyarrow" in extra
    # dask.dataframe refuses to import without pyarrow
    code = "import sys; sys.modules['pyarrow'] = None; import dask.dataframe"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode != 0


def test_core_package_does_not_import_dask():
    code = "import sys, sklearn_lmwc; assert 'dask' not in sys.modules, 'dask imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_local_cluster_fit(client):
    X, y, _ = _regression()
    params = dict(hidden_layer_sizes=(3,), max_iter=5, tol=None, random_state=0)
    on_cluster = DaskLMWCRegressor(client=client, **params).fit(X, y)  # numpy: persisted
    threaded = DaskLMWCRegressor(client="threads", **params).fit(
        da.from_array(X, chunks=CHUNK), y)
    _assert_same_fit(on_cluster, threaded, 1e-8)
    np.testing.assert_allclose(on_cluster.predict(X).compute(), threaded.to_local().predict(X),
                               rtol=1e-8)


def test_joblib_dask_backend_matches_loky(client):
    X, y, _ = _regression()
    params = dict(hidden_layer_sizes=(3,), max_iter=10, tol=None, random_state=0, n_init=3,
                  n_jobs=2)
    fits = []
    for backend in ("loky", "dask"):
        with parallel_config(backend=backend):
            trials = LMWCRegressor(**params).fit(X, y)
            search = GridSearchCV(LMWCRegressor(max_iter=5, tol=None, random_state=0),
                                  {"hidden_layer_sizes": [(2,), (4,)]}, cv=2, n_jobs=2)
            search.fit(X, y)
        fits.append((trials, search))
    (trials_a, search_a), (trials_b, search_b) = fits
    for a, b in zip(trials_a.coefs_, trials_b.coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(search_a.cv_results_["mean_test_score"],
                                  search_b.cv_results_["mean_test_score"])
    assert search_a.best_params_ == search_b.best_params_


@pytest.mark.slow  # 7 s
def test_dask_dataframe_input():
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _ = _regression()
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b", "c"]), npartitions=3)
    target = dd.from_pandas(pd.Series(y), npartitions=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = DaskLMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, random_state=0)
        reg.fit(frame, target)
    # scikit-learn's rules for pandas, on the dask dataframe's columns
    np.testing.assert_array_equal(reg.feature_names_in_, ["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        prediction = reg.predict(frame).compute()
    np.testing.assert_allclose(prediction, reg.to_local().predict(pd.DataFrame(
        X, columns=["a", "b", "c"])), rtol=1e-12)
    with pytest.raises(ValueError, match="feature names should match"):
        reg.predict(frame.rename(columns={"a": "z"}))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        reg.predict(X)
    unnamed = DaskLMWCRegressor(hidden_layer_sizes=(2,), max_iter=1).fit(
        dd.from_pandas(pd.DataFrame(X), npartitions=3), target)
    assert not hasattr(unnamed, "feature_names_in_")  # integer columns: no names


def _graph_estimators(array):
    """The estimators the graph of ``array`` holds."""
    values = [getattr(v, "value", v) for v in dict(array.__dask_graph__()).values()]
    return [v for v in values if isinstance(v, (LMWCRegressor, LMWCClassifier))]


def test_predict_graph_holds_the_fitted_arrays_once_uncopied():
    X, y, _ = _regression()
    est = DaskLMWCRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0, n_init=2,
                            committee_size=2).fit(da.from_array(X, chunks=CHUNK), y)
    Xd = da.from_array(X, chunks=CHUNK)
    (local,) = _graph_estimators(est.predict(Xd))  # one for the four blocks
    assert local.committee_coefs_ is est.committee_coefs_
    assert not hasattr(local, "laplace_posteriors_")  # not needed, not shipped
    mean, std = est.predict(Xd, return_std=True)
    (local,) = _graph_estimators(std)
    assert local.laplace_posteriors_ is est.laplace_posteriors_
    assert local.committee_coefs_ is est.committee_coefs_
    memory_mean, memory_std = est.to_local().predict(X, return_std=True)
    np.testing.assert_allclose(mean.compute(), memory_mean, rtol=1e-12)
    np.testing.assert_allclose(std.compute(), memory_std, rtol=1e-12)
    # to_local copies
    assert est.to_local().laplace_posteriors_[0].factor is not \
        est.laplace_posteriors_[0].factor


@pytest.mark.slow  # 5 s
def test_moderated_predictions_read_the_posteriors():
    X, y = _classification()
    est = DaskLMWCClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0,
                             moderation="probit").fit(da.from_array(X, chunks=CHUNK), y)
    proba = est.predict_proba(X)
    (local,) = _graph_estimators(proba)
    assert local.laplace_posteriors_ is est.laplace_posteriors_
    expected = est.to_local().predict_proba(X)
    np.testing.assert_allclose(proba.compute(), expected, rtol=1e-12)
    # moderation moved them (else the test would not tell)
    plain = est.to_local().set_params(moderation=None).predict_proba(X)
    assert np.abs(expected - plain).max() > 1e-3


def test_saturation_check_runs_on_the_fit_scheduler():
    X, y, _ = _regression()

    def refuse(*args, **kwargs):
        raise AssertionError("computed on dask's default scheduler")

    with dask.config.set(scheduler=refuse), \
            pytest.warns(UserWarning, match="hidden activations are saturated"):
        DaskLMWCRegressor(client="synchronous", hidden_layer_sizes=(3,), max_iter=3,
                          random_state=0).fit(X * 1e6, y)


# the first pass overflows, in worker threads that np.errstate does not reach
@pytest.mark.slow  # 6 s
@pytest.mark.filterwarnings("ignore:overflow encountered in square:RuntimeWarning")
def test_huge_and_tiny_targets_standardised_as_in_memory():
    # the squares of 1e200 overflow and those of 1e-200 underflow: the moments come
    # from the targets scaled by their peak, as in memory
    X, y, sw = _regression()
    for scale in (1e200, 1e-200):
        est = DaskLMWCRegressor(hidden_layer_sizes=(2,), max_iter=1).fit(
            da.from_array(X, chunks=(CHUNK, -1)), da.from_array(y * scale, chunks=CHUNK),
            sample_weight=da.from_array(sw, chunks=CHUNK))
        memory = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=1).fit(
            X, y * scale, sample_weight=sw)
        np.testing.assert_allclose(est._y_mean, memory._y_mean, rtol=1e-12)
        np.testing.assert_allclose(est._y_scale, memory._y_scale, rtol=1e-12)
        # against the moments of the unscaled targets
        mean = np.average(y, weights=sw)
        std = np.sqrt(np.average((y - mean) ** 2, weights=sw))
        np.testing.assert_allclose(est._y_mean / scale, mean, rtol=1e-12)
        np.testing.assert_allclose(est._y_scale / scale, std, rtol=1e-12)


@pytest.mark.parametrize("dask_class, local_class", [(DaskLMWCRegressor, LMWCRegressor),
                                                     (DaskLMWCClassifier, LMWCClassifier)])
def test_parameters_are_the_in_memory_ones_plus_client(dask_class, local_class):
    params = dask_class(client="threads", max_iter=7).get_params()
    assert params.pop("client") == "threads" and params["max_iter"] == 7
    assert params == local_class(max_iter=7).get_params()
    assert clone(dask_class(client="threads")).client == "threads"


@pytest.mark.parametrize("loss_name", ["squared_error", "logistic"])
def test_batched_tries_need_fewer_passes(loss_name, monkeypatch):
    import sklearn_lmwc.dask as lmwc_dask

    calls = []
    inner = lmwc_dask._block_sums

    def spy(*args, kind, **kwargs):
        calls.append(kind)
        return inner(*args, kind=kind, **kwargs)

    monkeypatch.setattr(lmwc_dask, "_block_sums", spy)
    memory, chunked, network, rng = _pair(loss_name, True, 0.1)
    w0 = rng.uniform(-1, 1, network.n_weights)
    blocks = chunked.X.numblocks[0]
    results, passes = [], []
    for tries_per_pass in (1, 3):
        chunked.tries_per_pass = tries_per_pass
        calls.clear()
        results.append(serve(lm_run(chunked, w0.copy(), make_policy(
            None, "stall", objective=chunked, start=None, draw=None),
            mu=1.0, max_iter=8)))
        passes.append({kind: calls.count(kind) / blocks for kind in set(calls)})
    reference = serve(lm_run(memory, w0.copy(), make_policy(
        None, "stall", objective=memory, start=None, draw=None), mu=1.0, max_iter=8))
    for result in results:
        assert result.n_iter == reference.n_iter == 8
        np.testing.assert_allclose(result.loss_curve, reference.loss_curve, rtol=1e-8)
        np.testing.assert_allclose(result.w, reference.w, rtol=1e-8, atol=1e-10)
    one, batched = passes
    # one Jacobian pass per iteration either way, and a value pass at the start
    assert one["gauss_newton"] == batched["gauss_newton"] == 8
    assert batched["loss"] < one["loss"]
    assert batched["loss"] == 1 + 8  # three tries were always enough
    assert one["loss"] > 1 + 8  # while one by one took more than one try on average
