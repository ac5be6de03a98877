"""SPARQL blueprint: a read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` and the YASGUI query page.

GET ``?query=``, POST form-encoded ``query=`` and POST ``application/sparql-query`` are accepted, with the
Protocol's ``default-graph-uri`` and ``named-graph-uri`` (honoured: they replace the dataset; ``FROM`` and ``FROM
NAMED`` in the query are honoured too; without either, the default graph is the union of all graphs). SELECT and
ASK results are JSON, XML, CSV or TSV and CONSTRUCT/DESCRIBE results Turtle, N-Triples or JSON-LD, chosen by the
Accept header (or ``?format=``). Cross-origin requests are allowed (CORS, with preflight).

Nothing a visitor sends runs in the server process. Here the request is checked cheaply: its size (413 beyond
``SPARQL_MAX_QUERY_BYTES``), one ``query`` parameter, no update, and its shape — nesting no deeper than
``SPARQL_MAX_DEPTH`` and no more than ``SPARQL_MAX_OPERATORS`` operators, counted in one linear pass that skips
strings, IRIs and comments — so most hostile inputs never cost a worker. Then the query goes to a worker process
(:mod:`webapp.sandbox`), which refuses updates and ``SERVICE`` after parsing the query with rdflib, and which is
killed at ``SPARQL_TIMEOUT`` seconds or when it needs more than ``SPARQL_MEMORY_MB``. Results are cut at
``SPARQL_ROW_CAP`` rows while they are produced; the cut is said in an ``X-Alignkb-Truncated: true`` header, a
top-level ``"truncated"`` key in JSON (written first, so that strict streaming parsers accept it) and a sentence on
the page.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from kb.model.namespace import PREFIXES
from kb.store.querydoc import QueryDoc

from . import sandbox
from .kbase import served
from .negotiate import json_response

bp = Blueprint("sparql", __name__)

# Settings (Flask config, or ALIGNKB_WEB_<NAME> in the environment) and their defaults.
DEFAULTS: dict[str, Any] = {
    "SPARQL_TIMEOUT": 10.0,  # seconds a query may run before its worker is killed
    "SPARQL_ROW_CAP": 10_000,  # rows (or triples) returned at most
    "SPARQL_MAX_RESULT_BYTES": 64 << 20,  # bytes of result returned at most
    "SPARQL_MAX_QUERY_BYTES": 64 << 10,  # a longer query is refused with 413
    "SPARQL_MAX_DEPTH": 40,  # nesting of { ( [ << ; deeper is refused with 400
    "SPARQL_MAX_OPERATORS": 2_000,  # operators, separators and UNION/MINUS/OPTIONAL …; more is refused with 400
    "SPARQL_WORKERS": 2,  # worker processes per server process
    "SPARQL_MEMORY_MB": 1024,  # memory one query may use beyond the loaded knowledge base
    "SPARQL_QUEUE_WAIT": 5.0,  # seconds a request waits for a free worker before 503
    "SPARQL_SERVICE_ALLOWLIST": (),  # SERVICE IRIs a query may call (none: SERVICE is refused)
}

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
FORMAT_ALIASES = {"ttl": "turtle", "json-ld": "jsonld", "nt": "ntriples", "srj": "json", "srx": "xml"}
READ_ONLY = "This endpoint is read-only: SPARQL updates are not accepted."
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Alignkb-Truncated, X-Alignkb-Row-Cap, Retry-After",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}


def setting(name: str) -> Any:
    return current_app.config.get(name, DEFAULTS[name])


class Problem(Exception):
    """A request refused or a query not answered: an HTTP status and a sentence (and when to try again)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


# --- the shape check --------------------------------------------------------------------------------------------

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:?$")
_NAME = _NAME_START | frozenset("-.%")
_IRI_STOP = frozenset('<>"{}|^`\\')
_OPERATORS = frozenset("|/^&+-*!=<>.;,")
_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = frozenset("})]")
_KEYWORDS = frozenset({"UNION", "MINUS", "OPTIONAL", "FILTER", "EXISTS", "SERVICE", "GRAPH", "BIND", "SELECT"})


def measure(text: str) -> tuple[int, int]:
    """(deepest nesting of ``{ ( [ <<``, number of operators) in one left-to-right pass with no regular expression
    and no backtracking: strings, IRIs, names and comments are stepped over, so each character is looked at a
    bounded number of times."""
    n = len(text)
    i = 0
    stack: list[str] = []
    deepest = 0
    operators = 0
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c == '"' or c == "'":
            long = text.startswith(c * 3, i)
            i += 3 if long else 1
            while i < n:
                d = text[i]
                if d == "\\":
                    i += 2
                elif long and d == c and text.startswith(c * 3, i):
                    i += 3
                    break
                elif not long and (d == c or d == "\n"):
                    i += 1
                    break
                else:
                    i += 1
        elif c == "<" and text.startswith("<<", i):
            stack.append(">>")
            deepest = max(deepest, len(stack))
            i += 2
        elif c == "<":
            j = i + 1
            while j < n and text[j] not in _IRI_STOP and text[j] > " ":
                j += 1
            if j < n and text[j] == ">":
                i = j + 1
            else:
                operators += 1
                i += 1
        elif c == ">" and stack and stack[-1] == ">>" and text.startswith(">>", i):
            stack.pop()
            i += 2
        elif c in _OPEN:
            stack.append(_OPEN[c])
            deepest = max(deepest, len(stack))
            i += 1
        elif c in _CLOSE:
            if stack and stack[-1] == c:
                stack.pop()
            i += 1
        elif c in _NAME_START or c > "\x7f":
            j = i + 1
            while j < n and (text[j] in _NAME or text[j] > "\x7f" or text[j] == "\\"):
                j += 2 if text[j] == "\\" else 1
            if j - i <= 8 and text[i:j].upper() in _KEYWORDS:
                operators += 1
            i = j
        else:
            if c in _OPERATORS:
                operators += 1
            i += 1
    return deepest, operators


def check_shape(text: str) -> None:
    """Refuse (400) a query nested deeper or with more operators than the settings allow, before it costs a
    worker: such queries crash or stall query engines (Oxigraph overflows its stack at a few thousand levels)."""
    depth, operators = measure(text)
    if depth > int(setting("SPARQL_MAX_DEPTH")):
        raise Problem(
            400,
            f"The query is nested {depth:,} levels deep; this endpoint accepts at most "
            f"{int(setting('SPARQL_MAX_DEPTH'))} levels of {{ }}, ( ) and [ ]. Simplify it.",
        )
    if operators > int(setting("SPARQL_MAX_OPERATORS")):
        raise Problem(
            400,
            f"The query has {operators:,} operators and separators; this endpoint accepts at most "
            f"{int(setting('SPARQL_MAX_OPERATORS')):,}. Split it into smaller queries.",
        )


# --- the request ------------------------------------------------------------------------------------------------


def _error(status: int, message: str, retry_after: int | None = None) -> Response:
    response = Response(message + "\n", status=status, mimetype="text/plain")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _values(name: str) -> list[str]:
    """A parameter's values from the URL and, for a form POST, the body."""
    found = request.args.getlist(name)
    if request.method == "POST" and (request.mimetype or "") in _FORMS:
        found += request.form.getlist(name)
    return found


def incoming_query() -> str | None:
    """The query text of a GET or POST, per the SPARQL 1.1 Protocol; Problem when the request is not one."""
    limit = int(setting("SPARQL_MAX_QUERY_BYTES"))
    wire_limit = 3 * limit + 4096  # a form-encoded or URL-encoded query takes up to three bytes per byte
    request.max_content_length = wire_limit  # reading a longer body (also one sent in chunks) fails with 413
    if request.content_length is not None and request.content_length > wire_limit:
        raise Problem(413, _too_large(request.content_length, limit))
    if len(request.query_string) > wire_limit:
        raise Problem(413, _too_large(len(request.query_string), limit))
    ctype = (request.mimetype or "").lower()
    try:
        if request.method == "POST" and ctype == "application/sparql-update":
            raise Problem(400, READ_ONLY)
        if request.method == "POST" and ctype not in (*_FORMS, "application/sparql-query"):
            raise Problem(415, f"Unsupported content type {ctype!r}: send application/sparql-query or a form.")
        if _values("update") or _values("using-graph-uri") or _values("using-named-graph-uri"):
            raise Problem(400, READ_ONLY)
        queries = _values("query")
        if request.method == "POST" and ctype == "application/sparql-query":
            queries.append(request.get_data(as_text=True))
    except RequestEntityTooLarge:
        raise Problem(413, _too_large(None, limit)) from None
    if len(queries) > 1:
        raise Problem(400, "Several 'query' parameters: send exactly one query (SPARQL 1.1 Protocol).")
    if not queries:
        return None
    text = queries[0]
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise Problem(413, _too_large(len(text.encode("utf-8", "surrogatepass")), limit))
    return text


def _too_large(size: int | None, limit: int) -> str:
    said = f" ({size / 1024:,.0f} KB)" if size else ""
    return f"The request is too large{said}: this endpoint accepts queries of up to {limit // 1024:,} KB."


def dataset() -> tuple[list[str] | None, list[str] | None]:
    """The Protocol's ``default-graph-uri`` and ``named-graph-uri`` (None when neither is given); each must be an
    absolute IRI."""
    default, named = _values("default-graph-uri"), _values("named-graph-uri")
    for iri in (*default, *named):
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise Problem(400, f"Not an absolute IRI in default-graph-uri or named-graph-uri: {iri[:200]!r}") from None
        if ":" not in iri:
            raise Problem(400, f"Not an absolute IRI in default-graph-uri or named-graph-uri: {iri[:200]!r}")
    if not default and not named:
        return None, None
    return default, named


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


def pool() -> sandbox.Pool:
    endpoint = current_app.config.get("ALIGNKB_ENDPOINT")
    settings = sandbox.Settings(
        endpoint=endpoint or None,
        workers=max(1, int(setting("SPARQL_WORKERS"))),
        memory_mb=int(setting("SPARQL_MEMORY_MB")),
        allow_services=tuple(sorted(str(s) for s in setting("SPARQL_SERVICE_ALLOWLIST") or ())),
    )
    return sandbox.pool_for(settings)


def build_folder() -> str | None:
    """The build this request is served from (the workers load the same one); None for a remote endpoint."""
    if current_app.config.get("ALIGNKB_ENDPOINT"):
        return None
    folder = served().folder
    return str(folder if folder is not None else Path(current_app.extensions["alignkb_home"].dist))


def execute(query: str, results_format: str, graph_format: str) -> sandbox.Outcome:
    """Check the query's shape here, then run it in a worker. Raises Problem."""
    check_shape(query)
    default, named = dataset()
    job = sandbox.Job(
        query=query,
        results_format=results_format,
        graph_format=graph_format,
        row_cap=int(setting("SPARQL_ROW_CAP")),
        max_bytes=int(setting("SPARQL_MAX_RESULT_BYTES")),
        timeout=float(setting("SPARQL_TIMEOUT")),
        default_graphs=default,
        named_graphs=named,
    )
    try:
        return pool().run(job, build_folder(), wait=float(setting("SPARQL_QUEUE_WAIT")))
    except sandbox.Refused as refused:
        raise Problem(refused.status, refused.message, refused.retry_after) from None


@bp.after_app_request
def cors(response: Response) -> Response:
    """Any origin may query the endpoint (it is public and read-only, and sends no credentials); also on its
    errors, so that a script elsewhere can read why."""
    if request.path == "/sparql":
        response.headers.update(CORS_HEADERS)
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers.update(PREFLIGHT_HEADERS)
        response.headers["Allow"] = "GET, POST, OPTIONS"
        return response
    html = _choose(RESULT_MEDIA, "json") == "html"
    try:
        query = incoming_query()
        if not query:
            return _without_query(html)
        results_format = "json" if html else _choose(RESULT_MEDIA, "json")
        graph_format = "turtle" if html else _choose(GRAPH_MEDIA, "turtle")
        outcome = execute(query, results_format, graph_format)
    except Problem as problem:
        if html:
            return query_page(query=_shown_query(), error=problem.message, status=problem.status)
        return _error(problem.status, problem.message, problem.retry_after)
    cap = int(setting("SPARQL_ROW_CAP"))
    if html:
        response = query_page(query=query, outcome=outcome, cap=cap)
    else:
        response = Response(outcome.body, mimetype=outcome.media)
        response.headers["Vary"] = "Accept"
    if outcome.truncated:
        response.headers["X-Alignkb-Truncated"] = "true"
        response.headers["X-Alignkb-Row-Cap"] = str(cap)
    return response


def _shown_query() -> str:
    """The query as sent, for the page that says why it did not run (cut short when very long)."""
    try:
        text = request.values.get("query") or ""
        if not text and request.mimetype == "application/sparql-query":
            text = request.get_data(as_text=True)
    except RequestEntityTooLarge:
        return ""
    limit = int(setting("SPARQL_MAX_QUERY_BYTES"))
    return text if len(text) <= limit else text[:limit]


def _without_query(html: bool) -> Response:
    if request.method == "GET" and html:
        return query_page()
    if request.method == "GET" and request.args.get("format") == "json":
        return json_response(
            {"title": "SPARQL query", "endpoint": "/sparql", "prefixes": PREFIXES, "examples": examples()}
        )
    if request.method == "GET" and not request.args and _browser_default():
        return query_page()
    if request.method == "GET" and "query" not in request.args:
        return service_description()
    return _error(400, "Missing 'query' parameter (SPARQL 1.1 Protocol).")


SD_MEDIA = {"text/turtle": "turtle", "application/ld+json": "jsonld", "application/n-triples": "ntriples"}


def service_description() -> Response:
    """The SPARQL 1.1 Service Description of this endpoint (GET /sparql without a query): what it speaks, what it
    answers in, and that its default graph is the union of the named graphs (one per evidence passage)."""
    endpoint = request.url_root.rstrip("/") + "/sparql"
    dataset = request.url_root.rstrip("/") + "/dataset"
    turtle = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML> , <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV> , <http://www.w3.org/ns/formats/Turtle> ,
        <http://www.w3.org/ns/formats/N-Triples> , <http://www.w3.org/ns/formats/JSON-LD> ;
    rdfs:comment '''Read-only. The default graph is the union of the named graphs, one per evidence passage.
SERVICE is refused: this endpoint never makes outbound requests (no federated query).
Queries run with a time limit and a row cap; a cut result says so.''' ;
    sd:defaultDataset [
        a sd:Dataset ;
        dcterms:description "The alignkb knowledge base; its VoID/DCAT description is linked." ;
        void:inDataset <{dataset}> ;
        sd:defaultGraph [ a sd:Graph ; rdfs:comment "The union of all named graphs." ]
    ] .
"""
    wanted = request.accept_mimetypes.best_match(list(SD_MEDIA), default="text/turtle") or "text/turtle"
    if SD_MEDIA.get(wanted, "turtle") == "turtle":
        return Response(turtle, mimetype="text/turtle")
    import pyoxigraph as ox

    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    fmt = ox.RdfFormat.JSON_LD if SD_MEDIA[wanted] == "jsonld" else ox.RdfFormat.N_TRIPLES
    return Response(ox.serialize(store, format=fmt), mimetype=wanted)


def _browser_default() -> bool:
    """A GET that states no preference (no Accept, or ``*/*``) is shown the page."""
    return not request.accept_mimetypes or request.accept_mimetypes.best in (None, "*/*")


def examples() -> list[dict[str, Any]]:
    folder = resources.files("kb") / "queries" / "examples"
    docs = [QueryDoc.load(Path(str(p))) for p in folder.iterdir() if p.name.endswith(".rq")] if folder.is_dir() else []
    return [
        {"name": d.name, "title": d.meta.get("title", d.name), "question": d.question, "text": d.text}
        for d in sorted(docs, key=lambda d: d.name)
    ]


def query_page(
    query: str | None = None,
    outcome: sandbox.Outcome | None = None,
    cap: int = 0,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The query page: YASGUI when JavaScript runs, a plain form and an HTML results table when it does not."""
    table = None
    graph_text = None
    if outcome is not None and outcome.form in ("SELECT", "ASK"):
        data = json.loads(outcome.body)
        if "boolean" in data:
            table = {"boolean": data["boolean"]}
        else:
            columns = data["head"]["vars"]
            table = {
                "columns": columns,
                "rows": [[b.get(c, {}).get("value", "") for c in columns] for b in data["results"]["bindings"]],
            }
    elif outcome is not None:
        graph_text = outcome.body.decode("utf-8", "replace")
    prefixes = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    sample = examples()
    context = {
        "title": "SPARQL query",
        "query": query or (sample[0]["text"] if sample else prefixes + "SELECT * WHERE { ?s ?p ?o } LIMIT 10"),
        "prefixes": PREFIXES,
        "examples": sample,
        "table": table,
        "graph_text": graph_text,
        "truncated": bool(outcome and outcome.truncated),
        "cut": outcome.cut if outcome else None,
        "cap": cap,
        "shown": outcome.rows if outcome else 0,
        "timeout": float(setting("SPARQL_TIMEOUT")),
        "cap_setting": int(setting("SPARQL_ROW_CAP")),
        "error": error,
    }
    response = Response(render_template("sparql.html", **context), status=status, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    from webapp import SECURITY_HEADERS  # the app's policy, with YASGUI's own <style> elements allowed

    policy = SECURITY_HEADERS["Content-Security-Policy"]
    response.headers["Content-Security-Policy"] = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return response
