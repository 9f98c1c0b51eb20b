"""Weight initialisers: each returns a flat weight vector for a ``Network``."""

import numpy as np


def initialize(network, method, rng):
    """Random flat weight vector for ``network`` drawn with ``rng`` (a RandomState)."""
    if method not in _INITS:
        raise ValueError(f"Unknown init {method!r}; expected one of "
                         f"{', '.join(map(repr, INITS))}.")
    w = np.empty(network.n_weights)
    n_hidden = len(network.hidden)
    for k, layer in enumerate(network.layers):
        W, b = _INITS[method](layer.fan_in, layer.size, rng, k == n_hidden,
                              network.activation.name)
        w[layer.weights] = W.ravel()
        w[layer.bias] = b
    return w


def _uniform(fan_in, size, rng, is_output, activation):
    # the paper's choice: every weight and bias from U[-1, 1]
    return rng.uniform(-1, 1, (fan_in, size)), rng.uniform(-1, 1, size)


def _nguyen_widrow(fan_in, size, rng, is_output, activation):
    if is_output:
        return rng.uniform(-0.5, 0.5, (fan_in, size)), rng.uniform(-0.5, 0.5, size)
    # spread the hidden neurons' active regions evenly over the input space
    beta = 0.7 * size ** (1.0 / fan_in)
    W = rng.uniform(-0.5, 0.5, (fan_in, size))
    norms = np.linalg.norm(W, axis=0)
    W *= beta / np.where(norms > 0, norms, 1.0)
    return W, rng.uniform(-beta, beta, size)


def _glorot(fan_in, size, rng, is_output, activation):
    # as scikit-learn's MLP: a larger bound for the logistic function
    factor = 2.0 if activation == "logistic" and not is_output else 6.0
    bound = np.sqrt(factor / (fan_in + size))
    return rng.uniform(-bound, bound, (fan_in, size)), rng.uniform(-bound, bound, size)


def _he(fan_in, size, rng, is_output, activation):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, size)), np.zeros(size)


def _lecun(fan_in, size, rng, is_output, activation):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), (fan_in, size)), np.zeros(size)


_INITS = {
    "uniform": _uniform,
    "nguyen-widrow": _nguyen_widrow,
    "glorot": _glorot,
    "he": _he,
    "lecun": _lecun,
}
INITS = tuple(_INITS)
