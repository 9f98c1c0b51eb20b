import pickle
from dataclasses import replace

import numpy as np
import pytest

from sklearn_lmwc import _objective as objective_module
from sklearn_lmwc._losses import SquaredError
from sklearn_lmwc._network import Network
from sklearn_lmwc._objective import Objective


def _problem(n=300, n_outputs=2, weighted=True, alpha=0.0, seed=0):
    rng = np.random.default_rng(seed)
    network = Network(3, (4,), n_outputs, "bmlp", "tanh")
    X = rng.normal(size=(n, 3))
    Y = rng.normal(size=(n, n_outputs))
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    w = rng.normal(size=network.n_weights)
    return Objective(network, SquaredError(), X, Y, sw, alpha), w


def _normal_equations(objective, w):
    """Q and g of the objective (penalty included) at w."""
    system = objective.weight_space_system(w, *objective.gauss_newton_sums(w))
    return system.Q, system.g


def _dense(objective, w):
    """Q and g from the whole Jacobian at once, written out independently."""
    out, J = objective.network.jacobian(w, objective.X)
    sw = np.ones(len(out)) if objective.sample_weight is None else objective.sample_weight
    Jf = J.reshape(-1, J.shape[-1])
    s = np.repeat(sw, out.shape[1])
    r = (out - objective.Y).ravel()
    Q = Jf.T @ (s[:, None] * Jf)
    g = Jf.T @ (s * r)
    mask = ~objective.network.bias_mask()
    alpha = objective.prior.initial().alpha
    Q += alpha * np.diag(mask.astype(float))
    g += alpha * mask * w
    return Q, g


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_chunked_normal_equations_equal_whole_jacobian(weighted, alpha):
    objective, w = _problem(weighted=weighted, alpha=alpha)
    objective.passes.chunk = 64  # several chunks, the last one partial
    Q, g = _normal_equations(objective, w)
    Q_ref, g_ref = _dense(objective, w)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-10)


def test_gradient_is_derivative_of_value():
    objective, w = _problem(alpha=0.2)
    _, g = _normal_equations(objective, w)
    h = 1e-6
    fd = np.array([(objective.value(w + h * e) - objective.value(w - h * e)) / (2 * h)
                   for e in np.eye(len(w))])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)


def test_value_and_mean_loss():
    objective, w = _problem(weighted=True)
    out = objective.network.forward(w, objective.X)
    sw = objective.sample_weight
    sse = sw @ ((out - objective.Y) ** 2).sum(axis=1)
    assert objective.value(w) == pytest.approx(0.5 * sse)
    mse = sse / (sw.sum() * out.shape[1])
    assert objective.mean(objective.value(w)) == pytest.approx(mse)
    assert objective.goal_metric(objective.value(w)) == pytest.approx(np.sqrt(mse))


def test_penalty_skips_biases():
    objective, w = _problem(alpha=2.0)
    plain = Objective(objective.network, SquaredError(), objective.X, objective.Y,
                      objective.sample_weight, 0.0)
    W = w[~objective.network.bias_mask()]
    assert objective.value(w) - plain.value(w) == pytest.approx(W @ W)


def test_overflow_gives_inf_not_warning():
    objective, w = _problem()
    with np.errstate(all="raise"):
        assert objective.value(w * 1e300) == np.inf


def test_mean_net_statistic_weighted():
    objective, w = _problem()
    stats = objective.network.net_statistic(w, objective.X, "mean")
    sw = objective.sample_weight
    expected = [sw @ s / sw.sum() for s in stats]
    objective.passes.chunk = 64
    for got, want in zip(objective.mean_net_statistic(w, "mean"), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


# ---- log-loss (generalised Gauss-Newton) -------------------------------------------
from scipy.special import expit, softmax  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402

from sklearn_lmwc._losses import LogLoss  # noqa: E402

# (kind, number of outputs): binary, multilabel, multiclass
_LOG_CASES = {"binary": ("logistic", 1), "multilabel": ("logistic", 3),
              "multiclass": ("softmax", 4)}


def _log_problem(case, n=40, weighted=True, alpha=0.0, hidden=(3,), seed=0):
    kind, M = _LOG_CASES[case]
    rng = np.random.default_rng(seed)
    network = Network(3, hidden, M, "bmlp", "tanh")
    X = rng.normal(size=(n, 3))
    if kind == "softmax":
        Y = np.eye(M)[rng.integers(M, size=n)]
    else:
        Y = rng.integers(2, size=(n, M)).astype(float)
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    w = rng.normal(size=network.n_weights)
    return Objective(network, LogLoss(kind), X, Y, sw, alpha), w


def _brute_force_ggn(objective, w):
    """Q = sum_p s_p J_p^T H_p J_p and g = sum_p s_p J_p^T (p - y), one sample at a time."""
    out, J = objective.network.jacobian(w, objective.X)
    n, M, N = J.shape
    sw = np.ones(n) if objective.sample_weight is None else objective.sample_weight
    Q, g = np.zeros((N, N)), np.zeros(N)
    for i in range(n):
        if objective.loss.kind == "softmax":
            p = softmax(out[i])
            H = np.diag(p) - np.outer(p, p)
        else:
            p = expit(out[i])
            H = np.diag(p * (1 - p))
        Q += sw[i] * J[i].T @ H @ J[i]
        g += sw[i] * J[i].T @ (p - objective.Y[i])
    mask = ~objective.network.bias_mask()
    alpha = objective.prior.initial().alpha
    Q += alpha * np.diag(mask.astype(float))
    g += alpha * mask * w
    return Q, g


def _central_difference(f, w, h=1e-6):
    return np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))])


@pytest.mark.parametrize("case", list(_LOG_CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_log_loss_gradient_is_derivative_of_value(case, weighted):
    objective, w = _log_problem(case, weighted=weighted, alpha=0.2)
    _, g = _normal_equations(objective, w)
    fd = _central_difference(objective.value, w)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", list(_LOG_CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_log_loss_ggn_equals_brute_force(case, weighted):
    objective, w = _log_problem(case, weighted=weighted, alpha=0.3)
    objective.passes.chunk = 16  # several chunks, the last one partial
    Q, g = _normal_equations(objective, w)
    Q_ref, g_ref = _brute_force_ggn(objective, w)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12)
    # a generalised Gauss-Newton matrix is positive semi-definite
    assert np.linalg.eigvalsh(Q - 0.3 * np.diag(~objective.network.bias_mask())).min() > -1e-10


@pytest.mark.parametrize("case", list(_LOG_CASES))
def test_log_loss_ggn_is_the_hessian_of_a_linear_model(case):
    # with no hidden layer the logits are linear in w, so J^T H J is the exact Hessian
    objective, w = _log_problem(case, hidden=())
    Q, _ = _normal_equations(objective, w)
    hessian = _central_difference(lambda v: _normal_equations(objective, v)[1], w, h=1e-5)
    np.testing.assert_allclose(Q, hessian, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", ["binary", "multiclass"])
def test_log_loss_value_matches_sklearn(case):
    objective, w = _log_problem(case, n=50)
    out = objective.network.forward(w, objective.X)
    sw = objective.sample_weight
    if case == "binary":
        proba, y = expit(out[:, 0]), objective.Y[:, 0]
    else:
        proba, y = softmax(out, axis=1), objective.Y.argmax(axis=1)
    expected = log_loss(y, proba, sample_weight=sw)
    assert objective.mean(objective.value(w)) == pytest.approx(expected, rel=1e-10)
    assert objective.goal_metric(objective.value(w)) == pytest.approx(expected, rel=1e-10)


def test_multilabel_log_loss_sums_the_labels():
    objective, w = _log_problem("multilabel", weighted=False)
    p = expit(objective.network.forward(w, objective.X))
    Y = objective.Y
    per_sample = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum(axis=1)
    assert objective.mean(objective.value(w)) == pytest.approx(per_sample.mean(), rel=1e-10)


@pytest.mark.parametrize("kind", LogLoss.KINDS)
def test_log_loss_large_logits_do_not_overflow(kind):
    loss = LogLoss(kind)
    out = np.array([[1e5, -1e5], [-1e5, 1e5], [3e4, 2.9e4], [50.0, 0.0]])
    Y = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    # underflow to 0 is harmless; overflow, nan and log(0) are not
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.value(out, Y, None)
        r, scale = loss.gauss_newton(out, Y, None)
        rows = scale(np.ones((4, 2, 3)))
        Q, g = np.einsum("pmi,pmj->ij", rows, rows), r.sum(axis=0)
    assert np.isfinite(value) and np.all(np.isfinite(Q)) and np.all(np.isfinite(g))
    if kind == "softmax":
        # the misclassified rows cost their logit gaps; the right one keeps its tiny loss
        assert value == pytest.approx(2e5 + 1e3 + np.exp(-50.0), rel=1e-12)
        assert loss.value(out[3:], Y[3:], None) == pytest.approx(np.exp(-50.0), rel=1e-10)
    else:
        assert loss.value(out[1:2], Y[1:2], None) == pytest.approx(2e5)  # both labels wrong
        tiny = loss.value(np.array([[50.0, -50.0]]), np.array([[1.0, 0.0]]), None)
        assert tiny == pytest.approx(2 * np.exp(-50.0), rel=1e-10)


def test_log_loss_kind_is_checked():
    with pytest.raises(ValueError, match="kind"):
        LogLoss("probit")


# --------------------------------------------------------------------------
# the ways of building and solving the damped system agree
# --------------------------------------------------------------------------

from sklearn_lmwc._lm import lm_iteration  # noqa: E402
from sklearn_lmwc._loop import serve  # noqa: E402


def _objective(loss, M, topology, weighted, alpha=0.0, n=70, hidden=(3, 2), seed=0, **kw):
    rng = np.random.default_rng(seed)
    network = Network(3, hidden, M, topology, "tanh")
    X = rng.normal(size=(n, 3))
    if getattr(loss, "kind", None) == "softmax":
        Y = np.eye(M)[rng.integers(M, size=n)]
    elif isinstance(loss, LogLoss):
        Y = rng.integers(2, size=(n, M)).astype(float)
    else:
        Y = rng.normal(size=(n, M))
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    w = rng.normal(size=network.n_weights)
    return Objective(network, loss, X, Y, sw, alpha, **kw), w


def _reference_ggn(objective, w):
    """``sum_p s_p J_p^T H_p J_p`` and ``sum_p s_p J_p^T r_p`` from the whole Jacobian."""
    out, J = objective.network.jacobian(w, objective.X)
    n, M, _ = J.shape
    s = np.ones(n) if objective.sample_weight is None else objective.sample_weight
    if isinstance(objective.loss, SquaredError):
        H, r = np.broadcast_to(np.eye(M), (n, M, M)), out - objective.Y
    elif objective.loss.kind == "softmax":
        p = softmax(out, axis=1)
        H, r = np.einsum("pm,mk->pmk", p, np.eye(M)) - p[:, :, None] * p[:, None, :], \
            p - objective.Y
    else:
        p = expit(out)
        H, r = np.einsum("pm,mk->pmk", p * (1 - p), np.eye(M)), p - objective.Y
    Q = np.einsum("p,pmi,pmk,pkj->ij", s, J, H, J)
    return Q, np.einsum("p,pmi,pm->i", s, J, r)


_LOSSES = [(SquaredError(), 1), (SquaredError(), 3), (LogLoss("logistic"), 1),
           (LogLoss("logistic"), 3), (LogLoss("softmax"), 4)]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("topology", ["mlp", "bmlp", "fcc"])
@pytest.mark.parametrize("loss, M", _LOSSES)
@pytest.mark.parametrize("kronecker", [False, True])
def test_kronecker_and_jacobian_paths_match_the_whole_jacobian(kronecker, loss, M, topology,
                                                                weighted):
    objective, w = _objective(loss, M, topology, weighted)
    objective.plan = objective.plan._replace(kronecker=kronecker)
    objective.passes.chunk = 32  # several chunks, the last one partial
    Q, g = _normal_equations(objective, w)
    Q_ref, g_ref = _reference_ggn(objective, w)
    assert np.linalg.norm(Q - Q_ref) <= 1e-12 * np.linalg.norm(Q_ref)
    assert np.linalg.norm(g - g_ref) <= 1e-12 * np.linalg.norm(g_ref)
    assert np.array_equal(Q, Q.T)


@pytest.mark.parametrize("loss, M", [(SquaredError(), 2), (LogLoss("softmax"), 3)])
@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_kernel_form_takes_the_same_steps_as_the_gram_form(loss, M, alpha):
    # 20 samples (R = 20 M rows) and 87 weights: the R x R form applies
    objective = {}
    for form in ("weights", "residuals"):
        objective[form], w0 = _objective(loss, M, "mlp", True, alpha, n=20, hidden=(12,),
                                         seed=3, form=form)
    assert objective["weights"].network.n_weights > 20 * M
    iterates = {}
    for form, obj in objective.items():
        point, damping, path = obj.start(w0), 1e-2, []
        for _ in range(8):
            point, damping = serve(lm_iteration(obj, point, damping))
            path.append(point.w)
        iterates[form] = np.array(path)
    assert not np.allclose(iterates["weights"][-1], w0)  # the steps went somewhere
    scale = np.abs(iterates["weights"]).max(axis=1, keepdims=True)
    assert np.all(np.abs(iterates["residuals"] - iterates["weights"]) <= 1e-8 * scale)


def test_saturation_comes_from_the_value_pass(flat_count):
    objective, w = _objective(SquaredError(), 1, "bmlp", False, n=200)
    w = 3 * w  # saturate some neurons
    n_hidden = 5
    expected = flat_count(objective.network, w, objective.X) / (200 * n_hidden)
    assert 0 < expected < 1
    point = objective.points([w])[0]
    assert point.flat == expected * 200 * n_hidden
    calls = []
    forward = objective.network._forward  # every pass over the data goes through it
    objective.network._forward = lambda *a, **k: calls.append(1) or forward(*a, **k)
    assert objective.saturation(point.w, point.flat) == expected
    assert not calls  # no pass of its own
    assert objective.saturation(w) == expected  # without the count: a pass of its own
    assert calls


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss, M", [(SquaredError(), 2), (LogLoss("logistic"), 2),
                                     (LogLoss("softmax"), 3)])
@pytest.mark.parametrize("shares", [1, 2])
def test_stacked_sums_are_each_networks_sums(loss, M, weighted, shares, monkeypatch):
    # the sums the batched trials take for T networks at once (Jacobian path), on
    # one thread or split among two
    objective, _ = _objective(loss, M, "bmlp", weighted, n=50)
    objective.plan = objective.plan._replace(kronecker=False)
    objective.passes.chunk = 16  # several chunks, divided among the networks
    objective.passes.stacked_chunk = 16
    objective.passes.shares = shares
    assert objective.passes.use_threads(2) == shares
    W = np.random.default_rng(3).normal(size=(3, objective.network.n_weights))
    totals, flats = objective.loss_sums(W)
    Q, g = objective.gauss_newton_sums(W)
    for t, w in enumerate(W):
        total, flat = objective.loss_sums(w)
        assert totals[t] == pytest.approx(total, rel=1e-12) and flats[t] == flat
        Q1, g1 = objective.gauss_newton_sums(w)
        np.testing.assert_allclose(Q[t], Q1, rtol=1e-11, atol=1e-12 * np.abs(Q1).max())
        np.testing.assert_allclose(g[t], g1, rtol=1e-11, atol=1e-12 * np.abs(g1).max())


# ---- passes in shares of the rows, on threads; the value pass's forward state kept ----


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("kronecker", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_passes_in_shares_equal_whole_jacobian(weighted, kronecker, threads, flat_count):
    # how the rows are cut into shares and chunks, and where they run: test_passes.py
    objective, w = _problem(n_outputs=3, weighted=weighted, alpha=0.3)
    objective.plan = objective.plan._replace(kronecker=kronecker)
    objective.passes.chunk = 64  # several chunks in each share, the last ones partial
    objective.passes.shares = 4
    assert objective.passes.use_threads(threads) == threads
    value = objective.value(w)
    Q, g = _normal_equations(objective, w)
    Q_ref, g_ref = _dense(objective, w)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-10)
    out = objective.network.forward(w, objective.X)
    sw = np.ones(len(out)) if objective.sample_weight is None else objective.sample_weight
    W = w[~objective.network.bias_mask()]
    expected = 0.5 * sw @ ((out - objective.Y) ** 2).sum(axis=1) + 0.15 * W @ W
    assert value == pytest.approx(expected, rel=1e-12)
    assert objective.loss_sums(w)[1] == flat_count(objective.network, w, objective.X)


def test_the_sums_do_not_depend_on_the_threads():
    # the shares, and so the order of the sums, depend on the data alone
    objective, w = _problem(n_outputs=1)
    objective.passes.shares = 4
    sums = []
    for threads in (1, 2, 3):
        objective.passes.use_threads(threads)
        sums.append((objective.loss_sums(w)[0], *objective.gauss_newton_sums(w)))
    for other in sums[1:]:
        assert other[0] == sums[0][0]
        np.testing.assert_array_equal(other[1], sums[0][1])
        np.testing.assert_array_equal(other[2], sums[0][2])


def test_an_objective_pickles_and_closes_without_its_forward_state():
    # a trial's monitor refers to its objective, and joblib's workers pickle trials (what
    # the passes keep and drop: test_passes.py)
    objective, w = _problem()
    objective.passes.shares, objective.passes.keep_states = 2, True
    objective.passes.use_threads(2)
    value = objective.value(w)
    assert objective.passes.kept(w) is not None
    copy = pickle.loads(pickle.dumps(objective))
    assert copy.passes.kept(w) is None
    assert copy.value(w) == value
    for a, b in zip(copy.gauss_newton_sums(w), objective.gauss_newton_sums(w)):
        np.testing.assert_array_equal(a, b)
    objective.close()
    assert objective.passes.kept(w) is None
    assert objective.value(w) == value  # still usable


def test_the_residuals_form_keeps_no_forward_state():
    # it builds its system from passes of its own
    objective, w = _problem()
    objective.passes.keep_states = True
    objective.value(w)
    assert objective.passes._kept is not None
    objective.plan = objective.plan._replace(form="residuals")
    objective.value(w)
    assert objective.passes._kept is None


def _counting_forward(monkeypatch):
    calls = []
    forward = Network._forward

    def counting(self, *args, **kwargs):
        calls.append(1)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(Network, "_forward", counting)
    return calls


@pytest.mark.parametrize("shares", [1, 2])
def test_jacobian_pass_reuses_the_value_pass_at_the_same_weights(shares, monkeypatch):
    objective, w = _problem(weighted=True)
    objective.passes.chunk, objective.passes.shares, objective.passes.keep_states = 64, shares, True
    objective.passes.use_threads(2)
    fresh = objective.gauss_newton_sums(w)
    objective.value(w)
    calls = _counting_forward(monkeypatch)
    kept = objective.gauss_newton_sums(w)
    assert calls == []  # no forward pass of its own
    for a, b in zip(kept, fresh):
        np.testing.assert_array_equal(a, b)
    # at other weights the kept state is not used
    other = w + 0.1
    Q, g = objective.gauss_newton_sums(other)
    assert len(calls) > 0
    Q_ref, g_ref = _dense(objective, other)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("change", ["X", "chunk", "keep_states"])
def test_a_forward_state_serves_only_its_own_pass(change, monkeypatch):
    objective, w = _problem()
    objective.passes.keep_states = True
    if change == "keep_states":  # not kept unless asked (trials run together, dask)
        objective.passes.keep_states = False
    objective.value(w)
    if change == "X":
        objective.passes.X = objective.X[::-1].copy()
    elif change == "chunk":
        objective.passes.chunk = 64
    calls = _counting_forward(monkeypatch)
    Q, g = objective.gauss_newton_sums(w)
    assert len(calls) > 0
    Q_ref, g_ref = _dense(objective, w)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-10)


def test_forward_states_too_large_are_not_kept(monkeypatch):
    objective, w = _problem()
    objective.passes.keep_states = True
    monkeypatch.setattr(objective_module, "STATE_ELEMENTS", objective.network.state_size(299))
    objective.value(w)
    assert objective.passes._kept is None
    Q, g = objective.gauss_newton_sums(w)
    Q_ref, g_ref = _dense(objective, w)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-10, atol=1e-10)
    objective.passes.X = objective.X[:299]
    objective.value(w)
    assert objective.passes._kept is not None


def test_sums_of_shares_do_not_warn():
    # J^T J's cross terms +inf in one share and -inf in the other: inf - inf, silently
    network = Network(2, (2,), 1, "mlp", "identity")
    X = np.ones((400, 2))
    X[200:, 1] = -1.0
    objective = Objective(network, SquaredError(), X, np.zeros((400, 1)))
    objective.passes.shares = 2
    w = network.pack([np.diag([1e153, 1e153]), np.ones((2, 1))], [np.zeros(2), [0.0]])
    with np.errstate(all="raise"):
        Q, _ = objective.gauss_newton_sums(w)
        objective.value(network.pack([np.zeros((2, 2)), np.zeros((2, 1))],
                                     [np.zeros(2), [1e153]]))
    assert np.isnan(Q).any()


# ---- the Laplace posterior at the returned weights ---------------------------------
@pytest.mark.parametrize("loss_name", ["squared_error", "logistic"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_posterior_log_evidence_is_the_dense_laplace_evidence(loss_name, activation):
    import math

    rng = np.random.default_rng(3)
    n, M = 40, 2
    network = Network(3, (3, 2), M, "bmlp", activation)
    X = rng.normal(size=(n, 3))
    sw = rng.uniform(0.5, 2.0, n)
    if loss_name == "squared_error":
        loss, Y = SquaredError(), rng.normal(size=(n, M))
    else:
        loss, Y = LogLoss("logistic"), (rng.uniform(size=(n, M)) < 0.5).astype(float)
    objective = Objective(network, loss, X, Y, sw, "bayes")
    w = rng.normal(size=network.n_weights)
    point = objective.start(w, alpha=0.7)
    state, evidence, laplace = objective.posterior(point, laplace=True)
    # written out: A = beta J^T H J + a diag(penalised), Bishop's (10.67) with
    # biases under a flat prior of unit density
    out, J = network.jacobian(w, X)
    Jf = J.reshape(n * M, -1)
    if loss_name == "squared_error":
        h = np.repeat(sw, M)
        data = 0.5 * np.sum(sw[:, None] * (out - Y) ** 2)
    else:
        p = 1 / (1 + np.exp(-out))
        h = (sw[:, None] * p * (1 - p)).ravel()
        data = -np.sum(sw[:, None] * (Y * np.log(p) + (1 - Y) * np.log(1 - p)))
    penalised = ~network.bias_mask()
    W, k = penalised.sum(), (~penalised).sum()
    Q = Jf.T @ (h[:, None] * Jf)
    # the posterior's factor: a 1e-6 alpha jitter on the unpenalised biases
    D = 0.7 * np.where(penalised, 1.0, 1e-6)
    gamma = W - 0.7 * np.trace(np.linalg.inv(Q + np.diag(D))[np.ix_(penalised, penalised)])
    assert state.alpha == 0.7 and state.gamma == pytest.approx(gamma, rel=1e-8)
    N_res = sw.sum() * M
    beta = (N_res - gamma) / (2 * data) if loss_name == "squared_error" else 1.0
    # the factor of predictive distributions is that matrix's, with the noise 1 / beta,
    # and the same as a separate laplace pass gives
    np.testing.assert_allclose(laplace.factor @ laplace.factor.T, Q + np.diag(D),
                               rtol=1e-9, atol=1e-9 * np.abs(Q).max())
    assert np.array_equal(laplace.factor, np.tril(laplace.factor))
    assert laplace.noise_variance == pytest.approx(1 / beta, rel=1e-8)
    alone = objective.laplace(replace(point, prior=state))  # the trial's point
    np.testing.assert_allclose(alone.factor, laplace.factor, rtol=1e-12, atol=1e-14)
    assert alone.noise_variance == laplace.noise_variance
    a = 0.7 * beta
    E_W = 0.5 * w[penalised] @ w[penalised]
    log_det_A = np.linalg.slogdet(beta * (Q + np.diag(D)))[1]
    expected = (-beta * data - a * E_W - 0.5 * log_det_A + 0.5 * W * np.log(a)
                + 0.5 * k * np.log(2 * np.pi))
    if loss_name == "squared_error":
        expected += 0.5 * N_res * np.log(beta / (2 * np.pi))
    symmetries = 0.0 if activation == "relu" else (3 + 2) * np.log(2)
    expected += math.lgamma(4) + math.lgamma(3) + symmetries
    assert evidence == pytest.approx(expected, rel=1e-9)


def test_posterior_without_bayes_has_no_evidence():
    objective, w = _problem(alpha=0.3)
    state, evidence, laplace = objective.posterior(objective.start(w))
    assert evidence is None and state.alpha == 0.3 and state.gamma is None
    assert laplace is None  # not asked for


def test_value_under_gives_the_value_under_another_penalty():
    objective, w = _problem(alpha="bayes")
    kept = objective.start(w, alpha=0.3)
    point = objective.start(w, alpha=2.0)  # the current penalty
    assert point.value > kept.value
    assert objective.value_under(point, kept.prior) == pytest.approx(kept.value, rel=1e-12)
    assert objective.value_under(point, point.prior) == point.value  # same state: as is


def test_the_objective_keeps_no_state_of_the_prior():
    # values, systems and the posterior are functions of the weights and the state
    # passed in: evaluating under one state leaves every other answer alone
    objective, w = _problem(alpha="bayes")
    weak, strong = objective.start(w, alpha=0.3), objective.start(w, alpha=2.0)
    before = objective.value(w, weak.prior), objective.damped_system(w, weak.prior).g
    objective.accept(strong)
    objective.posterior(strong, laplace=True)
    assert objective.value(w, weak.prior) == before[0] == weak.value
    assert np.array_equal(objective.damped_system(w, weak.prior).g, before[1])
