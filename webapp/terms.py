"""How RDF terms are shown and linked: IRIs of this knowledge base resolve inside the app."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyoxigraph as ox

from kb.model.namespace import BASE, EVIDENCE, KB, PREFIXES, SRC, curie

ONTOLOGY_NS = PREFIXES["ak"]
XSD = PREFIXES["xsd"]


@dataclass
class Shown:
    """A term ready for a template or a JSON twin."""

    value: str
    kind: str  # "iri", "literal" or "bnode"
    label: str
    href: str | None = None
    curie: str | None = None
    datatype: str | None = None
    lang: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def local_href(iri: str) -> str | None:
    """The app path of a knowledge-base IRI, or None when the IRI lives elsewhere."""
    if iri.startswith(str(KB)):
        return "/id/" + iri[len(str(KB)) :]
    if iri.startswith(str(SRC)):
        return "/source/" + iri[len(str(SRC)) :]
    if iri.startswith(EVIDENCE):
        return "/evidence/" + iri[len(EVIDENCE) :]
    if iri.startswith(ONTOLOGY_NS):
        return "/ontology#" + iri[len(ONTOLOGY_NS) :]
    if iri == BASE + "ontology":
        return "/ontology"
    return None


def is_iri_segment(text: str) -> bool:
    """Whether ``text`` can be one segment of an IRI's path (an identifier's last part): not empty, no ``/``,
    ``?`` or ``#``, and nothing an IRI may not hold (spaces, angle brackets, quotes, braces, ``|``, ``^``,
    backquotes, backslashes, control characters, a ``%`` not followed by two hex digits, U+FFFD from bytes that
    were not UTF-8 …). A path part that is not one names nothing in the knowledge base (the web app answers 404)."""
    if not text or any(c in "/?#" for c in text):
        return False
    try:
        ox.NamedNode(BASE + "x/" + text)
    except ValueError:
        return False
    return True


def fallback_label(iri: str) -> str:
    short = curie(iri)
    if short and short.startswith(("kb:", "ak:")):
        return short.split(":", 1)[1]
    return short or iri


def show(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, label: str | None = None) -> Shown:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        return Shown(iri, "iri", label or fallback_label(iri), local_href(iri) or iri, curie(iri))
    if isinstance(term, ox.Literal):
        datatype: str | None = term.datatype.value if term.datatype else None
        if datatype == XSD + "string" or term.language:
            datatype = None
        return Shown(
            term.value, "literal", term.value, datatype=curie(datatype) if datatype else None, lang=term.language
        )
    if isinstance(term, ox.BlankNode):
        return Shown("_:" + term.value, "bnode", "_:" + term.value)
    return Shown(str(term), "literal", str(term))
