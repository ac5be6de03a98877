"""Step of ``crosswalk``: line up the items of two frameworks or outcome sets, and list what does not line up."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.analyses.correspondence import RELATION_WORDS, basis
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
    AK + "contributesTo": "receivesContributionFrom",
}
WORDS = {**RELATION_WORDS, "receivesContributionFrom": "receives a contribution from"}


@step("crosswalk")
def crosswalk(ctx: RunContext) -> list[Row]:
    sides: dict[str, set[str]] = {"from": set(), "to": set()}
    for r in ctx.select({"from": ox.NamedNode(ctx.params["from"]), "to": ox.NamedNode(ctx.params["to"])}).rows:
        sides[term_text(r["side"]) or ""].add(term_text(r["item"]) or "")
    left, right = _same_kinds(ctx, sides["from"], sides["to"])
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
                found_basis = basis(ctx, *triple)
                expl = [f"{ctx.label(item)} {WORDS.get(rel, rel)} {ctx.label(other)}"]
                expl.append(
                    "a source states this"
                    if found_basis.stated
                    else "the curators' judgement" + (f": {found_basis.reasoning}" if found_basis.reasoning else "")
                )
                if via != item:
                    expl.insert(0, f"{ctx.label(item)} is the same as {ctx.label(via)}")
                out.append(
                    _row(ctx, item, WORDS.get(rel, rel), other, expl, ctx.provenance.many([triple]), found_basis.words)
                )
        if not found:
            out.append(
                _row(
                    ctx,
                    item,
                    "no match",
                    "",
                    [f"{ctx.label(item)} has no recorded link to {ctx.label(ctx.params['to'])}"],
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
                [f"nothing in {ctx.label(ctx.params['from'])} has a recorded link to {ctx.label(other)}"],
                [],
            )
        )
    return out


def _row(
    ctx: RunContext, a: str, rel: str, b: str, expl: list[str], sources: list[dict[str, object]], how: str = ""
) -> Row:
    return {
        "from_item": a,
        "from_label": ctx.label(a),
        "relation": rel,
        "to_item": b,
        "to_label": ctx.label(b),
        "basis": how,
        "explanation": expl,
        "sources": sources,
    }


def _kind(ctx: RunContext, item: str) -> str:
    types = ctx.labels.types.get(item, set())
    if AK + "Indicator" in types:
        return "indicators"
    if types & {AK + "Outcome", AK + "LocalOutcome"} or any(t.endswith("Outcome") for t in types):
        return "outcomes"
    return "other components"


def _same_kinds(ctx: RunContext, left: set[str], right: set[str]) -> tuple[set[str], set[str]]:
    """Compare like with like: when one side holds only outcomes (or only indicators) and the other is a whole
    framework, the framework's other kinds of item are left out (and the answer says so)."""
    lk = {_kind(ctx, i) for i in left}
    rk = {_kind(ctx, i) for i in right}
    out_left, out_right = left, right
    if lk and lk < rk:
        out_right = {i for i in right if _kind(ctx, i) in lk}
        ctx.notes.append(
            f"Only the {' and '.join(sorted(lk))} of {ctx.label(ctx.params['to'])} are compared, as "
            f"{ctx.label(ctx.params['from'])} holds only those."
        )
    elif rk and rk < lk:
        out_left = {i for i in left if _kind(ctx, i) in rk}
        ctx.notes.append(
            f"Only the {' and '.join(sorted(rk))} of {ctx.label(ctx.params['from'])} are compared, as "
            f"{ctx.label(ctx.params['to'])} holds only those."
        )
    return out_left, out_right
