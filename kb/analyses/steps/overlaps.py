"""Step of ``overlaps``: scored pairs of requirements (scipy sparse)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy import sparse

from kb.analyses.context import Row, RunContext, step

WEIGHTS = {"outcomes": 0.4, "populations": 0.2, "services": 0.2, "preparers": 0.2}
MAX_ROWS = 1000


WEIGHTS = {"outcomes": 0.4, "populations": 0.2, "services": 0.2, "preparers": 0.2}
MAX_ROWS = 1000


@step("overlaps")
def overlaps(ctx: RunContext) -> list[Row]:
    by = ctx.params.get("by") or "all"
    given = ctx.params.get("min")
    minimum = float(given) if given is not None else 0.25
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
