"""The ``alignkb`` command: build, validate, query, sparql, serve, stats, bench."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .build import build as run_build
from .build import check
from .paths import Home, find_home
from .problems import BuildFailed
from .results import render_table
from .store import OxigraphStore, QueryError, Store, open_store


class Context:
    def __init__(self, home: str | None, dist: str | None, endpoint: str | None) -> None:
        self._home_arg = home
        self._dist_arg = dist
        self.endpoint = endpoint

    @property
    def home(self) -> Home:
        try:
            return find_home(self._home_arg, self._dist_arg)
        except FileNotFoundError as err:
            raise click.ClickException(str(err)) from err

    def store(self) -> Store:
        try:
            return open_store(self.home.dist, self.endpoint)
        except FileNotFoundError as err:
            raise click.ClickException(str(err)) from err


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    envvar="ALIGNKB_HOME",
    type=click.Path(file_okay=False),
    help="Folder holding ontology/ and sources/.",
)
@click.option(
    "--dist",
    envvar="ALIGNKB_DIST",
    type=click.Path(file_okay=False),
    help="Build output folder (default HOME/dist).",
)
@click.option(
    "--endpoint", envvar="ALIGNKB_ENDPOINT", help="Query a remote SPARQL 1.1 endpoint instead of dist/."
)
@click.version_option(package_name="alignkb")
@click.pass_context
def main(ctx: click.Context, home: str | None, dist: str | None, endpoint: str | None) -> None:
    """alignkb: how Scotland's children's and health & social care policy fits together."""
    ctx.obj = Context(home, dist, endpoint)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    if quiet:
        return lambda _m: None
    return lambda m: click.echo(f"· {m}", err=True)


@main.command()
@click.option("--no-reason", is_flag=True, help="Skip the HermiT consistency check.")
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (violation queries still run).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the result.")
@pass_ctx
def build(obj: Context, no_reason: bool, no_shacl: bool, quiet: bool) -> None:
    """Assemble ontology/ and sources/ into dist/ (kb.nq, report.json) after all checks pass.

    On any problem nothing in dist/ changes and the command exits 1, naming file, line and rule."""
    home = obj.home
    try:
        report = run_build(home, shacl=not no_shacl, reason=not no_reason, progress=_progress(quiet))
    except BuildFailed as failed:
        click.echo(str(failed), err=True)
        click.echo("dist/ left unchanged.", err=True)
        sys.exit(1)
    click.echo(
        f"built {report['quads']:,} quads: {report['assertions']:,} assertions from "
        f"{report['source_folders']} sources ({report['unconfirmed_assertions']} unconfirmed) in "
        f"{report['timings_seconds']['total']:.1f}s"  # type: ignore[index]
    )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--no-reason", is_flag=True, help="Skip the HermiT consistency check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def validate(obj: Context, paths: tuple[str, ...], no_reason: bool, fmt: str) -> None:
    """Run every check without writing. With PATHS, report only problems in those files or folders."""
    home = obj.home
    checked = check(home, reason=not no_reason)
    problems = checked.problems
    if paths:
        wanted = [
            str(Path(p).resolve().relative_to(home.root))
            if Path(p).resolve().is_relative_to(home.root)
            else Path(p).name
            for p in paths
        ]
        problems = [p for p in problems if p.file and any(p.file.startswith(w) for w in wanted)]
    if fmt == "json":
        click.echo(json.dumps({"ok": not problems, "problems": [p.to_dict() for p in problems]}, indent=2))
    elif problems:
        click.echo(f"{len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo("valid: no problems found")
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "tsv", "xml", "table", "turtle", "jsonld"]),
    default="table",
    show_default=True,
)
@pass_ctx
def sparql(obj: Context, query: str, fmt: str) -> None:
    """Run any SPARQL query (text, or @file.rq) on the built knowledge base.

    SELECT/ASK print SPARQL 1.1 results (json, csv, tsv, xml) or a table; CONSTRUCT/DESCRIBE print Turtle
    or JSON-LD. A malformed query exits with code 2 and the parser's message."""
    if query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")
    store = obj.store()
    try:
        if fmt == "table":
            click.echo(render_table(store, query))
        else:
            body, _media = store.raw(query, fmt)
            click.echo(body.decode())
    except QueryError as err:
        click.echo(f"error: malformed or failed query: {err}", err=True)
        sys.exit(2)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def stats(obj: Context, fmt: str) -> None:
    """Counts per class and per source, share of assertions with a locator, and the unconfirmed facts."""
    from .stats import compute

    result = compute(obj.store())
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{result.triples:,} asserted triples in {result.assertions:,} assertion graphs")
    click.echo(f"assertions with a locator: {result.with_locator:,} ({result.locator_share:.1%})")
    click.echo(
        f"secondary-source assertions: {result.secondary_assertions:,}; "
        f"unconfirmed: {result.unconfirmed_assertions:,}"
    )
    click.echo("\nentities per class:")
    for row in result.classes:
        click.echo(f"  {row['count']:>6}  {row['label'] or row['class']}")
    click.echo("\nper source (assertions / triples / unconfirmed):")
    for row in result.sources:
        click.echo(
            f"  {row['assertions']:>5} {row['triples']:>6} {row['unconfirmed']:>4}  {row['title'] or row['source']}"
        )
    if result.unconfirmed:
        click.echo("\nunconfirmed facts:")
        for fact in result.unconfirmed:
            click.echo(
                f"  {fact['subject']} {fact['predicate']} {fact['object']}  [{fact['source']}, {fact['locator']}]"
            )


@main.command()
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@pass_ctx
def serve(obj: Context, port: int, host: str) -> None:
    """Serve the browser on the built-in knowledge base (builds it first when dist/ is missing)."""
    from webapp import create_app

    home = obj.home
    if not (home.dist / "kb.nq").is_file() and not obj.endpoint:
        click.echo("· no build found: building the knowledge base first …", err=True)
        try:
            run_build(home, progress=_progress(False))
        except BuildFailed as failed:
            click.echo(str(failed), err=True)
            sys.exit(1)
    app = create_app(
        {"ALIGNKB_HOME": str(home.root), "ALIGNKB_DIST": str(home.dist), "ALIGNKB_ENDPOINT": obj.endpoint}
    )
    from waitress import serve as waitress_serve

    click.echo(f"serving alignkb on http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=8)


def _store_for(obj: Context) -> Store:
    return obj.store()


__all__ = ["OxigraphStore", "main"]


def _register_curation_commands() -> None:
    from .curation import new_source_command, release_command

    main.add_command(new_source_command)
    main.add_command(release_command)


_register_curation_commands()
