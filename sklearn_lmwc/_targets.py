"""The regressors' target standardisation, for targets in memory and on dask."""

import numpy as np


def _in_memory(*arrays):
    return arrays


def standardisation(Y, sample_weight=None, compute=_in_memory):
    """The mean and the scale of each column of Y (n_samples, n_outputs) under the
    sample weights, whose standardisation ``(Y - mean) / scale`` the network fits.

    Y and sample_weight are numpy arrays, or dask arrays (numpy's functions dispatch
    to dask's) with ``compute(*lazy)`` the tuple of the lazy results evaluated. The
    scale is the weighted standard deviation; a constant column (a deviation below
    1e-12 of its mean) keeps the scale 1.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        mean = np.average(Y, axis=0, weights=sample_weight)
        std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=sample_weight))
        mean, std = compute(mean, std)
    if not np.all(np.isfinite(mean) & np.isfinite(std) & (std > 1e-140)):
        # |y| past ~1e154 or huge weights overflowed, or the squares of tiny
        # deviations underflowed: the moments of Y / peak, weights / their max
        peak = np.max(np.abs(Y), axis=0)
        peak = np.where(peak > 0, peak, 1.0)
        sw = None if sample_weight is None else sample_weight / sample_weight.max()
        mean = np.average(Y / peak, axis=0, weights=sw)
        std = np.sqrt(np.average((Y / peak - mean) ** 2, axis=0, weights=sw)) * peak
        mean, std = compute(mean * peak, std)
    # a constant target keeps its scale rather than dividing by ~0; "constant" is
    # relative to the mean, so that targets of tiny units (1e-300) still count
    return mean, np.where(std > 1e-12 * np.abs(mean), std, 1.0)
