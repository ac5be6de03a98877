"""Printing an analysis result as a table, CSV or JSON (the shape every client of ``alignkb query`` sees)."""

from __future__ import annotations

import json
from typing import Any

from kb.analyses import AnalysisResult
from kb.model.namespace import compact
from kb.store.serialize import csv_text, table_text


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
    text = table_text(result.columns, rows)
    if result.notes:
        text += "\n" + "\n".join(f"note: {n}" for n in result.notes)
    return text
