"""Step of ``burden``: the load of plans, reports and indicators per body type, area and body."""

from __future__ import annotations

from collections import defaultdict

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape
from kb.analyses.timeline import AK
from kb.store.cache import shared

WEIGHTS = {"outcomes": 0.4, "populations": 0.2, "services": 0.2, "preparers": 0.2}
MAX_ROWS = 1000


def _burden_index(
    ctx: RunContext,
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Requirement → indicators, body type → broader types, body → types and body → areas (once per store)."""
    indicators: dict[str, set[str]] = defaultdict(set)
    for req, ind in ctx.rows(("req", "indicator"), "fetch-requirement-indicators"):
        indicators[req or ""].add(ind or "")
    closure: dict[str, set[str]] = defaultdict(set)
    for t, broader in ctx.rows(("type", "broader"), "fetch-type-closure"):
        closure[t or ""].add(broader or "")
    body_types: dict[str, set[str]] = defaultdict(set)
    body_areas: dict[str, set[str]] = defaultdict(set)
    for b_, t, a in ctx.rows(("body", "type", "area")):
        b = b_ or ""
        body_types[b].add(t or "")
        if a is not None:
            body_areas[b].add(a)
    return dict(indicators), dict(closure), dict(body_types), dict(body_areas)


@step("burden")
def burden(ctx: RunContext) -> list[Row]:
    area, body = ctx.params.get("area"), ctx.params.get("body")
    land = Landscape.fetch(ctx)
    applying = ctx.timeline.applying(ctx.as_at)
    indicators, closure, body_types, body_areas = shared(ctx.store, "burden-index", lambda: _burden_index(ctx))
    on_type: dict[str, set[str]] = defaultdict(set)  # preparer type → requirements
    for r in applying:
        for t in land.details.get(r, {}).get("preparerType", []):
            on_type[t].add(r)

    def load(types: set[str]) -> set[str]:
        return {r for t in types for r in on_type.get(t, ())}

    def row(level: str, entity: str, reqs: set[str]) -> Row:
        plans = {r for r in reqs if land.kind(r) == "plan"}
        reps = {r for r in reqs if land.kind(r) == "report"}
        inds = {i for r in reqs for i in indicators.get(r, ())}
        per_year = 0.0
        for r in reqs:
            years = [float(y) for y in land.details.get(r, {}).get("periodYears", []) if y]
            if years and years[0] > 0:
                per_year += 1.0 / years[0]
        return {
            "level": level,
            "name": ctx.label(entity),
            "entity": entity,
            "plans": len(plans),
            "reports": len(reps),
            "indicators": len(inds),
            "per_year": round(per_year, 2),
            "explanation": [
                f"{ctx.label(r)} ({land.kind(r) or 'requirement'})"
                for r in sorted(reqs, key=lambda r: (ctx.label(r).lower(), r))
            ],
        }

    is_type = bool(body) and AK + "BodyType" in ctx.labels.types.get(body or "", set())
    bodies = sorted(body_types)
    if area:
        bodies = [b for b in bodies if area in body_areas.get(b, set())]
    if body and not is_type:
        bodies = [b for b in bodies if b == body]
    if body and is_type:
        bodies = [b for b in bodies if body in body_types[b]]
    types = sorted({t for b in bodies for t in body_types[b]} | (set() if (area or body) else set(on_type)))
    if is_type:
        types = [body or ""]
    out: list[Row] = []
    for t in types:
        reqs = load(closure.get(t, {t}))
        if reqs:
            out.append(row("body type", t, reqs))
    areas = sorted({a for b in bodies for a in body_areas.get(b, ())})
    if area:
        areas = [area]
    if not body:
        for a in areas:
            reqs = {r for b in bodies if a in body_areas.get(b, ()) for r in load(body_types[b])}
            if reqs:
                out.append(row("area", a, reqs))
    for b in bodies:
        reqs = load(body_types[b])
        if reqs:
            out.append(row("body", b, reqs))
    order = {"body type": 0, "area": 1, "body": 2}
    out.sort(key=lambda r: (order[r["level"]], -(r["plans"] + r["reports"]), r["name"].lower(), r["entity"]))
    return out
