"""Opens the knowledge base once per application and hands it, and the app's own queries, to views."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, current_app

from kb.model.paths import find_home
from kb.store import QueryError, Store, Table, open_store
from kb.store.querydoc import QueryDoc


def init_app(app: Flask) -> None:
    home = find_home(app.config.get("ALIGNKB_HOME"), app.config.get("ALIGNKB_DIST"))
    app.extensions["alignkb_home"] = home
    app.extensions["alignkb_store"] = None


def get_store() -> Store:
    store = current_app.extensions.get("alignkb_store")
    if store is None:
        home = current_app.extensions["alignkb_home"]
        store = open_store(Path(home.dist), current_app.config.get("ALIGNKB_ENDPOINT"))
        current_app.extensions["alignkb_store"] = store
    return store


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
