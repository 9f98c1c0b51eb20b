"""benchmarks/imbalanced.py --smoke runs end to end and writes its tables; its metrics
are checked against direct computations."""

import json
import math

import numpy as np
import pytest

MODELS = ["LMWC", "LMWC balanced", "LogisticRegression", "LogisticRegression balanced",
          "HGB", "HGB balanced"]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, benchmark_script):
    out = tmp_path_factory.mktemp("imbalanced")
    module = benchmark_script("imbalanced")
    # the set that ships with scikit-learn: no optional package
    results = module.main(["--smoke", "--datasets", "breast_cancer_10", "--out", str(out)])
    return module, out, results


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_rows(smoke_run):
    module, out, results = smoke_run
    assert set(results) == {("breast_cancer_10", m) for m in MODELS}
    for row in results.values():
        assert len(row["folds"]) == module.SMOKE_FOLDS
        assert row["rows"] == module.SMOKE_SAMPLES and 0.05 < row["minority"] < 0.15
        for key in (*module.METRICS, "fit_s"):
            assert math.isfinite(row[key]) and math.isfinite(row[key + "_se"])
        assert 0 <= row["balanced_accuracy"] <= 1 and 0 <= row["roc_auc"] <= 1
    # class_weight="balanced" changes the fit
    assert (results["breast_cancer_10", "LMWC"]["folds"]
            != results["breast_cancer_10", "LMWC balanced"]["folds"])
    table = (out / "imbalanced_smoke.md").read_text(encoding="utf-8")
    assert "SMOKE RUN" in table and "| breast_cancer_10 | 150 x 30 |" in table
    saved = json.loads((out / "imbalanced_smoke.json").read_text(encoding="utf-8"))
    assert saved["breast_cancer_10/LMWC balanced"] == results["breast_cancer_10",
                                                             "LMWC balanced"]


def test_breast_cancer_10_is_imbalanced(benchmark_script):
    module = benchmark_script("imbalanced")
    X, y = module.load_data("breast_cancer_10", smoke=False)
    assert X.shape == (397, 30) and y.sum() == 40


def test_fold_scores_are_the_metrics(benchmark_script):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, log_loss, roc_auc_score

    module = benchmark_script("imbalanced")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=80) > 1.0).astype(int)
    train, test = np.arange(40), np.arange(40, 80)
    model = LogisticRegression()
    scores = module.fold_scores(model, X, y, train, test)
    proba = model.predict_proba(X[test])[:, 1]
    assert scores["balanced_accuracy"] == balanced_accuracy_score(y[test],
                                                                   model.predict(X[test]))
    assert scores["roc_auc"] == roc_auc_score(y[test], proba)
    assert scores["log_loss"] == log_loss(y[test], proba)
