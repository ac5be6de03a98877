"""Step of ``changes``: what changed between two dates."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby
from operator import attrgetter

from kb.analyses import documents
from kb.analyses.context import Row, RunContext, step
from kb.analyses.timeline import (
    AK,
    PROPOSED,
    Arrangement,
    arrangements,
    parse_date,
    prefetch_arrangements,
    same_status,
)
from kb.store.cache import shared
from kb.store.fast import props_of
from kb.store.querydoc import query_text


def _delegation_steps(ctx: RunContext) -> list[tuple[Arrangement, frozenset[str]]]:
    """Every arrangement (in the order fetched) with the statuses that held the day before it: those of the
    arrangements of the latest earlier date in its area and category, as ``holding`` says (once per store)."""

    def make() -> list[tuple[Arrangement, frozenset[str]]]:
        arrs = arrangements(ctx.store)
        before: dict[tuple[str, str, date], frozenset[str]] = {}
        none: frozenset[str] = frozenset()
        # one pass over the arrangements sorted by area, category and date (grouping is done in C by groupby)
        for _pair, group in groupby(sorted(arrs, key=_PAIR_DATE), key=_PAIR):
            prior = none
            for key, same_day in groupby(group, key=_PAIR_DATE):
                before[key] = prior
                prior = frozenset(a.status for a in same_day)
        return [(a, before[_PAIR_DATE(a)]) for a in arrs]

    return shared(ctx.store, "delegation-steps", make)


_PAIR = attrgetter("area", "category")
_PAIR_DATE = attrgetter("area", "category", "as_at")


@step("changes")
def changes(ctx: RunContext) -> list[Row]:
    start: date = ctx.params["from"]
    end: date = ctx.params["to"]
    if end < start:
        start, end = end, start
    prefetch_arrangements(ctx.store)  # fetched while the timeline and dated entities are worked out
    tl = ctx.full_timeline
    events: list[Row] = []

    def inside(d: date | None) -> bool:
        return d is not None and start < d <= end

    def add(d: date, change: str, kind: str, entity: str, detail: str) -> None:
        events.append(
            {
                "date": d.isoformat(),
                "change": change,
                "kind": kind,
                "entity": entity,
                "label": ctx.label(entity),
                "detail": detail,
                "explanation": [detail],
            }
        )

    for iri, state in tl.legal.items():
        kind = "instrument" if state.is_instrument else "provision"
        if inside(state.enacted) and state.is_instrument:
            how = "received Royal Assent" if AK + "Act" in state.types else "made"
            add(state.enacted, "enacted", kind, iri, f"{how} on {state.enacted}")  # type: ignore[arg-type]
        for c in state.commencements:
            if inside(c.on):
                if c.full:
                    add(c.on, "came into force", kind, iri, f"in force from {c.on} ({c.cite()})")
                else:
                    add(c.on, "came partly into force", kind, iri, f"in force from {c.on} {c.limited()} ({c.cite()})")
        if inside(state.end):
            add(state.end, "repealed", kind, iri, state.end_note)  # type: ignore[arg-type]
    for body, values in _body_dates(ctx).items():
        for key, change in (("establishedOn", "established"), ("dissolvedOn", "dissolved")):
            for when in map(parse_date, values.get(key, [])):
                if when is not None and inside(when):
                    by = (
                        ", ".join(ctx.label(b) for b in sorted(values.get("establishedBy", [])))
                        if change == "established"
                        else ""
                    )
                    add(when, change, "body", body, f"{change} on {when}" + (f" by {by}" if by else ""))
    for req in tl.requirements():
        dates = _requirement_dates(ctx, req)
        before = tl.applies(req, start)
        for d in sorted(x for x in dates if inside(x)):
            now = tl.applies(req, d)
            if now.applies != before.applies:
                if now.applies:
                    add(d, "started to apply", "requirement", req, "; ".join(now.reasons))
                elif now.applies is None:
                    add(d, "whether it applies is not known from", "requirement", req, "; ".join(now.reasons))
                else:
                    why = "; ".join(now.reasons)
                    add(
                        d, "superseded" if why.startswith("superseded") else "stopped applying", "requirement", req, why
                    )
            before = now
    for x, values in documents.dated(ctx).items():
        kind = documents.kind(values)
        for key, change in (
            ("periodStart", "period starts"),
            ("validFrom", "becomes valid"),
            ("publishedOn", "published"),
        ):
            for when in map(parse_date, values.get(key, [])):
                if when is not None and inside(when):
                    add(when, change, kind, x, f"{key} {when}")
        for key, change in (("periodEnd", "period ends"), ("validUntil", "ceases to be valid")):
            for when in map(parse_date, values.get(key, [])):
                if when is not None and start <= when < end:
                    add(when, change, kind, x, f"{key} {when}")
    # the few distinct areas, categories and statuses of ~10⁵ arrangements are labelled once each
    name = lru_cache(maxsize=None)(ctx.label)
    said: dict[frozenset[str], str] = {}  # the statuses held before, as text (a handful of distinct sets)
    for a, old in _delegation_steps(ctx):
        if inside(a.as_at) and same_status(a.status) not in {same_status(s) for s in old} and a.status != PROPOSED:
            was = said.get(old)
            if was is None:
                was = said[old] = " / ".join(name(s) for s in sorted(old)) or "no earlier arrangement"
            add(
                a.as_at,
                "delegation changed" if old else "delegation recorded",
                "delegation arrangement",
                a.iri,
                f"{name(a.category)} in {name(a.area)}: {was} → {name(a.status)}",
            )
    events.sort(key=lambda r: (r["date"], r["kind"], r["label"].lower(), r["entity"], r["change"], r["detail"]))
    return events


def _requirement_dates(ctx: RunContext, req: str, depth: int = 0) -> set[date]:
    """Dates on which the requirement's state can change: its validity and its bases' and successors' dates."""
    tl = ctx.full_timeline
    p = tl.req.get(req, {})
    out: set[date] = set()
    for d in map(parse_date, p.get("validFrom", [])):
        if d:
            out.add(d)
    for d in map(parse_date, p.get("validUntil", [])):
        if d:
            out.add(d + timedelta(days=1))
    for d in map(parse_date, p.get("statusAsAt", [])):
        if d:
            out.add(d)
    for basis in p.get("legalBasis", []):
        state = tl.legal.get(basis)
        if state:
            out |= {d for d in (state.start, state.end, state.known_by, state.enacted) if d}
            if state.not_before:
                out.add(state.not_before + timedelta(days=1))
    for doc in p.get("basisDocument", []):
        values = tl.documents.get(doc, {})
        for key in ("validFrom", "periodStart", "publishedOn"):
            out |= {d for d in map(parse_date, values.get(key, [])) if d}
        for key in ("validUntil", "periodEnd"):
            out |= {d + timedelta(days=1) for d in map(parse_date, values.get(key, [])) if d}
    if depth < 3:
        for successor in p.get("supersededBy", []):
            out |= _requirement_dates(ctx, successor, depth + 1)
    return out


def _body_dates(ctx: RunContext) -> dict[str, dict[str, list[str]]]:
    """When bodies were established or dissolved, and by what (once per store)."""
    return shared(ctx.store, "body-dates", lambda: props_of(ctx.store, query_text("fetch-body-dates")))
