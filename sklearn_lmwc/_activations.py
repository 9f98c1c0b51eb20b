"""Hidden-layer activations and their derivatives.

Every activation is applied to ``gain * net``; the derivatives returned here are
with respect to ``net`` (so they include the gain), which is what the Jacobian needs.
"""

import numpy as np
from scipy.special import expit


def _tanh(z):
    # 2 sigma(2z) - 1 (MATLAB's tansig): numpy's tanh has no SIMD loop for float64
    # short of AVX-512, and took twice as long as expit on arrays of 1e4 values
    # and more; the absolute error is 3e-16
    out = np.multiply(z, 2.0)
    expit(out, out=out)
    out *= 2.0
    out -= 1.0
    return out


def _tanh_derivative(z, a):
    return 1.0 - a * a


def _logistic(z):
    return expit(z)


def _logistic_derivative(z, a):
    return a * (1.0 - a)


def _identity(z):
    return z


def _identity_derivative(z, a):
    return np.ones_like(z)


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_derivative(z, a):
    return (z > 0).astype(z.dtype)


# name -> (f(z), f'(z) given z and f(z), max of f' over z)
ACTIVATIONS = {
    "tanh": (_tanh, _tanh_derivative, 1.0),
    "logistic": (_logistic, _logistic_derivative, 0.25),
    "identity": (_identity, _identity_derivative, 1.0),
    "relu": (_relu, _relu_derivative, 1.0),
}


class Activation:
    """An activation ``f(gain * net)`` with its derivative with respect to ``net``."""

    def __init__(self, name, gain=1.0):
        self.name = name
        self.gain = float(gain)
        self._f, self._df, self.max_slope = ACTIVATIONS[name]

    def __call__(self, net):
        return self._f(self.gain * net)

    def derivative(self, net, out):
        """d out / d net, given ``net`` and ``out = self(net)``."""
        return self.gain * self._df(self.gain * net, out)
