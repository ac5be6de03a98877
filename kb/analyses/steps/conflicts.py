"""Step of ``conflicts``: where sources disagree, recorded or detected."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.analyses.timeline import PROPOSED, Arrangement, parse_date, same_status
from kb.store import term_text


@step("conflicts")
def conflicts(ctx: RunContext) -> list[Row]:
    grouped: dict[str, dict[str, Any]] = {}
    table = ctx.select()
    # in one order whatever the store's: the first label and note, and the last record of a side, are kept
    for r in sorted(table.rows, key=lambda r: tuple(term_text(r.get(c)) or "" for c in table.columns)):
        c = term_text(r["conflict"]) or ""
        entry = grouped.setdefault(
            c,
            {
                "label": term_text(r["label"]) or "",
                "note": term_text(r["note"]) or "",
                "resolution": term_text(r["resolution"]) or "",
                "concerns": set(),
                "sides": {},
            },
        )
        if r["concerns"] is not None:
            entry["concerns"].add(term_text(r["concerns"]))
        a = term_text(r["assertion"])
        if a:
            entry["sides"][a] = {
                "source": term_text(r["source"]),
                "title": term_text(r["title"]),
                "locator": term_text(r["locator"]),
                "quote": term_text(r["quote"]),
                "confidence": (term_text(r["confidence"]) or "").rsplit("#", 1)[-1],
                "graph": a,
            }
    out: list[Row] = []
    recorded: set[frozenset[str]] = set()
    for c, e in grouped.items():
        recorded.add(frozenset(e["concerns"]))
        expl = [e["note"]] if e["note"] else []
        for g, src in sorted(e["sides"].items()):
            said = sorted(
                " ".join(_said(ctx, t[k]) for k in ("s", "p", "o"))
                for t in ctx.fetch("fetch-graph-statements", {"g": ox.NamedNode(g)}).rows
                if (term_text(t["s"]) in e["concerns"] or not e["concerns"])
                or any(term_text(t["o"]) == x for x in e["concerns"])
            )
            expl.append(
                f"{src['title'] or src['source']}, {src['locator']} ({src['confidence']}): "
                + ("; ".join(said[:8]) or "see its evidence")
            )
        out.append(
            {
                "conflict": c,
                "label": e["label"] or ctx.label(c),
                "kind": "recorded",
                "concerns": ctx.labelled(e["concerns"]),
                "note": e["note"],
                "resolution": e["resolution"] or "not resolved: both statements are kept",
                "sides": [_side_words(e["sides"][g]) for g in sorted(e["sides"])],
                "explanation": expl,
                "sources": [e["sides"][g] for g in sorted(e["sides"])],
            }
        )
    by_key: dict[tuple[str, str, str], list[Arrangement]] = defaultdict(list)
    columns = ("area", "category", "asAt", "arrangement", "status")
    for area_, cat_, as_at_, arrangement, status in ctx.rows(columns, "fetch-delegation-disagreements"):
        area, cat = area_ or "", cat_ or ""
        as_at = parse_date(as_at_)
        if as_at is None:
            continue
        by_key[(area, cat, as_at.isoformat())].append(
            Arrangement(arrangement or "", area, cat, status or "", None, as_at)
        )
    for (area, cat, when), arrs in sorted(by_key.items()):
        stated = {a.status for a in arrs} - {PROPOSED}  # a proposal to delegate is a plan, not a disagreement
        if len({same_status(s) for s in stated}) < 2:
            continue
        if any({area, cat} <= set(k) for k in recorded):
            continue
        sides = sorted(arrs, key=lambda a: a.iri)
        out.append(
            {
                "conflict": "",
                "label": f"{ctx.label(area)}: {ctx.label(cat)} as at {when}",
                "kind": "detected",
                "concerns": ctx.labelled({area, cat}),
                "note": "delegation arrangements of the same date disagree: "
                + " / ".join(ctx.label(s) for s in sorted(stated, key=ctx.label)),
                "resolution": "not resolved: both statements are kept",
                "sides": [f"{ctx.label(a.iri)}: {ctx.label(a.status)}" for a in sides],
                "explanation": [f"{ctx.name_of(a.iri)}: {ctx.label(a.status)}" for a in sides],
                "sources": ctx.provenance.many(
                    [(a.iri, "https://w3id.org/alignkb/ontology#delegationStatus", a.status) for a in sides]
                ),
            }
        )
    out.sort(key=lambda r: (r["kind"], r["label"].lower(), r["conflict"], r["sides"]))
    return out


def _said(ctx: RunContext, term: Any) -> str:
    """A term of a side's statement as a person reads it: an IRI by its label, a literal by its value."""
    text = term_text(term) or ""
    return ctx.label(text) if isinstance(term, ox.NamedNode) else text


def _side_words(side: dict[str, Any]) -> str:
    """One side of a recorded conflict in words: the source and where in it."""
    where = f", {side['locator']}" if side.get("locator") else ""
    return f"{side.get('title') or side.get('source')}{where}"
