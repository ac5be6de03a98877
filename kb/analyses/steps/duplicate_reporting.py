"""Step of ``duplicate-reporting``: equivalent indicators reported more than once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape
from kb.analyses.timeline import AK
from kb.store.cache import shared

WEIGHTS = {"outcomes": 0.4, "populations": 0.2, "services": 0.2, "preparers": 0.2}
MAX_ROWS = 1000


class _Clusters:
    """Union-find over indicators joined by exact/close matches."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


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
        clusters = _Clusters()
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


@step("duplicate-reporting")
def duplicate_reporting(ctx: RunContext) -> list[Row]:
    area = ctx.params.get("area")
    land = Landscape.fetch(ctx)
    applying = ctx.timeline.applying(ctx.as_at)
    allowed = applying
    if area:
        from kb.analyses.landscape import bodies_in

        served = set(bodies_in(ctx, area))
        allowed = frozenset(r for r in applying if set(land.details.get(r, {}).get("preparerType", [])) & served)
    index = _indicator_index(ctx)
    sets = index.sets
    reports: dict[str, set[str]] = {}
    for ind, reqs in index.reports.items():
        kept = reqs & allowed
        if kept:
            reports[ind] = kept
    members: dict[str, set[str]] = defaultdict(set)
    for ind in set(sets) | set(reports):
        members[index.root(ind)].add(ind)
    out: list[Row] = []
    for root, inds in members.items():
        c_sets = {s for i in inds for s in sets.get(i, ())}
        c_reports = {r for i in inds for r in reports.get(i, ())}
        if len(c_reports) < 2 and (area or len(c_sets) < 2):
            continue
        names = ctx.labelled(inds)
        recipients = {x for r in c_reports for x in land.details.get(r, {}).get("recipient", [])}
        expl = []
        for i in sorted(inds, key=lambda i: ctx.label(i).lower()):
            in_sets = ", ".join(ctx.labelled(sets.get(i, ()))) or "no set"
            by = ", ".join(ctx.labelled(reports.get(i, ()))) or "no report that applies"
            expl.append(f"{ctx.name_of(i)} in {in_sets}; reported in {by}")
        for r in sorted(c_reports):
            to = ", ".join(ctx.labelled(land.details.get(r, {}).get("recipient", []))) or "no recipient recorded"
            expl.append(f"{ctx.label(r)} goes to {to}")
        cluster_links = sorted((a, rel, b) for a, rel, b in index.links.get(root, ()) if a in inds)
        expl += [
            f"{ctx.label(a)} {rel.rsplit('#', 1)[-1]} {ctx.label(b)}: the same measure" for a, rel, b in cluster_links
        ]
        triples: list[tuple[str, str, Any]] = list(cluster_links)
        triples += [(i, AK + "inSet", s) for i in sorted(inds) for s in sorted(sets.get(i, ()))]
        out.append(
            {
                "measure": names[0],
                "indicators": sorted(inds),
                "indicator_sets": ctx.labelled(c_sets),
                "reports": ctx.labelled(c_reports),
                "recipients": ctx.labelled(recipients),
                "n_reports": len(c_reports),
                "n_sets": len(c_sets),
                "explanation": expl,
                "sources": ctx.provenance.many(triples),
            }
        )
    out.sort(key=lambda r: (-r["n_reports"], -r["n_sets"], r["measure"].lower(), r["indicators"]))
    return out
