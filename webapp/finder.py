"""Finding entities by what people call them: search results and near-match suggestions, both by
``kb.analyses.labels.search`` — the same matching as the analyses' parameters and the pictures' ``?area=``."""

from __future__ import annotations

from typing import Any

from kb.analyses.labels import Match
from kb.analyses.labels import search as search_names

from .kbase import get_store
from .terms import local_href

EXACT = 0.98  # kb.analyses.labels.search scores a name equal to the text 1.0 (0.98 for a provision's cited form)


def _result(m: Match) -> dict[str, Any]:
    return {
        "iri": m.iri,
        "label": m.label,
        "href": local_href(m.iri) or m.iri,
        "types": list(m.types),
        "matched": m.matched,
        "score": round(float(m.score), 3),
        "exact": m.score >= EXACT,
    }


def search(text: str, type_iri: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Entities whose label, alternative label, notation, IRI or definition matches ``text``, best first; a
    result is ``exact`` when one of its names is the text (ignoring case and punctuation), else a near match."""
    text = text.strip()
    if not text:
        return []
    types = [type_iri] if type_iri else None
    return [_result(m) for m in search_names(get_store(), text, types=types, limit=limit)]


def suggest(text: str, limit: int = 5) -> list[dict[str, str]]:
    """Near matches, inside this knowledge base, for a misspelt or unknown name or slug (for 404 pages)."""
    wanted = text.replace("-", " ").strip()
    if not wanted:
        return []
    found = [m for m in search_names(get_store(), wanted, limit=limit * 4) if local_href(m.iri)]
    return [{"iri": m.iri, "label": m.label, "href": local_href(m.iri) or m.iri} for m in found[:limit]]
