"""The three people the browser is for, each walking to an answer on the real knowledge base in Debian's Chromium,
on a desktop (1280 px) and on a phone (375 px). Each step checks what the person sees: the words of the answer,
a page no wider than the window (only a table or picture scrolls, inside its own frame), links that lead somewhere,
and no script error. Screenshots of the answers go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import WIDTHS, assert_fits, broken_links, nav_to, new_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZES = pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))


def open_reasons(page: Any, table: str) -> None:
    """Open the first "Reasons" panel of a results table; its text shows and the page still fits."""
    details = page.locator(f"{table} details").first
    details.locator("summary").click()
    assert details.locator(".ds_details__text").is_visible()
    assert_fits(page)


def site_furniture(page: Any) -> None:
    """The design system's furniture every page but the home page has: phase banner, breadcrumbs, build date."""
    banner = page.locator(".ds_phase-banner")
    assert "Beta" in banner.inner_text() and banner.get_by_role("link", name="feedback").count() == 1
    assert page.locator("nav[aria-label=Breadcrumb] .ds_breadcrumbs__link").first.inner_text() == "Home"
    assert "Data last built" in page.locator("footer").inner_text()


@SIZES
def test_a_planner_finds_what_care_at_home_in_glasgow_city_must_feed(
    browser: Any, real_url: str, artifacts: Path, width: int
) -> None:
    page = new_page(browser, width)
    try:
        page.goto(real_url + "/")
        assert_fits(page)
        nav_to(page, "Analyses")
        assert_fits(page)
        page.locator('main a[href="/analyses/obligations"]').first.click()
        site_furniture(page)
        assert_fits(page)
        page.locator("#param-area").fill("Glasgow City")
        page.locator("#param-service").fill("care at home")
        page.locator("#analysis-form button[type=submit]").click()
        page.wait_for_selector("#results-table")
        text = page.locator("main").inner_text()
        assert "Glasgow City" in text
        for plan in ("Strategic plan", "Adult carer support plan", "Annual performance report"):
            assert plan in page.locator("#results-table").inner_text(), plan
        assert page.locator("#results-table tbody tr").count() >= 5
        assert_fits(page)
        open_reasons(page, "#results-table")
        page.screenshot(path=str(artifacts / f"journey-planner-{width}.png"), full_page=False)
        assert broken_links(page) == []
        page.locator("#results-table").get_by_role("link", name="Strategic plan", exact=False).first.click()
        page.wait_for_load_state()
        assert "Strategic plan" in page.locator("h1").inner_text()
        assert_fits(page)
        assert page.errors == []
    finally:
        page.context.close()


@SIZES
def test_a_policy_officer_finds_duplicate_reporting_and_overlaps(
    browser: Any, real_url: str, artifacts: Path, width: int
) -> None:
    page = new_page(browser, width)
    try:
        page.goto(real_url + "/")
        nav_to(page, "Analyses")
        page.locator('main a[href="/analyses/duplicate-reporting"]').first.click()
        page.locator("#param-area").fill("Inverclyde")
        page.locator("#analysis-form button[type=submit]").click()
        page.wait_for_selector("#results-table")
        results = page.locator("#results-table").inner_text()
        assert "Annual performance report" in results and page.locator("#results-table tbody tr").count() >= 3
        assert_fits(page)
        open_reasons(page, "#results-table")
        page.screenshot(path=str(artifacts / f"journey-policy-duplicates-{width}.png"), full_page=False)
        assert broken_links(page) == []

        page.locator("nav[aria-label=Breadcrumb]").get_by_role("link", name="Analyses").click()
        page.locator('main a[href="/analyses/overlaps"]').first.click()
        page.locator("#analysis-form button[type=submit]").click()
        page.wait_for_selector("#results-table")
        assert "Equality mainstreaming report" in page.locator("#results-table").inner_text()
        assert_fits(page)
        open_reasons(page, "#results-table")
        page.screenshot(path=str(artifacts / f"journey-policy-overlaps-{width}.png"), full_page=False)
        assert broken_links(page) == []

        nav_to(page, "Pictures")
        page.locator('main a[href="/pictures/alignment"]').click()
        assert page.locator("#heatmap").is_visible()
        assert_fits(page)
        page.locator("#heatmap td.ak-cell a").first.click()
        assert page.evaluate("location.hash").startswith("#cell-")
        assert page.locator(page.evaluate("location.hash")).is_visible()
        page.screenshot(path=str(artifacts / f"journey-policy-alignment-{width}.png"), full_page=False)
        assert page.errors == []
    finally:
        page.context.close()


@SIZES
def test_a_researcher_queries_with_sparql_and_reads_an_entity(
    browser: Any, real_url: str, artifacts: Path, width: int
) -> None:
    page = new_page(browser, width)
    try:
        page.goto(real_url + "/")
        nav_to(page, "SPARQL")
        page.wait_for_function("window.alignkbYasgui !== undefined")
        assert_fits(page)
        example = page.locator("main details.ds_details").first
        example.locator("summary").click()
        example.get_by_role("link", name="Run this query").click()
        page.wait_for_load_state()
        rows = page.locator("main table tbody tr")
        assert rows.count() >= 1
        assert_fits(page)
        page.screenshot(path=str(artifacts / f"journey-researcher-sparql-{width}.png"), full_page=False)

        page.locator("#site-search").fill("Children's services plan")
        page.locator("#site-search").press("Enter")
        page.wait_for_url("**/search?q=*")
        assert_fits(page)
        page.locator("main").get_by_role("link", name="Children's services plan", exact=True).first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text().strip() == "Children's services plan"
        assert_fits(page)
        sources = page.locator("main details.ak-provenance").first
        sources.locator("summary").click()
        assert sources.locator(".ak-sources li").count() >= 1
        assert_fits(page)
        assert broken_links(page) == []
        turtle = page.request.get(page.url.split("#")[0] + ".ttl")
        assert turtle.status == 200 and turtle.headers["content-type"].startswith("text/turtle")
        page.screenshot(path=str(artifacts / f"journey-researcher-entity-{width}.png"), full_page=False)

        page.locator('main a[href$="/network"]').first.click()
        page.wait_for_load_state()
        assert page.locator("#network-links h4").count() >= 3
        assert_fits(page)
        assert page.errors == []
    finally:
        page.context.close()
