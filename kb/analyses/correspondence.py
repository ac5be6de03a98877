"""What a correspondence between two outcomes or indicators rests on: a source that states it, or the curators'
judgement with their reasoning. Shared by the analyses that follow correspondences (duplicate-reporting,
overlaps, alignment, crosswalk) so that each says the same thing the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.analyses.context import RunContext
from kb.store.cache import shared

RELATION_WORDS = {
    "exactMatch": "is the same as",
    "closeMatch": "is nearly the same as",
    "broadMatch": "is broader than",
    "narrowMatch": "is narrower than",
    "relatedMatch": "is related to",
    "contributesTo": "contributes to",
}


@dataclass(frozen=True)
class Basis:
    stated: bool  # a source states it (confidence Confirmed in at least one evidence graph)
    reasoning: str  # the curators' reasoning, or what the source's evidence graph says

    @property
    def words(self) -> str:
        return "stated by a source" if self.stated else "the curators' judgement"


def _index(ctx: RunContext) -> dict[tuple[str, str, str], Basis]:
    def make() -> dict[tuple[str, str, str], Basis]:
        found: dict[tuple[str, str, str], list[tuple[bool, str]]] = {}
        cols = ("a", "relation", "b", "confidence", "comment")
        for a, rel, b, confidence, comment in ctx.rows(cols, "fetch-correspondence-basis"):
            key = (a or "", (rel or "").rsplit("#", 1)[-1], b or "")
            comment = re.sub(r"^(Curatorial|Curators'?) judgement:\s*", "", comment or "")
            stated = (confidence or "").endswith("#Confirmed")
            found.setdefault(key, []).append((stated, comment or ""))
        out: dict[tuple[str, str, str], Basis] = {}
        for key, items in found.items():
            stated = any(s for s, _ in items)
            reasons = sorted({c for s, c in items if c and (s or not stated)})
            out[key] = Basis(stated, " ".join(reasons))
        return out

    return shared(ctx.store, "correspondence-basis", make)


def basis(ctx: RunContext, a: str, relation: str, b: str) -> Basis:
    """What the correspondence ``a relation b`` rests on (``relation`` as an IRI or its local name); unknown
    correspondences count as the curators' judgement with no reasoning recorded."""
    local = relation.rsplit("#", 1)[-1]
    return _index(ctx).get((a, local, b)) or Basis(False, "")


def sentence(ctx: RunContext, a: str, relation: str, b: str) -> str:
    """'X is nearly the same as Y (the curators' judgement: …)' in words."""
    local = relation.rsplit("#", 1)[-1]
    found = basis(ctx, a, relation, b)
    why = f": {found.reasoning}" if found.reasoning and not found.stated else ""
    return f"{ctx.label(a)} {RELATION_WORDS.get(local, local)} {ctx.label(b)} ({found.words}{why})"
