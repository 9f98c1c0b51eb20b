"""Benchmark data sets used in the neural-network training literature.

The generators follow the conventions of :mod:`sklearn.datasets`: each
returns a tuple ``(X, y)`` of float64 arrays, and the random ones accept a
``random_state`` argument handled by :func:`sklearn.utils.check_random_state`.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_parity", "make_two_spirals", "make_peaks"]

# Lang & Witbrock's spiral radius reaches zero at i = 104; beyond that the two
# spirals cross over each other and produce identical points with opposite
# labels, so larger sizes would not be a classification problem any more.
_MAX_POINTS_PER_SPIRAL = 104


def _check_int(value, name, min_value):
    # bool is an Integral subclass, but make_parity(True) is almost surely a
    # mistake, so reject it explicitly.
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, numbers.Integral
    ):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} ({value!r})."
        )
    if value < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {value}.")
    return int(value)


def _check_noise(noise):
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, numbers.Real):
        raise TypeError(
            f"noise must be a real number, got {type(noise).__name__} ({noise!r})."
        )
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise}.")
    return noise


def _peaks(x, y):
    """MATLAB's ``peaks`` function evaluated element-wise."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return (
        3.0 * (1.0 - x) ** 2 * np.exp(-(x**2) - (y + 1.0) ** 2)
        - 10.0 * (x / 5.0 - x**3 - y**5) * np.exp(-(x**2) - y**2)
        - 1.0 / 3.0 * np.exp(-((x + 1.0) ** 2) - y**2)
    )


def make_parity(n_bits, summed=False):
    """Generate the n-bit parity problem with bipolar inputs and targets.

    Parameters
    ----------
    n_bits : int
        Number of input bits. Must be >= 1. The full form has ``2**n_bits``
        samples, so memory grows exponentially with ``n_bits``.

    summed : bool, default=False
        If False, return every one of the ``2**n_bits`` bipolar input
        patterns. If True, return the single-input form used by Smith, Wu &
        Wilamowski (2019): one sample per distinct sum of the ``n_bits``
        bipolar inputs, scaled to ``[-1, 1]``.

    Returns
    -------
    X : ndarray of shape (2**n_bits, n_bits) or (n_bits + 1, 1)
        Full form: the input patterns in binary counting order (row ``i``
        holds the bits of ``i``, most significant bit first), with bit 0
        encoded as -1 and bit 1 as +1.
        Summed form: the sums ``-n_bits, -n_bits + 2, ..., n_bits`` divided
        by ``n_bits``, as a single column.

    y : ndarray of shape (2**n_bits,) or (n_bits + 1,)
        +1.0 where the number of +1 inputs is odd, -1.0 otherwise.

    References
    ----------
    .. [1] J. S. Smith, B. Wu and B. M. Wilamowski, "Neural network training
       with Levenberg-Marquardt and adaptable weight compression", IEEE
       Trans. Neural Netw. Learn. Syst., 30(2):580-587, 2019.

    Examples
    --------
    >>> from sklearn_lmwc.datasets import make_parity
    >>> X, y = make_parity(2)
    >>> X
    array([[-1., -1.],
           [-1.,  1.],
           [ 1., -1.],
           [ 1.,  1.]])
    >>> y
    array([-1.,  1.,  1., -1.])
    >>> X, y = make_parity(3, summed=True)
    >>> X.ravel()
    array([-1.        , -0.33333333,  0.33333333,  1.        ])
    >>> y
    array([-1.,  1., -1.,  1.])
    """
    n_bits = _check_int(n_bits, "n_bits", 1)
    if not isinstance(summed, (bool, np.bool_)):
        raise TypeError(
            f"summed must be a bool, got {type(summed).__name__} ({summed!r})."
        )

    if summed:
        # k = number of +1 inputs; the bipolar sum is then 2k - n.
        n_ones = np.arange(n_bits + 1)
        sums = 2 * n_ones - n_bits
        X = (sums / n_bits).astype(np.float64).reshape(-1, 1)
    else:
        shifts = np.arange(n_bits - 1, -1, -1)
        bits = (np.arange(2**n_bits)[:, np.newaxis] >> shifts) & 1
        X = (2 * bits - 1).astype(np.float64)
        n_ones = bits.sum(axis=1)

    y = np.where(n_ones % 2 == 1, 1.0, -1.0)
    return X, y


def make_two_spirals(n_points_per_spiral=97, noise=0.0, random_state=None):
    """Generate Lang & Witbrock's two-spiral classification benchmark.

    Point ``i`` (``i = 0, ..., n_points_per_spiral - 1``) of the first spiral
    has radius ``r = 6.5 * (104 - i) / 104`` and angle ``a = i * pi / 16``
    and lies at ``(r * sin(a), r * cos(a))``; the second spiral is its point
    reflection through the origin. Coordinates are divided by 6.5 so that
    the noiseless data lie in ``[-1, 1]``.

    Parameters
    ----------
    n_points_per_spiral : int, default=97
        Number of points on each spiral, between 1 and 104. The default
        gives the classic 194-point benchmark. Above 104 the spirals cross
        and produce identical points with opposite labels.

    noise : float, default=0.0
        Standard deviation of Gaussian noise added to ``X`` after scaling.

    random_state : int, RandomState instance or None, default=None
        Determines the noise. Pass an int for reproducible output.
        Unused when ``noise == 0``.

    Returns
    -------
    X : ndarray of shape (2 * n_points_per_spiral, 2)
        Points of the two spirals, interleaved: row ``2 * i`` is point ``i``
        of the first spiral and row ``2 * i + 1`` point ``i`` of the second.

    y : ndarray of shape (2 * n_points_per_spiral,)
        +1.0 for the first spiral, -1.0 for the second.

    References
    ----------
    .. [1] K. J. Lang and M. J. Witbrock, "Learning to tell two spirals
       apart", Proc. 1988 Connectionist Models Summer School, pp. 52-59.

    Examples
    --------
    >>> from sklearn_lmwc.datasets import make_two_spirals
    >>> X, y = make_two_spirals()
    >>> X.shape, y.shape
    ((194, 2), (194,))
    >>> X[:2]
    array([[ 0.,  1.],
           [ 0., -1.]])
    >>> y[:4]
    array([ 1., -1.,  1., -1.])
    """
    n = _check_int(n_points_per_spiral, "n_points_per_spiral", 1)
    if n > _MAX_POINTS_PER_SPIRAL:
        raise ValueError(
            f"n_points_per_spiral must be <= {_MAX_POINTS_PER_SPIRAL}, got {n}; "
            "beyond that the spiral radius becomes negative and the two "
            "spirals overlap."
        )
    noise = _check_noise(noise)
    generator = check_random_state(random_state)

    i = np.arange(n, dtype=np.float64)
    radius = (104.0 - i) / 104.0  # already divided by 6.5
    angle = i * np.pi / 16.0
    spiral = np.column_stack((radius * np.sin(angle), radius * np.cos(angle)))

    X = np.empty((2 * n, 2), dtype=np.float64)
    X[0::2] = spiral
    # 0.0 - v rather than -v so that exact zeros print as 0., not -0.
    X[1::2] = 0.0 - spiral
    y = np.tile([1.0, -1.0], n)

    if noise > 0:
        X += generator.normal(scale=noise, size=X.shape)
    return X, y


def make_peaks(n_samples=100, noise=0.0, random_state=None):
    """Sample MATLAB's ``peaks`` surface as a regression problem.

    The target is::

        z = 3 (1 - x)^2 exp(-x^2 - (y + 1)^2)
            - 10 (x / 5 - x^3 - y^5) exp(-x^2 - y^2)
            - 1/3 exp(-(x + 1)^2 - y^2)

    evaluated at points ``(x, y)`` drawn uniformly from ``[-3, 3]^2``.

    Parameters
    ----------
    n_samples : int, default=100
        Number of points to sample. Must be >= 1.

    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the targets.

    random_state : int, RandomState instance or None, default=None
        Determines the sample locations and the noise. Pass an int for
        reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The ``(x, y)`` input coordinates.

    y : ndarray of shape (n_samples,)
        The (possibly noisy) surface height at each input point.

    Examples
    --------
    >>> from sklearn_lmwc.datasets import make_peaks
    >>> X, y = make_peaks(n_samples=50, random_state=0)
    >>> X.shape, y.shape
    ((50, 2), (50,))
    >>> bool(X.min() >= -3 and X.max() <= 3)
    True
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    noise = _check_noise(noise)
    generator = check_random_state(random_state)

    X = generator.uniform(-3.0, 3.0, size=(n_samples, 2))
    y = _peaks(X[:, 0], X[:, 1])
    if noise > 0:
        y = y + generator.normal(scale=noise, size=n_samples)
    return X, y
