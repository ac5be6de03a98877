"""Curator commands: ``alignkb new-source`` and ``alignkb release``."""

from __future__ import annotations

import sys

import click

from .paths import find_home
from .release import ReleaseError, make_release
from .scaffold import NewSource, ScaffoldError, new_source
from .templates import TEMPLATES


def _home(ctx: click.Context):  # type: ignore[no-untyped-def]
    obj = ctx.find_object(object)
    home_arg = getattr(obj, "_home_arg", None)
    dist_arg = getattr(obj, "_dist_arg", None)
    try:
        return find_home(home_arg, dist_arg)
    except FileNotFoundError as err:
        raise click.ClickException(str(err)) from err


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
