"""alignkb: the engine that builds, validates and queries the knowledge base."""

from __future__ import annotations


def _version() -> str:
    """The one version of the package, the ontology and releases: ``version`` in pyproject.toml, read from it in
    a checkout (an edit needs no reinstall), else from the installed package's metadata (which a wheel got from
    it)."""
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        except (OSError, ValueError):
            project = {}
        if project.get("name") == "alignkb" and isinstance(project.get("version"), str):
            return str(project["version"])
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alignkb")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
