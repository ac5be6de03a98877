"""Pictures blueprint: the alignment heatmap (requirements × outcomes), the reporting-burden chart and an entity's
network. The heatmap and the chart draw the results of the named analyses ``alignment`` and ``burden``
(:func:`kb.analyses.run`), so they give the same answer, by the same rule, as ``/analyses/<name>``: ``?area=`` and
``?as-at=`` are resolved by the engine, exactly as on the analysis pages. Each picture is drawn on the server (an
HTML table or SVG) so it reads without JavaScript; the network view is enhanced with cytoscape.js when scripts run."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kb.analyses import AnalysisResult, ParameterError, analyses, run
from kb.analyses.labels import index as label_index
from kb.model.namespace import KB, PREFIXES

from .analyses import parameter_error
from .browse import not_found
from .entity import describe
from .kbase import get_store, select, select_each
from .negotiate import page
from .terms import local_href

bp = Blueprint("pictures", __name__)
RDF_TYPE = PREFIXES["rdf"] + "type"
AS_AT_KEYS = ("as-at", "as_at")
VIA_TITLES = {
    "outcome": "must address this outcome",
    "set": "must address its outcome set",
    "framework": "must address a framework it is in",
}


NUMBERED = re.compile(r"^[^:]*?\b(\d+)\s*:\s*(.+)$")


def short_label(label: str) -> str:
    """'Health and wellbeing outcome 1: Look after own health' → '1. Look after own health' for column heads."""
    match = NUMBERED.match(label)
    return f"{match.group(1)}. {match.group(2)}" if match else label


def _natural(label: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label.lower()))


@bp.get("/pictures")
def index() -> Response:
    items = [
        {
            "title": "Alignment matrix",
            "href": "/pictures/alignment",
            "text": "Which outcomes each plan and report requirement must address, nationally or for one area, "
            "on a date (the alignment analysis).",
        },
        {
            "title": "Reporting burden",
            "href": "/pictures/burden",
            "text": "How many plans, reports and indicators fall on each type of body, on a date (the burden "
            "analysis).",
        },
        {
            "title": "Network view",
            "href": "/types",
            "text": "The neighbourhood of any entity: find it by type or by search, open its page and follow "
            "'network view'.",
        },
    ]
    return page("pictures.html", {"title": "Pictures", "pictures": items})


def _href(path: str, values: dict[str, str]) -> str:
    kept = {k: v for k, v in values.items() if v}
    return path + (f"?{urlencode(kept)}" if kept else "")


def _area_options() -> list[dict[str, str]]:
    return [{"iri": r["area"] or "", "label": r["label"] or r["area"] or ""} for r in select("areas").records()]


def _analysis(name: str, path: str, extra: dict[str, str]) -> tuple[AnalysisResult | None, dict[str, Any]]:
    """Run the named analysis with the page's ``?area=`` and ``?as-at=``; the result (None on a parameter error)
    and what the page's form shows: the values as typed, the area chosen, the date, the error and the rule."""
    as_at = next((request.args.get(k, "").strip() for k in AS_AT_KEYS if request.args.get(k, "").strip()), "")
    values = {"area": request.args.get("area", "").strip(), "as-at": as_at}
    result: AnalysisResult | None = None
    error: dict[str, Any] | None = None
    try:
        result = run(get_store(), name, {k: v for k, v in values.items() if v})
    except ParameterError as err:
        param = "as-at" if err.param in AS_AT_KEYS else err.param
        error = parameter_error(err, param, lambda label: _href(path, {**values, **extra, param: label}))
    area_iri = str(result.params["area"]) if result is not None and result.params.get("area") else None
    form = {
        "values": values,
        "area": {
            "iri": area_iri,
            "label": label_index(get_store()).display(area_iri) if area_iri else None,
            "query": values["area"],
        },
        "as_at": result.as_at.isoformat() if result is not None else None,
        "notes": result.notes if result is not None else [],
        "error": error,
        "areas": _area_options(),
        "rule": analyses()[name].rule,
        "analysis": {
            "name": name,
            "href": _href(f"/analyses/{name}", {"area": values["area"], "as_at": values["as-at"]}),
        },
    }
    return result, form


def _title(text: str, form: dict[str, Any]) -> str:
    where = f": {form['area']['label']}" if form["area"]["label"] else ""
    return text + where + (f", as at {form['as_at']}" if form["as_at"] else "")


@bp.get("/pictures/alignment")
def alignment() -> Response:
    set_filter = request.args.get("set", "").strip()
    result, form = _analysis("alignment", "/pictures/alignment", {"set": set_filter})
    rows = result.rows if result is not None else []
    sets = {r["outcome_set"]: r["outcome_set_label"] or "(no set)" for r in rows}
    if set_filter:
        rows = [r for r in rows if set_filter in (r["outcome_set"], r["outcome_set"].removeprefix(str(KB)))]
    cells = {(r["requirement"], r["outcome"]): r for r in rows}
    reqs = {r["requirement"]: r["requirement_label"] for r in rows}
    outcomes: dict[str, dict[str, str]] = {}
    for r in rows:
        outcomes[r["outcome"]] = {
            "label": r["outcome_label"],
            "short": short_label(r["outcome_label"]),
            "set": r["outcome_set"],
            "set_label": sets[r["outcome_set"]],
        }
    columns = sorted(outcomes.items(), key=lambda kv: (kv[1]["set_label"].lower(), _natural(kv[1]["label"])))
    matrix = []
    for req, label in sorted(reqs.items(), key=lambda kv: kv[1].lower()):
        row_cells = []
        for outcome, _meta in columns:
            cell = cells.get((req, outcome))
            row_cells.append(
                {
                    "outcome": outcome,
                    "level": cell["via"] if cell else "none",
                    "title": "; ".join(cell["explanation"][1:]) if cell else "",
                }
            )
        matrix.append(
            {
                "iri": req,
                "href": local_href(req),
                "label": label,
                "cells": row_cells,
                "count": sum(1 for c in row_cells if c["level"] != "none"),
            }
        )
    data = {
        **form,
        "title": _title("Alignment matrix", form),
        "set": set_filter,
        "sets": [
            {"iri": k, "slug": k.removeprefix(str(KB)), "label": v}
            for k, v in sorted(sets.items(), key=lambda kv: kv[1].lower())
        ],
        "outcomes": [{"iri": o, "href": local_href(o), **meta} for o, meta in columns],
        "rows": matrix,
    }
    return page("alignment.html", data, status=400 if form["error"] else 200)


@bp.get("/pictures/burden")
def burden() -> Response:
    result, form = _analysis("burden", "/pictures/burden", {})
    bars = [
        {
            "iri": r["entity"],
            "href": local_href(r["entity"]),
            "label": r["name"],
            "plans": r["plans"],
            "reports": r["reports"],
            "indicators": r["indicators"],
            "per_year": r["per_year"],
            "total": r["plans"] + r["reports"],
            "explanation": r["explanation"],
        }
        for r in (result.rows if result is not None else [])
        if r["level"] == "body type"
    ]
    data = {**form, "title": _title("Reporting burden", form), "bars": bars}
    return page("burden.html", data, chart=_chart(bars), status=400 if form["error"] else 200)


def _chart(bars: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of a horizontal stacked bar chart (plans, then reports) with indicator counts at the end."""
    label_width, bar_width, row_height, top = 300, 420, 30, 40
    biggest = max([b["total"] for b in bars] + [1])
    scale = bar_width / biggest
    items = []
    for i, b in enumerate(bars):
        y = top + i * row_height
        items.append(
            {
                **b,
                "y": y,
                "plans_w": round(b["plans"] * scale, 1),
                "reports_x": round(label_width + b["plans"] * scale, 1),
                "reports_w": round(b["reports"] * scale, 1),
                "end_x": round(label_width + b["total"] * scale + 6, 1),
            }
        )
    ticks = [{"x": round(label_width + t * scale, 1), "value": t} for t in range(0, biggest + 1, max(1, biggest // 5))]
    return {
        "width": label_width + bar_width + 160,
        "height": top + len(bars) * row_height + 20,
        "label_width": label_width,
        "items": items,
        "ticks": ticks,
        "row_height": row_height,
    }


@bp.get("/id/<slug>/network")
def network(slug: str) -> Response:
    iri = str(KB) + slug
    data = describe(iri)
    if data is None:
        return not_found(slug, "entity")
    nodes: dict[str, dict[str, Any]] = {
        iri: {"id": iri, "label": data["label"], "href": local_href(iri), "centre": True, "type": ""}
    }
    edges: list[dict[str, Any]] = []
    for direction, groups in (("out", data["outgoing"]), ("in", data["incoming"])):
        for group in groups:
            if group["property"]["value"] == RDF_TYPE:
                continue
            for value in group["values"]:
                other = value["value"]
                if other["kind"] != "iri" or not other["value"].startswith(str(KB)):
                    continue
                nodes.setdefault(
                    other["value"],
                    {
                        "id": other["value"],
                        "label": other["label"],
                        "href": other.get("href"),
                        "centre": False,
                        "type": "",
                    },
                )
                source, target = (iri, other["value"]) if direction == "out" else (other["value"], iri)
                edges.append(
                    {
                        "id": f"e{len(edges)}",
                        "source": source,
                        "target": target,
                        "label": group["property"]["label"],
                        "direction": direction,
                    }
                )
    edges = edges[:300]
    used = {iri} | {e["source"] for e in edges} | {e["target"] for e in edges}
    for key, type_label in _type_labels(used).items():
        nodes[key]["type"] = type_label
    payload = {
        "title": f"Network: {data['label']}",
        "centre": {"iri": iri, "label": data["label"], "href": local_href(iri)},
        "nodes": [nodes[n] for n in nodes if n in used],
        "edges": edges,
    }
    return page("network.html", payload)


def _type_labels(iris: set[str]) -> dict[str, str]:
    """Each entity's first ontology type label (by type IRI), fetched for all of them in one query."""
    found: dict[str, list[tuple[str, str]]] = {}
    for r in select_each("entity-types", "entity", (ox.NamedNode(i) for i in iris)).records():
        kind = r["type"] or ""
        if kind.startswith(PREFIXES["ak"]):
            found.setdefault(r["entity"] or "", []).append((kind, r["typeLabel"] or ""))
    return {entity: min(types)[1] for entity, types in found.items()}
