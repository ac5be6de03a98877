"""Curators' notes as people read them: identifiers a note mentions ("see kb:conflict-…", "ak:partOf records …",
"recorded in ev:npf-outcome-membership-judgement") are named in words on the pages; the note itself, with its
identifiers, stays as it is in the downloads (and beside the words in the JSON twins)."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kb.analyses.labels import index
from kb.model.namespace import EVIDENCE, PREFIXES

from .kbase import get_store, select

_MENTION = re.compile(r"\b(kb|ak|src|ev|skos|rdfs|dcterms|prov|owl|eli|org):([A-Za-z][\w.-]*[A-Za-z0-9_])")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(local: str) -> str:
    """``partOf`` → "part of", ``bt-health-board`` → "health board", ``Unconfirmed`` → "unconfirmed"."""
    local = local.removeprefix("bt-")
    return _CAMEL.sub(" ", local).replace("-", " ").replace("_", " ").lower()


def locator_of(graph: str) -> str | None:
    """The place in its source an evidence record cites, or None."""
    found = sorted(r["locator"] or "" for r in select("graph-locator", g=ox.NamedNode(graph)).records())
    return found[0] if found and found[0] else None


def words_of(iri: str) -> str:
    """A term with no label, named by its local name in words (``…#historyNote`` → "history note")."""
    return _words(iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1])


def in_words(text: str, graph: str | None = None) -> str:
    """``text`` with every identifier it mentions replaced by words: an entity or a term of the model by its label,
    a source by its title, another evidence record (``ev:name``, read beside ``graph``, the record the note belongs
    to) by the place it cites, and any other term by its name split into words."""
    if ":" not in text:
        return text
    labels = index(get_store())
    folder = graph.rsplit("/", 1)[0] + "/" if graph and graph.startswith(EVIDENCE) else None

    def name(match: re.Match[str]) -> str:
        prefix, local = match.group(1), match.group(2)
        if prefix == "ev":
            place = locator_of(folder + local) if folder else None
            return (
                f"another record of this source, at \u201c{place}\u201d" if place else "another record of this source"
            )
        iri = PREFIXES[prefix] + local
        label = labels.label.get(iri)
        if label:
            return label
        return _words(local)

    return _MENTION.sub(name, text)
