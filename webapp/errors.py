"""Error pages: a 404 that suggests near matches, and a 500 that says what happened, both with JSON twins.

A path part that cannot be part of an IRI (``/id/a%20b``, ``/types/a%23b``, ``/evidence/x/%FF``) names nothing
here: it is answered 404 before any view turns it into an IRI (webapp.terms.is_iri_segment)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, NotFound

from kb.store import QueryError

from . import finder
from .negotiate import json_response, page, requested_format
from .terms import is_iri_segment

# Endpoints whose path parts are file names, not identifiers.
FILE_ENDPOINTS = ("static", "assets.")


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def identifiers_only(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if not values or endpoint is None or endpoint.startswith(FILE_ENDPOINTS):
            return
        if not all(is_iri_segment(str(value)) for value in values.values()):
            raise NotFound()

    @app.errorhandler(NotFound)
    def not_found(_err: NotFound) -> Response:
        if request.path.startswith(("/vendor/", "/static/")):
            return Response("not found\n", status=404, mimetype="text/plain")
        name = request.path.strip("/").rsplit("/", 1)[-1]
        try:
            suggestions = finder.suggest(name)
        except (FileNotFoundError, QueryError):
            suggestions = []
        data = {"title": "Page not found", "kind": "page", "name": name, "suggestions": suggestions}
        if requested_format(("html", "json")) == "json":
            return json_response({"error": f"no page at {request.path}", **data}, 404)
        return page("not_found.html", data, status=404)

    @app.errorhandler(FileNotFoundError)
    def unbuilt(err: FileNotFoundError) -> Response:
        data = {"title": "Knowledge base not built", "message": str(err)}
        if requested_format(("html", "json")) == "json":
            return json_response(data, 503)
        return page("error.html", data, status=503)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        data = {"title": err.name, "message": err.description or err.name}
        if requested_format(("html", "json")) == "json":
            return json_response(data, err.code or 500)
        return page("error.html", data, status=err.code or 500)
