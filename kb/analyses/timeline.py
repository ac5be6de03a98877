"""Time: which provisions are in force, which requirements apply, which documents are current and which
delegation arrangements hold on a date — each True, False or not known.

Rules (the same words appear in the ``# rule:`` headers of the analyses that use them):

* A provision or instrument is in force on D iff it came fully into force on or before D and was not repealed on or
  before D. It came fully into force on the day of its own first full ``ak:Commencement`` (one without
  ``ak:forPurpose``), else of its nearest ancestor's (``ak:partOf``; a prospective ancestor with no commencement
  passes nothing on). A partial commencement makes it "partly in force" and no duty apply. Royal Assent
  (``ak:enactedOn``) is never an in-force date: before it nothing is in force. With no commencement recorded, a
  status ``ak:InForce`` as at S says it is in force from S on (earlier: not known); ``ak:Prospective`` as at S says
  it is not in force up to S (later: not known); with neither, whether it is in force is not known. Repeal is its
  own or an ancestor's ``ak:repealedOn``, by ``ak:repealedBy``.
* A requirement applies on D iff ``ak:validFrom``/``ak:validUntil`` admit D, every ``ak:legalBasis`` provision is in
  force on D, every ``ak:basisDocument`` is current on D, and no ``ak:supersededBy`` successor applies on D. A
  status that ends it (repealed, retired, superseded, withdrawn) counts only from its ``ak:statusAsAt`` date. When
  any of these is not known, whether it applies is not known.
* A document is current on D when its start (valid from, period start, published on) is on or before D, its end
  is not before D, and no successor is current; with no start recorded, not known.
* Delegation: per area and service category, the arrangements with the latest ``ak:asAt`` ≤ D hold; when they
  disagree all are kept (a conflict).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from kb.model.namespace import PREFIXES, compact
from kb.store import Store
from kb.store.cache import prefetch, shared
from kb.store.fast import csv_texts, props_of, select_texts
from kb.store.querydoc import query_text

AK = PREFIXES["ak"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NEVER = {AK + "Prospective", AK + "Withdrawn", AK + "Proposed"}
ENDED = {AK + "Repealed", AK + "Retired", AK + "Superseded", AK + "Withdrawn"}
LIVE = {AK + "InForce", AK + "PartlyInForce", AK + "Current"}
DELEGATED = {AK + "Delegated", AK + "PartlyDelegated"}
PROPOSED = AK + "ProposedDelegation"  # a proposal to delegate: a plan, neither a status that holds nor a disagreement


def same_status(status: str) -> str:
    """Undelegated (taken back) and not delegated say the same of a day: compare statuses through this."""
    return AK + "NotDelegated" if status == AK + "Undelegated" else status


def parse_date(value: str | None) -> date | None:
    """A date in the data (ISO, possibly with a time); None when absent or not a date. Dates people type are read by
    :func:`kb.analyses.parse_date_param`, which explains what it expected instead."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Commencement:
    """One dated coming into force (see ``ak:Commencement``)."""

    iri: str
    of: str
    on: date
    by: str | None
    by_name: str | None
    place: str | None
    purpose: str | None

    @property
    def full(self) -> bool:
        return not self.purpose

    def limited(self) -> str:
        """The purpose as the rest of "in force from <date> …" reads it: sources word it "only so far as …",
        "for inserting …", "ss.99-103 only (…)" or "the provisions listed in …"; each gets "only" or "for" once."""
        purpose = (self.purpose or "").strip()
        lowered = purpose.lower()
        if lowered.startswith(("only ", "for ", "so far as ", "in so far as ")):
            return purpose if lowered.startswith(("only ", "for ")) else f"only {purpose}"
        return f"for {purpose}" if " only" in f" {lowered}" else f"only {purpose}"

    def cite(self) -> str:
        """'SSI 2017/152 reg. 4', or what is known of it."""
        who = self.by_name or (compact(self.by) if self.by else "instrument not recorded")
        return f"{who} {self.place}".strip() if self.place else who


@dataclass
class LegalState:
    """When a provision or instrument is in force, and why we think so. ``start`` is the day it came fully into
    force (its own full commencement, else its nearest ancestor's); ``known_by`` a day on which a source saw it in
    force when the commencement itself is not recorded; ``not_before`` a day on which a source saw it not yet
    commenced. Without any of these, whether it is in force is not known."""

    iri: str
    start: date | None
    start_note: str
    end: date | None
    end_note: str
    types: tuple[str, ...] = ()
    enacted: date | None = None
    known_by: date | None = None
    not_before: date | None = None
    prospective: bool = False
    partial: tuple[Commencement, ...] = ()
    commencements: tuple[Commencement, ...] = ()
    parts_from: date | None = None  # the first day any provision within it came into force

    def in_force(self, on: date) -> bool | None:
        """True, False, or None when the sources do not say."""
        if self.end is not None and self.end <= on:
            return False
        if self.enacted is not None and on < self.enacted:
            return False
        if self.start is not None:
            return self.start <= on
        if self.known_by is not None and self.known_by <= on:
            return True
        if self.not_before is not None and on <= self.not_before:
            return False
        if self.prospective and self.not_before is None:
            return False
        return None

    def status(self, on: date) -> str:
        if self.end is not None and self.end <= on:
            return "repealed"
        if self.enacted is not None and on < self.enacted:
            return "not yet enacted"
        found = self.in_force(on)
        if found:
            return "in force"
        if any(c.on <= on for c in self.partial) or (self.parts_from is not None and self.parts_from <= on):
            return "partly in force"
        if found is None:
            return "not known"
        if self.prospective and (self.not_before is None or on <= self.not_before):
            return "prospective"
        return "not yet in force"

    def note(self, on: date) -> str:
        """Why :meth:`status` says what it says on ``on``."""
        if self.end is not None and self.end <= on:
            return self.end_note
        if self.enacted is not None and on < self.enacted:
            return f"enacted on {self.enacted}"
        found = self.in_force(on)
        if found:
            return self.start_note
        started = [c for c in self.partial if c.on <= on]
        if started:
            text = "; ".join(f"in force from {c.on} {c.limited()} ({c.cite()})" for c in started)
            return text + (f"; wholly {self.start_note}" if self.start is not None else "")
        if self.parts_from is not None and self.parts_from <= on:
            return f"provisions within it in force from {self.parts_from}; {self.start_note}"
        if found is None and self.prospective and self.not_before is not None:
            return f"not commenced as at {self.not_before}; no later commencement recorded"
        return self.start_note

    @property
    def is_instrument(self) -> bool:
        return not any(t.startswith(AK) and t[len(AK) :] in _PROVISION_TYPES for t in self.types)


_PROVISION_TYPES = {"Provision", "Part", "Section", "Subsection", "Schedule", "Article"}


def namer(store: Store) -> Callable[[str], str]:
    """How the time views name a provision, instrument or document in their reasons: by its label."""
    from kb.analyses.labels import index

    return index(store).display


def commencements(store: Store) -> dict[str, list[Commencement]]:
    """Every recorded commencement, by what it commences (read once per store)."""

    def make() -> dict[str, list[Commencement]]:
        out: dict[str, list[Commencement]] = defaultdict(list)
        columns = ("c", "x", "on", "by", "byName", "place", "purpose")
        for c, x, on_text, by, by_name, place, purpose in select_texts(
            store, query_text("fetch-commencements"), columns
        ):
            on = parse_date(on_text)
            if c and x and on:
                out[x].append(Commencement(c, x, on, by, by_name, place, purpose))
        return {x: sorted(cs, key=lambda c: (c.on, c.iri)) for x, cs in out.items()}

    return shared(store, "commencements", make)


def legal_states(store: Store, only_bases: bool = False) -> dict[str, LegalState]:
    """In-force states of every legal resource (or only of requirements' legal bases and their ancestors)."""
    props = props_of(store, query_text("fetch-legal-bases-dates" if only_bases else "fetch-legal-dates"))
    events = commencements(store)
    name = namer(store)
    states: dict[str, LegalState] = {}

    def dates(x: str, key: str) -> list[date]:
        return sorted(d for d in map(parse_date, props.get(x, {}).get(key, [])) if d)

    def start_of(x: str, seen: frozenset[str]) -> tuple[date | None, str]:
        full = [c for c in events.get(x, []) if c.full]
        if full:
            first = full[0]
            own = "" if x in seen and len(seen) == 1 else f", with {name(x)}"
            return first.on, f"in force from {first.on} ({first.cite()}{own})"
        direct = dates(x, "inForceFrom")  # treaties and guidance; law uses commencements
        if direct:
            return direct[0], f"in force from {direct[0]}"
        for parent in sorted(props.get(x, {}).get("partOf", [])):
            if parent in seen or parent not in props:
                continue
            if NEVER & set(props[parent].get("status", [])) and not events.get(parent):
                continue
            start, note = start_of(parent, seen | {parent})
            if start is not None:
                return start, note
        return None, ""

    def enacted_of(x: str, seen: frozenset[str]) -> date | None:
        own = dates(x, "enactedOn")
        if own:
            return own[0]
        for parent in sorted(props.get(x, {}).get("partOf", [])):
            if parent not in seen and parent in props:
                found = enacted_of(parent, seen | {parent})
                if found is not None:
                    return found
        return None

    def end_of(x: str, seen: frozenset[str]) -> tuple[date | None, str]:
        p = props.get(x, {})
        by = sorted(p.get("repealedBy", []))
        how = f" by {', '.join(name(b) for b in by)}" if by else " (repealing provision not recorded)"
        ends = [
            (d, f"repealed on {d}{how}" + ("" if len(seen) == 1 else f" (with {name(x)})"))
            for d in dates(x, "repealedOn")
        ]
        for parent in p.get("partOf", []):
            if parent not in seen and parent in props:
                d, note = end_of(parent, seen | {parent})
                if d is not None:
                    ends.append((d, note))
        return min(ends) if ends else (None, "")

    def observed(x: str, seen: frozenset[str]) -> tuple[set[str], list[date]]:
        """The status a source saw (own, else the nearest ancestor's: a part not commenced holds its sections back;
        an Act wholly in force holds its sections in force), with the dates it was seen."""
        p = props.get(x, {})
        own = set(p.get("status", [])) & (LIVE | NEVER)
        if own:
            return own, dates(x, "statusAsAt")
        for parent in sorted(p.get("partOf", [])):
            if parent not in seen and parent in props:
                found, when = observed(parent, seen | {parent})
                if found & (NEVER | {AK + "InForce"}):
                    return found & (NEVER | {AK + "InForce"}), when
        return set(), []

    for x, p in props.items():
        start, start_note = start_of(x, frozenset({x}))
        end, end_note = end_of(x, frozenset({x}))
        statuses, seen_at = observed(x, frozenset({x}))
        wholly = statuses & {AK + "InForce", AK + "Current"}  # 'partly in force' does not make a duty apply
        known_by = seen_at[0] if wholly and seen_at and start is None else None
        not_before = seen_at[-1] if statuses & NEVER and seen_at and start is None else None
        if start is None:
            if known_by is not None:
                start_note = f"in force by {known_by} (status as at that date); commencement date not recorded"
            elif statuses & NEVER:
                start_note = "not commenced" + (f" as at {not_before}" if not_before else "")
            else:
                start_note = "in force: commencement date not recorded"
        states[x] = LegalState(
            x,
            start,
            start_note,
            end,
            end_note,
            tuple(sorted(p.get("type", []))),
            enacted_of(x, frozenset({x})),
            known_by,
            not_before,
            bool(statuses & NEVER),
            tuple(c for c in events.get(x, []) if not c.full),
            tuple(events.get(x, [])),
        )
    for x, state in states.items():
        first = min(([state.start] if state.start else []) + [c.on for c in state.partial], default=None)
        if first is None:
            continue
        for ancestor in _ancestors(props, x):
            held = states.get(ancestor)
            if held is not None and (held.parts_from is None or first < held.parts_from):
                held.parts_from = first
    return states


def _ancestors(props: dict[str, dict[str, list[str]]], x: str) -> set[str]:
    out: set[str] = set()
    todo = list(props.get(x, {}).get("partOf", []))
    while todo:
        parent = todo.pop()
        if parent not in out:
            out.add(parent)
            todo += props.get(parent, {}).get("partOf", [])
    return out


@dataclass
class RequirementState:
    """Whether a requirement applies on a date: True, False, or None when the sources do not say."""

    applies: bool | None
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {True: "applies", False: "does not apply", None: "not known whether it applies"}[self.applies]


class Timeline:
    """Requirement applicability on dates, computed from facts fetched once."""

    def __init__(self, store: Store, only_bases: bool = False) -> None:
        self.legal = legal_states(store, only_bases)
        self._name = namer(store)
        self.req = props_of(store, query_text("fetch-requirement-dates"))
        self.documents = props_of(store, query_text("fetch-document-dates"))
        self._applies: dict[tuple[str, date], RequirementState] = {}
        self._applying: dict[date, frozenset[str]] = {}
        self._unknown: dict[date, frozenset[str]] = {}

    def requirements(self) -> list[str]:
        return sorted(self.req)

    def provision_in_force(self, iri: str, on: date) -> tuple[bool | None, str]:
        state = self.legal.get(iri)
        if state is None:
            return None, f"{self._name(iri)}: no dates recorded"
        return state.in_force(on), state.note(on)

    def document(self, iri: str, on: date) -> tuple[bool | None, str]:
        """Whether a document is current on ``on`` (see :func:`document_state`)."""
        return document_state(self.documents, iri, on, self._name)

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
            return RequirementState(False, [f"applies only from {min(start)}"])
        if until and max(until) < on:
            return RequirementState(False, [f"applied only until {max(until)}"])
        statuses = set(p.get("status", []))
        as_at = [d for d in map(parse_date, p.get("statusAsAt", [])) if d]
        if statuses & {AK + "Proposed", AK + "Withdrawn"} and not p.get("legalBasis"):
            return RequirementState(False, ["proposed or withdrawn, never in effect"])
        if statuses & ENDED and as_at and min(as_at) <= on:
            ended = "/".join(s.rsplit("#", 1)[-1].lower() for s in sorted(statuses & ENDED))
            return RequirementState(False, [f"{ended} as at {min(as_at)}"])
        known = True
        for basis in sorted(p.get("legalBasis", [])):
            ok, note = self.provision_in_force(basis, on)
            if ok is False:
                return RequirementState(False, [f"legal basis {self._name(basis)} not in force on {on}: {note}"])
            known = known and ok is not None
            reasons.append(f"legal basis {self._name(basis)}: {note}")
        documents = {doc: self.document(doc, on) for doc in sorted(p.get("basisDocument", []))}
        if documents and all(current is False for current, _ in documents.values()):
            doc, (_, note) = next(iter(documents.items()))
            return RequirementState(False, [f"asked for by {self._name(doc)}, which is not current on {on}: {note}"])
        if documents and not any(current for current, _ in documents.values()):
            known = False  # asked for only by documents whose currency on the day is not known
        reasons += [f"asked for by {self._name(doc)}: {note}" for doc, (_, note) in documents.items()]
        if not p.get("legalBasis") and not p.get("basisDocument"):
            reasons.append("non-statutory: applies while current")
        for successor in sorted(p.get("supersededBy", [])):
            if successor in _seen or successor == iri:
                continue
            after = self.applies(successor, on, _seen | {iri})
            if after.applies:
                return RequirementState(False, [f"superseded by {self._name(successor)}, which applies on {on}"])
            if after.applies is None:
                known = False
                reasons.append(f"not known whether its successor {self._name(successor)} applies on {on}")
        return RequirementState(True if known else None, reasons)

    def applying(self, on: date) -> frozenset[str]:
        """The requirements known to apply on ``on``."""
        found = self._applying.get(on)
        if found is None:
            found = self._applying[on] = frozenset(r for r in self.req if self.applies(r, on).applies)
        return found

    def unknown(self, on: date) -> frozenset[str]:
        """The requirements of which the sources do not say whether they apply on ``on``."""
        found = self._unknown.get(on)
        if found is None:
            found = self._unknown[on] = frozenset(r for r in self.req if self.applies(r, on).applies is None)
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


def document_start(values: dict[str, list[str]]) -> date | None:
    """The day a document begins: the first of its valid-from, period-start, publication (or in-force) dates."""
    found = sorted(
        d
        for k in ("validFrom", "periodStart", "publishedOn", "inForceFrom")
        for d in map(parse_date, values.get(k, []))
        if d
    )
    return found[0] if found else None


def _begun(
    documents: dict[str, dict[str, list[str]]], iri: str, on: date, seen: frozenset[str]
) -> tuple[bool | None, str]:
    """Whether a successor had taken effect by ``on``: its own start, or any of its successors' (a successor that was
    itself replaced later still ended its predecessor); None when its start is not recorded and none later began."""
    values = documents.get(iri, {})
    start = document_start(values)
    if start is not None:
        return start <= on, iri
    for later in sorted(values.get("supersededBy", [])):
        if later not in seen:
            begun, which = _begun(documents, later, on, seen | {later})
            if begun:
                return True, which
    return None, iri


def document_state(
    documents: dict[str, dict[str, list[str]]], iri: str, on: date, name: Callable[[str], str] = compact
) -> tuple[bool | None, str]:
    """Whether a document (framework, guidance, agreement, outcome or indicator set, plan) is current on ``on``:
    not before it was published or became valid, not after its validity or period ended, not once a successor has
    taken effect; when its start, or whether its successor has taken effect, is not recorded: not known."""
    values = documents.get(iri, {})
    begins = document_start(values)
    ends = sorted(d for k in ("validUntil", "periodEnd") for d in map(parse_date, values.get(k, [])) if d)
    if begins is not None and on < begins:
        return False, f"not current before {begins}"
    if ends and ends[-1] < on:
        return False, f"current until {ends[-1]}"
    unknown_successor = ""
    for successor in sorted(values.get("supersededBy", [])):
        if successor == iri:
            continue
        begun, which = _begun(documents, successor, on, frozenset({iri, successor}))
        if begun:
            return False, f"superseded by {name(successor)}" + (f" (then {name(which)})" if which != successor else "")
        if begun is None:
            unknown_successor = successor
    if begins is None:
        return None, "date not recorded"
    if unknown_successor:
        return None, f"current from {begins}; superseded by {name(unknown_successor)} on a date not recorded"
    return True, f"current from {begins}" + (f" until {ends[-1]}" if ends else "")
