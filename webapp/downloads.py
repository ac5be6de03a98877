"""The dataset as a publication: its description (VoID and DCAT at /.well-known/void, in words at /dataset), its
dumps and checksums (/downloads/<file>), its JSON-LD context (/context.jsonld), its releases
(/releases/<version>/<file>) and the IRIs of the namespace that name no page of their own: the ontology's version
IRI (/ontology/<version>), the named graphs (/graph/<name>) and the SHACL shapes (/shapes).

Files come from the build the request is served from (webapp/kbase.py), so a download never mixes two builds. The
IRI namespace https://w3id.org/alignkb/ redirects here path for path (docs/iri-resolution.md, docs/w3id.htaccess).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, request, send_file
from werkzeug.wrappers import Response as BaseResponse

from kb.model.dataset import (
    ATTRIBUTION,
    CODE_LICENCE,
    CODE_LICENCE_NAME,
    CONTEXT_FILE,
    DATA_LICENCE,
    DATA_LICENCE_NAME,
    DESCRIPTION,
    DUMPS,
    SUMS_FILE,
    TITLE,
    VOID_FILE,
    jsonld_context,
    version_iri,
)
from kb.model.namespace import BASE, GRAPH
from kb.store import with_values
from kb.store.serialize import jsonld

from .kbase import Served, get_store, query_doc, select_each, served
from .negotiate import ENVIRON_KEY, SUFFIXES, page, requested_format

bp = Blueprint("downloads", __name__)

MEDIA = {dump.file: dump.media_type for dump in DUMPS} | {
    VOID_FILE: "text/turtle",
    SUMS_FILE: "text/plain",
    CONTEXT_FILE: "application/ld+json",
    "alignkb.nq": "application/n-quads",
    "alignkb.trig": "application/trig",
    "alignkb.ttl": "text/turtle",
    "alignkb.jsonld": "application/ld+json",
    "release.json": "application/json",
    "diff.md": "text/markdown",
    "LICENSE-DATA.md": "text/markdown",
}
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
RELEASE_FILE = re.compile(r"^(csv/)?[A-Za-z0-9][A-Za-z0-9._-]*$")
GRAPH_NAMES = ("ontology", "sources", "provenance", "inferred")
PUBLIC = "*"  # the data is open: any site may read it from a browser


def _open(response: BaseResponse) -> BaseResponse:
    response.headers["Access-Control-Allow-Origin"] = PUBLIC
    return response


def _folder() -> Path:
    """The folder of the build this request is served from (404 for a remote endpoint)."""
    folder = served().folder
    if folder is None:
        abort(404, "this server answers from a remote SPARQL endpoint and has no files of a build to offer")
    return folder


def _file(path: Path, name: str, etag: str | None) -> BaseResponse:
    if not path.is_file():
        abort(404, f"this build has no {name}")
    response = send_file(path, mimetype=MEDIA.get(Path(name).name, "application/octet-stream"), etag=etag or True)
    response.headers["Cache-Control"] = "public, no-cache"
    return _open(response.make_conditional(request))


def _as_asked(name: str) -> str:
    """The file name as requested: the suffix middleware (webapp/negotiate.py) took ``.ttl``, ``.jsonld``,
    ``.json`` or ``.csv`` off the path to choose a format; a file name keeps it."""
    fmt = request.environ.get(ENVIRON_KEY)
    suffix = next((s for s, f in SUFFIXES.items() if f == fmt), "") if fmt else ""
    return name + suffix


def _sums(folder: Path) -> dict[str, str]:
    try:
        lines = (folder / SUMS_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {name: sha for sha, _, name in (line.partition("  ") for line in lines) if name}


@bp.get("/downloads/<name>")
def download(name: str) -> BaseResponse:
    """A dump, the checksums, the VoID description or the JSON-LD context of the served build."""
    name = _as_asked(name)
    if name not in MEDIA or name.startswith("alignkb.") or name in ("release.json", "diff.md", "LICENSE-DATA.md"):
        abort(404, f"no download is called {name}: the dataset page lists them")
    folder = _folder()
    return _file(folder / name, name, _sums(folder).get(name))


@bp.get("/downloads")
def downloads() -> BaseResponse:
    return redirect("/dataset#downloads", code=303)


@bp.get("/.well-known/void")
def well_known_void() -> BaseResponse:
    """The VoID and DCAT description of the dataset (Turtle), where VoID says to look for it."""
    folder = _folder()
    return _file(folder / VOID_FILE, VOID_FILE, _sums(folder).get(VOID_FILE))


@bp.get("/context")
@bp.get("/context.jsonld")
def context() -> BaseResponse:
    """The JSON-LD context the dumps and the entity pages use (the project's prefixes)."""
    body = json.dumps(jsonld_context(), indent=2) + "\n"
    response = Response(body, mimetype="application/ld+json")
    return _open(response)


@bp.get("/dataset")
def dataset() -> BaseResponse:
    """The dataset's description in words (HTML), or as JSON, Turtle (the VoID file) or JSON-LD."""
    fmt = requested_format(("html", "json", "ttl", "jsonld"))
    build = served()
    void = build.folder / VOID_FILE if build.folder is not None else None
    if fmt in ("ttl", "jsonld"):
        if void is None or not void.is_file():
            abort(404, "this build has no dataset description")
        if fmt == "ttl":
            return _open(Response(void.read_bytes(), mimetype="text/turtle"))
        triples = sorted(ox.parse(void.read_bytes(), format=ox.RdfFormat.TURTLE), key=str)
        context_url = request.host_url.rstrip("/") + "/context.jsonld"
        return _open(Response(jsonld(triples, context_url), mimetype="application/ld+json"))
    response = page("dataset.html", describe(build))
    return _open(response)


def describe(build: Served) -> dict[str, Any]:
    """What the dataset page says: the licence and attribution, version, counts per class (by label), every
    dump with its size and checksum, and where the description, context, endpoint and an example are."""
    report = build.report
    version = report.get("version")
    facts = report.get("dataset") or {}
    folder = build.folder
    sums = _sums(folder) if folder is not None else {}
    dumps = []
    for dump in DUMPS:
        size = (report.get("dumps") or {}).get(dump.file, {}).get("bytes")
        available = folder is not None and (folder / dump.file).is_file()
        dumps.append(
            {
                "file": dump.file,
                "title": dump.title,
                "note": dump.note,
                "media_type": dump.media_type,
                "bytes": size,
                "size": _size(size),
                "sha256": sums.get(dump.file),
                "href": f"/downloads/{dump.file}" if available else None,
            }
        )
    example = facts.get("example")
    return {
        "title": "The dataset: licence, downloads and description",
        "name": TITLE,
        "description": DESCRIPTION,
        "version": version,
        "version_iri": version_iri(version) if version else None,
        "build": build.id,
        "built": report.get("built"),
        "licence": {"name": DATA_LICENCE_NAME, "url": DATA_LICENCE, "attribution": ATTRIBUTION},
        "code_licence": {"name": CODE_LICENCE_NAME, "url": CODE_LICENCE},
        "counts": {k: facts.get(k) for k in ("triples", "entities", "classes", "properties")},
        "classes": _classes(folder),
        "dumps": dumps,
        "links": {
            "description": "/.well-known/void" if sums.get(VOID_FILE) else None,
            "checksums": f"/downloads/{SUMS_FILE}" if sums else None,
            "context": "/context.jsonld",
            "sparql": "/sparql",
            "example": "/id/" + example.removeprefix(BASE + "id/") if isinstance(example, str) else None,
        },
        "iri": BASE + "dataset",
    }


def _size(size: object) -> str | None:
    if not isinstance(size, int):
        return None
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def _classes(folder: Path | None) -> list[dict[str, Any]]:
    """The entities per class the description counts, by the class's label, largest first."""
    if folder is None or not (folder / VOID_FILE).is_file():
        return []
    found: dict[str, dict[str, Any]] = {}
    void = "http://rdfs.org/ns/void#"
    triples = list(ox.parse((folder / VOID_FILE).read_bytes(), format=ox.RdfFormat.TURTLE))
    for t in triples:
        if t.predicate.value == void + "class":
            found.setdefault(str(t.subject), {})["class"] = t.object.value
        elif t.predicate.value == void + "entities" and isinstance(t.subject, ox.BlankNode):
            found.setdefault(str(t.subject), {})["entities"] = int(t.object.value)
    labels = _labels([row["class"] for row in found.values() if "class" in row])
    rows = [
        {"label": labels.get(row["class"], row["class"].rsplit("#", 1)[-1]), "entities": row.get("entities", 0)}
        for row in found.values()
        if "class" in row
    ]
    return sorted(rows, key=lambda r: (-r["entities"], r["label"].lower()))


def _labels(classes: list[str]) -> dict[str, str]:
    table = select_each("class-labels", "class", [ox.NamedNode(c) for c in classes])
    return {r["class"] or "": r["label"] or "" for r in table.records()}


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> BaseResponse:
    """The ontology's version IRI (https://w3id.org/alignkb/ontology/<version>): the ontology as served, when it
    is that version; that release's dumps when it is an earlier one."""
    if version == served().report.get("version"):
        return redirect(_as_asked("/ontology"), code=303)
    if VERSION.match(version) and (_releases() / version / "release.json").is_file():
        return redirect(f"/releases/{version}/release.json", code=303)
    abort(404, f"no version {version} of the ontology is served here")


def _releases() -> Path:
    return Path(current_app.extensions["alignkb_home"].root) / "releases"


@bp.get("/releases/<version>/<name>")
@bp.get("/releases/<version>/csv/<table>")
def release_file(version: str, name: str = "", table: str = "") -> BaseResponse:
    """A file of a release (releases/<version>/ in the home, its tables in csv/), never edited once written."""
    name = _as_asked(f"csv/{table}" if table else name)
    if not VERSION.match(version) or not RELEASE_FILE.match(name):
        abort(404, "no such release file")
    folder = _releases() / version
    sums = _sums(folder)
    if name not in sums and name != SUMS_FILE:
        abort(404, f"release {version} has no {name}")
    return _file(folder / name, name, sums.get(name))


@bp.get("/graph/<name>")
def graph(name: str) -> BaseResponse:
    """A named graph that is not an evidence passage (ontology, sources, provenance, implied types): the ontology
    page for the ontology's graph; otherwise its statements as Turtle or JSON-LD, or, for a browser, the dataset
    page, which says what each graph holds."""
    if name not in GRAPH_NAMES:
        abort(404, f"no graph is called {name}")
    if name == "ontology":
        return redirect(_as_asked("/ontology"), code=303)
    fmt = requested_format(("html", "ttl", "jsonld"))
    if fmt == "html":
        return redirect("/dataset#graphs", code=303)
    query = with_values(query_doc("named-graph").text, {"graph": ox.NamedNode(str(GRAPH[name]))})
    body, media = get_store().raw(query, "turtle" if fmt == "ttl" else "jsonld")
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    return _open(response)


@bp.get("/shapes")
def shapes() -> BaseResponse:
    """The SHACL shapes (https://w3id.org/alignkb/shapes#…) the build checks the data with, as Turtle."""
    path = Path(current_app.extensions["alignkb_home"].shapes)
    if not path.is_file():
        abort(404, "this home has no shapes")
    return _open(Response(path.read_bytes(), mimetype="text/turtle"))
