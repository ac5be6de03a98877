"""Answers that do not change between builds are made once: an ETag per build, 304s, a page cache and gzip.

Every page is a function of the build it is served from (webapp/kbase.py), the request (path, query, the format
asked for by suffix, ``?format=`` or Accept) and the day (analyses run "as at" today unless told otherwise). So:

* each GET answer carries ``ETag: W/"…"``, a digest of those inputs, and ``Cache-Control: public, no-cache``
  (caches may keep it but must ask again); a request whose ``If-None-Match`` names it is answered 304 before
  any view runs;
* a successful answer is kept in memory (per process, least recently used first out, bounded in entries and
  bytes), and the same request is answered from there until the build or the day changes: the heatmap, an
  analysis or an entity page is computed once per build and day in each process;
* a text answer of 500 bytes or more is gzipped when the client accepts it (once, when it is kept).

The page cache is on unless ``PAGE_CACHE`` is false (``ALIGNKB_WEB_PAGE_CACHE=false``); under ``TESTING`` it is
off unless asked for, since tests change the code behind a page between two requests. Not cached: ``/health``
(it says what is served now), uploads (POST), the front-end files and downloads (served as files with their own
validators), answers a view marks ``no-store`` or ``private``, and anything but a 200.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, Response, current_app, g, request

from .kbase import served_id
from .negotiate import ENVIRON_KEY

NOT_CACHED = ("/health", "/static/", "/vendor/", "/downloads/", "/releases/")
CACHE_CONTROL = "public, no-cache"
KEPT_HEADERS = ("content-type", "content-disposition", "content-language", "link", "vary", "x-alignkb-")
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/sparql-results",
    "application/n-quads",
    "application/n-triples",
    "application/trig",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)
MIN_COMPRESSED = 500


@dataclass(frozen=True)
class Kept:
    """A response kept for reuse: its status, the headers it is rebuilt with, and its body (plain and gzipped)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class Pages:
    """A bounded, thread-safe LRU of responses by key."""

    def __init__(self, max_entries: int = 4096, max_bytes: int = 64 * 2**20, max_entry: int = 4 * 2**20) -> None:
        self.max_entries, self.max_bytes, self.max_entry = max_entries, max_bytes, max_entry
        self._entries: OrderedDict[str, Kept] = OrderedDict()
        self._bytes = 0
        self._build: str | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> Kept | None:
        with self._lock:
            kept = self._entries.get(key)
            if kept is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return kept

    def put(self, build: str, key: str, kept: Kept) -> None:
        if kept.size > self.max_entry:
            return
        with self._lock:
            if build != self._build:  # a new build: what was kept is about the old one
                self._entries.clear()
                self._bytes = 0
                self._build = build
            old = self._entries.pop(key, None)
            self._bytes -= old.size if old else 0
            self._entries[key] = kept
            self._bytes += kept.size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions["alignkb_pages"] = Pages(
        int(config.get("PAGE_CACHE_ENTRIES", 4096)), int(config.get("PAGE_CACHE_BYTES", 64 * 2**20))
    )
    app.before_request(_before)
    app.after_request(_after)


def _keeping() -> bool:
    """Whether answers are kept: ``PAGE_CACHE`` (by default on, but off under ``TESTING``, where tests change the
    code behind a page between two requests)."""
    keep = current_app.config.get("PAGE_CACHE")
    return bool(not current_app.testing if keep is None else keep)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _cacheable() -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith(NOT_CACHED)


def _key(build: str) -> str:
    """What the answer depends on, as text: the build, the day, the host, the path and query, and the format asked
    for."""
    parts = (
        build,
        date.today().isoformat(),
        request.host_url,
        request.path,
        request.query_string.decode("latin-1"),
        request.environ.get(ENVIRON_KEY) or "",
        request.headers.get("Accept", ""),
    )
    return "\x1f".join(parts)


def _etag(key: str) -> str:
    return 'W/"' + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32] + '"'


def _before() -> Response | None:
    if not _cacheable():
        return None
    build = served_id()
    if build is None:
        return None
    key = _key(build)
    etag = _etag(key)
    g.alignkb_cache = (build, key, etag)
    if etag in request.headers.get("If-None-Match", ""):
        g.alignkb_replayed = True
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["Vary"] = "Accept, Accept-Encoding"
        return response
    kept = current_app.extensions["alignkb_pages"].get(key) if _keeping() else None
    if kept is None:
        return None
    g.alignkb_replayed = True
    gzipped = kept.gzipped is not None and _accepts_gzip()
    response = Response(status=kept.status)
    response.headers.clear()
    for name, value in kept.headers:
        response.headers.add(name, value)
    response.set_data(kept.gzipped if gzipped else kept.body)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _after(response: Response) -> Response:
    if g.get("alignkb_replayed"):
        return response
    cache: tuple[str, str, str] | None = g.get("alignkb_cache")
    if cache is None or response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return _compressed(response) if response.status_code == 200 else response
    control = response.headers.get("Cache-Control", "")
    if "no-store" in control or "private" in control or "Set-Cookie" in response.headers:
        return _compressed(response)
    build, key, etag = cache
    body = response.get_data()
    _vary(response, "Accept-Encoding")
    gzipped = _gzip(body) if _compressible(response) and len(body) >= MIN_COMPRESSED else None
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower().startswith(KEPT_HEADERS))
    if _keeping():
        current_app.extensions["alignkb_pages"].put(build, key, Kept(response.status_code, headers, body, gzipped))
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    if gzipped is not None and _accepts_gzip():
        response.set_data(gzipped)
        response.headers["Content-Encoding"] = "gzip"
    return response


def _compressed(response: Response) -> Response:
    """Gzip an answer that is not kept (a POSTed query's result, say) when it is worth it and the client takes it."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or not _compressible(response)
        or not _accepts_gzip()
    ):
        return response
    body = response.get_data()
    _vary(response, "Accept-Encoding")
    if len(body) >= MIN_COMPRESSED:
        response.set_data(_gzip(body))
        response.headers["Content-Encoding"] = "gzip"
    return response


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def _compressible(response: Response) -> bool:
    return (response.mimetype or "").startswith(COMPRESSIBLE)


def _vary(response: Response, name: str) -> None:
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if name.lower() not in (v.lower() for v in present):
        response.headers["Vary"] = ", ".join([*present, name])


def stats() -> dict[str, Any]:
    """How the page cache of this process is doing (for /health)."""
    pages: Pages = current_app.extensions["alignkb_pages"]
    return {"entries": len(pages), "bytes": pages._bytes, "hits": pages.hits, "misses": pages.misses}
