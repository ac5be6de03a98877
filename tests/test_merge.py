"""The ``merge`` analysis: what combining two plan or report requirements would remove, what they share, which
provisions would need amending and what blocks a simple merge — on the real knowledge base (competency questions of
issue 16 item 7) and on the golden fixture (tests/data/queries/merge/data.trig)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from kb.analyses import ParameterError, run
from kb.model.paths import Home
from kb.store import OxigraphStore

from .conftest import GoldenHome

# The competency questions' date (tests/test_competency.py): every provision these requirements rest on has a
# recorded commencement by then.
D = date(2026, 5, 1)
CSP_REPORT = "children's services plan annual report"  # kb:req-childrens-services-plan-annual-report
LCPAR = "local child poverty action report"  # kb:req-lcpar
APR = "IJB annual performance report"  # kb:req-annual-performance-report


def rows_of(result: Any, aspect: str) -> list[dict[str, Any]]:
    return [r for r in result.rows if r["aspect"] == aspect]


def one(result: Any, aspect: str, item: str) -> dict[str, Any]:
    found = [r for r in result.rows if r["aspect"] == aspect and r["item"] == item]
    assert len(found) == 1, (aspect, item, [(r["aspect"], r["item"]) for r in result.rows])
    return found[0]


@pytest.fixture(scope="module")
def fixture_store(golden_home: GoldenHome) -> OxigraphStore:
    return OxigraphStore.from_dist(golden_home("merge").dist)


# --- the real knowledge base ---------------------------------------------------------------------------------------


def test_merging_the_csp_annual_report_with_the_lcpar(kb_store: OxigraphStore) -> None:
    """Both are annual reports prepared jointly by each local authority and health board, under two Acts: merging
    them halves the reports those bodies make; one measure (child poverty) is in common; no outcome, population or
    consultee is recorded in common;
    three provisions would need amending; only the recipients differ (Scottish Ministers against none recorded)."""
    result = run(kb_store, "merge", {"first": CSP_REPORT, "second": LCPAR}, D)
    assert result.params["first"].endswith("/req-childrens-services-plan-annual-report")
    assert result.params["second"].endswith("/req-lcpar")
    assert result.notes == []  # both apply on the date
    for body_type in ("local authority", "health board"):
        events = one(result, "reporting events", body_type)
        assert (events["effect"], events["now"], events["after"]) == ("duplication removed", "2 a year", "1 a year")
        assert events["sources"]
    assert [r["item"] for r in rows_of(result, "reporting events")] == ["health board", "local authority"]
    # The CWI "Child poverty" indicator (relative poverty after housing costs) is nearly the statutory relative
    # poverty measure the LCPAR must address (curators' judgement), so that one measure would be reported once.
    measures = rows_of(result, "measures")
    assert [r["effect"] for r in measures] == ["duplication removed"]
    assert "Child poverty" in measures[0]["item"] and "Relative poverty" in measures[0]["item"]
    assert "curators' judgement" in " ".join(measures[0]["explanation"])
    consult = one(result, "consultation", "no consultee both require")
    assert consult["effect"] == "nothing shared" and consult["now"].count("none recorded") == 2
    assert one(result, "population groups", "no population groups in common")["effect"] == "nothing shared"
    amend = {r["item"]: r for r in rows_of(result, "legal basis")}
    assert {r["effect"] for r in amend.values()} == {"needs amending"}
    assert {r["legislation"] for r in amend.values()} == {
        "https://www.legislation.gov.uk/id/asp/2014/8/section/13",
        "https://www.legislation.gov.uk/id/asp/2014/8/section/7/6",
        "https://www.legislation.gov.uk/id/asp/2017/6/section/13",
    }
    for row in amend.values():
        assert any("legislation.gov.uk: https://www.legislation.gov.uk/id/" in e for e in row["explanation"])
        assert any(e.startswith("On 2026-05-01: in force") for e in row["explanation"])
    differences = {r["item"]: r["effect"] for r in rows_of(result, "difference")}
    assert differences == {
        "plan or report": "no obstacle",
        "preparers": "no obstacle",
        "cycles": "no obstacle",
        "recipients": "blocks a simple merge",
        "statutory or not": "no obstacle",
        "due dates": "differs",
    }
    assert "Scottish Ministers" in one(result, "difference", "recipients")["now"]


def test_merging_the_ijb_annual_performance_report_with_the_csp_annual_report(kb_store: OxigraphStore) -> None:
    """Different preparers (the integration authority against the council and health board jointly) and different
    recipients block a simple merge; no body makes both, so no reporting event goes; whom the performance report
    must consult is not recorded, so shared consultation is 'not known'."""
    result = run(kb_store, "merge", {"first": APR, "second": CSP_REPORT, "area": "Inverclyde"}, D)
    assert result.notes == []
    events = {r["item"]: r for r in rows_of(result, "reporting events")}
    assert set(events) == {
        "health board",
        "integration authority",
        "local authority",
        "Inverclyde Council",
        "Inverclyde Integration Joint Board",
        "NHS Greater Glasgow and Clyde",
    }
    assert {(r["effect"], r["now"], r["after"]) for r in events.values()} == {("no change", "1 a year", "1 a year")}
    assert events["Inverclyde Council"]["level"] == "body" and events["local authority"]["level"] == "body type"
    differences = {r["item"]: r["effect"] for r in rows_of(result, "difference")}
    assert differences["preparers"] == "blocks a simple merge"
    assert differences["recipients"] == "blocks a simple merge"
    assert differences["cycles"] == "no obstacle" and differences["statutory or not"] == "no obstacle"
    assert one(result, "consultation", "no consultee both require")["effect"] == "not known"
    assert rows_of(result, "measures")[0]["effect"] == "nothing shared"
    assert rows_of(result, "outcomes")[0]["effect"] == "nothing shared"
    provisions = {r["legislation"] for r in rows_of(result, "legal basis")}
    assert {
        "https://www.legislation.gov.uk/id/asp/2014/9/section/42",
        "https://www.legislation.gov.uk/id/ssi/2014/326/regulation/3",
        "https://www.legislation.gov.uk/id/ssi/2014/326/regulation/4",
        "https://www.legislation.gov.uk/id/asp/2014/8/section/13",
    } <= provisions


def test_merging_the_lcpar_with_the_ministers_progress_report_removes_the_four_statutory_measures(
    kb_store: OxigraphStore,
) -> None:
    """The local report must address the four statutory child poverty measures that the Ministers' progress report
    reports: each is a duplicated measure. The preparers differ, so no reporting event goes."""
    result = run(kb_store, "merge", {"first": "LCPAR", "second": "child poverty progress report"}, D)
    measures = rows_of(result, "measures")
    assert {r["effect"] for r in measures} == {"duplication removed"}
    assert len(measures) == 4 and all("child poverty measure" in r["item"] for r in measures)
    for row in measures:
        assert any("must address Child poverty measures" in e for e in row["explanation"])
        assert {s["statement"].split()[1] for s in row["sources"]} >= {"ak:mustAddress", "ak:reportsIndicator"}
    groups = {r["item"] for r in rows_of(result, "population groups") if r["effect"] == "in common"}
    assert groups == {"children in poverty", "families with children"}
    assert one(result, "difference", "preparers")["effect"] == "blocks a simple merge"


def test_names_are_resolved_as_people_type_them_and_an_unknown_one_lists_near_matches(
    kb_store: OxigraphStore,
) -> None:
    result = run(kb_store, "merge", {"first": "CSP annual report", "second": "LCPAR"}, D)
    assert result.params["first"].endswith("/req-childrens-services-plan-annual-report")
    with pytest.raises(ParameterError) as err:
        run(kb_store, "merge", {"first": "LCPARx", "second": CSP_REPORT}, D)
    assert err.value.param == "first" and any("Local child poverty action report" in s for s in err.value.suggestions)


def test_people_see_words_not_machinery(kb_store: OxigraphStore) -> None:
    result = run(kb_store, "merge", {"first": APR, "second": CSP_REPORT, "area": "Inverclyde"}, D)
    curie = re.compile(r"\b(kb|ak|src|skos|rdf|rdfs|prov):[A-Za-z]")
    for row in result.rows:
        assert row["explanation"] and isinstance(row["sources"], list)
        for text in [row["item"], row["now"], row["after"], *row["explanation"], *result.notes]:
            assert not curie.search(text) and "w3id.org" not in text, text
    assert list(result.columns) == ["aspect", "effect", "item", "now", "after"]


# --- the golden fixture -------------------------------------------------------------------------------------------


def test_measures_under_other_names_say_which_correspondence_and_who_says_so(fixture_store: OxigraphStore) -> None:
    result = run(
        fixture_store,
        "merge",
        {"first": "Children's plan annual report", "second": "Records return", "area": "Alphashire"},
        date(2024, 6, 1),
    )
    measures = {r["item"]: r for r in rows_of(result, "measures")}
    assert set(measures) == {
        "Child poverty rate",
        "Child protection registrations = Children on the child protection register",
        "Children in material deprivation = Material deprivation of children",
    }
    exact = " ".join(measures["Children in material deprivation = Material deprivation of children"]["explanation"])
    assert "an exact match" in exact and "stated by the source" in exact
    close = " ".join(
        measures["Child protection registrations = Children on the child protection register"]["explanation"]
    )
    assert "a close match" in close and "the curators' judgement" in close
    assert any(
        s["confidence"] == "Secondary"
        for s in measures["Child protection registrations = Children on the child protection register"]["sources"]
    )
    # the records return's legal basis has no recorded commencement: said in a note, the comparison still shown
    assert len(result.notes) == 1 and "not known whether Records return applies on 2024-06-01" in result.notes[0]
    council = one(result, "reporting events", "Alphashire Council")
    assert (council["now"], council["after"], council["effect"]) == ("2 a year", "1 a year", "duplication removed")
    assert one(result, "reporting events", "NHS Example")["effect"] == "no change"
    assert one(result, "consultation", "third sector organisation")["effect"] == "duplication removed"
    assert {r["item"] for r in rows_of(result, "outcomes")} == {
        "Healthy = People are able to look after their own health",
        "Safe",
    }
    assert one(result, "services", "children's health services")["effect"] == "in common"
    assert one(result, "recipients", "Scottish Ministers")["effect"] == "duplication removed"


def test_a_non_statutory_report_needs_its_document_revised_and_blocks_a_simple_merge(
    fixture_store: OxigraphStore,
) -> None:
    result = run(
        fixture_store,
        "merge",
        {
            "first": "Children's plan annual report",
            "second": "Protection committee annual report",
            "area": "Alphashire",
        },
        date(2024, 6, 1),
    )
    assert result.notes == []
    doc = one(result, "basis document", "Example protection guidance")
    assert doc["effect"] == "needs revising" and doc["sources"]
    assert "not statutory" in doc["explanation"][0]
    statutory = one(result, "difference", "statutory or not")
    assert statutory["effect"] == "blocks a simple merge"
    assert "statutory" in statutory["now"] and "not statutory" in statutory["now"]
    assert one(result, "difference", "recipients")["effect"] == "not known"  # ak:unknownAspect "recipient"
    unnamed = one(result, "reporting events", "the child protection committee for Alphashire (not recorded by name)")
    assert unnamed["effect"] == "no change"
    shared = one(result, "measures", "Child protection registrations = Children on the child protection register")
    assert shared["effect"] == "duplication removed"


def test_a_requirement_that_no_longer_applies_is_said_in_a_note_and_still_compared(
    fixture_store: OxigraphStore,
) -> None:
    result = run(fixture_store, "merge", {"first": "Old annual return", "second": "Records return"}, date(2024, 6, 1))
    assert any(n.startswith("Old annual return does not apply on 2024-06-01") for n in result.notes)
    assert any("not known whether Records return applies" in n for n in result.notes)
    assert one(result, "measures", "Child poverty rate")["effect"] == "duplication removed"


def test_the_same_requirement_twice_is_nothing_to_merge(fixture_store: OxigraphStore) -> None:
    result = run(fixture_store, "merge", {"first": "Records return", "second": "records return"}, date(2024, 6, 1))
    assert result.rows == [] and "nothing to merge" in result.notes[0]


def test_the_cli_takes_the_two_requirements_together(runner: CliRunner, built_home: Home) -> None:
    """Issue 16 names the command `alignkb query merge --requirements X Y`."""
    from kb.cli import main

    home = ["--home", str(built_home.root), "--dist", str(built_home.dist)]
    args = ["query", "merge", "--requirements", "LCPAR", "CSP annual report", "--format", "json"]
    out = runner.invoke(main, [*home, *args])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["params"]["first"].endswith("/req-lcpar")
    assert data["params"]["second"].endswith("/req-childrens-services-plan-annual-report")
    bad = runner.invoke(main, [*home, "query", "merge", "--requirements", "LCPAR"])
    assert bad.exit_code == 2
