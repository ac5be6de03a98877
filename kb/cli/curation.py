"""Curator commands: ``alignkb new-source``, ``alignkb release`` and ``alignkb publish``."""

from __future__ import annotations

import sys

import click

from kb.inputs.scaffold import NewSource, ScaffoldError, new_source
from kb.inputs.templates import TEMPLATES
from kb.model.paths import Home
from kb.release import ReleaseError, make_release


def home_of(ctx: click.Context) -> Home:
    """The home chosen by the group's --home/--dist options (kb.cli.Context resolves and reports it)."""
    home: Home = ctx.find_root().obj.home
    return home


@click.command("new-source")
@click.argument("source_id")
@click.option("--title", required=True, help="The source's title.")
@click.option("--publisher", required=True, help="Who published it.")
@click.option("--url", help="Public address (for web sources and legislation).")
@click.option("--issued", help="Publication date: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--seed-file", help="File name in shared/seeds (for seed documents).")
@click.option("--note", help="How it was read (editorial note).")
@click.option(
    "--template",
    "templates",
    multiple=True,
    type=click.Choice(sorted(TEMPLATES)),
    help="Also write a blank CSV template of this kind (repeatable).",
)
@click.pass_context
def new_source_command(
    ctx: click.Context,
    source_id: str,
    title: str,
    publisher: str,
    url: str | None,
    issued: str | None,
    seed_file: str | None,
    note: str | None,
    templates: tuple[str, ...],
) -> None:
    """Create sources/SOURCE_ID with its citation record filled in, an example assertions file and templates."""
    home: Home = ctx.find_root().obj.writable_home("take new sources")
    try:
        folder = new_source(home, NewSource(source_id, title, publisher, url, issued, seed_file, note), templates)
    except ScaffoldError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"created {folder.relative_to(home.root)}/ with " + ", ".join(sorted(p.name for p in folder.iterdir())))


@click.command("release")
@click.argument("version")
@click.pass_context
def release_command(ctx: click.Context, version: str) -> None:
    """Write releases/VERSION from the current build (never overwritten), with a diff against the last release."""
    home: Home = ctx.find_root().obj.writable_home("hold releases")
    ctx.find_root().obj.require_build()
    try:
        target = make_release(home, version)
    except (ReleaseError, FileNotFoundError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"released {target.relative_to(home.root)}/ ({', '.join(sorted(p.name for p in target.iterdir()))})")


@click.command("publish")
@click.option(
    "--store",
    "store_url",
    required=True,
    help="The remote store's Graph Store Protocol address, e.g. http://host:7878/store for Oxigraph's server or "
    "http://host:8890/sparql-graph-crud for Virtuoso's.",
)
@click.option(
    "--merged",
    is_flag=True,
    help="Also store the whole knowledge base as one graph, which --endpoint then reads: for stores whose default "
    "graph is not the union of the knowledge base's graphs (Virtuoso, or a store shared with other data).",
)
@click.pass_context
def publish_command(ctx: click.Context, store_url: str, merged: bool) -> None:
    """Load the current build into a remote SPARQL store, one named graph at a time (Graph Store Protocol), so that
    the analyses can run on it with --endpoint. The store's default graph must be the union of the knowledge base's
    graphs, or publish with --merged."""
    from kb.store import QueryError
    from kb.store.remote import publish

    home = home_of(ctx)
    dataset = home.dist / "kb.nq"
    if not dataset.is_file():
        click.echo(f"error: no build at {home.dist}: run alignkb build first", err=True)
        sys.exit(1)
    try:
        graphs = publish(str(dataset), store_url, merged=merged)
    except QueryError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    click.echo(f"published {graphs:,} graphs to {store_url}")
