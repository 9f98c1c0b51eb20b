"""Tests of the weight initialisers (_init.py): ``init`` in the user guide's "The
networks" (docs/user_guide.rst)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_lmwc._init import INITS, initialize
from sklearn_lmwc._network import Network

TOPOLOGIES = ("mlp", "bmlp", "fcc")


def _layers(net, w):
    """(W, b, fan_in, size, is_output) per layer from the documented flat layout."""
    out = []
    for k, L in enumerate(net.layers):
        W = w[L.weights].reshape(L.fan_in, L.size)
        out.append((W, w[L.bias], L.fan_in, L.size, k == len(net.layers) - 1))
    return out


def test_inits_as_in_design():
    assert set(INITS) == {"uniform", "nguyen-widrow", "glorot", "he", "lecun"}


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("method", INITS)
def test_shape_and_determinism(method, topology):
    net = Network(3, (4, 2), 2, topology=topology)
    w1 = initialize(net, method, np.random.RandomState(0))
    w2 = initialize(net, method, np.random.RandomState(0))
    w3 = initialize(net, method, np.random.RandomState(1))
    assert w1.shape == (net.n_weights,)
    assert np.all(np.isfinite(w1))
    assert_array_equal(w1, w2)  # same seed, same weights
    assert not np.array_equal(w1, w3)  # another seed, other weights


def test_uniform_covers_minus_one_one():
    net = Network(10, (60, 40), 2, topology="bmlp")
    w = initialize(net, "uniform", np.random.RandomState(0))
    assert w.min() >= -1.0 and w.max() <= 1.0
    # weights and biases separately: each must cover U[-1, 1], not a sub-range
    mask = net.bias_mask()
    W, b = w[~mask], w[mask]
    assert W.min() < -0.9 and W.max() > 0.9
    assert b.min() < -0.8 and b.max() > 0.8  # 102 biases
    # roughly uniform: about a quarter of the weights in each quarter of [-1, 1]
    counts = np.histogram(W, bins=4, range=(-1, 1))[0] / W.size
    assert_allclose(counts, 0.25, atol=0.05)


@pytest.mark.parametrize(
    "topology, hidden", [("mlp", (5, 4)), ("bmlp", (6, 3)), ("fcc", (4,))]
)
def test_nguyen_widrow_column_norms(topology, hidden):
    net = Network(3, hidden, 1, topology=topology)
    w = initialize(net, "nguyen-widrow", np.random.RandomState(2))
    for W, b, fan_in, size, is_output in _layers(net, w):
        if is_output:
            assert np.all(np.abs(W) <= 0.5) and np.all(np.abs(b) <= 0.5)
            continue
        beta = 0.7 * size ** (1.0 / fan_in)
        # each hidden neuron's incoming weight vector has norm beta
        assert_allclose(np.linalg.norm(W, axis=0), beta, rtol=1e-12)
        assert np.all(np.abs(b) <= beta)


@pytest.mark.parametrize("activation", ["tanh", "logistic", "relu"])
def test_glorot_bound(activation):
    net = Network(50, (40, 30), 3, topology="mlp", activation=activation)
    w = initialize(net, "glorot", np.random.RandomState(3))
    for W, b, fan_in, size, is_output in _layers(net, w):
        factor = 2.0 if activation == "logistic" and not is_output else 6.0
        bound = np.sqrt(factor / (fan_in + size))
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        if W.size >= 1000:
            # the bound is reached, so a too-small factor would fail
            assert np.abs(W).max() > 0.95 * bound


@pytest.mark.parametrize("method, var", [("he", 2.0), ("lecun", 1.0)])
def test_he_lecun_std_and_zero_biases(method, var):
    fan_in, size = 400, 300
    net = Network(fan_in, (size,), 2, topology="mlp", activation="relu")
    w = initialize(net, method, np.random.RandomState(4))
    layers = _layers(net, w)
    W0 = layers[0][0]
    # 120000 draws: the sample std is within ~0.2 % of the target
    assert_allclose(W0.std(), np.sqrt(var / fan_in), rtol=0.02)
    assert abs(W0.mean()) < 0.05 * np.sqrt(var / fan_in)
    # the output layer's fan-in is the hidden size (600 draws: looser)
    assert_allclose(layers[1][0].std(), np.sqrt(var / size), rtol=0.15)
    assert_array_equal(w[net.bias_mask()], 0.0)


def test_unknown_method_raises():
    net = Network(2, (3,), 1)
    with pytest.raises(ValueError, match="Unknown init 'no-such-init'") as info:
        initialize(net, "no-such-init", np.random.RandomState(0))
    # and it names every valid method
    for method in ("uniform", "nguyen-widrow", "glorot", "he", "lecun"):
        assert repr(method) in str(info.value)
