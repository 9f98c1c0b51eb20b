"""Time to convert a fitted network of about 1,000 weights to ONNX (target: under a
second), and to run the graph.

For a regressor and a classifier (an ``"mlp"`` of two hidden layers of 24 tanh
neurons on 16 inputs: 1,033 weights with one output; one network, then a committee
of 5), it measures the median over ``--repeats`` of

- ``to_onnx``: ``skl2onnx.to_onnx`` on a float32 sample (the converters' work and
  skl2onnx's own),
- session: building an ONNX Runtime ``InferenceSession`` from the serialised graph,
- run: predicting 10,000 rows with it, beside the estimator's ``predict`` on the
  same rows,

and the largest difference between ONNX Runtime's and the estimator's predictions
(relative to the targets' standard deviation for the regressor; probabilities for the
classifier). Prints a markdown table. Needs the ``onnx`` extra.

    python benchmarks/onnx_export.py               # a few seconds
    python benchmarks/onnx_export.py --repeats 20
"""

import argparse
import statistics
import time
import warnings
from functools import partial

import numpy as np
import onnxruntime as rt
from skl2onnx import to_onnx
from sklearn.exceptions import ConvergenceWarning

import sklearn_lmwc.onnx  # noqa: F401  (registers the converters)
from sklearn_lmwc import LMWCClassifier, LMWCRegressor

N_INPUTS, HIDDEN, N_ROWS = 16, (24, 24), 10_000


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def _models():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, N_INPUTS))
    y = np.tanh(X[:, :4]).sum(axis=1) + 0.1 * rng.normal(size=len(X))
    params = dict(hidden_layer_sizes=HIDDEN, topology="mlp", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 iterations: a timing
        for size in (1, 5):
            committee = dict(n_init=size, committee_size=size)
            yield "regressor", LMWCRegressor(**committee, **params).fit(X, y), y
            labels = np.where(y > 0, "up", "down")
            yield "classifier", LMWCClassifier(**committee, **params).fit(X, labels), y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    X_run = np.random.default_rng(1).normal(size=(N_ROWS, N_INPUTS)).astype(np.float32)
    print("| model | weights per member | members | to_onnx (ms) | session (ms) "
          "| run 10k rows (ms) | predict 10k rows (ms) | largest difference |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, model, y in _models():
        options = {id(model): {"zipmap": False}} if kind == "classifier" else None
        t_convert, onx = _median_time(
            partial(to_onnx, model, X_run[:1], options=options), args.repeats)
        t_session, session = _median_time(
            partial(rt.InferenceSession, onx.SerializeToString(),
                    providers=["CPUExecutionProvider"]), args.repeats)
        t_run, outputs = _median_time(partial(session.run, None, {"X": X_run}), args.repeats)
        if kind == "regressor":
            t_predict, expected = _median_time(partial(model.predict, X_run), args.repeats)
            error = np.abs(outputs[0].ravel() - expected).max() / y.std()
        else:
            t_predict, expected = _median_time(partial(model.predict_proba, X_run),
                                               args.repeats)
            error = np.abs(outputs[1] - expected).max()
        members = len(model.committee_coefs_)
        print(f"| {kind} | {model.layout_.n_weights:,} | {members} | {1e3 * t_convert:.1f} "
              f"| {1e3 * t_session:.1f} | {1e3 * t_run:.1f} | {1e3 * t_predict:.1f} "
              f"| {error:.1e} |")


if __name__ == "__main__":
    main()
