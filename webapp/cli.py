"""The web app's commands, attached to ``alignkb`` through the ``alignkb.commands`` entry point group:
``serve`` (the browser) and ``docs`` (the ontology's documentation as static pages)."""

from __future__ import annotations

import sys

import click

from kb.build import build as run_build
from kb.cli import Context, pass_ctx, progress
from kb.cli.curation import home_of
from kb.model.problems import BuildFailed
from webapp import create_app


@click.command()
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@pass_ctx
def serve(obj: Context, port: int, host: str) -> None:
    """Serve the browser on the built-in knowledge base (builds it first when dist/ is missing)."""
    home = obj.home
    if not (home.dist / "kb.nq").is_file() and not obj.endpoint:
        click.echo("· no build found: building the knowledge base first …", err=True)
        try:
            run_build(home, progress=progress(False))
        except BuildFailed as failed:
            click.echo(str(failed), err=True)
            sys.exit(1)
    app = create_app({"ALIGNKB_HOME": str(home.root), "ALIGNKB_DIST": str(home.dist), "ALIGNKB_ENDPOINT": obj.endpoint})
    from waitress import serve as waitress_serve

    click.echo(f"serving alignkb on http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=8)


@click.command("docs")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default HOME/dist/docs).")
@click.pass_context
def docs_command(ctx: click.Context, out: str | None) -> None:
    """Write the ontology's documentation as static HTML, with the core-class diagram, JSON and Turtle."""
    from pathlib import Path

    home = home_of(ctx)
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
