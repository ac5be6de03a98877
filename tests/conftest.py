"""Shared fixtures: the real knowledge base built once per session, and small homes made from fixtures."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
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


GOLDEN = DATA / "queries"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="(re)write the expected files of the golden tests (tests/data/queries/*/expected.json); "
        "the tests that wrote one are reported as skipped. Also: ALIGNKB_UPDATE_GOLDEN=1.",
    )


@pytest.fixture(scope="module", autouse=True)
def _stop_query_workers() -> Iterator[None]:
    """The SPARQL worker processes a test module started (webapp/sandbox.py) stop with it."""
    yield
    from webapp import sandbox

    sandbox.close_all()


@pytest.fixture(scope="session")
def update_golden(pytestconfig: pytest.Config) -> bool:
    """Whether golden files are to be written on purpose (``--update-golden`` or ``ALIGNKB_UPDATE_GOLDEN=1``)."""
    return bool(pytestconfig.getoption("--update-golden")) or os.environ.get("ALIGNKB_UPDATE_GOLDEN") == "1"


def golden_names() -> list[str]:
    """The analyses with a golden folder (``tests/data/queries/<name>/data.trig``)."""
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "data.trig").is_file())


def golden_case(name: str) -> tuple[dict[str, str], date | None]:
    """The parameters and date of a golden folder's ``case.json``."""
    case = json.loads((GOLDEN / name / "case.json").read_text())
    as_at = date.fromisoformat(case["as_at"]) if case.get("as_at") else None
    return case.get("params", {}), as_at


GoldenHome = Callable[[str], Home]
_GOLDEN_BUILT: dict[str, Home] = {}


@pytest.fixture(scope="session")
def golden_home(repo_home: Home, tmp_path_factory: pytest.TempPathFactory) -> GoldenHome:
    """Build (once per distinct data.trig) a home holding one golden folder's assertions as its one source."""

    def _home(name: str) -> Home:
        text = (GOLDEN / name / "data.trig").read_text()
        key = hashlib.sha256(text.encode()).hexdigest()
        if key not in _GOLDEN_BUILT:
            root = tmp_path_factory.mktemp("golden")
            shutil.copytree(repo_home.ontology, root / "ontology")
            folder = root / "sources" / "fixture"
            folder.mkdir(parents=True)
            (folder / "source.ttl").write_text(SOURCE_TTL.format(name="fixture"))
            (folder / "data.trig").write_text(text)
            home = Home(root)
            build(home, reason=False)
            _GOLDEN_BUILT[key] = home
        return _GOLDEN_BUILT[key]

    return _home


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
