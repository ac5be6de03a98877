"""Where the knowledge base's hand-edited inputs and built outputs live: the *home*.

A home is a folder holding ``ontology/`` (with ``alignkb.ttl``) and ``sources/``; its build goes to ``dist/``. The
home in use is, in order (docs/decisions/20261202-homes-and-packaging.md):

1. the folder given with ``--home`` (an error naming what is missing if it is not a home);
2. else the folder in ``ALIGNKB_HOME`` (the same);
3. else the current folder or the nearest parent holding ``ontology/`` and ``sources/``, as git finds its
   repository;
4. else the knowledge base built into the installed package (``kb/_data``, read-only), or, for a checkout
   installed in editable mode, that checkout.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGED = "_data"  # the home inside an installed wheel: kb/_data/{ontology,sources,dist}
PROFILE_FILE = "checks-profile.tsv"  # a home's own severities (kb/checks/catalogue.py), copied with a home


@dataclass(frozen=True)
class Home:
    """A knowledge-base home: the folder holding ``ontology/``, ``sources/`` and (after a build) ``dist/``.

    ``found_by`` says, in words, how it was chosen (for ``alignkb stats`` and ``build``); a ``read_only`` home is the
    one inside an installed package, which is never written to."""

    root: Path
    dist_override: Path | None = None
    found_by: str = "given"
    read_only: bool = False

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def dist(self) -> Path:
        if self.dist_override is not None:
            return self.dist_override
        env = os.environ.get("ALIGNKB_DIST")
        return Path(env) if env else self.root / "dist"

    @property
    def shapes(self) -> Path:
        return self.ontology / "shapes.ttl"

    @property
    def writes_into_itself(self) -> bool:
        """Whether its build folder lies inside it (what a read-only home cannot allow)."""
        return self.dist.resolve().is_relative_to(self.root.resolve())

    def ontology_files(self) -> list[Path]:
        """Ontology modules in a stable order (the SHACL shapes are not part of the model)."""
        return sorted(p for p in self.ontology.glob("*.ttl") if p.name != "shapes.ttl")

    def describe(self) -> str:
        return f"{self.root} ({self.found_by})"


class HomeError(FileNotFoundError):
    """A folder given as a home that is not one, or no home anywhere. ``missing`` names what the folder lacks;
    ``empty`` says the folder does not exist or holds nothing (a new home can be started there)."""

    def __init__(self, message: str, path: Path | None = None, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.missing = missing or []

    @property
    def empty(self) -> bool:
        return self.path is not None and (
            not self.path.exists() or (self.path.is_dir() and not any(self.path.iterdir()))
        )


def missing_parts(path: Path) -> list[str]:
    """What ``path`` lacks to be a home (empty: it is one)."""
    if not path.is_dir():
        return ["the folder itself"]
    missing = []
    if not (path / "ontology" / "alignkb.ttl").is_file():
        missing.append("ontology/alignkb.ttl")
    if not (path / "sources").is_dir():
        missing.append("sources/")
    return missing


def looks_like_home(path: Path) -> bool:
    return not missing_parts(path)


def _given(path: Path, how: str, dist: Path | None) -> Home:
    missing = missing_parts(path)
    if missing:
        if not path.exists():
            what = "does not exist"
        elif not path.is_dir():
            what = "is a file, not a folder"
        else:
            what = f"is not an alignkb home: it has no {' and no '.join(missing)}"
        raise HomeError(
            f"{how} {path} {what} (a home is a folder holding ontology/alignkb.ttl and sources/; "
            "'alignkb new-home DIR' starts one)",
            path,
            missing,
        )
    return Home(path.resolve(), dist, found_by=how)


def _enclosing(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding both ``ontology/`` and ``sources/``."""
    for folder in (start, *start.parents):
        if (folder / "ontology").is_dir() and (folder / "sources").is_dir():
            return folder
    return None


def packaged_root() -> Path | None:
    """The home shipped inside the installed package (a wheel), if there is one."""
    packaged = Path(str(resources.files("kb"))) / PACKAGED
    return packaged if looks_like_home(packaged) else None


def checkout_root() -> Path | None:
    """The source checkout the package runs from (an editable install), if it is a home."""
    checkout = Path(str(resources.files("kb"))).parent
    return checkout if looks_like_home(checkout) else None


def find_home(
    explicit: str | os.PathLike[str] | None = None,
    dist: str | os.PathLike[str] | None = None,
    *,
    cwd: Path | None = None,
) -> Home:
    """The home in use (see the module's docstring); raise :class:`HomeError` naming what is missing when a given
    folder is not a home, or when there is none anywhere."""
    dist_path = Path(dist) if dist else None
    if explicit:
        return _given(Path(explicit), "--home", dist_path)
    env = os.environ.get("ALIGNKB_HOME")
    if env:
        return _given(Path(env), "ALIGNKB_HOME", dist_path)
    here = (cwd or Path.cwd()).resolve()
    enclosing = _enclosing(here)
    if enclosing is not None:
        how = "the current folder" if enclosing == here else "the nearest parent of the current folder with a home"
        return _given(enclosing, how, dist_path)
    packaged = packaged_root()
    if packaged is not None:
        return Home(
            packaged.resolve(),
            dist_path,
            found_by="the knowledge base built into the package, read-only",
            read_only=True,
        )
    checkout = checkout_root()
    if checkout is not None:
        return Home(checkout.resolve(), dist_path, found_by="the checkout alignkb is installed from")
    raise HomeError(
        f"no alignkb home in {here} or above it, and none in the installed package: give --home DIR (a folder "
        "holding ontology/alignkb.ttl and sources/), set ALIGNKB_HOME, or run from inside a home"
    )


def start_home(target: Path, template: Home) -> Home:
    """Start a new home in ``target`` (missing or empty) as a copy of ``template``'s ontology and sources (and its
    checks profile): a researcher's own copy, to edit and build."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise HomeError(f"{target} is not empty: give a new or empty folder for the new home", target)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template.ontology, target / "ontology")
    shutil.copytree(
        template.sources, target / "sources", ignore=shutil.ignore_patterns("__pycache__", ".*"), dirs_exist_ok=False
    )
    if (template.root / PROFILE_FILE).is_file():
        shutil.copy2(template.root / PROFILE_FILE, target / PROFILE_FILE)
    return Home(target.resolve(), found_by="a new home")


def queries_dir() -> Path:
    """The packaged folder of SPARQL queries (``.rq`` files)."""
    return Path(str(resources.files("kb") / "queries"))
