"""Keyboard only, end to end: a person who does not use a mouse tabs to the obligations form's fields, types,
sends it with Enter, and lands on the results heading; a form sent with a mistake lands them on the error summary.
Every stop on the way shows where the focus is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import new_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MAX_TABS = 60


def tab_to(page: Any, element_id: str) -> int:
    """Press Tab until the element with this id has the focus; how many presses it took. Each stop must show
    that it has the focus (an outline or a box shadow, as the design system draws it)."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
                       return {id: el.id, tag: el.tagName,
                               visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                                        || s.boxShadow !== 'none' || s.backgroundColor === 'rgb(253, 213, 34)'}; }"""
        )
        assert focused["visible"], f"the focus on {focused['tag']}#{focused['id']} cannot be seen"
        if focused["id"] == element_id:
            return presses
    raise AssertionError(f"#{element_id} was not reached in {MAX_TABS} presses of Tab")


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_obligations_form_by_keyboard_alone(browser: Any, real_url: str, width: int) -> None:
    page = new_page(browser, width)
    try:
        page.goto(real_url + "/analyses/obligations")
        tab_to(page, "param-area")
        page.keyboard.type("Glasgow City")
        tab_to(page, "param-service")
        page.keyboard.type("care at home")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("#results-table")
        active = page.evaluate("[document.activeElement.id, document.activeElement.textContent.trim()]")
        assert active[0] == "results", f"focus is on {active}, not the results heading"
        assert page.locator("#results-table tbody tr").count() >= 5
        # onwards from the heading, the next stops are the answer's own links
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null")
        assert page.errors == []
    finally:
        page.context.close()


def test_a_mistake_sent_by_keyboard_lands_on_the_error_summary(browser: Any, real_url: str) -> None:
    page = new_page(browser, 1280)
    try:
        page.goto(real_url + "/analyses/obligations")
        tab_to(page, "param-area")
        page.keyboard.type("Glasgw City")
        tab_to(page, "param-service")
        page.keyboard.type("care at home")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        summary = page.locator(".ds_error-summary")
        assert summary.is_visible()
        assert page.evaluate("document.activeElement.classList.contains('ds_error-summary')")
        # the summary's link leads to the field, and the near match re-asks with it
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#param-area"
        assert "Glasgow City" in page.locator("main").inner_text()
    finally:
        page.context.close()
