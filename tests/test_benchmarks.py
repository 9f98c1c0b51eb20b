"""benchmarks/paper.py --smoke runs end to end and writes a complete table."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "benchmarks" / "paper.py"


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
