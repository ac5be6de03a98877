"""Steps of ``overlaps`` (scored pairs of requirements, scipy sparse), ``duplicate-reporting`` (equivalent
indicators reported more than once) and ``burden`` (load per body type, area and body)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .cache import shared
from .context import Row, RunContext, step
from .obligations import Landscape
from .timeline import AK

WEIGHTS = {"outcomes": 0.4, "populations": 0.2, "services": 0.2, "preparers": 0.2}
MAX_ROWS = 1000


@step("overlaps")
def overlaps(ctx: RunContext) -> list[Row]:
    by = ctx.params.get("by") or "all"
    minimum = float(ctx.params.get("min") if ctx.params.get("min") is not None else 0.25)
    dims = list(WEIGHTS) if by == "all" else [by]
    applying = ctx.timeline.applying(ctx.as_at)
    features: dict[str, dict[str, set[str]]] = {d: defaultdict(set) for d in WEIGHTS}
    for req, dim, feat in ctx.rows(("req", "dim", "feature")):
        if req in applying and dim in features and feat:
            features[dim][req].add(feat)
    reqs = sorted({r for d in dims for r in features[d]})
    n = len(reqs)
    if n < 2:
        return []
    pos = {r: i for i, r in enumerate(reqs)}
    inter: dict[str, sparse.csr_matrix] = {}
    sizes: dict[str, np.ndarray] = {}
    for d in dims:
        vocab: dict[str, int] = {}
        rows_i, cols_i = [], []
        for r, feats in features[d].items():
            if r not in pos:
                continue
            for f in feats:
                rows_i.append(pos[r])
                cols_i.append(vocab.setdefault(f, len(vocab)))
        m = sparse.csr_matrix((np.ones(len(rows_i)), (rows_i, cols_i)), shape=(n, max(len(vocab), 1)))
        inter[d] = sparse.triu(m @ m.T, k=1).tocsr()
        sizes[d] = np.asarray(m.sum(axis=1)).ravel()
    total = sum((inter[d] for d in dims), sparse.csr_matrix((n, n))).tocoo()
    ii, jj = total.row, total.col
    num = np.zeros(len(ii))
    den = np.zeros(len(ii))
    shared: dict[str, np.ndarray] = {}
    for d in dims:
        vals = np.asarray(inter[d][ii, jj]).ravel()
        union = sizes[d][ii] + sizes[d][jj] - vals
        present = union > 0
        num += WEIGHTS[d] * np.where(present, vals / np.where(present, union, 1), 0.0)
        den += WEIGHTS[d] * present
        shared[d] = vals
    score = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
    keep = np.nonzero(score >= minimum - 1e-9)[0]
    order = sorted(
        keep, key=lambda k: (-round(float(score[k]), 6), ctx.label(reqs[ii[k]]).lower(), ctx.label(reqs[jj[k]]).lower())
    )
    if len(order) > MAX_ROWS:
        ctx.notes.append(f"{len(order)} pairs scored ≥ {minimum}; the first {MAX_ROWS} are listed")
        order = order[:MAX_ROWS]
    out: list[Row] = []
    for k in order:
        a, b = reqs[ii[k]], reqs[jj[k]]
        expl = [f"score {score[k]:.3f} = weighted mean of Jaccard indices over {', '.join(dims)}"]
        for d in dims:
            common = features[d].get(a, set()) & features[d].get(b, set())
            union = features[d].get(a, set()) | features[d].get(b, set())
            if union:
                names = ", ".join(ctx.labelled(common)[:12]) or "nothing"
                expl.append(f"{d}: {len(common)} shared of {len(union)} ({names})")
        out.append(
            {
                "requirement_a": a,
                "label_a": ctx.label(a),
                "requirement_b": b,
                "label_b": ctx.label(b),
                "score": round(float(score[k]), 3),
                **{f"shared_{d}": int(shared[d][k]) if d in shared else 0 for d in WEIGHTS},
                "explanation": expl,
            }
        )
    return out


class _Clusters:
    """Union-find over indicators joined by exact/close matches."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _IndicatorIndex:
    """Indicators' sets, the requirements reporting them and the clusters of matches (once per store)."""

    sets: dict[str, set[str]]
    reports: dict[str, set[str]]  # every requirement, applying or not
    roots: dict[str, str]
    links: dict[str, list[tuple[str, str, str]]]  # cluster root → match links, in query order

    def root(self, ind: str) -> str:
        return self.roots.get(ind, ind)


def _memberships(ctx: RunContext) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Indicator → its sets and indicator → the requirements reporting it (directly or through a typed indicator
    set it is in), joined in Python from the flat edges of ``cq-duplicate-reporting.rq``.

    Same result as the earlier ``OPTIONAL { ?indicator ak:inSet ?set } OPTIONAL { {?req ak:reportsIndicator
    ?indicator} UNION {?req ak:reportsIndicator ?set . ?set a ak:IndicatorSet} }`` as Oxigraph evaluated it,
    including its reading of an indicator in no set: ``?set`` is then free in the second branch, so such an
    indicator counts as in (and reported through) every indicator set that some requirement reports.
    """
    indicators: set[str] = set()
    typed_sets: set[str] = set()
    in_sets: dict[str, set[str]] = defaultdict(set)
    reporters: dict[str, set[str]] = defaultdict(set)
    for edge, s, o in ctx.rows(("edge", "s", "o")):
        if s is None:
            continue
        if edge == "indicator":
            indicators.add(s)
        elif edge == "set":
            typed_sets.add(s)
        elif edge == "inSet" and o is not None:
            in_sets[s].add(o)
        elif edge == "reports" and o is not None:
            reporters[o].add(s)
    reported_sets = {s for s in typed_sets if reporters.get(s)}
    via_any_set = {r for s in reported_sets for r in reporters[s]}
    sets: dict[str, set[str]] = {}
    reports: dict[str, set[str]] = {}
    for ind in indicators:
        own = in_sets.get(ind)
        by = set(reporters.get(ind, ()))
        if own:
            sets[ind] = set(own)
            for s in own & typed_sets:
                by |= reporters.get(s, set())
        else:
            if reported_sets:
                sets[ind] = set(reported_sets)
            by |= via_any_set
        if by:
            reports[ind] = by
    return sets, reports


def _indicator_index(ctx: RunContext) -> _IndicatorIndex:
    def make() -> _IndicatorIndex:
        sets, reports = _memberships(ctx)
        clusters = _Clusters()
        found: list[tuple[str, str, str]] = []
        for a, b, rel in ctx.rows(("a", "b", "relation"), "fetch-indicator-matches"):
            clusters.join(a or "", b or "")
            found.append((a or "", rel or "", b or ""))
        roots = {x: clusters.find(x) for x in list(clusters.parent)}
        links: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for a, rel, b in found:
            links[roots[a]].append((a, rel, b))
        return _IndicatorIndex(dict(sets), dict(reports), roots, dict(links))

    return shared(ctx.store, "indicator-index", make)


@step("duplicate-reporting")
def duplicate_reporting(ctx: RunContext) -> list[Row]:
    area = ctx.params.get("area")
    land = Landscape.fetch(ctx)
    applying = ctx.timeline.applying(ctx.as_at)
    allowed = applying
    if area:
        from .obligations import bodies_in

        served = set(bodies_in(ctx, area))
        allowed = {r for r in applying if set(land.details.get(r, {}).get("preparerType", [])) & served}
    index = _indicator_index(ctx)
    sets = index.sets
    reports: dict[str, set[str]] = {}
    for ind, reqs in index.reports.items():
        kept = reqs & allowed
        if kept:
            reports[ind] = kept
    members: dict[str, set[str]] = defaultdict(set)
    for ind in set(sets) | set(reports):
        members[index.root(ind)].add(ind)
    out: list[Row] = []
    for root, inds in members.items():
        c_sets = {s for i in inds for s in sets.get(i, ())}
        c_reports = {r for i in inds for r in reports.get(i, ())}
        if len(c_reports) < 2 and (area or len(c_sets) < 2):
            continue
        names = ctx.labelled(inds)
        recipients = {x for r in c_reports for x in land.details.get(r, {}).get("recipient", [])}
        expl = []
        for i in sorted(inds, key=lambda i: ctx.label(i).lower()):
            in_sets = ", ".join(ctx.labelled(sets.get(i, ()))) or "no set"
            by = ", ".join(ctx.labelled(reports.get(i, ()))) or "no report that applies"
            expl.append(f"{ctx.name_of(i)} in {in_sets}; reported in {by}")
        for r in sorted(c_reports):
            to = ", ".join(ctx.labelled(land.details.get(r, {}).get("recipient", []))) or "no recipient recorded"
            expl.append(f"{ctx.label(r)} goes to {to}")
        cluster_links = [(a, rel, b) for a, rel, b in index.links.get(root, ()) if a in inds]
        expl += [
            f"{ctx.label(a)} {rel.rsplit('#', 1)[-1]} {ctx.label(b)}: the same measure" for a, rel, b in cluster_links
        ]
        triples: list[tuple[str, str, Any]] = list(cluster_links)
        triples += [(i, AK + "inSet", s) for i in inds for s in sets.get(i, ())]
        out.append(
            {
                "measure": names[0],
                "indicators": sorted(inds),
                "indicator_sets": ctx.labelled(c_sets),
                "reports": ctx.labelled(c_reports),
                "recipients": ctx.labelled(recipients),
                "n_reports": len(c_reports),
                "n_sets": len(c_sets),
                "explanation": expl,
                "sources": ctx.provenance.many(triples),
            }
        )
    out.sort(key=lambda r: (-r["n_reports"], -r["n_sets"], r["measure"].lower()))
    return out


def _burden_index(
    ctx: RunContext,
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Requirement → indicators, body type → broader types, body → types and body → areas (once per store)."""
    indicators: dict[str, set[str]] = defaultdict(set)
    for req, ind in ctx.rows(("req", "indicator"), "fetch-requirement-indicators"):
        indicators[req or ""].add(ind or "")
    closure: dict[str, set[str]] = defaultdict(set)
    for t, broader in ctx.rows(("type", "broader"), "fetch-type-closure"):
        closure[t or ""].add(broader or "")
    body_types: dict[str, set[str]] = defaultdict(set)
    body_areas: dict[str, set[str]] = defaultdict(set)
    for b_, t, a in ctx.rows(("body", "type", "area")):
        b = b_ or ""
        body_types[b].add(t or "")
        if a is not None:
            body_areas[b].add(a)
    return dict(indicators), dict(closure), dict(body_types), dict(body_areas)


@step("burden")
def burden(ctx: RunContext) -> list[Row]:
    area, body = ctx.params.get("area"), ctx.params.get("body")
    land = Landscape.fetch(ctx)
    applying = ctx.timeline.applying(ctx.as_at)
    indicators, closure, body_types, body_areas = shared(ctx.store, "burden-index", lambda: _burden_index(ctx))
    on_type: dict[str, set[str]] = defaultdict(set)  # preparer type → requirements
    for r in applying:
        for t in land.details.get(r, {}).get("preparerType", []):
            on_type[t].add(r)

    def load(types: set[str]) -> set[str]:
        return {r for t in types for r in on_type.get(t, ())}

    def row(level: str, entity: str, reqs: set[str]) -> Row:
        plans = {r for r in reqs if land.kind(r) == "plan"}
        reps = {r for r in reqs if land.kind(r) == "report"}
        inds = {i for r in reqs for i in indicators.get(r, ())}
        per_year = 0.0
        for r in reqs:
            years = [float(y) for y in land.details.get(r, {}).get("periodYears", []) if y]
            if years and years[0] > 0:
                per_year += 1.0 / years[0]
        return {
            "level": level,
            "name": ctx.label(entity),
            "entity": entity,
            "plans": len(plans),
            "reports": len(reps),
            "indicators": len(inds),
            "per_year": round(per_year, 2),
            "explanation": [
                f"{ctx.label(r)} ({land.kind(r) or 'requirement'})"
                for r in sorted(reqs, key=lambda r: ctx.label(r).lower())
            ],
        }

    is_type = bool(body) and AK + "BodyType" in ctx.labels.types.get(body or "", set())
    bodies = sorted(body_types)
    if area:
        bodies = [b for b in bodies if area in body_areas.get(b, set())]
    if body and not is_type:
        bodies = [b for b in bodies if b == body]
    if body and is_type:
        bodies = [b for b in bodies if body in body_types[b]]
    types = sorted({t for b in bodies for t in body_types[b]} | (set() if (area or body) else set(on_type)))
    if is_type:
        types = [body or ""]
    out: list[Row] = []
    for t in types:
        reqs = load(closure.get(t, {t}))
        if reqs:
            out.append(row("body type", t, reqs))
    areas = sorted({a for b in bodies for a in body_areas.get(b, ())})
    if area:
        areas = [area]
    if not body:
        for a in areas:
            reqs = {r for b in bodies if a in body_areas.get(b, ()) for r in load(body_types[b])}
            if reqs:
                out.append(row("area", a, reqs))
    for b in bodies:
        reqs = load(body_types[b])
        if reqs:
            out.append(row("body", b, reqs))
    order = {"body type": 0, "area": 1, "body": 2}
    out.sort(key=lambda r: (order[r["level"]], -(r["plans"] + r["reports"]), r["name"].lower()))
    return out
