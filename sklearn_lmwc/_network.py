"""Feed-forward network engine: weight layout, forward pass, backpropagation and
Jacobian, flat-spot counts, the net statistics compression acts on, and the
Kronecker blocks of the Gauss-Newton matrix.

The network is stored as one flat weight vector ``w``. Layer ``l`` owns a block
``[W_l.ravel(), b_l]`` with ``W_l`` of shape ``(fan_in_l, size_l)`` (row-major), in
layer order, output layer last. Activations of the inputs and of every hidden
layer live side by side in one buffer ``Z`` (inputs first; held transposed, with the
samples last), so that a layer's input is a contiguous column slice of ``Z`` for
every topology:

- ``"mlp"``: layer ``l`` sees layer ``l - 1`` only;
- ``"bmlp"``: layer ``l`` sees the inputs and every earlier layer (``Z[:, :start_l]``);
- ``"fcc"``: a bridged network of single-neuron hidden layers.

Everything here is vectorised over samples, and over a stack of weight vectors
(several networks of one layout evaluated together); Python loops run over layers
only.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse import issparse

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

    @property
    def n_weights(self):
        return (self.fan_in + 1) * self.size


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
        """Views ``(W, b)`` of every layer's block of ``w`` (shape ``(N,)``, or
        ``(T, N)`` for T weight vectors: then W is ``(T, fan_in, size)``)."""
        lead = w.shape[:-1]
        return [(w[..., L.weights].reshape(*lead, L.fan_in, L.size), w[..., L.bias])
                for L in self.layers]

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

    def weight_groups(self, kind="layers"):
        """Each weight's group for a prior of one alpha per group: ``(groups, names)``,
        ``groups`` an int array (n_weights,) numbering the groups 0 to G - 1 in the
        order of ``names`` (a tuple of G str); no group is empty.

        ``kind="layers"`` (Netlab's groups): ``"input"``, the weights leaving the
        network's inputs, into every layer that reads them (a bridged output layer's
        direct input weights included); ``"hidden"``, from a hidden layer into a
        later one; ``"output"``, from the hidden layers into the output layer;
        ``"bias"``, every bias. ``kind="ard"`` (automatic relevance determination):
        ``"input 0"``, ``"input 1"``, ...: the weights leaving each input feature,
        then ``"hidden"``, ``"output"`` and ``"bias"`` as above.
        """
        if kind not in ("layers", "ard"):
            raise ValueError(f"kind must be 'layers' or 'ard', got {kind!r}")
        n_in = self.n_inputs
        # provisional labels: the input features (all 0 for "layers"), then hidden,
        # output and bias
        hidden, output, bias = n_in, n_in + 1, n_in + 2
        inputs = [f"input {i}" for i in range(n_in)] if kind == "ard" else \
            ["input"] * n_in
        candidates = inputs + ["hidden", "output", "bias"]
        labels = np.empty(self.n_weights, dtype=np.intp)
        for L in self.layers:
            rows = np.arange(L.src.start, L.src.stop)  # the columns of Z it reads
            later = output if L is self.layers[-1] else hidden
            row_labels = np.where(rows < n_in, rows if kind == "ard" else 0, later)
            labels[L.weights] = np.repeat(row_labels, L.size)  # W is row-major
            labels[L.bias] = bias
        used = np.unique(labels)
        return np.searchsorted(used, labels), tuple(candidates[u] for u in used)

    def restricted(self, columns):
        """The network over the inputs ``columns`` only (sorted indices of this
        network's inputs; pruned inputs leave it) and where its weights sit in this
        network's flat vector: ``(network, index)``, ``w[index]`` its weights."""
        columns = np.asarray(columns, dtype=np.intp)
        small = Network(columns.size, [L.size for L in self.hidden], self.n_outputs,
                        self.topology, self.activation.name, self.activation.gain)
        # each column of the small network's Z, as a column of this one's
        columns_here = np.concatenate([columns, np.arange(self.n_inputs, self.n_columns)])
        index = np.empty(small.n_weights, dtype=np.intp)
        for S, L in zip(small.layers, self.layers):
            rows = columns_here[S.src] - L.src.start  # rows of L's W (row-major)
            index[S.weights] = (L.weights.start + rows[:, None] * L.size
                                + np.arange(L.size)).ravel()
            index[S.bias] = np.arange(L.bias.start, L.bias.stop)
        return small, index

    # ---- forward --------------------------------------------------------------
    def forward(self, w, X, keep=False):
        """Outputs for the rows of X (dense or sparse, any float dtype; computed in
        float64); with ``keep`` also ``(Z, nets, slopes)``.

        ``Z`` (n, n_columns) holds the inputs and every hidden activation;
        ``nets[l]`` and ``slopes[l]`` (d activation / d net), (n, size), are per
        hidden layer. For T weight vectors (w of shape ``(T, N)``) every array gets a
        leading axis of length T: the T networks are evaluated together.
        """
        if not keep:
            return self._forward(w, X, keep=False)[0]
        return self._views(*self._forward(w, X, keep=True))

    def _views(self, Y, Zt, Nt, St):
        """``forward``'s ``(Y, (Z, nets, slopes))``: views of ``_forward``'s buffers,
        with the samples first."""
        nets, slopes = [], []
        for L in self.hidden:
            h = slice(L.dst.start - self.n_inputs, L.dst.stop - self.n_inputs)
            nets.append(Nt[..., h, :].swapaxes(-1, -2))
            slopes.append(St[..., h, :].swapaxes(-1, -2))
        return Y, (Zt.swapaxes(-1, -2), nets, slopes)

    def _forward(self, w, X, keep):
        """``(Y, Zt, Nt, St)``: the outputs, and with ``keep`` the activations, nets and
        slopes of every hidden neuron in one buffer each, transposed: samples last,
        so that every per-neuron operation runs along a row of samples however few
        the neurons of a layer (one in a cascade), and the slopes come from one call
        for all layers."""
        lead, n = w.shape[:-1], X.shape[0]
        Zt = np.empty((*lead, self.n_columns, n))  # float64 whatever X's dtype
        # sparse X is densified here, one chunk of rows at a time
        Zt[..., : self.n_inputs, :] = (X.toarray() if issparse(X) else X).T
        Nt = np.empty((*lead, self.n_columns - self.n_inputs, n)) if keep else None
        params = self.unpack(w)
        for L, (W, b) in zip(self.hidden, params):
            # each layer computed in place in the buffers: no temporary per layer
            net = Nt[..., L.dst.start - self.n_inputs:L.dst.stop - self.n_inputs, :] \
                if keep else Zt[..., L.dst, :]
            np.matmul(W.swapaxes(-1, -2), Zt[..., L.src, :], out=net)
            net += b[..., :, None]
            self.activation(net, out=Zt[..., L.dst, :])
        W, b = params[-1]
        Yt = W.swapaxes(-1, -2) @ Zt[..., self.layers[-1].src, :]
        Yt += b[..., :, None]
        St = self.activation.derivative(Nt, Zt[..., self.n_inputs:, :]) if keep else None
        return Yt.swapaxes(-1, -2), Zt, Nt, St

    # ---- Jacobian -------------------------------------------------------------
    def backprop(self, w, X, state=None):
        """Outputs ``Y`` (n, M) and, per layer, the factors of its Jacobian block;
        ``state``, the one ``forward_counting_flat`` returned for the same w and rows,
        saves the forward pass.

        ``A[l]`` (n, fan_in) holds the layer's inputs (a view of the activations; the
        bias's input is 1), ``D[l]`` (n, M, size) the sensitivities
        ``dY[p, m] / dnet`` of its neurons (the identity for the output layer).
        Layer l's block ``[W_l.ravel(), b_l]`` is the row-major vec of a
        (fan_in + 1, size) matrix, so ``dY[p, m] / d block_l =
        vec(outer([A[l][p], 1], D[l][p, m]))``. For T weight vectors every array gets
        a leading axis of length T.
        """
        n, M = X.shape[0], self.n_outputs
        lead = w.shape[:-1]
        if state is None:
            state = self._forward(w, X, keep=True)
        Y, (Z, _, slopes) = self._views(*state)
        params = self.unpack(w)
        A = [Z[..., L.src] for L in self.layers]
        D = [None] * len(self.layers)
        D[-1] = np.broadcast_to(np.eye(M), (*lead, n, M, M))
        # G[m, c, p]: derivative of output m with respect to column c of Z at sample
        # p. Samples last, so that a layer's update runs along rows of n samples,
        # not along its few columns (one neuron per layer in a cascade)
        G = np.zeros((*lead, M, self.n_columns, n))
        # the output weights are the same for every sample: broadcast over them
        self._backprop_to_sources(G, self.layers[-1],
                                  params[-1][0].swapaxes(-1, -2)[..., None])
        for k in range(len(self.hidden) - 1, -1, -1):
            L, W = self.hidden[k], params[k][0]
            Dt = G[..., L.dst, :] * slopes[k].swapaxes(-1, -2)[..., None, :, :]
            D[k] = _last_to_third(Dt)  # (n, M, size), samples last in memory
            # sum_j W[c, j] D[p, m, j] for every source column c: (fan_in, size) @
            # (size, samples) per output, one product over all samples
            self._backprop_to_sources(G, L, W[..., None, :, :] @ Dt)
        return Y, A, D

    def jacobian(self, w, X):
        """Outputs ``Y`` (n, M) and ``J`` (n, M, n_weights) with ``J[p, m] = dY[p, m] / dw``."""
        Y, A, D = self.backprop(w, X)
        return Y, self.assemble_jacobian(A, D)

    def assemble_jacobian(self, A, D):
        """``J`` (n, M, n_weights) from the factors of ``backprop`` (D possibly rescaled);
        with a leading axis of T networks in them, ``(T, n, M, n_weights)``.

        J is a view of ``J^T``, built row by row of the weights: every write runs
        along the samples, however few the columns of a layer. ``reshape(-1, N)``
        of it is a view too, whose ``.T @`` itself is one BLAS product."""
        *lead, n, M = D[-1].shape[:-1]
        Jt = np.empty((*lead, self.n_weights, n, M))
        for L, a, d in zip(self.layers, A, D):
            dt = _last_to_third(d)  # (size, n, M)
            block = Jt[..., L.weights, :, :].reshape(*lead, L.fan_in, L.size, n, M)
            np.multiply(a.swapaxes(-1, -2)[..., :, None, :, None], dt[..., None, :, :, :],
                        out=block)
            Jt[..., L.bias, :, :] = dt
        return Jt.swapaxes(-3, -2).swapaxes(-2, -1)

    def gradient(self, A, D, r):
        """``sum_p sum_m r[p, m] dY[p, m] / dw`` from the factors of ``backprop``
        (for T networks, r is ``(T, n, M)`` and the result ``(T, N)``)."""
        lead = r.shape[:-2]
        g = np.empty((*lead, self.n_weights))
        for L, a, d in zip(self.layers, A, D):
            rd = np.einsum("...pm,...pmj->...pj", r, d)
            g[..., L.weights] = (a.swapaxes(-1, -2) @ rd).reshape(*lead, -1)
            g[..., L.bias] = rd.sum(axis=-2)
        return g

    def _backprop_to_sources(self, G, layer, grad):
        """``G[..., m, c, p] += grad[..., m, c, p]`` over the layer's source columns
        (grad: (M, fan_in, n) or broadcastable); the raw inputs need no gradient."""
        start = max(layer.src.start, self.n_inputs)
        if start < layer.src.stop:
            G[..., start:layer.src.stop, :] += grad[..., start - layer.src.start:, :]

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

    def forward_counting_flat(self, w, X, threshold=0.1):
        """Outputs for the rows of X, how many (sample, hidden neuron) pairs sit on a
        flat spot of the activation (``|d out / d net| < threshold * gain * max
        slope``, where updates vanish), in one pass, and the pass's state, which
        ``backprop`` at the same w and rows can reuse."""
        state = self._forward(w, X, keep=True)
        flat = threshold * self.activation.gain * self.activation.max_slope
        # for T networks, a count per network
        # slopes are >= 0 (gain > 0)
        return state[0], np.count_nonzero(state[3] < flat, axis=(-2, -1)), state

    def log_symmetries(self):
        """The log of the number of weight vectors giving the same function by the
        hidden units' symmetries: each hidden layer's neurons permuted (they see the
        same sources), and each neuron's sign flipped for tanh (odd) and logistic
        (``1 - f(-x)``, made up by the later layers' biases)."""
        flips = self.activation.name in ("tanh", "logistic")
        return float(sum(math.lgamma(L.size + 1) + (L.size * math.log(2) if flips else 0.0)
                         for L in self.hidden))

    def state_size(self, n_samples):
        """Elements of the state of ``forward_counting_flat`` on n_samples rows."""
        n_hidden = self.n_columns - self.n_inputs
        return n_samples * (self.n_columns + 2 * n_hidden + self.n_outputs)

    def scale_hidden(self, w, factors):
        """Copy of w with hidden layer l's incoming weights and biases scaled by ``factors[l]``."""
        w = w.copy()
        for _layer, f, (W, b) in zip(self.hidden, factors, self.unpack(w)):
            W *= f
            b *= f
        return w


def _last_to_third(a):
    """View of a with its last axis moved before the two others: (..., x, y, z) ->
    (..., z, x, y) (``np.moveaxis(a, -1, -3)`` without its Python overhead)."""
    return a.swapaxes(-1, -2).swapaxes(-2, -3)


def _block(layer):
    """Columns of layer's ``[W.ravel(), b]`` block in the flat vector."""
    return slice(layer.weights.start, layer.bias.stop)


class KroneckerGram:
    """``Q = sum_p J_p^T J_p`` accumulated block by block without forming J.

    Layer l's rows are ``vec(outer(a_p, b_pm))`` (``b_pm``: the scaled sensitivities
    of output m), so block (l, k) of Q is ``sum_p kron(a_p a'_p^T, B_p^T B'_p)``: one
    matrix product over samples of the pairwise products of the a's and of the
    entries of ``B_p^T B'_p``, whose cost does not grow with the number of outputs M.
    On a diagonal block both factors are symmetric, so only their upper triangles
    enter the product (a quarter of the work).

    Parameters
    ----------
    network : Network
    """

    def __init__(self, network):
        self.network = network
        self.sums = {}

    def add(self, A, B):
        """Add the samples of one chunk: ``A``, and ``B`` the sensitivities ``D`` of
        ``Network.backprop`` with each sample's rows scaled by the loss."""
        n = A[0].shape[0]
        A = [np.concatenate([a, np.ones((n, 1))], axis=1) for a in A]  # the bias's input
        Bt = [b.transpose(0, 2, 1) for b in B]
        for l, (a, b) in enumerate(zip(A, B)):
            i, j = np.triu_indices(a.shape[1])
            s, t = np.triu_indices(b.shape[2])
            product = (a[:, i] * a[:, j]).T @ np.matmul(Bt[l], b)[:, s, t]
            self._add((l, l), product)
            for k in range(l):
                u = (a[:, :, None] * A[k][:, None, :]).reshape(n, -1)
                v = np.matmul(Bt[l], B[k]).reshape(n, -1)
                self._add((l, k), u.T @ v)

    def _add(self, key, product):
        if key in self.sums:
            self.sums[key] += product
        else:
            self.sums[key] = product

    def __iadd__(self, other):
        """Add the samples of another's chunks (another share of the rows)."""
        for key, product in other.sums.items():
            self._add(key, product)
        return self

    def assemble(self, Q):
        """``Q += `` the accumulated matrix (both triangles)."""
        layers = self.network.layers
        for (l, k), S in self.sums.items():
            L, K = layers[l], layers[k]
            if l == k:
                rows, cols = _triu_map(L.fan_in + 1), _triu_map(L.size)
                block = S[rows][:, :, cols]  # [i, i', j, j']
            else:
                block = S.reshape(L.fan_in + 1, K.fan_in + 1, L.size, K.size)
            block = block.transpose(0, 2, 1, 3).reshape(L.n_weights, K.n_weights)
            Q[_block(L), _block(K)] += block
            if l != k:
                Q[_block(K), _block(L)] += block.T


def _triu_map(n):
    """Index of entry (i, j) of an n x n symmetric matrix in its packed upper triangle."""
    index = np.empty((n, n), dtype=np.intp)
    i, j = np.triu_indices(n)
    index[i, j] = index[j, i] = np.arange(i.size)
    return index
