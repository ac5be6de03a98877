"""The analyses on real SPARQL servers (issue 19 item 6): Oxigraph's server from PyPI, loaded with the build through
the Graph Store Protocol (`alignkb publish`), and the project's own /sparql endpoint answer every analysis exactly as
the embedded store does; a server without a union default graph is refused at connect time with what to do, and an
answer cut by a row cap is an error, not a short answer. Virtuoso: tests/test_virtuoso.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kb.analyses import analyses, run
from kb.model.paths import Home
from kb.store import OxigraphStore, QueryError, RemoteStore
from kb.store.remote import publish
from tests.processes import free_port, running

pytestmark = pytest.mark.slow
D = date(2026, 5, 1)


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(__import__("sys").executable).parent / "oxigraph")
    if not Path(found).is_file():
        pytest.skip("Oxigraph's server is not installed (pip install oxigraph; it is in the dev extras)")
    return found


def _serve(tmp: Path, union: bool) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [_oxigraph(), "serve", "--location", str(tmp), "--bind", f"127.0.0.1:{port}"]
    with running([*command, *(["--union-default-graph"] if union else [])], base + "/query"):
        yield base


@pytest.fixture(scope="module")
def union_server(tmp_path_factory: pytest.TempPathFactory, built_home: Home) -> Iterator[str]:
    for base in _serve(tmp_path_factory.mktemp("oxigraph-union"), union=True):
        publish(str(built_home.dist / "kb.nq"), base + "/store")
        yield base


def test_every_analysis_answers_the_same_on_oxigraphs_server(union_server: str, kb_store: OxigraphStore) -> None:
    remote = RemoteStore(union_server + "/query")
    for name, analysis in analyses().items():
        if not analysis.example and any(not p.optional for p in analysis.params):
            continue
        here = run(kb_store, name, analysis.example, D).to_json()
        there = run(remote, name, analysis.example, D).to_json()
        assert there == here, name


def test_every_analysis_answers_the_same_through_the_projects_own_endpoint(
    built_home: Home, kb_store: OxigraphStore
) -> None:
    """`alignkb --endpoint URL` pointed at another alignkb's /sparql (a web tier in front of a query tier)."""
    from tests.webapp_support import live_server, make_app

    with live_server(make_app(built_home)) as base:
        remote = RemoteStore(base + "/sparql")
        for name, analysis in analyses().items():
            if not analysis.example and any(not p.optional for p in analysis.params):
                continue
            here = run(kb_store, name, analysis.example, D).to_json()
            assert run(remote, name, analysis.example, D).to_json() == here, name
        assert remote.default_graph is None  # its default graph is the union: nothing to name


def test_an_answer_cut_by_the_projects_own_row_cap_is_an_error(built_home: Home) -> None:
    from tests.webapp_support import live_server, make_app

    with live_server(make_app(built_home, SPARQL_ROW_CAP=50)) as base:
        remote = RemoteStore(base + "/sparql")
        with pytest.raises(QueryError) as cut:
            remote.select("SELECT ?s WHERE { ?s a ?type }")
        assert "cut an answer at 50 rows" in str(cut.value)


def test_a_visitors_query_cut_by_the_store_behind_is_a_cut_answer_not_an_error(built_home: Home) -> None:
    """A web tier whose queries go to another alignkb (--endpoint): the analyses need whole answers, but a visitor's
    own query may be cut, as the local endpoint cuts them, so it is answered with the rows the store gave."""
    from tests.webapp_support import live_server, make_app

    with live_server(make_app(built_home, SPARQL_ROW_CAP=50)) as behind:
        front = make_app(built_home, ALIGNKB_ENDPOINT=behind + "/sparql").test_client()
        response = front.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s a ?type }"},
                             headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert len(response.get_json()["results"]["bindings"]) == 50


def test_a_server_whose_default_graph_is_not_the_union_is_refused_with_what_to_do(
    tmp_path_factory: pytest.TempPathFactory, built_home: Home
) -> None:
    for base in _serve(tmp_path_factory.mktemp("oxigraph-plain"), union=False):
        publish(str(built_home.dist / "kb.nq"), base + "/store")
        remote = RemoteStore(base + "/query")
        with pytest.raises(QueryError) as refused:
            run(remote, "delegation", {"area": "Inverclyde"}, D)
        assert "union-default-graph" in str(refused.value)


def test_publishing_to_nothing_says_it_cannot_reach_the_store(built_home: Home) -> None:
    with pytest.raises(QueryError) as failed:
        publish(str(built_home.dist / "kb.nq"), f"http://127.0.0.1:{free_port()}/store", timeout=2)
    assert "cannot reach the store" in str(failed.value)


def test_alignkb_publish_loads_the_build_and_says_how_many_graphs(
    tmp_path_factory: pytest.TempPathFactory, built_home: Home
) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    for base in _serve(tmp_path_factory.mktemp("oxigraph-cli"), union=True):
        home = ["--home", str(built_home.root), "--dist", str(built_home.dist)]
        out = CliRunner().invoke(main, [*home, "publish", "--store", base + "/store"])
        assert out.exit_code == 0, out.output
        assert out.output.startswith("published ") and " graphs to " in out.output
        remote = RemoteStore(base + "/query")
        assert run(remote, "delegation", {"area": "Inverclyde"}, D).rows
