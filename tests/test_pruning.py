"""Input pruning with ARD (``_pruning``): the screening of inputs the data cannot
inform, the map between the full network and the network over the kept inputs
(``Support``), and ``prune_ratio`` / ``support_`` through the estimators.

The fitted models are checked against computations that do not go through the
kept-input network: a forward pass written out from ``coefs_`` on every column of X,
the Jacobian of the full network by finite differences restricted to the weights of
the kept inputs, and the Laplace evidence and error bars written out from them.
"""

import math
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._bayes import PriorState
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Point
from sklearn_lmwc._pruning import SCREENED_ALPHA, Support, informative_inputs

pytestmark = pytest.mark.usefixtures("one_blas_thread")  # see conftest.py

N_FEATURES = 12
INFORMATIVE = [0, 1, 2]  # the inputs the targets of _relevant depend on
# a small ARD fit that prunes: the threshold well below the alphas (1e3 to 1e12)
# the evidence gives the noise inputs of _relevant, well above those of the others
# (1e-3 to 1e0)
ARD = dict(hidden_layer_sizes=(3,), topology="mlp", weight_groups="ard",
           prune_ratio=1e3, n_init=1, max_iter=40, random_state=0)


def _relevant(n=200, seed=1):
    """Targets of three inputs among twelve uniform ones, little noise."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n, N_FEATURES))
    y = np.sin(2 * X[:, 0]) + X[:, 1] - 0.8 * X[:, 2] + 0.05 * rng.normal(size=n)
    return X, y


def _forward(est, X, member=0):
    """The network's outputs on every column of X, written out from a committee
    member's ``coefs_`` and ``intercepts_`` (tanh MLP or bridged MLP of one hidden
    layer), pruned inputs' rows included."""
    (W0, W1), (b0, b1) = est.committee_coefs_[member], est.committee_intercepts_[member]
    H = np.tanh(X @ W0 + b0)
    sources = H if est.topology == "mlp" else np.hstack([X, H])
    return sources @ W1 + b1


def _garbage(est, X, value=1e3):
    """X with large values in the columns the model does not read."""
    X = X.copy()
    X[:, ~est.support_] = value
    return X


def _kept_weights(network, support):
    """The weights of the full network that do not leave a pruned input (by the ARD
    groups)."""
    groups, names = network.weight_groups("ard")
    pruned = [f"input {i}" for i in np.flatnonzero(~support)]
    return ~np.isin(np.asarray(names)[groups], pruned)


# ---- informative_inputs --------------------------------------------------------------
def test_informative_inputs_drop_constant_and_copied_columns():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(10, 3))
    X = np.column_stack([A, np.ones(10), np.zeros(10), A[:, 1], -A[:, 1], 2 * A[:, 1],
                         A[:, 2]])
    # a copy's first occurrence stays; a negated or scaled column is no copy
    assert_array_equal(informative_inputs(X),
                       [True, True, True, False, False, False, True, True, False])
    assert_array_equal(informative_inputs(X.astype(np.float32)), informative_inputs(X))
    assert_array_equal(informative_inputs(np.asfortranarray(X)), informative_inputs(X))


def test_informative_inputs_keep_the_first_of_copies_whatever_their_order():
    A = np.random.RandomState(1).normal(size=(6, 2))
    # the copies come first in the sorted order of the rows of X.T: the first column
    # of each set is kept all the same
    X = np.column_stack([A[:, 1], A[:, 0], A[:, 1], A[:, 0], A[:, 1]])
    assert_array_equal(informative_inputs(X), [True, True, False, False, False])


def test_informative_inputs_of_degenerate_shapes():
    assert_array_equal(informative_inputs(np.empty((0, 3))), [True] * 3)  # no rows: no evidence
    assert_array_equal(informative_inputs(np.ones((5, 3))), [False] * 3)  # nothing varies
    assert_array_equal(informative_inputs(np.arange(4.0)[None, :]), [False] * 4)  # one row
    # 0.0 and -0.0 are one value
    assert_array_equal(informative_inputs(np.array([[0.0, 1.0], [-0.0, 2.0]])), [False, True])


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_informative_inputs_of_sparse_x_drop_constants_only(fmt):
    rng = np.random.RandomState(2)
    A = np.where(rng.uniform(size=(12, 2)) < 0.5, 0.0, rng.normal(size=(12, 2)))
    # an implicit-zero column, an explicit constant, a column constant on its stored
    # entries but 0 elsewhere (not constant), a copy (kept: left to the evidence)
    stored = np.where(np.arange(12) % 3 == 0, 0.0, 2.0)
    X = np.column_stack([A, np.zeros(12), np.full(12, 3.0), stored, A[:, 0]])
    S = sparse.csr_matrix(X).asformat(fmt)
    assert_array_equal(informative_inputs(S), [True, True, False, False, True, True])
    # the dense screening drops the copy too
    assert_array_equal(informative_inputs(X), [True, True, False, False, True, False])


# ---- Support ---------------------------------------------------------------------------
def _full(topology="bmlp", n_in=5, n_out=2):
    return Network(n_in, (3, 2), n_out, topology=topology, activation="tanh")


@pytest.mark.parametrize("topology", ["mlp", "bmlp", "fcc"])
def test_support_maps_weights_between_the_full_and_the_kept_network(topology):
    full = _full(topology)
    keep = np.array([True, False, True, True, False])
    support = Support(full, keep)
    keep[0] = False  # the support copied the mask
    assert_array_equal(support.keep, [True, False, True, True, False])
    assert_array_equal(support.columns, [0, 2, 3])
    assert not support.everything
    assert support.network.n_inputs == 3 and support.index.size == support.network.n_weights
    kept = _kept_weights(full, support.keep)
    rng = np.random.RandomState(0)
    v = rng.normal(size=support.network.n_weights)
    embedded = support.embed(v)
    # the pruned inputs' weights are exactly 0, the others the small network's
    assert np.all(embedded[~kept] == 0.0) and kept.sum() == v.size
    assert_array_equal(embedded[kept], v)  # index is order preserving
    assert_array_equal(support.restrict(embedded), v)
    w = np.where(kept, rng.normal(size=full.n_weights), 0.0)
    assert_array_equal(support.embed(support.restrict(w)), w)


def test_support_of_every_input_is_the_full_network():
    full = _full()
    support = Support(full, np.ones(5, bool))
    assert support.everything and support.network is full
    assert_array_equal(support.index, np.arange(full.n_weights))
    w = np.random.RandomState(1).normal(size=full.n_weights)
    assert_array_equal(support.embed(w), w)
    assert_array_equal(support.restrict(w), w)


def test_support_of_no_input():
    full = _full("mlp", n_in=3, n_out=1)
    support = Support(full, np.zeros(3, bool))
    assert support.network.n_inputs == 0 and support.columns.size == 0
    v = np.random.RandomState(2).normal(size=support.network.n_weights)
    X = np.random.RandomState(3).normal(size=(4, 3))
    # the outputs no longer depend on the rows
    Y = full.forward(support.embed(v), X)
    assert_allclose(Y, np.broadcast_to(Y[0], Y.shape), rtol=1e-14)
    assert_allclose(support.network.forward(v, X[:, []]), Y, rtol=1e-14)


@pytest.mark.parametrize("topology", ["mlp", "bmlp"])
def test_support_maps_prior_states_group_by_group(topology):
    # one alpha per input then the other groups (hidden, output, bias): the state of
    # the small network's groups, embedded, is each weight's alpha in the full network
    full = _full(topology)
    keep = np.array([False, True, True, False, True])
    support = Support(full, keep)
    full_groups, full_names = full.weight_groups("ard")
    small_groups, small_names = support.network.weight_groups("ard")
    n_other = len(full_names) - 5
    assert len(small_names) == 3 + n_other and small_names[3:] == full_names[5:]
    rng = np.random.RandomState(4)
    state = PriorState(rng.uniform(0.1, 10, len(small_names)),
                       rng.uniform(0.1, 1, len(small_names)))
    pruned_alpha = rng.uniform(1e4, 1e5, 5)
    embedded = support.embed_state(state, pruned_alpha)
    assert embedded.alpha.shape == embedded.gamma.shape == (len(full_names),)
    pruned = np.flatnonzero(~keep)
    assert_array_equal(embedded.alpha[pruned], pruned_alpha[pruned])
    assert_array_equal(embedded.gamma[pruned], 0.0)  # no effective parameters
    # every weight of the small network has, embedded, the alpha and gamma it had
    for field in ("alpha", "gamma"):
        assert_array_equal(getattr(embedded, field)[full_groups][support.index],
                           getattr(state, field)[small_groups])
    restricted = support.restrict_state(embedded)
    assert_array_equal(restricted.alpha, state.alpha)
    assert_array_equal(restricted.gamma, state.gamma)
    # before a first estimate there is no gamma
    alone = support.embed_state(PriorState(state.alpha, None), pruned_alpha)
    assert alone.gamma is None
    assert support.restrict_state(alone).gamma is None
    assert_array_equal(alone.alpha, embedded.alpha)


def test_support_embeds_a_point():
    full = _full()
    support = Support(full, np.array([True, True, False, True, False]))
    n_groups = len(support.network.weight_groups("ard")[1])
    v = np.random.RandomState(5).normal(size=support.network.n_weights)
    point = Point(v, 3.5, PriorState(np.full(n_groups, 2.0), np.full(n_groups, 0.5)),
                  flat=7, hold=4.0)
    pruned_alpha = np.full(5, SCREENED_ALPHA)
    embedded = support.embed_point(point, pruned_alpha)
    assert_array_equal(embedded.w, support.embed(v))
    assert (embedded.value, embedded.flat, embedded.hold) == (3.5, 7, 4.0)
    assert_array_equal(embedded.prior.alpha, support.embed_state(point.prior, pruned_alpha).alpha)
    assert_array_equal(embedded.prior.alpha[[2, 4]], SCREENED_ALPHA)


# ---- through the estimators --------------------------------------------------------------
@pytest.mark.parametrize("topology", ["mlp", "bmlp"])
def test_ard_prunes_the_noise_inputs_and_reads_only_the_kept_ones(topology):
    X, y = _relevant()
    reg = LMWCRegressor(**{**ARD, "topology": topology}).fit(X, y)
    support = reg.support_
    assert support.dtype == bool and support.shape == (N_FEATURES,)
    assert support[INFORMATIVE].all()
    assert support.sum() <= N_FEATURES // 2  # most of the nine noise inputs are gone
    # every weight leaving a pruned input is exactly 0: the first layer's rows, and a
    # bridged output layer's direct input rows
    assert np.all(reg.coefs_[0][~support] == 0.0) and np.all(reg.coefs_[0][support] != 0.0)
    if topology == "bmlp":
        assert np.all(reg.coefs_[1][:N_FEATURES][~support] == 0.0)
    # a pruned input keeps the alpha that passed the threshold; the kept ones stay
    # under it (the inputs still over it at the end are pruned too); no parameters
    n_in = N_FEATURES
    assert len(reg.alpha_) == len(reg.alpha_groups_) == len(reg.n_effective_params_)
    kept = reg.alpha_[:n_in][support]
    assert np.all(reg.alpha_[:n_in][~support] > kept.min())
    assert np.all(reg.alpha_[:n_in][~support] < SCREENED_ALPHA)  # pruned during the fit
    assert kept.max() <= ARD["prune_ratio"] * kept.min()
    assert_array_equal(reg.input_relevance_[~support], 0.0)
    assert_array_equal(reg.n_effective_params_[:n_in][~support], 0.0)
    assert np.all(reg.input_relevance_[support] > 0.5)
    # predictions: the full network written out on every column, the zero rows included
    expected = _forward(reg, X).ravel() * reg._y_scale + reg._y_mean
    assert_allclose(reg.predict(X), expected, rtol=1e-12, atol=1e-12)
    assert reg.score(X, y) > 0.95
    # what the pruned columns hold is never read
    assert_array_equal(reg.predict(_garbage(reg, X)), reg.predict(X))


def test_the_records_of_a_pruned_fit_span_its_rounds():
    X, y = _relevant()
    reg = LMWCRegressor(**{**ARD, "max_iter": 25}).fit(X, y)
    # inputs left mid-run (alpha between the threshold and the ceiling): several rounds
    pruned_alpha = reg.alpha_[:N_FEATURES][~reg.support_]
    assert pruned_alpha.size >= 2 and np.all(pruned_alpha < SCREENED_ALPHA)
    # one entry per iteration, counted from the first round's first iteration
    assert 0 < reg.n_iter_ <= 25
    for curve in (reg.mu_curve_, reg.n_effective_params_curve_, reg.saturation_curve_):
        assert len(curve) == reg.n_iter_
    assert len(reg.loss_curve_) == reg.n_iter_ + reg.n_compressions_
    assert reg.init_results_["n_iter"][0] == reg.n_iter_
    assert all(0 < it <= reg.n_iter_ for it, _ in reg.events_)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_inputs_over_the_threshold_at_the_end_leave_too(early_stopping):
    # whichever iteration the run ends at (max_iter, or early stopping's best), the
    # inputs kept have alphas under the threshold: those over it when the last round
    # ended, before a next round could start, leave the returned point too
    X, y = _relevant()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for max_iter in range(1, 10):
            reg = LMWCRegressor(**{**ARD, "max_iter": max_iter,
                                   "early_stopping": early_stopping}).fit(X, y)
            alpha = reg.alpha_[:N_FEATURES]
            kept = alpha[reg.support_]
            assert kept.max() <= ARD["prune_ratio"] * kept.min(), max_iter
            assert np.all(alpha[~reg.support_] > kept.min()), max_iter
            assert_array_equal(reg.coefs_[0][~reg.support_], 0.0)


def test_a_run_that_prunes_at_its_last_iteration_ends_by_max_iter(capsys):
    # 5 iterations: inputs pass the threshold at the fifth, so the round ends there;
    # the tol rule (n_iter_no_change=10) cannot stop a run so short, and with
    # tol=None not at all. Without pruning the same run says max_iter and warns.
    X, y = _relevant()
    params = {**ARD, "max_iter": 5, "verbose": 1}
    plain = LMWCRegressor(**{**params, "prune_ratio": None, "tol": None}).fit(X, y)
    assert "stopped by max_iter" in capsys.readouterr().out
    pruned = LMWCRegressor(**{**params, "tol": None}).fit(X, y)
    assert pruned.n_iter_ == plain.n_iter_ == 5 and not pruned.support_.all()
    assert "stopped by max_iter" in capsys.readouterr().out
    with pytest.warns(ConvergenceWarning, match="reached max_iter=5"):
        LMWCRegressor(**{**ARD, "max_iter": 5}).fit(X, y)


def test_threshold_none_keeps_every_input():
    X, y = _relevant()
    reg = LMWCRegressor(**{**ARD, "prune_ratio": None}).fit(X, y)
    assert reg.support_.all()
    # the alphas that would have pruned are there: no input left the fit
    alpha = reg.alpha_[:N_FEATURES]
    assert np.sum(alpha > ARD["prune_ratio"] * alpha.min()) >= 5
    assert np.all(reg.coefs_[0] != 0.0)


@pytest.mark.parametrize("n_init", [1, 3])
def test_a_threshold_no_alpha_reaches_is_the_fit_without_pruning(n_init):
    # a ratio no alphas reach, before any reaches the prior's ceiling: the rounds
    # never end, and the run in rounds is the plain run, bit for bit, committee and
    # error bars included
    X, y = _relevant()
    params = {**ARD, "n_init": n_init, "committee_size": n_init, "max_iter": 8}
    plain = LMWCRegressor(**{**params, "prune_ratio": None}).fit(X, y)
    assert np.all(plain.alpha_[:N_FEATURES] < 1e12)
    rounds = LMWCRegressor(**{**params, "prune_ratio": 1e300}).fit(X, y)
    assert rounds.support_.all()
    assert_array_equal(rounds.predict(X), plain.predict(X))
    assert_array_equal(rounds.predict(X, return_std=True)[1], plain.predict(X, return_std=True)[1])
    assert_array_equal(rounds.alpha_, plain.alpha_)
    assert_array_equal(rounds.n_effective_params_, plain.n_effective_params_)
    assert rounds.log_evidence_ == plain.log_evidence_
    assert rounds.loss_curve_ == plain.loss_curve_
    for a, b in zip(rounds.committee_coefs_, plain.committee_coefs_):
        for Wa, Wb in zip(a, b):
            assert_array_equal(Wa, Wb)


@pytest.mark.parametrize("weight_groups", ["single", "layers"])
def test_threshold_has_no_effect_without_ard(weight_groups):
    X, y = _relevant()
    X[:, 5] = 1.0  # not even screened
    params = {**ARD, "weight_groups": weight_groups, "max_iter": 15}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        default = LMWCRegressor(**params).fit(X, y)
        tiny = LMWCRegressor(**{**params, "prune_ratio": 1.5}).fit(X, y)
        none = LMWCRegressor(**{**params, "prune_ratio": None}).fit(X, y)
    for est in (default, tiny):
        assert est.support_.all() and est.input_relevance_ is None
        assert_array_equal(est.predict(X), none.predict(X))
        assert_array_equal(est.alpha_, none.alpha_)


def test_constant_zero_and_copied_columns_are_screened_silently():
    X, y = _relevant()
    X = np.column_stack([X[:, :4], np.full(len(X), 2.5), np.zeros(len(X)), X[:, 1]])
    screened = [4, 5, 6]  # the constant, the zeros and the copy of input 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of any kind (tol=None: no max_iter one)
        reg = LMWCRegressor(**{**ARD, "tol": None, "max_iter": 30}).fit(X, y)
    assert_array_equal(reg.support_[screened], False)
    assert reg.support_[INFORMATIVE].all()  # the copy's original stays
    assert_array_equal(reg.alpha_[screened], SCREENED_ALPHA)
    assert_array_equal(reg.input_relevance_[screened], 0.0)
    assert_array_equal(reg.coefs_[0][screened], 0.0)
    assert reg.score(X, y) > 0.99
    assert_array_equal(reg.predict(_garbage(reg, X, value=-7.0)), reg.predict(X))


@pytest.mark.parametrize("prune_ratio", [
    None, 1e3])
def test_zero_sample_weights_screen_as_removing_the_rows(prune_ratio):
    # a column constant but on rows of zero weight: removing those rows screens it,
    # and a zero weight is a removal (as in scikit-learn), so the weighted fit must
    # screen it too; else its weights stay as drawn (the data never see them) and
    # move the predictions wherever that column is not 0
    X, y = _relevant()
    X[:, 5] = 0.0
    X[:10, 5] = np.linspace(-1, 1, 10)
    sample_weight = np.r_[np.zeros(10), np.ones(len(X) - 10)]
    params = {**ARD, "prune_ratio": prune_ratio}
    weighted = LMWCRegressor(**params).fit(X, y, sample_weight=sample_weight)
    removed = LMWCRegressor(**params).fit(X[10:], y[10:])
    assert_array_equal(weighted.support_, removed.support_)
    assert_allclose(weighted.predict(X), removed.predict(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("Estimator", [LMWCRegressor, LMWCClassifier])
def test_no_relevant_input_warns_and_predicts_a_constant(Estimator):
    # inputs that cannot inform the fit (constant ones): none enters it
    rng = np.random.RandomState(0)
    X = np.tile(rng.uniform(-1, 1, 5), (150, 1))
    y = rng.normal(size=150)
    if Estimator is LMWCClassifier:
        y = (y > 0).astype(int)
    params = {**ARD, "max_iter": 30}
    with pytest.warns(UserWarning, match="No input is relevant"):
        est = Estimator(**params).fit(X, y)
    assert not est.support_.any()
    assert_array_equal(est.coefs_[0], 0.0)
    assert_array_equal(est.input_relevance_, 0.0)
    X_test = rng.uniform(-3, 3, (20, 5))
    if Estimator is LMWCRegressor:
        mean, std = est.predict(X_test, return_std=True)
        assert np.isfinite(mean[0]) and np.isfinite(std[0]) and std[0] > 0
    else:
        mean, std = est.decision_function(X_test, return_std=True)
        proba = est.predict_proba(X_test)
        assert_allclose(proba, np.broadcast_to(proba[0], proba.shape), rtol=1e-14)
    assert_allclose(mean, np.full_like(mean, mean[0]), rtol=1e-14)
    assert_allclose(std, np.full_like(std, std[0]), rtol=1e-14)
    # the network written out: its hidden layer sees zero weights from every input
    expected = _forward(est, X_test).ravel()
    if Estimator is LMWCRegressor:
        expected = expected * est._y_scale + est._y_mean
    assert_allclose(mean, expected, rtol=1e-12, atol=1e-12)


def test_error_bars_and_evidence_of_a_pruned_model_against_a_dense_computation(fd_jacobian):
    # the Laplace posterior over the kept weights only, written out: Q + D from the
    # full network's finite-difference Jacobian restricted to the weights of the kept
    # inputs, D each weight's group's alpha (ARD penalises every weight)
    X, y = _relevant()
    reg = LMWCRegressor(**ARD).fit(X, y)
    assert not reg.support_.all()
    net = Network(N_FEATURES, (3,), 1, topology="mlp")
    w = net.pack(reg.coefs_, reg.intercepts_)
    groups = net.weight_groups("ard")[0]
    kept = _kept_weights(net, reg.support_)
    alpha = reg.alpha_[groups][kept]
    J = fd_jacobian(net, w, X, h=1e-5)[:, 0, kept]
    A = J.T @ J + np.diag(alpha)
    covariance = np.linalg.inv(A)
    # gamma per kept group; the pruned groups count none
    for g in np.unique(groups[kept]):
        mine = groups[kept] == g
        gamma = mine.sum() - reg.alpha_[g] * np.trace(covariance[np.ix_(mine, mine)])
        assert reg.n_effective_params_[g] == pytest.approx(gamma, rel=1e-6)
    # the evidence (the kept weights' Gaussian integral, in the units of y)
    n = len(X)
    Y = (y - reg._y_mean[0]) / reg._y_scale[0]
    sse = np.sum((net.forward(w, X)[:, 0] - Y) ** 2)
    noise = sse / (n - reg.n_effective_params_.sum())
    value = 0.5 * sse + 0.5 * np.sum(alpha * w[kept] ** 2)
    symmetries = math.lgamma(4) + 3 * math.log(2)  # 3 tanh neurons: permuted, flipped
    evidence = (-value / noise - 0.5 * np.linalg.slogdet(A)[1] + 0.5 * np.log(alpha).sum()
                - 0.5 * n * np.log(2 * np.pi * noise) + symmetries - n * np.log(reg._y_scale[0]))
    assert reg.log_evidence_ == pytest.approx(evidence, rel=1e-8)
    # the predictive standard deviation, far from the data too
    X_test = np.vstack([_relevant(n=20, seed=5)[0], np.full((1, N_FEATURES), 2.0)])
    G = fd_jacobian(net, w, X_test, h=1e-5)[:, 0, kept]
    expected = np.sqrt(noise * (1 + np.einsum("pi,ij,pj->p", G, covariance, G))) * reg._y_scale
    mean, std = reg.predict(X_test, return_std=True)
    assert_allclose(std, expected, rtol=1e-6)
    assert_allclose(mean, reg.predict(X_test), rtol=1e-12)
    garbage_mean, garbage_std = reg.predict(_garbage(reg, X_test), return_std=True)
    assert_array_equal(garbage_std, std)
    assert_array_equal(garbage_mean, mean)
    # covariances between rows: their diagonal is the variance
    _, cov = reg.predict(X_test[:5], return_cov=True)
    assert_allclose(np.diag(cov), std[:5] ** 2, rtol=1e-9)


def test_committee_reads_the_union_of_its_members_inputs():
    X, y = _relevant()
    reg = LMWCRegressor(**{**ARD, "n_init": 3, "committee_size": 3}).fit(X, y)
    assert len(reg.committee_coefs_) == 3
    # a member's kept inputs: the nonzero rows of its first layer (its pruned ones are
    # exactly zero)
    kept = [np.any(coefs[0] != 0.0, axis=1) for coefs in reg.committee_coefs_]
    assert_array_equal(reg.support_, np.logical_or.reduce(kept))
    assert any(not np.array_equal(k, reg.support_) for k in kept)  # the union is tested
    assert reg.support_[INFORMATIVE].all() and not reg.support_.all()
    # the mean of the members' networks, each written out on every column
    expected = np.mean([_forward(reg, X, k) for k in range(3)], axis=0).ravel()
    assert_allclose(reg.predict(X), expected * reg._y_scale + reg._y_mean, rtol=1e-12,
                    atol=1e-12)
    mean, std = reg.predict(X, return_std=True)
    garbage_mean, garbage_std = reg.predict(_garbage(reg, X), return_std=True)
    assert_array_equal(garbage_mean, mean)
    assert_array_equal(garbage_std, std)
    assert np.all(np.isfinite(std) & (std > 0))


def test_warm_start_keeps_the_pruned_inputs_out():
    X, y = _relevant()
    reg = LMWCRegressor(**{**ARD, "warm_start": True}).fit(X, y)
    first = reg.support_.copy()
    assert not first.all()
    reg.fit(X, y)
    assert reg.n_iter_ > 0
    assert not np.any(reg.support_ & ~first)  # a subset of the first fit's inputs
    assert reg.support_[INFORMATIVE].all()
    kept = reg.alpha_[:N_FEATURES][first]
    assert np.all(reg.alpha_[:N_FEATURES][~first] > kept.min())
    assert_array_equal(reg.coefs_[0][~reg.support_], 0.0)
    assert reg.score(X, y) > 0.99
    assert_array_equal(reg.predict(_garbage(reg, X)), reg.predict(X))


def _validation_part(X, y, random_state, fraction=0.1):
    """The rows early stopping holds out: the fit's first draw from its random
    state is the split (``_stopping.split_validation``)."""
    return train_test_split(X, y, test_size=fraction,
                            random_state=np.random.RandomState(random_state))[1::2]


def test_early_stopping_with_pruning():
    X, y = _relevant()
    reg = LMWCRegressor(**{**ARD, "early_stopping": True, "max_iter": 60}).fit(X, y)
    assert reg.support_[INFORMATIVE].all() and not reg.support_.all()
    assert len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert_array_equal(reg.coefs_[0][~reg.support_], 0.0)
    assert_allclose(reg.predict(X), _forward(reg, X).ravel() * reg._y_scale + reg._y_mean,
                    rtol=1e-12, atol=1e-12)
    # the returned model is the one that scored best on the held-out rows
    X_val, y_val = _validation_part(X, y, ARD["random_state"])
    assert reg.score(X_val, y_val) == pytest.approx(reg.best_validation_score_, abs=1e-12)


def test_early_stopping_returns_the_best_validation_weights_when_inputs_leave_later():
    # Several seeds: in some, inputs leave after the best validation iteration. The
    # model returned must still be the one that scored best_validation_score_ (as it
    # is without pruning); its weights of the inputs pruned later are dropped instead.
    X, y = _relevant()
    gaps = []
    for seed in range(6):
        reg = LMWCRegressor(**{**ARD, "prune_ratio": 1e4, "early_stopping": True,
                               "max_iter": 60, "random_state": seed}).fit(X, y)
        X_val, y_val = _validation_part(X, y, seed)
        gaps.append(abs(reg.score(X_val, y_val) - reg.best_validation_score_))
    assert max(gaps) <= 1e-12, gaps


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_prunes_with_log_loss(n_classes):
    X, y = _relevant()
    labels = np.digitize(y, np.quantile(y, np.arange(1, n_classes) / n_classes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends the fit
        clf = LMWCClassifier(**ARD).fit(X, labels)
    assert clf.support_[INFORMATIVE].all() and not clf.support_.all()
    assert_array_equal(clf.coefs_[0][~clf.support_], 0.0)
    assert clf.score(X, labels) > 0.85
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), n_classes)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    logits = _forward(clf, X)
    decision = clf.decision_function(X)
    assert_allclose(decision, logits.ravel() if n_classes == 2 else logits, rtol=1e-12,
                    atol=1e-12)
    assert_array_equal(clf.predict_proba(_garbage(clf, X)), proba)
    _, std = clf.decision_function(_garbage(clf, X), return_std=True)
    assert_array_equal(std, clf.decision_function(X, return_std=True)[1])


def test_sparse_x_gives_the_dense_fit():
    # without copies among the columns, a sparse X screens what a dense one does
    X, y = _relevant()
    X = np.where(np.abs(X) < 0.3, 0.0, X)
    X[:, 7] = 0.0
    dense = LMWCRegressor(**ARD).fit(X, y)
    S = sparse.csr_matrix(X)
    sparse_fit = LMWCRegressor(**ARD).fit(S, y)
    assert not sparse_fit.support_[7] and not sparse_fit.support_.all()
    assert_array_equal(sparse_fit.support_, dense.support_)
    assert_allclose(sparse_fit.predict(S), dense.predict(X), rtol=1e-10, atol=1e-12)
    assert_allclose(sparse_fit.predict(S, return_std=True)[1],
                    dense.predict(X, return_std=True)[1], rtol=1e-8)


def test_pickled_pruned_model_predicts_the_same():
    X, y = _relevant()
    X[:, 4] = 0.0
    reg = LMWCRegressor(**{**ARD, "n_init": 2, "committee_size": 2}).fit(X, y)
    assert not reg.support_.all()
    restored = pickle.loads(pickle.dumps(reg))
    assert_array_equal(restored.support_, reg.support_)
    assert_array_equal(restored.predict(X), reg.predict(X))
    assert_array_equal(restored.predict(X, return_std=True)[1], reg.predict(X, return_std=True)[1])
    assert_array_equal(restored.predict(_garbage(reg, X)), reg.predict(X))


def test_onnx_export_of_a_pruned_model():
    skl2onnx = pytest.importorskip("skl2onnx")
    rt = pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn_lmwc.onnx")
    X, y = _relevant()
    X[:, 6] = 1.0  # screened too
    reg = LMWCRegressor(**ARD).fit(X, y)
    assert not reg.support_[6] and reg.support_.sum() < N_FEATURES - 1
    X32 = X.astype(np.float32)
    onx = skl2onnx.to_onnx(reg, X32[:1])
    session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    for rows in (X32, _garbage(reg, X32, value=50.0)):
        (out,) = session.run(None, {name: rows})
        assert out.shape == (len(X), 1)
        # float32 arithmetic: within 1e-4 of the targets' scale (test_onnx.py's bound)
        assert np.abs(out[:, 0] - reg.predict(X32)).max() <= 1e-4 * y.std()


def test_dask_fit_screens_a_constant_column():
    da = pytest.importorskip("dask.array")
    dask_module = pytest.importorskip("sklearn_lmwc.dask")
    X, y = _relevant()
    X[:, 5] = 2.0
    Xd, yd = da.from_array(X, chunks=(70, -1)), da.from_array(y, chunks=70)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dask_fit = dask_module.DaskLMWCRegressor(**ARD, client="synchronous").fit(Xd, yd)
        memory = LMWCRegressor(**ARD).fit(X, y)
    assert not dask_fit.support_[5] and dask_fit.alpha_[5] == SCREENED_ALPHA
    assert_array_equal(dask_fit.support_, memory.support_)
    assert not memory.support_.all() and memory.support_[INFORMATIVE].all()
    prediction = dask_fit.predict(Xd).compute()
    assert_allclose(prediction, memory.predict(X), rtol=1e-8, atol=1e-10)
    assert_allclose(dask_fit.predict(da.from_array(_garbage(memory, X), chunks=(70, -1)))
                    .compute(), prediction, rtol=0, atol=0)
    _, std = dask_fit.predict(Xd, return_std=True)
    assert_allclose(std.compute(), memory.predict(X, return_std=True)[1], rtol=1e-6)
    assert dask_fit.log_evidence_ == pytest.approx(memory.log_evidence_, rel=1e-8)


@pytest.mark.slow
def test_dask_fit_on_a_distributed_cluster_screens_on_the_cluster():
    # the screening's column ranges computed on a LocalCluster (test_dask.py's)
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    dask_module = pytest.importorskip("sklearn_lmwc.dask")
    X, y = _relevant()
    X[:, 5] = 2.0
    X[:, 8] = 0.0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        on_cluster = dask_module.DaskLMWCRegressor(**ARD, client=client).fit(
            da.from_array(X, chunks=(70, -1)), y)
        prediction = on_cluster.predict(da.from_array(X, chunks=(70, -1))).compute()
    memory = LMWCRegressor(**ARD).fit(X, y)
    assert not on_cluster.support_[[5, 8]].any()
    assert_array_equal(on_cluster.support_, memory.support_)
    assert_allclose(prediction, memory.predict(X), rtol=1e-8, atol=1e-10)


@pytest.mark.slow
def test_trials_in_joblib_workers_prune_as_in_process():
    # a pruned trial comes back from a loky worker with its support
    X, y = _relevant()
    params = {**ARD, "n_init": 3, "committee_size": 2}
    workers = LMWCRegressor(**params, n_jobs=2).fit(X, y)
    here = LMWCRegressor(**params).fit(X, y)
    assert not here.support_.all()
    assert_array_equal(workers.support_, here.support_)
    assert_array_equal(workers.predict(X), here.predict(X))
    assert_array_equal(workers.alpha_, here.alpha_)


@pytest.mark.parametrize("value", [0.0, -1.0, "1e4"])
def test_prune_ratio_must_be_positive_or_none(value):
    X, y = _relevant(n=30)
    with pytest.raises(ValueError, match="prune_ratio"):
        LMWCRegressor(**{**ARD, "prune_ratio": value}).fit(X, y)
