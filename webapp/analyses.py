"""Analyses blueprint: one page per named analysis, with a form, an as-at date, results with their reasons,
a permalink (the GET query string) and CSV/JSON downloads. The analyses themselves live in ``kb.analyses``."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from kb.analyses import ParameterError, analyses, run
from kb.model.namespace import curie
from kb.store.serialize import csv_text

from .kbase import get_store
from .negotiate import json_response, page, requested_format
from .terms import local_href

bp = Blueprint("analyses", __name__)
AS_AT = "as_at"


def summaries() -> list[dict[str, Any]]:
    """Every named analysis in a line: for the analyses index and the home page."""
    return [
        {
            "name": name,
            "title": a.title,
            "question": a.question,
            "href": f"/analyses/{name}",
            "params": [{"name": p.name, "optional": p.optional, "kind": p.kind} for p in a.params],
        }
        for name, a in analyses().items()
    ]


@bp.get("/analyses")
def index() -> Response:
    return page("analyses.html", {"title": "Analyses", "analyses": summaries()})


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _link(value: Any, label: Any = None) -> dict[str, Any]:
    text = "" if value is None else str(_cell(value))
    if text.startswith("https://w3id.org/alignkb/"):
        return {"text": str(label) if label else (curie(text) or text), "href": local_href(text)}
    return {"text": text, "href": None}


_SUGGESTION = re.compile(r"^(?P<label>.*) \((?P<curie>[a-z]+:[^\s)]+)\)$")


def parameter_error(err: ParameterError, param: str, again: Callable[[str], str]) -> dict[str, Any]:
    """A parameter error for a form: the message and its near matches, each a link (``again(label)``) that asks
    again with it; a ``Label (kb:slug)`` suggestion uses the label. Shared by the analysis pages and pictures."""
    suggestions = []
    for text in err.suggestions:
        match = _SUGGESTION.match(text)
        label = match.group("label") if match else text
        suggestions.append({"label": label, "text": text, "href": again(label)})
    return {
        "param": param,
        "value": err.value,
        "message": str(err.args[0]) if err.args else str(err),
        "suggestions": suggestions,
    }


def _permalink(name: str, values: dict[str, str], **changes: str) -> str:
    merged = {k: v for k, v in {**values, **changes}.items() if v}
    return f"/analyses/{name}" + (f"?{urlencode(merged)}" if merged else "")


@bp.get("/analyses/<name>")
def analysis(name: str) -> Response:
    known = analyses()
    if name not in known:
        near = difflib.get_close_matches(name, list(known), n=5, cutoff=0.4)
        data: dict[str, Any] = {
            "title": "Analysis not found",
            "kind": "analysis",
            "name": name,
            "suggestions": [{"label": n, "href": f"/analyses/{n}", "iri": n} for n in near],
        }
        if requested_format(("html", "json", "csv")) != "html":
            return json_response({"error": f"no analysis called {name!r}", **data}, 404)
        return page("not_found.html", data, status=404)
    spec = known[name]
    values = {p.name: request.args.get(p.name, "").strip() for p in spec.params}
    values[AS_AT] = (request.args.get(AS_AT) or request.args.get("as-at") or "").strip()
    fmt = requested_format(("html", "json", "csv"))
    ready = all(values[p.name] for p in spec.params if not p.optional)
    error: dict[str, Any] | None = None
    result = None
    if ready:
        params = {p.name: values[p.name] for p in spec.params if values[p.name]}
        if values[AS_AT]:
            params["as-at"] = values[AS_AT]
        try:
            result = run(get_store(), name, params, None)
        except ParameterError as err:
            param = AS_AT if err.param in ("as-at", AS_AT) else err.param
            error = parameter_error(err, param, lambda label: _permalink(name, values, **{param: label}))
    if error and fmt == "html" and not any(values.values()):
        error = None  # nothing typed yet (an analysis needing one of several parameters): the form, without an error
    status = 400 if error else 200
    about: dict[str, Any] = {
        "analysis": name,
        "title": spec.title,
        "question": spec.question,
        "rule": spec.rule,
        "params": [
            {
                "name": p.name,
                "optional": p.optional,
                "kind": p.kind,
                "description": p.description,
                "choices": list(p.choices),
            }
            for p in spec.params
        ],
    }
    if fmt == "csv" and result is not None:
        body = csv_text(result.columns, [{c: _cell(r.get(c)) for c in result.columns} for r in result.rows])
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt in ("json", "csv"):
        if error:
            return json_response({**about, "error": error}, status)
        if result is not None:
            return json_response({**about, **result.to_json()})
        return json_response({**about, "error": "missing parameters", "values": values}, 400)
    rows = []
    if result is not None:
        for row in result.rows:
            rows.append(
                {
                    "cells": [_link(row.get(c), row.get(f"{c}_label")) for c in result.columns],
                    "explanation": [str(e) for e in row.get("explanation") or []],
                    "sources": [
                        {**s, "href": local_href(str(s.get("source") or ""))} for s in row.get("sources") or []
                    ],
                }
            )
    permalink = _permalink(name, values)
    data = {
        **about,
        "title": spec.title,
        "values": values,
        "error": error,
        "ran": result is not None,
        "columns": result.columns if result is not None else [],
        "rows": rows,
        "as_at": result.to_json().get("as_at") if result is not None else None,
        "result_notes": result.notes if result is not None else [],
        "permalink": permalink,
        "downloads": {"csv": _download(name, values, "csv"), "json": _download(name, values, "json")},
    }
    return page("analysis.html", data, status=status)


def _download(name: str, values: dict[str, str], fmt: str) -> str:
    merged = {k: v for k, v in values.items() if v}
    return f"/analyses/{name}.{fmt}" + (f"?{urlencode(merged)}" if merged else "")
