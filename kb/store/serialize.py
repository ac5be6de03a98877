"""The one place results and triples are written out: plain-text tables for people, CSV and JSON for programs,
JSON-LD for linked-data clients."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kb.model.namespace import PREFIXES
from kb.store import Store


def table_text(columns: Sequence[str], rows: Sequence[dict[str, object]], max_width: int = 60) -> str:
    """A plain-text table with a header row, columns sized to their content (cut at max_width)."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        text = text.replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells)
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def render_table(store: Store, query: str) -> str:
    """Any query as text: a table for SELECT, true/false for ASK, the serialization for CONSTRUCT/DESCRIBE."""
    body, _ = store.raw(query, "json")
    data = json.loads(body) if body.strip().startswith(b"{") else None
    if data is None:
        return body.decode()
    if "boolean" in data:
        return "true" if data["boolean"] else "false"
    columns = data["head"]["vars"]
    rows = [{c: b.get(c, {}).get("value") for c in columns} for b in data["results"]["bindings"]]
    return table_text(columns, rows)


def csv_text(columns: Sequence[str], rows: Sequence[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
    return out.getvalue()


def jsonld(triples: Iterable[ox.Triple]) -> bytes:
    """JSON-LD of the triples, with the project's prefixes as its context (rdflib's writer)."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph.serialize(format="json-ld").encode()
