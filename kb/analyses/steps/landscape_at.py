"""Step of ``landscape-at``: the landscape on one date."""

from __future__ import annotations

from datetime import date

from kb.analyses import documents
from kb.analyses.context import Row, RunContext, step
from kb.analyses.timeline import parse_date, valid_on


def _first_date(values: list[str]) -> str:
    dates = sorted(d for d in map(parse_date, values) if d)
    return dates[0].isoformat() if dates else ""


@step("landscape-at")
def landscape_at(ctx: RunContext) -> list[Row]:
    on: date = ctx.params["date"]
    ctx.as_at = on
    tl = ctx.full_timeline
    out: list[Row] = []
    for iri, state in tl.legal.items():
        status = state.status(on)
        out.append(
            {
                "kind": "instrument" if state.is_instrument else "provision",
                "entity": iri,
                "label": ctx.label(iri),
                "status": status,
                "since": state.start.isoformat() if state.start else "",
                "until": state.end.isoformat() if state.end else "",
                "reason": state.end_note if status == "repealed" else state.start_note,
            }
        )
    for req in tl.requirements():
        s = tl.applies(req, on)
        out.append(
            {
                "kind": "requirement",
                "entity": req,
                "label": ctx.label(req),
                "status": "applies" if s.applies else "does not apply",
                "since": "",
                "until": "",
                "reason": "; ".join(s.reasons),
            }
        )
    dated = documents.dated(ctx)
    for x, values in dated.items():
        kind = documents.kind(values)
        current = valid_on(values, on) and not any(
            valid_on(dated.get(s, {}), on) and bool(dated.get(s, {}).get("validFrom"))
            for s in values.get("supersededBy", [])
        )
        start = _first_date(values.get("validFrom", []) + values.get("periodStart", []))
        end = _first_date(values.get("validUntil", []) + values.get("periodEnd", []))
        out.append(
            {
                "kind": kind,
                "entity": x,
                "label": ctx.label(x),
                "status": "current" if current else "not current",
                "since": start,
                "until": end,
                "reason": "validity period" if (start or end) else "no dates recorded",
            }
        )
    order = ["instrument", "provision", "requirement", "framework", "outcome set", "indicator set", "plan"]
    out.sort(key=lambda r: (order.index(r["kind"]) if r["kind"] in order else 99, r["label"].lower(), r["entity"]))
    return out
