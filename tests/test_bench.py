"""``alignkb bench`` at a tiny size: the JSON report has the promised shape (no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from bench.run import synthetic_module
from kb.analyses import analyses
from kb.cli import main


def test_synthetic_generator_scales_with_the_request() -> None:
    synthetic = synthetic_module()
    small = synthetic.count(synthetic.calibrated(5_000))
    large = synthetic.count(synthetic.calibrated(50_000))
    assert 3_000 < small < 8_000 and 35_000 < large < 70_000
    assert set(synthetic.BENCH_PARAMS) == set(analyses())


def test_bench_json_reports_build_and_every_analysis(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["bench", "--triples", "3000", "--repeat", "1", "--rdflib-timeout", "5", "--no-check", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert report["quads"] > 1000
    assert report["build_s"]["without_shacl_hermit"] > 0
    assert set(report["analyses"]) == set(analyses())
    for figures in report["analyses"].values():
        assert figures["cold_ms"] >= 0 and figures["warm_ms"] >= 0 and "rows" in figures
        assert figures["median_ms"] == figures["warm_ms"]  # the older key, kept
        assert "query_rdflib_ms" in figures and "rdflib_over_oxigraph" in figures
    assert report["memory"]["peak_mb_build_and_analyses"] > 0


def test_bench_times_the_checked_build_cold_after_an_addition_and_unchanged(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["bench", "--triples", "3000", "--repeat", "1", "--rdflib-timeout", "0", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    checks = json.loads(result.output[result.output.index("{") :])["build_s"]["with_checks"]
    modes = {stage: checks[stage]["shacl_mode"] for stage in ("cold", "after_addition", "unchanged")}
    assert modes == {"cold": "full", "after_addition": "incremental", "unchanged": "unchanged"}
    assert all(checks[stage]["total_s"] > 0 and checks[stage]["reasoner"] > 0 for stage in modes)
    assert checks["peak_mb"] > 0
    if Path("/proc/self/smaps_rollup").exists():  # the whole build's memory, sampled from /proc (Linux)
        assert checks["peak_pss_mb"] > 50
    # bench/report.py turns the report into docs/performance.md's tables: a row per stage, a cell per column
    report = tmp_path / "3k.json"
    report.write_text(result.output[result.output.index("{") :])
    script = Path(__file__).resolve().parent.parent / "bench" / "report.py"
    tables = subprocess.run([sys.executable, str(script), str(report)], capture_output=True, text=True, check=True)
    checked = tables.stdout.strip().split("\n\n")[-1].splitlines()
    assert len(checked) == 2 + 3 and {line.count("|") for line in checked} == {13}
    assert "| cold | full |" in checked[2] and "| unchanged | unchanged |" in checked[4]
