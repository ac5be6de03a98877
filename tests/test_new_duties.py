"""The statutory duties added for issue 15, answered as a planner asks: who prepares, from when, how often and
for whom. Each case names the provision and the instrument that commenced it (recorded in sources/)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kb.analyses import run
from kb.store import OxigraphStore, term_text

AK = "https://w3id.org/alignkb/ontology#"
KB = "https://w3id.org/alignkb/id/"


@pytest.fixture(scope="module")
def store(kb_store: OxigraphStore) -> OxigraphStore:
    return kb_store


def fed(store: OxigraphStore, area: str, service: str, on: date) -> dict[str, dict[str, object]]:
    rows = run(store, "obligations", {"area": area, "service": service}, on).rows
    return {r["requirement"].rsplit("/", 1)[-1]: r for r in rows}


# (requirement, a service it reaches, first day it applies, the instrument that says so)
FROM = [
    ("req-apc-biennial-report", "adult support and protection", date(2008, 10, 29), "SSI 2008/314 art. 2"),
    ("req-nif-annual-plan", "education", date(2017, 8, 1), "SSI 2017/164 reg. 2"),
    ("req-nif-annual-report", "education", date(2017, 8, 1), "SSI 2017/164 reg. 2"),
    ("req-local-eligibility-criteria", "unpaid carer support", date(2017, 10, 1), "SSI 2017/152 reg. 3"),
    ("req-short-breaks-services-statement", "short breaks", date(2018, 4, 1), "SSI 2017/152 reg. 4"),
    ("req-mappa-annual-report", "MAPPA", date(2007, 4, 2), "SSI 2006/545 art. 2"),
]


@pytest.mark.parametrize(("req", "service", "first", "instrument"), FROM, ids=[c[0] for c in FROM])
def test_a_new_duty_applies_from_its_commencement_and_not_before(
    store: OxigraphStore, req: str, service: str, first: date, instrument: str
) -> None:
    assert req in fed(store, "Inverclyde", service, first), instrument
    assert req not in fed(store, "Inverclyde", service, first - timedelta(days=1)), instrument


def test_the_adult_protection_report_is_the_areas_committees_every_two_years_to_the_named_bodies(
    store: OxigraphStore,
) -> None:
    row = fed(store, "Inverclyde", "adult support and protection", date(2026, 5, 1))["req-apc-biennial-report"]
    assert row["preparers"] == ["the adult protection committee for Inverclyde (not recorded by name)"]
    assert row["cycle"] == "every two years"
    assert {"Scottish Ministers", "Mental Welfare Commission for Scotland", "NHS Greater Glasgow and Clyde"} <= set(
        row["recipients"]
    )


def test_the_nif_plan_is_the_councils_each_year(store: OxigraphStore) -> None:
    row = fed(store, "Fife", "education", date(2026, 5, 1))["req-nif-annual-plan"]
    assert row["preparers"] == ["Fife Council"] and row["cycle"] == "annual"


def test_mappa_is_a_joint_report_of_the_responsible_authorities(store: OxigraphStore) -> None:
    row = fed(store, "Inverclyde", "MAPPA", date(2026, 5, 1))["req-mappa-annual-report"]
    assert row["jointly"] == "yes"
    assert {"Inverclyde Council", "NHS Greater Glasgow and Clyde", "Scottish Ministers"} <= set(row["preparers"])


def _preparer_types(store: OxigraphStore, req: str) -> set[str]:
    q = f"SELECT ?t WHERE {{ <{KB}{req}> <{AK}preparerType> ?t }}"
    return {(term_text(r["t"]) or "").rsplit("#", 1)[-1] for r in store.select(q).rows}


def test_equality_duties_fall_on_councils_boards_and_integration_joint_boards(store: OxigraphStore) -> None:
    for req in ("req-equality-outcomes", "req-equality-mainstreaming-report"):
        assert {"bt-local-authority", "bt-health-board", "bt-integration-joint-board"} <= _preparer_types(store, req)
    burden = run(store, "burden", {"area": "Inverclyde"}, date(2026, 5, 1)).rows
    ijb = next(r for r in burden if r["level"] == "body" and r["name"] == "Inverclyde Integration Joint Board")
    before = run(store, "burden", {"area": "Inverclyde"}, date(2015, 6, 1)).rows
    assert ijb["plans"] + ijb["reports"] > 0 and before is not None


def test_health_boards_report_on_staffing_from_april_2024(store: OxigraphStore) -> None:
    assert "bt-health-board" in _preparer_types(store, "req-nhs-staffing-annual-report")
    rows = run(store, "landscape-at", {"date": "2024-04-01"}).rows
    statuses = {r["entity"].rsplit("/", 1)[-1]: r["status"] for r in rows}
    assert statuses.get("req-nhs-staffing-annual-report") not in (None, "not yet in force", "not known")
    earlier = {
        r["entity"].rsplit("/", 1)[-1]: r["status"] for r in run(store, "landscape-at", {"date": "2024-03-31"}).rows
    }
    assert earlier.get("req-nhs-staffing-annual-report") != statuses.get("req-nhs-staffing-annual-report")


@pytest.mark.parametrize("req", ["req-adp-strategy", "req-cpc-improvement-plan", "req-nhs-board-delivery-plan"])
def test_non_statutory_plans_are_marked_so_with_the_document_that_asks_for_them(store: OxigraphStore, req: str) -> None:
    q = f"SELECT ?s ?d WHERE {{ <{KB}{req}> <{AK}statutory> ?s ; <{AK}basisDocument> ?d }}"
    rows = store.select(q).rows
    assert rows and all(term_text(r["s"]) == "false" for r in rows)
