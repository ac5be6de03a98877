"""Step of ``calendar``: when each plan and report is due, past and next, for an area or a body; the period each
due date covers, who prepares it, who receives it, and where several fall due to one recipient in one month.

The due rules are data (ontology: ak:periodAnchor, ak:firstPeriodStart, ak:firstPeriodEnd, ak:periodYears,
ak:dueMonthsAfterPeriod, ak:dueDayMonth, ak:dueAsSoonAsPracticable, ak:dueOn, ak:dueSetBy); this step turns them
into dates. Bodies are named with the helpers the local analyses share (kb/analyses/landscape.py)."""

from __future__ import annotations

import calendar as months
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pyoxigraph as ox

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape, bodies_in, national_bodies, unnamed_preparer, yes_no
from kb.analyses.timeline import AK, arrangements, holding, parse_date
from kb.store import Term, term_text
from kb.store.cache import shared

ONE_DAY = timedelta(days=1)
Period = tuple[date, date]


def long_date(day: date) -> str:
    """'31 July 2025'."""
    return f"{day.day} {months.month_name[day.month]} {day.year}"


def day_month(pair: tuple[int, int]) -> str:
    """'1 April'."""
    return f"{pair[1]} {months.month_name[pair[0]]}"


def period_text(period: Period) -> str:
    return f"{long_date(period[0])} to {long_date(period[1])}"


def add_months(day: date, n: int) -> date:
    """The same day ``n`` months later (the last day of the month where it has no such day)."""
    years, month0 = divmod(day.month - 1 + n, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def on_day(year: int, pair: tuple[int, int]) -> date:
    """The day ``pair`` (month, day) of ``year``; 29 February is the 28th in other years."""
    month, day = pair
    return date(year, month, min(day, months.monthrange(year, month)[1]))


def parse_month_day(text: str | None) -> tuple[int, int] | None:
    """(month, day) from an xsd:gMonthDay ('--04-01'); None when it is not one."""
    if not text or not text.startswith("--") or len(text) < 7:
        return None
    try:
        month, day = int(text[2:4]), int(text[5:7])
    except ValueError:
        return None
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


@dataclass(frozen=True)
class DueRule:
    """What the knowledge base says about when one requirement is due, and the terms it says it with."""

    req: str
    years: float | None = None
    anchor: tuple[int, int] | None = None
    first_start: date | None = None
    first_end: date | None = None
    months_after: int | None = None
    day_month: tuple[int, int] | None = None
    asap: bool = False
    due_on: tuple[date, ...] = ()
    set_by: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    terms: tuple[tuple[str, Term], ...] = ()  # (property, value) as stored, for the sources

    @property
    def step_months(self) -> int | None:
        return round(self.years * 12) if self.years and self.years > 0 else None

    def periods(self, lo: date, hi: date) -> list[Period] | None:
        """The periods that can matter between ``lo`` and ``hi``; None when the data cannot place them."""
        step_months = self.step_months
        out: list[Period] = []
        if self.first_start is not None:
            start = self.first_start
            if self.first_end is not None:
                out.append((start, self.first_end))
                start = self.first_end + ONE_DAY
                if step_months is None:
                    return out
            elif step_months is None:
                return None
            while start <= hi + timedelta(days=400):
                end = add_months(start, step_months) - ONE_DAY
                out.append((start, end))
                start = end + ONE_DAY
            return out
        if self.anchor is not None and step_months == 12:
            for year in range(lo.year - 2, hi.year + 2):
                start = on_day(year, self.anchor)
                out.append((start, add_months(start, 12) - ONE_DAY))
            return out
        return None

    def describe_periods(self) -> str:
        """The periods in a sentence, or '' when none are recorded."""
        length = ""
        if self.years:
            length = "a year" if self.years == 1 else f"{self.years:g} years"
        if self.first_start and self.first_end:
            then = f", then periods of {length}" if length else ""
            return f"The first period runs from {long_date(self.first_start)} to {long_date(self.first_end)}{then}."
        if self.first_start:
            each = f"Each period lasts {length}; " if length else ""
            return f"{each}the first began on {long_date(self.first_start)}."
        if self.anchor and length:
            return f"Each period lasts {length} from {day_month(self.anchor)}."
        return ""


def _rules(ctx: RunContext) -> dict[str, DueRule]:
    """Every requirement's due rule, read from the analysis's own query (once per store)."""

    def make() -> dict[str, DueRule]:
        values: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for row in ctx.select().rows:
            req, prop, value = term_text(row.get("req")), term_text(row.get("p")), row.get("v")
            if req and prop and value is not None:
                values[req][prop.rsplit("#", 1)[-1]].append(value)
        out: dict[str, DueRule] = {}
        for req, props in values.items():
            texts = {k: sorted(term_text(v) or "" for v in vs) for k, vs in props.items()}

            def one_date(key: str, texts: dict[str, list[str]] = texts) -> date | None:
                found = sorted(d for d in map(parse_date, texts.get(key, [])) if d)
                return found[0] if found else None

            def number(key: str, texts: dict[str, list[str]] = texts) -> float | None:
                for text in texts.get(key, []):
                    try:
                        return float(text)
                    except ValueError:
                        continue
                return None

            months_after = number("dueMonthsAfterPeriod")
            out[req] = DueRule(
                req=req,
                years=number("periodYears"),
                anchor=next(filter(None, map(parse_month_day, texts.get("periodAnchor", []))), None),
                first_start=one_date("firstPeriodStart"),
                first_end=one_date("firstPeriodEnd"),
                months_after=int(months_after) if months_after is not None else None,
                day_month=next(filter(None, map(parse_month_day, texts.get("dueDayMonth", []))), None),
                asap=any(t.lower() in ("true", "1") for t in texts.get("dueAsSoonAsPracticable", [])),
                due_on=tuple(sorted({d for d in map(parse_date, texts.get("dueOn", [])) if d})),
                set_by=tuple(texts.get("dueSetBy", [])),
                words=tuple(texts.get("dueRule", [])),
                terms=tuple(
                    sorted(((k, v) for k, vs in props.items() for v in vs), key=lambda kv: (kv[0], str(kv[1])))
                ),
            )
        return out

    return shared(ctx.store, "calendar-rules", make)


@dataclass
class Occurrence:
    """One date on the calendar: a due date, or the end of a period whose report is due 'as soon as
    practicable' or on a date not known; or, with no date at all, a requirement whose due date is not known."""

    req: str
    kind: str  # "date" | "asap" | "unknown"
    when: date | None
    period: Period | None
    how: str
    recipients: list[str] = field(default_factory=list)


def _covering(periods: list[Period] | None, due: date, plan: bool) -> Period | None:
    """The period a plan due on ``due`` is for (the next to begin) or a report due then is on (the last ended)."""
    if not periods:
        return None
    if plan:
        later = [p for p in periods if p[0] > due and p[0] - due <= timedelta(days=400)]
        return min(later) if later else None
    ended = [p for p in periods if p[1] <= due and due - p[1] <= timedelta(days=400)]
    return max(ended) if ended else None


def occurrences(rule: DueRule, plan: bool, lo: date, hi: date) -> list[Occurrence]:
    """The dates of one requirement between ``lo`` and ``hi`` (and, where its rule gives no date there, one
    undated occurrence saying why)."""
    periods = rule.periods(lo, hi)
    out: list[Occurrence] = []
    for due in rule.due_on:
        out.append(Occurrence(rule.req, "date", due, _covering(periods, due, plan), "a date the source fixes"))
    if rule.months_after is not None and periods:
        n = rule.months_after
        for period in periods:
            due = add_months(period[1] + ONE_DAY, n) - ONE_DAY
            words = f"{n} month{'s' if n != 1 else ''}"
            out.append(Occurrence(rule.req, "date", due, period, f"{words} after its period ends"))
    elif rule.day_month is not None:
        for year in range(lo.year - 1, hi.year + 2):
            due = on_day(year, rule.day_month)
            covered = _covering(periods, due, plan)
            out.append(Occurrence(rule.req, "date", due, covered, f"by {day_month(rule.day_month)} each year"))
    elif rule.asap and periods:
        for period in periods:
            out.append(
                Occurrence(rule.req, "asap", period[1], period, "the law sets no date, only 'as soon as practicable'")
            )
    elif periods and not rule.due_on:
        for period in periods:
            out.append(Occurrence(rule.req, "unknown", period[1], period, "no due date is recorded for its period"))
    shown = [o for o in out if o.when is not None and lo <= o.when <= hi]
    if shown or any(o.when is not None and o.when > hi for o in out):
        return shown  # the rule gives dates, none or some of them in the window: nothing is unknown
    if rule.asap and not periods:
        why = "it is due as soon as practicable after each period ends, but the periods' dates are not recorded"
    elif rule.due_on:
        listed = ", ".join(long_date(d) for d in rule.due_on)
        why = f"the source fixes {listed} and no later date"
    else:
        why = "no due date is recorded"
    return [Occurrence(rule.req, "unknown", None, None, why)]


@dataclass
class Scope:
    """Bodies and types the calendar is about."""

    area: str | None
    body: str | None
    body_is_type: bool
    body_types: dict[str, set[str]]  # body → its types (broader ones included)
    body_areas: dict[str, set[str]]  # body → the areas it serves
    national: dict[str, set[str]]  # type → bodies serving no particular area
    closure: dict[str, set[str]]  # type → itself and its broader types
    local: dict[str, set[str]] = field(default_factory=dict)  # type → the area's bodies of that type

    def where(self) -> str | None:
        """The area bodies are named in: the one asked for, else the one area a body serves."""
        if self.area:
            return self.area
        if self.body and not self.body_is_type:
            served = self.body_areas.get(self.body, set())
            if len(served) == 1:
                return next(iter(served))
        return None


def _scope(ctx: RunContext) -> Scope:
    area, body = ctx.params.get("area"), ctx.params.get("body")

    def index() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
        body_types: dict[str, set[str]] = defaultdict(set)
        body_areas: dict[str, set[str]] = defaultdict(set)
        for b, t, a in ctx.rows(("body", "type", "area"), "fetch-bodies"):
            body_types[b or ""].add(t or "")
            if a:
                body_areas[b or ""].add(a)
        for t, bodies in national_bodies(ctx).items():
            for b in bodies:
                body_types[b].add(t)
        closure: dict[str, set[str]] = defaultdict(set)
        for t, broader in ctx.rows(("type", "broader"), "fetch-type-closure"):
            closure[t or ""].add(broader or "")
        return dict(body_types), dict(body_areas), dict(closure)

    body_types, body_areas, closure = shared(ctx.store, "calendar-bodies", index)
    is_type = bool(body) and AK + "BodyType" in ctx.labels.types.get(body or "", set())
    scope = Scope(area, body, is_type, body_types, body_areas, national_bodies(ctx), closure)
    where = scope.where()
    if where:
        scope.local = bodies_in(ctx, where)
    return scope


def _in_scope(land: Landscape, scope: Scope, req: str) -> bool:
    d = land.details.get(req, {})
    types = set(d.get("preparerType", []))
    named = set(d.get("preparer", []))
    if scope.body and scope.body_is_type:
        return bool(types & scope.closure.get(scope.body, {scope.body}))
    if scope.body:
        return scope.body in named or bool(types & scope.body_types.get(scope.body, set()))
    if scope.area:
        if named & {b for bodies in scope.local.values() for b in bodies}:
            return True
        return any(t in scope.local or not scope.national.get(t) for t in types)
    return True


def _preparers(
    ctx: RunContext, land: Landscape, scope: Scope, req: str, on: date
) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """The preparers by name (in the area where there is one), the sentences saying why, and the triples."""
    d = land.details.get(req, {})
    where = scope.where()
    named = sorted(d.get("preparer", []))
    triples = [(req, AK + "preparer", b) for b in named]
    if named:
        given = ctx.labelled(named)
        return given, [f"Prepared by {', '.join(given)}, named as its preparer."], triples
    names: list[str] = []
    why: list[str] = []
    delegated: set[str] = set()
    if where:
        held = holding(arrangements(ctx.store, where), on)
        delegated = {a.delegated_to for arrs in held.values() for a in arrs if a.delegated and a.delegated_to}
    for t in sorted(d.get("preparerType", [])):
        triples.append((req, AK + "preparerType", t))
        found: set[str] = set()
        if where:
            found = set(scope.local.get(t, set()))
            if t in land.ia_types and not found:
                found = delegated
            if found and t not in land.ia_types and yes_no(d.get("jointlyPrepared", [])) == "yes":
                found |= scope.national.get(t, set())
        if not found and scope.body and not scope.body_is_type and t in scope.body_types.get(scope.body, set()):
            found = {scope.body}  # a body serving several areas, asked about itself
        if not found and len(scope.national.get(t, set())) == 1:
            found = set(scope.national[t])
        if found:
            these = ctx.labelled(found)
        elif where:
            these = [unnamed_preparer(ctx, t, where, scope.national)]
        else:
            these = [f"each {ctx.label(t)}"]
        names += these
        place = f" in {ctx.label(where)}" if where else ""
        why.append(f"Prepared by the {ctx.label(t)}{place}: {', '.join(these)}.")
    return sorted(set(names)), why, triples


def _recipients(ctx: RunContext, land: Landscape, scope: Scope, req: str) -> list[str]:
    """Who receives it, as entities: a type stands for the area's body of that type, or its one national body."""
    out: list[str] = []
    for r in sorted(land.details.get(req, {}).get("recipient", [])):
        if scope.local.get(r):
            out += sorted(scope.local[r])
        elif len(scope.national.get(r, set())) == 1:
            out += sorted(scope.national[r])
        else:
            out.append(r)
    return sorted(set(out), key=lambda i: (ctx.label(i).lower(), i))


def _due_words(o: Occurrence) -> str:
    if o.kind == "date" and o.when:
        return long_date(o.when)
    if o.kind == "asap" and o.when:
        return f"as soon as practicable after {long_date(o.when)}"
    return "not known"


@step("calendar")
def calendar(ctx: RunContext) -> list[Row]:
    lo: date = ctx.params.get("from") or add_months(ctx.as_at, -12)
    hi: date = ctx.params.get("to") or add_months(ctx.as_at, 12)
    if hi < lo:
        lo, hi = hi, lo
    ctx.notes.append(f"Dates from {long_date(lo)} to {long_date(hi)}.")
    land = Landscape.fetch(ctx)
    rules = _rules(ctx)
    scope = _scope(ctx)
    left_out: dict[str, list[date]] = defaultdict(list)
    found: list[Occurrence] = []
    for req in ctx.timeline.requirements():
        if not land.kind(req) or not _in_scope(land, scope, req):
            continue
        rule = rules.get(req, DueRule(req))
        for o in occurrences(rule, land.kind(req) == "plan", lo, hi):
            state = ctx.timeline.applies(req, o.when or ctx.as_at)
            if state.applies is None and o.when is not None:
                left_out[req].append(o.when)
            if state.applies:
                found.append(o)
    if left_out:
        listed = "; ".join(
            f"{ctx.label(r)} ({', '.join(long_date(d) for d in sorted(ds))})"
            for r, ds in sorted(left_out.items(), key=lambda kv: ctx.label(kv[0]).lower())
        )
        ctx.notes.append(
            f"Not known whether {len(left_out)} requirement(s) applied on some of their due dates, because a "
            f"commencement or publication date is not recorded, so those dates are left out: {listed}."
        )
    for o in found:
        o.recipients = _recipients(ctx, land, scope, o.req)
    # the next date of each requirement on or after the as-at date
    upcoming: dict[str, date] = {}
    for o in found:
        if o.when is not None and o.when >= ctx.as_at and (o.req not in upcoming or o.when < upcoming[o.req]):
            upcoming[o.req] = o.when
    # clashes: two or more requirements due (on a date) to one recipient in one month
    due_to: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for o in found:
        if o.kind == "date" and o.when is not None:
            for r in o.recipients:
                due_to[(r, o.when.year, o.when.month)].add(o.req)
    rows = [_row(ctx, land, scope, rules.get(o.req, DueRule(o.req)), o, upcoming, due_to) for o in found]
    rows.sort(key=lambda r: (r["date"] == "", r["date"], r["requirement_label"].lower(), r["requirement"]))
    return rows


def _row(
    ctx: RunContext,
    land: Landscape,
    scope: Scope,
    rule: DueRule,
    o: Occurrence,
    upcoming: dict[str, date],
    due_to: dict[tuple[str, int, int], set[str]],
) -> Row:
    req = o.req
    label = ctx.label(req)
    kind = land.kind(req)
    on = o.when or ctx.as_at
    preparers, prep_why, triples = _preparers(ctx, land, scope, req, on)
    if o.when is None:
        status = "not known"
    elif o.when < ctx.as_at:
        status = "past"
    else:
        status = "next" if upcoming.get(req) == o.when else "later"
    clashes: list[str] = []
    if o.kind == "date" and o.when is not None:
        for r in o.recipients:
            others = due_to.get((r, o.when.year, o.when.month), set()) - {req}
            if others:
                month = f"{months.month_name[o.when.month]} {o.when.year}"
                clashes.append(f"also due to {ctx.label(r)} in {month}: {'; '.join(ctx.labelled(others))}")
    due = _due_words(o)
    period = period_text(o.period) if o.period else ""
    for_period = f", for the period {period}" if period else ""
    if o.kind == "date":
        first = f"{label} is due on {due}{for_period}: {o.how}."
    elif o.kind == "asap":
        first = f"{label} is due {due}{for_period}: {o.how}."
    else:
        first = f"The due date of {label} is not known{for_period}: {o.how}."
    explanation = [first]
    described = rule.describe_periods()
    if described:
        explanation.append(described)
    if rule.set_by:
        explanation.append(f"Set by {'; '.join(ctx.labelled(rule.set_by))}.")
    explanation += [f"The rule as recorded: {w}" for w in rule.words]
    if o.when is not None:
        explanation.append(f"It applies on {long_date(o.when)}.")
    else:
        explanation.append(f"It applies on {long_date(ctx.as_at)}, the as-at date.")
    explanation += prep_why
    if o.recipients:
        explanation.append(f"Sent to {', '.join(ctx.label(r) for r in o.recipients)}.")
    explanation += [f"Clash: {c}." for c in clashes]
    statements: list[tuple[str, str, Any]] = list(triples)
    statements += [(req, AK + prop, value) for prop, value in rule.terms]
    statements += [(req, AK + "recipient", r) for r in sorted(land.details.get(req, {}).get("recipient", []))]
    return {
        "date": o.when.isoformat() if o.when else "",
        "due": due,
        "due_kind": o.kind,
        "requirement": req,
        "requirement_label": label,
        "kind": kind,
        "period": period,
        "period_start": o.period[0].isoformat() if o.period else "",
        "period_end": o.period[1].isoformat() if o.period else "",
        "preparers": preparers,
        "recipients": [ctx.label(r) for r in o.recipients],
        "status": status,
        "clash": "; ".join(clashes),
        "set_by": ctx.labelled(rule.set_by),
        "set_by_iris": sorted(rule.set_by),
        "rule": " ".join(rule.words),
        "explanation": explanation,
        "sources": ctx.provenance.many(_terms(statements)),
    }


def _terms(triples: list[tuple[str, str, Any]]) -> list[tuple[str, str, str | ox.NamedNode | ox.Literal]]:
    """Triples for :meth:`Provenance.many`: IRIs as strings, literals as the stored terms."""
    out: list[tuple[str, str, str | ox.NamedNode | ox.Literal]] = []
    for s, p, o in triples:
        if isinstance(o, ox.NamedNode | ox.Literal | str):
            out.append((s, p, o))
    return out
