"""Serialising a resource's triples as Turtle or JSON-LD for content negotiation."""

from __future__ import annotations

import pyoxigraph as ox
from flask import request

from kb.model.namespace import PREFIXES
from kb.store.serialize import jsonld

MEDIA_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json"}


class Triples:
    """An ordered set of triples built from query rows."""

    def __init__(self) -> None:
        self._triples: dict[str, ox.Triple] = {}

    def add(self, s: object, p: object, o: object) -> None:
        if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) and o is not None:
            triple = ox.Triple(s, p, o)  # type: ignore[arg-type]
            self._triples.setdefault(str(triple), triple)

    def __len__(self) -> int:
        return len(self._triples)

    def serialize(self, fmt: str) -> bytes:
        triples = list(self._triples.values())
        if fmt == "jsonld":  # compacted with the published context, referred to by its address on this server
            return jsonld(triples, request.host_url.rstrip("/") + "/context.jsonld")
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
