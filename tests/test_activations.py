"""Tests of the hidden activations and their derivatives (_activations.py)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit

from sklearn_lmwc._activations import ACTIVATIONS, Activation

NAMES = ("tanh", "logistic", "identity", "relu", "elu", "selu", "leaky_relu", "softplus")
# SELU's constants as Klambauer et al. (2017) give them
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
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
        "elu": np.where(z > 0, z, np.exp(z) - 1.0),
        "selu": SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * (np.exp(z) - 1.0)),
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
        "softplus": np.logaddexp(0.0, z),  # log(1 + exp(z)) without its rounding
    }[name]
    # tanh is computed as 2 expit(2z) - 1: exact to a few units of 1e-16 in absolute
    # terms, not relative ones near 0
    atol = 5e-16 if name == "tanh" else 0.0
    # the textbook forms round differently from the stable ones (expm1, log1p)
    rtol = 1e-13 if name in ("elu", "selu", "softplus") else 1e-15
    assert_allclose(Activation(name, gain)(NET), expected, rtol=rtol, atol=atol)


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
    # max_slope is for gain 1; the grid includes 0 where tanh/logistic/selu peak, and
    # reaches far enough that softplus's slope (which tends to 1) is within 1e-9 of it
    act = Activation(name, 1.0)
    grid = np.linspace(-40.0, 40.0, 80001)
    d = act.derivative(grid, act(grid))
    assert d.max() <= act.max_slope * (1 + 1e-12)
    assert_allclose(d.max(), act.max_slope, rtol=1e-9)
    assert act.max_slope == ACTIVATIONS[name][2]


@pytest.mark.parametrize("name", ["elu", "selu", "softplus"])
def test_unbounded_activations_are_flat_only_where_they_saturate(name):
    # the saturation statistic, |f'| < 0.1 max f', marks the side where these
    # activations flatten (z below about log 0.1) and never their unbounded side
    act = Activation(name, 1.0)
    z = np.array([-6.0, -3.0, -2.0, 0.5, 5.0, 50.0])
    flat = act.derivative(z, act(z)) < 0.1 * act.max_slope
    assert flat.tolist() == [True, True, False, False, False, False]


def test_leaky_relu_is_flat_below_zero():
    # its slope there, 0.01, is a hundredth of the maximum: as flat as relu's 0
    act = Activation("leaky_relu", 2.0)
    z = np.array([-3.0, -1e-3, 1e-3, 3.0])
    assert (act.derivative(z, act(z)) < 0.1 * 2.0 * act.max_slope).tolist() == \
        [True, True, False, False]


@pytest.mark.parametrize("name", ["elu", "selu", "leaky_relu", "softplus"])
def test_new_activations_finite_for_huge_net(name):
    # underflow (exp of -1e4) is benign; overflow or NaN is not
    act = Activation(name, 2.0)
    net = np.array([-1e4, -800.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = act(net)
        d = act.derivative(net, out)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(d))


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
