"""Curators' notes as people read them: identifiers a note mentions ("see kb:conflict-…", "ak:partOf records …",
"recorded in ev:npf-outcome-membership-judgement") are named in words on the pages (the label index's
:meth:`~kb.analyses.labels.LabelIndex.in_words`), and another evidence record by the place it cites; the note itself,
with its identifiers, stays as it is in the downloads (and beside the words in the JSON twins)."""

from __future__ import annotations

import pyoxigraph as ox

from kb.analyses.labels import index
from kb.model.namespace import EVIDENCE

from .kbase import get_store, select


def locator_of(graph: str) -> str | None:
    """The place in its source an evidence record cites, or None."""
    found = sorted(r["locator"] or "" for r in select("graph-locator", g=ox.NamedNode(graph)).records())
    return found[0] if found and found[0] else None


def in_words(text: str, graph: str | None = None) -> str:
    """``text`` with every identifier it mentions in words; ``ev:name`` is read beside ``graph`` (the evidence record
    the note belongs to) and named by the place it cites."""
    folder = graph.rsplit("/", 1)[0] + "/" if graph and graph.startswith(EVIDENCE) else None

    def evidence(prefix: str, local: str) -> str | None:
        if prefix != "ev":
            return None
        place = locator_of(folder + local) if folder else None
        record = "another record of this source"
        return f"{record}, at \u201c{place}\u201d" if place else record

    return index(get_store()).in_words(text, evidence)
