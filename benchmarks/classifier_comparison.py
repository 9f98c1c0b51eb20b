"""LMWCClassifier (both losses) beside scikit-learn's MLPClassifier (lbfgs, adam).

Digits and breast cancer; 5-fold stratified cross-validation (shuffled, seed 0) of a
``StandardScaler`` + classifier pipeline; every model gets the same hidden layer sizes
and the same L2 penalty ``alpha`` (the two libraries' alphas are on the same scale:
``0.5 * alpha * ||W||^2`` beside the summed loss). Reports held-out accuracy and
log-loss (mean +- std over folds), the mean fit time per fold and the mean number of
iterations. BLAS runs single-threaded for every model, so the times compare the
algorithms rather than the threading (and stay sane on a shared machine).

    python benchmarks/classifier_comparison.py            # full table (Markdown)
    python benchmarks/classifier_comparison.py --smoke    # 2 folds, few iterations (seconds)
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_lmwc import LMWCClassifier

DATASETS = {
    # name: (loader, hidden_layer_sizes, LM max_iter)
    "breast cancer": (load_breast_cancer, (5,), 1000),  # the default max_iter
    "digits": (load_digits, (16,), 30),  # Q costs n * 10 classes * 1210^2 per iteration
}


def models(hidden, alpha, lm_max_iter, mlp_max_iter, seed):
    lm = dict(hidden_layer_sizes=hidden, alpha=alpha, max_iter=lm_max_iter, init="glorot",
              random_state=seed)
    mlp = dict(hidden_layer_sizes=hidden, alpha=alpha, max_iter=mlp_max_iter,
               random_state=seed)
    return {
        "LMWC log_loss": LMWCClassifier(loss="log_loss", **lm),
        "LMWC squared_error": LMWCClassifier(loss="squared_error", **lm),
        "MLP lbfgs": MLPClassifier(solver="lbfgs", **mlp),
        "MLP adam": MLPClassifier(solver="adam", **mlp),
    }


def n_iter(pipeline):
    return pipeline[-1].n_iter_


def run(smoke=False, alpha=1.0, seed=0):
    folds = 2 if smoke else 5
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    rows = []
    for name, (loader, hidden, lm_max_iter) in DATASETS.items():
        X, y = loader(return_X_y=True)
        if smoke:  # seconds: a small network, few iterations
            hidden, lm_max_iter, mlp_max_iter = (3,), 3, 10
        else:
            mlp_max_iter = 200  # MLPClassifier's default
        for label, model in models(hidden, alpha, lm_max_iter, mlp_max_iter, seed).items():
            pipe = make_pipeline(StandardScaler(), model)
            start = time.perf_counter()
            result = cross_validate(pipe, X, y, cv=cv, return_estimator=True,
                                    scoring={"accuracy": "accuracy", "log_loss": "neg_log_loss"})
            wall = time.perf_counter() - start
            rows.append(dict(
                dataset=name, model=label, hidden=hidden,
                accuracy=result["test_accuracy"], log_loss=-result["test_log_loss"],
                fit_time=result["fit_time"].mean(),
                n_iter=np.mean([n_iter(e) for e in result["estimator"]]), wall=wall))
            print(f"  done: {name:14s} {label:20s} {wall:7.1f}s", flush=True)
    return rows, folds


def markdown(rows, folds, alpha):
    lines = [f"{folds}-fold CV, alpha={alpha}, BLAS single-threaded.", "",
             "| data | model | hidden | accuracy | log-loss | fit time / fold (s) | iterations |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['model']} | {r['hidden']} | "
            f"{r['accuracy'].mean():.4f} ± {r['accuracy'].std():.4f} | "
            f"{r['log_loss'].mean():.4f} ± {r['log_loss'].std():.4f} | "
            f"{r['fit_time']:.2f} | {r['n_iter']:.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="seconds-long run (CI)")
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(limits=1, user_api="blas"):
        rows, folds = run(args.smoke, args.alpha, args.seed)
    print()
    print(markdown(rows, folds, args.alpha))


if __name__ == "__main__":
    main()
