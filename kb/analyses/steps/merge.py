"""Step of ``merge``: what combining two plan or report requirements would remove (duplicated measures, reporting
events, consultations), what they have in common, which provisions or documents would need amending, and what
differs so that a simple merge is blocked. One row per finding."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape, bodies_in, national_bodies, unnamed_preparer
from kb.analyses.timeline import AK, RequirementState, Timeline
from kb.model.namespace import PREFIXES
from kb.store.cache import shared

SKOS = PREFIXES["skos"]
XSD = PREFIXES["xsd"]
MATCHES = {SKOS + "exactMatch": "an exact match", SKOS + "closeMatch": "a close match"}
Triple = tuple[str, str, str | ox.NamedNode | ox.Literal]
Route = tuple[str, str, str]  # (route, via, inner) as cq-merge.rq gives them
Link = tuple[str, str, str]  # (a, relation, b) as asserted

REMOVED = "duplication removed"
COMMON = "in common"
AMEND = "needs amending"
REVISE = "needs revising"
BLOCKS = "blocks a simple merge"
DIFFERS = "differs"
FITS = "no obstacle"
NOTHING = "nothing shared"
UNCHANGED = "no change"
UNKNOWN = "not known"


@dataclass
class Side:
    """One of the two requirements, with what it asks for."""

    req: str
    name: str
    details: dict[str, list[str]]
    measures: dict[str, set[Route]] = field(default_factory=lambda: defaultdict(set))
    outcomes: dict[str, set[Route]] = field(default_factory=lambda: defaultdict(set))
    consultees: set[str] = field(default_factory=set)
    bases: dict[str, str] = field(default_factory=dict)  # provision → its legislation.gov.uk identifier ("" if none)

    def values(self, key: str) -> list[str]:
        return sorted(set(self.details.get(key, [])))

    def unknown(self, aspect: str) -> bool:
        return any(aspect in a.lower() for a in self.details.get("unknownAspect", []))

    def per_year(self) -> float | None:
        """Events a year (1/ak:periodYears), or None where the period is not recorded."""
        for text in sorted(self.details.get("periodYears", [])):
            try:
                years = float(text)
            except ValueError:
                continue
            if years > 0:
                return 1.0 / years
        return None


def _timeline(ctx: RunContext) -> Timeline:
    """The run's timeline. This step says itself, in a note, whether each of its two requirements applies, and
    leaves neither out, so the registry's note that unknown ones "are left out of this answer" is not added."""
    ctx.says_unknown = True
    return ctx.timeline


def _side(ctx: RunContext, land: Landscape, req: str) -> Side:
    side = Side(req, ctx.label(req), land.details.get(req, {}))
    for route, value, via, inner in ctx.rows(("route", "value", "via", "inner"), None, {"req": ox.NamedNode(req)}):
        if not route or not value:
            continue
        if route == "consultee":
            side.consultees.add(value)
        elif route == "basis":
            side.bases[value] = side.bases.get(value) or via or ""
        elif route.startswith("reports") or AK + "Indicator" in ctx.labels.types.get(value, set()):
            side.measures[value].add((route, via or "", inner or ""))
        else:
            side.outcomes[value].add((route, via or "", inner or ""))
    for basis in side.values("legalBasis"):
        side.bases.setdefault(basis, "")
    return side


@dataclass
class _Matches:
    """Exact and close matches: item → (the item it matches, the link as asserted), both directions; and the
    component (any one item standing for all) of every item that has a match."""

    links: dict[str, list[tuple[str, Link]]]
    roots: dict[str, str]

    def root(self, item: str) -> str:
        return self.roots.get(item, item)


def _matches(ctx: RunContext) -> _Matches:
    """Read once per store."""

    def make() -> _Matches:
        links: dict[str, list[tuple[str, Link]]] = defaultdict(list)
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, rel, b in ctx.rows(("a", "relation", "b"), "fetch-correspondences"):
            if a and b and rel in MATCHES and a != b:
                links[a].append((b, (a, rel, b)))
                links[b].append((a, (a, rel, b)))
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        for key in links:
            links[key].sort()
        return _Matches(dict(links), {x: find(x) for x in list(parent)})

    return shared(ctx.store, "merge-matches", make)


def _path(links: dict[str, list[tuple[str, Link]]], start: str, goals: set[str]) -> list[Link]:
    """The shortest chain of exact or close matches from ``start`` to one of ``goals`` (in the same component)."""
    if start in goals:
        return []
    seen = {start}
    todo: deque[tuple[str, list[Link]]] = deque([(start, [])])
    while todo:
        node, chain = todo.popleft()
        for other, link in links.get(node, []):
            if other in seen:
                continue
            if other in goals:
                return [*chain, link]
            seen.add(other)
            todo.append((other, [*chain, link]))
    return []


def _groups(
    ctx: RunContext, a: dict[str, set[Route]], b: dict[str, set[Route]]
) -> list[tuple[set[str], set[str], list[Link]]]:
    """Items of ``a`` and ``b`` that are one thing: the same item, or linked by a chain of exact or close matches
    (one row per measure, however many names it has). Each group: the items of a, the items of b, and for each
    item of one side not on the other, the shortest chain of links to the nearest item of the other side."""
    matches = _matches(ctx)
    left: dict[str, set[str]] = defaultdict(set)
    right: dict[str, set[str]] = defaultdict(set)
    for item in a:
        left[matches.root(item)].add(item)
    for item in b:
        right[matches.root(item)].add(item)
    groups: list[tuple[set[str], set[str], list[Link]]] = []
    for root in set(left) & set(right):
        chain: list[Link] = []
        for items, goals in ((right[root], left[root]), (left[root], right[root])):
            for item in sorted(items - goals):
                chain += [link for link in _path(matches.links, item, goals) if link not in chain]
        groups.append((left[root], right[root], chain))
    return sorted(groups, key=lambda g: (_names(ctx, g[0] | g[1]).lower(), sorted(g[0] | g[1])))


def _names(ctx: RunContext, items: Iterable[str]) -> str:
    return " = ".join(ctx.labelled(items))


def _per_year(value: float) -> str:
    return f"{round(value, 2):g} a year"


def _list(ctx: RunContext, iris: Iterable[str], empty: str = "none recorded") -> str:
    return ", ".join(ctx.labelled(iris)) or empty


def _route_text(ctx: RunContext, side: Side, item: str, route: Route) -> tuple[str, list[Triple]]:
    kind, via, inner = route
    name = ctx.label(item)
    if kind == "reports":
        return f"{side.name} reports {name} directly", [(side.req, AK + "reportsIndicator", item)]
    if kind == "reports-set":
        return (
            f"{side.name} reports the indicator set {ctx.label(via)}, which holds {name}",
            [(side.req, AK + "reportsIndicator", via), (item, AK + "inSet", via)],
        )
    if kind == "addresses":
        return f"{side.name} must address {name}", [(side.req, AK + "mustAddress", item)]
    if kind == "addresses-set":
        return (
            f"{side.name} must address {ctx.label(via)}, which holds {name}",
            [(side.req, AK + "mustAddress", via), (item, AK + "inSet", via)],
        )
    if kind == "addresses-framework-set":
        return (
            f"{side.name} must address the framework {ctx.label(via)}, whose set {ctx.label(inner)} holds {name}",
            [(side.req, AK + "mustAddress", via), (item, AK + "inSet", inner), (inner, AK + "inFramework", via)],
        )
    return (
        f"{side.name} must address the framework {ctx.label(via)}, which holds {name}",
        [(side.req, AK + "mustAddress", via), (item, AK + "inFramework", via)],
    )


def _routes(
    ctx: RunContext, side: Side, items: Iterable[str], table: dict[str, set[Route]]
) -> tuple[list[str], list[Triple]]:
    expl: list[str] = []
    triples: list[Triple] = []
    for item in sorted(items, key=lambda i: (ctx.label(i).lower(), i)):
        for route in sorted(table[item], key=lambda r: (r[0], ctx.label(r[1]).lower(), ctx.label(r[2]).lower(), r)):
            text, found = _route_text(ctx, side, item, route)
            expl.append(text)
            triples += found
    return expl, triples


def _link_text(ctx: RunContext, link: Link) -> str:
    """Which correspondence makes two items one, and whether a source states it or the curators judged it."""
    a, rel, b = link
    said = []
    for src in ctx.provenance.of(a, rel, b):
        where = ", ".join(x for x in (src.get("title"), src.get("locator")) if x) or "a source"
        confidence = src.get("confidence")
        if confidence == "Confirmed":
            said.append(f"stated by the source ({where})")
        elif confidence == "Secondary":
            said.append(f"the curators' judgement, reading {where}")
        else:
            said.append(f"not confirmed ({where})")
    kind = MATCHES.get(rel, "a correspondence")
    text = f"{ctx.label(a)} and {ctx.label(b)} are {kind}"
    text += " (the same measure or outcome)" if rel == SKOS + "exactMatch" else " (near enough to count as one)"
    return text + (": " + "; ".join(dict.fromkeys(said)) if said else ": no source recorded")


def _row(
    aspect: str,
    effect: str,
    item: str,
    now: str,
    after: str,
    explanation: list[str],
    sources: list[dict[str, Any]],
    entities: Iterable[str] = (),
    **extra: Any,
) -> Row:
    return {
        "aspect": aspect,
        "effect": effect,
        "item": item,
        "now": now,
        "after": after,
        "entities": sorted(set(entities)),
        **extra,
        "explanation": explanation,
        "sources": sources,
    }


def _kind(land: Landscape, side: Side) -> str:
    return land.kind(side.req) or "requirement"


def _matched(
    ctx: RunContext, aspect: str, a: Side, b: Side, table: str, now: str, after: str, effect: str
) -> list[Row]:
    """Rows for measures or outcomes: one per group of items both have (the same, or matched)."""
    ta: dict[str, set[Route]] = getattr(a, table)
    tb: dict[str, set[Route]] = getattr(b, table)
    out: list[Row] = []
    for left, right, chain in _groups(ctx, ta, tb):
        ea, sa = _routes(ctx, a, left, ta)
        eb, sb = _routes(ctx, b, right, tb)
        expl = ea + eb + [_link_text(ctx, link) for link in chain]
        expl.append(f"Combined, it would be {'reported' if table == 'measures' else 'addressed'} once.")
        cited: list[Triple] = [*sa, *sb, *chain]
        item = _names(ctx, left | right)
        out.append(_row(aspect, effect, item, now, after, expl, ctx.provenance.many(cited), left | right))
    if out:
        return out
    what = "measure" if table == "measures" else "outcome"
    counts = f"{a.name}: {len(ta)} {what}s; {b.name}: {len(tb)} {what}s"
    expl = [
        f"{s.name} {'reports or must address' if table == 'measures' else 'must address'} {len(t)} {what}(s)"
        + (f": {', '.join(ctx.labelled(t)[:12])}" + (" …" if len(t) > 12 else "") if t else "")
        for s, t in ((a, ta), (b, tb))
    ]
    expl.append(f"No {what} of one is the same as, or an exact or close match of, any {what} of the other.")
    triples: list[Triple] = []
    for s, t in ((a, ta), (b, tb)):
        for item, routes in sorted(t.items()):
            for kind, via, _inner in sorted(routes):
                prop = AK + ("reportsIndicator" if kind.startswith("reports") else "mustAddress")
                if (s.req, prop, via or item) not in triples:
                    triples.append((s.req, prop, via or item))
    return [_row(aspect, NOTHING, f"no {what} in common", counts, UNCHANGED, expl, ctx.provenance.many(triples))]


def _events(ctx: RunContext, land: Landscape, sides: list[Side], area: str | None) -> list[Row]:
    """Reporting events a year on each preparer type (and each named body), now and after the merge."""
    closure: dict[str, set[str]] = defaultdict(set)
    for t, broader in ctx.rows(("type", "broader"), "fetch-type-closure"):
        closure[t or ""].add(broader or "")
    kinds = {_kind(land, s) for s in sides}
    kind = next(iter(kinds)) if len(kinds) == 1 else "plan and report"
    types = sorted({t for s in sides for t in s.values("preparerType")}, key=lambda t: (ctx.label(t).lower(), t))

    def row(item: str, falls: list[tuple[Side, list[str]]], entity: str, level: str) -> Row:
        rates = [s.per_year() for s, _ in falls]
        expl: list[str] = []
        triples: list[Triple] = []
        for s, via in falls:
            cycle = ", ".join(ctx.labelled(s.values("cycle"))) or "cycle not recorded"
            rate = s.per_year()
            jointly = " (jointly with its other preparers)" if "true" in s.values("jointlyPrepared") else ""
            if level == "body type":
                kinds_of = " or ".join(ctx.labelled(via))
                who = f"each {item}" if kinds_of == item else f"each {kinds_of}, which includes each {item}"
                head = f"{s.name} is prepared by {who}{jointly}"
            else:
                how = f"as the {' and '.join(ctx.labelled(via))}" if via else "as named in the law"
                head = f"{item} prepares {s.name} {how}{jointly}"
            expl.append(
                f"{head}: {cycle}, " + (_per_year(rate) if rate is not None else "how often a year not recorded")
            )
            triples += [(s.req, AK + "preparerType", t) for t in via] or [(s.req, AK + "preparer", entity)]
            triples += [(s.req, AK + "cycle", c) for c in s.values("cycle")]
        if any(r is None for r in rates):
            now = after = UNKNOWN
            effect = UNKNOWN
            expl.append("How often one of them falls due is not recorded, so the events a year are not known.")
        else:
            known = [r for r in rates if r is not None]
            now, after = _per_year(sum(known)), _per_year(max(known))
            if len(falls) > 1:
                effect = REMOVED
                expl.append(f"Merged, one {kind} at the more frequent of the two cycles: {after} instead of {now}.")
            else:
                effect = UNCHANGED
                who = f"each {item}" if level == "body type" else item
                expl.append(
                    f"Of the two, {who} prepares only {falls[0][0].name}: merging does not change its reporting."
                )
        return _row(
            "reporting events",
            effect,
            item,
            now,
            after,
            expl,
            ctx.provenance.many(triples),
            [entity] if entity else [],
            level=level,
        )

    out: list[Row] = []
    for t in types:
        falls = [(s, [p for p in s.values("preparerType") if p in closure.get(t, {t})]) for s in sides]
        out.append(row(ctx.label(t), [(s, v) for s, v in falls if v], t, "body type"))
    body_types: dict[str, set[str]] = defaultdict(set)  # body → its types, broader ones included
    national = national_bodies(ctx)
    for t, bodies in national.items():
        for body in bodies:
            body_types[body].add(t)
    wanted: set[str] = {b for s in sides for b in s.values("preparer")}
    unnamed: list[str] = []
    if area:
        local = bodies_in(ctx, area)
        for t, bodies in local.items():
            for body in bodies:
                body_types[body].add(t)
        for t in types:
            found = set(local.get(t, set())) or set(national.get(t, set()))
            if found:
                wanted |= found
            else:
                unnamed.append(t)
    for body in sorted(wanted, key=lambda b: (ctx.label(b).lower(), b)):
        falls = []
        for s in sides:
            via = [p for p in s.values("preparerType") if p in body_types.get(body, set())]
            if via or body in s.values("preparer"):
                falls.append((s, via))
        if falls:
            out.append(row(ctx.label(body), falls, body, "body"))
    for t in unnamed:
        name = unnamed_preparer(ctx, t, area or "", national)
        falls = [(s, [p for p in s.values("preparerType") if p in closure.get(t, {t})]) for s in sides]
        out.append(row(name, [(s, v) for s, v in falls if v], "", "body"))
    return out


def _consultation(ctx: RunContext, land: Landscape, a: Side, b: Side) -> list[Row]:
    both = a.consultees & b.consultees
    out: list[Row] = []
    for c in sorted(both, key=lambda c: (ctx.label(c).lower(), c)):
        expl = [
            f"{a.name} must consult {ctx.label(c)}",
            f"{b.name} must consult {ctx.label(c)}",
            f"One consultation on the combined {_kind(land, a)} could serve both.",
        ]
        triples: list[Triple] = [(s.req, AK + "consultee", c) for s in (a, b)]
        out.append(
            _row(
                "consultation",
                REMOVED,
                ctx.label(c),
                "2 consultations",
                "1 consultation",
                expl,
                ctx.provenance.many(triples),
                [c],
            )
        )
    if out:
        return out
    expl = []
    for s in (a, b):
        if s.consultees:
            expl.append(f"{s.name} must consult {_list(ctx, s.consultees)}")
        elif s.unknown("consultee"):
            expl.append(f"The sources do not settle whom {s.name} must consult.")
        else:
            expl.append(f"No consultee is recorded for {s.name}.")
    unknown = any(s.unknown("consultee") and not s.consultees for s in (a, b))
    now = "; ".join(
        f"{s.name}: "
        + (_list(ctx, s.consultees) if s.consultees else "not known" if s.unknown("consultee") else "none recorded")
        for s in (a, b)
    )
    triples = [(s.req, AK + "consultee", c) for s in (a, b) for c in sorted(s.consultees)]
    return [
        _row(
            "consultation",
            UNKNOWN if unknown else NOTHING,
            "no consultee both require",
            now,
            UNCHANGED,
            expl,
            ctx.provenance.many(triples),
        )
    ]


def _in_common(
    ctx: RunContext,
    aspect: str,
    a: Side,
    b: Side,
    prop: str,
    key: str,
    now: str,
    after: str,
    effect: str,
    groups: dict[str, dict[str, set[str]]] | None = None,
) -> list[Row]:
    """Rows for populations, services (by category) or recipients that both requirements name."""

    def items(s: Side) -> dict[str, set[str]]:
        if groups is not None:
            return groups[s.req]
        return {v: {v} for v in s.values(key)}

    ia, ib = items(a), items(b)
    out: list[Row] = []
    for x in sorted(set(ia) & set(ib), key=lambda x: (ctx.label(x).lower(), x)):
        expl: list[str] = []
        triples: list[Triple] = []
        for s, found in ((a, ia[x]), (b, ib[x])):
            for v in sorted(found):
                where = f" (in {ctx.label(x)})" if v != x else ""
                expl.append(f"{s.name} {prop} {ctx.label(v)}{where}")
                triples.append((s.req, AK + key, v))
                if v != x:
                    triples.append((v, AK + "inCategory", x))
        out.append(_row(aspect, effect, ctx.label(x), now, after, expl, ctx.provenance.many(triples), [x]))
    if out:
        return out
    expl = []
    for s, named in ((a, ia), (b, ib)):
        if named:
            expl.append(f"{s.name} {prop} {_list(ctx, named)}")
        elif s.unknown(key.replace("covers", "").lower()):
            expl.append(f"The sources do not settle what {s.name} {prop}.")
        else:
            expl.append(f"Nothing is recorded that {s.name} {prop}.")
    counts = "; ".join(f"{s.name}: {_list(ctx, found)}" for s, found in ((a, ia), (b, ib)))
    triples = [(s.req, AK + key, v) for s in (a, b) for v in s.values(key)]
    return [_row(aspect, NOTHING, f"no {aspect} in common", counts, UNCHANGED, expl, ctx.provenance.many(triples))]


def _service_groups(ctx: RunContext, land: Landscape, sides: list[Side]) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    for s in sides:
        cats: dict[str, set[str]] = defaultdict(set)
        for service in s.values("coversService"):
            for cat in land.categories_of(ctx, service) or {service}:
                cats[cat].add(service)
        out[s.req] = dict(cats)
    return out


def _amending(ctx: RunContext, land: Landscape, a: Side, b: Side, tl: Timeline) -> list[Row]:
    """Each provision (or, for a non-statutory requirement, each document) that would need changing."""
    out: list[Row] = []
    on = ctx.as_at
    kind = _kind(land, a) if _kind(land, a) == _kind(land, b) else "plan and report"
    provisions: dict[str, list[Side]] = defaultdict(list)
    for s in (a, b):
        for p in s.bases:
            provisions[p].append(s)
    for p in sorted(provisions, key=lambda p: (ctx.label(p).lower(), p)):
        on_sides = provisions[p]
        ident = next((s.bases[p] for s in on_sides if s.bases[p]), "")
        state = tl.legal.get(p)
        status = (
            f"{state.status(on)} ({ctx.labels.in_words(state.note(on))})" if state else "not known (no dates recorded)"
        )
        expl = [f"{ctx.label(p)} is the legal basis of {s.name}" for s in on_sides]
        expl.append(f"legislation.gov.uk: {ident}" if ident else "No legislation.gov.uk identifier is recorded.")
        expl.append(f"On {on}: {status}.")
        both = len(on_sides) > 1
        expl.append(
            f"One amendment could provide for the combined {kind}."
            if both
            else f"It would need amending so that the combined {kind} meets the duty it creates (or the duty be moved)."
        )
        triples: list[Triple] = [(s.req, AK + "legalBasis", p) for s in on_sides]
        if ident:
            triples.append((p, AK + "legislationId", ident))
        now = "requires both" if both else f"requires {on_sides[0].name}"
        out.append(
            _row(
                "legal basis",
                AMEND,
                ctx.label(p),
                now,
                "amend for the combined " + kind,
                expl,
                ctx.provenance.many(triples),
                [p],
                legislation=ident or None,
            )
        )
    for s in (a, b):
        if s.bases:
            continue
        docs = s.values("basisDocument")
        for d in docs:
            current, note = tl.document(d, on)
            currency = {True: "current", False: "not current", None: "not known whether current"}[current]
            expl = [
                f"{s.name} is not statutory: {ctx.label(d)} asks for it.",
                f"On {on}: {currency} ({ctx.labels.in_words(note)}).",
                f"It would need revising to ask for the combined {kind} instead; no legislation needs amending "
                "for this one.",
            ]
            out.append(
                _row(
                    "basis document",
                    REVISE,
                    ctx.label(d),
                    f"asks for {s.name}",
                    "revise for the combined " + kind,
                    expl,
                    ctx.provenance.many([(s.req, AK + "basisDocument", d)]),
                    [d],
                )
            )
        if not docs:
            expl = [f"Neither a legal basis nor a document asking for {s.name} is recorded."]
            out.append(
                _row("legal basis", UNKNOWN, "nothing recorded", f"{s.name}: no basis recorded", UNKNOWN, expl, [])
            )
    return out


def _statutory(s: Side) -> str | None:
    values = s.values("statutory")
    if values:
        return "statutory" if "true" in values else "not statutory"
    if s.bases:
        return "statutory"
    return None


def _differences(ctx: RunContext, land: Landscape, a: Side, b: Side) -> list[Row]:
    out: list[Row] = []

    def row(
        item: str,
        va: str | None,
        vb: str | None,
        triples: list[Triple],
        why: str,
        same: str,
        effect_if_differs: str = BLOCKS,
    ) -> None:
        shown = [f"{a.name}: {va or 'not known'}", f"{b.name}: {vb or 'not known'}"]
        if va is None or vb is None:
            effect, after = UNKNOWN, "to be found out"
            expl = [
                *shown,
                f"Whether the {item} differ cannot be said: one or both are not recorded.",
            ]
        elif va == vb:
            effect, after = FITS, "the same"
            expl = [*shown, f"{same}: no obstacle to a merge."]
        else:
            effect, after = effect_if_differs, "to be settled"
            expl = [*shown, why]
        out.append(_row("difference", effect, item, "; ".join(shown), after, expl, ctx.provenance.many(triples)))

    ka, kb = land.kind(a.req), land.kind(b.req)
    row(
        "plan or report",
        ka or None,
        kb or None,
        [(s.req, PREFIXES["rdf"] + "type", t) for s in (a, b) for t in s.values("type")],
        "One is a plan and the other a report: a merge would make a report part of a plan, or the reverse.",
        f"Both are {ka}s",
    )

    def preparers(s: Side) -> str | None:
        names = ctx.labelled(s.values("preparerType")) + ctx.labelled(s.values("preparer"))
        if not names:
            return None
        jointly = s.values("jointlyPrepared")
        how = " (jointly)" if "true" in jointly else " (each alone)" if jointly and len(names) > 1 else ""
        return " and ".join(names) + how

    row(
        "preparers",
        preparers(a),
        preparers(b),
        [(s.req, AK + p, t) for s in (a, b) for p in ("preparerType", "preparer") for t in s.values(p)],
        "Different bodies prepare them: a combined one needs one set of preparers, and the duty of the others moved or "
        "shared.",
        "The same bodies prepare both",
    )

    def cycle(s: Side) -> str | None:
        names = ctx.labelled(s.values("cycle"))
        return ", ".join(names) if names else None

    row(
        "cycles",
        cycle(a),
        cycle(b),
        [(s.req, AK + "cycle", c) for s in (a, b) for c in s.values("cycle")],
        "They fall due at different intervals: a combined one would follow one cycle (the more frequent keeps every "
        "event of the other).",
        "Both recur on the same cycle",
    )

    def recipients(s: Side) -> str | None:
        names = ctx.labelled(s.values("recipient"))
        if names:
            return ", ".join(names)
        return None if s.unknown("recipient") else "none recorded"

    row(
        "recipients",
        recipients(a),
        recipients(b),
        [(s.req, AK + "recipient", r) for s in (a, b) for r in s.values("recipient")],
        "They go to different recipients: a combined one would go to all of them, or the law change who receives it.",
        "Both go to the same recipients",
    )
    row(
        "statutory or not",
        _statutory(a),
        _statutory(b),
        [
            (s.req, AK + "statutory", ox.Literal(v, datatype=ox.NamedNode(XSD + "boolean")))
            for s in (a, b)
            for v in s.values("statutory")
        ],
        "One rests on law and the other on a document: a merge would put a non-statutory report under a duty, or "
        "take a statutory one out of the law.",
        f"Both are {_statutory(a)}",
    )

    def due(s: Side) -> str | None:
        months = s.values("dueMonthsAfterPeriod")
        if months:
            return f"within {months[0]} months of the period's end"
        rules = s.values("dueRule")
        return rules[0] if rules else None

    row(
        "due dates",
        due(a),
        due(b),
        [
            *[
                (s.req, AK + "dueMonthsAfterPeriod", ox.Literal(v, datatype=ox.NamedNode(XSD + "integer")))
                for s in (a, b)
                for v in s.values("dueMonthsAfterPeriod")
            ],
            *[
                (s.req, AK + "dueRule", literal)
                for s in (a, b)
                for v in s.values("dueRule")
                for literal in (ox.Literal(v), ox.Literal(v, language="en"))
            ],
        ],
        "They fall due at different times after their periods end: a combined one needs one due date.",
        "Both fall due at the same time",
        DIFFERS,
    )
    return out


def _status_note(ctx: RunContext, side: Side, state: RequirementState) -> str | None:
    if state.applies:
        return None
    why = "; ".join(ctx.labels.in_words(r) for r in state.reasons)
    on = ctx.as_at.isoformat()
    if state.applies is False:
        head = f"{side.name} does not apply on {on}"
    else:
        head = f"It is not known whether {side.name} applies on {on}"
    reason = f" ({why})" if why else ""
    return f"{head}{reason}: only requirements that apply can be merged; the comparison is still shown."


@step("merge")
def merge(ctx: RunContext) -> list[Row]:
    first, second, area = ctx.params["first"], ctx.params["second"], ctx.params.get("area")
    land = Landscape.fetch(ctx)
    a, b = _side(ctx, land, first), _side(ctx, land, second)
    if first == second:
        ctx.notes.append(f"Both names are {a.name}: there is nothing to merge.")
        return []
    tl = _timeline(ctx)
    for s in (a, b):
        note = _status_note(ctx, s, tl.applies(s.req, ctx.as_at))
        if note:
            ctx.notes.append(note)
    rows: list[Row] = []
    rows += _matched(ctx, "measures", a, b, "measures", "reported twice", "reported once", REMOVED)
    rows += _events(ctx, land, [a, b], area)
    rows += _consultation(ctx, land, a, b)
    rows += _matched(ctx, "outcomes", a, b, "outcomes", "addressed by both", "addressed once", COMMON)
    rows += _in_common(
        ctx, "population groups", a, b, "covers", "coversPopulation", "covered by both", "covered once", COMMON
    )
    services = _service_groups(ctx, land, [a, b])
    rows += _in_common(
        ctx, "services", a, b, "covers", "coversService", "covered by both", "covered once", COMMON, services
    )
    rows += _in_common(ctx, "recipients", a, b, "goes to", "recipient", "receives both", "receives one", REMOVED)
    rows += _amending(ctx, land, a, b, tl)
    rows += _differences(ctx, land, a, b)
    return rows
