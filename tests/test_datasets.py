import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_lmwc.datasets import _peaks, make_parity, make_peaks, make_two_spirals

# --------------------------------------------------------------------------
# make_parity
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_bits", [1, 2, 5, 8])
def test_parity_full_shapes_and_dtypes(n_bits):
    X, y = make_parity(n_bits)
    assert X.shape == (2**n_bits, n_bits)
    assert y.shape == (2**n_bits,)
    assert X.dtype == np.float64
    assert y.dtype == np.float64
    assert set(np.unique(X)) <= {-1.0, 1.0}
    assert set(np.unique(y)) == {-1.0, 1.0}


def test_parity_3_full_table():
    # Written out by hand: binary counting order, MSB first, 0 -> -1.
    expected_X = np.array(
        [
            [-1, -1, -1],
            [-1, -1, +1],
            [-1, +1, -1],
            [-1, +1, +1],
            [+1, -1, -1],
            [+1, -1, +1],
            [+1, +1, -1],
            [+1, +1, +1],
        ],
        dtype=float,
    )
    expected_y = np.array([-1, +1, +1, -1, +1, -1, -1, +1], dtype=float)
    X, y = make_parity(3)
    assert_array_equal(X, expected_X)
    assert_array_equal(y, expected_y)


def test_parity_1_is_identity():
    X, y = make_parity(1)
    assert_array_equal(X, [[-1.0], [1.0]])
    assert_array_equal(y, [-1.0, 1.0])


@pytest.mark.parametrize("n_bits", [2, 4, 6, 7])
def test_parity_full_matches_itertools(n_bits):
    # itertools.product enumerates in the same lexicographic (counting) order.
    rows = list(itertools.product([-1.0, 1.0], repeat=n_bits))
    targets = [1.0 if sum(b == 1.0 for b in r) % 2 else -1.0 for r in rows]
    X, y = make_parity(n_bits)
    assert_array_equal(X, np.array(rows))
    assert_array_equal(y, np.array(targets))


def test_parity_full_rows_are_distinct():
    X, _ = make_parity(6)
    assert len({tuple(r) for r in X}) == 2**6


@pytest.mark.parametrize("n_bits", [1, 3, 7, 10])
def test_parity_summed_shapes_and_range(n_bits):
    X, y = make_parity(n_bits, summed=True)
    assert X.shape == (n_bits + 1, 1)
    assert y.shape == (n_bits + 1,)
    assert X.dtype == np.float64
    assert y.dtype == np.float64
    assert X[0, 0] == -1.0
    assert X[-1, 0] == 1.0
    assert np.all(np.diff(X[:, 0]) > 0)


def test_parity_summed_7_values():
    X, y = make_parity(7, summed=True)
    assert_allclose(X.ravel(), np.array([-7, -5, -3, -1, 1, 3, 5, 7]) / 7)
    assert_array_equal(y, [-1, 1, -1, 1, -1, 1, -1, 1])


@pytest.mark.parametrize("n_bits", [2, 3, 5])
def test_parity_summed_consistent_with_full(n_bits):
    # Each full-form pattern's (scaled) bit sum must map to the summed-form
    # target at that sum.
    X_full, y_full = make_parity(n_bits)
    X_sum, y_sum = make_parity(n_bits, summed=True)
    lookup = dict(zip(np.round(X_sum.ravel(), 12), y_sum))
    for row, target in zip(X_full, y_full):
        assert lookup[round(row.sum() / n_bits, 12)] == target


def test_parity_accepts_numpy_int():
    X, y = make_parity(np.int64(3))
    assert X.shape == (8, 3)


@pytest.mark.parametrize("n_bits", [0, -1])
def test_parity_n_bits_value_error(n_bits):
    with pytest.raises(ValueError, match="n_bits"):
        make_parity(n_bits)


@pytest.mark.parametrize("n_bits", [3.0, "3", None, True])
def test_parity_n_bits_type_error(n_bits):
    with pytest.raises(TypeError, match="n_bits"):
        make_parity(n_bits)


@pytest.mark.parametrize("summed", [1, "yes", None])
def test_parity_summed_type_error(summed):
    with pytest.raises(TypeError, match="summed"):
        make_parity(3, summed=summed)


# --------------------------------------------------------------------------
# make_two_spirals
# --------------------------------------------------------------------------


def test_two_spirals_default_shape_and_dtype():
    X, y = make_two_spirals()
    assert X.shape == (194, 2)
    assert y.shape == (194,)
    assert X.dtype == np.float64
    assert y.dtype == np.float64


def test_two_spirals_first_points_and_labels():
    X, y = make_two_spirals()
    assert_allclose(X[0], [0.0, 1.0], atol=1e-15)
    assert_allclose(X[1], [0.0, -1.0], atol=1e-15)
    assert_array_equal(y[0::2], 1.0)
    assert_array_equal(y[1::2], -1.0)


def test_two_spirals_matches_formula():
    n = 97
    X, _ = make_two_spirals()
    i = np.arange(n)
    r = 6.5 * (104 - i) / 104
    a = i * np.pi / 16
    p = np.column_stack([r * np.sin(a), r * np.cos(a)]) / 6.5
    assert_allclose(X[0::2], p, atol=1e-15)
    assert_allclose(X[1::2], -p, atol=1e-15)
    # i = 8 is a quarter turn: (r, 0) with r = 96/104.
    assert_allclose(X[16], [96 / 104, 0.0], atol=1e-15)


def test_two_spirals_radius_decreasing_and_bounded():
    X, _ = make_two_spirals()
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.all(np.abs(X) <= 1.0 + 1e-12)
    # Both points of a pair share the radius.
    assert_allclose(radius[0::2], radius[1::2])
    assert np.all(np.diff(radius[0::2]) < 0)


def test_two_spirals_no_conflicting_points():
    X, _ = make_two_spirals(104)
    assert len({tuple(np.round(r, 9)) for r in X}) == len(X)


@pytest.mark.parametrize("n", [1, 10, 104])
def test_two_spirals_custom_size(n):
    X, y = make_two_spirals(n)
    assert X.shape == (2 * n, 2)
    assert y.shape == (2 * n,)
    # Same formula, so a prefix of the default data set.
    X_default, _ = make_two_spirals()
    m = min(n, 97)
    assert_allclose(X[: 2 * m], X_default[: 2 * m])


def test_two_spirals_noise_determinism():
    X1, y1 = make_two_spirals(noise=0.1, random_state=0)
    X2, y2 = make_two_spirals(noise=0.1, random_state=0)
    X3, _ = make_two_spirals(noise=0.1, random_state=1)
    X0, y0 = make_two_spirals()
    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    assert not np.allclose(X1, X0)
    assert_array_equal(y1, y0)
    # Noise is small relative to the data, roughly with the requested std.
    assert 0.05 < np.std(X1 - X0) < 0.15


def test_two_spirals_accepts_random_state_instance():
    rs = np.random.RandomState(42)
    X1, _ = make_two_spirals(noise=0.1, random_state=rs)
    X2, _ = make_two_spirals(noise=0.1, random_state=np.random.RandomState(42))
    assert_array_equal(X1, X2)


@pytest.mark.parametrize("n", [0, -3, 105])
def test_two_spirals_n_value_error(n):
    with pytest.raises(ValueError, match="n_points_per_spiral"):
        make_two_spirals(n)


@pytest.mark.parametrize("n", [97.0, "97", None])
def test_two_spirals_n_type_error(n):
    with pytest.raises(TypeError, match="n_points_per_spiral"):
        make_two_spirals(n)


@pytest.mark.parametrize("noise", [-0.1, np.inf, np.nan])
def test_two_spirals_noise_value_error(noise):
    with pytest.raises(ValueError, match="noise"):
        make_two_spirals(noise=noise)


@pytest.mark.parametrize("noise", ["0.1", None, [0.1]])
def test_two_spirals_noise_type_error(noise):
    with pytest.raises(TypeError, match="noise"):
        make_two_spirals(noise=noise)


# --------------------------------------------------------------------------
# make_peaks
# --------------------------------------------------------------------------


def test_peaks_function_known_values():
    assert_allclose(_peaks(0.0, 0.0), 3 * np.exp(-1) - np.exp(-1) / 3)
    assert_allclose(_peaks(0.0, 0.0), 0.98101184, atol=1e-8)
    # Well-known extrema of MATLAB's peaks.
    assert_allclose(_peaks(-0.0093, 1.5814), 8.1062, atol=1e-4)
    assert_allclose(_peaks(0.2283, -1.6255), -6.5511, atol=1e-4)


def test_peaks_shapes_and_dtypes():
    X, y = make_peaks(n_samples=37, random_state=0)
    assert X.shape == (37, 2)
    assert y.shape == (37,)
    assert X.dtype == np.float64
    assert y.dtype == np.float64


def test_peaks_default_n_samples():
    X, y = make_peaks(random_state=0)
    assert X.shape == (100, 2)
    assert y.shape == (100,)


def test_peaks_targets_match_independent_formula():
    X, y = make_peaks(n_samples=200, random_state=3)
    a, b = X[:, 0], X[:, 1]
    expected = (
        3 * (1 - a) ** 2 * np.exp(-(a**2) - (b + 1) ** 2)
        - 10 * (a / 5 - a**3 - b**5) * np.exp(-(a**2) - b**2)
        - np.exp(-((a + 1) ** 2) - b**2) / 3
    )
    assert_allclose(y, expected)


def test_peaks_inputs_in_domain_and_targets_in_range():
    X, y = make_peaks(n_samples=2000, random_state=0)
    assert np.all((X >= -3) & (X <= 3))
    # Uniform on the square: both coordinates spread over most of it.
    assert X.min(axis=0).max() < -2.5
    assert X.max(axis=0).min() > 2.5
    assert np.all((y >= -6.552) & (y <= 8.107))


def test_peaks_determinism_and_seed_dependence():
    X1, y1 = make_peaks(n_samples=50, random_state=0)
    X2, y2 = make_peaks(n_samples=50, random_state=0)
    X3, y3 = make_peaks(n_samples=50, random_state=1)
    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    assert not np.allclose(y1, y3)


def test_peaks_noise_only_affects_targets():
    X0, y0 = make_peaks(n_samples=500, random_state=0)
    Xn, yn = make_peaks(n_samples=500, noise=0.5, random_state=0)
    assert_array_equal(X0, Xn)
    resid = yn - y0
    assert not np.allclose(resid, 0)
    assert 0.4 < np.std(resid) < 0.6
    assert_array_equal(yn, make_peaks(n_samples=500, noise=0.5, random_state=0)[1])


@pytest.mark.parametrize("n_samples", [0, -5])
def test_peaks_n_samples_value_error(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        make_peaks(n_samples=n_samples)


@pytest.mark.parametrize("n_samples", [10.0, "10", None, False])
def test_peaks_n_samples_type_error(n_samples):
    with pytest.raises(TypeError, match="n_samples"):
        make_peaks(n_samples=n_samples)


@pytest.mark.parametrize("noise", [-1.0, np.inf, np.nan])
def test_peaks_noise_value_error(noise):
    with pytest.raises(ValueError, match="noise"):
        make_peaks(noise=noise)


def test_peaks_noise_type_error():
    with pytest.raises(TypeError, match="noise"):
        make_peaks(noise="a lot")


def test_peaks_invalid_random_state():
    with pytest.raises(ValueError):
        make_peaks(random_state="not a seed")
