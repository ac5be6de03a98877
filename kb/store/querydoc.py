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
        name = path.stem.removeprefix("cq-")
        return cls(name=name, path=path, text=text, meta=meta)


ROLES = ("analyses", "fetch", "checks", "stats", "examples")
"""The folders of ``kb/queries``: named analyses (``cq-<name>.rq``), helper queries the analyses read facts with,
violation queries the build runs, the counts ``alignkb stats`` prints, and example queries for people."""


def queries_in(role: str) -> list[Path]:
    """The ``.rq`` files of one folder of ``kb/queries`` (see :data:`ROLES`), sorted by name."""
    from kb.model.paths import queries_dir

    if role not in ROLES:
        raise ValueError(f"no query folder '{role}'; the folders are {', '.join(ROLES)}")
    return sorted((queries_dir() / role).glob("*.rq"))


@cache
def query_paths() -> dict[str, Path]:
    """Every query file by name (its file name without ``.rq``); two files of one name are an error."""
    out: dict[str, Path] = {}
    for role in ROLES:
        for path in queries_in(role):
            if path.stem in out:
                raise ValueError(f"two queries are called '{path.stem}': {out[path.stem]} and {path}")
            out[path.stem] = path
    return out


def query_path(name: str) -> Path:
    """The file of the query ``name`` (e.g. ``fetch-delegation`` or ``cq-burden``), wherever it is filed."""
    try:
        return query_paths()[name]
    except KeyError:
        raise FileNotFoundError(f"no query called '{name}' under kb/queries") from None


@cache
def query_text(name: str) -> str:
    """The text of the query ``name``, read once per process."""
    return QueryDoc.load(query_path(name)).text
