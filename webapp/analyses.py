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
from kb.analyses.labels import index as label_index
from kb.model.namespace import curie
from kb.store import term_text
from kb.store.cache import shared
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


# Column names as people read them, where replacing underscores is not enough.
HEADINGS = {
    "n_lines": "Reporting lines",
    "n_recipients": "Recipients",
    "n_reports": "Reports",
    "n_sets": "Indicator sets",
    "per_year": "Reporting events a year",
    "through_delegation": "Fed through delegation",
    "as_at": "As at",
    "legal_basis": "Legal basis",
    "kind_label": "Kind",
    "from_label": "From",
    "to_label": "To",
    "label_a": "First",
    "label_b": "Second",
    "same_cycle": "Same cycle",
}
KB_IRI = "https://w3id.org/alignkb/"


def heading(column: str) -> str:
    if column in HEADINGS:
        return HEADINGS[column]
    words = column.removesuffix("_label").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def shown_columns(columns: list[str]) -> list[tuple[str, str | None]]:
    """(the column to show, the IRI column it links to): a column with a ``_label`` twin is shown through its
    label, and the requirement_a/label_a pairs of overlaps likewise; the IRI column itself is not shown."""
    out: list[tuple[str, str | None]] = []
    twins = {"label_a": "requirement_a", "label_b": "requirement_b"}
    hidden = set(twins.values())
    for c in columns:
        if f"{c}_label" in columns or c in hidden:
            continue
        base = twins.get(c) or (c.removesuffix("_label") if c.endswith("_label") else None)
        out.append((c, base if base in columns else None))
    return out


def _item(value: Any, labels: Callable[[str], str], legislation: dict[str, str]) -> dict[str, Any]:
    """One value as a person reads it: an IRI of the knowledge base by its label, linked to its page (and a
    provision also to legislation.gov.uk); anything else as text."""
    text = "" if value is None else str(value)
    if text.startswith(KB_IRI):
        return {"text": labels(text), "href": local_href(text), "external": legislation.get(text)}
    return {"text": text, "href": None, "external": None}


def cell_items(
    row: dict[str, Any], column: str, link: str | None, labels: Callable[[str], str], legislation: dict[str, str]
) -> list[dict[str, Any]]:
    """A cell as a list of separate items, each linked where it names something with a page."""
    value = row.get(column)
    target = row.get(link) if link else None
    if link and isinstance(target, str) and target.startswith(KB_IRI) and not isinstance(value, list | tuple):
        return [{"text": str(value or labels(target)), "href": local_href(target), "external": legislation.get(target)}]
    if isinstance(value, list | tuple):
        return [_item(v, labels, legislation) for v in value]
    if value is None or value == "":
        return []
    return [_item(value, labels, legislation)]


def _link(value: Any, label: Any = None) -> dict[str, Any]:
    text = "" if value is None else str(_cell(value))
    if text.startswith(KB_IRI):
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
    shown = shown_columns(list(result.columns)) if result is not None else []
    if result is not None:
        names = label_index(get_store()).display
        legislation = legislation_ids()
        for row in result.rows:
            rows.append(
                {
                    "cells": [cell_items(row, c, link, names, legislation) for c, link in shown],
                    "explanation": [str(e) for e in row.get("explanation") or []],
                    "sources": [
                        {**s, "href": local_href(str(s.get("source") or ""))} for s in row.get("sources") or []
                    ],
                }
            )
    permalink = _permalink(name, values)
    if result is not None:  # pin the answer: the date it is as at, and the things the names resolved to
        pinned = {
            k: (curie(v) or v) if isinstance(v, str) and v.startswith(KB_IRI) else v for k, v in result.params.items()
        }
        permalink = _permalink(name, {**{k: str(v) for k, v in pinned.items()}, AS_AT: result.as_at.isoformat()})
    data = {
        **about,
        "title": spec.title,
        "values": values,
        "error": error,
        "ran": result is not None,
        "columns": [heading(c) for c, _link in shown],
        "how": spec.how,
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


def legislation_ids() -> dict[str, str]:
    """Provision or instrument IRI → its legislation.gov.uk identifier (read once per store)."""
    store = get_store()

    def fetch() -> dict[str, str]:
        q = "SELECT ?x ?id WHERE { ?x <https://w3id.org/alignkb/ontology#legislationId> ?id }"
        out: dict[str, str] = {}
        for r in store.select(q).rows:
            x, ident = term_text(r.get("x")), term_text(r.get("id"))
            if x and ident:
                out[x] = ident
        return out

    return shared(store, "legislation-ids", fetch)
