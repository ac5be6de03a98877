"""Pictures blueprint: the alignment matrix (requirements × outcomes), an entity's network, and the
reporting-burden chart. Each is drawn on the server (HTML table or SVG) so it reads without JavaScript;
the network view is enhanced with cytoscape.js when scripts run."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kb.model.namespace import KB, PREFIXES, curie

from . import areas
from .browse import not_found
from .entity import describe
from .kbase import select
from .negotiate import page
from .terms import local_href, show

bp = Blueprint("pictures", __name__)
RDF_TYPE = PREFIXES["rdf"] + "type"
HOW_LABELS = {"addresses": "must address", "indicator": "reports an indicator measuring it"}


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
            "text": "Which plan and report requirements address which outcomes, nationally or for one area.",
        },
        {
            "title": "Reporting burden",
            "href": "/pictures/burden",
            "text": "How many plans, reports and indicator reports fall on each type of body.",
        },
        {
            "title": "Network view",
            "href": "/id/req-childrens-services-plan/network",
            "text": "The neighbourhood of any entity: open an entity page and follow 'network view'.",
        },
    ]
    return page("pictures.html", {"title": "Pictures", "pictures": items})


def _in_area(rows: list[dict[str, str | None]], choice: areas.AreaChoice) -> list[dict[str, str | None]]:
    """Keep rows whose requirement applies in the chosen area (all rows for Scotland as a whole)."""
    if not choice.iri:
        return rows
    applying = set(select("area-requirements", area=ox.NamedNode(choice.iri)).values("req"))
    return [r for r in rows if r["req"] in applying]


def _area_choice() -> areas.AreaChoice:
    return areas.choose(request.args.get("area", ""))


@bp.get("/pictures/alignment")
def alignment() -> Response:
    choice = _area_choice()
    set_filter = request.args.get("set", "").strip()
    rows = _in_area(select("alignment").records(), choice) if not choice.error else []
    cells: dict[tuple[str, str], set[str]] = defaultdict(set)
    reqs: dict[str, str] = {}
    outcomes: dict[str, dict[str, str]] = {}
    sets: dict[str, str] = {}
    for r in rows:
        set_iri = r["set"] or ""
        sets.setdefault(set_iri, r["setLabel"] or curie(set_iri) or "(no set)")
        if set_filter and set_filter not in (set_iri, set_iri.removeprefix(str(KB))):
            continue
        req, outcome = r["req"] or "", r["outcome"] or ""
        reqs[req] = r["reqLabel"] or curie(req) or req
        full = r["outcomeLabel"] or curie(outcome) or outcome
        outcomes[outcome] = {
            "label": full,
            "short": short_label(full),
            "set": set_iri,
            "set_label": sets[set_iri],
        }
        cells[(req, outcome)].add(r["how"] or "")
    columns = sorted(outcomes.items(), key=lambda kv: (kv[1]["set_label"].lower(), _natural(kv[1]["label"])))
    matrix = []
    for req, label in sorted(reqs.items(), key=lambda kv: kv[1].lower()):
        row_cells = []
        for outcome, _meta in columns:
            hows = sorted(cells.get((req, outcome), set()))
            level = ("both" if len(hows) == 2 else hows[0]) if hows else "none"
            row_cells.append(
                {
                    "outcome": outcome,
                    "level": level,
                    "hows": hows,
                    "title": "; ".join(HOW_LABELS.get(h, h) for h in hows),
                }
            )
        matrix.append(
            {
                "iri": req,
                "href": local_href(req),
                "label": label,
                "cells": row_cells,
                "count": sum(1 for c in row_cells if c["hows"]),
            }
        )
    data = {
        "title": "Alignment matrix" + (f": {choice.label}" if choice.label else ""),
        "area": {"iri": choice.iri, "label": choice.label, "query": request.args.get("area", "")},
        "error": choice.error,
        "suggestions": choice.suggestions,
        "set": set_filter,
        "sets": [
            {"iri": k, "slug": k.removeprefix(str(KB)), "label": v}
            for k, v in sorted(sets.items(), key=lambda kv: kv[1])
        ],
        "areas": areas.options(),
        "outcomes": [{"iri": o, "href": local_href(o), **meta} for o, meta in columns],
        "rows": matrix,
        "rule": select_rule("alignment"),
    }
    return page("alignment.html", data, status=400 if choice.error else 200)


def select_rule(name: str) -> str:
    from .kbase import query_doc

    return query_doc(name).meta.get("rule", "")


@bp.get("/pictures/burden")
def burden() -> Response:
    choice = _area_choice()
    rows = _in_area(select("burden").records(), choice) if not choice.error else []
    per_type: dict[str, dict[str, Any]] = {}
    for r in rows:
        body_type = r["bodyType"] or ""
        entry = per_type.setdefault(
            body_type, {"label": r["bodyTypeLabel"], "plan": set(), "report": set(), "pairs": set()}
        )
        if r["kind"] in ("plan", "report"):
            entry[r["kind"]].add(r["req"])
        if r["pair"]:
            entry["pairs"].add(r["pair"])
    bars = []
    for body_type, entry in per_type.items():
        plans, reports, indicators = len(entry["plan"]), len(entry["report"]), len(entry["pairs"])
        bars.append(
            {
                "iri": body_type,
                "href": local_href(body_type),
                "label": entry["label"] or curie(body_type) or "",
                "plans": plans,
                "reports": reports,
                "indicators": indicators,
                "total": plans + reports,
            }
        )
    bars.sort(key=lambda b: (-b["total"], -b["indicators"], b["label"].lower()))
    data = {
        "title": "Reporting burden" + (f": {choice.label}" if choice.label else ""),
        "area": {"iri": choice.iri, "label": choice.label, "query": request.args.get("area", "")},
        "error": choice.error,
        "suggestions": choice.suggestions,
        "areas": areas.options(),
        "bars": bars,
        "rule": select_rule("burden"),
    }
    return page("burden.html", data, chart=_chart(bars), status=400 if choice.error else 200)


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
        iri: {
            "id": iri,
            "label": data["label"],
            "href": local_href(iri),
            "centre": True,
            "type": _type_label(data["types"]),
        }
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
    for node_iri in used:
        if not nodes[node_iri]["type"]:
            types = select("entity-types", entity=ox.NamedNode(node_iri)).records()
            nodes[node_iri]["type"] = next(
                (t["typeLabel"] or "" for t in types if (t["type"] or "").startswith(PREFIXES["ak"])), ""
            )
    payload = {
        "title": f"Network: {data['label']}",
        "centre": {"iri": iri, "label": data["label"], "href": local_href(iri)},
        "nodes": [nodes[n] for n in nodes if n in used],
        "edges": edges,
    }
    return page("network.html", payload)


def _type_label(types: list[dict[str, Any]]) -> str:
    return next((t["label"] for t in types if t["value"].startswith(PREFIXES["ak"])), "")


def shown(iri: str) -> dict[str, Any]:
    return show(ox.NamedNode(iri)).to_dict()
