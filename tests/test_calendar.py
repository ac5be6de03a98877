"""The reporting calendar (issue 16 item 6): due rules as data, the ``calendar`` analysis on the real knowledge base,
its page and its iCalendar file, and the CLI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kb.analyses import ParameterError, run
from kb.analyses.steps.calendar import DueRule, add_months, occurrences
from kb.cli import main
from kb.model.paths import Home
from kb.store import OxigraphStore
from webapp import create_app

AS_AT = date(2025, 6, 1)
APR = "req-annual-performance-report"


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def rows_of(store: OxigraphStore, params: dict[str, str], as_at: date = AS_AT) -> list[dict[str, Any]]:
    return run(store, "calendar", params, as_at).rows


def find(rows: list[dict[str, Any]], req: str, day: str | None = None) -> list[dict[str, Any]]:
    return [r for r in rows if local(r["requirement"]) == req and (day is None or r["date"] == day)]


@pytest.fixture(scope="module")
def store(kb_store: OxigraphStore) -> OxigraphStore:
    return kb_store


# --- the arithmetic of due rules ------------------------------------------------------------------------------


def test_months_after_a_period_are_counted_from_the_next_day() -> None:
    assert add_months(date(2025, 4, 1), 4) == date(2025, 8, 1)  # so a year to 31 March is due by 31 July
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    rule = DueRule("r", years=1.0, anchor=(4, 1), months_after=3)
    got = occurrences(rule, False, date(2025, 1, 1), date(2025, 12, 31))
    assert [(o.when, o.period) for o in got] == [(date(2025, 6, 30), (date(2024, 4, 1), date(2025, 3, 31)))]


def test_an_irregular_first_period_then_three_yearly_ones() -> None:
    rule = DueRule("r", years=3.0, first_start=date(2024, 7, 16), first_end=date(2026, 3, 31), asap=True)
    got = occurrences(rule, False, date(2024, 1, 1), date(2030, 1, 1))
    assert [(o.kind, o.period) for o in got] == [
        ("asap", (date(2024, 7, 16), date(2026, 3, 31))),
        ("asap", (date(2026, 4, 1), date(2029, 3, 31))),
    ]


def test_a_plan_due_on_a_day_of_the_year_covers_the_period_that_follows() -> None:
    rule = DueRule("r", years=1.0, anchor=(9, 1), day_month=(8, 31))
    (got,) = occurrences(rule, True, date(2025, 1, 1), date(2025, 12, 31))
    assert got.when == date(2025, 8, 31) and got.period == (date(2025, 9, 1), date(2026, 8, 31))


def test_no_rule_is_not_known_and_a_rule_with_dates_elsewhere_shows_nothing() -> None:
    (got,) = occurrences(DueRule("r"), False, date(2025, 1, 1), date(2025, 12, 31))
    assert got.kind == "unknown" and got.when is None and got.how == "no due date is recorded"
    later = DueRule("r", years=3.0, first_start=date(2024, 4, 1), asap=True)
    assert occurrences(later, False, date(2025, 1, 1), date(2025, 12, 31)) == []


# --- competency questions on the real knowledge base ---------------------------------------------------------


def test_inverclyde_lists_the_ijb_performance_report_for_2024_25_due_by_31_july_2025(store: OxigraphStore) -> None:
    """PB(JW) Act s.42(4)(a), (8) and SSI 2014/284 reg. 3: reporting years from 1 April, published within 4 months
    of the year's end."""
    rows = rows_of(store, {"area": "Inverclyde"})
    (row,) = find(rows, APR, "2025-07-31")
    assert row["due"] == "31 July 2025" and row["due_kind"] == "date"
    assert row["period"] == "1 April 2024 to 31 March 2025"
    assert row["preparers"] == ["Inverclyde Integration Joint Board"]
    assert {"Inverclyde Council", "NHS Greater Glasgow and Clyde"} <= set(row["recipients"])
    assert row["status"] == "next"
    assert any("s.42" in s for s in row["set_by"])
    assert any(s["locator"].startswith("section 42(4)(a)") for s in row["sources"])
    assert row["explanation"][0].startswith("Annual performance report")
    assert not any("kb:" in e or "https://" in e for e in row["explanation"])
    (last_year,) = find(rows, APR, "2024-07-31")
    assert last_year["status"] == "past"


def test_the_childrens_services_plan_annual_report_is_due_as_soon_as_practicable(store: OxigraphStore) -> None:
    """CYP Act 2014 s.13(1)-(2): each year from 1 April 2017 (SSI 2016/255); no date in law."""
    rows = rows_of(store, {"area": "Inverclyde"})
    (row,) = find(rows, "req-childrens-services-plan-annual-report", "2026-03-31")
    assert row["due"] == "as soon as practicable after 31 March 2026" and row["due_kind"] == "asap"
    assert row["period"] == "1 April 2025 to 31 March 2026"
    assert set(row["preparers"]) == {"Inverclyde Council", "NHS Greater Glasgow and Clyde"}
    assert row["clash"] == ""  # no computable date, so no clash


def test_requirements_with_no_rule_say_not_known(store: OxigraphStore) -> None:
    rows = rows_of(store, {"area": "Inverclyde"})
    (row,) = find(rows, "req-cpc-annual-report")
    assert row["due"] == "not known" and row["date"] == "" and row["status"] == "not known"
    assert "no due date is recorded" in row["explanation"][0]


def test_a_clash_when_two_are_due_to_the_scottish_parliament_in_march_2026(store: OxigraphStore) -> None:
    """The 2026-31 child poverty delivery plan (Child Poverty Act 2017 s.9(1), (7): before its period) and the
    combined NHS staffing report for 2024-25 (NHS (Scotland) Act 1978 s.12IM(2)) both go to Parliament by 31 March."""
    rows = rows_of(store, {"body": "kb:scottish-ministers"})
    (plan,) = find(rows, "req-child-poverty-delivery-plan", "2026-03-31")
    (combined,) = find(rows, "req-ministers-nhs-staffing-combined-report", "2026-03-31")
    assert "Scottish Parliament" in plan["recipients"]
    assert "Scottish Parliament in March 2026" in plan["clash"] and "combined report on NHS staffing" in plan["clash"]
    assert "Child poverty delivery plan" in combined["clash"]
    assert any(e.startswith("Clash:") for e in plan["explanation"])


def test_only_requirements_that_apply_on_the_due_date_count(store: OxigraphStore) -> None:
    """Part 1 of the 2014 Act (the Ministers' UNCRC report) was repealed on 16 July 2024: its period ending in June
    2024 is listed, later ones never are; the children's rights reports of the 2024 Act follow."""
    rows = rows_of(store, {"body": "kb:scottish-ministers"}, date(2025, 1, 1))
    old = find(rows, "req-ministers-uncrc-report-2014")
    assert [r["date"] for r in old] == ["2024-06-14"]
    later = rows_of(store, {"body": "kb:scottish-ministers", "from": "2024-08-01", "to": "2030-01-01"})
    assert not find(later, "req-ministers-uncrc-report-2014")


def test_a_body_calendar_holds_only_what_it_prepares(store: OxigraphStore) -> None:
    rows = rows_of(store, {"body": "Inverclyde Integration Joint Board"})
    labels = {local(r["requirement"]) for r in rows}
    assert APR in labels and "req-lcpar" not in labels
    (row,) = find(rows, APR, "2025-07-31")
    assert row["preparers"] == ["Inverclyde Integration Joint Board"]


def test_from_and_to_bound_the_dates(store: OxigraphStore) -> None:
    result = run(store, "calendar", {"area": "Inverclyde", "from": "2025-07-01", "to": "2025-07-31"}, AS_AT)
    dated = [r for r in result.rows if r["date"]]
    assert dated and all("2025-07-01" <= r["date"] <= "2025-07-31" for r in dated)
    assert "Dates from 1 July 2025 to 31 July 2025." in result.notes
    with pytest.raises(ParameterError):
        run(store, "calendar", {"area": "Inverclyde", "from": "July"}, AS_AT)


# --- the web page, the .ics file and the CLI -----------------------------------------------------------------


@pytest.fixture(scope="module")
def real_client(built_home: Home) -> FlaskClient:
    app = create_app({"ALIGNKB_HOME": str(built_home.root), "ALIGNKB_DIST": str(built_home.dist), "TESTING": True})
    return app.test_client()


def test_the_calendar_page_of_an_area(real_client: FlaskClient) -> None:
    response = real_client.get("/calendar?area=Inverclyde&as-at=2025-06-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Reporting calendar: Inverclyde" in html and 'class="ds_table ak-calendar-table"' in html
    assert "July 2025" in html and "31 July 2025" in html and "Due date not known" in html
    assert 'href="/calendar.ics?area=Inverclyde&amp;as-at=2025-06-01"' in html
    assert 'href="/id/req-annual-performance-report"' in html
    data = real_client.get("/calendar.json?area=Inverclyde&as-at=2025-06-01").get_json()
    assert data["scope"] == "Inverclyde" and data["months"][0]["rows"][0]["requirement"].startswith("https://")


def test_the_calendar_page_of_a_body_and_bad_input(real_client: FlaskClient) -> None:
    html = real_client.get("/calendar?body=Inverclyde+Integration+Joint+Board&as-at=2025-06-01").get_data(as_text=True)
    assert "Reporting calendar: Inverclyde Integration Joint Board" in html
    bad = real_client.get("/calendar?area=Inverclide")
    assert bad.status_code == 400 and "ds_error-summary" in bad.get_data(as_text=True)
    assert "Inverclyde" in bad.get_data(as_text=True)
    empty = real_client.get("/calendar")
    assert empty.status_code == 200 and "Give a council area or a body" in empty.get_data(as_text=True)


def test_the_ics_file_is_an_rfc_5545_calendar(real_client: FlaskClient) -> None:
    response = real_client.get("/calendar.ics?area=Inverclyde&as-at=2025-06-01")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.get_data())
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"])
    events = list(cal.walk("VEVENT"))
    assert events and all(e.get("UID") and e.get("DTSTAMP") for e in events)
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    (apr,) = [e for e in events if str(e["UID"]) == "req-annual-performance-report-2025-07-31-date-inverclyde@alignkb"]
    assert apr.decoded("DTSTART") == date(2025, 7, 31)  # a DATE, not a date-time
    assert "VALUE=DATE" in apr["DTSTART"].to_ical().decode() or apr["DTSTART"].params.get("VALUE") == "DATE"
    assert str(apr["SUMMARY"]).startswith("Annual performance report")
    description = str(apr["DESCRIPTION"])
    assert "31 July 2025" in description and "s.42" in description and "Rule:" in description
    assert str(apr["URL"]).endswith("/id/req-annual-performance-report")
    again = icalendar.Calendar.from_ical(real_client.get("/calendar.ics?area=Inverclyde&as-at=2025-06-01").get_data())
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(uids)  # stable UIDs
    bad = real_client.get("/calendar.ics?area=Nowhere")
    assert bad.status_code == 400 and bad.mimetype == "text/plain"


def test_cli_query_calendar(built_home: Home) -> None:
    base = ["--home", str(built_home.root), "--dist", str(built_home.dist), "query", "calendar"]
    out = CliRunner().invoke(main, [*base, "--area", "Inverclyde", "--as-at", "2025-06-01", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["analysis"] == "calendar" and data["params"]["area"].endswith("/inverclyde")
    assert find(data["rows"], APR, "2025-07-31")
    out = CliRunner().invoke(main, [*base, "--area", "Inverclyde", "--as-at", "2025-06-01"])
    assert out.exit_code == 0 and "31 July 2025" in out.output
    out = CliRunner().invoke(main, [*base, "--area", "Inverclide"])
    assert out.exit_code == 2 and "Inverclyde" in out.output
