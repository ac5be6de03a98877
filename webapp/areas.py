"""Choosing a council area by what people call it (slug, label or alternative label)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from kb.model.namespace import KB

from .kbase import select


@dataclass
class AreaChoice:
    iri: str | None = None
    label: str | None = None
    error: str | None = None
    suggestions: list[dict[str, str]] = field(default_factory=list)


def options() -> list[dict[str, str]]:
    return [
        {
            "iri": r["area"] or "",
            "label": r["label"] or r["area"] or "",
            "slug": (r["area"] or "").removeprefix(str(KB)),
        }
        for r in select("areas").records()
    ]


def choose(text: str) -> AreaChoice:
    """The area named by ``text``; an error with near matches when there is none."""
    text = text.strip()
    if not text:
        return AreaChoice()
    known = options()
    wanted = text.lower()
    names: dict[str, dict[str, str]] = {}
    for area in known:
        for name in (area["label"], area["slug"], area["slug"].replace("-", " "), area["iri"]):
            names[name.lower()] = area
    for row in select("all-labels").records():
        area = next((a for a in known if a["iri"] == row["entity"]), None)
        if area and row["label"]:
            names[row["label"].lower()] = area
    if wanted in names:
        return AreaChoice(names[wanted]["iri"], names[wanted]["label"])
    close = difflib.get_close_matches(wanted, list(names), n=8, cutoff=0.5)
    seen: list[dict[str, str]] = []
    for name in close:
        if names[name] not in seen:
            seen.append(names[name])
    return AreaChoice(
        error=f"No council area called {text!r}.",
        suggestions=[{"label": a["label"], "slug": a["slug"]} for a in seen[:5]],
    )
