"""Finding entities by what people call them: search and near-match suggestions.

Uses ``kb.labels.search`` (the same matching as the analyses' parameters) when it is available, and the web
app's own label query otherwise.
"""

from __future__ import annotations

import difflib
from typing import Any

import pyoxigraph as ox

from kb.model.namespace import expand

from .kbase import get_store, select
from .terms import local_href, show


def _labels_module() -> Any:
    try:
        from kb.analyses import labels
    except ImportError:
        return None
    return labels if hasattr(labels, "search") else None


def search(text: str, type_iri: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Entities whose label, alternative label or definition matches ``text``, best first."""
    text = text.strip()
    if not text:
        return []
    labels = _labels_module()
    if labels is not None:
        types = [type_iri] if type_iri else None
        return [
            {
                "iri": m.iri,
                "label": m.label,
                "href": local_href(m.iri) or m.iri,
                "types": list(m.types),
                "matched": m.matched,
                "score": round(float(m.score), 3),
            }
            for m in labels.search(get_store(), text, types=types, limit=limit)
        ]
    return _own_search(text, type_iri, limit)


def _own_search(text: str, type_iri: str | None, limit: int) -> list[dict[str, Any]]:
    lowered = text.lower()
    best: dict[str, dict[str, Any]] = {}
    weights = {"label": 1.0, "altLabel": 0.9, "definition": 0.5}
    for row in select("search", text=ox.Literal(text)).records():
        iri, matched, field = row["entity"] or "", row["matched"] or "", row["field"] or "definition"
        score = weights.get(field, 0.5)
        if matched.lower() == lowered:
            score += 1.0
        elif matched.lower().startswith(lowered):
            score += 0.5
        if iri not in best or best[iri]["score"] < score:
            best[iri] = {
                "iri": iri,
                "label": row["label"] or iri,
                "href": local_href(iri) or iri,
                "types": [],
                "matched": matched,
                "score": score,
            }
    results = sorted(best.values(), key=lambda r: (-r["score"], r["label"].lower()))
    for result in results[: limit * 2]:
        result["types"] = [t for t in select("entity-types", entity=ox.NamedNode(result["iri"])).values("type") if t]
    if type_iri:
        results = [r for r in results if type_iri in r["types"]]
    return results[:limit]


def suggest(text: str, limit: int = 5) -> list[dict[str, str]]:
    """Near matches for a misspelt or unknown name or slug (for 404 pages and form errors)."""
    wanted = text.replace("-", " ").strip().lower()
    if not wanted:
        return []
    names: dict[str, str] = {}
    official: dict[str, str] = {}
    for row in select("all-labels").records():
        iri, label = row["entity"] or "", row["label"] or ""
        if iri.startswith("https://w3id.org/alignkb/"):
            names.setdefault(label.lower(), iri)
            slug = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
            names.setdefault(slug, iri)
            official.setdefault(iri, label)
    close = difflib.get_close_matches(wanted, list(names), n=limit * 3, cutoff=0.6)
    close += [n for n in names if wanted in n and n not in close]
    seen: list[str] = []
    for name in close:
        iri = names[name]
        if iri not in seen:
            seen.append(iri)
    return [{"iri": iri, "label": official.get(iri, iri), "href": local_href(iri) or iri} for iri in seen[:limit]]


def type_label(type_text: str) -> tuple[str | None, str]:
    iri = expand(type_text)
    return iri, show(ox.NamedNode(iri)).label if iri else type_text
