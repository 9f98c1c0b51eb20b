"""Export of fitted estimators to ONNX, through skl2onnx (the ``onnx`` extra).

Importing this module registers converters for :class:`~sklearn_lmwc.LMWCRegressor`
and :class:`~sklearn_lmwc.LMWCClassifier` (and the Dask estimators when dask is
installed) with skl2onnx, after which ``skl2onnx.to_onnx`` converts them, alone or
inside pipelines::

    import sklearn_lmwc.onnx  # registers the converters
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype(np.float32))

The graph is built from the fitted weights (``coefs_``, ``intercepts_`` and, for a
committee, ``committee_coefs_`` and ``committee_intercepts_``) and ``layout_``
alone. The classifier follows skl2onnx's conventions for ``MLPClassifier``: outputs
``label`` and ``probabilities``, options ``zipmap`` (True, False or ``"columns"``),
``nocl`` and ``output_class_labels``. The regressor's output has shape
``(n_samples, n_outputs)``, as skl2onnx's regressors. The graph computes in the
input's type: float32 for a float32 input, float64 for a float64 one.
"""

import numbers

import numpy as np
from skl2onnx import update_registered_converter
from skl2onnx._parse import _parse_sklearn_classifier
from skl2onnx.common.data_types import DoubleTensorType, Int64TensorType
from skl2onnx.common.shape_calculator import (
    calculate_linear_classifier_output_shapes,
    calculate_linear_regressor_output_shapes,
)
from skl2onnx.common.utils_classifier import get_label_classes
from skl2onnx.proto import onnx_proto
from sklearn.exceptions import NotFittedError

from . import LMWCClassifier, LMWCRegressor
from ._activations import _LEAK, _SELU_ALPHA, _SELU_SCALE

__all__ = ["ACTIVATION_OPS", "MIN_OPSET"]

#: Hidden activation -> ``(ONNX operator, its attributes)``, applied to ``gain * net``
#: (the gain is folded into the weights); None adds no node. A new activation is one
#: line.
ACTIVATION_OPS = {
    "identity": None,
    "tanh": ("Tanh", {}),
    "logistic": ("Sigmoid", {}),
    "relu": ("Relu", {}),
    "elu": ("Elu", {"alpha": 1.0}),
    "selu": ("Selu", {"alpha": _SELU_ALPHA, "gamma": _SELU_SCALE}),
    "leaky_relu": ("LeakyRelu", {"alpha": _LEAK}),
    "softplus": ("Softplus", {}),
}

#: The oldest opset the converters write: Clip with bounds as inputs (11), ReduceSum
#: with axes as an input and Softmax over one axis (13).
MIN_OPSET = 13

_FLOAT_TYPES = {onnx_proto.TensorProto.FLOAT: np.float32,
                onnx_proto.TensorProto.DOUBLE: np.float64}


# ---- checks ---------------------------------------------------------------------
def _check_convertible(est):
    """Raise a clear error for an unfitted estimator or a setting ONNX cannot express."""
    name = type(est).__name__
    if not hasattr(est, "coefs_"):
        raise NotFittedError(f"This {name} instance is not fitted yet: call 'fit' before "
                             "converting it to ONNX.")
    layout = est.layout_
    for layer in layout.layers[:-1]:
        if layer.activation not in ACTIVATION_OPS:
            raise ValueError(f"{name}(activation={layer.activation!r}) has no ONNX "
                             "equivalent in sklearn_lmwc.onnx.ACTIVATION_OPS "
                             f"(known: {sorted(ACTIVATION_OPS)}).")
    if isinstance(est, LMWCClassifier) and est._moderating():
        # the moderated logits need a Jacobian pass and the posterior factor per row
        raise ValueError(f"{name}(moderation={est.moderation!r}) has no ONNX equivalent: "
                         "the graph gives the plug-in probabilities; set_params("
                         "moderation=None) before converting.")
    if isinstance(est, LMWCClassifier) and layout.target_type != "multilabel-indicator":
        _label_kind(est.classes_, name)
    return layout


def _label_kind(classes, name):
    """``"int64"`` or ``"string"``: the ONNX type of the labels (skl2onnx's rule:
    integers, booleans and integral floats become int64)."""
    values = np.asarray(classes).tolist()
    if all(isinstance(c, str) for c in values):
        return "string"
    if all(isinstance(c, numbers.Real) and float(c).is_integer() for c in values):
        return "int64"
    raise ValueError(f"{name}'s class labels {values} have no ONNX type: ONNX labels "
                     "are int64 or strings.")


def _check_opset(container, name):
    if container.target_opset < MIN_OPSET:
        raise RuntimeError(f"The ONNX converter of {name} needs target_opset >= "
                           f"{MIN_OPSET}, got {container.target_opset}.")


# ---- the graph ------------------------------------------------------------------
class _Graph:
    """Nodes and initializers added to skl2onnx's container under unique names, every
    constant in the graph's float type."""

    def __init__(self, scope, container, proto_dtype):
        self.scope, self.container = scope, container
        self.proto_dtype = proto_dtype
        self.dtype = _FLOAT_TYPES[proto_dtype]

    def const(self, value, name="const", proto_dtype=None):
        """An initializer holding ``value`` (in the float type unless told)."""
        proto_dtype = self.proto_dtype if proto_dtype is None else proto_dtype
        if proto_dtype in _FLOAT_TYPES:
            value = np.asarray(value, dtype=_FLOAT_TYPES[proto_dtype])
        else:
            value = np.asarray(value)
        out = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(out, proto_dtype, list(value.shape), value.ravel())
        return out

    def node(self, op, inputs, out=None, **attrs):
        """Add ``op`` reading ``inputs``; return its output's name (``out`` if given)."""
        out = self.scope.get_unique_variable_name(op.lower()) if out is None else out
        self.container.add_node(op, list(inputs), [out],
                                name=self.scope.get_unique_operator_name(op), **attrs)
        return out

    def reduce(self, op, x):
        """``op`` (ReduceMax or ReduceSum) over axis 1, keeping it: the axes became an
        input at opset 13 (ReduceSum) and 18 (ReduceMax)."""
        as_input = {"ReduceSum": 13, "ReduceMax": 18}[op]
        if self.container.target_opset >= as_input:
            axes = self.const([1], "axes", onnx_proto.TensorProto.INT64)
            return self.node(op, [x, axes], keepdims=1)
        return self.node(op, [x], axes=[1], keepdims=1)

    def mean(self, names):
        if len(names) == 1:
            return names[0]
        # Sum then scale, not Mean: ONNX Runtime has no float64 Mean
        return self.node("Mul", [self.node("Sum", names), self.const(1.0 / len(names))])


def _members(est):
    """Every committee member's weights, the best first (``coefs_`` itself, as the
    estimator predicts)."""
    return [(est.coefs_, est.intercepts_),
            *zip(est.committee_coefs_[1:], est.committee_intercepts_[1:])]


def _network(g, layout, coefs, intercepts, X):
    """One member's outputs: ``s[i + 1] = f(gain * (concat(s[sources]) @ W + b))``."""
    signals = [X]
    for layer, W, b in zip(layout.layers, coefs, intercepts):
        sources = [signals[k] for k in layer.sources]
        A = sources[0] if len(sources) == 1 else g.node("Concat", sources, axis=1)
        # f(gain * (A W + b)) = f(A (gain W) + gain b): one Gemm per layer
        W = g.const(np.asarray(W, dtype=np.float64) * layer.gain, "coef")
        b = g.const(np.asarray(b, dtype=np.float64).reshape(1, -1) * layer.gain, "intercept")
        net = g.node("Gemm", [A, W, b])
        activation = ACTIVATION_OPS[layer.activation]
        signals.append(net if activation is None else
                       g.node(activation[0], [net], **activation[1]))
    return signals[-1]


def _start(scope, operator, container):
    """The estimator, its layout, the graph and the input cast to the graph's type
    (float64 for a float64 input, float32 otherwise, as skl2onnx's MLP)."""
    est = operator.raw_operator
    _check_opset(container, type(est).__name__)
    layout = _check_convertible(est)
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    g = _Graph(scope, container, onnx_proto.TensorProto.DOUBLE if double
               else onnx_proto.TensorProto.FLOAT)
    X = g.node("Cast", [operator.inputs[0].full_name], to=g.proto_dtype)
    return est, layout, g, X


# ---- converters -----------------------------------------------------------------
def _convert_regressor(scope, operator, container):
    """Mean of the members' outputs, mapped back to the targets' scale."""
    est, layout, g, X = _start(scope, operator, container)
    Z = g.mean([_network(g, layout, c, i, X) for c, i in _members(est)])
    scaled = g.node("Mul", [Z, g.const(layout.output_scale.reshape(1, -1), "scale")])
    g.node("Add", [scaled, g.const(layout.output_offset.reshape(1, -1), "offset")],
           out=operator.outputs[0].full_name)


def _pm1_proba(g, Z, multiclass):
    """Probabilities from +-1 estimates (``loss="squared_error"``), as the classifier's
    ``predict_proba``: ``clip((z + 1) / 2, 0, 1)`` per output, or for multiclass
    ``max(z_k - min(max_j z_j, 0) + 1, 0)`` normalised per row."""
    if not multiclass:
        half = g.const(0.5, "half")
        P = g.node("Add", [g.node("Mul", [Z, half]), half])
        return g.node("Clip", [P, g.const(0.0, "zero"), g.const(1.0, "one")])
    shift = g.node("Min", [g.reduce("ReduceMax", Z), g.const([[0.0]], "zero")])
    mass = g.node("Relu", [g.node("Add", [g.node("Sub", [Z, shift]),
                                          g.const([[1.0]], "one")])])
    return g.node("Div", [mass, g.reduce("ReduceSum", mass)])


def _convert_classifier(scope, operator, container):
    """Probabilities (log-loss: the mean of the members' probabilities; squared error:
    the ``+-1`` mapping of the members' mean output) and labels from them."""
    est, layout, g, X = _start(scope, operator, container)
    kind, link = layout.target_type, layout.output_link
    outputs = [_network(g, layout, c, i, X) for c, i in _members(est)]
    if link == "identity":
        P = _pm1_proba(g, g.mean(outputs), kind == "multiclass")
    else:
        op = {"softmax": "Softmax", "logistic": "Sigmoid"}[link]
        P = g.mean([g.node(op, [Z], **({"axis": 1} if op == "Softmax" else {}))
                    for Z in outputs])
    label, proba = (v.full_name for v in operator.outputs[:2])
    if kind == "binary":  # one output, the positive class's
        g.node("Concat", [g.node("Sub", [g.const([[1.0]], "one"), P]), P], out=proba, axis=1)
    else:
        g.node("Identity", [P], out=proba)
    if kind == "multilabel-indicator":  # predict: output > 0, that is P > 0.5
        above = g.node("Greater", [P, g.const([[0.5]], "half")])
        g.node("Cast", [above], out=label, to=onnx_proto.TensorProto.INT64)
        return
    classes = get_label_classes(scope, est)
    if _label_kind(classes, type(est).__name__) == "string":
        classes = g.const(np.array([str(c).encode("utf-8") for c in classes]), "classes",
                          onnx_proto.TensorProto.STRING)
    else:
        classes = g.const(np.asarray(classes).astype(np.int64), "classes",
                          onnx_proto.TensorProto.INT64)
    index = g.node("ArgMax", [proba], axis=1, keepdims=0)
    g.node("Gather", [classes, index], out=label, axis=0)


# ---- shapes and parser ----------------------------------------------------------
def _regressor_shapes(operator):
    _check_convertible(operator.raw_operator)
    calculate_linear_regressor_output_shapes(operator)
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type.shape = [N, operator.raw_operator.n_outputs_]


def _classifier_shapes(operator):
    layout = _check_convertible(operator.raw_operator)
    calculate_linear_classifier_output_shapes(operator)
    if layout.target_type == "multilabel-indicator":  # one 0/1 label per output
        N = operator.inputs[0].get_first_dimension()
        operator.outputs[0].type = Int64TensorType([N, layout.n_outputs])


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser (labels, probabilities, zipmap), after the checks
    (it reads ``classes_``)."""
    _check_convertible(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


_CLASSIFIER_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [True, False],
                       "output_class_labels": [False, True]}


def _register(regressor, classifier):
    update_registered_converter(regressor, f"SklearnLMWC{regressor.__name__}",
                                _regressor_shapes, _convert_regressor)
    update_registered_converter(classifier, f"SklearnLMWC{classifier.__name__}",
                                _classifier_shapes, _convert_classifier,
                                parser=_parse_classifier, options=_CLASSIFIER_OPTIONS)


_register(LMWCRegressor, LMWCClassifier)
try:  # the Dask estimators are subclasses; skl2onnx looks converters up by exact type
    from .dask import DaskLMWCClassifier, DaskLMWCRegressor
except ImportError:  # no dask: nothing to register
    pass
else:
    _register(DaskLMWCRegressor, DaskLMWCClassifier)
