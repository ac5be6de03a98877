"""Step of ``gaps``: applies the date rule to what covers each outcome and population group and reports
what is missing, with the rule that found it."""

from __future__ import annotations

from collections import defaultdict

from kb.analyses.context import Row, RunContext, step

RULES = {
    "outcome-no-indicator": "no indicator measures this outcome (nor an outcome it exactly or closely matches)",
    "outcome-not-addressed": "no requirement applying on the date must address this outcome (or its set or "
    "framework) and no recorded plan addresses it",
    "population-not-covered": "no requirement applying on the date and no plan covers this population group",
    "boundary-handover": "this boundary group is covered by requirements of different preparer types, so the "
    "bodies must hand over between them",
    "unknown-aspects": "the sources do not settle these aspects of the requirement",
}


@step("gaps")
def gaps(ctx: RunContext) -> list[Row]:
    wanted = ctx.params.get("kind") or "all"
    applying = ctx.timeline.applying(ctx.as_at)
    facts: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    preparers: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for kind_, subject_, by, by_kind, preparer in ctx.rows(("kind", "subject", "by", "byKind", "preparer")):
        kind, subject = kind_ or "", subject_ or ""
        if wanted not in ("all", kind):
            continue
        key = (kind, subject)
        facts.setdefault(key, defaultdict(set))  # register the subject even when nothing covers it
        if by is None or by_kind is None:
            continue
        if by_kind == "requirement" and by not in applying:
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
            out.append(_row(ctx, kind, subject, missing, expl))
        elif not any(found.values()):
            missing = {
                "outcome-no-indicator": "an indicator that measures it",
                "outcome-not-addressed": "a requirement or plan that addresses it",
                "population-not-covered": "a requirement or plan that covers it",
            }[kind]
            out.append(_row(ctx, kind, subject, missing, [f"{ctx.name_of(subject)}: {RULES[kind]}"]))
    out.sort(key=lambda r: (list(RULES).index(r["kind"]), r["subject_label"].lower(), r["subject"]))
    return out


def _row(ctx: RunContext, kind: str, subject: str, missing: str, explanation: list[str]) -> Row:
    return {
        "kind": kind,
        "subject": subject,
        "subject_label": ctx.label(subject),
        "rule": RULES[kind],
        "missing": missing,
        "explanation": explanation,
    }
