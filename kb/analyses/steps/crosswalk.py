"""Step of ``crosswalk``: line up the items of two frameworks or outcome sets, and list what does not line up."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.model.namespace import PREFIXES
from kb.store import term_text

SKOS = PREFIXES["skos"]
AK = PREFIXES["ak"]
INVERSE = {
    SKOS + "exactMatch": "exactMatch",
    SKOS + "closeMatch": "closeMatch",
    SKOS + "relatedMatch": "relatedMatch",
    SKOS + "broadMatch": "narrowMatch",
    SKOS + "narrowMatch": "broadMatch",
    AK + "contributesTo": "receives contribution from",
}


@step("crosswalk")
def crosswalk(ctx: RunContext) -> list[Row]:
    sides: dict[str, set[str]] = {"from": set(), "to": set()}
    for r in ctx.select({"from": ox.NamedNode(ctx.params["from"]), "to": ox.NamedNode(ctx.params["to"])}).rows:
        sides[term_text(r["side"]) or ""].add(term_text(r["item"]) or "")
    left, right = sides["from"], sides["to"]
    links: dict[str, list[tuple[str, str, tuple[str, str, str]]]] = defaultdict(list)
    exact: dict[str, set[str]] = defaultdict(set)
    for a_, rel_, b_ in ctx.rows(("a", "relation", "b"), "fetch-correspondences"):
        a, rel, b = a_ or "", rel_ or "", b_ or ""
        links[a].append((rel.rsplit("#", 1)[-1], b, (a, rel, b)))
        links[b].append((INVERSE.get(rel, rel), a, (a, rel, b)))
        if rel == SKOS + "exactMatch":
            exact[a].add(b)
            exact[b].add(a)
    out: list[Row] = []
    matched_right: set[str] = set()
    for item in sorted(left, key=lambda i: ctx.label(i).lower()):
        found = False
        seen: set[tuple[str, str]] = set()
        for via in [item, *sorted(exact.get(item, set()) - {item})]:
            for rel, other, triple in sorted(links.get(via, []), key=lambda x: (x[0], ctx.label(x[1]).lower(), x)):
                if other not in right or (rel, other) in seen:
                    continue
                seen.add((rel, other))
                found = True
                matched_right.add(other)
                expl = [f"{ctx.name_of(item)} {rel} {ctx.name_of(other)}"]
                if via != item:
                    expl.insert(0, f"{ctx.name_of(item)} exactMatch {ctx.name_of(via)}")
                out.append(_row(ctx, item, rel, other, expl, ctx.provenance.many([triple])))
        if not found:
            out.append(
                _row(
                    ctx,
                    item,
                    "no match",
                    "",
                    [f"{ctx.name_of(item)} has no link to {ctx.name_of(ctx.params['to'])}"],
                    [],
                )
            )
    for other in sorted(right - matched_right, key=lambda i: ctx.label(i).lower()):
        out.append(
            _row(
                ctx,
                "",
                "no match",
                other,
                [f"nothing in {ctx.name_of(ctx.params['from'])} links to {ctx.name_of(other)}"],
                [],
            )
        )
    return out


def _row(ctx: RunContext, a: str, rel: str, b: str, expl: list[str], sources: list[dict[str, object]]) -> Row:
    return {
        "from_item": a,
        "from_label": ctx.label(a),
        "relation": rel,
        "to_item": b,
        "to_label": ctx.label(b),
        "explanation": expl,
        "sources": sources,
    }
