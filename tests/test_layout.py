"""The layout keeps its promise: dependencies inside ``kb`` run one way, and ``kb`` imports neither the web app nor
the benchmarks (docs/decisions/20261202-one-way-layout.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"

# model ← store ← {inputs, checks, analyses, stats} ← {build, release, diagram} ← cli. A part may import the parts
# of lower rank, and itself; among equals only checks may read inputs (it validates what inputs read).
RANK = {
    "memory": 0,
    "model": 0,
    "store": 1,
    "inputs": 2,
    "checks": 2,
    "analyses": 2,
    "build": 3,
    "release": 3,
    "stats": 2,
    "diagram": 3,
    "law": 3,
    "cli": 4,
}
ALLOWED_SIDEWAYS = {("checks", "inputs")}


def part_of(path: Path) -> str:
    rel = path.relative_to(KB)
    return rel.parts[0].removesuffix(".py")


def imported(path: Path) -> list[tuple[int, str]]:
    """Every module named by an import statement in the file, at any depth (function-local imports too)."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; write kb.… in full")
            out.append((node.lineno, node.module))
    return out


def kb_files() -> list[Path]:
    return sorted(p for p in KB.rglob("*.py") if p.name != "__init__.py" or p.parent != KB)


def violations(files: list[tuple[Path, str]]) -> list[str]:
    """Imports that break the layout, for (file, the part of kb it belongs to) pairs."""
    found = []
    for path, here in files:
        for line, module in imported(path):
            top = module.split(".")[0]
            where = f"{path.name}:{line}"
            if top in ("webapp", "bench"):
                found.append(f"{where}: kb imports {top}")
                continue
            if top != "kb" or module == "kb":
                continue
            there = module.split(".")[1]
            if there == here or there not in RANK:
                continue
            if RANK[there] > RANK[here] or (RANK[there] == RANK[here] and (here, there) not in ALLOWED_SIDEWAYS):
                found.append(f"{where}: {here} imports {there}")
    return found


def test_every_part_of_kb_has_a_rank() -> None:
    parts = {part_of(p) for p in kb_files()}
    assert parts <= set(RANK), f"give these a place in RANK and the decision record: {sorted(parts - set(RANK))}"


def test_dependencies_run_one_way() -> None:
    assert violations([(p, part_of(p)) for p in kb_files()]) == []


@pytest.mark.parametrize(
    ("part", "line", "expected"),
    [
        ("store", "from kb.analyses import run", "store imports analyses"),
        ("model", "import webapp", "kb imports webapp"),
        ("analyses", "from kb.checks.shacl import run_shacl", "analyses imports checks"),
        ("cli", "from bench.run import bench", "kb imports bench"),
    ],
)
def test_a_backward_import_is_caught(tmp_path: Path, part: str, line: str, expected: str) -> None:
    """The checker itself fails on what it must catch (so the test above can fail)."""
    probe = tmp_path / "probe.py"
    probe.write_text(line + "\n", encoding="utf-8")
    assert any(expected in v for v in violations([(probe, part)]))
