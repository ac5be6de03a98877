"""Step of ``landscape-at``: the landscape on one date."""

from __future__ import annotations

from datetime import date

from kb.analyses import documents
from kb.analyses.context import Row, RunContext, step
from kb.analyses.timeline import document_start, document_state, parse_date


@step("landscape-at")
def landscape_at(ctx: RunContext) -> list[Row]:
    on: date = ctx.params["date"]
    ctx.as_at = on
    tl = ctx.full_timeline
    out: list[Row] = []
    existed: set[str] = set()
    for iri, state in tl.legal.items():
        status = state.status(on)
        if status == "not yet enacted":
            continue  # law appears once enacted
        existed.add(iri)
        out.append(
            {
                "kind": "instrument" if state.is_instrument else "provision",
                "entity": iri,
                "label": ctx.label(iri),
                "status": status,
                "since": state.start.isoformat() if state.start else "",
                "until": state.end.isoformat() if state.end else "",
                "reason": state.note(on),
            }
        )
    for req in tl.requirements():
        values = tl.req.get(req, {})
        bases = values.get("legalBasis", [])
        if bases and not any(b in existed for b in bases):
            continue  # its law was not yet enacted
        if any(_begins_after(tl.documents.get(d, {}), on) for d in values.get("basisDocument", [])):
            continue  # the document that asks for it was not yet published
        s = tl.applies(req, on)
        out.append(
            {
                "kind": "requirement",
                "entity": req,
                "label": ctx.label(req),
                "status": s.label,
                "since": "",
                "until": "",
                "reason": "; ".join(s.reasons),
            }
        )
    dated = documents.dated(ctx)
    for x, values in dated.items():
        if _begins_after(values, on):
            continue  # not yet published or valid: it did not exist
        current, note = document_state(dated, x, on)
        begins = document_start(values)
        start = begins.isoformat() if begins else ""
        ends = sorted(d for k in ("validUntil", "periodEnd") for d in map(parse_date, values.get(k, [])) if d)
        end = ends[-1].isoformat() if ends else ""  # the rule document_state applies
        out.append(
            {
                "kind": documents.kind(values),
                "entity": x,
                "label": ctx.label(x),
                "status": {True: "current", False: "not current", None: "current: date not recorded"}[current],
                "since": start,
                "until": end,
                "reason": note,
            }
        )
    order = ["instrument", "provision", "requirement", *documents.ORDER]
    out.sort(key=lambda r: (order.index(r["kind"]) if r["kind"] in order else 99, r["label"].lower(), r["entity"]))
    return out


def _begins_after(values: dict[str, list[str]], on: date) -> bool:
    """True when the document's recorded start is after ``on``: it did not yet exist."""
    begins = document_start(values)
    return begins is not None and on < begins
