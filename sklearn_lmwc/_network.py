"""Feed-forward network engine: weight layout, forward pass, Jacobian, mean |net|.

The network is stored as one flat weight vector ``w``. Layer ``l`` owns a block
``[W_l.ravel(), b_l]`` with ``W_l`` of shape ``(fan_in_l, size_l)`` (row-major), in
layer order, output layer last. Activations of the inputs and of every hidden
layer live side by side in one buffer ``Z`` (inputs first), so that a layer's
input is a contiguous column slice of ``Z`` for every topology:

- ``"mlp"``: layer ``l`` sees layer ``l - 1`` only;
- ``"bmlp"``: layer ``l`` sees the inputs and every earlier layer (``Z[:, :start_l]``);
- ``"fcc"``: a bridged network of single-neuron hidden layers.

Everything here is vectorised over samples; Python loops run over layers only.
"""

from dataclasses import dataclass

import numpy as np

from ._activations import Activation

TOPOLOGIES = ("mlp", "bmlp", "fcc")
NET_STATISTICS = ("mean", "authors")


@dataclass(frozen=True)
class Layer:
    src: slice  # columns of Z this layer reads
    dst: slice  # columns of Z it writes (output layer: columns of the output)
    weights: slice  # its W block in the flat vector
    bias: slice  # its b block in the flat vector

    @property
    def fan_in(self):
        return self.src.stop - self.src.start

    @property
    def size(self):
        return self.dst.stop - self.dst.start


def layer_sizes(hidden_layer_sizes, topology):
    """Hidden layer sizes actually built: FCC is a cascade of single neurons."""
    sizes = [int(h) for h in hidden_layer_sizes]
    if topology == "fcc":
        return [1] * sum(sizes)
    return sizes


class Network:
    """Topology, weight layout and the computations that need them.

    Parameters
    ----------
    n_inputs, n_outputs : int
    hidden_layer_sizes : sequence of int
        Neurons per hidden layer (for ``"fcc"``, their sum is the cascade's length).
    topology : {"mlp", "bmlp", "fcc"}
    activation : str
        Hidden activation, see ``_activations.ACTIVATIONS``.
    gain : float
        Hidden neurons compute ``activation(gain * net)``; outputs are linear.
    """

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, topology="mlp",
                 activation="tanh", gain=1.0):
        self.n_inputs = int(n_inputs)
        self.n_outputs = int(n_outputs)
        self.topology = topology
        self.activation = Activation(activation, gain)
        sizes = layer_sizes(hidden_layer_sizes, topology)
        bridged = topology != "mlp"
        layers, col, offset = [], self.n_inputs, 0
        prev = slice(0, self.n_inputs)
        for size in sizes + [self.n_outputs]:
            src = slice(0, col) if bridged else prev
            is_output = len(layers) == len(sizes)
            dst = slice(0, size) if is_output else slice(col, col + size)
            n_w = (src.stop - src.start) * size
            layers.append(Layer(src, dst, slice(offset, offset + n_w),
                                slice(offset + n_w, offset + n_w + size)))
            offset += n_w + size
            if not is_output:
                prev, col = dst, col + size
        self.layers = layers
        self.hidden = layers[:-1]
        self.n_columns = col  # width of Z
        self.n_weights = offset

    # ---- layout ---------------------------------------------------------------
    def unpack(self, w):
        """Views ``(W, b)`` of every layer's block of ``w``."""
        return [(w[L.weights].reshape(L.fan_in, L.size), w[L.bias]) for L in self.layers]

    def pack(self, coefs, intercepts):
        w = np.empty(self.n_weights)
        for L, W, b in zip(self.layers, coefs, intercepts):
            w[L.weights] = np.asarray(W, dtype=float).ravel()
            w[L.bias] = b
        return w

    def bias_mask(self):
        mask = np.zeros(self.n_weights, dtype=bool)
        for L in self.layers:
            mask[L.bias] = True
        return mask

    # ---- forward --------------------------------------------------------------
    def forward(self, w, X, keep=False):
        """Outputs for the rows of X; with ``keep`` also ``(Z, nets, slopes)``.

        ``nets[l]`` and ``slopes[l]`` (d activation / d net) are per hidden layer.
        """
        n = X.shape[0]
        Z = np.empty((n, self.n_columns))
        Z[:, : self.n_inputs] = X
        nets, slopes = [], []
        params = self.unpack(w)
        for L, (W, b) in zip(self.hidden, params):
            net = Z[:, L.src] @ W
            net += b
            out = self.activation(net)
            Z[:, L.dst] = out
            if keep:
                nets.append(net)
                slopes.append(self.activation.derivative(net, out))
        W, b = params[-1]
        Y = Z[:, self.layers[-1].src] @ W
        Y += b
        if keep:
            return Y, (Z, nets, slopes)
        return Y

    # ---- Jacobian -------------------------------------------------------------
    def jacobian(self, w, X):
        """Outputs ``Y`` (n, M) and ``J`` (n, M, n_weights) with ``J[p, m] = dY[p, m] / dw``.

        Back-propagates all M outputs at once: ``G[p, m, c]`` is the derivative of
        output m with respect to column c of Z.
        """
        n, M = X.shape[0], self.n_outputs
        Y, (Z, _, slopes) = self.forward(w, X, keep=True)
        params = self.unpack(w)
        J = np.empty((n, M, self.n_weights))
        G = np.zeros((n, M, self.n_columns))
        out = self.layers[-1]
        eye = np.eye(M)
        # d Y_m / d W_out[i, j] = Z_i [m == j]
        _block(J, out.weights, out.fan_in, M)[...] = Z[:, None, out.src, None] * eye[None, :, None, :]
        J[:, :, out.bias] = eye
        self._backprop_to_sources(G, out, params[-1][0].T)
        for k in range(len(self.hidden) - 1, -1, -1):
            L, W = self.hidden[k], params[k][0]
            dnet = G[:, :, L.dst] * slopes[k][:, None, :]
            np.multiply(Z[:, None, L.src, None], dnet[:, :, None, :],
                        out=_block(J, L.weights, L.fan_in, L.size))
            J[:, :, L.bias] = dnet
            self._backprop_to_sources(G, L, dnet @ W.T)
        return Y, J

    def _backprop_to_sources(self, G, layer, grad):
        # columns of the raw inputs need no gradient
        start = max(layer.src.start, self.n_inputs)
        if start < layer.src.stop:
            G[:, :, start:layer.src.stop] += grad[..., start - layer.src.start:]

    # ---- hidden-neuron statistics and compression ------------------------------
    def net_statistic(self, w, X, statistic="mean"):
        """Per hidden layer, the per-sample statistic of each neuron's net, shape (n, size).

        ``"mean"``: ``|net|``; averaging it over samples gives the paper's mean |net|.
        ``"authors"``: the sum of ``|partial net|`` over the neuron's inputs, the
        bias first, as the authors' MATLAB code computes it.
        """
        _, (Z, nets, _) = self.forward(w, X, keep=True)
        if statistic == "mean":
            return [np.abs(net) for net in nets]
        stats = []
        for L, (W, b) in zip(self.hidden, self.unpack(w)):
            partial = np.cumsum(Z[:, L.src, None] * W[None], axis=1)
            partial += b
            stats.append(np.abs(b) + np.abs(partial).sum(axis=1))
        return stats

    def flat_count(self, w, X, threshold=0.1):
        """How many (sample, hidden neuron) pairs sit on a flat spot of the activation:
        ``|d out / d net| < threshold * gain * max slope``, where updates vanish."""
        _, (_, _, slopes) = self.forward(w, X, keep=True)
        flat = threshold * self.activation.gain * self.activation.max_slope
        return sum(int(np.count_nonzero(np.abs(s) < flat)) for s in slopes)

    def scale_hidden(self, w, factors):
        """Copy of w with hidden layer l's incoming weights and biases scaled by ``factors[l]``."""
        w = w.copy()
        for L, f, (W, b) in zip(self.hidden, factors, self.unpack(w)):
            W *= f
            b *= f
        return w


def _block(J, weights, fan_in, size):
    """View of J's columns for one W block, shaped (n, M, fan_in, size)."""
    # splitting the last, contiguous axis of a slice is always a view, never a copy
    return J[:, :, weights].reshape(J.shape[:2] + (fan_in, size))
