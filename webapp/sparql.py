"""SPARQL blueprint: a read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` and the YASGUI query page.

GET ``?query=``, POST form-encoded ``query=`` and POST ``application/sparql-query`` are accepted. SELECT and
ASK results are JSON, XML, CSV or TSV and CONSTRUCT/DESCRIBE results Turtle, N-Triples or JSON-LD, chosen by
the Accept header (or ``?format=``). Updates are refused (403). Each query runs in a worker thread with a
deadline (``SPARQL_TIMEOUT`` seconds, 503 when exceeded) and results are cut at ``SPARQL_ROW_CAP`` rows, which
is said in an ``X-Alignkb-Truncated: true`` header and, in JSON, a top-level ``"truncated"`` key.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from kb.model.namespace import PREFIXES
from kb.store import RESULT_MEDIA_TYPES, QueryError, Store
from kb.store.querydoc import QueryDoc
from kb.store.serialize import jsonld

from .kbase import get_store
from .negotiate import json_response

bp = Blueprint("sparql", __name__)
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sparql")

RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/html": "html",
}
GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "text/html": "html",
}
OUT_MEDIA = RESULT_MEDIA_TYPES
FORMAT_ALIASES = {"ttl": "turtle", "json-ld": "jsonld", "nt": "ntriples", "srj": "json", "srx": "xml"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_COMMENT = re.compile(r"#[^\n]*")
_IRI = re.compile(r"<[^>\s]*>")
_STRING = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.S)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<>|BASE\s+<>)\s*)*", re.I)


def query_form(text: str) -> str:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) or, for updates, their first keyword."""
    stripped = _STRING.sub('""', text)
    stripped = _IRI.sub("<>", stripped)
    stripped = _COMMENT.sub(" ", stripped)
    stripped = _PROLOGUE.sub("", stripped)
    match = re.match(r"\s*([A-Za-z]+)", stripped)
    return match.group(1).upper() if match else ""


def _is_update(form: str, text: str) -> bool:
    if form in UPDATE_WORDS:
        return True
    cleaned = _COMMENT.sub(" ", _STRING.sub('""', text))
    return bool(re.search(r"\b(INSERT|DELETE)\s+(DATA|WHERE)?\s*\{", cleaned, re.I)) or bool(
        re.search(r"\b(LOAD|CLEAR|DROP)\s+(SILENT\s+)?(GRAPH|DEFAULT|NAMED|ALL|<)", cleaned, re.I)
    )


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _incoming_query() -> tuple[str | None, Response | None]:
    """The query text from GET or POST, or an error response (403 for updates)."""
    if "update" in request.values:
        return None, _error(403, "This endpoint is read-only: SPARQL updates are not accepted.")
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-update":
            return None, _error(403, "This endpoint is read-only: SPARQL updates are not accepted.")
        if ctype == "application/sparql-query":
            return request.get_data(as_text=True), None
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return request.form.get("query"), None
        return None, _error(415, f"Unsupported content type {ctype!r}: send application/sparql-query or a form.")
    return request.args.get("query"), None


def _choose(media: dict[str, str], default: str) -> str:
    fmt = request.args.get("format", "").strip().lower()
    fmt = FORMAT_ALIASES.get(fmt, fmt)
    if fmt in set(media.values()):
        return fmt
    offered = list(media)
    if not request.accept_mimetypes or request.accept_mimetypes.best in (None, "*/*"):
        return default
    best = request.accept_mimetypes.best_match(offered)
    return media[best] if best else default


def _run(store: Store, query: str, fmt: str, cap: int) -> tuple[bytes, str, bool]:
    """Run ``query`` and serialise it as ``fmt``, cutting at ``cap`` rows or triples."""
    graph = fmt in ("turtle", "jsonld", "ntriples")
    if graph:
        body, _ = store.raw(query, "ntriples")
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        truncated = len(triples) > cap
        triples = triples[:cap]
        if fmt == "jsonld":
            return jsonld(triples), OUT_MEDIA[fmt], truncated
        out = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        body = ox.serialize(triples, format=out, prefixes=PREFIXES if fmt == "turtle" else None) or b""
        return body, OUT_MEDIA[fmt], truncated
    body, _ = store.raw(query, "json")
    data = json.loads(body)
    truncated = False
    if "results" in data and len(data["results"]["bindings"]) > cap:
        data["results"]["bindings"] = data["results"]["bindings"][:cap]
        truncated = True
    if fmt == "json":
        if truncated:
            data["truncated"] = True
        return json.dumps(data, ensure_ascii=False).encode(), OUT_MEDIA[fmt], truncated
    results = ox.parse_query_results(json.dumps(data).encode(), format=ox.QueryResultsFormat.JSON)
    target = {"xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[fmt]
    return results.serialize(format=target) or b"", OUT_MEDIA[fmt], truncated


def execute(query: str, fmt: str) -> tuple[bytes, str, bool] | Response:
    """Run the query on a worker thread with a deadline; a Response on error."""
    store = get_store()
    cap = int(current_app.config.get("SPARQL_ROW_CAP", 10_000))
    timeout = float(current_app.config.get("SPARQL_TIMEOUT", 10.0))
    future = _POOL.submit(_run, store, query, fmt, cap)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        return _error(503, f"Query timed out: it ran longer than {timeout:g} seconds. Narrow it or add a LIMIT.")
    except QueryError as err:
        return _error(400, f"Malformed query: {err}")
    except (SyntaxError, ValueError) as err:
        return _error(400, f"Malformed query: {err}")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    query, problem = _incoming_query()
    if problem is not None:
        return problem
    if not query:
        if request.method == "GET" and _choose(RESULT_MEDIA, "html") == "html":
            return query_page()
        if request.method == "GET" and request.args.get("format") == "json":
            return json_response(
                {"title": "SPARQL query", "endpoint": "/sparql", "prefixes": PREFIXES, "examples": examples()}
            )
        return _error(400, "Missing 'query' parameter (SPARQL 1.1 Protocol).")
    form = query_form(query)
    if _is_update(form, query):
        return _error(403, "This endpoint is read-only: SPARQL updates are not accepted.")
    graph = form in ("CONSTRUCT", "DESCRIBE")
    fmt = _choose(GRAPH_MEDIA if graph else RESULT_MEDIA, "turtle" if graph else "json")
    html = fmt == "html"
    outcome = execute(query, ("turtle" if graph else "json") if html else fmt)
    if isinstance(outcome, Response):
        if html:
            return query_page(query=query, error=outcome.get_data(as_text=True), status=outcome.status_code)
        return outcome
    body, media, truncated = outcome
    if html:
        return query_page(query=query, body=body, graph=graph, truncated=truncated)
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    if truncated:
        response.headers["X-Alignkb-Truncated"] = "true"
    return response


def examples() -> list[dict[str, Any]]:
    folder = resources.files("kb") / "queries" / "examples"
    docs = [QueryDoc.load(Path(str(p))) for p in folder.iterdir() if p.name.endswith(".rq")] if folder.is_dir() else []
    return [
        {"name": d.name, "title": d.meta.get("title", d.name), "question": d.question, "text": d.text}
        for d in sorted(docs, key=lambda d: d.name)
    ]


def query_page(
    query: str | None = None,
    body: bytes | None = None,
    graph: bool = False,
    truncated: bool = False,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The query page: YASGUI when JavaScript runs, a plain form and an HTML results table when it does not."""
    table = None
    if body is not None and not graph:
        data = json.loads(body)
        if "boolean" in data:
            table = {"boolean": data["boolean"]}
        else:
            columns = data["head"]["vars"]
            table = {
                "columns": columns,
                "rows": [[b.get(c, {}).get("value", "") for c in columns] for b in data["results"]["bindings"]],
            }
    prefixes = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    sample = examples()
    context = {
        "title": "SPARQL query",
        "query": query or (sample[0]["text"] if sample else prefixes + "SELECT * WHERE { ?s ?p ?o } LIMIT 10"),
        "prefixes": PREFIXES,
        "examples": sample,
        "table": table,
        "graph_text": body.decode() if body is not None and graph else None,
        "truncated": truncated,
        "error": error,
    }
    return Response(render_template("sparql.html", **context), status=status, mimetype="text/html")
