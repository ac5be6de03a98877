"""A local planner's journey in a real browser: search an area, open it, run `obligations` for a service,
download the CSV, open the alignment matrix and the network view. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.model.paths import Home
from tests.webapp_support import live_server, make_app, web_home

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(make_app(web_home(tmp_path_factory))) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def journey(
    page: Any, base_url: str, artifacts: Path, prefix: str, area: str, service: str, as_at: str | None = None
) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Search for an Act, plan, body, area, service, outcome or indicator").fill(area)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    page.screenshot(path=str(artifacts / f"{prefix}-1-search.png"), full_page=True)
    page.get_by_role("link", name=area, exact=True).first.click()
    page.wait_for_url("**/id/*")
    assert page.locator("h1").inner_text().strip() == area
    page.screenshot(path=str(artifacts / f"{prefix}-2-area.png"), full_page=False)

    page.goto(base_url + "/analyses/obligations")
    page.get_by_label("Area").fill(area)
    page.get_by_label("Service").fill(service)
    if as_at:
        page.locator("#param-as_at").fill(as_at)
    page.get_by_role("button", name="Run analysis").click()
    page.wait_for_selector("#results-table")
    rows = page.locator("#results-table tbody tr")
    assert rows.count() >= 1
    assert "Children's services plan" in page.locator("#results-table").inner_text()
    page.screenshot(path=str(artifacts / f"{prefix}-3-obligations.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#download-csv").click()
    download = info.value
    target = artifacts / f"{prefix}-obligations.csv"
    download.save_as(str(target))
    records = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert any(r["requirement_label"] == "Children's services plan" for r in records)

    page.goto(base_url + "/pictures/alignment?area=" + area)
    assert page.locator("#heatmap").is_visible()
    page.screenshot(path=str(artifacts / f"{prefix}-4-heatmap.png"), full_page=True)

    page.goto(base_url + "/id/req-childrens-services-plan/network")
    assert page.locator("#network-figure").is_visible()
    assert page.locator("#network-figure a").count() > 1  # every neighbour in the picture is a link
    page.screenshot(path=str(artifacts / f"{prefix}-5-network.png"), full_page=False)
    assert page.errors == []


def test_planner_journey_on_the_fixture_kb(page: Any, base_url: str, artifacts: Path) -> None:
    journey(page, base_url, artifacts, "fixture", "Inverclyde", "health visiting")


@pytest.mark.slow
def test_planner_journey_on_the_real_kb(page: Any, built_home: Home, artifacts: Path) -> None:
    with live_server(make_app(built_home)) as url:
        # on 1 May 2026 the law is known; after the 2026 Act was enacted (15 May 2026), whether its new children's
        # services planning rule has commenced is not recorded, and the page says so (next test)
        journey(page, url, artifacts, "real", "Inverclyde", "health visiting", as_at="2026-05-01")


@pytest.mark.slow
def test_a_planner_today_is_told_which_plans_are_not_known(page: Any, built_home: Home) -> None:
    """After the 2026 Act, whether the 2014 or the 2026 children's services planning rule applies is not recorded:
    the page names the plan as not known instead of leaving it out in silence."""
    with live_server(make_app(built_home)) as url:
        page.goto(url + "/analyses/obligations?area=Inverclyde&service=health+visiting&as_at=2026-07-01")
        text = page.locator("main").inner_text()
        assert "Not known whether" in text and "Children's services plan" in text


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page: Any, base_url: str) -> None:
    page.goto(base_url + "/id/inverclyde")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_the_sparql_page_loads_yasgui_with_examples(page: Any, base_url: str, artifacts: Path) -> None:
    page.goto(base_url + "/sparql")
    page.wait_for_function("window.alignkbYasgui !== undefined")
    assert page.locator(".yasgui").count() == 1
    assert page.locator(".tabsList .tab").count() >= 6
    page.screenshot(path=str(artifacts / "fixture-6-sparql.png"), full_page=False)
    assert page.errors == []


def test_pages_read_without_javascript(browser: Any, base_url: str, artifacts: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "/id/req-childrens-services-plan/network")
        assert page.locator("#network-links").is_visible() and page.locator("#network-figure").is_visible()
        query = "SELECT%20%3Fl%20WHERE%20%7B%20kb%3Ainverclyde%20rdfs%3Alabel%20%3Fl%20%7D"
        page.goto(base_url + "/sparql?format=html&query=" + query)
        assert "Inverclyde" in page.locator("table").inner_text()
        page.goto(base_url + "/analyses/obligations?area=Inverclyde&service=health+visiting")
        assert page.locator("#results-table").is_visible()
        page.screenshot(path=str(artifacts / "fixture-7-no-js.png"), full_page=False)
    finally:
        context.close()


def test_a_script_payload_in_the_data_never_runs(page: Any, base_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (
        "/id/xss-probe",
        "/search?q=probe",
        "/source/web-fixture-local",
        "/evidence/web-fixture-local/payload",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/id/xss-probe/network",
    ):
        page.goto(base_url + path)
    assert dialogs == []
    assert "<script>alert('xss')</script>" in page.content().replace("&lt;", "<").replace("&gt;", ">")


def test_bad_inputs_in_the_browser(page: Any, base_url: str) -> None:
    response = page.goto(base_url + "/id/invercyde")
    assert response.status == 404
    assert page.get_by_role("link", name="Inverclyde").count() >= 1
    response = page.goto(base_url + "/analyses/obligations?area=Inverclide&service=health+visiting")
    assert response.status == 400
    assert page.locator(".ds_error-summary").is_visible()
