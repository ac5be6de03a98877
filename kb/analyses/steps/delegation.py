"""Step of ``delegation``: who holds a service category in an area on the date, and which plans
therefore cover it."""

from __future__ import annotations

from collections import defaultdict

from kb.analyses.context import Row, RunContext, step
from kb.analyses.labels import ParameterError
from kb.analyses.landscape import Landscape, arrangement_sources, arrangement_text
from kb.analyses.timeline import AK, PROPOSED, arrangements, holding

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@step("delegation")
def delegation(ctx: RunContext) -> list[Row]:
    area, service = ctx.params.get("area"), ctx.params.get("service")
    if not area and not service:
        raise ParameterError("area", "", "say which area or which service (or both) to look at")
    land = Landscape.fetch(ctx)
    cats = land.categories_of(ctx, service) if service else None
    every = arrangements(ctx.store, area)
    held = holding(every, ctx.as_at)
    leads: dict[tuple[str, str], set[str]] = defaultdict(set)
    for l_area, cat, body in ctx.rows(("area", "category", "body")):
        leads[(l_area or "", cat or "")].add(body or "")
    covering: dict[str, set[str]] = defaultdict(set)
    applying = ctx.timeline.applying(ctx.as_at)
    ia_reqs = sorted(r for r in applying if land.ia_only(r))
    for req in applying:
        for target in land.details.get(req, {}).get("coversService", []):
            for cat in land.categories_of(ctx, target) or {target}:
                covering[cat].add(req)
    rows: list[Row] = []
    for (a_area, cat), arrs in held.items():
        if area and a_area != area:
            continue
        if cats is not None and cat not in cats:
            continue
        proposals = [a for a in arrs if a.status == PROPOSED]
        stated = [a for a in arrs if a.status != PROPOSED] or arrs  # a proposal alone is still its status
        statuses = sorted({a.status for a in stated})
        is_delegated = any(a.delegated for a in stated)
        plans = {r for r in covering.get(cat, set()) if not land.ia_only(r)}
        if is_delegated:
            plans |= set(ia_reqs)
        history = sorted(
            (a for a in every if a.area == a_area and a.category == cat and a not in arrs),
            key=lambda a: (a.as_at, a.iri),
        )
        expl = [arrangement_text(ctx, a) for a in stated]
        if proposals and stated is not arrs:
            expl += [f"a proposal, not a change yet: {arrangement_text(ctx, a)}" for a in proposals]
        if len(statuses) > 1:
            expl.append("conflict: sources disagree about this arrangement on the same date")
        expl += [f"earlier: {arrangement_text(ctx, a)}" for a in history]
        lead = leads.get((a_area, cat), set())
        expl += [f"{ctx.name_of(b)} leads for {ctx.name_of(cat)}" for b in sorted(lead)]
        if is_delegated:
            expl.append(
                "delegated, so the integration authority's plans cover it: " + ", ".join(ctx.label(r) for r in ia_reqs)
            )
        rows.append(
            {
                "area": a_area,
                "area_label": ctx.label(a_area),
                "category": cat,
                "category_label": ctx.label(cat),
                "status": " / ".join(ctx.label(s) for s in statuses),
                "delegated_to": ctx.labelled({a.delegated_to for a in stated if a.delegated_to}),
                "as_at": arrs[0].as_at.isoformat(),
                "conflict": "yes" if len(statuses) > 1 else "no",
                "lead": ctx.labelled(lead),
                "covered_by": ctx.labelled(plans),
                "arrangements": [a.iri for a in arrs],
                "explanation": expl,
                "sources": [s for a in arrs for s in arrangement_sources(ctx, a)],
            }
        )
    for (l_area, cat), bodies in sorted(leads.items()):
        if (l_area, cat) in held or (area and l_area != area) or (cats is not None and cat not in cats):
            continue
        plans = {r for r in covering.get(cat, set()) if not land.ia_only(r)} | set(ia_reqs)
        rows.append(
            {
                "area": l_area,
                "area_label": ctx.label(l_area),
                "category": cat,
                "category_label": ctx.label(cat),
                "status": "led by a lead agency",
                "delegated_to": ctx.labelled(bodies),
                "as_at": "",
                "conflict": "no",
                "lead": ctx.labelled(bodies),
                "covered_by": ctx.labelled(plans),
                "arrangements": [],
                "explanation": [
                    f"{ctx.name_of(b)} leads for {ctx.name_of(cat)} in {ctx.name_of(l_area)} "
                    "(lead agency model; no delegation arrangement recorded)"
                    for b in sorted(bodies)
                ]
                + [
                    "the lead agency is the integration authority for it, so its integration plans cover it: "
                    + ", ".join(ctx.label(r) for r in ia_reqs)
                ],
                "sources": ctx.provenance.many([(b, AK + "leadsFor", cat) for b in sorted(bodies)]),
            }
        )
    rows += _unrecorded(ctx, rows, area, cats, covering, land)
    rows.sort(key=lambda r: (r["area_label"].lower(), r["category_label"].lower(), r["area"], r["category"]))
    return rows


def _unrecorded(
    ctx: RunContext,
    rows: list[Row],
    area: str | None,
    cats: set[str] | None,
    covering: dict[str, set[str]],
    land: Landscape,
) -> list[Row]:
    """A row, saying so, for every council area × service category asked about that no arrangement covers."""
    types = ctx.labels.types
    every_area = sorted(i for i, ts in types.items() if AK + "CouncilArea" in ts)
    every_cat = sorted(i for i, ts in types.items() if AK + "ServiceCategory" in ts)
    areas = [area] if area else every_area
    wanted = sorted(cats) if cats is not None else every_cat
    seen = {(r["area"], r["category"]) for r in rows}
    out: list[Row] = []
    for a in areas:
        if AK + "CouncilArea" not in types.get(a, set()):
            continue
        for cat in wanted:
            if (a, cat) in seen or cat not in every_cat:
                continue
            plans = {r for r in covering.get(cat, set()) if not land.ia_only(r)}
            out.append(
                {
                    "area": a,
                    "area_label": ctx.label(a),
                    "category": cat,
                    "category_label": ctx.label(cat),
                    "status": "no arrangement recorded",
                    "delegated_to": [],
                    "as_at": "",
                    "conflict": "no",
                    "lead": [],
                    "covered_by": ctx.labelled(plans),
                    "arrangements": [],
                    "explanation": [
                        f"no source consulted says whether {ctx.label(cat)} is delegated to the integration authority "
                        f"in {ctx.label(a)} on {ctx.as_at.isoformat()}; the law requires only the adult functions "
                        "prescribed by SSI 2014/345 and SSI 2014/344 to be delegated, so the council or health board "
                        "is taken to keep it unless a source says otherwise"
                    ],
                    "sources": [],
                }
            )
    return out
