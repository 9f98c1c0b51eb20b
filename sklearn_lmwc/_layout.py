"""The fitted network's layout: a read-only, documented description of its layers.

``describe`` reads a :class:`~sklearn_lmwc._network.Network` and returns a
:class:`NetworkLayout`: which signals every layer sees, in the order of the rows of
its ``coefs_`` block, its activation and gain, and how the network's outputs become
predictions (the regressor's target scaling, the classifier's probabilities). With
``coefs_`` and ``intercepts_`` it is everything a forward pass needs, so that
converters (ONNX) and training displays read public facts, not the engine's private
attributes.
"""

from dataclasses import dataclass, fields

import numpy as np

OUTPUT_LINKS = ("identity", "logistic", "softmax")
TARGET_TYPES = ("continuous", "continuous-multioutput", "binary", "multiclass",
                "multilabel-indicator")
_CLASSIFICATION = ("binary", "multiclass", "multilabel-indicator")


class _Picklable:
    """Pickled through the constructor, so that ``__post_init__``'s checks and
    read-only arrays survive a round trip (and ``copy.deepcopy``)."""

    def __reduce__(self):
        return type(self), tuple(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class LayerLayout(_Picklable):
    """One layer of a fitted network: a hidden layer, or the output layer.

    Layer ``i`` of the network (``NetworkLayout.layers[i]``) computes, for a sample,

    ``a_i = activation(gain * (concat(s[k] for k in sources) @ coefs_[i] + intercepts_[i]))``

    where ``s[0]`` are the network's inputs and ``s[k]`` (k >= 1) the activations of
    hidden layer ``k``. The output layer's ``a`` are the network's outputs.

    Parameters
    ----------
    size : int
        Number of neurons (columns of ``coefs_[i]``).
    sources : tuple of int
        The signals the layer sees, in the order in which the rows of ``coefs_[i]``
        stack them: 0 for the network's inputs, ``k`` for hidden layer ``k``
        (1-based: hidden layer ``k`` is ``NetworkLayout.layers[k - 1]``).
        Ascending: ``layers[i]`` has ``(i,)`` in an ``"mlp"`` and ``(0, 1, ...,
        i)`` in a bridged network (``"bmlp"``, ``"fcc"``).
    fan_in : int
        Number of signals the layer sees (rows of ``coefs_[i]``): the inputs count
        ``n_inputs`` rows, hidden layer ``k`` its size.
    activation : str
        One of ``"identity"``, ``"logistic"``, ``"relu"``, ``"tanh"``, ``"elu"``,
        ``"selu"``, ``"leaky_relu"``, ``"softplus"``, applied to ``gain * net``.
        ``"tanh"`` is bipolar, ``"logistic"`` (``1 / (1 + exp(-x))``) unipolar,
        ``"relu"`` is ``max(x, 0)``; ``"elu"`` is ``x`` above 0 and ``exp(x) - 1``
        below, ``"selu"`` is ``1.0507009873554805 * x`` above 0 and
        ``1.0507009873554805 * 1.6732632423543772 * (exp(x) - 1)`` below,
        ``"leaky_relu"`` is ``x`` above 0 and ``0.01 * x`` below, ``"softplus"`` is
        ``log(1 + exp(x))``. The output layer is always ``"identity"`` with gain 1:
        it is linear, and ``NetworkLayout.output_link`` maps its outputs to
        predictions.
    gain : float
        The factor applied to the layer's net input before the activation.
    """

    size: int
    sources: tuple
    fan_in: int
    activation: str
    gain: float

    def __post_init__(self):
        object.__setattr__(self, "size", int(self.size))
        object.__setattr__(self, "sources", tuple(int(k) for k in self.sources))
        object.__setattr__(self, "fan_in", int(self.fan_in))
        object.__setattr__(self, "activation", str(self.activation))
        object.__setattr__(self, "gain", float(self.gain))


@dataclass(frozen=True, eq=False)
class NetworkLayout(_Picklable):
    """Read-only description of a fitted network: its layers, and how its outputs
    become predictions.

    With the estimator's ``coefs_`` and ``intercepts_`` (``coefs_[i]`` and
    ``intercepts_[i]`` belong to ``layers[i]``) it determines the estimator's
    predictions. A forward pass:

    - ``s[0] = X``; for every layer ``i``, in order, ``s[i + 1] =
      f_i(gain_i * (hstack([s[k] for k in sources_i]) @ coefs_[i] + intercepts_[i]))``;
      the last is the network's outputs ``Z`` (``decision_function`` of the
      classifier).
    - Regression: ``predict = Z * output_scale + output_offset``, raveled when
      ``target_type == "continuous"``.
    - Classification, ``output_link`` ``"logistic"`` (log-loss, binary or
      multilabel): each output is a logit, ``P = 1 / (1 + exp(-Z))``, per label for
      multilabel; binary problems have one output, the positive class's, and
      ``predict_proba`` is ``[1 - P, P]``.
    - ``"softmax"`` (log-loss, multiclass): one logit per class, ``predict_proba =
      exp(Z) / sum(exp(Z))`` per row.
    - ``"identity"`` with a classification ``target_type`` (``loss="squared_error"``):
      each output estimates ``2 P - 1`` (targets +-1). Multilabel: ``P =
      clip((Z + 1) / 2, eps, 1 - eps)`` per label (eps the resolution of the dtype,
      so that every P is strictly inside (0, 1)); binary: ``P = clip((z + 1) / 2, 0, 1)``
      for the positive class, ``[1 - P, P]``; multiclass: ``m_k = max(z_k + 1 -
      min(max_j z_j, 0), 0)`` normalised to sum 1 per row.

    Parameters
    ----------
    n_inputs : int
        Number of input features.
    n_outputs : int
        Number of network outputs (size of the output layer).
    topology : {"mlp", "bmlp", "fcc"}
        The estimator's ``topology``. Informative only: ``layers`` say which
        signals every layer sees (an ``"fcc"`` network is a ``"bmlp"`` of
        single-neuron hidden layers).
    layers : tuple of LayerLayout
        The hidden layers in order, then the output layer (one entry per element of
        ``coefs_``).
    output_offset, output_scale : ndarray of shape (n_outputs,) or None
        Predictions are ``outputs * output_scale + output_offset`` (the regressor's
        target standardisation, undone); None where the outputs are not rescaled.
        Read-only float64 arrays.
    output_link : {"identity", "logistic", "softmax"}, default="identity"
        The function that maps the (rescaled) outputs to predictions, as
        ``out_activation_`` names it: ``"identity"`` (regression, and the
        classifier with ``loss="squared_error"``), ``"logistic"`` or
        ``"softmax"`` (the classifier with ``loss="log_loss"``).
    target_type : str or None, default=None
        The kind of target the network was fitted to, in the vocabulary of
        :func:`sklearn.utils.multiclass.type_of_target`: ``"continuous"`` or
        ``"continuous-multioutput"`` (regression; ``"continuous"`` when the
        regressor has one output, whose predictions are 1-D), ``"binary"``,
        ``"multiclass"`` or ``"multilabel-indicator"``. None for a network not tied
        to a fitted target.

    Attributes
    ----------
    rescaled : bool
        Whether ``output_offset`` or ``output_scale`` is set.
    hidden_layer_sizes : tuple of int
        Sizes of the hidden layers as built (for ``"fcc"``, ones).
    n_weights : int
        Number of weights, biases included.
    """

    n_inputs: int
    n_outputs: int
    topology: str
    layers: tuple
    output_offset: object = None
    output_scale: object = None
    output_link: str = "identity"
    target_type: object = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "n_inputs", int(self.n_inputs))
        set_(self, "n_outputs", int(self.n_outputs))
        set_(self, "topology", str(self.topology))
        set_(self, "layers", tuple(self.layers))
        for name in ("output_offset", "output_scale"):
            set_(self, name, self._vector(name, getattr(self, name)))
        if self.output_link not in OUTPUT_LINKS:
            raise ValueError(f"output_link must be one of {OUTPUT_LINKS}, got "
                             f"{self.output_link!r}.")
        if self.target_type is not None and self.target_type not in TARGET_TYPES:
            raise ValueError(f"target_type must be None or one of {TARGET_TYPES}, got "
                             f"{self.target_type!r}.")
        self._check()

    def _vector(self, name, value):
        if value is None:
            return None
        array = np.array(value, dtype=np.float64).reshape(-1)  # a copy, never a view
        if array.shape != (self.n_outputs,):
            raise ValueError(f"{name} must have one value per output ({self.n_outputs}), "
                             f"got shape {np.shape(value)}.")
        array.flags.writeable = False
        return array

    def _check(self):
        """The layers chain: every source exists before its reader, fan-ins add up,
        the output layer is linear; the link fits the outputs."""
        if not self.layers or not all(isinstance(L, LayerLayout) for L in self.layers):
            raise ValueError("layers must be a non-empty sequence of LayerLayout.")
        sizes = [self.n_inputs]
        for i, L in enumerate(self.layers):
            if (not L.sources or list(L.sources) != sorted(set(L.sources))
                    or L.sources[-1] > i):
                raise ValueError(f"layers[{i}].sources must be increasing indices of the "
                                 f"inputs (0) or of earlier hidden layers, got {L.sources}.")
            if L.fan_in != sum(sizes[k] for k in L.sources):
                raise ValueError(f"layers[{i}].fan_in ({L.fan_in}) is not the sum of the "
                                 f"sizes of its sources {L.sources}.")
            sizes.append(L.size)
        out = self.layers[-1]
        if out.size != self.n_outputs or out.activation != "identity" or out.gain != 1.0:
            raise ValueError("The output layer must be linear (identity, gain 1) with "
                             "n_outputs neurons.")
        classifier = self.target_type in _CLASSIFICATION
        if self.output_link != "identity" and (not classifier or self.rescaled):
            raise ValueError(f"output_link={self.output_link!r} is for classifiers, whose "
                             "outputs are not rescaled.")
        if self.output_link == "softmax" and self.target_type != "multiclass":
            raise ValueError("output_link='softmax' is for multiclass targets.")
        if self.target_type == "binary" and self.n_outputs != 1:
            raise ValueError("A binary target has one output.")
        if self.target_type == "continuous" and self.n_outputs != 1:
            raise ValueError("target_type='continuous' has one output; use "
                             "'continuous-multioutput'.")

    @property
    def rescaled(self):
        """Whether the outputs are rescaled (``output_scale`` or ``output_offset``)."""
        return self.output_offset is not None or self.output_scale is not None

    @property
    def hidden_layer_sizes(self):
        """Sizes of the hidden layers as built (for ``"fcc"``, ones)."""
        return tuple(L.size for L in self.layers[:-1])

    @property
    def n_weights(self):
        """Number of weights, biases included."""
        return sum((L.fan_in + 1) * L.size for L in self.layers)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                if a is None or b is None or not np.array_equal(a, b):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # holds arrays


def describe(network, *, output_offset=None, output_scale=None, output_link="identity",
             target_type=None):
    """The layout of a :class:`~sklearn_lmwc._network.Network`.

    Parameters
    ----------
    network : Network
    output_offset, output_scale : array-like of shape (n_outputs,), default=None
        Predictions are ``outputs * output_scale + output_offset`` (the regressor's
        ``_y_mean`` and ``_y_scale``).
    output_link : {"identity", "logistic", "softmax"}, default="identity"
        The classifier's ``out_activation_``.
    target_type : str, default=None
        ``"continuous"``, ``"continuous-multioutput"``, ``"binary"``,
        ``"multiclass"`` or ``"multilabel-indicator"``.

    Returns
    -------
    layout : NetworkLayout
    """
    n_inputs = network.n_inputs
    # the columns of the activation buffer Z each signal occupies: the inputs, then
    # every hidden layer (its dst); a layer reads a contiguous run of them (its src)
    blocks = [(0, 0, n_inputs)]
    blocks += [(k, L.dst.start, L.dst.stop) for k, L in enumerate(network.hidden, 1)]
    hidden = network.activation
    layers = []
    for i, L in enumerate(network.layers):
        sources, col = [], L.src.start
        for k, start, stop in blocks:
            if start >= L.src.start and stop <= L.src.stop:
                if start != col:
                    break
                sources.append(k)
                col = stop
        if col != L.src.stop or not sources:  # a partial block: not a layout of signals
            raise ValueError(f"Layer {i} reads columns {L.src.start}:{L.src.stop}, which "
                             "are not whole signals.")
        is_output = i == len(network.layers) - 1
        layers.append(LayerLayout(
            size=L.size, sources=tuple(sources), fan_in=L.fan_in,
            activation="identity" if is_output else hidden.name,
            gain=1.0 if is_output else hidden.gain))
    return NetworkLayout(
        n_inputs=n_inputs, n_outputs=network.n_outputs, topology=network.topology,
        layers=tuple(layers), output_offset=output_offset, output_scale=output_scale,
        output_link=output_link, target_type=target_type)
