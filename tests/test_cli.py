"""The alignkb command through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from kb.cli import main
from kb.model.paths import Home

from .conftest import DATA, MakeHome

GOOD = (DATA / "shapes" / "valid-complete.trig").read_text()


def args(home: Home, *rest: str) -> list[str]:
    return ["--home", str(home.root), "--dist", str(home.dist), *rest]


def test_build_then_sparql_json_prints_sparql_results(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    result = runner.invoke(main, args(home, "build", "-q"))
    assert result.exit_code == 0, result.output
    assert "built" in result.output
    result = runner.invoke(main, args(home, "sparql", "SELECT ?plan WHERE { ?plan a ak:Plan }", "--format", "json"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"]["vars"] == ["plan"]
    assert data["results"]["bindings"][0]["plan"]["value"] == "https://w3id.org/alignkb/id/plan-x"


def test_build_says_how_shacl_ran_and_full_validates_everything(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    assert "(SHACL: full)" in runner.invoke(main, args(home, "build", "-q")).output
    assert "(SHACL: unchanged)" in runner.invoke(main, args(home, "build", "-q")).output
    assert "(SHACL: full)" in runner.invoke(main, args(home, "build", "-q", "--full")).output


def test_sparql_csv_and_table_formats(runner: CliRunner, built_home: Home) -> None:
    query = "SELECT ?s WHERE { ?s a ak:Source } ORDER BY ?s LIMIT 3"
    result = runner.invoke(main, args(built_home, "sparql", query, "--format", "csv"))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output.strip())))
    assert len(rows) == 3 and rows[0]["s"].startswith("https://w3id.org/alignkb/source/")
    result = runner.invoke(main, args(built_home, "sparql", query))
    assert "(3 rows)" in result.output


def test_sparql_ask_and_construct(runner: CliRunner, built_home: Home) -> None:
    result = runner.invoke(main, args(built_home, "sparql", "ASK { ?s a ak:Source }", "--format", "json"))
    assert json.loads(result.output)["boolean"] is True
    result = runner.invoke(
        main,
        args(
            built_home,
            "sparql",
            "CONSTRUCT { ?s a ak:Source } WHERE { ?s a ak:Source }",
            "--format",
            "turtle",
        ),
    )
    assert result.exit_code == 0 and "ak:Source" in result.output


def test_malformed_sparql_exits_2_with_the_parsers_message(runner: CliRunner, built_home: Home) -> None:
    result = runner.invoke(main, args(built_home, "sparql", "SELEC ?x WHERE { ?x ?y ?z }", "--format", "json"))
    assert result.exit_code == 2
    assert "error" in result.output and "1:" in result.output


def test_stats_reports_classes_sources_locator_share_and_unconfirmed(runner: CliRunner, built_home: Home) -> None:
    result = runner.invoke(main, args(built_home, "stats", "--format", "json"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["locator_share"] == 1.0
    assert data["classes"] and data["sources"]
    assert "unconfirmed" in data
    text = runner.invoke(main, args(built_home, "stats")).output
    assert "assertions with a locator" in text and "100.0%" in text


def test_validate_reports_problems_and_exits_1(runner: CliRunner, make_home: MakeHome) -> None:
    text = (DATA / "shapes" / "missing-locator.trig").read_text()
    home = make_home({"missing-locator": {"data.trig": text}})
    result = runner.invoke(main, args(home, "validate", "--no-reason"))
    assert result.exit_code == 1
    assert "AssertionLocatorShape" in result.output
    assert not home.dist.exists()


def test_validate_clean_home_exits_0(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    result = runner.invoke(main, args(home, "validate"))
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_build_failure_exits_1_and_says_dist_is_unchanged(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"broken": {"data.trig": '@prefix ex: <http://ex/> .\nex:g { ex:a ex:b "open }\n'}})
    result = runner.invoke(main, args(home, "build"))
    assert result.exit_code == 1
    assert "sources/broken/data.trig:2" in result.output
    assert "dist/ left unchanged" in result.output
