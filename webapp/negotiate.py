"""Content negotiation: which representation of a page the client asked for.

A client chooses with a file suffix (``/id/inverclyde.ttl``), a ``?format=`` parameter or the Accept header,
in that order. Suffixes are stripped by :class:`SuffixMiddleware` before routing, so every view is written once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response, render_template, request

FORMATS = {"html", "json", "ttl", "jsonld", "csv"}
SUFFIXES = {".json": "json", ".ttl": "ttl", ".jsonld": "jsonld", ".csv": "csv"}
MEDIA = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "text/csv": "csv",
}
PASS_THROUGH = ("/vendor/", "/static/", "/sparql")
ENVIRON_KEY = "alignkb.format"


class SuffixMiddleware:
    """Strip a format suffix from the path and remember it, so ``/x.json`` is ``/x`` asking for JSON."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PASS_THROUGH):
            for suffix, fmt in SUFFIXES.items():
                if path.endswith(suffix) and len(path) > len(suffix) + 1:
                    environ["PATH_INFO"] = path[: -len(suffix)]
                    environ[ENVIRON_KEY] = fmt
                    break
        return self.app(environ, start_response)


def requested_format(allowed: Iterable[str] = ("html", "json")) -> str:
    """The representation asked for, among ``allowed`` (the first allowed one is the default)."""
    allowed = list(allowed)
    fmt = request.environ.get(ENVIRON_KEY) or request.args.get("format", "").lower().strip()
    if fmt == "turtle":
        fmt = "ttl"
    if fmt in allowed:
        return fmt
    if fmt:
        return allowed[0]
    offered = [m for m, f in MEDIA.items() if f in allowed]
    offered.sort(key=lambda m: allowed.index(MEDIA[m]))
    best = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else None
    return MEDIA.get(best or "", allowed[0])


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = Response(body + "\n", status=status, mimetype="application/json")
    response.headers["Vary"] = "Accept"
    return response


def page(template: str, data: dict[str, Any], status: int = 200, **context: Any) -> Response:
    """Render ``template`` with ``data`` (and extra ``context``), or return ``data`` as the page's JSON twin."""
    if requested_format(("html", "json")) == "json":
        return json_response(data, status)
    response = Response(render_template(template, **data, **context), status=status, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response
