"""Tests of the hidden activations and their derivatives (_activations.py)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit

from sklearn_lmwc._activations import ACTIVATIONS, Activation

NAMES = ("tanh", "logistic", "identity", "relu")
GAINS = (0.3, 1.0, 2.5)

# nets away from 0 so that relu's kink is never inside a finite-difference step
NET = np.concatenate([np.linspace(-4.0, -0.05, 40), np.linspace(0.05, 4.0, 40)])


def test_all_names_present():
    assert set(NAMES) <= set(ACTIVATIONS)


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name, gain):
    act = Activation(name, gain)
    h = 1e-6
    fd = (act(NET + h) - act(NET - h)) / (2 * h)
    d = act.derivative(NET, act(NET))
    assert d.shape == NET.shape
    # derivative is with respect to net, so it includes the gain
    assert_allclose(d, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("name", NAMES)
def test_values_against_numpy_scipy(name, gain):
    z = gain * NET
    expected = {
        "tanh": np.tanh(z),
        "logistic": expit(z),
        "identity": z,
        "relu": np.maximum(z, 0.0),
    }[name]
    # tanh is computed as 2 expit(2z) - 1: exact to a few units of 1e-16 in absolute
    # terms, not relative ones near 0
    atol = 5e-16 if name == "tanh" else 0.0
    assert_allclose(Activation(name, gain)(NET), expected, rtol=1e-15, atol=atol)


def test_values_at_known_points():
    # a few values that need no library at all
    assert Activation("tanh")(np.array([0.0]))[0] == 0.0
    assert Activation("logistic")(np.array([0.0]))[0] == 0.5
    assert_allclose(Activation("logistic", 2.0)(np.array([np.log(3.0) / 2])), [0.75])
    assert_allclose(Activation("relu", 3.0)(np.array([-1.0, 2.0])), [0.0, 6.0])


def test_derivative_works_on_2d_arrays():
    # the network passes (n_samples, n_neurons) arrays
    rng = np.random.RandomState(0)
    net = rng.uniform(-2, 2, (5, 3))
    for name in NAMES:
        act = Activation(name, 1.7)
        d = act.derivative(net, act(net))
        assert d.shape == net.shape
        for j in range(3):
            assert_allclose(d[:, j], act.derivative(net[:, j], act(net[:, j])))


@pytest.mark.parametrize("name", NAMES)
def test_max_slope_is_max_of_derivative(name):
    # max_slope is for gain 1; the grid includes 0 where tanh/logistic peak
    act = Activation(name, 1.0)
    grid = np.linspace(-10.0, 10.0, 20001)
    d = act.derivative(grid, act(grid))
    assert_allclose(d.max(), act.max_slope, rtol=1e-9)
    assert act.max_slope == ACTIVATIONS[name][2]


@pytest.mark.parametrize("gain", [1.0, 3.0])
def test_logistic_no_overflow_for_huge_net(gain):
    act = Activation("logistic", gain)
    net = np.array([-1e4, -1e3, 1e3, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            out = act(net)
            d = act.derivative(net, out)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(d))
    assert_allclose(out, [0.0, 0.0, 1.0, 1.0], atol=1e-300)
    assert_allclose(d, 0.0, atol=1e-300)


@pytest.mark.parametrize("name", ["tanh", "identity", "relu"])
def test_other_activations_no_warning_for_huge_net(name):
    act = Activation(name, 2.0)
    net = np.array([-1e4, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            d = act.derivative(net, act(net))
    assert np.all(np.isfinite(d))


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("name", NAMES)
def test_written_in_place_equal_allocated(name, gain):
    # the forward pass writes activations into the net's own buffer and slopes into a
    # preallocated one: the same values, bit for bit
    act = Activation(name, gain)
    out, slope = act(NET), act.derivative(NET, act(NET))
    buffer = NET.copy()
    assert act(buffer, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, out)
    into = np.full_like(NET, np.nan)
    assert act.derivative(NET, out, slope=into) is into
    np.testing.assert_array_equal(into, slope)
