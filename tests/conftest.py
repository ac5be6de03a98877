"""Shared fixtures: the real knowledge base built once per session, and small homes made from fixtures."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from kb.build import build
from kb.model.paths import Home, find_home
from kb.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

SOURCE_TTL = """@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix src: <https://w3id.org/alignkb/source/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
src:{name} a ak:Source ; rdfs:label "Fixture source {name}" ; dcterms:title "Fixture source {name}" ;
    ak:seedFile "{name}.txt" .
"""


@pytest.fixture(scope="session")
def repo_home() -> Home:
    return find_home(ROOT)


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, repo_home: Home) -> Home:
    """The real knowledge base, built once into a temporary dist/ (the checkout's dist/ is not touched)."""
    home = Home(repo_home.root, tmp_path_factory.mktemp("dist") / "dist")
    build(home)
    return home


@pytest.fixture(scope="session")
def kb_store(built_home: Home) -> OxigraphStore:
    return OxigraphStore.from_dist(built_home.dist)


MakeHome = Callable[..., Home]


@pytest.fixture
def make_home(tmp_path: Path, repo_home: Home) -> MakeHome:
    """A home with the real ontology and the given source folders ({name: {file: text}})."""

    def _make(sources: dict[str, dict[str, str]], with_record: bool = True) -> Home:
        root = tmp_path / "home"
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(repo_home.ontology, root / "ontology")
        (root / "sources").mkdir()
        for name, files in sources.items():
            folder = root / "sources" / name
            folder.mkdir()
            if with_record and "source.ttl" not in files:
                (folder / "source.ttl").write_text(SOURCE_TTL.format(name=name))
            for file, text in files.items():
                (folder / file).write_text(text)
        return Home(root)

    return _make


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The browser on the small web fixture knowledge base (tests/data/webapp), built once per session."""
    from tests.webapp_support import make_app, web_home

    return make_app(web_home(tmp_path_factory))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
