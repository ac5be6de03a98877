"""Calendar blueprint: the reporting calendar of an area or a body, as a page (``/calendar?area=Inverclyde``, with
``&body=``, ``&from=``, ``&to=`` and ``&as-at=``) and as an iCalendar file planners can subscribe to
(``/calendar.ics`` with the same parameters; RFC 5545, written with the ``icalendar`` library). Both draw the named
analysis ``calendar`` (:func:`kb.analyses.run`), so they give the same dates, by the same rule, as
``/analyses/calendar`` and ``alignkb query calendar``."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import icalendar
from flask import Blueprint, Response, request

from kb.analyses import AnalysisResult, ParameterError, analyses, run
from kb.analyses.labels import index as label_index
from kb.model.namespace import KB

from .analyses import parameter_error
from .kbase import get_store, select
from .negotiate import page
from .terms import local_href

bp = Blueprint("calendar", __name__)
PARAMS = ("area", "body", "from", "to")
AS_AT_KEYS = ("as-at", "as_at")
PRODID = "-//alignkb//Reporting calendar//EN"


def _values() -> dict[str, str]:
    values = {p: request.args.get(p, "").strip() for p in PARAMS}
    values["as-at"] = next((request.args.get(k, "").strip() for k in AS_AT_KEYS if request.args.get(k, "").strip()), "")
    return values


def _href(path: str, values: dict[str, str]) -> str:
    kept = {k: v for k, v in values.items() if v}
    return path + (f"?{urlencode(kept)}" if kept else "")


def _run(values: dict[str, str], path: str) -> tuple[AnalysisResult | None, dict[str, Any] | None]:
    """The calendar for the values as typed; on a parameter error, None and the error for the form."""
    try:
        return run(get_store(), "calendar", {k: v for k, v in values.items() if v}), None
    except ParameterError as err:
        param = "as-at" if err.param in AS_AT_KEYS else err.param
        return None, parameter_error(err, param, lambda label: _href(path, {**values, param: label}))


def _scope_label(result: AnalysisResult | None) -> str:
    """'Inverclyde', 'Inverclyde Integration Joint Board in Inverclyde', or 'Scotland'."""
    if result is None:
        return ""
    labels = label_index(get_store())
    names = [labels.display(str(result.params[k])) for k in ("body", "area") if result.params.get(k)]
    return " in ".join(names) if names else "Scotland"


def _month(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%B} {day.year}"


@bp.get("/calendar")
def calendar_page() -> Response:
    values = _values()
    wanted = bool(values["area"] or values["body"])
    result, error = _run(values, "/calendar") if wanted else (None, None)
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for row in result.rows if result is not None else []:
        heading = _month(row["date"]) if row["date"] else "Due date not known"
        groups.setdefault(heading, []).append(
            {
                **row,
                "href": local_href(row["requirement"]),
                "sources": [{**s, "href": local_href(str(s.get("source") or ""))} for s in row.get("sources") or []],
            }
        )
    scope = _scope_label(result)
    title = f"Reporting calendar: {scope}" if scope else "Reporting calendar"
    data = {
        "title": title,
        "values": values,
        "error": error,
        "ran": result is not None,
        "scope": scope,
        "as_at": result.as_at.isoformat() if result is not None else None,
        "notes": result.notes if result is not None else [],
        "months": [{"heading": k, "rows": v} for k, v in groups.items()],
        "count": len(result.rows) if result is not None else 0,
        "clashes": sum(1 for r in result.rows if r["clash"]) if result is not None else 0,
        "rule": analyses()["calendar"].rule,
        "how": analyses()["calendar"].how,
        "areas": [{"iri": r["area"] or "", "label": r["label"] or r["area"] or ""} for r in select("areas").records()],
        "ics": _href("/calendar.ics", values),
        "analysis": _href("/analyses/calendar", {**{p: values[p] for p in PARAMS}, "as_at": values["as-at"]}),
    }
    return page("calendar.html", data, status=400 if error else 200)


def _slug(iri: str) -> str:
    return iri.removeprefix(str(KB)) if iri.startswith(str(KB)) else re.sub(r"[^a-z0-9]+", "-", iri.lower()).strip("-")


def _summary(row: dict[str, Any]) -> str:
    label = row["requirement_label"]
    if row["due_kind"] == "asap":
        return f"{label}: period ends, due as soon as practicable after"
    if row["due_kind"] == "unknown":
        return f"{label}: period ends, due date not known"
    return f"{label} due"


def _description(row: dict[str, Any], scope: str) -> str:
    lines = [f"{row['requirement_label']} ({row['kind']}) for {scope}: due {row['due']}."]
    if row["period"]:
        lines.append(f"Period: {row['period']}.")
    if row["preparers"]:
        lines.append(f"Prepared by: {', '.join(row['preparers'])}.")
    if row["recipients"]:
        lines.append(f"Sent to: {', '.join(row['recipients'])}.")
    if row["rule"]:
        lines.append(f"Rule: {row['rule']}")
    if row["set_by"]:
        lines.append(f"Set by: {'; '.join(row['set_by'])}.")
    if row["clash"]:
        lines.append(f"Clash: {row['clash']}.")
    return "\n".join(lines)


def ics_calendar(result: AnalysisResult, scope: str, root: str) -> icalendar.Calendar:
    """An RFC 5545 calendar of the result's dated rows: one all-day event per date, with a UID that stays the same
    from one download to the next (requirement, date, kind of date and the calendar's area or body)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Reporting calendar: {scope}")
    cal.add(
        "x-wr-caldesc", f"Plans and reports due for {scope}, from the alignkb knowledge base (as at {result.as_at})."
    )
    where = "-".join(_slug(str(result.params[k])) for k in ("area", "body") if result.params.get(k)) or "scotland"
    stamp = datetime.now(UTC).replace(microsecond=0)
    for row in result.rows:
        if not row["date"]:
            continue
        day = date.fromisoformat(row["date"])
        event = icalendar.Event()
        event.add("uid", f"{_slug(row['requirement'])}-{row['date']}-{row['due_kind']}-{where}@alignkb")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", _summary(row))
        event.add("description", _description(row, scope))
        href = local_href(row["requirement"])
        if href:
            event.add("url", root.rstrip("/") + href)
        event.add("categories", [row["kind"] or "requirement"])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal


@bp.get("/calendar.ics")
def calendar_ics() -> Response:
    values = _values()
    result, error = _run(values, "/calendar.ics")
    if error is not None or result is None:
        message = error["message"] if error else "no calendar"
        near = "; ".join(s["label"] for s in (error or {}).get("suggestions", []))
        body = message + (f"\nDid you mean: {near}" if near else "") + "\n"
        return Response(body, status=400, mimetype="text/plain")
    scope = _scope_label(result)
    cal = ics_calendar(result, scope, request.url_root)
    name = "-".join(_slug(str(result.params[k])) for k in ("area", "body") if result.params.get(k)) or "scotland"
    response = Response(cal.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="calendar-{name}.ics"'
    return response
