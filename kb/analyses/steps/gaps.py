"""Step of ``gaps``: applies the date rule to what covers each outcome and population group and reports
what is missing, with the rule that found it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kb.analyses.context import Row, RunContext, step
from kb.analyses.timeline import AK

IND_SET = AK + "IndicatorSet"

RULES = {
    "outcome-no-indicator": "no indicator measures this outcome (nor an outcome it exactly or closely matches)",
    "outcome-not-addressed": "no requirement applying on the date must address this outcome (or its set or "
    "framework) and no recorded plan addresses it",
    "population-not-covered": "no requirement applying on the date and no plan covers this population group",
    "boundary-handover": "this boundary group is covered by requirements of different preparer types, so the "
    "bodies must hand over between them",
    "unknown-aspects": "the sources do not settle these aspects of the requirement",
}


KIND_WORDS = {
    "outcome-no-indicator": "an outcome no indicator measures",
    "outcome-not-addressed": "an outcome no plan or report addresses",
    "population-not-covered": "a population group no plan or report covers",
    "boundary-handover": "a group between plans of different bodies",
    "unknown-aspects": "a duty whose sources leave something open",
}


@dataclass(frozen=True)
class SetCoverage:
    """How much of a set the knowledge base records against how many members its source declares."""

    iri: str
    frameworks: frozenset[str]
    declared: int | None
    recorded: int

    @property
    def complete(self) -> bool:
        return self.declared is not None and self.recorded >= self.declared

    def words(self, ctx: RunContext) -> str:
        if self.declared is None:
            return f"{ctx.label(self.iri)} holds {self.recorded} members; how many it should have is not recorded"
        return f"{ctx.label(self.iri)} holds {self.recorded} of {self.declared}"


def set_coverage(ctx: RunContext) -> list[SetCoverage]:
    out = []
    for iri, frameworks, declared, recorded in ctx.rows(
        ("set", "frameworks", "declared", "recorded"), "fetch-set-coverage"
    ):
        within = frozenset((frameworks or "").split())
        out.append(SetCoverage(iri or "", within, int(declared) if declared else None, int(recorded or 0)))
    return out


def _why_not_known(ctx: RunContext, frameworks: set[str], sets: list[SetCoverage]) -> str | None:
    """Why an outcome without an indicator is not a finding: the indicator sets that could measure it are not
    all recorded in full (or none is recorded). None when the absence is a finding."""
    if not frameworks:
        return "not known: the outcome belongs to no framework with a recorded indicator set"
    relevant = [c for c in sets if c.frameworks & frameworks and ctx.labels.types.get(c.iri, set()) & {IND_SET}]
    if not relevant:
        names = ", ".join(sorted(ctx.label(f) for f in frameworks))
        return f"not known: no indicator set of {names} is recorded"
    partial = [c for c in relevant if not c.complete]
    if partial:
        return "not known: " + "; ".join(c.words(ctx) for c in sorted(partial, key=lambda c: c.iri))
    judged = []
    for c in sorted(relevant, key=lambda c: c.iri):
        linked, stated = measure_basis(ctx).get(c.iri, (0, 0))
        if stated < linked:
            judged.append(
                f"{linked - stated} of the {linked} indicators in {ctx.label(c.iri)} are linked to outcomes only by "
                "the curators' judgement, so a source may link one of them to this outcome"
            )
    if judged:
        return "not known: " + "; ".join(judged)
    return None


def measure_basis(ctx: RunContext) -> dict[str, tuple[int, int]]:
    """Per indicator set: (members linked to an outcome, members with a link a source states)."""
    return {
        iri or "": (int(linked or 0), int(stated or 0))
        for iri, linked, stated in ctx.rows(("set", "linked", "stated"), "fetch-set-measure-basis")
    }


@step("gaps")
def gaps(ctx: RunContext) -> list[Row]:
    wanted = ctx.params.get("kind") or "all"
    frameworks: dict[str, set[str]] = defaultdict(set)
    proposed: set[str] = set()
    for outcome, framework, is_proposed in ctx.rows(("outcome", "framework", "proposed"), "fetch-outcome-frameworks"):
        if framework:
            frameworks[outcome or ""].add(framework)
        if is_proposed == "yes":
            proposed.add(outcome or "")
    coverage = set_coverage(ctx)
    applying = ctx.timeline.applying(ctx.as_at)
    unknown = ctx.timeline.unknown(ctx.as_at)
    maybe: dict[tuple[str, str], set[str]] = defaultdict(set)  # requirements that may cover it: not known if they apply
    facts: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    preparers: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for kind_, subject_, by, by_kind, preparer in ctx.rows(("kind", "subject", "by", "byKind", "preparer")):
        kind, subject = kind_ or "", subject_ or ""
        if wanted not in ("all", kind):
            continue
        if kind.startswith("outcome-") and subject in proposed:
            continue
        key = (kind, subject)
        facts.setdefault(key, defaultdict(set))  # register the subject even when nothing covers it
        if by is None or by_kind is None:
            continue
        if by_kind == "requirement" and by not in applying:
            if by in unknown:
                maybe[key].add(by)
            continue
        facts[key][by_kind].add(by)
        if preparer is not None:
            preparers[key][by].add(preparer)
    out: list[Row] = []
    for (kind, subject), found in facts.items():
        if kind == "unknown-aspects":
            if not found.get("aspect"):
                continue
            aspects = sorted(found.get("aspect", ()))
            out.append(
                _row(
                    ctx,
                    kind,
                    subject,
                    "; ".join(aspects),
                    [f"{ctx.name_of(subject)} has unknown aspect '{a}'" for a in aspects],
                    finding="not known",
                )
            )
        elif kind == "boundary-handover":
            by_req = preparers.get((kind, subject), {})
            types = {t for ts in by_req.values() for t in ts}
            if len(by_req) < 2 or len(types) < 2:
                continue
            expl = [f"{ctx.name_of(subject)} is a boundary group"]
            expl += [
                f"covered by {ctx.name_of(r)}, prepared by {', '.join(ctx.labelled(ts))}"
                for r, ts in sorted(by_req.items())
            ]
            missing = "a handover between " + " and ".join(ctx.labelled(types))
            out.append(_row(ctx, kind, subject, missing, expl, finding="handover"))
        elif not any(found.values()):
            missing = {
                "outcome-no-indicator": "an indicator that measures it",
                "outcome-not-addressed": "a requirement or plan that addresses it",
                "population-not-covered": "a requirement or plan that covers it",
            }[kind]
            expl = [f"{ctx.name_of(subject)}: {RULES[kind]}"]
            why = (
                _why_not_known(ctx, frameworks.get(subject, set()), coverage)
                if kind == "outcome-no-indicator"
                else None
            )
            if not why and maybe.get((kind, subject)):
                reqs = sorted(ctx.name_of(r) for r in maybe[(kind, subject)])
                they = "they" if len(reqs) > 1 else "it"
                verb = "address" if kind == "outcome-not-addressed" else "cover"
                why = (
                    f"not known: {'; '.join(reqs)} would {verb} it, but whether {they} applied on "
                    f"{ctx.as_at.day} {ctx.as_at:%B %Y} is not known (no commencement or publication date is recorded)"
                )
            if why:
                expl.append(f"this absence may only reflect what is recorded ({why.removeprefix('not known: ')})")
                out.append(_row(ctx, kind, subject, why, expl, finding="not known"))
            else:
                if kind != "outcome-no-indicator":
                    expl.append(_plans_caveat(ctx, "address" if kind == "outcome-not-addressed" else "cover"))
                out.append(_row(ctx, kind, subject, missing, expl))
    if proposed and wanted in ("all", "outcome-no-indicator", "outcome-not-addressed"):
        ctx.notes.append(
            f"{len(proposed)} outcome(s) of proposed frameworks or sets are left out: a proposal is not yet "
            "something plans must address or indicators must measure."
        )
    out.sort(
        key=lambda r: (list(RULES).index(r["kind"]), r["finding"] != "gap", r["subject_label"].lower(), r["subject"])
    )
    return out


def _plans_caveat(ctx: RunContext, verb: str) -> str:
    """What a finding about plans rests on: every duty in scope is recorded, local plans only for a few areas."""
    rows = ctx.rows(("area", "councils"), "fetch-plan-areas")
    areas = sorted({ctx.label(a) for a, _ in rows if a})
    councils = next((int(c) for _, c in rows if c), 0)
    where = f"{len(areas)} of {councils} council areas ({', '.join(areas)})" if areas else "no council area"
    return (
        f"the finding is that no duty in scope requires a plan or report to {verb} it; local plans are recorded "
        f"for only {where}, so a local plan elsewhere may still {verb} it"
    )


def _row(ctx: RunContext, kind: str, subject: str, missing: str, explanation: list[str], finding: str = "gap") -> Row:
    return {
        "kind": kind,
        "kind_label": KIND_WORDS[kind],
        "finding": finding,
        "subject": subject,
        "subject_label": ctx.label(subject),
        "rule": RULES[kind],
        "missing": missing,
        "explanation": explanation,
    }
