"""The evidence, weight groups and committees at the edges (issue 18).

alpha="bayes" with weight_groups "single", "layers" and "ard", committees of 1 and 2
(of n_init=2 trials): sample weights, several outputs, warm start, Dask, float32 and
sparse X, constant targets and features, one feature, untouched inputs, determinism.
Every fit gives finite weights (every committee member's), alpha_,
n_effective_params_ and log_evidence_, or a clear error; never NaN.
"""


import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_lmwc import LMWCClassifier, LMWCRegressor

from conftest import assert_same_evidence, no_runtime_warnings

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # unscaled inputs on purpose; test_numerical_trouble.py's
    # test_saturation_warning_only_for_unscaled_inputs asserts the warning
    pytest.mark.filterwarnings(r"ignore:\d+% of the hidden activations are saturated:UserWarning"),
    pytest.mark.usefixtures("one_blas_thread"),  # see conftest.py
]


GROUPS = ["single", "layers", "ard"]
COMMITTEES = [pytest.param(1, id="alone"), pytest.param(2, id="committee")]
# the names of alpha_ of a bridged (3,) network on 3 features (it has no "hidden" group)
GROUP_NAMES = {"single": None, "layers": ("input", "output", "bias"),
               "ard": ("input 0", "input 1", "input 2", "output", "bias")}


def _bayes_data(n, seed=1):
    """A smooth regression problem on 3 features in [-1, 1] (and the generator, for
    more draws)."""
    rng = np.random.RandomState(seed)
    Xb = rng.uniform(-1, 1, (n, 3))
    yb = np.sin(2 * Xb[:, 0]) + np.cos(2 * Xb[:, 1]) * Xb[:, 2] + 0.1 * rng.randn(n)
    return Xb, yb, rng


XB, YB, _ = _bayes_data(80)
YB_CLF = (YB > np.median(YB)).astype(int)
BOTH_B = [pytest.param(LMWCRegressor, YB, id="regressor"),
          pytest.param(LMWCClassifier, YB_CLF, id="classifier")]


def bayes(weight_groups="single", committee_size=1, **params):
    """A small Bayesian estimator's parameters: two trials, a committee of 1 or 2;
    ``params`` add to them or override them."""
    return {**dict(hidden_layer_sizes=(3,), max_iter=30, alpha="bayes", n_init=2,
                   committee_size=committee_size, weight_groups=weight_groups,
                   random_state=1), **params}


def predictions(est, X):
    """What the estimator predicts in numbers: the regressor's values, the
    classifier's probabilities."""
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


def assert_finite_bayes(est, X, weight_groups):
    """Finite weights of every member, finite alpha_, n_effective_params_ and
    log_evidence_ of the groups' shapes, finite predictions, without RuntimeWarning."""
    for coefs, intercepts in zip(est.committee_coefs_, est.committee_intercepts_):
        for array in coefs + intercepts:
            assert np.all(np.isfinite(array))
    names = GROUP_NAMES[weight_groups] if X.shape[1] == 3 else est.alpha_groups_
    assert est.alpha_groups_ == names
    shape = () if weight_groups == "single" else (len(est.alpha_groups_),)
    assert np.shape(est.alpha_) == shape and np.shape(est.n_effective_params_) == shape
    assert np.all(np.isfinite(est.alpha_)) and np.all(np.asarray(est.alpha_) > 0)
    assert np.all(np.isfinite(est.n_effective_params_))
    assert np.all(np.asarray(est.n_effective_params_) >= 0)
    assert isinstance(est.log_evidence_, float) and np.isfinite(est.log_evidence_)
    assert np.all(np.isfinite(est.init_results_["log_evidence"]))
    if weight_groups == "ard":
        assert est.input_relevance_.shape == (X.shape[1],)
        assert np.all(np.isfinite(est.input_relevance_))
    else:
        assert est.input_relevance_ is None
    with no_runtime_warnings():
        assert np.all(np.isfinite(predictions(est, X)))


# ---- sample weights: an integer weight is that many copies of the row ----------------------
def _weighted_and_repeated(seed=1, n=60):
    Xw, yw, rng = _bayes_data(n, seed)
    sw = rng.randint(1, 4, n)
    return Xw, yw, sw, np.repeat(Xw, sw, axis=0), np.repeat(yw, sw)


@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
@pytest.mark.parametrize("Estimator", [LMWCRegressor, LMWCClassifier])
def test_integer_sample_weights_are_repeated_rows(Estimator, weight_groups, committee_size):
    # no compression and no tol rule, a fixed number of iterations: both fits take the
    # same path, so that the evidence's quantities agree up to rounding. (This data and
    # seed give well-conditioned posteriors, no pruned hidden unit: for a pruned one
    # see test_log_evidence_of_pruned_units_is_not_rounding_noise.)
    Xw, yw, sw, Xr, yr = _weighted_and_repeated()
    if Estimator is LMWCClassifier:
        yw, yr = (yw > np.median(yw)).astype(int), (yr > np.median(yw)).astype(int)
    kw = bayes(weight_groups, committee_size, compression=None, tol=None, max_iter=20)
    with no_runtime_warnings():
        weighted = Estimator(**kw).fit(Xw, yw, sample_weight=sw)
        repeated = Estimator(**kw).fit(Xr, yr)
    assert_finite_bayes(weighted, Xw, weight_groups)
    assert weighted.n_iter_ == repeated.n_iter_ == 20
    assert_same_evidence(weighted, repeated)
    np.testing.assert_allclose(predictions(weighted, Xw), predictions(repeated, Xw),
                               rtol=1e-6, atol=1e-9)


# A Bayesian fit often prunes hidden units: their incoming and outgoing weights go to ~0
# (here 2 of 3). The bias of such a unit is unpenalised with "single" and the data no
# longer see it, so the posterior precision Q + D is singular up to rounding
# (eigenvalues ~1e-16 of the largest, of either sign). Its log determinant, and with it
# log_evidence_, is then rounding noise: the same weights (to 1e-10) give evidences
# 80 apart for weighted and repeated rows, or for the rows in another order.
def _pruned_fits():
    """The same fit three ways: weighted rows, repeated rows, permuted rows."""
    Xw, yw, sw, Xr, yr = _weighted_and_repeated(seed=0)
    kw = dict(hidden_layer_sizes=(3,), compression=None, tol=None, max_iter=20,
              alpha="bayes", n_init=1, committee_size=1, random_state=0)
    perm = np.random.RandomState(4).permutation(len(yw))
    return [LMWCRegressor(**kw).fit(Xw, yw, sample_weight=sw), LMWCRegressor(**kw).fit(Xr, yr),
            LMWCRegressor(**kw).fit(Xw[perm], yw[perm], sample_weight=sw[perm])], Xw


def test_pruned_units_same_fit_whatever_the_rows_order_or_weighting():
    fits, Xw = _pruned_fits()
    first = fits[0]
    # the precondition of the evidence test below: two of the three hidden units are pruned
    assert np.sum(np.abs(first.coefs_[1][3:, 0]) < 1e-9) == 2
    for other in fits[1:]:
        for a, b in zip(first.coefs_ + first.intercepts_, other.coefs_ + other.intercepts_):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-8)
        assert other.alpha_ == pytest.approx(first.alpha_, rel=1e-6)
        np.testing.assert_allclose(other.predict(Xw), first.predict(Xw), rtol=1e-8)
        assert np.isfinite(other.log_evidence_)


def test_log_evidence_of_pruned_units_is_not_rounding_noise():
    fits, _ = _pruned_fits()
    evidences = [est.log_evidence_ for est in fits]
    np.testing.assert_allclose(evidences, evidences[0], rtol=1e-6)


# ---- several outputs ----------------------------------------------------------------------
def _several_outputs():
    rng = np.random.RandomState(5)
    Y2 = np.column_stack([YB, XB[:, 0] * XB[:, 1] + 0.1 * rng.randn(len(YB))])
    multiclass = np.digitize(YB, np.quantile(YB, [1 / 3, 2 / 3]))
    multilabel = np.column_stack([YB > 0, XB[:, 1] > 0]).astype(int)
    return [(LMWCRegressor, Y2, 2), (LMWCClassifier, multiclass, 3),
            (LMWCClassifier, multilabel, 2)]


@pytest.mark.parametrize("case", [0, 1, 2], ids=["regressor-2", "multiclass", "multilabel"])
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_several_outputs(case, weight_groups, committee_size):
    Estimator, y, n_outputs = _several_outputs()[case]
    with no_runtime_warnings():
        est = Estimator(**bayes(weight_groups, committee_size)).fit(XB, y)
    assert est.n_outputs_ == n_outputs
    assert len(est.committee_coefs_) == committee_size
    assert_finite_bayes(est, XB, weight_groups)
    assert predictions(est, XB).shape[1] == (3 if case == 1 else 2)


# ---- warm start -----------------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_warm_start_keeps_the_groups(Estimator, y, weight_groups, committee_size):
    est = Estimator(**bayes(weight_groups, committee_size, warm_start=True)).fit(XB, y)
    shape = np.shape(est.alpha_)
    with no_runtime_warnings():
        est.fit(XB, y)
    assert np.shape(est.alpha_) == shape
    assert_finite_bayes(est, XB, weight_groups)
    # a warm start continues the best trial alone (committee_size's documentation)
    assert len(est.init_results_["log_evidence"]) == 1
    assert len(est.committee_coefs_) == 1


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("first, second", [(a, b) for a in GROUPS for b in GROUPS if a != b])
def test_warm_start_with_other_weight_groups(Estimator, y, first, second):
    # the weights go on; alpha starts afresh, one per group of the new kind
    est = Estimator(**bayes(first, warm_start=True)).fit(XB, y)
    with no_runtime_warnings():
        est.set_params(weight_groups=second).fit(XB, y)
    assert_finite_bayes(est, XB, second)


def test_warm_start_with_other_weight_groups_estimates_their_alphas():
    Xw, yw, _ = _bayes_data(80)
    est = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=20, alpha="bayes", n_init=1,
                        committee_size=1, weight_groups="layers", random_state=0,
                        warm_start=True).fit(Xw, yw)
    before = [c.copy() for c in est.coefs_]
    est.set_params(weight_groups="ard").fit(Xw, yw)
    assert est.n_iter_ > 0
    assert not np.all(est.alpha_ == 1e-3)  # re-estimated, not the untouched start
    assert not all(np.array_equal(a, b) for a, b in zip(before, est.coefs_))


# ---- Dask -----------------------------------------------------------------------------------
def test_dask_ard_committee():
    da = pytest.importorskip("dask.array")
    from sklearn_lmwc.dask import DaskLMWCRegressor

    Xd, yd, _ = _bayes_data(120)
    est = DaskLMWCRegressor(**bayes("ard", 2, max_iter=20), client="synchronous").fit(
        da.from_array(Xd, chunks=(50, -1)), da.from_array(yd, chunks=50))
    assert_finite_bayes(est, Xd, "ard")
    assert len(est.committee_coefs_) == 2
    prediction = est.predict(da.from_array(Xd, chunks=(50, -1))).compute()
    np.testing.assert_allclose(prediction, est.to_local().predict(Xd), rtol=1e-8, atol=1e-12)
    # the in-memory fit of the same data and seed: the same up to rounding (ARD
    # penalises the biases too, so the posterior is well conditioned)
    memory = LMWCRegressor(**bayes("ard", 2, max_iter=20)).fit(Xd, yd)
    assert est.log_evidence_ == pytest.approx(memory.log_evidence_, rel=1e-6)


# ---- float32 and sparse X -------------------------------------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_float32_input(Estimator, y, weight_groups, committee_size):
    X32 = XB.astype(np.float32)
    with no_runtime_warnings():
        est = Estimator(**bayes(weight_groups, committee_size)).fit(X32, y)
    assert_finite_bayes(est, X32, weight_groups)
    assert predictions(est, X32).dtype == np.float32
    for coefs in est.committee_coefs_:
        assert all(W.dtype == np.float32 for W in coefs)


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_sparse_input_same_evidence_as_dense(Estimator, y, weight_groups, committee_size):
    Xz = XB.copy()
    Xz[np.abs(Xz) < 0.3] = 0.0  # about 30% zeros
    kw = bayes(weight_groups, committee_size)
    with no_runtime_warnings():
        dense = Estimator(**kw).fit(Xz, y)
        sparse = Estimator(**kw).fit(sp.csr_matrix(Xz), y)
    assert_finite_bayes(sparse, Xz, weight_groups)
    assert sparse.log_evidence_ == pytest.approx(dense.log_evidence_, rel=1e-8)
    np.testing.assert_allclose(sparse.alpha_, dense.alpha_, rtol=1e-8)
    np.testing.assert_allclose(predictions(sparse, sp.csr_matrix(Xz)), predictions(dense, Xz),
                               rtol=1e-8, atol=1e-12)


# ---- constant targets: nothing to learn -----------------------------------------------------
@pytest.mark.parametrize("topology", ["mlp", "bmlp"])
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_constant_targets(topology, weight_groups, committee_size):
    # The standardised targets are all 0 and the fit is nearly exact (loss_ from 1e-9
    # down to 1e-34): the noise variance estimate SSE / (n - gamma) is tiny, beta huge,
    # so alpha = a / b falls to ~1e-3 or to its lower bound 1e-6, and log_evidence_ is
    # finite, a large number (the Gaussian normaliser 0.5 n log beta): not None. (A loss
    # of exactly 0 is another matter: test_constant_target_fitted_exactly.)
    with no_runtime_warnings():
        est = LMWCRegressor(**bayes(weight_groups, committee_size, topology=topology,
                                    random_state=0)).fit(XB, np.full(len(XB), 3.5))
    assert_finite_bayes(est, XB, weight_groups)
    np.testing.assert_allclose(est.predict(XB), 3.5, rtol=0, atol=1e-2)
    # gamma -> 0 holds for an MLP only: a bridged network's direct input -> output
    # weights are pinned by data of (near) zero noise, and gamma counts them (about
    # n_features with "single"), as MacKay's gamma = sum lambda / (lambda + alpha) does
    # when beta -> infinity
    if topology == "mlp":
        # nothing determined but the output bias, which groups penalise (in the
        # "bias" group: at most one parameter)
        gamma = np.atleast_1d(est.n_effective_params_)
        names = est.alpha_groups_ or ("all",)
        for name, g in zip(names, gamma):
            assert g <= (1.0 + 1e-9 if name == "bias" else 1e-3), name


def test_constant_target_fitted_exactly():
    est = LMWCRegressor(hidden_layer_sizes=(3,), max_iter=30, alpha="bayes", n_init=1,
                        committee_size=1, weight_groups="layers", random_state=0)
    est.fit(XB[:, :1], np.full(len(XB), 2.0))
    assert est.log_evidence_ is None or np.isfinite(est.log_evidence_)


# ---- constant and single features under ARD -------------------------------------------------
def _with_a_constant_feature():
    from sklearn.preprocessing import StandardScaler

    Xk = XB.copy()
    Xk[:, 1] = 7.0
    Xk = StandardScaler().fit_transform(Xk)
    assert not Xk[:, 1].any()  # all zeros after scaling
    return Xk


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_constant_feature_under_ard(Estimator, y, committee_size):
    Xk = _with_a_constant_feature()
    with no_runtime_warnings():
        est = Estimator(**bayes("ard", committee_size, random_state=0)).fit(Xk, y)
    assert_finite_bayes(est, Xk, "ard")
    # the data say nothing of the zero feature's weights
    assert est.alpha_groups_[1] == "input 1"
    assert est.n_effective_params_[1] < 1e-6


def test_constant_feature_is_the_least_relevant():
    est = LMWCRegressor(**bayes("ard", random_state=0)).fit(_with_a_constant_feature(), YB)
    assert est.input_relevance_[1] < est.input_relevance_[[0, 2]].min()


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_one_feature_under_ard(Estimator, y, committee_size):
    with no_runtime_warnings():
        est = Estimator(**bayes("ard", committee_size)).fit(XB[:, :1], y)
    assert est.input_relevance_.shape == (1,)
    assert est.alpha_groups_ == ("input 0", "output", "bias")
    assert_finite_bayes(est, XB[:, :1], "ard")


# ---- inputs untouched, results reproducible -----------------------------------------
@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
@pytest.mark.parametrize("kind", ["float64", "float32", "sparse"])
def test_bayes_fit_does_not_modify_its_inputs(Estimator, y, weight_groups, committee_size,
                                              kind):
    Xc = {"float64": XB.copy(), "float32": XB.astype(np.float32),
          "sparse": sp.csr_matrix(np.where(np.abs(XB) < 0.3, 0.0, XB))}[kind]
    yc, wc = y.copy(), np.random.RandomState(2).randint(1, 4, len(y)).astype(float)
    arrays = [Xc.data, Xc.indices, Xc.indptr] if kind == "sparse" else [Xc]
    arrays += [yc, wc]
    copies = [a.copy() for a in arrays]
    for a in arrays:  # read-only: any write into them would raise
        a.setflags(write=False)
    Estimator(**bayes(weight_groups, committee_size)).fit(Xc, yc, sample_weight=wc)
    for a, b in zip(arrays, copies):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


@pytest.mark.parametrize("Estimator, y", BOTH_B)
@pytest.mark.parametrize("weight_groups", GROUPS)
@pytest.mark.parametrize("committee_size", COMMITTEES)
def test_same_random_state_same_evidence(Estimator, y, weight_groups, committee_size):
    a, b = (Estimator(**bayes(weight_groups, committee_size)).fit(XB, y) for _ in range(2))
    assert a.log_evidence_ == b.log_evidence_
    np.testing.assert_array_equal(a.init_results_["log_evidence"],
                                  b.init_results_["log_evidence"])
    np.testing.assert_array_equal(a.alpha_, b.alpha_)
    np.testing.assert_array_equal(a.n_effective_params_, b.n_effective_params_)
    assert len(a.committee_coefs_) == len(b.committee_coefs_) == committee_size
    for ma, mb in zip(a.committee_coefs_ + a.committee_intercepts_,
                      b.committee_coefs_ + b.committee_intercepts_):
        for ca, cb in zip(ma, mb):
            np.testing.assert_array_equal(ca, cb)
    np.testing.assert_array_equal(predictions(a, XB), predictions(b, XB))


def test_ard_group_names_take_the_feature_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(40, 3)),
                     columns=["age", "dose", "weight"])
    y = np.sin(X["age"].to_numpy())
    est = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, weight_groups="ard",
                        n_init=1, random_state=0).fit(X, y)
    assert est.alpha_groups_[:3] == ("input age", "input dose", "input weight")
    assert est.alpha_groups_[3:] == ("hidden", "output", "bias")[-len(est.alpha_groups_) + 3:]
    plain = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=3, weight_groups="ard",
                          n_init=1, random_state=0).fit(X.to_numpy(), y)
    assert plain.alpha_groups_[:3] == ("input 0", "input 1", "input 2")
    np.testing.assert_array_equal(est.alpha_, plain.alpha_)
