"""WCAG 2.1 AA, checked by axe-core (npm, from package-lock.json) injected into Debian's Chromium, on every page
template of the browser over the real knowledge base: at desktop width, and a sample of them at phone width with
the menu open (where the page's layout differs most)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import AXE, assert_fits, axe_violations, new_page, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# one or more pages of each template, with the state people meet it in (a form, its answer, its error)
PAGES = {
    "home": "/",
    "search": "/search?q=Inverclyde",
    "search, nothing found": "/search?q=qqqzzzxxx",
    "types": "/types",
    "type": "/types/ak:Body",
    "entity": "/id/req-childrens-services-plan",
    "entity of an area": "/id/inverclyde",
    "network": "/id/scottish-ministers/network",
    "source": "/source/leg-cyp-act-2014",
    "sources": "/sources",
    "evidence": "/evidence/leg-cyp-act-2014/s13",
    "areas": "/areas",
    "area": "/areas/inverclyde",
    "analyses": "/analyses",
    "analysis form": "/analyses/obligations",
    "analysis answer": "/analyses/obligations?area=Glasgow+City&service=care+at+home",
    "analysis answer, overlaps": "/analyses/overlaps",
    "analysis error": "/analyses/obligations?area=Inverclide&service=care+at+home",
    "pictures": "/pictures",
    "alignment matrix": "/pictures/alignment?area=Inverclyde",
    "burden chart": "/pictures/burden?area=Inverclyde",
    "burden chart, Scotland": "/pictures/burden",
    "calendar form": "/calendar",
    "calendar": "/calendar?area=Inverclyde",
    "coverage": "/coverage",
    "sparql": "/sparql",
    "sparql results": "/sparql?format=html&query="
    + "SELECT%20%3Fs%20%3Fl%20WHERE%20%7B%20%3Fs%20rdfs%3Alabel%20%3Fl%20%7D%20LIMIT%2020",
    "ontology": "/ontology",
    "about": "/about",
    "not found": "/no/such/page",
}
PHONE = ["home", "analysis answer", "alignment matrix", "network", "calendar", "ontology", "sparql results"]


def check(page: Any, url: str, ready: str | None = None) -> list[str]:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status in (200, 400, 404)
    if ready:
        page.wait_for_function(ready)
    return axe_violations(page)


@pytest.fixture(scope="module")
def desktop(browser: Any) -> Any:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run npm ci (setup.sh does)")
    page = new_page(browser, 1280)
    yield page
    page.context.close()


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_every_page_template_has_no_wcag_2_1_aa_violations(desktop: Any, real_url: str, path: str) -> None:
    ready = "window.alignkbYasgui !== undefined" if path == "/sparql" else None
    assert check(desktop, real_url + path, ready) == []


@pytest.mark.parametrize("name", PHONE)
def test_on_a_phone_with_the_menu_open_too(browser: Any, real_url: str, name: str) -> None:
    page = new_page(browser, 375)
    try:
        page.goto(real_url + PAGES[name], wait_until="load")
        open_menu(page)
        assert_fits(page)
        assert axe_violations(page) == []
        assert page.errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("scripts", [True, False], ids=["with scripts", "without scripts"])
def test_no_page_is_wider_than_a_320_px_screen(browser: Any, real_url: str, scripts: bool) -> None:
    """The narrowest screen WCAG 1.4.10 (reflow) asks for: only a table or a picture may scroll, inside its frame."""
    page = new_page(browser, 320, java_script_enabled=scripts)
    problems = []
    try:
        for name, path in PAGES.items():
            page.goto(real_url + path, wait_until="load")
            if path == "/sparql" and scripts:
                page.wait_for_function("window.alignkbYasgui !== undefined")
            try:
                assert_fits(page)
            except AssertionError as err:
                problems.append(f"{name}: {err}")
    finally:
        page.context.close()
    assert problems == []
