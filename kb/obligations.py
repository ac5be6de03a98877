"""Steps of ``obligations`` (which plans and reports a service feeds in an area) and ``delegation`` (who
holds a service category in an area, and which plans therefore cover it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from .cache import shared
from .context import Row, RunContext, step
from .labels import ParameterError
from .querydoc import query_text
from .store import term_text
from .timeline import AK, Arrangement, arrangements, holding, props_of

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def props(ctx: RunContext, name: str, bindings: dict[str, Any] | None = None) -> dict[str, dict[str, list[str]]]:
    if not bindings:
        return props_of(ctx.store, query_text(name))
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in ctx.fetch(name, bindings).rows:
        x, p, v = term_text(row["x"]), term_text(row["p"]), term_text(row["v"])
        if x and p and v is not None:
            out[x][p.rsplit("#", 1)[-1]].append(v)
    return out


@dataclass
class Landscape:
    """Facts about requirements, bodies and delegation that several steps share."""

    details: dict[str, dict[str, list[str]]]
    ia_types: set[str]
    categories: dict[str, set[str]]

    @classmethod
    def fetch(cls, ctx: RunContext) -> Landscape:
        """Fetched once per store (see kb/cache.py); read-only."""
        return shared(ctx.store, "landscape", lambda: cls._fetch(ctx))

    @classmethod
    def _fetch(cls, ctx: RunContext) -> Landscape:
        cats: dict[str, set[str]] = defaultdict(set)
        for row in ctx.fetch("fetch-service-categories").rows:
            cats[term_text(row["service"]) or ""].add(term_text(row["category"]) or "")
        return cls(
            props(ctx, "fetch-requirement-details"),
            {term_text(r["type"]) or "" for r in ctx.fetch("fetch-integration-types").rows},
            cats,
        )

    def ia_only(self, req: str) -> bool:
        types = set(self.details.get(req, {}).get("preparerType", []))
        return bool(types) and types <= self.ia_types

    def kind(self, req: str) -> str:
        types = self.details.get(req, {}).get("type", [])
        return "report" if AK + "ReportRequirement" in types else "plan" if AK + "PlanRequirement" in types else ""

    def categories_of(self, ctx: RunContext, entity: str) -> set[str]:
        if entity in self.categories:
            return set(self.categories[entity])
        return {entity} if AK + "ServiceCategory" in ctx.labels.types.get(entity, set()) else set()


def bodies_in(ctx: RunContext, area: str) -> dict[str, set[str]]:
    """Body type → bodies serving the area."""
    out: dict[str, set[str]] = defaultdict(set)
    for body, t in ctx.rows(("body", "type"), "fetch-bodies", {"area": ox.NamedNode(area)}):
        out[t or ""].add(body or "")
    return out


def _first(values: list[str]) -> str:
    return sorted(values)[0] if values else ""


def _yes_no(values: list[str]) -> str:
    if not values:
        return "unknown"
    return "yes" if any(v.lower() in ("true", "1") for v in values) else "no"


def arrangement_text(ctx: RunContext, a: Arrangement) -> str:
    to = f" to {ctx.label(a.delegated_to)}" if a.delegated_to else ""
    what = f"{ctx.label(a.category)} in {ctx.label(a.area)}: {ctx.label(a.status)}{to}"
    return f"{what} as at {a.as_at} ({ctx.name_of(a.iri)})"


def arrangement_sources(ctx: RunContext, a: Arrangement) -> list[dict[str, Any]]:
    return ctx.provenance.many([(a.iri, AK + "delegationStatus", a.status)])


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
    bodies = bodies_in(ctx, area)
    leads: dict[str, set[str]] = defaultdict(set)
    for cat, body in ctx.rows(("category", "body"), "cq-delegation", {"area": ox.NamedNode(area)}):
        leads[cat or ""].add(body or "")
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
            for route, via in routes:
                if route.startswith("integration"):
                    continue
                if via != service:
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
        _obligation_row(ctx, land, req, area, cats, delegated, bodies, *fed[req], lead_preparers.get(req))
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
    bodies: dict[str, set[str]],
    expl: list[str],
    sources: list[dict[str, Any]],
    route: str,
    leads: set[str] | None = None,
) -> Row:
    d = land.details.get(req, {})
    preparers: list[str] = []
    prep_expl: list[str] = []
    for t in sorted(d.get("preparerType", [])):
        found: set[str] = set()
        if t in land.ia_types:
            found = {a.delegated_to for cat in cats for a in delegated.get(cat, []) if a.delegated_to}
            found = found or set(leads or ())
        found = found or bodies.get(t, set())
        names = ctx.labelled(found) if found else [f"(any {ctx.label(t)})"]
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
        (req, AK + "preparerType", t) for t in d.get("preparerType", [])
    ]
    due = _first(d.get("dueRule", []))
    return {
        "requirement": req,
        "requirement_label": ctx.label(req),
        "kind": land.kind(req),
        "route": route,
        "preparers": sorted(set(preparers)),
        "jointly": _yes_no(d.get("jointlyPrepared", [])),
        "cycle": ctx.label(_first(d.get("cycle", []))) if d.get("cycle") else "unknown",
        "recipients": ctx.labelled(d.get("recipient", [])),
        "due": due,
        "legal_basis": basis or sorted(d.get("basisDocument", [])),
        "explanation": [*expl, *prep_expl, *basis_expl],
        "sources": sources + ctx.provenance.many(triples),
    }


@step("delegation")
def delegation(ctx: RunContext) -> list[Row]:
    area, service = ctx.params.get("area"), ctx.params.get("service")
    if not area and not service:
        raise ParameterError("area", "", "delegation needs --area or --service (or both)")
    land = Landscape.fetch(ctx)
    cats = land.categories_of(ctx, service) if service else None
    every = arrangements(ctx.store, area)
    held = holding(every, ctx.as_at)
    leads: dict[tuple[str, str], set[str]] = defaultdict(set)
    for l_area, cat, body in ctx.rows(("area", "category", "body")):
        leads[(l_area or "", cat or "")].add(body or "")
    covering: dict[str, set[str]] = defaultdict(set)
    applying = ctx.timeline.applying(ctx.as_at)
    ia_reqs = sorted(r for r in applying if land.ia_only(r))
    for req in applying:
        for target in land.details.get(req, {}).get("coversService", []):
            for cat in land.categories_of(ctx, target) or {target}:
                covering[cat].add(req)
    rows: list[Row] = []
    for (a_area, cat), arrs in held.items():
        if area and a_area != area:
            continue
        if cats is not None and cat not in cats:
            continue
        statuses = sorted({a.status for a in arrs})
        is_delegated = any(a.delegated for a in arrs)
        plans = {r for r in covering.get(cat, set()) if not land.ia_only(r)}
        if is_delegated:
            plans |= set(ia_reqs)
        history = sorted(
            (a for a in every if a.area == a_area and a.category == cat and a not in arrs), key=lambda a: a.as_at
        )
        expl = [arrangement_text(ctx, a) for a in arrs]
        if len(statuses) > 1:
            expl.append("conflict: sources disagree about this arrangement on the same date")
        expl += [f"earlier: {arrangement_text(ctx, a)}" for a in history]
        lead = leads.get((a_area, cat), set())
        expl += [f"{ctx.name_of(b)} leads for {ctx.name_of(cat)}" for b in sorted(lead)]
        if is_delegated:
            expl.append(
                "delegated, so the integration authority's plans cover it: " + ", ".join(ctx.label(r) for r in ia_reqs)
            )
        rows.append(
            {
                "area": a_area,
                "area_label": ctx.label(a_area),
                "category": cat,
                "category_label": ctx.label(cat),
                "status": " / ".join(ctx.label(s) for s in statuses),
                "delegated_to": ctx.labelled({a.delegated_to for a in arrs if a.delegated_to}),
                "as_at": arrs[0].as_at.isoformat(),
                "conflict": "yes" if len(statuses) > 1 else "no",
                "lead": ctx.labelled(lead),
                "covered_by": ctx.labelled(plans),
                "arrangements": [a.iri for a in arrs],
                "explanation": expl,
                "sources": [s for a in arrs for s in arrangement_sources(ctx, a)],
            }
        )
    for (l_area, cat), bodies in sorted(leads.items()):
        if (l_area, cat) in held or (area and l_area != area) or (cats is not None and cat not in cats):
            continue
        plans = {r for r in covering.get(cat, set()) if not land.ia_only(r)} | set(ia_reqs)
        rows.append(
            {
                "area": l_area,
                "area_label": ctx.label(l_area),
                "category": cat,
                "category_label": ctx.label(cat),
                "status": "led by a lead agency",
                "delegated_to": ctx.labelled(bodies),
                "as_at": "",
                "conflict": "no",
                "lead": ctx.labelled(bodies),
                "covered_by": ctx.labelled(plans),
                "arrangements": [],
                "explanation": [
                    f"{ctx.name_of(b)} leads for {ctx.name_of(cat)} in {ctx.name_of(l_area)} "
                    "(lead agency model; no delegation arrangement recorded)"
                    for b in sorted(bodies)
                ]
                + [
                    "the lead agency is the integration authority for it, so its integration plans cover it: "
                    + ", ".join(ctx.label(r) for r in ia_reqs)
                ],
                "sources": ctx.provenance.many([(b, AK + "leadsFor", cat) for b in sorted(bodies)]),
            }
        )
    rows.sort(key=lambda r: (r["area_label"].lower(), r["category_label"].lower()))
    return rows
