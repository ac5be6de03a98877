"""What the browser tests check on a page, as a person would see it: that it fits the window, that its links lead
somewhere, that axe-core finds no WCAG 2.1 AA problem, and how to reach the menu on a narrow screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": 1280, "phone": 375}
NARROW = 768  # below this the design system folds the navigation behind "Menu"


def new_page(browser: Any, width: int, **options: Any) -> Any:
    """A page in a fresh context ``width`` pixels wide; script errors it meets are kept in ``page.errors``."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width >= NARROW else 812}, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.errors = errors
    return page


def overflow(page: Any) -> list[str]:
    """Why the page is wider than the window: empty when ``scrollWidth <= innerWidth``, else the widest elements
    that stick out and are not inside something that scrolls or clips."""
    return list(
        page.evaluate(
            """() => {
              const width = window.innerWidth;
              if (document.documentElement.scrollWidth <= width) { return []; }
              const out = [`page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`];
              for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.right <= width + 1) { continue; }
                let up = el.parentElement, contained = false;
                while (up && up !== document.body) {
                  const x = getComputedStyle(up).overflowX;
                  if (x !== 'visible') { contained = true; break; }
                  up = up.parentElement;
                }
                if (!contained && !el.closest('.visually-hidden')) {
                  out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} ` +
                           `ends at ${Math.round(box.right)}px`);
                }
                if (out.length > 8) { break; }
              }
              return out;
            }"""
        )
    )


def assert_fits(page: Any) -> None:
    problems = overflow(page)
    assert problems == [], f"{page.url}: " + "; ".join(problems)


def open_menu(page: Any) -> None:
    """On a narrow screen, open the design system's menu with its "Menu" button (a no-op when wide)."""
    if page.viewport_size["width"] >= NARROW:
        return
    menu = page.locator("#mobile-navigation")
    assert not menu.is_visible(), "the navigation should be folded behind the Menu button on a narrow screen"
    button = page.get_by_role("button", name="Menu")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()


def nav_to(page: Any, label: str) -> None:
    """Follow a main navigation link as a person would: through the menu on a narrow screen."""
    open_menu(page)
    where = "#mobile-navigation" if page.viewport_size["width"] < NARROW else ".ds_site-header__navigation"
    page.locator(where).get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def broken_links(page: Any, scope: str = "main", limit: int = 150) -> list[str]:
    """Request every distinct internal link in ``scope`` (at most ``limit``); the ones that answer 4xx or 5xx."""
    base = urlsplit(page.url)
    hrefs = page.eval_on_selector_all(f"{scope} a[href]", "links => links.map(a => a.href)")
    seen: list[str] = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if parts.netloc == base.netloc and url not in seen and url != page.url.split("#")[0]:
            seen.append(url)
    bad = []
    for url in seen[:limit]:
        response = page.request.get(url)
        if response.status >= 400:
            bad.append(f"{response.status} {url}")
        response.dispose()
    return bad


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now, one line each."""
    # evaluated through the driver, not added as a <script>: the pages' content security policy refuses inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                   resultTypes: ['violations']})""",
        WCAG_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), e.g. "
        + "; ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
    ]
