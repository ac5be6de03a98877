"""Errors, not tracebacks (issue 18 §3–4): a failure the user can act on is one line, ``error: …``, saying what to
do, with the exit code ``alignkb --help`` and the README document — 0 success, 1 a failed check or run, 2 bad input
or usage — the same for every command; every command takes --verbose and --quiet; tables fit the terminal; the
home in use is the one asked for, or the one the current folder is in, and is named."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from kb.cli import main
from kb.model.paths import Home, find_home
from tests.processes import free_port

from .conftest import DATA, ROOT, MakeHome

GOOD = (DATA / "shapes" / "valid-complete.trig").read_text()
OBLIGATIONS = ["query", "obligations", "--area", "Inverclyde", "--service", "health visiting"]


def args(home: Home, *rest: str) -> list[str]:
    return ["--home", str(home.root), "--dist", str(home.dist), *rest]


def one_error(result: Result) -> str:
    """The one ``error:`` line of a failure (with at most a hint after it), and no traceback."""
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.fixture
def built(runner: CliRunner, make_home: MakeHome) -> Home:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    assert runner.invoke(main, args(home, "build", "-q", "--no-reason")).exit_code == 0
    return home


@pytest.fixture
def no_java(monkeypatch: pytest.MonkeyPatch) -> None:
    real = __import__("shutil").which
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None if name == "java" else real(name, *a, **k))


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


# -- documented exit codes, --verbose and --quiet everywhere -------------------------------------------------------


def test_the_exit_codes_are_documented_in_help_and_readme(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(main, ["--help"]).output.split())
    assert "Exit codes" in text and "0 success" in text and "1 a check failed" in text and "2 bad input" in text
    readme = (ROOT / "README.md").read_text()
    assert "| 1 | a check failed, or the run could not be done" in readme and "| 2 | bad input or usage" in readme


def _every_command() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(group: click.Group, prefix: list[str]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            paths.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(main, [])
    return paths


def test_every_command_takes_verbose_and_quiet(runner: CliRunner) -> None:
    commands = _every_command()
    assert ["build"] in commands and ["serve"] in commands and ["query", "obligations"] in commands
    for path in commands:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and "--verbose" in result.output and "--quiet" in result.output, path


def test_quiet_hides_progress_and_verbose_shows_the_details_of_an_error(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    talkative = runner.invoke(main, args(home, "build", "--no-reason"))
    assert talkative.exit_code == 0 and "· reading ontology and sources" in talkative.stderr
    quiet = runner.invoke(main, args(home, "build", "--no-reason", "--quiet"))
    assert quiet.exit_code == 0 and "·" not in quiet.stderr and "built" in quiet.stdout
    assert "·" not in runner.invoke(main, ["-q", *args(home, "build", "--no-reason")]).stderr
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    verbose = runner.invoke(main, ["--endpoint", endpoint, "stats", "--verbose"])
    assert verbose.exit_code == 1 and "the failure in full" in verbose.stderr


# -- each failure: one line, what to do, its exit code -------------------------------------------------------------


def test_no_java_says_how_to_install_it_or_to_skip_the_check(
    runner: CliRunner, make_home: MakeHome, no_java: None
) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    for command in (["build"], ["validate"]):
        result = runner.invoke(main, args(home, *command))
        assert result.exit_code == 1
        line = one_error(result)
        assert "Java" in line and "default-jre-headless" in line and "--no-reason" in line
    assert runner.invoke(main, args(home, "build", "--no-reason")).exit_code == 0


def test_java_vanishing_under_the_reasoner_is_the_same_message(
    runner: CliRunner, make_home: MakeHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_java(*_a: object, **_k: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", "java")

    monkeypatch.setattr("kb.build.check_consistency", no_java)
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    result = runner.invoke(main, args(home, "build"))
    assert result.exit_code == 1 and "--no-reason" in one_error(result)


@pytest.mark.parametrize(
    "command",
    [OBLIGATIONS, ["stats"], ["sparql", "ASK { ?s ?p ?o }"], ["law"], ["docs", "--out", "docs-out"]],
    ids=["query", "stats", "sparql", "law", "docs"],
)
def test_no_build_yet_says_to_run_build(
    runner: CliRunner, make_home: MakeHome, tmp_path: Path, command: list[str]
) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    result = runner.invoke(main, ["--home", str(home.root), "--dist", str(tmp_path / "none"), *command])
    assert result.exit_code == 1
    line = one_error(result)
    assert line.startswith("error: no build yet") and "run alignkb build" in line


@pytest.mark.parametrize("command", [["stats"], OBLIGATIONS, ["sparql", "ASK { ?s ?p ?o }"]])
def test_an_unreachable_endpoint_names_it_and_the_option(runner: CliRunner, command: list[str]) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    result = runner.invoke(main, ["--endpoint", endpoint, *command])
    assert result.exit_code == 1
    line = one_error(result)
    assert f"cannot reach the SPARQL endpoint {endpoint}" in line and "--endpoint URL" in line


def test_a_port_in_use_says_to_choose_another(runner: CliRunner, built: Home, busy_port: int) -> None:
    result = runner.invoke(main, args(built, "serve", "--port", str(busy_port)))
    assert result.exit_code == 1
    line = one_error(result)
    assert f"port {busy_port} is in use" in line and "--port N" in line


def test_a_port_out_of_range_is_bad_usage(runner: CliRunner, built: Home) -> None:
    assert runner.invoke(main, args(built, "serve", "--port", "70000")).exit_code == 2


def test_a_folder_that_cannot_be_written_says_so(
    runner: CliRunner, make_home: MakeHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})

    def refused(*_a: object, dir: str | None = None, **_k: object) -> str:
        raise PermissionError(13, "Permission denied", dir)

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    result = runner.invoke(main, args(home, "build", "--no-reason"))
    assert result.exit_code == 1
    line = one_error(result)
    assert "permission denied" in line and str(home.dist.parent) in line and "--dist DIR" in line


def test_a_bad_date_is_bad_input(runner: CliRunner, built_home: Home) -> None:
    result = runner.invoke(main, args(built_home, *OBLIGATIONS, "--as-at", "2024-02-30"))
    assert result.exit_code == 2
    assert "'2024-02-30' is not a date" in one_error(result)


def test_unknown_commands_and_options_are_bad_usage(runner: CliRunner, built: Home) -> None:
    assert runner.invoke(main, args(built, "serv")).exit_code == 2
    assert runner.invoke(main, args(built, "stats", "--bogus")).exit_code == 2
    assert runner.invoke(main, args(built, "query", "obligation")).exit_code == 2


# -- which home ----------------------------------------------------------------------------------------------------


def test_a_given_home_that_is_not_one_names_what_is_missing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(main, ["--home", str(tmp_path / "nowhere"), "stats"])
    assert result.exit_code == 2 and "does not exist" in one_error(result)
    (tmp_path / "half" / "sources").mkdir(parents=True)
    result = runner.invoke(main, ["--home", str(tmp_path / "half"), "stats"])
    line = one_error(result)
    assert result.exit_code == 2 and "ontology/alignkb.ttl" in line and "no sources/" not in line
    monkeypatch.setenv("ALIGNKB_HOME", str(tmp_path / "half"))
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 2 and f"ALIGNKB_HOME {tmp_path / 'half'} is not an alignkb home" in one_error(result)


def test_the_current_folder_or_its_nearest_home_parent_is_used_and_named(
    runner: CliRunner, built: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALIGNKB_HOME", raising=False)
    monkeypatch.delenv("ALIGNKB_DIST", raising=False)
    monkeypatch.chdir(built.root / "sources" / "valid-complete")
    assert find_home().root == built.root.resolve()
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    assert f"home: {built.root.resolve()} (the nearest parent of the current folder" in result.stdout
    assert f"build: {built.root.resolve() / 'dist' / 'kb.nq'}, built 20" in result.stdout
    monkeypatch.chdir(built.root)
    assert "(the current folder)" in runner.invoke(main, ["stats"]).stdout


def test_a_home_missing_its_ontology_file_is_named_even_when_found_by_walking_up(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALIGNKB_HOME", raising=False)
    (tmp_path / "ontology").mkdir()
    (tmp_path / "sources").mkdir()
    monkeypatch.chdir(tmp_path / "sources")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 2 and "ontology/alignkb.ttl" in one_error(result)


def test_the_packaged_home_is_read_only(
    runner: CliRunner, built: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = Home(built.root, found_by="the knowledge base built into the package, read-only", read_only=True)
    monkeypatch.setattr("kb.cli.find_home", lambda *_a, **_k: packaged)
    result = runner.invoke(main, ["build", "--no-reason"])
    assert result.exit_code == 2
    line = one_error(result)
    assert "read-only" in line and "--home DIR" in line and "alignkb new-home DIR" in line
    assert "built into the package, read-only" in runner.invoke(main, ["stats"]).stdout
    scaffold = runner.invoke(main, ["new-source", "x", "--title", "X", "--publisher", "Y"])
    assert scaffold.exit_code == 2 and "read-only" in one_error(scaffold)
    assert not (built.root / "sources" / "x").exists()
    started = runner.invoke(main, ["new-home", str(tmp_path / "mine")])
    assert started.exit_code == 0 and (tmp_path / "mine" / "sources" / "valid-complete" / "data.trig").is_file()
    again = runner.invoke(main, ["new-home", str(tmp_path / "mine")])
    assert again.exit_code == 2 and "is not empty" in one_error(again)


def test_build_names_the_home_and_the_build_it_wrote(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    result = runner.invoke(main, args(home, "build", "-q", "--no-reason"))
    assert f"home: {home.root.resolve()} (--home)" in result.stdout
    assert f"build: {home.dist / 'kb.nq'}, built 20" in result.stdout


# -- tables fit the terminal ---------------------------------------------------------------------------------------


def test_tables_fit_the_terminal(runner: CliRunner, built_home: Home) -> None:
    for width in (60, 100):
        result = runner.invoke(main, args(built_home, *OBLIGATIONS), env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0].startswith("req") and "…" in result.stdout
        assert max(map(len, lines)) <= width
    query = "SELECT ?s ?label WHERE { ?s a ak:Source ; rdfs:label ?label } LIMIT 5"
    table = runner.invoke(main, args(built_home, "sparql", query), env={"COLUMNS": "50"}).stdout
    assert max(map(len, table.splitlines())) <= 50 and "(5 rows)" in table
    wide = runner.invoke(main, args(built_home, *OBLIGATIONS)).stdout  # no terminal: cells cut at 60 only
    assert max(map(len, wide.splitlines())) > 200
