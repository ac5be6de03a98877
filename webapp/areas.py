"""Areas blueprint: a page for each council area (``/areas/<slug>``, the slug of its ``/id/<slug>``) and an index
(``/areas``).

An area's page says, in words, who holds what (the ``delegation`` analysis), which bodies serve the area, every plan
and report they must produce with its next due date (the ``calendar`` analysis from the as-at date), the local plans
recorded, the area's planning and reporting load (the ``burden`` analysis), and links into each analysis filled in
for the area. The analyses run through :func:`kb.analyses.run`, so the page says what ``alignkb query`` says.
``?as_at=YYYY-MM-DD`` (or ``?as-at=``) shows the area as it stood on that date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers.response import Response as BaseResponse

from kb.analyses import AnalysisResult, ParameterError, parse_date_param, run
from kb.analyses.context import RunContext
from kb.analyses.labels import index
from kb.analyses.labels import search as search_names
from kb.analyses.landscape import bodies_in
from kb.model.namespace import KB, PREFIXES
from kb.store import term_text
from kb.store.querydoc import query_text

from .kbase import get_store, select
from .negotiate import page
from .terms import local_href
from .words import in_words

bp = Blueprint("areas", __name__)
AK = PREFIXES["ak"]
CALENDAR_YEARS = 6  # how far ahead the calendar looks for each plan's or report's next due date (the longest cycle)

# The kinds of body a planner looks for first, in this order; any other kind a body has is listed after them.
MAIN_TYPES = (
    "bt-local-authority",
    "bt-health-board",
    "bt-integration-joint-board",
    "bt-lead-agency",
    "bt-integration-authority",
    "bt-community-planning-partnership",
)
SERVICE_TYPES = {AK + "ServiceCategory", AK + "Service"}
STATUS_ORDER = ("delegated", "partly delegated", "led by a lead agency", "not delegated", "no arrangement recorded")


def day_words(iso: str | None) -> str:
    """'2022-03-07' as '7 March 2022' (an empty or unreadable date as it is)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.day} {d:%B} {d.year}"


def council_areas() -> list[dict[str, str]]:
    """The council areas, by name, each with its page."""
    labels = index(get_store())
    out = []
    for r in select("areas").records():
        iri = r["area"] or ""
        if not iri.startswith(str(KB)):
            continue
        slug = iri[len(str(KB)) :]
        out.append({"iri": iri, "slug": slug, "label": labels.display(iri), "href": f"/areas/{slug}"})
    return sorted(out, key=lambda a: a["label"].lower())


def _q(path: str, **params: str) -> str:
    kept = {k: v for k, v in params.items() if v}
    return path + (f"?{urlencode(kept)}" if kept else "")


def _as_at() -> tuple[str, date | None, dict[str, Any] | None]:
    """The as-at date as typed, as a date (None for today), and an error for the form when it is not a date."""
    text = (request.args.get("as_at") or request.args.get("as-at") or "").strip()
    if not text:
        return "", None, None
    try:
        return text, parse_date_param(text, "as_at"), None
    except ParameterError:
        message = f"'{text}' is not a date this page can read: write it as year-month-day, for example 2024-04-01"
        return text, None, {"param": "as_at", "value": text, "message": message}


def _sources(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The sources of a row, each passage once (a passage supporting several statements is cited once)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for s in items or []:
        key = (str(s.get("source") or ""), str(s.get("locator") or ""), str(s.get("graph") or ""))
        if key in seen:
            continue
        seen.add(key)
        out.append({**s, "href": local_href(key[0]), "graph_href": local_href(key[2]) if key[2] else None})
    return out


def _linked(labels: list[str], known: dict[str, str]) -> list[dict[str, str | None]]:
    """Names as links to their pages where the name is one of ``known`` (label → IRI)."""
    return [{"label": name, "href": local_href(known[name]) if name in known else None} for name in labels]


def _bodies(ctx: RunContext, area: str, when: date) -> list[dict[str, Any]]:
    """Each body serving the area once, with the kinds of body it is (the main kind first) and, where recorded,
    when it was established or dissolved."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for body_type, bodies in bodies_in(ctx, area).items():
        for body in bodies:
            if body:
                kinds[body].add(body_type)
    dates: dict[str, dict[str, str]] = defaultdict(dict)
    for r in get_store().select(query_text("fetch-body-dates")).rows:
        x, p, v = term_text(r["x"]), term_text(r["p"]), term_text(r["v"])
        if x in kinds and p and v:
            dates[x][p.rsplit("#", 1)[-1]] = v

    def order(t: str) -> tuple[int, str]:
        local = t.rsplit("#", 1)[-1]
        return (MAIN_TYPES.index(local) if local in MAIN_TYPES else len(MAIN_TYPES), ctx.label(t).lower())

    out = []
    for body, types in kinds.items():
        ranked = sorted(types, key=order)
        established, dissolved = dates[body].get("establishedOn"), dates[body].get("dissolvedOn")
        state = ""
        if established and established[:10] > when.isoformat():
            state = f"not yet established on {day_words(when.isoformat())} (established {day_words(established)})"
        elif dissolved and dissolved[:10] <= when.isoformat():
            state = f"dissolved on {day_words(dissolved)}"
        elif established:
            state = f"established {day_words(established)}"
        out.append(
            {
                "iri": body,
                "label": ctx.label(body),
                "href": local_href(body),
                "kind": ctx.label(ranked[0]),
                "also": [ctx.label(t) for t in ranked[1:]],
                "state": state,
                "rank": order(ranked[0])[0],
            }
        )
    return sorted(out, key=lambda b: (b["rank"], b["label"].lower()))


def _delegation(result: AnalysisResult, bodies: dict[str, str], area_label: str, as_at: str) -> list[dict[str, Any]]:
    labels = index(get_store())
    rows = []
    for r in result.rows:
        status = str(r.get("status") or "")
        to = [str(x) for x in r.get("delegated_to") or []]
        lead = [str(x) for x in r.get("lead") or []]
        named = list(dict.fromkeys(to + lead))
        if status in ("delegated", "partly delegated"):
            lead_in, tail = (f"{status.capitalize()} to", "") if named else (status.capitalize(), "")
        elif status == "led by a lead agency":
            lead_in, tail = ("Led by", " (lead agency)") if named else ("Led by a lead agency", "")
        elif status == "not delegated":
            lead_in, tail, named = "Not delegated: the council or health board keeps it", "", []
        else:
            lead_in, tail, named = "No arrangement recorded: the council or health board is taken to keep it", "", []
        rows.append(
            {
                "category": r.get("category_label") or "",
                "category_href": local_href(str(r.get("category") or "")),
                "status": status,
                "lead_in": lead_in,
                "named": _linked(named, bodies),
                "tail": tail,
                "summary": lead_in + (" " + ", ".join(named) if named else "") + tail,
                "as_at": r.get("as_at") or "",
                "as_at_words": day_words(r.get("as_at")),
                "conflict": r.get("conflict") == "yes",
                "covered_by": [str(x) for x in r.get("covered_by") or []],
                "explanation": [str(e) for e in r.get("explanation") or []],
                "sources": _sources(r.get("sources")),
                # a lead agency leads for a population group (adults, children), not a service category
                "obligations": _q(
                    "/analyses/obligations", area=area_label, service=str(r.get("category_label") or ""), as_at=as_at
                )
                if SERVICE_TYPES & labels.types.get(str(r.get("category") or ""), set())
                else None,
            }
        )
    return rows


def _delegation_summary(rows: list[dict[str, Any]], area_label: str, as_at_words: str) -> str:
    """'Of 11 service categories: 7 delegated, …', and which groups of people a lead agency leads for."""
    counts: dict[str, int] = defaultdict(int)
    led = [r for r in rows if r["status"] == "led by a lead agency"]
    categories = [r for r in rows if r not in led]
    for r in categories:
        counts[r["status"]] += 1
    parts = [f"{counts[s]} {s}" for s in STATUS_ORDER if counts.get(s)]
    parts += [f"{n} {s}" for s, n in counts.items() if s not in STATUS_ORDER]
    text = ""
    if categories and counts.get("no arrangement recorded") == len(categories):
        text = (
            f"No delegation arrangement is recorded for {area_label} on or before {as_at_words}: for each of its "
            f"{len(categories)} service categories the council or health board is taken to keep it."
        )
    elif parts:
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        text = f"Of {len(categories)} service categories: {listed}."
    if led:
        leads = "; ".join(f"{r['category']} ({', '.join(b['label'] for b in r['named'])})" for r in led)
        text += f" A lead agency leads for: {leads}."
    return text.strip()


def _calendar(result: AnalysisResult) -> list[dict[str, Any]]:
    """One row per plan or report: its next due date on or after the as-at date, or 'not known'."""
    first: dict[str, dict[str, Any]] = {}
    for r in result.rows:
        req = str(r.get("requirement") or "")
        if req and (req not in first or (first[req].get("status") != "next" and r.get("status") == "next")):
            first[req] = r
    rows = []
    for req, r in first.items():
        known = bool(r.get("date")) and r.get("due_kind") != "unknown"
        rows.append(
            {
                "requirement": req,
                "label": r.get("requirement_label") or "",
                "href": local_href(req),
                "kind": r.get("kind") or "",
                "date": r.get("date") or "",
                "known": known,
                "due": r.get("due") or "not known",
                "period": r.get("period") or "",
                "preparers": [str(x) for x in r.get("preparers") or []],
                "recipients": [str(x) for x in r.get("recipients") or []],
                "set_by": [
                    {"label": str(label), "href": local_href(str(iri))}
                    for label, iri in zip(r.get("set_by") or [], r.get("set_by_iris") or [], strict=False)
                ],
                "clash": r.get("clash") or "",
                "explanation": [str(e) for e in r.get("explanation") or []],
                "sources": _sources(r.get("sources")),
            }
        )
    return sorted(rows, key=lambda x: (not x["known"], x["date"] or "9999", str(x["label"]).lower()))


def _plans(ctx: RunContext, area: str, when: date) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for r in select("area-plans", area=ox.NamedNode(area)).records():
        plan = r["plan"] or ""
        entry = found.setdefault(
            plan,
            {
                "iri": plan,
                "label": ctx.label(plan),
                "href": local_href(plan),
                "served": ctx.label(r["served"]) if r["served"] != area else "",
                "preparers": {},
                "realises": {},
                "start": r["start"] or "",
                "end": r["end"] or "",
                "definition": in_words(r["definition"] or ""),
                "comment": in_words(r["comment"] or ""),
            },
        )
        if r["preparer"]:
            entry["preparers"][ctx.label(r["preparer"])] = local_href(r["preparer"])
        if r["requirement"]:
            entry["realises"][ctx.label(r["requirement"])] = local_href(r["requirement"])
    today = when.isoformat()
    out = []
    for e in found.values():
        start, end = str(e["start"])[:10], str(e["end"])[:10]
        if start and end:
            period = f"{day_words(start)} to {day_words(end)}"
        elif start:
            period = f"from {day_words(start)} (end not recorded)"
        elif end:
            period = f"until {day_words(end)} (start not recorded)"
        else:
            period = "period not recorded"
        if end and end < today:
            state = f"ended before {day_words(today)}"
        elif start and start > today:
            state = f"not yet begun on {day_words(today)}"
        elif start and end:
            state = f"current on {day_words(today)}"
        else:  # one end of the period is not recorded: whether it was current is not known
            state = f"whether it was current on {day_words(today)} is not known"
        out.append(
            {
                **e,
                "period": period,
                "state": state,
                "preparers": [{"label": k, "href": v} for k, v in sorted(e["preparers"].items())],
                "realises": [{"label": k, "href": v} for k, v in sorted(e["realises"].items())],
            }
        )
    return sorted(out, key=lambda p: str(p["label"]).lower())


def _burden(result: AnalysisResult) -> list[dict[str, Any]]:
    """The area's own row, then each body serving it (the load by kind of body is on the burden analysis)."""
    rows = []
    for r in result.rows:
        if r.get("level") not in ("area", "body"):
            continue
        rows.append(
            {
                "level": r["level"],
                "name": r.get("name") or "",
                "href": local_href(str(r.get("entity") or "")),
                **{k: r.get(k) for k in ("plans", "reports", "indicators", "per_year", "through_delegation")},
                "explanation": [str(e) for e in r.get("explanation") or []],
            }
        )
    return sorted(rows, key=lambda r: r["level"] != "area")


def _links(area: dict[str, str], as_at: str) -> list[dict[str, str]]:
    """Every analysis and picture that takes an area, filled in for this one."""
    name = area["label"]
    return [
        {
            "label": "Who holds what, with every source",
            "href": _q("/analyses/delegation", area=name, as_at=as_at),
            "words": f"The delegation analysis for {name}: each service category and the source that says so.",
        },
        {
            "label": "Reporting calendar",
            "href": _q("/calendar", area=name, **{"as-at": as_at}),
            "words": "Past and next due dates month by month, clashes, and a calendar file to subscribe to.",
        },
        {
            "label": "Planning and reporting load",
            "href": _q("/analyses/burden", area=name, as_at=as_at),
            "words": "How many plans, reports and indicators fall on each body and kind of body.",
        },
        {
            "label": "Planning and reporting load as a chart",
            "href": _q("/pictures/burden", area=name, **{"as-at": as_at}),
            "words": f"The same load, drawn for {name}.",
        },
        {
            "label": "Measures reported more than once",
            "href": _q("/analyses/duplicate-reporting", area=name, as_at=as_at),
            "words": "Indicators that the bodies serving the area report in two or more reports.",
        },
        {
            "label": "Alignment picture",
            "href": _q("/pictures/alignment", area=name, **{"as-at": as_at}),
            "words": "Which outcomes each plan and report must address, as a grid.",
        },
        {
            "label": "Alignment table",
            "href": _q("/analyses/alignment", area=name, as_at=as_at),
            "words": "The same alignment as a table, with the reasons for each row.",
        },
        {
            "label": f"Everything recorded about {name}",
            "href": f"/id/{area['slug']}",
            "words": "Every statement about the area, with its sources.",
        },
    ]


def _years_after(when: date, years: int) -> date:
    try:
        return when.replace(year=when.year + years)
    except ValueError:  # 29 February
        return date(when.year + years, 2, 28)


def _area(slug: str) -> dict[str, str] | None:
    return next((a for a in council_areas() if a["slug"] == slug), None)


def _not_found(slug: str) -> Response:
    wanted = slug.replace("-", " ").strip()
    near = search_names(get_store(), wanted, types=[AK + "CouncilArea"], limit=5) if wanted else []
    suggestions = [
        {"iri": m.iri, "label": m.label, "href": f"/areas/{m.iri[len(str(KB)) :]}"}
        for m in near
        if m.iri.startswith(str(KB))
    ]
    data = {"title": "Page not found", "kind": "council area", "name": slug, "suggestions": suggestions}
    return page("not_found.html", data, status=404)


@bp.get("/areas")
def areas_index() -> Response:
    ctx = RunContext(get_store(), "areas", "", {}, date.today())
    rows = []
    for a in council_areas():
        kinds = bodies_in(ctx, a["iri"])
        rows.append(
            {
                **a,
                "health_boards": ctx.labelled(kinds.get(AK + "bt-health-board", set())),
                "integration": ctx.labelled(kinds.get(AK + "bt-integration-authority", set())),
            }
        )
    return page("areas.html", {"title": "Council areas", "areas": rows})


@bp.get("/areas/<slug>")
def area_page(slug: str) -> BaseResponse:
    area = _area(slug)
    if area is None:
        lowered = _area(slug.lower().replace(" ", "-"))
        if lowered is not None:
            return redirect(lowered["href"] + (f"?{request.query_string.decode()}" if request.query_string else ""))
        return _not_found(slug)
    as_at_text, as_at, error = _as_at()
    data: dict[str, Any] = {
        "title": area["label"],
        "area": area,
        "values": {"as_at": as_at_text},
        "error": error,
    }
    if error:
        return page("area.html", data, status=400)
    store = get_store()
    when = as_at or date.today()
    ctx = RunContext(store, "areas", "", {}, when)
    bodies = _bodies(ctx, area["iri"], when)
    body_iris = {b["label"]: b["iri"] for b in bodies}
    delegation = run(store, "delegation", {"area": area["iri"]}, when)
    to = _years_after(when, CALENDAR_YEARS)
    calendar = run(store, "calendar", {"area": area["iri"], "from": when.isoformat(), "to": to.isoformat()}, when)
    burden = run(store, "burden", {"area": area["iri"]}, when)
    shown: list[str] = []

    def notes(result: AnalysisResult) -> list[str]:
        fresh = [n for n in result.notes if n not in shown and not n.startswith("Dates from ")]
        shown.extend(fresh)
        return fresh

    delegation_rows = _delegation(delegation, body_iris, area["label"], as_at_text)
    calendar_rows = _calendar(calendar)
    calendar_notes = notes(calendar)  # first: the requirements whose applicability is not known belong with the dates
    data.update(
        {
            "as_at": when.isoformat(),
            "as_at_words": day_words(when.isoformat()),
            "dated": bool(as_at),
            "calendar_to_words": day_words(to.isoformat()),
            "bodies": bodies,
            "delegation": delegation_rows,
            "delegation_summary": _delegation_summary(delegation_rows, area["label"], day_words(when.isoformat())),
            "delegation_notes": notes(delegation),
            "calendar": calendar_rows,
            "calendar_known": sum(1 for r in calendar_rows if r["known"]),
            "calendar_notes": calendar_notes,
            "plans": _plans(ctx, area["iri"], when),
            "burden": _burden(burden),
            "burden_notes": notes(burden),
            "links": _links(area, as_at_text),
            "obligations_action": "/analyses/obligations",
            "calendar_href": _q("/calendar", area=area["label"], **{"as-at": as_at_text}),
            "calendar_ics": _q("/calendar.ics", area=area["label"], **{"as-at": as_at_text}),
        }
    )
    return page("area.html", data)
