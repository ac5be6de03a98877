"""Golden tests of the named analyses on small fixture landscapes, and the API contract around them.

Each ``tests/data/queries/<name>/`` holds ``data.trig`` (one source folder's assertions), ``case.json`` (the
parameters and date) and ``expected.json``: the whole result (parameters, date, columns and, for each row, every key
the analysis returns: its columns, ``*_label`` keys, ``explanation`` and ``sources``, the sources sorted by
statement, source, graph and locator). A missing or different expected file fails; write one on purpose with
``pytest tests/test_analyses.py --update-golden`` (or ``ALIGNKB_UPDATE_GOLDEN=1``) and review the diff.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from kb.analyses import AnalysisResult, ParameterError, UnknownAnalysis, analyses, run
from kb.cli import main
from kb.store import OxigraphStore

from .conftest import GOLDEN, ROOT, GoldenHome, golden_case, golden_names

NAMES = golden_names()
SOURCE_KEYS = ("statement", "source", "graph", "locator", "quote", "confidence", "title")


def source_key(source: dict[str, Any]) -> tuple[str, ...]:
    """The order of sources in an expected file: by statement, source, graph, locator (then the rest)."""
    return (*(str(source.get(k) or "") for k in SOURCE_KEYS), json.dumps(source, sort_keys=True))


def golden_text(result: AnalysisResult) -> str:
    """The expected-file text of a result: its JSON with each row's sources sorted by :func:`source_key`."""
    data = result.to_json()
    data["rows"] = [
        {**row, "sources": sorted(row["sources"], key=source_key)} if "sources" in row else row for row in data["rows"]
    ]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture(scope="session")
def fixture_home(golden_home: GoldenHome) -> GoldenHome:
    """The former name of ``golden_home`` (tests/conftest.py), kept for the modules that import it from here."""
    return golden_home


def test_every_analysis_of_the_product_brief_is_defined_once() -> None:
    wanted = {
        "obligations",
        "overlaps",
        "duplicate-reporting",
        "gaps",
        "burden",
        "landscape-at",
        "changes",
        "impact",
        "conflicts",
        "evidence",
        "delegation",
        "crosswalk",
    }
    assert wanted <= set(analyses())
    assert set(NAMES) == set(analyses()), "every analysis has a golden test folder"
    for a in analyses().values():
        assert a.title and a.question and a.rule and a.columns, a.name


def test_parameters_match_the_product_brief() -> None:
    sig = {n: [(p.name, p.optional) for p in a.params] for n, a in analyses().items()}
    assert sig["obligations"] == [("area", False), ("service", False)]
    assert sig["overlaps"] == [("by", True), ("min", True), ("same-line", True)]  # same-line: issue 16
    assert sig["duplicate-reporting"] == [("area", True), ("body", True)]  # body: issue 16
    assert sig["gaps"] == [("kind", True)]
    assert sig["burden"] == [("area", True), ("body", True)]
    assert sig["landscape-at"] == [("date", False)]
    assert sig["changes"] == [("from", False), ("to", False)]
    assert sig["impact"] == [("provision", False)]
    assert sig["conflicts"] == []
    assert sig["evidence"] == [("entity", False)]
    assert sig["delegation"] == [("area", True), ("service", True)]
    assert sig["crosswalk"] == [("from", False), ("to", False)]


def test_golden_folders_hold_a_case_and_no_stale_expected_csv() -> None:
    for name in NAMES:
        folder = GOLDEN / name
        assert (folder / "case.json").is_file(), f"{folder} has no case.json"
        assert not (folder / "expected.csv").exists(), f"{folder}/expected.csv is no longer read: remove it"


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, golden_home: GoldenHome, update_golden: bool) -> None:
    store = OxigraphStore.from_dist(golden_home(name).dist)
    params, as_at = golden_case(name)
    result = run(store, name, params, as_at)
    columns = list(analyses()[name].columns)
    assert result.analysis == name and result.columns == columns
    for row in result.rows:
        assert set(columns) <= set(row), f"{name}: a row lacks declared columns {set(columns) - set(row)}"
        assert isinstance(row.get("explanation", []), list) and isinstance(row.get("sources", []), list)
    text = golden_text(result)
    path = GOLDEN / name / "expected.json"
    shown = path.relative_to(ROOT)
    if update_golden and (not path.exists() or path.read_text() != text):
        path.write_text(text)
        pytest.skip(f"updated {shown}: review its diff before committing")
    if not path.exists():
        pytest.fail(
            f"{shown} is missing. Write it on purpose with `pytest tests/test_analyses.py --update-golden` "
            "(or ALIGNKB_UPDATE_GOLDEN=1), then check every row in it by hand",
            pytrace=False,
        )
    expected = path.read_text()
    diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(shown), "actual", n=4))
    assert text == expected, f"{name} differs from {shown} (rewrite with --update-golden if intended):\n{diff}"


@pytest.fixture
def store(golden_home: GoldenHome) -> OxigraphStore:
    return OxigraphStore.from_dist(golden_home("obligations").dist)


def test_obligations_explain_the_chain_with_sources(store: OxigraphStore) -> None:
    result = run(store, "obligations", {"area": "Alphashire", "service": "health visiting"}, date(2024, 6, 1))
    rows = {r["requirement"].rsplit("/", 1)[-1]: r for r in result.rows}
    sp = rows["req-sp"]
    text = " | ".join(sp["explanation"])
    assert "children's health services" in text and "delegated" in text and "Alphashire IJB" in text
    assert "Example Joint Working Act 2014, s.29" in text
    assert "kb:" not in text and "ak:" not in text  # reasons name things as people do; identifiers are in sources
    assert any(s["locator"] == "Appendix 3, 2022" and s["confidence"] == "Confirmed" for s in sp["sources"])
    csp = rows["req-csp"]
    assert csp["jointly"] == "yes" and csp["preparers"] == ["Alphashire Council", "NHS Example"]
    assert any(s["quote"] == "A plan must be prepared." for s in csp["sources"])


def test_obligations_leave_out_integration_plans_where_not_delegated(store: OxigraphStore) -> None:
    before = run(
        store, "obligations", {"area": "Alphashire", "service": "child protection social work"}, date(2023, 1, 1)
    )
    assert {r["requirement_label"] for r in before.rows} == {"Children's plan", "Children's plan annual report"}
    after = run(
        store, "obligations", {"area": "Alphashire", "service": "child protection social work"}, date(2024, 6, 1)
    )
    assert "Strategic plan" in {r["requirement_label"] for r in after.rows}


def test_as_at_decides_what_applies(store: OxigraphStore) -> None:
    old = run(store, "obligations", {"area": "Alphashire", "service": "children's social work"}, date(2019, 1, 1))
    assert "Old annual return" in {r["requirement_label"] for r in old.rows}
    later = run(store, "obligations", {"area": "Alphashire", "service": "children's social work"}, date(2022, 6, 1))
    assert "Old annual return" not in {r["requirement_label"] for r in later.rows}
    future = run(store, "obligations", {"area": "Alphashire", "service": "children's social work"}, date(2028, 1, 1))
    labels = {r["requirement_label"] for r in future.rows}
    assert "Children's plan (2026 rule)" in labels and "Children's plan" not in labels


def test_a_provision_not_commenced_is_prospective_until_seen_and_not_known_after(store: OxigraphStore) -> None:
    """Part 4 was seen not commenced as at 2025-01-01: prospective up to then, not known after (never 'never')."""
    for year, provision, requirement in (
        (2014, "prospective", "does not apply"),
        (2020, "prospective", "does not apply"),
        (2030, "not known", "not known whether it applies"),
    ):
        result = run(store, "landscape-at", {"date": f"{year}-06-01"})
        status = {r["entity"].rsplit("/", 1)[-1]: r["status"] for r in result.rows}
        assert status["act-a-s20"] == provision and status["act-a-part-4"] == provision, year
        assert status["req-named-guardian"] == requirement, year


def test_commencement_comes_from_the_instrument_and_partial_commencement_applies_no_duty(
    store: OxigraphStore,
) -> None:
    rows = {r["entity"].rsplit("/", 1)[-1]: r for r in run(store, "landscape-at", {"date": "2014-05-30"}).rows}
    assert rows["act-a-s8"]["status"] == "partly in force"
    assert "for the purpose of making orders" in rows["act-a-s8"]["reason"]
    assert rows["req-csp"]["status"] == "does not apply"
    assert rows["act-a"]["status"] == "partly in force"
    after = {r["entity"].rsplit("/", 1)[-1]: r for r in run(store, "landscape-at", {"date": "2014-06-01"}).rows}
    assert after["act-a-s8"]["status"] == "in force"
    assert "SSI 2014/990 art. 2(a)" in after["act-a-s8"]["reason"]
    assert after["req-csp"]["status"] == "applies"


def test_law_appears_once_enacted_and_royal_assent_is_not_commencement(store: OxigraphStore) -> None:
    before = {r["entity"].rsplit("/", 1)[-1] for r in run(store, "landscape-at", {"date": "2014-03-01"}).rows}
    assert "act-a" not in before and "act-c" not in before and "act-d" not in before
    enacted = {r["entity"].rsplit("/", 1)[-1]: r for r in run(store, "landscape-at", {"date": "2014-04-15"}).rows}
    assert enacted["act-b"]["status"] == "not yet in force"  # enacted 2014-04-01; commenced from 2015
    assert enacted["act-a-s8"]["status"] == "not yet in force"
    assert enacted["req-csp"]["status"] == "does not apply"


def test_a_commencement_not_recorded_is_said_out_loud(store: OxigraphStore) -> None:
    result = run(store, "landscape-at", {"date": "2024-06-01"})
    rows = {r["entity"].rsplit("/", 1)[-1]: r for r in result.rows}
    assert rows["act-d-s3"]["status"] == "not known"
    assert "not recorded" in rows["act-d-s3"]["reason"]
    assert rows["req-records-return"]["status"] == "not known whether it applies"
    burden = run(store, "burden", {}, date(2024, 6, 1))
    assert any("Records return" in note and "Not known" in note for note in burden.notes)


def test_changes_reports_commencements_partial_ones_and_repeals_with_their_instruments(
    store: OxigraphStore,
) -> None:
    rows = run(store, "changes", {"from": "2014-01-01", "to": "2023-01-01"}).rows
    seen = {(r["entity"].rsplit("/", 1)[-1], r["change"]) for r in rows}
    assert ("act-a-s8", "came partly into force") in seen
    assert ("act-a-part-3", "came into force") in seen
    assert ("act-a", "enacted") in seen
    assert ("act-a-s30", "repealed") in seen
    assert ("req-old-return", "stopped applying") in seen
    repeal = next(r for r in rows if r["entity"].endswith("act-a-s30") and r["change"] == "repealed")
    assert "Example Records Act 2019, s.9" in repeal["detail"]


def test_delegation_takes_the_latest_arrangement_and_keeps_conflicts(store: OxigraphStore) -> None:
    result = run(store, "delegation", {"area": "Alphashire"}, date(2023, 1, 1))
    sw = next(r for r in result.rows if r["category_label"] == "children's social work")
    assert sw["status"] == "not delegated"
    result = run(store, "delegation", {"area": "Betashire"}, date(2024, 1, 1))
    recorded = [r for r in result.rows if r["status"] != "no arrangement recorded"]
    assert recorded and all(r["conflict"] == "yes" for r in recorded)


def test_delegation_answers_every_category_and_says_why_when_nothing_is_recorded(store: OxigraphStore) -> None:
    rows = run(store, "delegation", {"area": "Betashire"}, date(2024, 1, 1)).rows
    categories = {r["category"] for r in run(store, "delegation", {"area": "Alphashire"}, date(2024, 1, 1)).rows}
    assert {r["category"] for r in rows} == categories
    empty = [r for r in rows if r["status"] == "no arrangement recorded"]
    assert empty and all("no source consulted says" in r["explanation"][0] for r in empty)


def test_as_at_is_reported_and_defaults_to_today(store: OxigraphStore) -> None:
    result = run(store, "conflicts", {})
    assert result.to_json()["as_at"] == date.today().isoformat()
    result = run(store, "conflicts", {"as-at": "2020-01-01"})
    assert result.as_at == date(2020, 1, 1)


def test_unknown_analysis_suggests_names(store: OxigraphStore) -> None:
    with pytest.raises(UnknownAnalysis) as err:
        run(store, "obligation", {})
    assert "obligations" in err.value.suggestions


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"area": "Gammashire", "service": "health visiting"}, "area"),
        ({"area": "Alphashire"}, "service"),
        ({"area": "Alphashire", "service": "health visiting", "colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_raise_parameter_error(store: OxigraphStore, params: dict[str, str], param: str) -> None:
    with pytest.raises(ParameterError) as err:
        run(store, "obligations", params)
    assert err.value.param == param


def test_bad_date_and_choice_list_what_is_allowed(store: OxigraphStore) -> None:
    with pytest.raises(ParameterError) as err:
        run(store, "landscape-at", {"date": "yesterday-ish"})
    assert err.value.suggestions
    with pytest.raises(ParameterError) as err:
        run(store, "gaps", {"kind": "outcome-no-indicatr"})
    assert "outcome-no-indicator" in err.value.suggestions


def test_cli_query_json_csv_table_and_errors(golden_home: GoldenHome, runner: CliRunner) -> None:
    home = golden_home("obligations")
    base = ["--home", str(home.root), "--dist", str(home.dist), "query"]
    out = runner.invoke(
        main,
        [
            *base,
            "obligations",
            "--area",
            "Alphashire",
            "--service",
            "health visiting",
            "--as-at",
            "2024-06-01",
            "--format",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["analysis"] == "obligations" and data["as_at"] == "2024-06-01"
    assert data["rows"][0]["explanation"] and "sources" in data["rows"][0]
    out = runner.invoke(main, [*base, "gaps", "--kind", "unknown-aspects", "--format", "csv"])
    assert out.exit_code == 0 and out.output.startswith("kind,kind_label,finding,subject,subject_label,rule,missing")
    out = runner.invoke(main, [*base, "delegation", "--area", "Betashire"])
    assert out.exit_code == 0 and "kb:" not in out.output.splitlines()[0] and "conflict" in out.output
    assert "no arrangement recorded" in out.output
    out = runner.invoke(main, [*base, "obligations", "--area", "Alphashir", "--service", "health visiting"])
    assert out.exit_code == 2 and "Alphashire" in out.output
    out = runner.invoke(main, [*base, "obligatons"])
    assert out.exit_code == 2 and "obligations" in out.output
    out = runner.invoke(main, [*base, "landscape-at", "--date", "01/02/2020"])  # day first, as people write it
    assert out.exit_code == 0, out.output
    out = runner.invoke(main, [*base, "landscape-at", "--date", "31/02/2020"])
    assert out.exit_code == 2 and "is not a date" in out.output and "2024-04-01" in out.output
    out = runner.invoke(main, [*base, "--help"])
    assert "crosswalk" in out.output
    out = runner.invoke(main, [*base, "obligations", "--help"])
    assert "--area" in out.output and "--as-at" in out.output and "Rule:" in out.output


def test_result_json_shape() -> None:
    result = AnalysisResult("x", {"a": "b"}, ["c"], [{"c": 1}], date(2024, 1, 1))
    assert result.to_json() == {
        "analysis": "x",
        "params": {"a": "b"},
        "as_at": "2024-01-01",
        "columns": ["c"],
        "rows": [{"c": 1}],
    }


def test_every_analysis_says_in_words_how_it_is_worked_out() -> None:
    """Issue 17: a plain-language 'how this is worked out' for people, the formal rule kept for a disclosure."""
    for a in analyses().values():
        assert len(a.how) > 60, a.name
        assert not re.search(r"\b(ak|kb|skos|rdf|rdfs):|--[a-z]", a.how), (a.name, a.how)
