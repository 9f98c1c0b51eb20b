"""Hidden-layer activations and their derivatives.

Every activation is applied to ``gain * net``; the derivatives returned here are
with respect to ``net`` (so they include the gain), which is what the Jacobian needs.
Each slope is computed from ``net`` and the activation's output alone (never from
``gain * net``, which is not kept), so that the gain enters once, in ``derivative``.
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


def _elu(net, gain, out):
    # z for z > 0, exp(z) - 1 otherwise (alpha 1)
    np.multiply(net, gain, out=out)
    np.expm1(out, out=out, where=out < 0.0)


def _elu_slope(net, a, out):
    # exp(z) = out + 1 on the negative side
    np.add(a, 1.0, out=out)
    out[net > 0.0] = 1.0


# SELU's constants (Klambauer et al. 2017): with init="lecun", unit-variance inputs keep
# zero mean and unit variance through the layers
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _selu(net, gain, out):
    _elu(net, gain, out)
    np.multiply(out, _SELU_ALPHA, out=out, where=out < 0.0)
    out *= _SELU_SCALE


def _selu_slope(net, a, out):
    # scale * alpha * exp(z) = out + scale * alpha on the negative side
    np.add(a, _SELU_SCALE * _SELU_ALPHA, out=out)
    out[net > 0.0] = _SELU_SCALE


_LEAK = 0.01  # leaky_relu's slope below 0, as PyTorch's and Keras's default


def _leaky_relu(net, gain, out):
    np.multiply(net, gain, out=out)
    np.multiply(out, _LEAK, out=out, where=out < 0.0)


def _leaky_relu_slope(net, a, out):
    out.fill(_LEAK)
    out[net > 0.0] = 1.0


def _softplus(net, gain, out):
    # log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)), which neither overflows nor
    # loses the tiny values far below 0
    np.multiply(net, gain, out=out)
    tail = np.log1p(np.exp(-np.abs(out)))
    np.maximum(out, 0.0, out=out)
    out += tail


def _softplus_slope(net, a, out):
    # expit(z) = 1 - exp(-out), accurate for tiny outputs through expm1
    np.negative(a, out=out)
    np.expm1(out, out=out)
    np.negative(out, out=out)


# name -> (out = f(gain * net), out = f'(gain * net) given net and out, max of f');
# both write into ``out``, so that a pass over the data allocates nothing per neuron
ACTIVATIONS = {
    "tanh": (_tanh, _tanh_slope, 1.0),
    "logistic": (_logistic, _logistic_slope, 0.25),
    "identity": (_identity, _identity_slope, 1.0),
    "relu": (_relu, _relu_slope, 1.0),
    "elu": (_elu, _elu_slope, 1.0),
    "selu": (_selu, _selu_slope, _SELU_SCALE * _SELU_ALPHA),
    "leaky_relu": (_leaky_relu, _leaky_relu_slope, 1.0),
    # its slope tends to 1 for large z without reaching it
    "softplus": (_softplus, _softplus_slope, 1.0),
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
