"""benchmarks/paper.py and benchmarks/batched_trials.py --smoke run end to end and write
complete, consistent tables."""

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "benchmarks" / "paper.py"


def table_rows(text):
    """The cells of a markdown table's body rows."""
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| data")
            and not line.startswith("| problem")]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("paper")
    # a subprocess, as a user runs it; one job, as starting worker processes costs
    # more than the smoke run's trials
    proc = subprocess.run(
        [sys.executable, str(PAPER), "--smoke", "--n-jobs", "1", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_table_has_a_row_per_setting_and_method(smoke_run, benchmark_script):
    out, stdout = smoke_run
    # the settings and methods the table must cover, read from the script itself
    paper = benchmark_script("paper")
    table = (out / "paper_mean_smoke.md").read_text(encoding="utf-8")
    assert 'net_statistic="mean"' in table
    rows = [line for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| data")]
    assert len(rows) == len(paper.SETTINGS) * len(paper.METHODS)
    cells = {tuple(c.strip() for c in row.strip("|").split("|")) for row in rows}
    for setting in paper.SETTINGS:
        for method in paper.METHODS:
            assert any(c[0] == setting.name and c[1] == f"FCC {setting.hidden}"
                       and c[5] == method for c in cells), (setting.key, method)
    assert table.strip() in stdout  # printed too

    with open(out / "paper_mean_smoke.csv", encoding="utf-8") as f:
        assert len(list(csv.reader(f))) == 1 + len(rows)
    with open(out / "paper_mean_smoke_trials.csv", encoding="utf-8") as f:
        trials = list(csv.DictReader(f))
    assert len(trials) == len(rows) * paper.SMOKE_SEEDS


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_successes_match_the_trials_file(smoke_run, benchmark_script):
    out, _ = smoke_run
    paper = benchmark_script("paper")
    table = (out / "paper_mean_smoke.md").read_text(encoding="utf-8")
    # the LM rows ran as one fit each with n_init, and their checks passed
    assert f"ONE fit with n_init={paper.SMOKE_SEEDS}" in table
    assert "FAILED" not in table
    with open(out / "paper_mean_smoke_trials.csv", encoding="utf-8") as f:
        trials = list(csv.DictReader(f))
    goals = {s.key: s.goal for s in paper.SETTINGS}
    names = {s.key: (s.name, f"FCC {s.hidden}") for s in paper.SETTINGS}
    cells = {(c[0], c[1], c[5]): c for c in table_rows(table)}
    for key in goals:
        for method in paper.METHODS:
            mine = [t for t in trials if t["setting"] == key and t["method"] == method]
            # one record per start, numbered 0, 1, ... (an LM fit's trials, MLP seeds)
            assert sorted(int(t["seed"]) for t in mine) == list(range(paper.SMOKE_SEEDS))
            for t in mine:  # success is the RMSE criterion
                assert (t["success"] == "True") == (float(t["rmse"]) <= goals[key] * (1 + 1e-9))
                assert float(t["seconds"]) > 0 and int(t["n_iter"]) >= 0
                if method in paper.LM_METHODS:
                    assert int(t["n_iter"]) <= paper.SMOKE_LM_ITER
                    assert t["n_compressions"] != ""
            won = sum(t["success"] == "True" for t in mine)
            cell = cells[(*names[key], method)][6]
            assert cell.startswith(f"{won}/{paper.SMOKE_SEEDS} "), (key, method, cell)


def test_lm_row_is_one_fit_whose_trials_agree_with_the_model(benchmark_script):
    paper = benchmark_script("paper")
    setting = next(s for s in paper.SETTINGS if s.key == "parity5-3")
    records, seconds, check = paper.run_lm_row(setting, "LM-WC", 5, "mean", smoke=True)
    assert [r["seed"] for r in records] == list(range(5))
    assert check["n_trials"] == 5
    assert paper.check_lm_row(setting, "LM-WC", check) == []
    # the trials' seconds share the fit's wall time
    assert 0 < sum(r["seconds"] for r in records) <= seconds * 1.01 + 0.01
    assert min(r["rmse"] for r in records) == pytest.approx(check["kept_rmse"], rel=1e-6)
    # trial 0 starts from the seed a lone fit with random_state=0 draws: the same run
    alone = paper.run_trial(setting, "LM-WC", 0, "mean", smoke=True)
    assert records[0]["n_iter"] == alone["n_iter"]
    assert records[0]["rmse"] == pytest.approx(alone["rmse"], rel=1e-6)
    # an inconsistent row is reported
    bad = dict(check, kept_rmse=check["best_rmse"] * 2 + 1, success_vs_converged=1)
    assert len(paper.check_lm_row(setting, "LM-WC", bad)) == 2


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_smoke_chart(smoke_run):
    pytest.importorskip("matplotlib")
    out, _ = smoke_run
    png = out / "paper_mean_smoke.png"
    assert png.stat().st_size > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_wilson_interval(benchmark_script):
    wilson = benchmark_script("paper").wilson
    lo, hi = wilson(0, 100)
    assert lo == 0 and 0.036 < hi < 0.038  # 3.7% upper bound at 0/100
    lo, hi = wilson(50, 100)
    assert abs(lo - 0.4038) < 1e-3 and abs(hi - 0.5962) < 1e-3
    lo, hi = wilson(100, 100)
    assert hi == 1 and 0.962 < lo < 0.964


@pytest.mark.slow  # runs the benchmark script (CI runs the slow tests too)
def test_reuse_methods_takes_those_trials_and_reruns_the_lm_rows(
        smoke_run, benchmark_script, tmp_path):
    out, _ = smoke_run
    paper = benchmark_script("paper")
    reuse = out / "paper_mean_smoke_trials.csv"
    rows = paper.main(["--smoke", "--n-jobs", "1", "--settings", "parity5-3", "--out",
                       str(tmp_path), "--reuse", str(reuse), "--reuse-methods", "MLP adam"])
    assert [r["method"] for r in rows] == paper.METHODS
    old = {(t["method"], t["seed"]): t for t in paper.load_trials(reuse)
           if t["setting"] == "parity5-3"}
    new = paper.load_trials(tmp_path / "paper_mean_smoke_trials.csv")
    assert len(new) == len(paper.METHODS) * paper.SMOKE_SEEDS
    for t in new:
        if t["method"] == "MLP adam":  # taken, seconds and all
            assert t == old[("MLP adam", t["seed"])]
        elif t["method"] in paper.LM_METHODS:  # run again: the same trials, new times
            assert t["n_iter"] == old[(t["method"], t["seed"])]["n_iter"]
    table = (tmp_path / "paper_mean_smoke.md").read_text(encoding="utf-8")
    assert f"the {paper.SMOKE_SEEDS} trials of MLP adam were taken from" in table


def test_batched_trials_problems_are_the_papers_settings(benchmark_script):
    paper = {s.key: s for s in benchmark_script("paper").SETTINGS}
    for problem in benchmark_script("batched_trials").PROBLEMS:
        setting = paper[problem.key]
        assert (problem.name, problem.hidden, problem.goal, problem.max_iter,
                problem.beta) == (setting.name, setting.hidden, setting.goal,
                                  setting.max_iter, setting.beta)
        (X, y), (X0, y0) = problem.data(), setting.data()
        assert (X == X0).all() and (y == y0).all()


def test_batched_trials_smoke(benchmark_script, tmp_path, capsys):
    batched = benchmark_script("batched_trials")
    rows = batched.main(["--smoke", "--out", str(tmp_path)])
    n = batched.SMOKE_TRIALS
    table = (tmp_path / "batched_trials_smoke.md").read_text(encoding="utf-8")
    assert table.strip() in capsys.readouterr().out
    assert f"| problem | N weights | one trial s | {n} trials s (one fit) | ratio |" in table
    cells = table_rows(table)
    assert [c[0] for c in cells] == [f"{p.name}, FCC {p.hidden}" for p in batched.PROBLEMS]
    data = json.loads((tmp_path / "batched_trials_smoke.json").read_text(encoding="utf-8"))
    assert len(data["rows"]) == len(cells) == len(rows)
    for c, r in zip(cells, data["rows"]):
        assert int(c[1]) == r["n_weights"] > 0
        assert float(c[4]) > 0 and math.isclose(r["ratio"], r["batch_s"] / r["one_trial_s"])
        assert len(r["single_times_s"]) == n and r["one_by_one_s"] >= r["one_trial_s"] > 0
        assert r["batch_s"] > 0 and r["speedup"] > 0
        assert len(r["batch_trial_iterations"]) == n
        assert max(r["batch_trial_iterations"]) <= batched.SMOKE_ITER
        assert 0 <= r["batch_successes"] <= n and 0 <= r["one_by_one_successes"] <= n
        assert r["batch_successes"] == r["batch_converged"]  # RMSE <= goal is converged
        assert c[7] == f"{r['batch_successes']}/{n}"


def test_residual_system_smoke(benchmark_script, tmp_path):
    bench = benchmark_script("residual_system")
    out = tmp_path / "residual_system.md"
    lines = bench.main(["--smoke", "--out", str(out)])
    assert out.read_text(encoding="utf-8").splitlines() == lines
    cells = table_rows("\n".join(lines[2:]))
    assert [(int(c[0]), int(c[1])) for c in cells] == list(bench.SMOKE)
    for rows, inputs, weights, penalties, a, b, ratio, error in cells:
        assert int(weights) == int(inputs) * 11 + 21 and int(penalties) == int(inputs) + 2
        assert float(a) > 0 and float(b) > 0 and float(error) < 1e-10 and int(rows) > 0
        assert float(ratio) > 0  # of the unrounded seconds
    # the second smoke shape has more penalties than MAX_GRAMS: the other path ran
    assert int(cells[1][3]) > bench.solve.MAX_GRAMS >= int(cells[0][3])
