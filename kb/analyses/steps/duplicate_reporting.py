"""Step of ``duplicate-reporting``: equivalent indicators reported more than once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape
from kb.analyses.lines import Clusters, Lines
from kb.analyses.timeline import AK
from kb.store.cache import shared

MAX_ROWS = 1000


@dataclass
class _IndicatorIndex:
    """Indicators' sets, the requirements reporting them and the clusters of matches (once per store)."""

    sets: dict[str, set[str]]
    reports: dict[str, set[str]]  # every requirement, applying or not
    roots: dict[str, str]
    links: dict[str, list[tuple[str, str, str]]]  # cluster root → match links, in query order

    def root(self, ind: str) -> str:
        return self.roots.get(ind, ind)


def _memberships(ctx: RunContext) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Indicator → its sets and indicator → the requirements reporting it (directly or through a typed indicator
    set it is in), joined in Python from the flat edges of ``cq-duplicate-reporting.rq``.

    Same result as the earlier ``OPTIONAL { ?indicator ak:inSet ?set } OPTIONAL { {?req ak:reportsIndicator
    ?indicator} UNION {?req ak:reportsIndicator ?set . ?set a ak:IndicatorSet} }`` as Oxigraph evaluated it,
    including its reading of an indicator in no set: ``?set`` is then free in the second branch, so such an
    indicator counts as in (and reported through) every indicator set that some requirement reports.
    """
    indicators: set[str] = set()
    typed_sets: set[str] = set()
    in_sets: dict[str, set[str]] = defaultdict(set)
    reporters: dict[str, set[str]] = defaultdict(set)
    for edge, s, o in ctx.rows(("edge", "s", "o")):
        if s is None:
            continue
        if edge == "indicator":
            indicators.add(s)
        elif edge == "set":
            typed_sets.add(s)
        elif edge == "inSet" and o is not None:
            in_sets[s].add(o)
        elif edge == "reports" and o is not None:
            reporters[o].add(s)
    reported_sets = {s for s in typed_sets if reporters.get(s)}
    via_any_set = {r for s in reported_sets for r in reporters[s]}
    sets: dict[str, set[str]] = {}
    reports: dict[str, set[str]] = {}
    for ind in indicators:
        own = in_sets.get(ind)
        by = set(reporters.get(ind, ()))
        if own:
            sets[ind] = set(own)
            for s in own & typed_sets:
                by |= reporters.get(s, set())
        else:
            if reported_sets:
                sets[ind] = set(reported_sets)
            by |= via_any_set
        if by:
            reports[ind] = by
    return sets, reports


def _indicator_index(ctx: RunContext) -> _IndicatorIndex:
    def make() -> _IndicatorIndex:
        sets, reports = _memberships(ctx)
        clusters = Clusters()
        found: list[tuple[str, str, str]] = []
        for a, b, rel in ctx.rows(("a", "b", "relation"), "fetch-indicator-matches"):
            clusters.join(a or "", b or "")
            found.append((a or "", rel or "", b or ""))
        roots = {x: clusters.find(x) for x in list(clusters.parent)}
        links: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for a, rel, b in found:
            links[roots[a]].append((a, rel, b))
        return _IndicatorIndex(dict(sets), dict(reports), roots, dict(links))

    return shared(ctx.store, "indicator-index", make)


def _names(ctx: RunContext, iris: set[str], bodies: dict[str, set[str]] | None) -> list[str]:
    """Body types named as the area's own bodies where an area is given and it has them."""
    out: set[str] = set()
    for iri in iris:
        if bodies is not None and bodies.get(iri):
            out |= set(ctx.labelled(bodies[iri]))
        else:
            out.add(ctx.label(iri))
    return sorted(out, key=str.lower)


@step("duplicate-reporting")
def duplicate_reporting(ctx: RunContext) -> list[Row]:
    from kb.analyses.correspondence import sentence
    from kb.analyses.landscape import bodies_in, recipient_names

    area, body = ctx.params.get("area"), ctx.params.get("body")
    land = Landscape.fetch(ctx)
    applying = set(ctx.timeline.applying(ctx.as_at))
    bodies = bodies_in(ctx, area) if area else None
    allowed = set(applying)
    if bodies is not None:
        allowed = {r for r in applying if set(land.details.get(r, {}).get("preparerType", [])) & set(bodies)}
    body_types = (set(_body_types(ctx, body)) or {body}) if body else set()
    index = _indicator_index(ctx)
    lines = Lines(land, applying)
    reported: dict[str, set[str]] = defaultdict(set)  # measure root -> requirements
    inds_of: dict[str, set[str]] = defaultdict(set)
    for ind, reqs in index.reports.items():
        kept = reqs & allowed
        root = index.root(ind)
        if kept:
            reported[root] |= kept
            inds_of[root].add(ind)
    out: list[Row] = []
    for root, reqs in reported.items():
        by_line: dict[str, set[str]] = defaultdict(set)
        for r in reqs:
            by_line[lines.of(r)].add(r)
        if len(by_line) < 2:
            continue
        line_facts = {}
        for line, rs in by_line.items():
            whole = lines.members[line]
            preparers = {t for r in whole for t in land.details.get(r, {}).get("preparerType", [])}
            recipients = {x for r in rs for x in land.details.get(r, {}).get("recipient", [])}
            line_facts[line] = (frozenset(preparers), frozenset(recipients))
        if body_types and not any(prep & body_types for prep, _r in line_facts.values()):
            continue  # the body prepares none of these lines
        if len(set(line_facts.values())) < 2 and all(rec for _p, rec in line_facts.values()):
            continue  # every line goes from the same preparers to the same recipients: one channel, not duplication
        inds = inds_of[root]
        all_recipients = {x for _p, rec in line_facts.values() for x in rec}
        all_preparers = {x for prep, _r in line_facts.values() for x in prep}
        expl: list[str] = []
        line_names: list[str] = []
        for line in sorted(by_line, key=lambda ln: ctx.label(lines.head[ln]).lower()):
            head = lines.head[line]
            others = sorted(lines.members[line] - {head}, key=lambda r: ctx.label(r).lower())
            name = ctx.label(head) + (f" (with {', '.join(ctx.label(o) for o in others)})" if others else "")
            line_names.append(name)
            prep, rec = line_facts[line]
            carried = ", ".join(sorted(ctx.label(r) for r in by_line[line]))
            expl.append(
                f"reporting line '{name}': {carried} carries it, prepared by "
                f"{', '.join(_names(ctx, set(prep), bodies)) or 'no preparer recorded'}, sent to "
                f"{', '.join(recipient_names(ctx, rec, bodies)) or 'no recipient recorded'}"
            )
        cluster_links = sorted((a, rel, b) for a, rel, b in index.links.get(root, ()) if a in inds)
        correspondences = [sentence(ctx, a, rel, b) for a, rel, b in cluster_links]
        expl += [f"the same measure because {c}" for c in correspondences]
        for i in sorted(inds, key=lambda i: ctx.label(i).lower()):
            by = ", ".join(sorted(ctx.label(r) for r in index.reports.get(i, set()) & reqs))
            expl.append(f"{ctx.name_of(i)} is reported in {by}")
        triples: list[tuple[str, str, Any]] = list(cluster_links)
        for r in sorted(reqs):
            for i in sorted(inds):
                direct = (r, AK + "reportsIndicator", i)
                via = [(r, AK + "reportsIndicator", s) for s in sorted(index.sets.get(i, ()))]
                triples += [direct, *via]
        names = ctx.labelled(inds)
        out.append(
            {
                "measure": names[0],
                "indicators": sorted(inds),
                "lines": line_names,
                "reports": sorted({ctx.label(r) for r in reqs}, key=str.lower),
                "preparers": _names(ctx, all_preparers, bodies),
                "recipients": recipient_names(ctx, all_recipients, bodies),
                "correspondence": correspondences,
                "n_lines": len(by_line),
                "n_recipients": len(all_recipients),
                "explanation": expl,
                "sources": ctx.provenance.many(triples),
            }
        )
    from kb.analyses.steps.gaps import set_coverage

    reported_sets = {s for sets_of in index.sets.values() for s in sets_of}
    partial = [c for c in set_coverage(ctx) if c.iri in reported_sets and not c.complete]
    if partial:
        ctx.notes.append(
            "Some indicator sets are held only in part, so a measure reported twice through a member not recorded "
            "cannot be shown: " + "; ".join(c.words(ctx) for c in sorted(partial, key=lambda c: c.iri)) + "."
        )
    out.sort(key=lambda r: (-r["n_lines"], -r["n_recipients"], r["measure"].lower(), r["indicators"]))
    if len(out) > MAX_ROWS:
        ctx.notes.append(f"{len(out)} measures found; the first {MAX_ROWS} are shown.")
        out = out[:MAX_ROWS]
    return out


def _body_types(ctx: RunContext, body: str) -> list[str]:
    """The body types (with broader ones) of a body; a body type stands for itself."""
    types = ctx.labels.types.get(body, set())
    if AK + "BodyType" in types:
        return [body]
    return [t or "" for (t,) in ctx.rows(("type",), "fetch-body-types", {"body": _node(body)})]


def _node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)
