"""The alignkb browser: a Flask application factory.

Blueprints: ``browse`` (home, search, types, entity/source/evidence pages), ``areas`` (a page per council
area), ``analyses``, ``sparql``,
``pictures`` (alignment matrix, network, burden chart), ``calendar`` (reporting calendar and its
.ics), ``docs`` (ontology documentation, about), ``assets``
(front-end packages from node_modules) and ``health``. Production: ``gunicorn -w 4 'webapp:create_app()'``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, g, request, request_started

from .kbase import init_app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        ALIGNKB_HOME=None,
        ALIGNKB_DIST=None,
        ALIGNKB_ENDPOINT=None,
        NODE_MODULES=None,
        SPARQL_TIMEOUT=10.0,
        SPARQL_ROW_CAP=10_000,
    )
    app.config.from_prefixed_env("ALIGNKB_WEB")
    if config:
        app.config.from_mapping(config)
    init_app(app)
    from . import analyses, areas, assets, browse, calendar, docs, downloads, errors, health, pictures, sparql
    from .negotiate import SuffixMiddleware

    for module in (health, browse, areas, analyses, calendar, sparql, pictures, docs, downloads, assets):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.jinja_env.globals["nav"] = [
        ("Home", "/"),
        ("Areas", "/areas"),
        ("Browse", "/types"),
        ("Analyses", "/analyses"),
        ("Pictures", "/pictures"),
        ("Calendar", "/calendar"),
        ("SPARQL", "/sparql"),
        ("Ontology", "/ontology"),
        ("Sources", "/sources"),
        ("What it holds", "/coverage"),
        ("About", "/about"),
    ]
    harden(app)
    app.wsgi_app = SuffixMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


# Sent with every response. Pages load scripts, styles, fonts and images from this server only, and query /sparql
# on it; no page may be framed. (The SPARQL page alone also allows inline styles: YASGUI adds <style> elements.)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
ACCESS_LOG = logging.getLogger("alignkb.access")


def harden(app: Flask) -> None:
    """Security headers on every response, and one access-log line per request (``alignkb.access``: method,
    path, status, duration), written to stderr unless logging is configured elsewhere."""
    if not ACCESS_LOG.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        ACCESS_LOG.addHandler(handler)
    ACCESS_LOG.setLevel(logging.INFO)

    def started(_sender: Flask, **_extra: Any) -> None:
        g.alignkb_started = time.perf_counter()

    request_started.connect(started, app, weak=False)

    @app.after_request
    def headers_and_log(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        began = g.get("alignkb_started")
        took = f"{(time.perf_counter() - began) * 1000:.1f}ms" if began is not None else "-"
        path = quote(request.path, safe="/:@!$&'()*+,;=-._~")  # one line each, whatever the path holds
        ACCESS_LOG.info("%s %s %s %s", request.method, path, response.status_code, took)
        return response
