"""benchmarks/wide_data.py --quick runs end to end, caches its rows (per --lmwc-params for
the LMWC ones) and writes tables consistent with the rows it returns."""

import json
import math

import numpy as np
import pytest

from conftest import table_cells

# scikit-learn's generators and digits: no download, no optional extra
SETS = ["friedman10", "friedman50", "class50", "digits"]
REGRESSION = ["lmwc", "lmwc-ard", "lmwc-warmup-ard", "mlp", "hgb", "rf", "l1", "gp-ard"]
CLASSIFICATION = ["lmwc", "lmwc-ard", "lmwc-warmup-ard", "mlp", "hgb", "rf", "l1"]
MODELS = {"friedman10": REGRESSION, "friedman50": REGRESSION,
          "class50": CLASSIFICATION, "digits": CLASSIFICATION}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, benchmark_script):
    out = tmp_path_factory.mktemp("wide_data")
    module = benchmark_script("wide_data")
    argv = ["--quick", "--sets", ",".join(SETS), "--out", str(out)]
    results = module.main(argv)
    table = (out / "wide_data_smoke.md").read_text(encoding="utf-8")
    return module, out, argv, results, table


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_quick_rows_are_finite(quick_run):
    module, _, _, results, _ = quick_run
    assert set(results) == {(s, m) for s, models in MODELS.items() for m in models}
    for (name, model), row in results.items():
        assert all(math.isfinite(row[k]) for k in ("score", "fit_s"))
        assert (row["log_loss"] is None) == (name.startswith("friedman"))
        assert row["n_features"] == module.load_set(
            next(s for s in module.SETS if s.name == name), True)[0].shape[1]
        # relevance ranks of the informative inputs: on the synthetic sets, for the
        # models that rank their inputs
        ranks = row["informative_ranks"]
        if model in ("lmwc-ard", "lmwc-warmup-ard", "rf", "l1", "gp-ard") \
                and name != "digits":
            assert len(ranks) == module.N_INFORMATIVE
            assert all(1 <= r <= row["n_features"] for r in ranks)
        else:
            assert ranks is None
        if model.startswith("lmwc"):
            assert row["n_iter"] >= 1 and row["gamma"] > 0
    # the probe counts both of its fits: at least the warm-up's 15 iterations
    assert all(results[s, "lmwc-warmup-ard"]["n_iter"] > module.WARMUP_ITER for s in SETS)


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_quick_tables(quick_run):
    _, _, _, results, table = quick_run
    assert "SMOKE RUN" in table
    for (name, model), row in results.items():
        shown = table_cells(table, model, after=f"### {name}")
        assert shown[1] == f"{row['score']:.3f}"
        ratio = row["fit_s"] / results[name, "mlp"]["fit_s"]
        column = 4 if name in ("class50", "digits") else 3  # after the log-loss
        assert float(shown[column]) == pytest.approx(ratio, abs=5e-3)
        scores = table_cells(table, name, after="## Test scores (R² / accuracy)")
        header = table_cells(table, "set", after="## Test scores (R² / accuracy)")
        assert scores[header.index(model)] == f"{row['score']:.3f}"
    for model in ("lmwc", "lmwc-ard", "lmwc-warmup-ard"):
        row = table_cells(table, model, after="## Targets (issue 27)")
        assert row[1] == "—"  # no friedman250 in the quick run
        beat = sum(results[s, model]["score"] >= results[s, "hgb"]["score"] for s in SETS)
        assert row[2] == f"{beat} of {len(SETS)}"


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_rerun_reuses_the_cache_and_lmwc_params_have_their_own_rows(quick_run):
    module, out, argv, results, _ = quick_run
    assert module.main([*argv, "--cached-only"]) == results
    # LMWC rows of other parameters: fitted beside the defaults', not over them
    variant = module.main([*argv, "--sets", "friedman10", "--models", "lmwc",
                           "--lmwc-params", '{"n_init": 1}', "--tag", "one"])
    assert variant["friedman10", "mlp"] == results["friedman10", "mlp"]  # from the cache
    assert ("friedman10", "lmwc-ard") not in variant  # not fitted with these parameters
    assert (out / "wide_data_smoke_one.md").exists()
    cache = json.loads((out / "wide_data_smoke.json").read_text(encoding="utf-8"))
    assert cache['friedman10/lmwc/{"n_init": 1}']["key"]["params"]["lmwcregressor__n_init"] \
        == "1"
    assert cache["friedman10/lmwc"]["result"] == results["friedman10", "lmwc"]


def test_informative_ranks(benchmark_script):
    module = benchmark_script("wide_data")
    scores = np.array([5.0, 0.1, 4.0, 3.0, 2.0, 1.0, 0.0, 6.0])
    assert module.informative_ranks(scores) == [2, 3, 4, 5, 7]
    # ties share the last of their ranks: equal relevances rank no input first
    assert module.informative_ranks(np.ones(8)) == [8] * 5
    assert module.informative_ranks([3.0, 3.0, 1.0, 1.0, 0.0, 5.0]) == [3, 3, 5, 5, 6]


def test_warmup_then_ard_counts_both_fits(benchmark_script):
    module = benchmark_script("wide_data")
    from sklearn_lmwc import LMWCRegressor
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=60)
    probe = module.WarmupThenARD(LMWCRegressor(hidden_layer_sizes=(3,), max_iter=10,
                                               random_state=0)).fit(X, y)
    assert probe.warmup_n_iter_ <= module.WARMUP_ITER
    assert probe.n_iter_ == probe.warmup_n_iter_ + probe.estimator_.n_iter_
    assert probe.estimator_.weight_groups == "ard" and probe.estimator_.alpha == "bayes"
    assert probe.input_relevance_.shape == (4,)  # the fitted estimator's, forwarded
    assert probe.predict(X).shape == (60,)
    assert not hasattr(probe, "predict_proba")


def test_unknown_names_are_usage_errors(benchmark_script):
    module = benchmark_script("wide_data")
    for argv in (["--sets", "nope"], ["--models", "nope"], ["--lmwc-params", "[1]"]):
        with pytest.raises(SystemExit):
            module.parse_args(argv)
