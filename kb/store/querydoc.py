"""A SPARQL query file (``.rq``) and the header that documents it.

Header lines are comments of the form ``# key: value`` at the top of the file; the keys used are
``question`` (what it answers), ``params`` (space-separated parameter names, ``?`` marks optional ones),
``returns`` (columns), ``rule`` (plain-language rule), ``hint`` (for violation queries) and ``title``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class QueryDoc:
    name: str
    path: Path
    text: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def question(self) -> str:
        return self.meta.get("question", self.name)

    @classmethod
    def load(cls, path: Path) -> QueryDoc:
        text = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        key = None
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            body = stripped.lstrip("#").strip()
            if ":" in body and body.split(":", 1)[0].isidentifier():
                key, value = body.split(":", 1)
                meta[key.strip()] = value.strip()
            elif key and body:
                meta[key] = meta[key] + " " + body
        name = path.stem
        for prefix in ("cq-",):
            if name.startswith(prefix):
                name = name[len(prefix) :]
        return cls(name=name, path=path, text=text, meta=meta)


@cache
def query_text(name: str) -> str:
    """The text of ``kb/queries/<name>.rq``, read once per process."""
    from kb.model.paths import queries_dir

    return QueryDoc.load(queries_dir() / f"{name}.rq").text
