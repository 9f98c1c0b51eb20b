"""benchmarks/uncertainty.py --smoke runs end to end, caches its rows and writes the
tables and the figure; its metrics are checked against direct computations."""

import math

import numpy as np
import pytest
from scipy.stats import norm

SETS = "diabetes,linnerud,iris"  # bundled with scikit-learn; linnerud: three targets


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, benchmark_script):
    out = tmp_path_factory.mktemp("uncertainty")
    module = benchmark_script("uncertainty")
    argv = ["--smoke", "--datasets", SETS, "--out", str(out)]
    results = module.main(argv)
    return module, out, argv, results


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_rows(smoke_run):
    module, out, _, results = smoke_run
    expected = {(d, m) for d in ("diabetes", "linnerud") for m in module.REGRESSORS}
    expected |= {("iris", m) for m in module.classifier_columns()}
    assert set(results) == expected
    for (dataset, _), row in results.items():
        if dataset == "iris":
            assert math.isfinite(row["log_loss"]) and 0 <= row["ece"] <= 1
            assert sum(row["bins"]["count"]) == 60
        else:
            coverage = [row["coverage"][str(level)] for level in module.LEVELS]
            assert np.all(np.diff(coverage) >= 0) and 0 <= coverage[0] <= coverage[-1] <= 1
            assert math.isfinite(row["nlpd"])
            assert row["n"] == 60  # diabetes: 60 rows; linnerud: 20 rows x 3 targets
    table = (out / "uncertainty_smoke.md").read_text(encoding="utf-8")
    assert "SMOKE RUN" in table and "| LMWC defaults, probit |" in table
    assert (out / "uncertainty_smoke.png").stat().st_size > 0


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_moderation_changes_only_probabilities(smoke_run):
    _, _, _, results = smoke_run
    for name in ("LMWC defaults", "LMWC one trial"):
        none, probit = results["iris", f"{name}, none"], results["iris", f"{name}, probit"]
        assert none["fit_s"] == probit["fit_s"]  # one fit per fold for both
        assert none["log_loss"] != probit["log_loss"]


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_rerun_reuses_the_cache(smoke_run):
    module, _, argv, results = smoke_run
    again = module.main(argv)
    assert again == results


def test_regression_metrics_of_a_calibrated_gaussian(benchmark_script):
    module = benchmark_script("uncertainty")
    rng = np.random.default_rng(0)
    std = rng.uniform(0.5, 2.0, (20000, 2))
    Y = std * rng.standard_normal(std.shape)
    m = module.regression_metrics(Y, np.zeros_like(Y), std)
    for level in module.LEVELS:
        assert abs(m["coverage"][str(level)] - level) < 0.01
    expected = np.mean(-norm.logpdf(Y, scale=std))
    assert m["nlpd"] == pytest.approx(expected)


def test_classification_metrics(benchmark_script):
    module = benchmark_script("uncertainty")
    proba = np.array([[0.95, 0.05], [0.55, 0.45], [0.3, 0.7], [0.1, 0.9]])
    y = np.array([0, 1, 1, 0])
    m = module.classification_metrics(y, proba)
    # bins: 0.95 -> 9 (right), 0.55 -> 5 (wrong), 0.7 -> 7 (right), 0.9 -> 9 (wrong)
    expected = (abs(0 - 0.55) + abs(1 - 0.7) + abs(1 - (0.95 + 0.9))) / 4
    assert m["ece"] == pytest.approx(expected)
    assert m["accuracy"] == 0.5
    assert m["log_loss"] == pytest.approx(-np.mean(np.log([0.95, 0.45, 0.7, 0.1])))
