"""WCAG 2.1 AA, checked by axe-core (npm, from package-lock.json) in Debian's Chromium on the real KB's pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.model.paths import Home
from tests.webapp_support import live_server, make_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/search?q=Inverclyde",
    "/types",
    "/id/inverclyde",
    "/id/req-childrens-services-plan",
    "/analyses",
    "/analyses/obligations?area=Inverclyde&service=health+visiting",
    "/analyses/duplicate-reporting",
    "/pictures/alignment?area=Inverclyde",
    "/pictures/burden",
    "/id/inverclyde/network",
    "/sparql",
    "/ontology",
    "/sources",
    "/about",
]


@pytest.fixture(scope="module")
def base_url(built_home: Home) -> Iterator[str]:
    with live_server(make_app(built_home)) as url:
        yield url


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_2_1_aa_violations(browser: Any, base_url: str, path: str) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run npm ci (setup.sh does)")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(base_url + path, wait_until="load")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            """async () => await axe.run(document, {
                   runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                   resultTypes: ['violations']})"""
        )
    finally:
        context.close()
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
    ]
    assert problems == []
