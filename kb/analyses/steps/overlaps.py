"""Step of ``overlaps``: pairs of requirements scored on what they share, with the score put in words (scipy sparse
products for the counts)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy import sparse

from kb.analyses.context import Row, RunContext, step
from kb.analyses.landscape import Landscape
from kb.analyses.lines import Lines

WEIGHTS = {"outcomes": 0.35, "populations": 0.2, "services": 0.2, "preparers": 0.15, "cycle": 0.1}
REACHED_WEIGHT = 0.5  # an outcome shared only through a correspondence, or a preparer only through a body, counts half
REACHED = {"outcomes": "reached", "preparers": "preparers-reached"}
MAX_ROWS = 1000
NOUNS = {
    "outcomes": ("outcome", "outcomes"),
    "populations": ("population group", "population groups"),
    "services": ("service area", "service areas"),
    "preparers": ("preparer", "preparers"),
}


def _counts(features: dict[str, set[str]], reqs: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Pairwise intersections (upper triangle) and each requirement's feature count."""
    n = len(reqs)
    pos = {r: i for i, r in enumerate(reqs)}
    vocab: dict[str, int] = {}
    rows_i, cols_i = [], []
    for r, feats in features.items():
        if r not in pos:
            continue
        for f in feats:
            rows_i.append(pos[r])
            cols_i.append(vocab.setdefault(f, len(vocab)))
    m = sparse.csr_matrix((np.ones(len(rows_i)), (rows_i, cols_i)), shape=(n, max(len(vocab), 1)))
    return sparse.triu(m @ m.T, k=1).tocsr(), np.asarray(m.sum(axis=1)).ravel()


@step("overlaps")
def overlaps(ctx: RunContext) -> list[Row]:
    by = ctx.params.get("by") or "all"
    given = ctx.params.get("min")
    minimum = float(given) if given is not None else 0.15
    same_line = (ctx.params.get("same-line") or "exclude") == "include"
    dims = list(WEIGHTS) if by == "all" else [by]
    applying = ctx.timeline.applying(ctx.as_at)
    features: dict[str, dict[str, set[str]]] = {d: defaultdict(set) for d in [*WEIGHTS, *REACHED.values()]}
    for req, dim, feat in ctx.rows(("req", "dim", "feature")):
        if req in applying and dim in features and feat:
            features[dim][req].add(feat)
    for dim, wider in REACHED.items():  # reached = the direct features and those they lead to
        for req, direct in features[dim].items():
            features[wider][req] |= direct
    reqs = sorted({r for d in dims for r in features[d]})
    n = len(reqs)
    if n < 2:
        return []
    inter: dict[str, sparse.csr_matrix] = {}
    sizes: dict[str, np.ndarray] = {}
    for d in [*dims, *(REACHED[x] for x in dims if x in REACHED)]:
        inter[d], sizes[d] = _counts(features[d], reqs)
    total = sum((inter[d] for d in inter), sparse.csr_matrix((n, n))).tocoo()
    ii, jj = total.row, total.col
    num = np.zeros(len(ii))
    den = np.zeros(len(ii))
    shared: dict[str, np.ndarray] = {}
    for d in dims:
        vals = np.asarray(inter[d][ii, jj]).ravel()
        union = sizes[d][ii] + sizes[d][jj] - vals
        if d in REACHED:
            wider = REACHED[d]
            r_vals = np.asarray(inter[wider][ii, jj]).ravel()
            r_union = sizes[wider][ii] + sizes[wider][jj] - r_vals
            top = vals + REACHED_WEIGHT * (r_vals - vals)
            bottom = union + REACHED_WEIGHT * (r_union - union)
            present = bottom > 0
            sim = np.where(present, top / np.where(present, bottom, 1), 0.0)
        else:
            present = union > 0
            sim = np.where(present, vals / np.where(present, union, 1), 0.0)
        num += WEIGHTS[d] * sim
        den += WEIGHTS[d] * present
        shared[d] = vals
    score = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
    lines = Lines(Landscape.fetch(ctx), applying) if not same_line else None
    keep = [
        k
        for k in np.nonzero(score >= minimum - 1e-9)[0]
        if score[k] > 0 and (lines is None or not lines.same(reqs[ii[k]], reqs[jj[k]]))
    ]
    order = sorted(
        keep,
        key=lambda k: (
            -round(float(score[k]), 6),
            ctx.label(reqs[ii[k]]).lower(),
            ctx.label(reqs[jj[k]]).lower(),
            reqs[ii[k]],
            reqs[jj[k]],
        ),
    )
    if len(order) > MAX_ROWS:
        ctx.notes.append(f"{len(order)} pairs scored at least {minimum}; the first {MAX_ROWS} are listed")
        order = order[:MAX_ROWS]
    if lines is not None:
        ctx.notes.append(
            "A plan and the reports on it are one reporting line and are not paired (same-line=include pairs them)."
        )
    return [_row(ctx, reqs[ii[k]], reqs[jj[k]], float(score[k]), dims, features) for k in order]


def _row(
    ctx: RunContext, a: str, b: str, score: float, dims: list[str], features: dict[str, dict[str, set[str]]]
) -> Row:
    common: dict[str, set[str]] = {}
    for d in dims:
        common[d] = features[d].get(a, set()) & features[d].get(b, set())
    through: dict[str, set[str]] = {}
    for d, wider in REACHED.items():
        if d in dims:
            through[d] = (features[wider].get(a, set()) & features[wider].get(b, set())) - common[d]
    parts: list[str] = []
    expl: list[str] = []
    for d in dims:
        fa, fb = features[d].get(a, set()), features[d].get(b, set())
        if d == "cycle":
            if common[d]:
                parts.append(f"the same cycle ({ctx.label(next(iter(common[d])))})")
            continue
        if not fa and not fb:
            continue
        one, many = NOUNS[d]
        small = min(len(fa), len(fb)) if fa and fb else max(len(fa), len(fb))
        k = len(common[d])
        extra = through.get(d, set())
        if k == 0 and not (extra and (d == "outcomes" or k == 0)):
            continue  # the summary names what is shared, as a person would
        if k == 0:
            phrase = ""
        elif k == small == 2:
            phrase = f"both of its {many}"
        elif k == small == 1:
            phrase = f"its {one}"
        elif k == small:
            phrase = f"all {k} of its {many}"
        else:
            phrase = f"{k} of its {small} {many if small != 1 else one}"
        if extra and (d == "outcomes" or k == 0):  # preparers through bodies matter only when none are shared
            how = "through the frameworks' correspondences" if d == "outcomes" else "through bodies that are both"
            via = f"{len(extra)} {one if len(extra) == 1 else many} {how}"
            phrase = f"{via} (none directly)" if k == 0 else f"{phrase} (and {via})"
        parts.append(phrase)
        names = ", ".join(sorted(ctx.labelled(common[d]), key=str.lower)) or "nothing"
        expl.append(f"{many} held by both: {names}")
    if through.get("outcomes"):
        names = ", ".join(sorted(ctx.labelled(through["outcomes"]), key=str.lower))
        expl.append(f"outcomes both reach through the frameworks' correspondences (counted at half weight): {names}")
    if through.get("preparers") and not common.get("preparers"):
        names = ", ".join(sorted(ctx.labelled(through["preparers"]), key=str.lower))
        expl.append(
            "preparer types linked because some bodies are of both, such as a council or health board that is also "
            f"an integration authority (counted at half weight): {names}"
        )
    summary = f"{ctx.label(b)} shares " + _join(parts) + f" with {ctx.label(a)}"
    expl.insert(0, summary)
    expl.append(
        f"score {score:.2f}: the weighted mean, over the aspects either has, of what they share divided by what "
        "either holds (outcomes 0.35, population groups 0.2, services 0.2, preparers 0.15, cycle 0.1)"
    )
    return {
        "requirement_a": a,
        "label_a": ctx.label(a),
        "requirement_b": b,
        "label_b": ctx.label(b),
        "score": round(score, 3),
        "summary": summary,
        "shared_outcomes": sorted(ctx.labelled(common.get("outcomes", set())), key=str.lower),
        "outcomes_through_frameworks": sorted(ctx.labelled(through.get("outcomes", set())), key=str.lower),
        "shared_populations": sorted(ctx.labelled(common.get("populations", set())), key=str.lower),
        "shared_services": sorted(ctx.labelled(common.get("services", set())), key=str.lower),
        "shared_preparers": sorted(ctx.labelled(common.get("preparers", set())), key=str.lower),
        "same_cycle": "yes" if common.get("cycle") else "no",
        "explanation": expl,
    }


def _join(parts: list[str]) -> str:
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
