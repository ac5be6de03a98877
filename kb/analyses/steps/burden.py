"""Step of ``burden``: the load of plans, reports, indicators and reporting events per body type, area and body,
following delegation (a body that holds a delegated function feeds the plans and reports that cover it) and
counting a duty once for every council area a body carries it in (a health board plans with each of its councils)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape
from kb.analyses.timeline import AK, arrangements, holding
from kb.store.cache import shared

COUNCIL_AREA = AK + "CouncilArea"
LA = AK + "bt-local-authority"


@dataclass
class _Index:
    indicators: dict[str, set[str]]  # requirement → indicators (sets expanded)
    closure: dict[str, set[str]]  # body type → itself and narrower types
    body_types: dict[str, set[str]]
    body_areas: dict[str, set[str]]  # body → every area it serves (its own and those within it)


def _index(ctx: RunContext) -> _Index:
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
    return _Index(dict(indicators), dict(closure), dict(body_types), dict(body_areas))


@step("burden")
def burden(ctx: RunContext) -> list[Row]:
    area, body = ctx.params.get("area"), ctx.params.get("body")
    land = Landscape.fetch(ctx)
    applying = ctx.timeline.applying(ctx.as_at)
    idx: _Index = shared(ctx.store, "burden-index-2", lambda: _index(ctx))
    on_type: dict[str, set[str]] = defaultdict(set)  # preparer type → requirements
    for r in applying:
        for t in land.details.get(r, {}).get("preparerType", []):
            on_type[t].add(r)
    council_areas = sorted({a for areas in idx.body_areas.values() for a in areas if _is_council(ctx, a)})
    delegated = _delegated(ctx, land, applying, council_areas)

    def duties(b: str, in_area: str | None) -> dict[str, str]:
        """Requirement → how it falls on body ``b`` (in one council area, or anywhere)."""
        out: dict[str, str] = {}
        for r in {r for t in idx.body_types.get(b, ()) for r in on_type.get(t, ())}:
            out[r] = "preparer"
        for a in [in_area] if in_area else council_areas:
            for r in delegated.get((a, b), ()):
                out.setdefault(r, "through delegation")
        return out

    def instances(b: str, r: str, how: str) -> int:
        """How many times body ``b`` carries requirement ``r``: once per council area it serves when the duty is
        prepared for each council area (by or with a council-level body), else once."""
        if how == "through delegation":
            return sum(1 for a in council_areas if r in delegated.get((a, b), ()))
        d = land.details.get(r, {})
        with_council = set(d.get("preparerType", [])) & idx.closure.get(LA, {LA})
        joint = any(v.lower() in ("true", "1") for v in d.get("jointlyPrepared", []))
        if not (joint and with_council) or LA in idx.body_types.get(b, set()):
            return 1
        return max(1, sum(1 for a in idx.body_areas.get(b, ()) if _is_council(ctx, a)))

    def row(level: str, entity: str, load: dict[str, tuple[str, int]]) -> Row:
        plans = sum(n for r, (_h, n) in load.items() if land.kind(r) == "plan")
        reps = sum(n for r, (_h, n) in load.items() if land.kind(r) == "report")
        inds = {i for r in load for i in idx.indicators.get(r, ())}
        per_year = 0.0
        unrated = []  # duties with no recorded period: kept under review, or not known
        for r, (_how, n) in load.items():
            years = [float(y) for y in land.details.get(r, {}).get("periodYears", []) if y]
            if years and years[0] > 0:
                per_year += n / years[0]
            else:
                unrated.append(r)
        expl = []
        for r in sorted(load, key=lambda r: (ctx.label(r).lower(), r)):
            how, n = load[r]
            times = f", {n} times (once for each council area)" if n > 1 else ""
            via = " through delegation: it holds functions the duty covers" if how == "through delegation" else ""
            expl.append(f"{ctx.label(r)} ({land.kind(r) or 'requirement'}{times}){via}")
        if unrated:
            names = "; ".join(sorted(ctx.label(r) for r in unrated))
            expl.append(
                f"reporting events a year count {len(load) - len(unrated)} of the {len(load)} duties: no period is "
                f"recorded for {names} (kept under review, or not known)"
            )
        return {
            "level": level,
            "name": ctx.label(entity),
            "entity": entity,
            "plans": plans,
            "reports": reps,
            "indicators": len(inds),
            "per_year": round(per_year, 2) if len(unrated) < len(load) else None,  # None: not known
            "through_delegation": sum(1 for h, _n in load.values() if h == "through delegation"),
            "explanation": expl,
        }

    is_type = bool(body) and AK + "BodyType" in ctx.labels.types.get(body or "", set())
    bodies = sorted(idx.body_types)
    if area:
        bodies = [b for b in bodies if area in idx.body_areas.get(b, set())]
    if body and not is_type:
        bodies = [b for b in bodies if b == body]
    if body and is_type:
        bodies = [b for b in bodies if body in idx.body_types[b]]
    types = sorted({t for b in bodies for t in idx.body_types[b]} | (set() if (area or body) else set(on_type)))
    if is_type:
        types = [body or ""]
    out: list[Row] = []
    for t in types:
        reqs = {r for tt in idx.closure.get(t, {t}) for r in on_type.get(tt, ())}
        if reqs:
            out.append(row("body type", t, {r: ("preparer", 1) for r in reqs}))
    in_area = area if area and _is_council(ctx, area) else None
    if not body:
        for a in [area] if area else council_areas:
            served = [b for b in idx.body_types if a in idx.body_areas.get(b, set())]
            load: dict[str, tuple[str, int]] = {}
            for b in served:
                for r, how in duties(b, a if _is_council(ctx, a) else None).items():
                    if how == "preparer" or r not in load:
                        load[r] = (how, 1)
            if load:
                out.append(row("area", a or "", load))
    total: dict[str, tuple[str, int]] = {}
    body_rows: list[Row] = []
    for b in bodies:
        own = duties(b, in_area)
        load = {r: (how, 1 if in_area else instances(b, r, how)) for r, how in own.items()}
        if load:
            body_rows.append(row("body", b, load))
    if not (area or body):
        counts: dict[str, int] = defaultdict(int)
        for b in idx.body_types:
            for r, how in duties(b, None).items():
                counts[r] += instances(b, r, how)
        total = {r: ("preparer", n) for r, n in counts.items()}
        if total:
            scotland = row("Scotland", "", total)
            scotland["name"] = "Scotland (every body counted once)"
            scotland["explanation"].insert(
                0,
                "the sum over every body of what it carries: a duty prepared jointly by several bodies counts once "
                "for each of them, and once for each council area a body carries it in",
            )
            out.append(scotland)
    out += body_rows
    order = {"Scotland": 0, "body type": 1, "area": 2, "body": 3}
    out.sort(key=lambda r: (order[r["level"]], -(r["plans"] + r["reports"]), r["name"].lower(), r["entity"]))
    return out


def _is_council(ctx: RunContext, area: str | None) -> bool:
    return bool(area) and COUNCIL_AREA in ctx.labels.types.get(area or "", set())


def _delegated(
    ctx: RunContext, land: Landscape, applying: frozenset[str] | set[str], council_areas: list[str]
) -> dict[tuple[str, str], set[str]]:
    """(council area, body) → requirements the body feeds because it holds, on the date, a function delegated to it
    in that area that the requirement covers (its services' categories)."""
    covers: dict[str, set[str]] = defaultdict(set)  # category → requirements covering it
    for r in applying:
        for s in land.details.get(r, {}).get("coversService", []):
            for c in land.categories_of(ctx, s) or {s}:
                covers[c].add(r)
    held = holding(arrangements(ctx.store), ctx.as_at)
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (a, cat), arrs in held.items():
        if a not in council_areas:
            continue
        for arr in arrs:
            if arr.delegated and arr.delegated_to:
                out[(a, arr.delegated_to)] |= covers.get(cat, set())
    return out
