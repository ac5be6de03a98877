"""Counts that tell a curator what the knowledge base holds and how well it is sourced."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.store import Store
from kb.store.querydoc import query_text


def _int(value: str | None) -> int:
    return int(float(value)) if value else 0


@dataclass
class Stats:
    triples: int
    assertions: int
    with_locator: int
    unconfirmed_assertions: int
    secondary_assertions: int
    classes: list[dict[str, int | str | None]] = field(default_factory=list)
    sources: list[dict[str, int | str | None]] = field(default_factory=list)
    unconfirmed: list[dict[str, str | None]] = field(default_factory=list)
    unknown_dates: list[dict[str, str | None]] = field(default_factory=list)
    coverage: list[dict[str, object]] = field(default_factory=list)
    unknown_aspects: list[dict[str, str | None]] = field(default_factory=list)

    def coverage_summary(self) -> dict[str, int]:
        """How many sets are complete, partial, or of a size no source declares."""
        out = {"complete": 0, "partial": 0, "size not declared": 0}
        for row in self.coverage:
            out[str(row["completeness"])] = out.get(str(row["completeness"]), 0) + 1
        return out

    def unknown_aspect_counts(self) -> dict[str, int]:
        """Requirements whose sources leave an aspect open, counted per aspect."""
        counts: dict[str, int] = {}
        for row in self.unknown_aspects:
            aspect = (row["aspect"] or "").split(" (")[0]
            counts[aspect] = counts.get(aspect, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def unknown_date_counts(self) -> dict[str, int]:
        """How many entities of each kind have a date the sources do not give (see stats-unknown-dates.rq)."""
        counts: dict[str, int] = {}
        for row in self.unknown_dates:
            kind = row["kind"] or ""
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items()))

    @property
    def locator_share(self) -> float:
        return self.with_locator / self.assertions if self.assertions else 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "assertions": self.assertions,
            "assertions_with_locator": self.with_locator,
            "locator_share": round(self.locator_share, 4),
            "unconfirmed_assertions": self.unconfirmed_assertions,
            "secondary_assertions": self.secondary_assertions,
            "classes": self.classes,
            "sources": self.sources,
            "unconfirmed": self.unconfirmed,
            "unknown_dates": {"counts": self.unknown_date_counts(), "entities": self.unknown_dates},
            "coverage": {"summary": self.coverage_summary(), "sets": self.coverage},
            "unknown_aspects": {
                "requirements": len({r["requirement"] for r in self.unknown_aspects}),
                "counts": self.unknown_aspect_counts(),
                "aspects": self.unknown_aspects,
            },
        }


def completeness(declared: int | None, recorded: int) -> str:
    if declared is None:
        return "size not declared"
    return "complete" if recorded >= declared else "partial"


def coverage(store: Store) -> list[dict[str, object]]:
    """Each set with the size its source declares, the members recorded, and whether it is complete."""
    out: list[dict[str, object]] = []
    for r in store.select(query_text("stats-coverage")).records():
        declared = _int(r["declared"]) if r["declared"] else None
        recorded = _int(r["recorded"])
        out.append(
            {
                "set": r["set"],
                "label": r["label"],
                "kind": r["kind"],
                "declared": declared,
                "recorded": recorded,
                "counts": r["counts"],
                "completeness": completeness(declared, recorded),
            }
        )
    return out


def compute(store: Store) -> Stats:
    totals = store.select(query_text("stats-totals")).records()[0]
    classes = [
        {"class": r["class"], "label": r["label"], "count": _int(r["count"])}
        for r in store.select(query_text("stats-classes")).records()
    ]
    sources = [
        {
            "source": r["source"],
            "title": r["title"],
            "assertions": _int(r["assertions"]),
            "triples": _int(r["triples"]),
            "unconfirmed": _int(r["unconfirmed"]),
        }
        for r in store.select(query_text("stats-sources")).records()
    ]
    return Stats(
        triples=_int(totals["triples"]),
        assertions=_int(totals["assertions"]),
        with_locator=_int(totals["withLocator"]),
        unconfirmed_assertions=_int(totals["unconfirmed"]),
        secondary_assertions=_int(totals["secondary"]),
        classes=classes,
        sources=sources,
        unconfirmed=store.select(query_text("stats-unconfirmed")).records(),
        unknown_dates=store.select(query_text("stats-unknown-dates")).records(),
        coverage=coverage(store),
        unknown_aspects=store.select(query_text("stats-unknown-aspects")).records(),
    )
