"""Every internal link works: a crawl from the home page of the browser over the real knowledge base.

Breadth first from ``/``, every internal link found on an HTML page (``<a href>``, ``<link href>``, SVG links) is
requested with the Flask test client and must not answer 4xx or 5xx. HTML pages are read for more links; other
answers (JSON, Turtle, CSV, iCalendar, front-end files) are only requested. The whole site is some 20,000 URLs,
most of them the JSON, Turtle and JSON-LD twins of pages (about 80 s to fetch them all); so that the crawl stays
well under a minute it requests only ``SAMPLE`` of each kind of twin, which hold no links, of network views, whose
links are those of the entity's own page, and of evidence passages, whose links (a source, the entities a passage
speaks of) are on the pages of those entities too (a kind is the path with its parts replaced: ``/id/*.ttl``,
``/id/*/network``, ``/evidence/*/*`` …, with the query's parameter names); every other page it finds, up to
``LIMIT`` URLs in all. The test prints how many it fetched and which kinds it sampled."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter, deque
from html import unescape
from urllib.parse import parse_qsl, unquote, urldefrag, urlsplit

import pytest
from flask.testing import FlaskClient

from kb.model.paths import Home
from tests.webapp_support import make_app

pytestmark = pytest.mark.slow
LIMIT = 5000
SAMPLE = 60
DEADLINE = 75.0  # seconds: a safety net on a slow machine; the crawl normally takes a fraction of it
SKIP = ("/sparql?", "/vendor/", "/static/")  # query runs and front-end files: requested, never read for links
SUFFIX = re.compile(r"\.(json|ttl|jsonld|csv|ics|svg|js|css)$")


# the pages are the app's own templates, which quote every attribute with "; a pattern reads them several times
# faster than an HTML parser (which matters over thousands of pages)
LINK = re.compile(r'<(?:a|link|img|script)\b[^>]*?\s(?:href|src|xlink:href)="([^"]*)"', re.IGNORECASE)


def links(html: str) -> list[str]:
    return [unescape(href) for href in LINK.findall(html)]


def internal(href: str, base: str) -> str | None:
    """The app path (with query, without fragment) an href leads to, or None for another site or scheme."""
    href, _fragment = urldefrag(href.strip())
    if not href:
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("data:"):
        return None
    if not href.startswith("/"):
        href = base.rsplit("/", 1)[0] + "/" + href
    return href


def kind(url: str) -> str:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    suffix = SUFFIX.search(parts.path)
    shape = "/".join(s if i == 0 or s == "network" else "*" for i, s in enumerate(segments))
    names = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)})
    shape = shape if suffix is None or shape.endswith(suffix.group(0)) else shape + suffix.group(0)
    return "/" + shape + ("?" + "&".join(names) if names else "")


def crawl(client: FlaskClient) -> tuple[dict[str, int], dict[str, list[str]], Counter[str], set[str]]:
    statuses: dict[str, int] = {}
    found_on: dict[str, list[str]] = {}
    fetched: Counter[str] = Counter()
    cut: set[str] = set()
    queue = deque(["/"])
    found_on["/"] = ["(start)"]
    started = time.monotonic()
    while queue and len(statuses) < LIMIT and time.monotonic() - started < DEADLINE:
        url = queue.popleft()
        if url in statuses:
            continue
        key = kind(url)
        path = urlsplit(url).path
        sampled = SUFFIX.search(path) or path.endswith("/network") or path.startswith("/evidence/")
        if sampled and fetched[key] >= SAMPLE:
            cut.add(key)
            continue
        fetched[key] += 1
        response = client.get(url)
        statuses[url] = response.status_code
        is_page = response.mimetype == "text/html" and response.status_code == 200 and not url.startswith(SKIP)
        text = response.get_data(as_text=True) if is_page else ""
        response.close()  # files from node_modules and static/ are streamed: close them
        if not is_page:
            continue
        for href in links(text):
            target = internal(href, urlsplit(url).path)
            if target is None:
                continue
            found_on.setdefault(target, []).append(url)
            if target not in statuses:
                queue.append(target)
    return statuses, found_on, fetched, cut


def test_the_crawler_reads_links_as_a_browser_would() -> None:
    page = (
        '<a class="x" href="/id/a?b=1&amp;c=2#d">A</a> <link rel="alternate" href="/id/a.ttl"> '
        '<svg><a href="/id/b"><text>B</text></a></svg> <img src="/ontology/diagram.svg" alt=""> <a>none</a>'
    )
    assert links(page) == ["/id/a?b=1&c=2#d", "/id/a.ttl", "/id/b", "/ontology/diagram.svg"]
    assert internal("/id/a?b=1&c=2#d", "/") == "/id/a?b=1&c=2" and internal("https://example.org/", "/") is None
    assert kind("/id/a.ttl") == "/id/*.ttl" and kind("/analyses/x?b=1&a=2") == "/analyses/*?a&b"


def test_every_internal_link_from_the_home_page_works_on_the_real_kb(built_home: Home) -> None:
    client = make_app(built_home).test_client()
    access = logging.getLogger("alignkb.access")
    access.disabled = True  # a log line per request, thousands of them, says nothing here
    started = time.monotonic()
    try:
        statuses, found_on, fetched, cut = crawl(client)
    finally:
        access.disabled = False
    took = time.monotonic() - started
    broken = sorted(
        f"{status} {unquote(url)} (linked from {', '.join(sorted(set(found_on.get(url, [])))[:3])})"
        for url, status in statuses.items()
        if status >= 400
    )
    print(f"crawled {len(statuses)} URLs of {len(fetched)} kinds in {took:.1f} s; sampled at {SAMPLE}: {sorted(cut)}")
    assert len(statuses) >= 500, "the crawl should reach hundreds of pages of the real knowledge base"
    assert {"/id/*", "/id/*/network", "/source/*", "/evidence/*/*", "/analyses/*", "/pictures/*"} <= set(fetched)
    assert broken == [], "\n".join(broken)
