"""The fitted network's layout (sklearn_lmwc._layout).

The layout, with ``coefs_`` and ``intercepts_`` only, must reproduce the estimators'
outputs: every test below recomputes them with a forward pass of its own, written
here from the layout's documentation, not from the package's code.
"""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._layout import LayerLayout, NetworkLayout, describe
from sklearn_lmwc._network import Network

TOPOLOGIES = ("mlp", "bmlp", "fcc")
ACTIVATIONS = ("tanh", "logistic", "identity", "relu")
GAINS = (1.0, 2.0)
TASKS = ("regression", "regression-multioutput",
         "binary-log_loss", "multiclass-log_loss", "multilabel-log_loss",
         "binary-squared_error", "multiclass-squared_error", "multilabel-squared_error")

def _layout(est):
    layout = est.layout_
    assert layout == est.layout_  # a fresh description each time, equal
    return layout


# ---- an independent forward pass from the layout --------------------------------------
_F = {
    "tanh": np.tanh,
    "logistic": lambda x: 0.5 * (1.0 + np.tanh(0.5 * x)),  # 1 / (1 + exp(-x)), no overflow
    "identity": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
}


def _outputs(layout, coefs, intercepts, X):
    """The network's outputs: s[0] = X, s[i + 1] = f(gain * (hstack(s[sources]) @ W + b))."""
    assert len(coefs) == len(intercepts) == len(layout.layers)
    signals = [np.asarray(X, dtype=np.float64)]
    for layer, W, b in zip(layout.layers, coefs, intercepts):
        A = np.hstack([signals[k] for k in layer.sources])
        assert W.shape == (A.shape[1], layer.size) == (layer.fan_in, layer.size)
        signals.append(_F[layer.activation](layer.gain * (A @ W + b)))
    return signals[-1]


def _predict_regression(layout, Z):
    Y = Z * layout.output_scale + layout.output_offset
    return Y.ravel() if layout.target_type == "continuous" else Y


def _predict_proba(layout, Z):
    link, kind = layout.output_link, layout.target_type
    assert layout.output_offset is None and layout.output_scale is None
    if link == "softmax":
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    if link == "logistic":
        P = _F["logistic"](Z)
    elif kind == "multiclass":  # +-1 estimates: shifted, clipped, normalised
        mass = np.maximum(Z + 1.0 - np.minimum(Z.max(axis=1, keepdims=True), 0.0), 0.0)
        return mass / mass.sum(axis=1, keepdims=True)
    else:  # +-1 estimates of 2 P - 1
        P = np.clip((Z + 1.0) / 2.0, 0.0, 1.0)
    return P if kind == "multilabel-indicator" else np.hstack([1.0 - P, P])


# ---- data --------------------------------------------------------------------------
def _data(task):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3))
    smooth = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    if task == "regression":
        return X, 3.0 * smooth + 7.0
    if task == "regression-multioutput":  # outputs of different scales and offsets
        return X, np.column_stack([100.0 * smooth - 50.0, 0.01 * X[:, 2] ** 2 + 2.0])
    kind = task.split("-")[0]
    if kind == "binary":
        return X, np.where(smooth > 0, "yes", "no")
    if kind == "multiclass":
        return X, np.digitize(smooth, [-0.5, 0.5])
    return X, np.column_stack([smooth > 0, X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)


def _fit(task, topology, activation, gain):
    X, y = _data(task)
    # one network (a committee's members each have this layout; see test_committee_*)
    params = dict(hidden_layer_sizes=(2, 2), topology=topology, activation=activation,
                  gain=gain, max_iter=3, tol=None, n_init=1, random_state=0)
    if task.startswith("regression"):
        return X, LMWCRegressor(**params).fit(X, y)
    return X, LMWCClassifier(loss=task.split("-")[1], **params).fit(X, y)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_layout_reproduces_predictions(topology, activation, gain, task):
    X, est = _fit(task, topology, activation, gain)
    layout = _layout(est)

    assert layout.n_inputs == X.shape[1] == est.n_features_in_
    assert layout.n_outputs == est.n_outputs_
    assert layout.topology == topology
    assert len(layout.layers) == len(est.coefs_)
    hidden, output = layout.layers[:-1], layout.layers[-1]
    assert all((L.activation, L.gain) == (activation, gain) for L in hidden)
    assert (output.activation, output.gain) == ("identity", 1.0)
    assert layout.hidden_layer_sizes == ((1,) * 4 if topology == "fcc" else (2, 2))
    assert layout.n_weights == sum(W.size + b.size for W, b in
                                   zip(est.coefs_, est.intercepts_))

    Z = _outputs(layout, est.coefs_, est.intercepts_, X)
    tol = dict(rtol=1e-10, atol=1e-10)
    if isinstance(est, LMWCRegressor):
        assert layout.output_link == "identity"
        np.testing.assert_allclose(_predict_regression(layout, Z), est.predict(X), **tol)
        return
    kind = layout.target_type
    assert kind == {"binary": "binary", "multiclass": "multiclass",
                    "multilabel": "multilabel-indicator"}[task.split("-")[0]]
    assert layout.output_link == ("identity" if est.loss == "squared_error" else
                                  "softmax" if kind == "multiclass" else "logistic")
    decision = Z.ravel() if kind == "binary" else Z
    np.testing.assert_allclose(decision, est.decision_function(X), **tol)
    proba = _predict_proba(layout, Z)
    np.testing.assert_allclose(proba, est.predict_proba(X), **tol)
    if kind == "multilabel-indicator":
        labels = (Z > 0).astype(int)
    else:
        labels = est.classes_[proba.argmax(axis=1)]
    np.testing.assert_array_equal(labels, est.predict(X))


@pytest.mark.parametrize("topology, expected", [
    ("mlp", [(0,), (1,), (2,)]),
    ("bmlp", [(0,), (0, 1), (0, 1, 2)]),
    ("fcc", [(0,), (0, 1), (0, 1, 2), (0, 1, 2, 3), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5)]),
])
def test_sources_and_fan_in(topology, expected):
    network = Network(4, (3, 2), 2, topology=topology, activation="logistic", gain=0.5)
    layout = describe(network)
    assert [L.sources for L in layout.layers] == expected
    sizes = [4] + [L.size for L in layout.layers]
    assert [L.fan_in for L in layout.layers] == [sum(sizes[k] for k in L.sources)
                                                 for L in layout.layers]
    assert [L.fan_in for L in layout.layers] == [L.fan_in for L in network.layers]
    assert [L.size for L in layout.layers] == [L.size for L in network.layers]
    assert [(L.activation, L.gain) for L in layout.layers[:-1]] == \
        [("logistic", 0.5)] * (len(expected) - 1)
    assert layout.n_weights == network.n_weights
    assert (layout.output_link, layout.target_type) == ("identity", None)
    assert layout.output_offset is None and layout.output_scale is None


def test_no_hidden_layer():
    layout = describe(Network(3, (), 2, topology="mlp"))
    assert layout.layers == (LayerLayout(size=2, sources=(0,), fan_in=3,
                                         activation="identity", gain=1.0),)
    assert layout.hidden_layer_sizes == ()


def _fitted_layouts():
    X, y = _data("regression-multioutput")
    reg = LMWCRegressor(hidden_layer_sizes=(2,), max_iter=2, tol=None, random_state=0)
    X, yc = _data("multiclass-log_loss")
    clf = LMWCClassifier(hidden_layer_sizes=(2,), max_iter=2, tol=None, random_state=0)
    return _layout(reg.fit(X, y)), _layout(clf.fit(X, yc))


def test_read_only():
    regression, classification = _fitted_layouts()
    for layout in (regression, classification):
        with pytest.raises(dataclasses.FrozenInstanceError):
            layout.n_inputs = 7
        with pytest.raises(dataclasses.FrozenInstanceError):
            layout.output_link = "softmax"
        with pytest.raises(dataclasses.FrozenInstanceError):
            layout.layers[0].gain = 3.0
        with pytest.raises(dataclasses.FrozenInstanceError):
            layout.layers[-1].sources = (0,)
        assert isinstance(layout.layers, tuple)
        assert all(isinstance(L.sources, tuple) for L in layout.layers)
    for name in ("output_offset", "output_scale"):
        array = getattr(regression, name)
        assert array.dtype == np.float64 and array.shape == (2,)
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0


def test_offset_and_scale_are_copies():
    offset, scale = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    layout = describe(Network(2, (2,), 2), output_offset=offset, output_scale=scale,
                      target_type="continuous-multioutput")
    offset[0] = scale[0] = -1.0
    np.testing.assert_array_equal(layout.output_offset, [1.0, 2.0])
    np.testing.assert_array_equal(layout.output_scale, [3.0, 4.0])
    assert offset.flags.writeable  # the caller's arrays are left as they were


@pytest.mark.parametrize("clone", [lambda x: pickle.loads(pickle.dumps(x)), copy.deepcopy],
                         ids=["pickle", "deepcopy"])
def test_pickle_and_copy(clone):
    for layout in _fitted_layouts():
        restored = clone(layout)
        assert type(restored) is NetworkLayout and restored == layout
        assert restored is not layout
        if restored.output_scale is not None:
            assert not restored.output_scale.flags.writeable
            assert not restored.output_offset.flags.writeable
        with pytest.raises(dataclasses.FrozenInstanceError):
            restored.topology = "mlp"


def test_equality():
    a = describe(Network(2, (2,), 1), output_offset=[1.0], output_scale=[2.0])
    b = describe(Network(2, (2,), 1), output_offset=[1.0], output_scale=[2.0])
    c = describe(Network(2, (2,), 1), output_offset=[1.0], output_scale=[3.0])
    d = describe(Network(2, (2,), 1))
    assert a == b and a != c and a != d and d != a
    with pytest.raises(TypeError):
        hash(a)
    assert hash(a.layers[0]) == hash(b.layers[0])  # layers are hashable


@pytest.mark.parametrize("facts, match", [
    (dict(output_link="probit"), "output_link"),
    (dict(target_type="multiclass-multioutput"), "target_type"),
    (dict(output_offset=[0.0, 1.0]), "one value per output"),
    (dict(output_link="logistic"), "for classifiers"),
    (dict(output_link="logistic", target_type="binary", output_scale=[2.0]),
     "for classifiers"),
    (dict(output_link="softmax", target_type="binary"), "multiclass"),
    (dict(target_type="multiclass"), None),
])
def test_describe_validates_facts(facts, match):
    network = Network(2, (2,), 1)
    if match is None:
        describe(network, **facts)
        return
    with pytest.raises(ValueError, match=match):
        describe(network, **facts)


def test_layouts_check_their_layers():
    hidden = LayerLayout(size=2, sources=(0,), fan_in=3, activation="tanh", gain=1.0)
    out = LayerLayout(size=1, sources=(0, 1), fan_in=5, activation="identity", gain=1.0)
    NetworkLayout(n_inputs=3, n_outputs=1, topology="bmlp", layers=(hidden, out))
    with pytest.raises(ValueError, match="fan_in"):
        NetworkLayout(n_inputs=2, n_outputs=1, topology="bmlp", layers=(hidden, out))
    ahead = LayerLayout(size=2, sources=(0, 1), fan_in=5, activation="tanh", gain=1.0)
    with pytest.raises(ValueError, match="sources"):
        NetworkLayout(n_inputs=3, n_outputs=1, topology="bmlp", layers=(ahead, out))
    with pytest.raises(ValueError, match="linear"):
        NetworkLayout(n_inputs=3, n_outputs=1, topology="bmlp", layers=(hidden, hidden))


def test_user_guide_forward_pass():
    """The forward pass of the user guide's section "The fitted network's layout"."""
    X, y = _data("regression")
    reg = LMWCRegressor(hidden_layer_sizes=(3,), topology="fcc", max_iter=5, tol=None,
                        random_state=0).fit(X, y)
    assert len(reg.committee_coefs_) > 1  # the defaults' committee
    layout = _layout(reg)  # reg.layout_ in the guide
    f = {"tanh": np.tanh, "logistic": lambda x: 1 / (1 + np.exp(-x)),
         "relu": lambda x: np.maximum(x, 0), "identity": lambda x: x}

    def forward(coefs, intercepts):
        signals = [X]  # signals[0]: the inputs; signals[k]: hidden layer k
        for layer, W, b in zip(layout.layers, coefs, intercepts):
            net = np.hstack([signals[k] for k in layer.sources]) @ W + b
            signals.append(f[layer.activation](layer.gain * net))
        return signals[-1]

    outputs = np.mean([forward(c, i) for c, i in
                       zip(reg.committee_coefs_, reg.committee_intercepts_)], axis=0)
    y_pred = outputs * layout.output_scale + layout.output_offset

    np.testing.assert_allclose(y_pred.ravel(), reg.predict(X), rtol=1e-10, atol=1e-10)
