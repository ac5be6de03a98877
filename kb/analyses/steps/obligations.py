"""Step of ``obligations``: which plans and reports a service feeds in an area, under which provision,
prepared by whom."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import (
    Landscape,
    arrangement_sources,
    arrangement_text,
    bodies_in,
    first,
    national_bodies,
    recipient_names,
    unnamed_preparer,
    yes_no,
)
from kb.analyses.timeline import AK, Arrangement, arrangements, holding

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@step("obligations")
def obligations(ctx: RunContext) -> list[Row]:
    area, service = ctx.params["area"], ctx.params["service"]
    land = Landscape.fetch(ctx)
    cats = land.categories_of(ctx, service)
    held = holding(arrangements(ctx.store, area), ctx.as_at)
    delegated: dict[str, list[Arrangement]] = {}
    not_delegated: dict[str, list[Arrangement]] = {}
    for cat in cats:
        for a in held.get((area, cat), []):
            (delegated if a.delegated else not_delegated).setdefault(cat, []).append(a)
    candidates: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for req, route, via in ctx.rows(("req", "route", "via"), bindings={"service": ox.NamedNode(service)}):
        candidates[req or ""].append((route or "", via or ""))
    ctx.considered = frozenset(candidates)
    bodies = bodies_in(ctx, area)
    national = national_bodies(ctx)
    leads: dict[str, set[str]] = defaultdict(set)
    for lead_category, body in ctx.rows(("category", "body"), "cq-delegation", {"area": ox.NamedNode(area)}):
        leads[lead_category or ""].add(body or "")
    lead_preparers: dict[str, set[str]] = {}
    fed: dict[str, tuple[list[str], list[dict[str, Any]], str]] = {}
    svc = ctx.name_of(service)
    for req, routes in sorted(candidates.items()):
        state = ctx.timeline.applies(req, ctx.as_at)
        if not state.applies:
            continue
        expl: list[str] = []
        triples: list[tuple[str, str, str]] = []
        route_text = ""
        if land.ia_only(req):
            arrs = [a for cat in sorted(cats) for a in delegated.get(cat, [])]
            led = {cat: leads[cat] for cat in sorted(cats) if cat in leads and not held.get((area, cat))}
            if led and not arrs:
                for cat, lead_bodies in led.items():
                    if service != cat:
                        expl.append(f"{svc} is in the category {ctx.name_of(cat)}")
                        triples.append((service, AK + "inCategory", cat))
                    expl += [
                        f"{ctx.name_of(b)} is the lead agency for {ctx.name_of(cat)} in {ctx.label(area)}"
                        for b in sorted(lead_bodies)
                    ]
                    triples += [(b, AK + "leadsFor", cat) for b in sorted(lead_bodies)]
                    lead_preparers[req] = lead_bodies
                expl.append(
                    f"{ctx.name_of(req)} is prepared by integration authorities; a lead agency is the "
                    "integration authority for what it leads"
                )
                fed[req] = (expl, ctx.provenance.many(triples), "led by the lead agency (integration authority)")
                continue
            if not arrs:
                continue
            for a in arrs:
                if service != a.category:
                    expl.append(f"{svc} is in the category {ctx.name_of(a.category)}")
                    triples.append((service, AK + "inCategory", a.category))
                expl.append(f"delegated: {arrangement_text(ctx, a)}")
                if len(held.get((area, a.category), [])) > 1:
                    expl.append(
                        "sources disagree about this arrangement: "
                        + "; ".join(arrangement_text(ctx, b) for b in held[(area, a.category)] if b != a)
                    )
            expl.append(
                f"{ctx.name_of(req)} is prepared by integration authorities, which plan the functions delegated to them"
            )
            route_text = "category delegated to the integration authority"
            extra_sources = [s for a in arrs for s in arrangement_sources(ctx, a)]
        else:
            extra_sources = []
            for route, via in sorted(routes):  # the query's order is the store's; "covers the service" first
                if route.startswith("integration"):
                    continue
                if route == "covers a service in the category":
                    expl.append(f"{ctx.name_of(via)} is in the category {svc}")
                    triples.append((via, AK + "inCategory", service))
                elif via != service:
                    expl.append(f"{svc} is in the category {ctx.name_of(via)}")
                    triples.append((service, AK + "inCategory", via))
                expl.append(f"{ctx.name_of(req)} covers {ctx.name_of(via)}")
                triples.append((req, AK + "coversService", via))
                route_text = route_text or route
                for a in held.get((area, via), []):
                    expl.append(
                        f"delegation does not change this (the duty is not the integration "
                        f"authority's alone): {arrangement_text(ctx, a)}"
                    )
            if not route_text:
                continue
        fed[req] = (expl, ctx.provenance.many(triples) + extra_sources, route_text)
    # report requirements that report on a fed plan requirement
    for req, d in sorted(land.details.items()):
        if req in fed:
            continue
        for target in sorted(d.get("reportsOn", [])):
            if target in fed and ctx.timeline.applies(req, ctx.as_at).applies:
                expl = [*fed[target][0], f"{ctx.name_of(req)} reports on {ctx.name_of(target)}"]
                srcs = fed[target][1] + ctx.provenance.many([(req, AK + "reportsOn", target)])
                fed[req] = (expl, srcs, f"reports on {ctx.label(target)}")
                break
    rows = [
        _obligation_row(ctx, land, req, area, cats, delegated, (bodies, national), *fed[req], lead_preparers.get(req))
        for req in fed
    ]
    rows.sort(key=lambda r: (r["kind"] != "plan", r["requirement_label"].lower()))
    return rows


def _obligation_row(
    ctx: RunContext,
    land: Landscape,
    req: str,
    area: str,
    cats: set[str],
    delegated: dict[str, list[Arrangement]],
    known: tuple[dict[str, set[str]], dict[str, set[str]]],
    expl: list[str],
    sources: list[dict[str, Any]],
    route: str,
    leads: set[str] | None = None,
) -> Row:
    d = land.details.get(req, {})
    bodies, national = known
    preparers: list[str] = []
    prep_expl: list[str] = []
    named = sorted(d.get("preparer", []))
    if named:
        preparers = ctx.labelled(named)
        prep_expl.append(f"prepared by {', '.join(preparers)}, named as its preparer")
    for t in [] if named else sorted(d.get("preparerType", [])):
        found: set[str] = set()
        if t in land.ia_types:
            found = {a.delegated_to for cat in cats for a in delegated.get(cat, []) if a.delegated_to}
            found = found or set(leads or ())
        found = found or set(bodies.get(t, set()))
        if found and t not in land.ia_types and yes_no(d.get("jointlyPrepared", [])) == "yes":
            found |= national.get(t, set())  # partners acting jointly: the area's own and the national ones
        if not found and len(national.get(t, set())) == 1:
            found = set(national[t])
        names = ctx.labelled(found) if found else [unnamed_preparer(ctx, t, area, national)]
        preparers.extend(names)
        prep_expl.append(f"prepared by {ctx.label(t)}: {', '.join(names)} in {ctx.label(area)}")
    basis = sorted(d.get("legalBasis", []))
    basis_expl = []
    for b in basis:
        _ok, note = ctx.timeline.provision_in_force(b, ctx.as_at)
        basis_expl.append(f"required by {ctx.name_of(b)}: {note}")
    if not basis:
        basis_expl = [f"non-statutory, rests on {ctx.name_of(x)}" for x in sorted(d.get("basisDocument", []))]
    triples = [(req, AK + "legalBasis", b) for b in basis] + [
        (req, AK + "preparerType", t) for t in sorted(d.get("preparerType", []))
    ]
    due = first(d.get("dueRule", []))
    return {
        "requirement": req,
        "requirement_label": ctx.label(req),
        "kind": land.kind(req),
        "route": route,
        "preparers": sorted(set(preparers)),
        "jointly": yes_no(d.get("jointlyPrepared", [])),
        "cycle": ctx.label(first(d.get("cycle", []))) if d.get("cycle") else "unknown",
        "recipients": recipient_names(ctx, d.get("recipient", []), bodies),
        "due": due,
        "legal_basis": basis or sorted(d.get("basisDocument", [])),
        "explanation": [*expl, *prep_expl, *basis_expl],
        "sources": sources + ctx.provenance.many(triples),
    }
