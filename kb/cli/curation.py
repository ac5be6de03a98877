"""Curator commands: ``alignkb new-source`` and ``alignkb release``."""

from __future__ import annotations

import sys

import click

from kb.inputs.scaffold import NewSource, ScaffoldError, new_source
from kb.inputs.templates import TEMPLATES
from kb.model.paths import Home
from kb.release import ReleaseError, make_release


def _home(ctx: click.Context) -> Home:
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
    home = _home(ctx)
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
    home = _home(ctx)
    try:
        target = make_release(home, version)
    except (ReleaseError, FileNotFoundError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"released {target.relative_to(home.root)}/ ({', '.join(sorted(p.name for p in target.iterdir()))})")


@click.command("docs")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default HOME/dist/docs).")
@click.pass_context
def docs_command(ctx: click.Context, out: str | None) -> None:
    """Write the ontology's documentation as static HTML, with the core-class diagram, JSON and Turtle."""
    from pathlib import Path

    from webapp import create_app

    home = _home(ctx)
    target = Path(out) if out else home.dist / "docs"
    if not (home.dist / "kb.nq").is_file():
        click.echo("error: no build found; run 'alignkb build' first", err=True)
        sys.exit(2)
    app = create_app({"ALIGNKB_HOME": str(home.root), "ALIGNKB_DIST": str(home.dist), "TESTING": True})
    client = app.test_client()
    pages = {
        "index.html": "/ontology",
        "ontology.json": "/ontology.json",
        "ontology.ttl": "/ontology.ttl",
        "ontology.jsonld": "/ontology.jsonld",
        "core-classes.svg": "/ontology/diagram.svg",
        "static/alignkb.css": "/static/alignkb.css",
        "vendor/sgds/css/design-system.min.css": "/vendor/sgds/css/design-system.min.css",
    }
    written = []
    for name, path in pages.items():
        response = client.get(path)
        body = response.get_data()
        response.close()
        if response.status_code != 200:
            if name.startswith("vendor/"):
                continue  # front-end packages not installed: the page still reads without the design system
            click.echo(f"error: {path} answered {response.status_code}", err=True)
            sys.exit(1)
        if name == "index.html":
            text = body.decode().replace('href="/vendor/', 'href="vendor/').replace('href="/static/', 'href="static/')
            text = text.replace('src="/ontology/diagram.svg"', 'src="core-classes.svg"')
            text = text.replace('href="/ontology.ttl"', 'href="ontology.ttl"').replace(
                'href="/ontology.jsonld"', 'href="ontology.jsonld"'
            )
            body = text.encode()
        file = target / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(body)
        written.append(name)
    click.echo(f"wrote {len(written)} files to {target}: " + ", ".join(written))
