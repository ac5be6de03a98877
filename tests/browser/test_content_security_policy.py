"""The pages work under the Content-Security-Policy the app sends (webapp/__init__.py): in a real browser, YASGUI
runs a query against /sparql and shows its rows, the network picture draws, and no page reports a violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.webapp_support import live_server, make_app, web_home

pytestmark = pytest.mark.browser

# Every securitypolicyviolation event the page sees, kept where the test can read it.
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(make_app(web_home(tmp_path_factory))) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda err: messages.append(str(err)))
    page.csp_messages = messages
    try:
        yield page
    finally:
        context.close()


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []")) + list(page.csp_messages)


def test_yasgui_runs_a_query_under_the_policy(page: Any, base_url: str, artifacts: Path) -> None:
    response = page.goto(base_url + "/sparql")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline'" in policy  # YASGUI's <style>
    page.wait_for_function("window.alignkbYasgui !== undefined")
    tab = page.evaluate(
        """() => {
        const tab = window.alignkbYasgui.getTab();
        tab.setQuery('PREFIX ak: <https://w3id.org/alignkb/ontology#>\\n'
          + 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n'
          + 'SELECT ?label WHERE { ?area a ak:CouncilArea ; rdfs:label ?label }');
        tab.query();
        return tab.getId();
      }"""
    )
    assert tab
    page.wait_for_selector(".yasr_results td, .yasr .dataTable td", timeout=20_000)
    assert "Inverclyde" in page.locator(".yasr").first.inner_text()
    page.screenshot(path=str(artifacts / "csp-yasgui-query.png"), full_page=False)
    assert violations(page) == []


def test_the_network_picture_draws_under_the_policy(page: Any, base_url: str, artifacts: Path) -> None:
    page.goto(base_url + "/id/req-childrens-services-plan/network")
    figure = page.locator("#network-figure")
    assert figure.is_visible()
    box = figure.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert page.locator("#network-figure a, #network-figure text").count() > 3
    page.screenshot(path=str(artifacts / "csp-network.png"), full_page=False)
    assert violations(page) == []


def test_the_interactive_network_draws_the_same_groups_with_cytoscape_under_the_policy(
    page: Any, base_url: str, artifacts: Path
) -> None:
    """cytoscape.js lays out the grouped, capped neighbourhood the server drew: one box per kind of link, its
    members (and a "more" node where a group is capped), one edge per box; the button opens and closes it."""
    path = "/id/req-childrens-services-plan/network"
    data = page.request.get(base_url + path + ".json").json()
    page.goto(base_url + path)
    button = page.locator("#network-interactive-toggle")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    button.click()
    holder = page.locator("#network-interactive")
    page.wait_for_selector("#network-interactive[data-nodes]")
    members = sum(len(g["members"]) + (1 if g["hidden"] else 0) for g in data["groups"])
    assert holder.get_attribute("data-nodes") == str(1 + len(data["groups"]) + members)
    assert holder.get_attribute("data-edges") == str(len(data["groups"]))
    assert page.locator("#network-interactive canvas").count() > 0
    box = holder.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    page.screenshot(path=str(artifacts / "network-interactive.png"), full_page=False)
    button.click()
    assert not holder.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert violations(page) == []


def test_without_javascript_the_interactive_button_is_not_offered(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "/id/req-childrens-services-plan/network")
        assert not page.locator("#network-interactive-toggle").is_visible()
        assert page.locator("#network-figure").is_visible()
    finally:
        context.close()


PAGES = [
    "/", "/areas", "/areas/inverclyde", "/search?q=Inverclyde", "/id/inverclyde", "/types", "/sources", "/coverage",
    "/analyses", "/analyses/obligations?area=Inverclyde&service=health+visiting", "/pictures", "/pictures/alignment",
    "/pictures/burden", "/calendar?area=Inverclyde", "/ontology", "/about", "/no-such-page",
    "/id/req-childrens-services-plan/network",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_report_no_violation(page: Any, base_url: str, path: str) -> None:
    response = page.goto(base_url + path)
    assert "style-src 'self';" in response.headers["content-security-policy"]  # no inline styles elsewhere
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_the_mobile_menu_opens_under_the_policy(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        page.get_by_role("button", name="Menu").click()
        page.wait_for_selector("#mobile-navigation .ds_site-navigation__link", state="visible")
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()


def test_the_watch_sees_a_violation(page: Any, base_url: str) -> None:
    """The check above can fail: an inline script is refused and reported."""
    page.goto(base_url + "/about")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; "
                  "document.body.appendChild(s); }")  # fmt: skip
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert any(v.startswith("script-src") for v in violations(page))
