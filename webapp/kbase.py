"""Serves the current build of the knowledge base, and hands it, and the app's own queries, to views.

Each request is pinned to one build: before it runs, the app asks which build ``dist`` points at (one
``readlink``: kb/model/builds.py) and, when a new build has been made current, opens it (once per process, while
the other requests go on with the build they had). Every view of the request reads that build, and so do its
page cache and ETag (webapp/caching.py). Several worker processes each switch at their next request, so after a
build they all serve it. A remote endpoint (``ALIGNKB_ENDPOINT``) is opened once.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app, g, has_request_context

from kb.model.builds import REPORT, build_id, current_build
from kb.model.dataset import ATTRIBUTION, DATA_LICENCE, DATA_LICENCE_NAME
from kb.model.paths import Home, find_home
from kb.store import OxigraphStore, QueryError, Store, Table, open_store
from kb.store.querydoc import QueryDoc


@dataclass(frozen=True)
class Served:
    """One build as the app serves it: its id, its store, where it lies and what its report says."""

    id: str
    store: Store
    folder: Path | None = None  # None: a remote endpoint
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def built(self) -> datetime | None:
        try:
            return datetime.fromisoformat(str(self.report["built"]))
        except (KeyError, TypeError, ValueError):
            return None


class Builds:
    """The build an application serves, re-opened when ``dist`` points at another one."""

    def __init__(self, home: Home, endpoint: str | None) -> None:
        self.home = home
        self.endpoint = endpoint
        self.served: Served | None = None
        self._opening = threading.Lock()

    def current(self) -> Served:
        """The build to serve this request from: the current one, opened if it is new. While one thread opens a
        new build the others keep the one they had; with nothing served yet they wait for it."""
        served = self.served
        if self.endpoint:
            if served is None:
                with self._opening:
                    if self.served is None:
                        self.served = Served("endpoint", open_store(None, self.endpoint))
                    served = self.served
            return served
        wanted = build_id(self.home.dist)
        if served is not None and (wanted == served.id or wanted is None):
            return served  # unchanged, or nothing built any more: keep serving what was loaded
        if served is not None and not self._opening.acquire(blocking=False):
            return served
        if served is None:
            self._opening.acquire()
        try:
            if self.served is not None and self.served.id == build_id(self.home.dist):
                return self.served
            self.served = self._open()
            return self.served
        finally:
            self._opening.release()

    def _open(self) -> Served:
        dist = self.home.dist
        folder = current_build(dist)
        if folder is None:
            raise FileNotFoundError(f"no built knowledge base at {dist / 'kb.nq'}: run 'alignkb build' first")
        ident = folder.name if dist.is_symlink() else build_id(dist) or "unbuilt"
        store = OxigraphStore.from_dist(folder)
        try:
            report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report = {}
        kept = ("built", "build_id", "version", "kb_sha256", "quads", "dataset", "dumps")
        return Served(ident, store, folder, {k: report[k] for k in kept if k in report})


def init_app(app: Flask) -> None:
    home = find_home(app.config.get("ALIGNKB_HOME"), app.config.get("ALIGNKB_DIST"))
    app.extensions["alignkb_home"] = home
    app.extensions["alignkb_builds"] = Builds(home, app.config.get("ALIGNKB_ENDPOINT"))
    app.jinja_env.globals["built_at"] = built_at
    app.jinja_env.globals["data_licence"] = {"name": DATA_LICENCE_NAME, "url": DATA_LICENCE, "attribution": ATTRIBUTION}
    from . import caching

    caching.init_app(app)


def served() -> Served:
    """The build this request is served from (pinned at its first use), or the current one outside a request."""
    if has_request_context():
        pinned: Served | None = g.get("alignkb_served")
        if pinned is None:
            pinned = g.alignkb_served = current_app.extensions["alignkb_builds"].current()
        return pinned
    builds: Builds = current_app.extensions["alignkb_builds"]
    return builds.current()


def served_id() -> str | None:
    """The id of the build this request is served from; None when nothing is built (the request will say so)."""
    try:
        return served().id
    except FileNotFoundError:
        return None


def built_at() -> datetime | None:
    """When the knowledge base this request is served from was built (``"built"`` in its report.json); None when
    it has no report (a remote endpoint) or nothing is built."""
    try:
        return served().built
    except FileNotFoundError:
        return None


def get_store() -> Store:
    return served().store


@cache
def query_doc(name: str) -> QueryDoc:
    """One of the web app's own queries (``webapp/queries/<name>.rq``), with its header."""
    path = resources.files("webapp") / "queries" / f"{name}.rq"
    return QueryDoc.load(Path(str(path)))


def select(name: str, **bindings: ox.NamedNode | ox.Literal | None) -> Table:
    """Run a named web-app query with its parameters bound by the store."""
    return get_store().select(query_doc(name).text, {k: v for k, v in bindings.items() if v is not None})


def select_each(name: str, variable: str, nodes: Iterable[ox.NamedNode]) -> Table:
    """Run a named web-app query once for many values of ``variable``: a VALUES block of serialized terms
    (written by pyoxigraph, never user text) opens its WHERE group, instead of one query per value."""
    terms = sorted({str(node) for node in nodes})
    if not terms:
        return Table([])
    text = query_doc(name).text
    match = re.search(r"\bWHERE\s*\{", text, flags=re.IGNORECASE)
    if match is None:
        raise QueryError(f"{name}.rq has no WHERE group to bind ?{variable} in")
    block = f" VALUES ?{variable} {{ {' '.join(terms)} }} "
    return get_store().select(text[: match.end()] + block + text[match.end() :])
