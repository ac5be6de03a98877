"""The requirements, integration-authority types and service categories that the local analyses
(``obligations``, ``delegation``, ``burden``) share, and the bodies serving an area."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kb.analyses.context import RunContext
from kb.analyses.timeline import AK, Arrangement
from kb.store import term_text
from kb.store.cache import shared
from kb.store.fast import props_of
from kb.store.querydoc import query_text

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


def national_bodies(ctx: RunContext) -> dict[str, set[str]]:
    """Body type → bodies of that type that serve no particular area (fetched once per store)."""

    def fetch() -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for body, t in ctx.rows(("body", "type"), "fetch-national-bodies"):
            out[t or ""].add(body or "")
        return out

    return shared(ctx.store, "national-bodies", fetch)


def national_types(ctx: RunContext) -> set[str]:
    """Body types whose bodies serve the whole of Scotland (ak:nationalScope)."""
    return shared(
        ctx.store, "national-types", lambda: {t or "" for (t,) in ctx.rows(("type",), "fetch-national-types")}
    )


def unnamed_preparer(ctx: RunContext, body_type: str, area: str, national: dict[str, set[str]]) -> str:
    """Words for a preparer the knowledge base does not name: a national body of the type, or the area's own
    body of the type (a child protection committee, the community justice partners) that is not recorded."""
    kind = ctx.label(body_type)
    if body_type in national_types(ctx) and not national.get(body_type):
        return f"each {kind} (national bodies, not named here)"
    if national.get(body_type):
        return f"a {kind} (which one is not recorded)"
    return f"the {kind} for {ctx.label(area)} (not recorded by name)"


def typed_somewhere(ctx: RunContext) -> set[str]:
    """Body types that have at least one body recorded anywhere (fetched once per store)."""

    def fetch() -> set[str]:
        return {t or "" for (t,) in ctx.rows(("type",), "fetch-typed-somewhere")}

    return shared(ctx.store, "typed-somewhere", fetch)


def recipient_names(ctx: RunContext, recipients: Iterable[str], bodies: dict[str, set[str]] | None) -> list[str]:
    """Recipients in words. Without an area, as recorded. In an area, a body type is the area's own bodies of that
    type; a type with bodies elsewhere but none here does not apply here (an integration joint monitoring committee
    in an area with an integration joint board) and is left out; a type with no bodies recorded at all stays as
    words."""
    out: set[str] = set()
    anywhere = typed_somewhere(ctx) if bodies is not None else set()
    for r in recipients:
        if bodies is not None and bodies.get(r):
            out |= set(ctx.labelled(bodies[r]))
        elif bodies is not None and r in anywhere and r not in national_bodies(ctx):
            continue
        else:
            out.add(ctx.label(r))
    return sorted(out, key=str.lower)


def first(values: list[str]) -> str:
    return sorted(values)[0] if values else ""


def yes_no(values: list[str]) -> str:
    if not values:
        return "unknown"
    return "yes" if any(v.lower() in ("true", "1") for v in values) else "no"


def arrangement_text(ctx: RunContext, a: Arrangement) -> str:
    to = f" to {ctx.label(a.delegated_to)}" if a.delegated_to else ""
    what = f"{ctx.label(a.category)} in {ctx.label(a.area)}: {ctx.label(a.status)}{to}"
    return f"{what} as at {a.as_at} ({ctx.name_of(a.iri)})"


def arrangement_sources(ctx: RunContext, a: Arrangement) -> list[dict[str, Any]]:
    return ctx.provenance.many([(a.iri, AK + "delegationStatus", a.status)])
