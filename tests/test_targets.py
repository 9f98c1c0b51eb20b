"""The regressors' target standardisation (_targets.py): the weighted mean and
standard deviation of each column, exact to rounding at any magnitude, in memory and on
dask alike."""

import statistics

import numpy as np
import pytest

from sklearn_lmwc._targets import standardisation


def _targets(scale, seed=0):
    rng = np.random.RandomState(seed)
    Y = rng.normal(3.0, 2.0, (50, 2)) * [scale, 1.0]
    return Y, rng.randint(1, 4, 50).astype(float)


@pytest.mark.parametrize("scale", [1.0, 1e200, 1e-200])
def test_weighted_moments_are_those_of_the_repeated_rows(scale):
    # 1e200: the squares overflow; 1e-200: they underflow. statistics computes exactly
    Y, w = _targets(scale)
    mean, std = standardisation(Y, w)
    for k in range(2):
        repeated = np.repeat(Y[:, k], w.astype(int)).tolist()
        assert mean[k] == pytest.approx(statistics.fmean(repeated), rel=1e-12)
        assert std[k] == pytest.approx(statistics.pstdev(repeated), rel=1e-12)


def test_unweighted_and_huge_weights():
    Y, w = _targets(1.0)
    mean, std = standardisation(Y)
    np.testing.assert_allclose(mean, [statistics.fmean(c) for c in Y.T.tolist()], rtol=1e-12)
    np.testing.assert_allclose(std, [statistics.pstdev(c) for c in Y.T.tolist()], rtol=1e-12)
    # weights of 1e300 overflow their products: only their ratios matter
    np.testing.assert_allclose(standardisation(Y, w * 1e300), standardisation(Y, w),
                               rtol=1e-12)


def test_a_constant_column_keeps_the_scale_one():
    Y = np.column_stack([np.full(20, 1e-300), np.full(20, -7.0), np.arange(20.0)])
    mean, scale = standardisation(Y)
    np.testing.assert_array_equal(mean[:2], [1e-300, -7.0])
    np.testing.assert_array_equal(scale[:2], [1.0, 1.0])
    assert scale[2] == pytest.approx(np.arange(20.0).std(), rel=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # dask's threads
@pytest.mark.parametrize("scale", [1.0, 1e200, 1e-200])
def test_dask_arrays_give_the_same(scale):
    da = pytest.importorskip("dask.array")
    import dask

    Y, w = _targets(scale)
    lazy = standardisation(da.from_array(Y, chunks=(17, -1)), da.from_array(w, chunks=17),
                           dask.compute)
    for a, b in zip(lazy, standardisation(Y, w)):
        assert isinstance(a, np.ndarray)
        np.testing.assert_allclose(a, b, rtol=1e-12)
