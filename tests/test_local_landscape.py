"""The local landscape (issue 4) on the real knowledge base: areas, bodies, dated delegation, conflicts."""

from __future__ import annotations

from datetime import date

import pytest

from kb.analyses import run
from kb.store import OxigraphStore

D = date(2026, 5, 1)  # after the 2026 Act received Royal Assent; see tests/test_competency.py


@pytest.fixture(scope="module")
def store(kb_store: OxigraphStore) -> OxigraphStore:
    return kb_store


def delegation_status(store: OxigraphStore, area: str, service: str, on: date) -> str:
    rows = run(store, "delegation", {"area": area, "service": service}, as_at=on).rows
    assert len(rows) == 1, rows
    return str(rows[0]["status"])


@pytest.mark.parametrize("on", [date(2015, 6, 1), date(2022, 6, 1)])
def test_inverclyde_childrens_social_work_is_in_its_partnership(store: OxigraphStore, on: date) -> None:
    assert delegation_status(store, "Inverclyde", "children's social work", on) == "delegated"


def test_inverclyde_2015_statement_cites_seed_000(store: OxigraphStore) -> None:
    rows = run(store, "delegation", {"area": "Invercive", "service": "children's social work"}, as_at=date(2016, 1, 1))
    sources = {s["source"] for s in rows.rows[0]["sources"]}
    assert "https://w3id.org/alignkb/source/seed-000" in sources


def test_there_are_32_council_areas_each_with_a_health_board_and_an_integration_authority(
    store: OxigraphStore,
) -> None:
    table = store.select(
        """SELECT ?area (COUNT(DISTINCT ?board) AS ?boards) (COUNT(DISTINCT ?ia) AS ?ias) WHERE {
             ?area a ak:CouncilArea .
             OPTIONAL { ?area ak:withinArea ?hbArea . ?hbArea a ak:HealthBoardArea .
                        ?board ak:bodyType ak:bt-health-board ; ak:forArea ?hbArea }
             OPTIONAL { ?ia ak:forArea ?area ; ak:bodyType/ak:broaderType* ak:bt-integration-authority }
           } GROUP BY ?area"""
    ).records()
    assert len(table) == 32
    assert [r["area"] for r in table if r["boards"] != "1"] == []
    assert [r["area"] for r in table if r["ias"] == "0"] == []


def test_there_are_14_health_boards_and_31_integration_authorities(store: OxigraphStore) -> None:
    boards = store.select(
        "SELECT DISTINCT ?b WHERE { ?b ak:bodyType ak:bt-health-board ; ak:forArea ?a . ?a a ak:HealthBoardArea }"
    ).rows
    ijbs = store.select("SELECT DISTINCT ?b WHERE { ?b ak:bodyType ak:bt-integration-joint-board }").rows
    lead = store.select("SELECT DISTINCT ?b WHERE { ?b ak:bodyType ak:bt-lead-agency }").rows
    assert len(boards) == 14
    assert len(ijbs) == 30
    assert len(lead) == 2  # NHS Highland and The Highland Council: one lead agency arrangement


def test_appendix_3_count_of_childrens_social_care_delegation_agrees_with_the_texts_ten(
    store: OxigraphStore,
) -> None:
    rows = store.select(
        """SELECT (COUNT(DISTINCT ?area) AS ?n) WHERE {
             GRAPH ?g { ?d a ak:DelegationArrangement ; ak:inArea ?area ;
                        ak:serviceCategory kb:sc-childrens-social-work ; ak:delegationStatus ak:Delegated ;
                        ak:asAt "2022-03-07"^^xsd:date }
             ?g ak:locator ?loc . FILTER (STRSTARTS(?loc, "Appendix 3"))
           }"""
    ).records()
    assert rows[0]["n"] == "10"


def test_criminal_justice_count_disagreement_is_a_flagged_conflict_with_both_sources(store: OxigraphStore) -> None:
    rows = run(store, "conflicts", {}).rows
    labels = " ".join(str(r) for r in rows).lower()
    assert "criminal justice" in labels
    assert len(rows) >= 2
    assert all(len(r.get("sources", [])) >= 2 for r in rows)


def test_north_lanarkshire_undelegated_in_2019(store: OxigraphStore) -> None:
    before = delegation_status(store, "North Lanarkshire", "children's social work", date(2018, 6, 1))
    after = delegation_status(store, "North Lanarkshire", "children's social work", date(2020, 6, 1))
    assert before == "delegated"
    assert after in {"undelegated (taken back)", "undelegated", "not delegated"}


def test_areas_are_found_by_the_seeds_misspellings(store: OxigraphStore) -> None:
    from kb.analyses.labels import resolve

    assert resolve(store, "Eilean Sair").endswith("/na-h-eileanan-siar")
    assert resolve(store, "Invercive").endswith("/inverclyde")


@pytest.mark.parametrize("name", ["criminal justice social work", "adult social care"])
def test_a_name_shared_by_a_category_and_a_service_means_the_category(store: OxigraphStore, name: str) -> None:
    from kb.analyses.labels import resolve

    assert resolve(store, name, ["ak:Service", "ak:ServiceCategory"]).rsplit("/", 1)[-1].startswith("sc-")
    run(store, "obligations", {"area": "Glasgow City", "service": name}, as_at=date(2024, 6, 1))  # no error


def test_the_highland_lead_agency_leads_in_highland_not_in_argyll_and_bute(store: OxigraphStore) -> None:
    on = date(2024, 6, 1)
    rows = run(store, "delegation", {"service": "adult social care"}, as_at=on).rows
    leads = {r["area_label"]: r["lead"] for r in rows}
    assert "NHS Highland" in leads.get("Highland", "")
    assert "NHS Highland" not in leads.get("Argyll and Bute", "")


HELD = ("delegated", "partly delegated", "led by a lead agency")
IA_PLANS = {"req-strategic-plan", "req-annual-performance-report"}


@pytest.mark.parametrize("on", [date(2016, 6, 1), date(2020, 6, 1), date(2024, 6, 1)])
def test_the_integration_authoritys_plans_are_fed_exactly_where_it_holds_the_function(
    store: OxigraphStore, on: date
) -> None:
    """Every council area × every service: obligations names the integration authority's strategic plan and
    performance report if and only if delegation says the service's category is held by it on the date."""
    areas = sorted({str(r["a"].value) for r in store.select("SELECT DISTINCT ?a WHERE { ?a a ak:CouncilArea }").rows})
    categories: dict[str, set[str]] = {}
    for r in store.select("SELECT DISTINCT ?s ?c WHERE { ?s a ak:Service ; ak:inCategory ?c }").rows:
        categories.setdefault(str(r["s"].value), set()).add(str(r["c"].value))
    assert len(areas) == 32 and len(categories) > 40
    wrong = []
    for area in areas:
        held = {r["category"] for r in run(store, "delegation", {"area": area}, on).rows if r["status"] in HELD}
        for service, cats in categories.items():
            rows = run(store, "obligations", {"area": area, "service": service}, on).rows
            fed = bool({r["requirement"].rsplit("/", 1)[-1] for r in rows} & IA_PLANS)
            if fed != bool(cats & held):
                wrong.append((area.rsplit("/", 1)[-1], service.rsplit("/", 1)[-1], fed))
    assert wrong == []


@pytest.mark.parametrize(
    ("area", "board"),
    [
        ("Glasgow City", "Glasgow City Integration Joint Board"),
        ("Argyll and Bute", "Argyll and Bute Integration Joint Board"),
    ],
)
def test_adult_social_care_feeds_the_areas_own_board(store: OxigraphStore, area: str, board: str) -> None:
    rows = run(store, "obligations", {"area": area, "service": "care at home"}, date(2024, 6, 1)).rows
    plans = {r["requirement"].rsplit("/", 1)[-1]: r for r in rows}
    assert set(plans) >= IA_PLANS
    assert board in plans["req-strategic-plan"]["preparers"]


def test_north_lanarkshire_justice_social_work_follows_the_later_statement(store: OxigraphStore) -> None:
    assert delegation_status(store, "North Lanarkshire", "criminal justice social work", date(2024, 6, 1)) == (
        "not delegated"
    )
    changes = run(store, "changes", {"from": "2020-01-01", "to": "2023-01-01"}).rows
    assert not [r for r in changes if "north-lanarkshire-criminal-justice" in r["entity"]]
    conflict = next(
        r for r in run(store, "conflicts", {}).rows if r["label"].startswith("North Lanarkshire's criminal justice")
    )
    assert "follows the second row" in conflict["resolution"] and len(conflict["sides"]) == 3


def test_a_proposal_to_delegate_is_not_a_disagreement(store: OxigraphStore) -> None:
    rows = run(store, "conflicts", {}).rows
    assert not [r for r in rows if r["kind"] == "detected" and "Moray" in r["label"]]
    assert all(len(r["note"]) < 400 for r in rows if r["kind"] == "detected")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Invercive", "inverclyde"),
        ("Eilean Sair", "na-h-eileanan-siar"),
        ("Edinburgh", "city-of-edinburgh"),
        ("justice social work", "sc-criminal-justice-social-work"),
        ("CJSW", "sc-criminal-justice-social-work"),
    ],
)
def test_names_as_people_write_them_resolve(store: OxigraphStore, typed: str, meant: str) -> None:
    from kb.analyses.labels import resolve

    assert resolve(store, typed, ["ak:Area", "ak:Service", "ak:ServiceCategory"]).endswith("/" + meant)


def test_misspellings_are_matched_but_not_shown_as_names(store: OxigraphStore) -> None:
    alt = {str(r["l"].value) for r in store.select("SELECT ?l WHERE { kb:inverclyde skos:altLabel ?l }").rows}
    hidden = {str(r["l"].value) for r in store.select("SELECT ?l WHERE { kb:inverclyde skos:hiddenLabel ?l }").rows}
    assert "Invercive" not in alt and "Invercive" in hidden


def _expected_delegation() -> list[dict[str, str]]:
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "data" / "delegation" / "expected.csv"
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_delegation_matches_the_sources_table_area_by_area(store: OxigraphStore) -> None:
    """One row per area × category × date (tests/data/delegation/README.md says where each comes from)."""
    expected = _expected_delegation()
    assert len(expected) > 240
    wrong = []
    for row in expected:
        on = date.fromisoformat(row["date"])
        got = run(store, "delegation", {"area": row["area"], "service": row["category"]}, as_at=on).rows
        statuses = sorted({r["status"] for r in got})
        if statuses != [row["status"]]:
            wrong.append((row["area"], row["category"], row["date"], row["status"], statuses))
    assert wrong == []


@pytest.mark.parametrize(
    ("service", "requirement"),
    [
        ("unpaid carer support", "req-local-carer-strategy"),
        ("young carer support", "req-local-carer-strategy"),
        ("throughcare and aftercare", "req-corporate-parenting-plan"),
        ("throughcare and aftercare", "req-corporate-parenting-report"),
        ("school nursing", "req-childrens-rights-report"),
        ("child protection", "req-cpc-annual-report"),
    ],
)
def test_duties_reach_the_services_they_concern(store: OxigraphStore, service: str, requirement: str) -> None:
    rows = run(store, "obligations", {"area": "Inverclyde", "service": service}, date(2026, 5, 1)).rows
    assert requirement in {r["requirement"].rsplit("/", 1)[-1] for r in rows}


def test_the_seeds_joint_name_for_two_areas_answers_for_both(store: OxigraphStore) -> None:
    """Seed 002 writes the shared board's areas as "Clackmannanshire/Stirling": the answer covers each area,
    rows marked with the area they answer for, and says so."""
    result = run(
        store, "obligations", {"area": "Clackmannanshire/Stirling", "service": "care at home"}, date(2026, 5, 1)
    )
    assert result.columns[0] == "area"
    by_area: dict[str, set[str]] = {}
    for row in result.rows:
        by_area.setdefault(row["area"], set()).add(row["requirement"].rsplit("/", 1)[-1])
    assert set(by_area) == {"Clackmannanshire", "Stirling"}
    for reqs in by_area.values():
        assert {"req-strategic-plan", "req-annual-performance-report"} <= reqs
    assert any("names 2 areas (Clackmannanshire, Stirling)" in n for n in result.notes)
    councils = {p for r in result.rows if r["requirement"].endswith("adult-carer-support-plan") for p in r["preparers"]}
    assert {"Clackmannanshire Council", "Stirling Council"} <= councils
    assert "Clackmannanshire and Stirling Integration Joint Board" in councils  # s.6 delegated (SSI 2017/449)
    delegation = run(store, "delegation", {"area": "Clackmannanshire/Stirling"}, date(2026, 5, 1))
    assert {r["area_label"] for r in delegation.rows} == {"Clackmannanshire", "Stirling"}
    assert delegation.columns[0] != "area" or "area_label" in delegation.columns


def test_a_name_that_joins_an_area_and_nothing_is_still_an_error(store: OxigraphStore) -> None:
    from kb.analyses.labels import ParameterError, SeveralNamed

    with pytest.raises(ParameterError) as raised:
        run(store, "obligations", {"area": "Clackmannanshire/Narnia", "service": "care at home"})
    assert not isinstance(raised.value, SeveralNamed)


def test_preparers_are_the_areas_own_bodies_by_name(store: OxigraphStore) -> None:
    """Community justice partners for a council area are that area's council, health board and integration joint
    board with the five national partners (s.13(2) Community Justice (Scotland) Act 2016); a national report
    names its one preparer; a body the knowledge base does not name is described in words, never as a type."""
    rows = run(store, "obligations", {"area": "Inverclyde", "service": "criminal justice social work"}, D).rows
    by_req = {r["requirement"].rsplit("/", 1)[-1]: set(r["preparers"]) for r in rows}
    assert by_req["req-cjoip"] == {
        "Inverclyde Council",
        "NHS Greater Glasgow and Clyde",
        "Inverclyde Integration Joint Board",
        "Police Service of Scotland",
        "Scottish Fire and Rescue Service",
        "Skills Development Scotland Co. Limited",
        "Scottish Courts and Tribunals Service",
        "Scottish Ministers",
    }
    assert by_req["req-cjs-national-report"] == {"Community Justice Scotland"}
    cpc = run(store, "obligations", {"area": "Inverclyde", "service": "child protection"}, D).rows
    words = {p for r in cpc if r["requirement"].endswith("req-cpc-annual-report") for p in r["preparers"]}
    assert words == {"the child protection committee for Inverclyde (not recorded by name)"}


@pytest.mark.parametrize("area", ["Highland", "Orkney Islands", "North Lanarkshire", "Argyll and Bute"])
def test_no_preparer_is_shown_as_a_type(store: OxigraphStore, area: str) -> None:
    for service in ["criminal justice social work", "children's social work", "adult social care", "child protection"]:
        for row in run(store, "obligations", {"area": area, "service": service}, D).rows:
            assert row["preparers"], (area, service, row["requirement"])
            assert not any(p.startswith("(any") for p in row["preparers"]), (area, service, row)


def test_a_category_feeds_the_duties_that_cover_a_service_in_it(store: OxigraphStore) -> None:
    """Asked for children's social work, the answer includes the corporate parenting plan, which covers services of
    that category (throughcare and aftercare, fostering and adoption, …), not the category by name: Orkney in June
    2016 had no children's services plan yet (Part 3 from 1 April 2017) but had corporate parenting duties (Part 9
    from 1 April 2015)."""
    asked = {"area": "Orkney Islands", "service": "children's social work"}
    result = run(store, "obligations", asked, date(2016, 6, 1))
    by_label = {r["requirement_label"]: r for r in result.rows}
    plan = by_label["Corporate parenting plan"]
    assert plan["route"] == "covers a service in the category"
    assert any("is in the category children's social work" in e for e in plan["explanation"])
    assert "Children's services plan" not in by_label
