"""Hidden-layer activations and their derivatives.

Every activation is applied to ``gain * net``; the derivatives returned here are
with respect to ``net`` (so they include the gain), which is what the Jacobian needs.
"""

import numpy as np
from scipy.special import expit


def _tanh(net, gain, out):
    # 2 sigma(2z) - 1 (MATLAB's tansig): numpy's tanh has no SIMD loop for float64
    # short of AVX-512, and took twice as long as expit on arrays of 1e4 values
    # and more; the absolute error is 3e-16
    np.multiply(net, 2.0 * gain, out=out)
    expit(out, out=out)
    out *= 2.0
    out -= 1.0


def _tanh_slope(net, a, out):
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)


def _logistic(net, gain, out):
    np.multiply(net, gain, out=out)
    expit(out, out=out)


def _logistic_slope(net, a, out):
    np.subtract(1.0, a, out=out)
    out *= a


def _identity(net, gain, out):
    np.multiply(net, gain, out=out)


def _identity_slope(net, a, out):
    out.fill(1.0)


def _relu(net, gain, out):
    np.multiply(net, gain, out=out)
    np.maximum(out, 0.0, out=out)


def _relu_slope(net, a, out):
    # gain > 0: gain * net > 0 where net > 0
    np.greater(net, 0.0, out=out, casting="unsafe")


# name -> (out = f(gain * net), out = f'(gain * net) given net and out, max of f');
# both write into ``out``, so that a pass over the data allocates nothing per neuron
ACTIVATIONS = {
    "tanh": (_tanh, _tanh_slope, 1.0),
    "logistic": (_logistic, _logistic_slope, 0.25),
    "identity": (_identity, _identity_slope, 1.0),
    "relu": (_relu, _relu_slope, 1.0),
}


class Activation:
    """An activation ``f(gain * net)`` with its derivative with respect to ``net``."""

    def __init__(self, name, gain=1.0):
        self.name = name
        self.gain = float(gain)
        self._f, self._df, self.max_slope = ACTIVATIONS[name]

    def __call__(self, net, out=None):
        """``f(gain * net)``, written into ``out`` when given (it may be net)."""
        out = np.empty_like(net) if out is None else out
        self._f(net, self.gain, out)
        return out

    def derivative(self, net, out, slope=None):
        """d out / d net, given ``net`` and ``out = self(net)``; written into
        ``slope`` when given."""
        slope = np.empty_like(net) if slope is None else slope
        self._df(net, out, slope)
        if self.gain != 1.0:
            slope *= self.gain
        return slope
