"""Step of ``evidence``: the sources behind every statement about an entity."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.model.namespace import compact
from kb.store import term_text


@step("evidence")
def evidence(ctx: RunContext) -> list[Row]:
    entity = ctx.params["entity"]
    rows = ctx.select({"entity": ox.NamedNode(entity)}).rows
    graphs_per_statement: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in rows:
        graphs_per_statement[((term_text(r["s"]) or ""), (term_text(r["p"]) or ""), (term_text(r["o"]) or ""))].add(
            term_text(r["g"]) or ""
        )
    conflicts = sorted(
        term_text(r["c"]) or ""
        for r in ctx.store.select(
            "SELECT DISTINCT ?c WHERE { ?c a ak:Conflict ; ak:concerns ?e }", {"e": ox.NamedNode(entity)}
        ).rows
    )
    out: list[Row] = []
    for r in rows:
        s, p, o = (term_text(r["s"]) or ""), (term_text(r["p"]) or ""), (term_text(r["o"]) or "")
        n = len(graphs_per_statement[(s, p, o)])
        expl = [f"stated in {compact(term_text(r['g']) or '')}"]
        if n > 1:
            expl.append(f"corroborated: {n} evidence graphs state it")
        expl += [f"a recorded conflict concerns this entity: {ctx.name_of(c)}" for c in conflicts]
        src = {
            "source": term_text(r["source"]),
            "title": term_text(r["title"]),
            "locator": term_text(r["locator"]),
            "quote": term_text(r["quote"]),
            "confidence": (term_text(r["confidence"]) or "").rsplit("#", 1)[-1],
            "graph": term_text(r["g"]),
        }
        out.append(
            {
                "subject": s,
                "predicate": compact(p),
                "object": o,
                "source": src["source"],
                "title": src["title"],
                "locator": src["locator"],
                "confidence": src["confidence"],
                "quote": src["quote"],
                "explanation": expl,
                "sources": [src],
            }
        )
    out.sort(
        key=lambda x: (
            x["subject"] != entity,
            x["predicate"],
            x["object"],
            x["subject"],
            x["source"] or "",
            x["locator"] or "",
            x["sources"][0]["graph"] or "",
            x["quote"] or "",
            x["confidence"],
            x["title"] or "",
        )
    )
    return out
