"""Time: which provisions are in force, which requirements apply and which delegation arrangements hold on a date.

Rules (the same words appear in the ``# rule:`` headers of the analyses that use them):

* A provision or instrument is in force on D iff its in-force date ≤ D and it is not repealed on or before D.
  Its in-force date is its own ``ak:inForceFrom``; failing that, the date inherited from what it is part of
  (``ak:partOf``), unless it (or the part in between) is marked ``ak:Prospective``/``ak:Withdrawn``; failing
  that, for an ``ak:InForce`` status as at a date, the enactment date (``ak:enactedOn``, own or inherited) or
  else that ``ak:statusAsAt`` date (known to be in force from then). A provision with
  none of these (a prospective provision) is never in force. Repeal is its own or an ancestor's ``ak:repealedOn``
  (or an ``ak:Repealed`` status as at its date).
* A requirement applies on D iff ``ak:validFrom``/``ak:validUntil`` admit D, every ``ak:legalBasis`` provision is
  in force on D (a non-statutory one: its status is not proposed, withdrawn, retired or superseded), and it is
  not ``ak:supersededBy`` a requirement that applies on D.
* Delegation: per area and service category, the arrangements with the latest ``ak:asAt`` ≤ D hold; when they
  disagree all are kept (a conflict).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from kb.model.namespace import PREFIXES, compact
from kb.store import Store
from kb.store.cache import prefetch, shared
from kb.store.fast import csv_texts, props_of
from kb.store.querydoc import query_text

AK = PREFIXES["ak"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NEVER = {AK + "Prospective", AK + "Withdrawn", AK + "Proposed"}
ENDED = {AK + "Repealed", AK + "Retired", AK + "Superseded", AK + "Withdrawn"}
LIVE = {AK + "InForce", AK + "PartlyInForce", AK + "Current"}
DELEGATED = {AK + "Delegated", AK + "PartlyDelegated"}


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _props(store: Store, name: str) -> dict[str, dict[str, list[str]]]:
    out = props_of(store, query_text(name))
    return out


@dataclass
class LegalState:
    """When a provision or instrument is in force, and why we think so."""

    iri: str
    start: date | None
    start_note: str
    end: date | None
    end_note: str
    types: tuple[str, ...] = ()

    def in_force(self, on: date) -> bool:
        return self.start is not None and self.start <= on and not (self.end is not None and self.end <= on)

    def status(self, on: date) -> str:
        if self.end is not None and self.end <= on:
            return "repealed"
        if self.start is None:
            return "prospective"
        return "in force" if self.start <= on else "not yet in force"

    @property
    def is_instrument(self) -> bool:
        return not any(t.startswith(AK) and t[len(AK) :] in _PROVISION_TYPES for t in self.types)


_PROVISION_TYPES = {"Provision", "Part", "Section", "Subsection", "Schedule", "Article"}


def legal_states(store: Store, only_bases: bool = False) -> dict[str, LegalState]:
    """In-force states of every legal resource (or only of requirements' legal bases and their ancestors)."""
    props = _props(store, "fetch-legal-bases-dates" if only_bases else "fetch-legal-dates")
    states: dict[str, LegalState] = {}

    def start_of(x: str, seen: frozenset[str]) -> tuple[date | None, str]:
        p = props.get(x, {})
        own = [d for d in map(parse_date, p.get("inForceFrom", [])) if d]
        if own:
            return min(own), f"in force from {min(own)}"
        if NEVER & set(p.get("status", [])):
            return None, f"marked prospective ({compact(x)})"
        for parent in sorted(p.get("partOf", [])):
            if parent in seen or parent not in props:
                continue
            start, note = start_of(parent, seen | {parent})
            if start is not None:
                return start, f"in force from {start}, inherited from {compact(parent)}"
            if note.startswith("marked"):
                return None, note
        live = [d for d in map(parse_date, p.get("statusAsAt", [])) if d] if LIVE & set(p.get("status", [])) else []
        if live:
            enacted = enacted_of(x, seen)
            if enacted is not None and enacted <= min(live):
                return enacted, (
                    f"in force as at {min(live)} ({compact(x)}); commencement date not recorded, "
                    f"taken as the enactment date {enacted}"
                )
            return min(live), f"known in force as at {min(live)} ({compact(x)}); earlier date unknown"
        return None, "no in-force date (prospective)"

    def enacted_of(x: str, seen: frozenset[str]) -> date | None:
        p = props.get(x, {})
        own = [d for d in map(parse_date, p.get("enactedOn", [])) if d]
        if own:
            return min(own)
        for parent in sorted(p.get("partOf", [])):
            if parent not in seen and parent in props:
                found = enacted_of(parent, seen | {parent})
                if found is not None:
                    return found
        return None

    def end_of(x: str, seen: frozenset[str]) -> tuple[date | None, str]:
        p = props.get(x, {})
        ends = [
            (d, f"repealed on {d}" + ("" if len(seen) == 1 else f" (with {x})"))
            for d in map(parse_date, p.get("repealedOn", []))
            if d
        ]
        if AK + "Repealed" in p.get("status", []):
            ends += [(d, f"repealed as at {d} ({compact(x)})") for d in map(parse_date, p.get("statusAsAt", [])) if d]
        for parent in p.get("partOf", []):
            if parent not in seen and parent in props:
                d, note = end_of(parent, seen | {parent})
                if d is not None:
                    ends.append((d, note))
        return min(ends) if ends else (None, "")

    for x, p in props.items():
        start, start_note = start_of(x, frozenset({x}))
        end, end_note = end_of(x, frozenset({x}))
        states[x] = LegalState(x, start, start_note, end, end_note, tuple(sorted(p.get("type", []))))
    return states


@dataclass
class RequirementState:
    applies: bool
    reasons: list[str] = field(default_factory=list)


class Timeline:
    """Requirement applicability on dates, computed from facts fetched once."""

    def __init__(self, store: Store, only_bases: bool = False) -> None:
        self.legal = legal_states(store, only_bases)
        self.req = _props(store, "fetch-requirement-dates")
        self._applies: dict[tuple[str, date], RequirementState] = {}
        self._applying: dict[date, frozenset[str]] = {}

    def requirements(self) -> list[str]:
        return sorted(self.req)

    def provision_in_force(self, iri: str, on: date) -> tuple[bool, str]:
        state = self.legal.get(iri)
        if state is None:
            return False, f"{compact(iri)}: no dates known"
        ok = state.in_force(on)
        note = state.end_note if state.end is not None and state.end <= on else state.start_note
        return ok, note

    def applies(self, iri: str, on: date, _seen: frozenset[str] = frozenset()) -> RequirementState:
        if _seen:
            return self._applies_now(iri, on, _seen)
        key = (iri, on)
        state = self._applies.get(key)
        if state is None:
            state = self._applies[key] = self._applies_now(iri, on, _seen)
        return RequirementState(state.applies, list(state.reasons))

    def _applies_now(self, iri: str, on: date, _seen: frozenset[str]) -> RequirementState:
        p = self.req.get(iri, {})
        reasons: list[str] = []
        start = [d for d in map(parse_date, p.get("validFrom", [])) if d]
        until = [d for d in map(parse_date, p.get("validUntil", [])) if d]
        if start and min(start) > on:
            return RequirementState(False, [f"valid only from {min(start)}"])
        if until and max(until) < on:
            return RequirementState(False, [f"valid only until {max(until)}"])
        statuses = set(p.get("status", []))
        as_at = [d for d in map(parse_date, p.get("statusAsAt", [])) if d]
        if statuses & {AK + "Proposed", AK + "Withdrawn"} and not p.get("legalBasis"):
            return RequirementState(False, ["status: proposed or withdrawn"])
        if statuses & ENDED and (not as_at or min(as_at) <= on):
            return RequirementState(False, [f"status {'/'.join(s.rsplit('#', 1)[-1] for s in statuses & ENDED)}"])
        for basis in sorted(p.get("legalBasis", [])):
            ok, note = self.provision_in_force(basis, on)
            if not ok:
                return RequirementState(False, [f"legal basis {compact(basis)} not in force on {on}: {note}"])
            reasons.append(f"legal basis {compact(basis)}: {note}")
        if not p.get("legalBasis"):
            reasons.append("non-statutory: applies while current")
        for successor in sorted(p.get("supersededBy", [])):
            if successor in _seen or successor == iri:
                continue
            if self.applies(successor, on, _seen | {iri}).applies:
                return RequirementState(False, [f"superseded by {compact(successor)}, which applies on {on}"])
        return RequirementState(True, reasons)

    def applying(self, on: date) -> frozenset[str]:
        found = self._applying.get(on)
        if found is None:
            found = self._applying[on] = frozenset(r for r in self.req if self.applies(r, on).applies)
        return found


@dataclass(frozen=True)
class Arrangement:
    iri: str
    area: str
    category: str
    status: str
    delegated_to: str | None
    as_at: date

    @property
    def delegated(self) -> bool:
        return self.status in DELEGATED


def arrangements(store: Store, area: str | None = None) -> list[Arrangement]:
    """Every delegation arrangement (of one area, when given); fetched once per store and area."""
    return list(shared(store, ("arrangements", area), lambda: tuple(_arrangements(store, area))))


def prefetch_arrangements(store: Store) -> None:
    """Start fetching every arrangement in the background (see :func:`kb.cache.prefetch`)."""
    prefetch(store, ("arrangements", None), lambda: tuple(_arrangements(store, None)))


def _arrangements(store: Store, area: str | None) -> list[Arrangement]:

    out: list[Arrangement] = []
    bindings = {"area": ox.NamedNode(area)} if area else None
    columns = ("arrangement", "area", "category", "status", "delegatedTo", "asAt")
    dates: dict[str | None, date | None] = {}
    for arrangement, in_area, category, status, delegated_to, as_at_text in csv_texts(
        store, query_text("fetch-delegation"), columns, bindings
    ):
        as_at = dates[as_at_text] if as_at_text in dates else dates.setdefault(as_at_text, parse_date(as_at_text))
        if as_at is None:
            continue
        out.append(Arrangement(arrangement or "", in_area or "", category or "", status or "", delegated_to, as_at))
    return out


def holding(all_arrangements: Iterable[Arrangement], on: date) -> dict[tuple[str, str], list[Arrangement]]:
    """Per (area, category): the arrangements with the latest asAt on or before ``on``."""
    best: dict[tuple[str, str], list[Arrangement]] = {}
    for a in all_arrangements:
        if a.as_at > on:
            continue
        key = (a.area, a.category)
        current = best.get(key)
        if current is None or a.as_at > current[0].as_at:
            best[key] = [a]
        elif a.as_at == current[0].as_at and a not in current:
            current.append(a)
    for key in best:
        best[key].sort(key=lambda a: a.iri)
    return best


def valid_on(values: dict[str, list[str]], on: date) -> bool:
    """validFrom/validUntil or periodStart/periodEnd admit ``on``."""
    starts = [d for k in ("validFrom", "periodStart") for d in map(parse_date, values.get(k, [])) if d]
    ends = [d for k in ("validUntil", "periodEnd") for d in map(parse_date, values.get(k, [])) if d]
    return not (starts and min(starts) > on) and not (ends and max(ends) < on)
