"""Printing results for people and programs: an analysis as a table, CSV or JSON (the shape every client of
``alignkb query`` sees), and any SPARQL result as a table.

Tables fit the terminal: on a terminal (or when ``COLUMNS`` is set) the widest columns are cut, each cell ending
in "…", until a line fits ``shutil.get_terminal_size()``; the whole values are in ``--format json`` and ``csv``.
Printed to a file or a pipe without ``COLUMNS``, cells are cut at 60 characters only."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from kb.analyses import AnalysisResult
from kb.model.namespace import compact
from kb.store import Store
from kb.store.serialize import csv_text

CELL_MAX = 60  # widest cell when there is no terminal to fit
CELL_MIN = 4  # narrowest a cut column gets ("ab…" and a space's worth)
GAP = 2  # spaces between columns


def terminal_width() -> int | None:
    """The width to fit: the terminal's (``COLUMNS`` first, as ``shutil`` reads it); None when printing to a file
    or a pipe and ``COLUMNS`` is not set."""
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def clip(line: str, width: int | None = None) -> str:
    """One line cut to the terminal's width (unchanged when there is no terminal)."""
    width = terminal_width() if width is None else width
    return line if width is None else _cut(line, width)


def column_widths(natural: Sequence[int], width: int | None) -> list[int]:
    """Each column's width: its content's, capped at one level chosen so the line fits ``width`` (the narrow
    columns keep their width; the wide ones are cut alike). With no width, cells are capped at CELL_MAX."""
    if width is None:
        return [min(w, CELL_MAX) for w in natural]
    room = width - GAP * (len(natural) - 1)
    if sum(natural) <= room:
        return list(natural)
    low, high = CELL_MIN, max(natural)
    while low < high:  # the largest cap at which the line still fits
        mid = (low + high + 1) // 2
        if sum(min(w, mid) for w in natural) <= room:
            low = mid
        else:
            high = mid - 1
    return [min(w, low) for w in natural]


def table(columns: Sequence[str], rows: Sequence[dict[str, object]], width: int | None = None) -> str:
    """A plain-text table with a header row and a row count, fitted to ``width`` (default: the terminal's)."""
    width = terminal_width() if width is None else width
    cells = [["" if r.get(c) is None else str(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    natural = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    widths = column_widths(natural, width)

    def line(values: Sequence[str]) -> str:
        return (" " * GAP).join(_cut(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(list(columns)), (" " * GAP).join("-" * w for w in widths)]
    lines += [line(row) for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def sparql_table(store: Store, query: str) -> str:
    """Any query as text: a fitted table for SELECT, true/false for ASK, the serialization for CONSTRUCT/DESCRIBE."""
    body, _ = store.raw(query, "json")
    data = json.loads(body) if body.strip().startswith(b"{") else None
    if data is None:
        return body.decode()
    if "boolean" in data:
        return "true" if data["boolean"] else "false"
    columns = data["head"]["vars"]
    rows = [{c: b.get(c, {}).get("value") for c in columns} for b in data["results"]["bindings"]]
    return table(columns, rows)


def cell(value: Any, short: bool = False) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(cell(v, short)) for v in value)
    if short and isinstance(value, str) and value.startswith("http"):
        return compact(value)
    return value


def render(result: AnalysisResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2, ensure_ascii=False)
    if fmt == "csv":
        return csv_text(result.columns, [{c: cell(r.get(c)) for c in result.columns} for r in result.rows]).rstrip("\n")
    rows = [{c: cell(r.get(c), short=True) for c in result.columns} for r in result.rows]
    text = table(result.columns, rows)
    if result.notes:
        width = terminal_width()
        notes = [f"note: {n}" for n in result.notes]
        text += "\n" + "\n".join(textwrap.fill(n, width, subsequent_indent="  ") if width else n for n in notes)
    return text
