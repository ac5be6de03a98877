"""Step of ``alignment``: the requirement × outcome cells — which outcomes each requirement applying on the date
must address, and through which route — optionally only for the requirements falling on the bodies of one area."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape, bodies_in
from kb.analyses.timeline import AK

ROUTES = ("outcome", "set", "framework")  # the most direct first
DERIVED = "correspondence"  # reached only through a typed correspondence from an outcome it must address
FOLLOW = {
    "contributesTo": "contributes to",
    "exactMatch": "is the same as",
    "closeMatch": "is nearly the same as",
}
Route = tuple[str, str, str]  # (via, what the requirement must address, the outcome set between it and the outcome)


@step("alignment")
def alignment(ctx: RunContext) -> list[Row]:
    area = ctx.params.get("area")
    applying = ctx.timeline.applying(ctx.as_at)
    cells: dict[tuple[str, str], set[Route]] = defaultdict(set)
    sets: dict[str, set[str]] = defaultdict(set)  # outcome → the outcome sets it is in
    for req_, outcome_, via, target, inner, set_ in ctx.rows(("req", "outcome", "via", "target", "inner", "set")):
        req, outcome = req_ or "", outcome_ or ""
        if set_:
            sets[outcome].add(set_)
        if req in applying and via in ROUTES and target:
            cells[(req, outcome)].add((via, target, inner or ""))
    falls_on: dict[str, list[tuple[str, set[str]]]] = {}
    if area:
        land = Landscape.fetch(ctx)
        bodies = bodies_in(ctx, area)
        for req in sorted({r for r, _o in cells}):
            types = sorted(t for t in land.details.get(req, {}).get("preparerType", []) if bodies.get(t))
            if types:
                falls_on[req] = [(t, bodies[t]) for t in types]
        cells = {key: routes for key, routes in cells.items() if key[0] in falls_on}
    out = [
        _row(ctx, req, outcome, routes, sets.get(outcome, set()), area, falls_on.get(req, []))
        for (req, outcome), routes in cells.items()
    ]
    out += _derived(ctx, cells, sets)
    out.sort(key=lambda r: (r["requirement_label"].lower(), r["outcome_set_label"].lower(), r["outcome_label"].lower()))
    return out


def _row(
    ctx: RunContext,
    req: str,
    outcome: str,
    routes: set[Route],
    sets: set[str],
    area: str | None,
    falls_on: list[tuple[str, set[str]]],
) -> Row:
    ordered = sorted(routes, key=lambda r: (ROUTES.index(r[0]), ctx.label(r[1]).lower(), ctx.label(r[2]).lower()))
    via, target, inner = ordered[0]
    through_set = target if via == "set" else inner
    outcome_set = through_set or min(sets, key=lambda s: ctx.label(s).lower(), default="")
    name = ctx.label(outcome)
    reasons = ctx.timeline.applies(req, ctx.as_at).reasons
    expl = [f"{ctx.name_of(req)} applies on {ctx.as_at}" + (f" ({'; '.join(reasons)})" if reasons else "")]
    triples: list[tuple[str, str, str | ox.NamedNode | ox.Literal]] = []
    for route, addressed, between in ordered:
        triples.append((req, AK + "mustAddress", addressed))
        if route == "outcome":
            expl.append(f"it must address {ctx.name_of(outcome)}")
        elif route == "set":
            expl.append(f"it must address the outcome set {ctx.name_of(addressed)}, which {name} is in")
            triples.append((outcome, AK + "inSet", addressed))
        elif between:
            expl.append(
                f"it must address the framework {ctx.name_of(addressed)}, which holds the outcome set "
                f"{ctx.name_of(between)} that {name} is in"
            )
            triples += [(outcome, AK + "inSet", between), (between, AK + "inFramework", addressed)]
        else:
            expl.append(f"it must address the framework {ctx.name_of(addressed)}, which {name} is in")
            triples.append((outcome, AK + "inFramework", addressed))
    for body_type, bodies in falls_on:
        expl.append(f"prepared by {ctx.label(body_type)}: {', '.join(ctx.labelled(bodies))} in {ctx.label(area)}")
        triples.append((req, AK + "preparerType", body_type))
    return {
        "requirement": req,
        "requirement_label": ctx.label(req),
        "outcome": outcome,
        "outcome_label": name,
        "outcome_set": outcome_set,
        "outcome_set_label": ctx.label(outcome_set) if outcome_set else "",
        "via": via,
        "alignment": "direct",
        "explanation": expl,
        "sources": ctx.provenance.many(triples),
    }


def _derived(ctx: RunContext, cells: dict[tuple[str, str], set[Route]], sets: dict[str, set[str]]) -> list[Row]:
    """Cells reached from a direct one through a typed correspondence (contributes to, the same as, nearly the same
    as; the last two either way), where the requirement does not already address that outcome directly: a plan that
    must address the health and wellbeing outcomes also serves the National Outcomes they contribute to."""
    from kb.analyses.correspondence import basis

    links: dict[str, list[tuple[str, str, tuple[str, str, str]]]] = defaultdict(list)
    for a_, rel_, b_ in ctx.rows(("a", "relation", "b"), "fetch-correspondences"):
        a, full, b = a_ or "", rel_ or "", b_ or ""
        rel = full.rsplit("#", 1)[-1]
        if rel not in FOLLOW:
            continue
        links[a].append((b, FOLLOW[rel], (a, full, b)))
        if rel != "contributesTo":
            links[b].append((a, FOLLOW[rel], (a, full, b)))
    reached: dict[tuple[str, str], list[tuple[str, str, tuple[str, str, str]]]] = defaultdict(list)
    for req, outcome in cells:
        for other, words, triple in links.get(outcome, []):
            if (req, other) not in cells and other in sets:
                reached[(req, other)].append((outcome, words, triple))
    out: list[Row] = []
    for (req, outcome), froms in reached.items():
        froms.sort(key=lambda f: ctx.label(f[0]).lower())
        expl = [f"{ctx.label(req)} does not name {ctx.label(outcome)} but serves it through the frameworks"]
        for source_outcome, words, triple in froms:
            found = basis(ctx, *triple)
            why = f": {found.reasoning}" if found.reasoning and not found.stated else ""
            expl.append(
                f"it must address {ctx.label(source_outcome)}, which {words} {ctx.label(outcome)} ({found.words}{why})"
            )
        outcome_set = min(sets.get(outcome, set()), key=lambda s: ctx.label(s).lower(), default="")
        out.append(
            {
                "requirement": req,
                "requirement_label": ctx.label(req),
                "outcome": outcome,
                "outcome_label": ctx.label(outcome),
                "outcome_set": outcome_set,
                "outcome_set_label": ctx.label(outcome_set) if outcome_set else "",
                "via": DERIVED,
                "alignment": "through the frameworks",
                "explanation": expl,
                "sources": ctx.provenance.many([t for _o, _w, t in froms]),
            }
        )
    return out
