"""Step of ``impact``: what depends on a provision, instrument, framework or requirement (networkx)."""

from __future__ import annotations

from collections import deque
from itertools import pairwise

import networkx as nx

from kb.analyses.context import Row, RunContext, step
from kb.analyses.timeline import AK
from kb.model.namespace import compact
from kb.store.cache import shared

# predicate → (edge runs from object to subject?, relation as read from the dependency, terminal?)
LINKS: dict[str, tuple[bool, str, bool]] = {
    AK + "partOf": (True, "contains", False),
    AK + "legalBasis": (True, "is the legal basis of", False),
    AK + "madeUnder": (True, "enables (made under it)", False),
    AK + "amends": (True, "is amended by", False),
    AK + "basisDocument": (True, "is the basis document of", False),
    AK + "reportsOn": (True, "is reported on by", False),
    AK + "realises": (True, "is realised by", False),
    AK + "inFramework": (True, "includes", False),
    AK + "inSet": (True, "includes", False),
    AK + "measures": (True, "is measured by", True),
    AK + "mustAddress": (False, "must address", True),
    AK + "reportsIndicator": (False, "reports", True),
}
ADDRESSED_BY = "is to be addressed by"
KIND_ORDER = [
    ("ReportRequirement", "report requirement"),
    ("PlanRequirement", "plan requirement"),
    ("Requirement", "requirement"),
    ("Plan", "plan"),
    ("Act", "instrument"),
    ("StatutoryInstrument", "instrument"),
    ("StatutoryGuidance", "instrument"),
    ("Bill", "instrument"),
    ("Treaty", "instrument"),
    ("Part", "provision"),
    ("Section", "provision"),
    ("Subsection", "provision"),
    ("Schedule", "provision"),
    ("Article", "provision"),
    ("Provision", "provision"),
    ("PolicyDocument", "policy document"),
    ("LocalOutcome", "outcome"),
    ("Outcome", "outcome"),
    ("Indicator", "indicator"),
    ("OutcomeSet", "outcome set"),
    ("IndicatorSet", "indicator set"),
    ("PolicyFramework", "framework"),
    ("FrameworkComponent", "component"),
]


def dependency_graph(ctx: RunContext) -> nx.DiGraph:
    """The dependency graph, built once per store (read-only)."""
    return shared(ctx.store, "dependency-graph", lambda: _dependency_graph(ctx))


def _dependency_graph(ctx: RunContext) -> nx.DiGraph:
    graph: nx.DiGraph[str] = nx.DiGraph()
    # edges are added (and so followed, and the first triple of an edge kept) in one order, not the store's
    for s_, p_, o_ in sorted(ctx.rows(("s", "p", "o")), key=lambda t: tuple(x or "" for x in t)):
        s, p, o = s_ or "", p_ or "", o_ or ""
        reverse, relation, terminal = LINKS[p]
        a, b = (o, s) if reverse else (s, o)
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, relation=relation, terminal=terminal, triple=(s, p, o))
        if p == AK + "mustAddress" and not graph.has_edge(o, s):
            graph.add_edge(o, s, relation=ADDRESSED_BY, terminal=False, triple=(s, p, o))
    return graph


def kind_of(ctx: RunContext, iri: str) -> str:
    types = {t.rsplit("#", 1)[-1] for t in ctx.labels.types.get(iri, set()) if t.startswith(AK)}
    return next((kind for local, kind in KIND_ORDER if local in types), "")


@step("impact")
def impact(ctx: RunContext) -> list[Row]:
    start = ctx.params["provision"]
    graph = dependency_graph(ctx)
    if start not in graph:
        return []
    parent: dict[str, str] = {start: ""}
    depth = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.successors(node):
            if nxt in parent:
                continue
            edge = graph.edges[node, nxt]
            # an outcome reached from a requirement is not followed back to other requirements
            if (
                edge["relation"] == ADDRESSED_BY
                and node != start
                and graph.edges.get((parent[node], node), {}).get("terminal")
            ):
                continue
            parent[nxt] = node
            depth[nxt] = depth[node] + 1
            if not edge["terminal"]:
                queue.append(nxt)
    out: list[Row] = []
    for node in parent:
        if node == start:
            continue
        path = [node]
        while parent[path[-1]]:
            path.append(parent[path[-1]])
        path.reverse()
        steps = [f"{ctx.name_of(a)} {graph.edges[a, b]['relation']} {ctx.name_of(b)}" for a, b in pairwise(path)]
        last = graph.edges[path[-2], node]
        kind = kind_of(ctx, node)
        applies = ""
        if "requirement" in kind:
            applies = ctx.timeline.applies(node, ctx.as_at).label
        out.append(
            {
                "entity": node,
                "label": ctx.label(node) or compact(node),
                "type": kind,
                "relation": last["relation"],
                "distance": depth[node],
                "applies": applies,
                "explanation": steps,
                "sources": ctx.provenance.many([last["triple"]]),
            }
        )
    out.sort(key=lambda r: (r["distance"], r["type"], r["label"].lower(), r["entity"]))
    return out
