"""Pictures blueprint: the alignment matrix (requirements × outcomes), the reporting-burden charts and an entity's
neighbourhood. The matrix and the charts draw the results of the named analyses ``alignment`` and ``burden``
(:func:`kb.analyses.run`), so they give the same answer, by the same rule, as ``/analyses/<name>``: ``?area=`` and
``?as-at=`` are resolved by the engine, exactly as on the analysis pages. Every picture is drawn on the server (an
HTML table or SVG) so it reads without JavaScript, and every picture has a text equivalent on its page: the
matrix's cells as a list with their reasons, the figures behind each chart as a table, the neighbourhood as a list
grouped by relation."""

from __future__ import annotations

import re
from collections import defaultdict
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
    "outcome": "must address the outcome itself",
    "set": "must address the outcome set it is in",
    "framework": "must address a framework it is in",
    "correspondence": "through the frameworks: an outcome it must address contributes to it or is the same as it",
}
DIRECT = "direct"
NETWORK_CAP = 12  # neighbours shown per relation before "show all"
NETWORK_LIMIT = 2000  # links read at most, for an entity with very many


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
            "text": "How many plans, reports and indicators fall on each type of body and each council area, or on "
            "each body serving one area, on a date (the burden analysis).",
        },
        {
            "title": "Network view",
            "href": "/types",
            "text": "What any entity is linked to, grouped by kind of link: find it by type or by search, open its "
            "page and follow the link to the picture of what it is linked to.",
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
        "how": analyses()[name].how,
        "analysis": {
            "name": name,
            "href": _href(f"/analyses/{name}", {"area": values["area"], "as_at": values["as-at"]}),
        },
    }
    return result, form


def _title(text: str, form: dict[str, Any]) -> str:
    where = f": {form['area']['label']}" if form["area"]["label"] else ""
    return text + where + (f", as at {form['as_at']}" if form["as_at"] else "")


def _sources(row: dict[str, Any]) -> list[dict[str, Any]]:
    """An analysis row's sources as the ``sources`` macro shows them: each linked to its source and evidence page."""
    return [
        {
            **s,
            "href": local_href(str(s.get("source") or "")),
            "graph_href": local_href(str(s.get("graph") or "")),
        }
        for s in row.get("sources") or []
    ]


def _set_frameworks(sets: list[str]) -> dict[str, list[dict[str, str | None]]]:
    found: dict[str, dict[str, dict[str, str | None]]] = defaultdict(dict)
    for r in select_each("set-frameworks", "set", (ox.NamedNode(s) for s in sets if s)).records():
        framework = r["framework"] or ""
        found[r["set"] or ""].setdefault(
            framework, {"iri": framework, "label": r["label"] or framework, "href": local_href(framework)}
        )
    return {k: sorted(v.values(), key=lambda f: str(f["label"]).lower()) for k, v in found.items()}


@bp.get("/pictures/alignment")
def alignment() -> Response:
    set_filter = request.args.get("set", "").strip()
    result, form = _analysis("alignment", "/pictures/alignment", {"set": set_filter})
    rows = result.rows if result is not None else []
    sets = {r["outcome_set"]: r.get("outcome_set_label") or "(no outcome set)" for r in rows}
    if set_filter:
        rows = [r for r in rows if set_filter in (r["outcome_set"], r["outcome_set"].removeprefix(str(KB)))]
    cells = {(r["requirement"], r["outcome"]): r for r in rows}
    reqs = {r["requirement"]: r["requirement_label"] for r in rows}
    # each outcome sits in one column group: the set it is reached through most often (ties: by the set's name)
    routes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        routes[r["outcome"]][r["outcome_set"]] += 1
    outcomes: dict[str, dict[str, str]] = {}
    for r in rows:
        home_set = min(routes[r["outcome"]].items(), key=lambda kv: (-kv[1], sets[kv[0]].lower()))[0]
        outcomes[r["outcome"]] = {
            "label": r["outcome_label"],
            "short": short_label(r["outcome_label"]),
            "set": home_set,
            "set_label": sets[home_set],
        }
    columns = sorted(outcomes.items(), key=lambda kv: (kv[1]["set_label"].lower(), _natural(kv[1]["label"])))
    frameworks = _set_frameworks(sorted({meta["set"] for _o, meta in columns}))
    groups: list[dict[str, Any]] = []
    for outcome, meta in columns:
        if not groups or groups[-1]["iri"] != meta["set"]:
            groups.append(
                {
                    "iri": meta["set"],
                    "label": meta["set_label"],
                    "href": local_href(meta["set"]) if meta["set"] else None,
                    "frameworks": frameworks.get(meta["set"], []),
                    "span": 0,
                    "first": outcome,
                }
            )
        groups[-1]["span"] += 1
    starts = {g["first"] for g in groups}
    matrix = []
    for i, (req, label) in enumerate(sorted(reqs.items(), key=lambda kv: kv[1].lower()), start=1):
        row_cells, items = [], []
        for j, (outcome, meta) in enumerate(columns, start=1):
            cell = cells.get((req, outcome))
            level = cell["via"] if cell else "none"
            anchor = f"cell-{i}-{j}"
            row_cells.append(
                {
                    "outcome": outcome,
                    "level": level,
                    "alignment": (cell.get("alignment") or DIRECT) if cell else None,
                    "title": "; ".join(cell["explanation"][1:]) if cell else "",
                    "anchor": anchor if cell else None,
                    "group_start": outcome in starts,
                }
            )
            if cell:
                items.append(
                    {
                        "anchor": anchor,
                        "outcome": {"iri": outcome, "label": meta["label"], "href": local_href(outcome)},
                        "set_label": meta["set_label"],
                        "level": level,
                        "alignment": cell.get("alignment") or DIRECT,
                        "how": VIA_TITLES.get(level, level),
                        "explanation": [str(e) for e in cell.get("explanation") or []],
                        "sources": _sources(cell),
                    }
                )
        direct = sum(1 for c in row_cells if c["alignment"] == DIRECT)
        matrix.append(
            {
                "iri": req,
                "href": local_href(req),
                "label": label,
                "anchor": f"requirement-{i}",
                "cells": row_cells,
                "count": sum(1 for c in row_cells if c["level"] != "none"),
                "direct": direct,
                "derived": sum(1 for c in row_cells if c["alignment"] not in (None, DIRECT)),
                "items": items,
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
        "groups": [{k: v for k, v in g.items() if k != "first"} for g in groups],
        "outcomes": [{"iri": o, "href": local_href(o), "group_start": o in starts, **meta} for o, meta in columns],
        "rows": matrix,
    }
    return page("alignment.html", data, status=400 if form["error"] else 200)


def _bar(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "iri": row["entity"] or None,
        "href": local_href(row["entity"]) if row["entity"] else None,
        "label": row["name"],
        "plans": row["plans"],
        "reports": row["reports"],
        "indicators": row["indicators"],
        "per_year": row["per_year"],
        "through_delegation": row.get("through_delegation") or 0,
        "total": row["plans"] + row["reports"],
        "explanation": row.get("explanation") or [],
    }


@bp.get("/pictures/burden")
def burden() -> Response:
    result, form = _analysis("burden", "/pictures/burden", {})
    rows = result.rows if result is not None else []
    bars = [_bar(r) for r in rows if r["level"] == "body type"]
    areas = [_bar(r) for r in rows if r["level"] == "area"]
    bodies = [_bar(r) for r in rows if r["level"] == "body"] if form["area"]["iri"] else []
    total = next((_bar(r) for r in rows if r["level"] == "Scotland"), None)
    where = form["area"]["label"]
    charts = []
    if bodies:
        charts.append(_chart("bodies", f"Each body serving {where}", "Body", bodies))
    if bars:
        title = "Each type of body" + (f" serving {where}" if where else " in Scotland")
        charts.append(_chart("types", title, "Type of body", bars))
    if areas and not where:
        charts.append(_chart("areas", "Each council area", "Council area", areas))
    data = {
        **form,
        "title": _title("Reporting burden", form),
        "bars": bars,
        "bodies": bodies,
        "areas": areas,
        "total": total,
        "area_total": areas[0] if where and areas else None,
    }
    return page("burden.html", data, charts=charts, status=400 if form["error"] else 200)


def _chart(key: str, title: str, kind: str, bars: list[dict[str, Any]]) -> dict[str, Any]:
    """A horizontal stacked bar chart (plans, then reports) that reads at any width: each bar's name and figures are
    a line of text above it, and lengths are shares of the chart's width (SVG percentages), so nothing scales down
    to an unreadable size on a phone."""
    row_height, bar_height, top = 46, 16, 8
    biggest = max([b["total"] for b in bars] + [1])
    share = 78.0  # the longest bar's share of the width; the rest holds its total
    items = []
    for i, b in enumerate(bars):
        y = top + i * row_height
        plans = b["plans"] * share / biggest
        reports = b["reports"] * share / biggest
        items.append(
            {
                **b,
                "text_y": y + 14,
                "bar_y": y + 20,
                "plans_w": f"{plans:.2f}%",
                "reports_x": f"{plans:.2f}%",
                "reports_w": f"{reports:.2f}%",
                "end_x": f"{plans + reports + 1.5:.2f}%",
                "end_y": y + 33,
                "name": b["label"] if len(b["label"]) <= 44 else b["label"][:43] + "…",
            }
        )
    return {
        "key": key,
        "title": title,
        "kind": kind,
        "bars": bars,
        "items": items,
        "height": top + len(bars) * row_height + 4,
        "bar_height": bar_height,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "link"


@bp.get("/id/<slug>/network")
def network(slug: str) -> Response:
    iri = str(KB) + slug
    data = describe(iri)
    if data is None:
        return not_found(slug, "entity")
    show = request.args.get("show", "").strip()
    nodes: dict[str, dict[str, Any]] = {
        iri: {"id": iri, "label": data["label"], "href": local_href(iri), "centre": True, "type": ""}
    }
    edges: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    keys: set[str] = set()
    for direction, found in (("out", data["outgoing"]), ("in", data["incoming"])):
        for group in found:
            if group["property"]["value"] == RDF_TYPE:
                continue
            members = []
            for value in group["values"]:
                other = value["value"]
                if other["kind"] != "iri" or not other["value"].startswith(str(KB)) or len(edges) >= NETWORK_LIMIT:
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
                members.append(other["value"])
            if not members:
                continue
            key = f"{direction}-{_slug(group['property']['label'])}"
            while key in keys:
                key += "-2"
            keys.add(key)
            groups.append(
                {
                    "key": key,
                    "direction": direction,
                    "property": {"iri": group["property"]["value"], "label": group["property"]["label"]},
                    "members": members,
                }
            )
    used = {iri} | {e["source"] for e in edges} | {e["target"] for e in edges}
    for key, type_label in _type_labels(used).items():
        nodes[key]["type"] = type_label
    shown_groups = []
    for g in groups:
        everything = show in ("all", g["key"]) or len(g["members"]) <= NETWORK_CAP
        members = g["members"] if everything else g["members"][:NETWORK_CAP]
        shown_groups.append(
            {
                "key": g["key"],
                "direction": g["direction"],
                "property": g["property"],
                "count": len(g["members"]),
                "members": [nodes[m] for m in members],
                "hidden": len(g["members"]) - len(members),
                "more_href": None if everything else f"{request.path}?show={g['key']}#{g['key']}",
            }
        )
    centre = {"iri": iri, "label": data["label"], "href": local_href(iri)}
    payload = {
        "title": f"Network: {data['label']}",
        "centre": centre,
        "cap": NETWORK_CAP,
        "show": show,
        "groups": shown_groups,
        "nodes": [nodes[n] for n in nodes if n in used],
        "edges": edges,
    }
    return page("network.html", payload, figure=_bow_tie(centre, shown_groups))


def _bow_tie(centre: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the neighbourhood drawn as a bow tie: what points at the entity on the left, what it points at on
    the right, one box per relation listing its (capped) members, and one line per relation to the entity."""
    column, middle, gap, line, head = 300, 220, 60, 20, 30
    width = 2 * column + middle + 2 * gap
    sides: dict[str, list[dict[str, Any]]] = {"in": [], "out": []}
    heights = {"in": 30, "out": 30}
    for g in groups:
        lines = len(g["members"]) + (1 if g["more_href"] else 0)
        height = head + lines * line + 8
        x = 0 if g["direction"] == "in" else column + middle + 2 * gap
        y = heights[g["direction"]]
        sides[g["direction"]].append(
            {
                **g,
                "x": x,
                "y": y,
                "height": height,
                "title": f"{g['property']['label']} ({g['count']})",
                "rows": [
                    {
                        "y": y + head + k * line + 14,
                        "label": m["label"] if len(m["label"]) <= 37 else m["label"][:36] + "…",
                        "full": m["label"] + (f" ({m['type']})" if m["type"] else ""),
                        "href": m["href"],
                    }
                    for k, m in enumerate(g["members"])
                ],
                "more_y": y + head + len(g["members"]) * line + 14,
                "anchor_y": y + head / 2,
            }
        )
        heights[g["direction"]] = y + height + 16
    height = max(heights.values()) + 10
    centre_height = 80
    centre_y = max(30, (height - centre_height) / 2)
    centre_x = column + gap
    for g in sides["in"]:
        g["line"] = {"x1": column, "y1": g["anchor_y"], "x2": centre_x, "y2": centre_y + centre_height / 2}
    for g in sides["out"]:
        g["line"] = {"x1": centre_x + middle, "y1": centre_y + centre_height / 2, "x2": g["x"], "y2": g["anchor_y"]}
    words = centre["label"].split()
    lines_of_label: list[str] = []
    for word in words:
        if lines_of_label and len(lines_of_label[-1]) + len(word) < 26:
            lines_of_label[-1] += " " + word
        else:
            lines_of_label.append(word)
    return {
        "width": width,
        "height": max(height, centre_y + centre_height + 20),
        "column": column,
        "centre": {
            "x": centre_x,
            "y": centre_y,
            "width": middle,
            "height": centre_height,
            "lines": [
                {"text": t, "y": centre_y + centre_height / 2 + (k - (len(lines_of_label[:3]) - 1) / 2) * 16 + 5}
                for k, t in enumerate(lines_of_label[:3])
            ],
        },
        "left": sides["in"],
        "right": sides["out"],
        "out_x": column + middle + 2 * gap,
    }


def _type_labels(iris: set[str]) -> dict[str, str]:
    """Each entity's first ontology type label (by type IRI), fetched for all of them in one query."""
    found: dict[str, list[tuple[str, str]]] = {}
    for r in select_each("entity-types", "entity", (ox.NamedNode(i) for i in iris)).records():
        kind = r["type"] or ""
        if kind.startswith(PREFIXES["ak"]):
            found.setdefault(r["entity"] or "", []).append((kind, r["typeLabel"] or ""))
    return {entity: min(types)[1] for entity, types in found.items()}
