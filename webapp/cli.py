"""The web app's commands, attached to ``alignkb`` through the ``alignkb.commands`` entry point group:
``serve`` (the browser) and ``docs`` (the ontology's documentation as static pages)."""

from __future__ import annotations

import errno
import shutil
import socket
import sys

import click

from kb.build import build as run_build
from kb.cli import LOG, BadInput, Context, Failure, pass_ctx, progress
from kb.model.problems import BuildFailed
from webapp import create_app


@click.command()
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@pass_ctx
def serve(obj: Context, port: int, host: str) -> None:
    """Serve the browser on the built-in knowledge base (builds it first when there is no build yet).

    Exits 1 with one line saying what to do when the port is in use or may not be opened."""
    from waitress.server import create_server

    if not obj.endpoint and not (obj.home.dist / "kb.nq").is_file():
        home = obj.writable_home("be built into", dist_only=True)
        if shutil.which("java") is None:
            raise Failure(
                "no build yet, and the build's HermiT check needs Java: install a Java runtime (Debian: sudo apt-get "
                "install default-jre-headless), or build without the check first: alignkb build --no-reason"
            )
        LOG.info("no build yet: building the knowledge base of %s first …", home.describe())
        try:
            run_build(home, progress=progress())
        except BuildFailed as failed:
            click.echo(str(failed), err=True)
            sys.exit(1)
    home = obj.home
    config = {"ALIGNKB_HOME": str(home.root), "ALIGNKB_DIST": str(home.dist), "ALIGNKB_ENDPOINT": obj.endpoint}
    app = create_app(config)
    try:
        probe(host, port)  # before waitress, which leaves its socket open when it cannot bind
        server = create_server(app, host=host, port=port, threads=8)
    except OSError as err:
        raise listen_failure(err, host, port) from err
    LOG.info("%s", obj.used_text().replace("\n", "; "))
    click.echo(f"serving alignkb on http://{host}:{port}/ (stop with Ctrl-C)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.close()


def probe(host: str, port: int) -> None:
    """Bind (and let go of) the address the server will listen on: an OSError says why it cannot."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        sock.bind(address)


def listen_failure(err: OSError, host: str, port: int) -> Failure:
    """The one line for a server that cannot listen: a port in use, a port that needs root, a host not here."""
    if err.errno == errno.EADDRINUSE:
        return Failure(f"port {port} is in use on {host}: stop what is using it, or choose another with --port N")
    if err.errno == errno.EACCES:
        return Failure(
            f"permission denied to listen on port {port}: ports below 1024 need root; use --port N above 1023"
        )
    if isinstance(err, socket.gaierror) or err.errno == errno.EADDRNOTAVAIL:
        return BadInput(
            f"cannot listen on host {host!r} ({err.strerror or err}): give an address of this machine with --host"
        )
    return Failure(f"cannot listen on {host}:{port} ({err.strerror or err}): choose another --host or --port")


@click.command("docs")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default HOME/site).")
@click.pass_context
def docs_command(ctx: click.Context, out: str | None) -> None:
    """Write the ontology's documentation as static HTML, with the core-class diagram, JSON and Turtle."""
    from pathlib import Path

    obj: Context = ctx.find_root().obj
    home = obj.require_build()
    if not out and home.read_only:
        raise BadInput("the knowledge base built into the package is read-only: give --out DIR for the documentation")
    target = Path(out) if out else home.root / "site"
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
