"""A researcher's round trip: add an indicator set through CSV templates, build, and see it in the analyses."""

from __future__ import annotations

from datetime import date

from kb.analyses import run
from kb.build import build
from kb.store import OxigraphStore

from .conftest import DATA, MakeHome

LANDSCAPE = (DATA / "queries" / "gaps" / "data.trig").read_text()
TEMPLATES = {p.name: p.read_text() for p in (DATA / "roundtrip").glob("*.csv")}
AS_AT = date(2024, 6, 1)


def analyse(home, name: str, params: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    build(home)
    return run(OxigraphStore.from_dist(home.dist), name, params or {}, as_at=AS_AT)


def gap_subjects(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {row["subject"] for row in result.rows if row["kind"] == "outcome-no-indicator"}


def duplicated_indicators(result) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    for row in result.rows:
        value = row["indicators"]
        found |= set(value) if isinstance(value, list) else {i.strip() for i in str(value).split(";")}
    return found


def test_an_indicator_set_added_by_template_closes_a_gap_and_shows_a_duplicate(make_home: MakeHome) -> None:
    healthy = "https://w3id.org/alignkb/id/w-healthy"
    poverty = "https://w3id.org/alignkb/id/ind-poverty"
    survey_poverty = "https://w3id.org/alignkb/id/ind-poverty-survey"

    before = make_home({"fixture": {"data.trig": LANDSCAPE}})
    assert healthy in gap_subjects(analyse(before, "gaps"))
    assert survey_poverty not in duplicated_indicators(analyse(before, "duplicate-reporting"))

    after = make_home({"fixture": {"data.trig": LANDSCAPE}, "example-survey": TEMPLATES})
    assert healthy not in gap_subjects(analyse(after, "gaps"))
    duplicates = analyse(after, "duplicate-reporting")
    assert {poverty, survey_poverty} <= duplicated_indicators(duplicates)
    row = next(r for r in duplicates.rows if survey_poverty in r["indicators"])
    assert "Health survey report" in str(row["reports"])
    sources = {s["locator"] for s in row.get("sources", [])}
    assert "table 1 row 2" in sources
