"""The dated documents (frameworks, outcome and indicator sets, plans) that ``landscape-at`` and ``changes``
both read: their kinds, and the analysis's own rows grouped by entity and property."""

from __future__ import annotations

from collections import defaultdict

from kb.analyses.context import RunContext
from kb.analyses.timeline import AK
from kb.store.cache import shared
from kb.store.fast import prop_rows

KINDS = {
    AK + "PolicyFramework": "framework",
    AK + "OutcomeSet": "outcome set",
    AK + "IndicatorSet": "indicator set",
    AK + "Plan": "plan",
    AK + "PolicyDocument": "document",
}
ORDER = ("framework", "outcome set", "indicator set", "plan", "document")


def dated(ctx: RunContext) -> dict[str, dict[str, list[str]]]:
    """The analysis's own rows (x, p, v) by entity and property, once per store (read-only)."""

    def make() -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for x, p, v in prop_rows(ctx.store, ctx.query):
            out[x][p.rsplit("#", 1)[-1]].append(v)
        return {x: dict(values) for x, values in out.items()}

    return shared(ctx.store, ("dated", ctx.name), make)


def kind(values: dict[str, list[str]]) -> str:
    found = {KINDS[t] for t in values.get("type", []) if t in KINDS}
    return next((k for k in ORDER if k in found), "")
