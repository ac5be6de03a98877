"""What pyproject.toml cannot say: the wheel carries the built-in knowledge base and the front-end packages.

Building a wheel (``make wheel``, or ``pip wheel --no-deps .``) copies, into the package:

* ``kb/_data/``: ``ontology/``, ``sources/`` and the build ``dist/kb.nq``, ``dist/report.json`` and the dataset
  description (``void.ttl``, ``context.jsonld``, ``SHA256SUMS``) (from
  ``ALIGNKB_DIST`` if set) — the home an installed ``alignkb`` uses when it is run outside any home, read-only;
* ``webapp/_vendor/<name>/``: the built folders of the npm packages named in ``webapp/assets.py`` (PACKAGES),
  from ``node_modules`` (``npm ci``), without source maps and type declarations, with their licences.

It stops, saying what to run, when the build is missing or older than the ontology and sources, or the npm
packages are not installed. An editable install (``pip install -e .``) copies nothing: it reads the checkout.
``ALIGNKB_BUILD_BASE`` moves setuptools' ``build/`` folder (the packaging test builds outside the checkout).
See docs/decisions/20261202-homes-and-packaging.md.
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build import build as _build
from setuptools.command.build_py import build_py as _build_py

ROOT = Path(__file__).resolve().parent
SKIP = shutil.ignore_patterns("*.map", "*.d.ts", "ts", "__pycache__", ".*")


def vendor_packages() -> dict[str, str]:
    """``PACKAGES`` of webapp/assets.py, read without importing the web app."""
    tree = ast.parse((ROOT / "webapp" / "assets.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PACKAGES" for t in node.targets):
            value: dict[str, str] = ast.literal_eval(node.value)
            return value
    raise SystemExit("webapp/assets.py has no PACKAGES mapping")


def newest(folder: Path) -> tuple[float, Path]:
    return max((p.stat().st_mtime, p) for p in folder.rglob("*") if p.is_file())


def collect_home(target: Path) -> None:
    """Copy the ontology, the sources and their build into ``target`` (kb/_data)."""
    dist = Path(os.environ.get("ALIGNKB_DIST") or ROOT / "dist")
    built = dist / "report.json"
    for needed in (ROOT / "ontology" / "alignkb.ttl", ROOT / "sources", dist / "kb.nq", built):
        if not needed.exists():
            raise SystemExit(f"cannot package the knowledge base: {needed} is missing (run alignkb build first)")
    stamp, changed = max(newest(ROOT / "ontology"), newest(ROOT / "sources"))
    if stamp > built.stat().st_mtime:
        raise SystemExit(f"cannot package the knowledge base: {changed} is newer than its build; run alignkb build")
    shutil.copytree(ROOT / "ontology", target / "ontology", ignore=SKIP)
    shutil.copytree(ROOT / "sources", target / "sources", ignore=SKIP)
    (target / "dist").mkdir(parents=True)
    for name in ("kb.nq", "report.json"):
        shutil.copy2(dist / name, target / "dist" / name)
    for name in ("void.ttl", "context.jsonld", "SHA256SUMS"):  # the dataset description (the dumps stay out)
        if (dist / name).is_file():
            shutil.copy2(dist / name, target / "dist" / name)
    if (ROOT / "checks-profile.tsv").is_file():
        shutil.copy2(ROOT / "checks-profile.tsv", target / "checks-profile.tsv")


def collect_vendor(target: Path) -> None:
    """Copy the built folders of the front-end packages into ``target`` (webapp/_vendor), with their licences."""
    node_modules = Path(os.environ.get("ALIGNKB_WEB_NODE_MODULES") or ROOT / "node_modules")
    for name, folder in vendor_packages().items():
        source = node_modules / folder
        if not source.is_dir():
            raise SystemExit(f"cannot package the front-end: {source} is missing (run npm ci, or make setup)")
        shutil.copytree(source, target / name, ignore=SKIP)
        parts = folder.split("/")
        package = node_modules.joinpath(*parts[: 2 if folder.startswith("@") else 1])
        (target / "LICENSES").mkdir(parents=True, exist_ok=True)
        for licence in sorted([*package.glob("LICEN[CS]E*"), package / "package.json"]):  # package.json: its licence
            shutil.copy2(licence, target / "LICENSES" / f"{name}-{licence.name}")


class build(_build):
    def initialize_options(self) -> None:
        super().initialize_options()
        self.build_base = os.environ.get("ALIGNKB_BUILD_BASE", "build")


class build_py(_build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        lib = Path(self.build_lib)
        for folder, collect in ((lib / "kb" / "_data", collect_home), (lib / "webapp" / "_vendor", collect_vendor)):
            shutil.rmtree(folder, ignore_errors=True)
            collect(folder)


setup(cmdclass={"build": build, "build_py": build_py})
