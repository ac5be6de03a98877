"""The analyses on Virtuoso from Debian (issue 19 item 6), a store whose default graph is not the knowledge base's
union: besides the build's graphs it holds Virtuoso's own system graphs. Loaded with `alignkb publish --merged`
through Virtuoso's Graph Store Protocol, every analysis answers exactly as the embedded store does; loaded without
the merged graph, the store is refused at connect time with what to do, instead of answering with extra rows.

Virtuoso is started by the tests on loopback ports, in a temporary folder, and stopped afterwards. It is installed
by `./setup.sh test` (Debian's virtuoso-opensource); where it is not installed the tests are skipped."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kb.analyses import analyses, run
from kb.model.paths import Home
from kb.store import OxigraphStore, QueryError, RemoteStore
from tests.processes import free_port, running

pytestmark = pytest.mark.slow

# The analyses' examples, and more places and dates a planner would ask about.
MORE = [
    ("obligations", {"area": "Highland", "service": "adult social care"}, date(2019, 6, 1)),
    ("obligations", {"area": "Stirling", "service": "children's social work"}, date(2016, 1, 1)),
    ("burden", {"area": "Shetland Islands"}, date(2015, 1, 1)),
    ("delegation", {"area": "Argyll and Bute"}, date(2024, 4, 1)),
    ("gaps", {}, date(2018, 4, 1)),
    ("landscape-at", {"date": "2010-01-01"}, date(2010, 1, 1)),
]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.skip(f"Virtuoso is not installed ({name}; Debian: apt-get install virtuoso-opensource)")
    return found


INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
"""


def _virtuoso(folder: Path, max_rows: int = 1_000_000) -> Iterator[str]:
    """Start Virtuoso in ``folder`` and yield its base URL; writes through the Graph Store Protocol are allowed for
    anonymous users, which is safe only because it listens on loopback and lives as long as the test."""
    server, isql = _tool("virtuoso-t"), _tool("isql-vt")
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(d=folder, sql=sql, http=http, max_rows=max_rows))
    base = f"http://127.0.0.1:{http}"
    with running([server, "+configfile", str(ini), "+foreground"], base + "/sparql?query=ASK%7B%7D",
                 timeout=60, log=folder / "virtuoso.log"):  # fmt: skip
        grants = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
        subprocess.run(
            [isql, f"127.0.0.1:{sql}", "dba", "dba", f"exec={grants}"], check=True, capture_output=True, timeout=60
        )
        yield base


def _publish(home: Home, base: str, *extra: str) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    args = ["--home", str(home.root), "--dist", str(home.dist), "publish", "--store", base + "/sparql-graph-crud"]
    out = CliRunner().invoke(main, [*args, *extra])
    assert out.exit_code == 0, out.output


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, built_home: Home) -> Iterator[str]:
    for base in _virtuoso(tmp_path_factory.mktemp("virtuoso")):
        _publish(built_home, base, "--merged")
        yield base


def test_virtuosos_default_graph_really_holds_more_than_the_knowledge_base(virtuoso: str) -> None:
    """The premise: without the merged graph, Virtuoso's default graph would add its own system graphs' triples."""
    remote = RemoteStore(virtuoso + "/sparql", check_union=False)
    query = 'ASK { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), "https://w3id.org/alignkb/")) }'
    assert remote.ask(query)


def test_every_analysis_answers_the_same_on_virtuoso(virtuoso: str, kb_store: OxigraphStore) -> None:
    remote = RemoteStore(virtuoso + "/sparql")
    cases = [
        (name, analysis.example, date(2026, 5, 1))
        for name, analysis in analyses().items()
        if analysis.example or all(p.optional for p in analysis.params)
    ]
    assert len(cases) >= 15
    for name, params, on in [*cases, *MORE]:
        here = run(kb_store, name, params, on).to_json()
        there = run(remote, name, params, on).to_json()
        assert there == here, (name, params, on)
    assert remote.default_graph == "https://w3id.org/alignkb/graph/all"
    assert len(remote) == len(kb_store)


def test_a_virtuoso_loaded_without_the_merged_graph_is_refused_with_what_to_do(
    tmp_path_factory: pytest.TempPathFactory, built_home: Home
) -> None:
    for base in _virtuoso(tmp_path_factory.mktemp("virtuoso-plain")):
        _publish(built_home, base)
        remote = RemoteStore(base + "/sparql")
        with pytest.raises(QueryError) as refused:
            run(remote, "delegation", {"area": "Inverclyde"}, date(2026, 5, 1))
        assert "alignkb publish --merged" in str(refused.value)


def test_an_answer_cut_by_the_servers_row_limit_is_an_error_not_a_short_answer(
    tmp_path_factory: pytest.TempPathFactory, built_home: Home
) -> None:
    for base in _virtuoso(tmp_path_factory.mktemp("virtuoso-capped"), max_rows=100):
        _publish(built_home, base, "--merged")
        remote = RemoteStore(base + "/sparql")
        with pytest.raises(QueryError) as cut:
            remote.select("SELECT ?s WHERE { ?s a ?type }")
        assert "cut an answer at 100 rows" in str(cut.value) and "ResultSetMaxRows" in str(cut.value)
