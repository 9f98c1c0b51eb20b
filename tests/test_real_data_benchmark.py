"""benchmarks/real_data.py --smoke runs end to end, caches its rows and writes the tables."""

import math

import pytest

TINY = 'tiny={"hidden_layer_sizes": [2], "topology": "fcc"}'


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, benchmark_script):
    out = tmp_path_factory.mktemp("real_data")
    module = benchmark_script("real_data")
    # data sets that ship with scikit-learn: no download, no optional extra
    argv = ["--smoke", "--datasets", "diabetes,iris", "--lmwc", TINY, "--out", str(out)]
    return module, out, argv, module.main(argv)


def test_smoke_rows_are_finite(smoke_run):
    module, out, _, results = smoke_run
    regression = ["LMWC defaults", "LMWC bayes", "tiny", "MLP raw y", "MLP std y", "RidgeCV",
                  "HGB"]
    classification = ["LMWC defaults", "LMWC bayes", "tiny", "MLP", "LogisticRegression",
                      "HGB"]
    expected = {("diabetes", m) for m in regression} | {("iris", m) for m in classification}
    assert set(results) == expected
    for (dataset, _), row in results.items():
        assert len(row["scores"]) == module.SMOKE_FOLDS
        assert all(math.isfinite(v) for v in (row["score"], row["se"], row["fit_s"]))
        assert (row["log_loss"] is None) == (dataset == "diabetes")
        assert row["log_loss"] is None or math.isfinite(row["log_loss"])


def test_smoke_tables(smoke_run):
    _, out, _, results = smoke_run
    table = (out / "real_data_smoke.md").read_text(encoding="utf-8")
    assert "SMOKE RUN" in table
    for dataset, model in results:
        assert f"### {dataset}" in table
        row = next(line for line in table.splitlines()
                   if line.startswith(f"| {model} |") and "±" in line)
        assert "not run" not in row
    # the targets row of the extra configuration: 2 of the 7 data sets ran
    summary = [line for line in table.splitlines() if line.startswith("| tiny |")
               and line.endswith("| incomplete |")]
    assert len(summary) == 1


def test_rerun_reuses_the_cache(smoke_run):
    module, _, argv, results = smoke_run
    again = module.main([*argv, "--cached-only"])
    assert again == results


def test_parse_config_makes_tuples(benchmark_script):
    module = benchmark_script("real_data")
    name, params = module.parse_config(TINY)
    assert name == "tiny"
    assert params == {"hidden_layer_sizes": (2,), "topology": "fcc"}
