"""Where the knowledge base's hand-edited inputs and built outputs live.

The inputs (``ontology/`` and ``sources/``) are found, in order, in the directory named by the
``ALIGNKB_HOME`` environment variable, in a ``_data`` folder shipped inside an installed wheel, or in
the source checkout the package was installed from (editable installs). See
docs/decisions/20261124-data-location.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Home:
    """A knowledge-base home: the folder holding ``ontology/``, ``sources/`` and (after a build) ``dist/``."""

    root: Path
    dist_override: Path | None = None

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

    def ontology_files(self) -> list[Path]:
        """Ontology modules in a stable order (the SHACL shapes are not part of the model)."""
        return sorted(p for p in self.ontology.glob("*.ttl") if p.name != "shapes.ttl")


def _looks_like_home(path: Path) -> bool:
    return (path / "ontology" / "alignkb.ttl").is_file() and (path / "sources").is_dir()


def find_home(explicit: str | os.PathLike[str] | None = None, dist: str | os.PathLike[str] | None = None) -> Home:
    """Locate the knowledge-base home; raise FileNotFoundError with the places tried."""
    dist_path = Path(dist) if dist else None
    tried: list[str] = []
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("ALIGNKB_HOME"):
        candidates.append(Path(os.environ["ALIGNKB_HOME"]))
    packaged = resources.files("kb") / "_data"
    if packaged.is_dir():
        candidates.append(Path(str(packaged)))
    package_dir = Path(str(resources.files("kb")))
    candidates.append(package_dir.parent)
    for candidate in candidates:
        tried.append(str(candidate))
        if _looks_like_home(candidate):
            return Home(candidate.resolve(), dist_path)
    raise FileNotFoundError("no alignkb home (ontology/alignkb.ttl and sources/) found in: " + ", ".join(tried))


def queries_dir() -> Path:
    """The packaged folder of SPARQL queries (``.rq`` files)."""
    return Path(str(resources.files("kb") / "queries"))
