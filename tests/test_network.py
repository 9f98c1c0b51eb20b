"""Tests of the network engine (_network.py).

The reference computations below (layout, forward, net statistics) are written
from the user guide's "The networks" and "Topologies" (docs/user_guide.rst) and the
layout documented in _network.py's docstring, without using the module's slices, so
that a wrong wiring or offset makes them fail.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_lmwc._network import Network

TOPOLOGIES = ("mlp", "bmlp", "fcc")
ACTS = ("tanh", "logistic", "identity", "relu")


# --------------------------------------------------------------------------
# independent reference implementation
# --------------------------------------------------------------------------


def _ref_f(name, z):
    return {
        "tanh": np.tanh,
        "logistic": lambda t: 1.0 / (1.0 + np.exp(-t)),
        "identity": lambda t: t,
        "relu": lambda t: np.where(t > 0, t, 0.0),
    }[name](z)


def _ref_layout(n_in, hidden, n_out, topology):
    """(fan_in, size) of every layer, output last, computed by hand."""
    sizes = [1] * sum(hidden) if topology == "fcc" else list(hidden)
    shapes, seen, prev = [], n_in, n_in
    for s in sizes + [n_out]:
        fan_in = prev if topology == "mlp" else seen
        shapes.append((fan_in, s))
        prev, seen = s, seen + s
    return shapes


def _ref_params(w, shapes):
    """Split w as [W_0.ravel(), b_0, W_1.ravel(), b_1, ...], W_l row-major (fan_in, size)."""
    params, pos = [], 0
    for fan_in, size in shapes:
        W = np.array(w[pos : pos + fan_in * size]).reshape(fan_in, size)
        pos += fan_in * size
        b = np.array(w[pos : pos + size])
        pos += size
        params.append((W, b))
    assert pos == len(w)
    return params


def _ref_forward(w, X, n_out, hidden, topology, act, gain):
    """Outputs and the list of hidden nets, by explicit concatenation of sources."""
    params = _ref_params(w, _ref_layout(X.shape[1], hidden, n_out, topology))
    outs, nets, sources = [], [], []
    for k, (W, b) in enumerate(params):
        if topology == "mlp":
            src = X if k == 0 else outs[-1]
        else:  # bridged: the inputs and every earlier layer's outputs
            src = np.concatenate([X] + outs, axis=1)
        net = src @ W + b
        sources.append(src)
        if k == len(params) - 1:
            return net, nets, sources
        nets.append(net)
        outs.append(_ref_f(act, gain * net))


def _make(topology, act="tanh", n_in=3, hidden=(3, 2), n_out=2, gain=1.7, seed=0, n=7):
    rng = np.random.RandomState(seed)
    net = Network(n_in, hidden, n_out, topology=topology, activation=act, gain=gain)
    w = rng.normal(0.0, 0.8, net.n_weights)
    X = rng.uniform(-1.5, 1.5, (n, n_in))
    return net, w, X


# --------------------------------------------------------------------------
# Jacobian vs finite differences
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_out", [1, 3])
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_jacobian_matches_finite_differences(topology, act, n_out, fd_jacobian):
    # two hidden layers (five cascaded neurons for FCC) and gain != 1
    net, w, X = _make(topology, act, n_in=3, hidden=(3, 2), n_out=n_out, gain=1.7, seed=1)
    if act == "relu":
        # the perturbation (h = 1e-5) must not cross a kink at net = 0
        _, nets, _ = _ref_forward(w, X, n_out, (3, 2), topology, act, 1.7)
        assert min(np.abs(n).min() for n in nets) > 1e-3
    Y, J = net.jacobian(w, X)
    assert J.shape == (X.shape[0], n_out, net.n_weights)
    assert_allclose(Y, net.forward(w, X), rtol=1e-12, atol=1e-12)

    # h = 1e-5: measured FD error ~3e-8 relative here, well under the tolerance
    J_fd = fd_jacobian(net, w, X, h=1e-5)
    scale = np.abs(J_fd).max()
    assert scale > 0
    assert_allclose(J, J_fd, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_jacobian_rows_are_per_sample(topology):
    # a chunk of samples gives exactly the corresponding rows of the full Jacobian
    net, w, X = _make(topology, "tanh", n=10, seed=3)
    Y, J = net.jacobian(w, X)
    for lo, hi in [(0, 1), (2, 6), (6, 10)]:
        Yc, Jc = net.jacobian(w, X[lo:hi])
        assert_allclose(Yc, Y[lo:hi], rtol=1e-13, atol=1e-14)
        assert_allclose(Jc, J[lo:hi], rtol=1e-13, atol=1e-14)


# --------------------------------------------------------------------------
# forward vs a hand-written computation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_forward_matches_reference(topology, act):
    hidden = (3, 2)
    net, w, X = _make(topology, act, n_in=3, hidden=hidden, n_out=2, gain=1.3, seed=2)
    Y_ref, _, _ = _ref_forward(w, X, 2, hidden, topology, act, 1.3)
    assert_allclose(net.forward(w, X), Y_ref, rtol=1e-12, atol=1e-12)


def test_forward_fcc_two_neurons_written_out():
    # FCC, 2 inputs, 2 neurons, 1 output, every connection spelled out
    net = Network(2, (2,), 1, topology="fcc", activation="tanh", gain=2.0)
    # neuron 1: w(x1), w(x2), b | neuron 2: w(x1), w(x2), w(h1), b | out: x1, x2, h1, h2, b
    w = np.array([0.3, -0.5, 0.1, 0.7, 0.2, -1.1, 0.05, 0.4, -0.6, 0.9, 1.2, -0.3])
    assert net.n_weights == w.size
    x1, x2 = 0.8, -0.4
    h1 = np.tanh(2.0 * (0.3 * x1 - 0.5 * x2 + 0.1))
    h2 = np.tanh(2.0 * (0.7 * x1 + 0.2 * x2 - 1.1 * h1 + 0.05))
    y = 0.4 * x1 - 0.6 * x2 + 0.9 * h1 + 1.2 * h2 - 0.3
    assert_allclose(net.forward(w, np.array([[x1, x2]])), [[y]], rtol=1e-14)


def test_forward_mlp_does_not_see_inputs_beyond_first_layer():
    # in an MLP the output layer has no connection to the inputs
    net = Network(2, (3,), 1, topology="mlp", activation="tanh")
    assert net.n_weights == (2 * 3 + 3) + (3 + 1)
    w = np.random.RandomState(0).normal(size=net.n_weights)
    w[: 2 * 3] = 0.0  # cut inputs -> hidden: output is then independent of X
    X = np.random.RandomState(1).normal(size=(5, 2))
    Y = net.forward(w, X)
    assert_allclose(Y, np.full_like(Y, Y[0, 0]), rtol=1e-14)


# --------------------------------------------------------------------------
# weight layout
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_in, hidden, n_out, topology, expected",
    [
        # FCC, 9 hidden on 2 inputs: sum_{k=1..9} (2 + (k-1) + 1) + (2 + 9 + 1) = 63 + 12
        (2, (9,), 1, "fcc", 75),
        (2, (9,), 3, "fcc", 63 + 3 * 12),
        # MLP 3-4-5-2: (3*4+4) + (4*5+5) + (5*2+2)
        (3, (4, 5), 2, "mlp", 16 + 25 + 12),
        # BMLP 3-4-5-2: layer 2 sees 3+4, the output 3+4+5
        (3, (4, 5), 2, "bmlp", (3 * 4 + 4) + (7 * 5 + 5) + (12 * 2 + 2)),
        # parity-7 network of the paper: FCC 2 hidden on 1 input: 2 + 3 + 4
        (1, (2,), 1, "fcc", 9),
        # no hidden layer: a linear model
        (4, (), 2, "mlp", 4 * 2 + 2),
    ],
)
def test_n_weights_by_hand(n_in, hidden, n_out, topology, expected):
    net = Network(n_in, hidden, n_out, topology=topology)
    assert net.n_weights == expected
    assert sum(f * s + s for f, s in _ref_layout(n_in, hidden, n_out, topology)) == expected


@pytest.mark.parametrize("n_out", [1, 2])
@pytest.mark.parametrize("n", [1, 4])
def test_fcc_equals_bmlp_of_single_neurons(n, n_out):
    fcc = Network(3, (n,), n_out, topology="fcc", activation="tanh", gain=1.5)
    bmlp = Network(3, (1,) * n, n_out, topology="bmlp", activation="tanh", gain=1.5)
    assert fcc.n_weights == bmlp.n_weights
    rng = np.random.RandomState(n)
    w = rng.normal(size=fcc.n_weights)
    X = rng.normal(size=(6, 3))
    assert_allclose(fcc.forward(w, X), bmlp.forward(w, X), rtol=1e-14)
    assert_allclose(fcc.jacobian(w, X)[1], bmlp.jacobian(w, X)[1], rtol=1e-14)


def test_fcc_hidden_sizes_only_count():
    # FCC (2, 3) is the same cascade of 5 neurons as FCC (5,)
    a = Network(2, (2, 3), 1, topology="fcc")
    b = Network(2, (5,), 1, topology="fcc")
    assert a.n_weights == b.n_weights
    rng = np.random.RandomState(0)
    w = rng.normal(size=a.n_weights)
    X = rng.normal(size=(5, 2))
    assert_allclose(a.forward(w, X), b.forward(w, X), rtol=1e-14)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_unpack_matches_documented_layout_and_pack_roundtrips(topology):
    net, w, _ = _make(topology)
    params = net.unpack(w)
    ref = _ref_params(w, _ref_layout(3, (3, 2), 2, topology))
    assert len(params) == len(ref)
    for (W, b), (Wr, br) in zip(params, ref):
        assert_array_equal(W, Wr)
        assert_array_equal(b, br)
    w2 = net.pack([W for W, _ in params], [b for _, b in params])
    assert_array_equal(w2, w)
    assert w2 is not w


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_unpack_returns_views(topology):
    net, w, _ = _make(topology)
    params = net.unpack(w)
    for k, (W, b) in enumerate(params):
        assert np.shares_memory(W, w) and np.shares_memory(b, w)
        W[-1, 0] = 100.0 + k
        b[0] = -100.0 - k
    # writes through the views land where the documented layout puts them
    for k, (W, b) in enumerate(_ref_params(w, _ref_layout(3, (3, 2), 2, topology))):
        assert W[-1, 0] == 100.0 + k
        assert b[0] == -100.0 - k


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_bias_mask_marks_exactly_the_biases(topology):
    net = Network(3, (3, 2), 2, topology=topology)
    expected = []
    for fan_in, size in _ref_layout(3, (3, 2), 2, topology):
        expected += [False] * (fan_in * size) + [True] * size
    mask = net.bias_mask()
    assert mask.dtype == bool
    assert_array_equal(mask, np.array(expected))
    # one bias per neuron, hidden and output
    n_neurons = (sum((3, 2)) if topology != "fcc" else 5) + 2
    assert mask.sum() == n_neurons


@pytest.mark.parametrize(
    "n_in, hidden, n_out, topology, layers, ard",
    [
        # 3-2-2-1: input 3*2; hidden 2*2; output 2*1; biases 2+2+1
        (3, (2, 2), 1, "mlp", {"input": 6, "hidden": 4, "output": 2, "bias": 5},
         [2, 2, 2]),
        # bridged: layer 2 reads 3 inputs + 2 hidden, the output 3 inputs + 4 hidden;
        # each input feeds 2 + 2 + 1 neurons
        (3, (2, 2), 1, "bmlp", {"input": 6 + 6 + 3, "hidden": 4, "output": 4, "bias": 5},
         [5, 5, 5]),
        # cascade of 4 neurons: neuron k reads the 3 inputs and k - 1 neurons; the
        # output 3 inputs + 4 neurons
        (3, (2, 2), 1, "fcc",
         {"input": 3 * 5, "hidden": 0 + 1 + 2 + 3, "output": 4, "bias": 5}, [5, 5, 5]),
        # one hidden layer: no hidden-to-hidden weights
        (2, (3,), 1, "mlp", {"input": 6, "output": 3, "bias": 4}, [3, 3]),
        # two outputs, bridged: 2 inputs into 3 hidden and into 2 outputs
        (2, (3,), 2, "bmlp", {"input": 6 + 4, "output": 6, "bias": 5}, [5, 5]),
        # no hidden layer: inputs straight into the outputs
        (3, (), 2, "mlp", {"input": 6, "bias": 2}, [2, 2, 2]),
        (3, (), 2, "bmlp", {"input": 6, "bias": 2}, [2, 2, 2]),
    ],
)
def test_weight_groups_by_hand(n_in, hidden, n_out, topology, layers, ard):
    net = Network(n_in, hidden, n_out, topology=topology)
    groups, names = net.weight_groups("layers")
    assert names == tuple(layers)
    assert groups.shape == (net.n_weights,) and groups.dtype.kind == "i"
    assert_array_equal(np.bincount(groups), list(layers.values()))
    assert_array_equal(groups == names.index("bias"), net.bias_mask())

    groups, names = net.weight_groups("ard")
    rest = {k: v for k, v in layers.items() if k != "input"}
    assert names == tuple(f"input {i}" for i in range(n_in)) + tuple(rest)
    assert_array_equal(np.bincount(groups), ard + list(rest.values()))


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_weight_groups_follow_the_documented_layout(topology):
    n_in, hidden, n_out = 3, (3, 2), 2
    net = Network(n_in, hidden, n_out, topology=topology)
    shapes = _ref_layout(n_in, hidden, n_out, topology)
    # each layer's source rows, by hand: the inputs, then the hidden columns it reads
    ard, ard_names = net.weight_groups("ard")
    layers, layer_names = net.weight_groups("layers")
    ard_params = _ref_params(ard, shapes)
    layer_params = _ref_params(layers, shapes)
    for k, ((W, b), (V, c)) in enumerate(zip(ard_params, layer_params)):
        is_output = k == len(shapes) - 1
        reads_inputs = topology != "mlp" or k == 0
        for row in range(W.shape[0]):
            if reads_inputs and row < n_in:
                assert {ard_names[g] for g in W[row]} == {f"input {row}"}
                assert {layer_names[g] for g in V[row]} == {"input"}
            else:
                expected = "output" if is_output else "hidden"
                assert {ard_names[g] for g in W[row]} == {expected}
                assert {layer_names[g] for g in V[row]} == {expected}
        assert {ard_names[g] for g in b} == {layer_names[g] for g in c} == {"bias"}


def test_weight_groups_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        Network(2, (3,), 1).weight_groups("neurons")


# --------------------------------------------------------------------------
# hidden-neuron statistics and compression
# --------------------------------------------------------------------------


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_net_statistic_mean_is_abs_net(topology):
    hidden = (3, 2)
    net, w, X = _make(topology, "tanh", hidden=hidden, gain=1.4, seed=5)
    _, nets, _ = _ref_forward(w, X, 2, hidden, topology, "tanh", 1.4)
    stats = net.net_statistic(w, X, "mean")
    assert len(stats) == len(nets)
    for s, n in zip(stats, nets):
        assert s.shape == n.shape
        assert_allclose(s, np.abs(n), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_net_statistic_authors_is_the_matlab_loop(topology):
    hidden = (3, 2)
    net, w, X = _make(topology, "tanh", hidden=hidden, gain=1.4, seed=6)
    _, _, sources = _ref_forward(w, X, 2, hidden, topology, "tanh", 1.4)
    params = _ref_params(w, _ref_layout(3, hidden, 2, topology))
    stats = net.net_statistic(w, X, "authors")
    assert len(stats) == len(params) - 1
    for k, s in enumerate(stats):
        W, b = params[k]
        src = sources[k]
        expected = np.empty((X.shape[0], W.shape[1]))
        for p in range(X.shape[0]):
            for j in range(W.shape[1]):
                # bias first, then each input in order, summing |partial net|
                acc = b[j]
                total = abs(b[j])
                for i in range(W.shape[0]):
                    acc += W[i, j] * src[p, i]
                    total += abs(acc)
                expected[p, j] = total
        assert_allclose(s, expected, rtol=1e-12, atol=1e-14)


def test_net_statistic_authors_exceeds_mean():
    # |net| is the last partial sum, so the authors' sum is never smaller
    net, w, X = _make("bmlp", "tanh", n_in=6, hidden=(4, 3), seed=7)
    for a, m in zip(net.net_statistic(w, X, "authors"), net.net_statistic(w, X, "mean")):
        assert np.all(a >= m - 1e-12)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_scale_hidden_scales_only_hidden_incoming_weights(topology):
    hidden = (3, 2)
    net, w, X = _make(topology, "tanh", hidden=hidden, seed=8)
    w_orig = w.copy()
    shapes = _ref_layout(3, hidden, 2, topology)
    rng = np.random.RandomState(9)
    factors = [rng.uniform(0.2, 3.0, size) for _, size in shapes[:-1]]
    w2 = net.scale_hidden(w, factors)
    assert w2 is not w and not np.shares_memory(w2, w)
    assert_array_equal(w, w_orig)  # input untouched
    before = _ref_params(w_orig, shapes)
    after = _ref_params(w2, shapes)
    for k, f in enumerate(factors):
        # neuron j's column of W (its incoming weights) and its bias times f[j]
        assert_allclose(after[k][0], before[k][0] * f[None, :], rtol=1e-15)
        assert_allclose(after[k][1], before[k][1] * f, rtol=1e-15)
    assert_array_equal(after[-1][0], before[-1][0])  # output layer untouched
    assert_array_equal(after[-1][1], before[-1][1])
    # the first layer's nets are the old ones times the factors (later layers
    # also see rescaled outputs, so only layer 0 has this simple relation)
    _, nets0, _ = _ref_forward(w_orig, X, 2, hidden, topology, "tanh", 1.7)
    stats = net.net_statistic(w2, X, "mean")
    assert_allclose(stats[0], np.abs(nets0[0]) * factors[0], rtol=1e-12)


def test_scale_hidden_with_scalar_factors():
    # one scalar per layer broadcasts over the layer's neurons
    net, w, _ = _make("mlp", hidden=(3, 2), seed=10)
    w2 = net.scale_hidden(w, [2.0, 0.5])
    shapes = _ref_layout(3, (3, 2), 2, "mlp")
    b, a = _ref_params(w, shapes), _ref_params(w2, shapes)
    assert_allclose(a[0][0], 2.0 * b[0][0])
    assert_allclose(a[1][1], 0.5 * b[1][1])
    assert_array_equal(a[2][0], b[2][0])


def test_no_hidden_layer_is_linear():
    # hidden_layer_sizes=() leaves only the linear output layer: Y = X W + b, J = [x ⊗ I, I]
    net = Network(3, (), 2, topology="bmlp")
    rng = np.random.RandomState(11)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    w = np.concatenate([W.ravel(), b])
    X = rng.normal(size=(4, 3))
    Y, J = net.jacobian(w, X)
    assert_allclose(Y, X @ W + b, rtol=1e-14)
    for p in range(4):
        for m in range(2):
            expected = np.zeros((3, 2))
            expected[:, m] = X[p]
            assert_allclose(J[p, m], np.concatenate([expected.ravel(), np.eye(2)[m]]))


# --------------------------------------------------------------------------
# Q block by block from the Kronecker factors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_out", [1, 4])
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_kronecker_gram_equals_jacobian_gram(topology, n_out):
    from sklearn_lmwc._network import KroneckerGram

    net, w, X = _make(topology, "tanh", n=25, hidden=(3, 2), n_out=n_out, seed=4)
    rng = np.random.default_rng(5)
    # per-sample mixing of the outputs, as a loss's scaling does
    T = rng.normal(size=(25, n_out, n_out))
    gram = KroneckerGram(net)
    J_all = []
    for rows in (slice(0, 10), slice(10, 25)):
        _, A, D = net.backprop(w, X[rows])
        B = [np.matmul(T[rows], d) for d in D]
        gram.add(A, B)
        J_all.append(net.assemble_jacobian(A, B).reshape(-1, net.n_weights))
    J = np.concatenate(J_all)
    Q = np.zeros((net.n_weights,) * 2)
    gram.assemble(Q)
    expected = J.T @ J
    assert np.linalg.norm(Q - expected) <= 1e-12 * np.linalg.norm(expected)


# --------------------------------------------------------------------------
# a stack of weight vectors: T networks evaluated together
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_out", [1, 3])
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_stacked_weights_give_each_networks_own_results(topology, n_out, flat_count):
    net, _, X = _make(topology, n_out=n_out, n=9)
    # weights of growing scale, from nearly linear networks to saturated ones, so
    # that the networks' flat counts differ and a count mixed up between them shows
    scales = np.array([0.05, 0.8, 2.0, 6.0])[:, None]
    W = scales * np.random.RandomState(5).normal(0.0, 1.0, (4, net.n_weights))
    Y, A, D = net.backprop(W, X)
    J = net.assemble_jacobian(A, D)
    r = np.random.RandomState(6).normal(size=(4, 9, n_out))
    g = net.gradient(A, D, r)
    Y_flat, flat, _ = net.forward_counting_flat(W, X, threshold=0.5)
    assert Y.shape == (4, 9, n_out) and J.shape == (4, 9, n_out, net.n_weights)
    for t, w in enumerate(W):
        y1, a1, d1 = net.backprop(w, X)
        assert_allclose(Y[t], y1, rtol=1e-13, atol=1e-14)
        assert_allclose(Y_flat[t], y1, rtol=1e-13, atol=1e-14)
        assert_allclose(J[t], net.assemble_jacobian(a1, d1), rtol=1e-13, atol=1e-14)
        assert_allclose(g[t], net.gradient(a1, d1, r[t]), rtol=1e-12, atol=1e-13)
        assert flat[t] == flat_count(net, w, X, threshold=0.5)
    # and the single network's Jacobian is the finite-difference one (above), so the
    # stacked results are checked against an independent computation too
    assert len(set(flat.tolist())) == len(W)


@pytest.mark.parametrize("threshold", [None, 0.5])  # None: the default, 0.1
@pytest.mark.parametrize("act", ACTS + ("elu", "selu", "leaky_relu", "softplus"))
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_flat_count_is_the_flat_spots(topology, act, threshold, flat_count):
    # weights large enough that some (sample, neuron) pairs saturate and some do not
    net, w, X = _make(topology, act=act, n=40, seed=1)
    w = 2.5 * w
    kwargs = {} if threshold is None else {"threshold": threshold}
    Y, count, _ = net.forward_counting_flat(w, X, **kwargs)
    assert_allclose(Y, net.forward(w, X), rtol=1e-13, atol=1e-14)
    expected = flat_count(net, w, X, **kwargs)
    assert count == expected
    if act != "identity":  # its slope is the same everywhere: never flat
        assert 0 < expected < len(X) * (net.n_columns - net.n_inputs)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_backprop_reuses_a_forward_state(topology):
    # the value pass's state at the same weights and rows serves the Jacobian pass
    net, w, X = _make(topology, n_out=2, n=11)
    _, _, state = net.forward_counting_flat(w, X)
    Y, A, D = net.backprop(w, X)
    Y_s, A_s, D_s = net.backprop(w, X, state)
    np.testing.assert_array_equal(Y_s, Y)
    for a, a_s, d, d_s in zip(A, A_s, D, D_s):
        np.testing.assert_array_equal(a_s, a)
        np.testing.assert_array_equal(d_s, d)
    assert sum(x.size for x in state) == net.state_size(len(X))


# --------------------------------------------------------------------------
# the network over a subset of the inputs (input pruning)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [[0, 2], [1], [], [0, 1, 2, 3]],
                         ids=["two", "one", "none", "all"])
@pytest.mark.parametrize("n_out", [1, 2])
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_restricted_network_is_the_full_one_without_the_other_inputs(topology, n_out,
                                                                     columns):
    # two hidden layers: an MLP's later layers read no input, yet their weights must
    # still be mapped
    net, w, X = _make(topology, n_in=4, hidden=(3, 2), n_out=n_out, gain=1.3, seed=7, n=9)
    small, index = net.restricted(columns)
    dropped = sorted(set(range(4)) - set(columns))
    assert small.n_inputs == len(columns) and small.n_outputs == n_out
    assert small.n_weights == index.size and index.dtype.kind == "i"
    # an order-preserving injection into the full vector...
    assert np.all(np.diff(index) > 0) and index.min(initial=0) >= 0
    assert index.max(initial=0) < net.n_weights
    # ...whose complement is exactly the weights leaving the dropped inputs (the ARD
    # groups, tested above against the documented layout)
    groups, names = net.weight_groups("ard")
    leaving = np.isin(np.asarray(names)[groups], [f"input {i}" for i in dropped])
    assert_array_equal(np.setdiff1d(np.arange(net.n_weights), index),
                       np.flatnonzero(leaving))
    # the small network on the kept columns is the full one with the dropped inputs'
    # weights at zero, whatever the dropped columns hold
    zeroed = np.where(leaving, 0.0, w)
    X_garbage = X.copy()
    X_garbage[:, dropped] = 1e3
    Y_full, J_full = net.jacobian(zeroed, X_garbage)
    Y_small, J_small = small.jacobian(w[index], X[:, columns])
    assert_allclose(small.forward(w[index], X[:, columns]), net.forward(zeroed, X),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(Y_small, Y_full, rtol=1e-12, atol=1e-12)
    assert_allclose(J_small, J_full[:, :, index], rtol=1e-12, atol=1e-12)
    if len(columns) == 4:  # nothing dropped: the same network, every weight in place
        assert_array_equal(index, np.arange(net.n_weights))
        assert small.n_columns == net.n_columns


def test_restricted_network_keeps_topology_and_activation():
    net = Network(5, (3,), 2, topology="bmlp", activation="logistic", gain=0.7)
    small, _ = net.restricted([1, 4])
    assert (small.topology, small.activation.name, small.activation.gain) == \
        ("bmlp", "logistic", 0.7)
    # bridged: the hidden layer and the outputs each read 2 inputs now
    assert small.n_weights == (2 * 3 + 3) + ((2 + 3) * 2 + 2)
