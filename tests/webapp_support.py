"""Helpers for the web app's tests: the fixture knowledge base (tests/data/webapp) built once per session,
the app on it, and a real HTTP server on loopback for SPARQL clients and the browser.

Test modules wrap these in small fixtures of their own (``app``, ``client``, ``live_url``)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from kb.build import build
from kb.model.paths import Home
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "data" / "webapp"
_HOMES: dict[str, Home] = {}


def web_home(factory: pytest.TempPathFactory) -> Home:
    """The fixture knowledge base: the real ontology plus tests/data/webapp/sources, built once per session."""
    if "home" not in _HOMES:
        root = factory.mktemp("webkb")
        shutil.copytree(ROOT / "ontology", root / "ontology")
        shutil.copytree(FIXTURE / "sources", root / "sources")
        home = Home(root)
        build(home, reason=False)
        _HOMES["home"] = home
    return _HOMES["home"]


def make_app(home: Home, **config: object) -> Flask:
    return create_app(
        {
            "ALIGNKB_HOME": str(home.root),
            "ALIGNKB_DIST": str(home.dist),
            "TESTING": True,
            "NODE_MODULES": str(ROOT / "node_modules"),
            **config,
        }
    )


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
