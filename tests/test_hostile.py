"""Every route is total: no request gets a 500 or brings the server down. The hostile corpus (tests/data/hostile,
from the reliability audit) is replayed, each request with the status it must get; a property-based test
(Hypothesis) sends every route generated path parts, parameters, suffixes and Accept headers. Every answer carries
the security headers, and each request writes one access-log line."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from kb.analyses import analyses
from kb.model.paths import Home
from tests.webapp_support import make_app, web_home
from webapp import SECURITY_HEADERS

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
REPLAY = {"SPARQL_TIMEOUT": 2.0, "SPARQL_MEMORY_MB": 512}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return web_home(tmp_path_factory)


@pytest.fixture(scope="module")
def app(home: Home) -> Flask:
    return make_app(home, **REPLAY)


# --- the corpus ---------------------------------------------------------------------------------------------


def built(value: Any) -> Any:
    """A corpus value: a string, or ``{"build": [...]}`` (strings joined; ``[text, n]`` is ``text`` n times, with
    ``{i}`` numbered from 0)."""
    if not isinstance(value, dict):
        return value
    out = []
    for part in value["build"]:
        if isinstance(part, list):
            text, times = part
            out.append("".join(text.replace("{i}", str(i)) for i in range(times)) if "{i}" in text else text * times)
        else:
            out.append(part)
    return "".join(out)


def cases() -> Iterator[Any]:
    for file in sorted(HOSTILE.glob("*.json")):
        for case in json.loads(file.read_text(encoding="utf-8"))["cases"]:
            yield pytest.param(case, id=f"{file.stem}: {case['name'][:70]}")


def send(app: Flask, case: dict[str, Any]) -> TestResponse:
    client = app.test_client()
    path = case["path"]
    params = [(k, built(v)) for k, v in case.get("params", [])]
    if params:
        path += "?" + urlencode(params)
    kwargs: dict[str, Any] = {"method": case.get("method", "GET"), "headers": case.get("headers", [])}
    if "form" in case:
        kwargs["data"] = MultiDict([(k, built(v)) for k, v in case["form"]])
    elif "body" in case:
        kwargs["data"] = built(case["body"]).encode("utf-8", "surrogatepass")
        if "content_type" in case:
            kwargs["content_type"] = case["content_type"]
    response = client.open(path, **kwargs)
    response.close()
    return response


def assert_hardened(response: TestResponse, path: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        if name == "Content-Security-Policy" and path.split("?")[0] == "/sparql":  # YASGUI's page: inline styles
            value = value.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        assert response.headers.get(name) in (value, SECURITY_HEADERS[name]), (path, name)
    if path.split("?")[0] == "/sparql":
        assert response.headers.get("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("case", list(cases()))
def test_the_hostile_corpus_gets_its_expected_status(app: Flask, case: dict[str, Any]) -> None:
    response = send(app, case)
    expected = case["status"] if isinstance(case["status"], list) else [case["status"]]
    assert response.status_code in expected, (case["name"], response.status_code, response.data[:300])
    text = response.get_data(as_text=True)
    if "contains" in case:
        assert case["contains"] in text, (case["name"], text[:300])
    if "header" in case:
        name, value = case["header"]
        assert response.headers.get(name) == value, (case["name"], dict(response.headers))
    assert_hardened(response, case["path"])


def test_the_corpus_covers_what_the_audit_found() -> None:
    names = " ".join(str(p.values[0]["name"]) for p in cases())  # type: ignore[attr-defined]
    for shape in ("nested groups", "SERVICE in FILTER EXISTS", "closed port", "LIMIT 2,000,000", "cartesian COUNT",
                  "quadratic-regex", "two query parameters", "/id/a%20b", "/types/", "/source/", "/evidence/",
                  "/network", "path closure", "UNION chain", "disjoint triple patterns"):  # fmt: skip
        assert shape in names, shape


def test_the_server_is_well_after_the_corpus(app: Flask) -> None:
    """After crashes, kills and refusals, the endpoint answers an ordinary query at once."""
    client = app.test_client()
    start = time.perf_counter()
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200 and response.get_json()["boolean"] is True
    assert time.perf_counter() - start < 3


# --- security headers and the access log --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/about", "/id/inverclyde", "/id/inverclyde.ttl", "/sparql", "/health",
                                  "/static/alignkb.css", "/no-such-page", "/id/a%20b"])  # fmt: skip
def test_every_answer_carries_the_security_headers(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    response.close()
    assert_hardened(response, path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "unsafe-eval" not in csp


def test_each_request_writes_one_access_log_line(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="alignkb.access"):
        client.get("/about")
        client.get("/id/a%20b%0Aforged")
        client.post("/sparql", data={"query": "ASK {}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "alignkb.access"]
    assert len(lines) == 3
    assert re.fullmatch(r"GET /about 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /id/a%20b%0Aforged 404 \d+\.\dms", lines[1])  # one line, whatever the path holds
    assert re.fullmatch(r"POST /sparql 200 \d+\.\dms", lines[2])


# --- every route, generated ---------------------------------------------------------------------------------

ODD = [
    "", " ", "a b", "%", "%41", "a#b", "a?b", "<script>alert(1)</script>", "'", '"', "{{7*7}}", "\x00", "\ufffd",
    "..", "../../etc/passwd", "é", "🙂", "\\", "\r\n", "9999-99-99", "2024-02-30", "0000-01-01", "-1", "1e309",
    "NaN", "null", "[]", "{}", "a" * 300, "Inverclyde", "inverclyde", "health visiting", "cyp-act-2014", "Highland",
    "SHANARRI", "2025-06-01", "all", "json", "ttl", "csv",
]  # fmt: skip
VALUE = st.one_of(st.sampled_from(ODD), st.text(max_size=40))
TOKENS = [
    "SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", "?g", ".", ";", ",", "FILTER", "(", ")", "||", "&&", "!",
    "SERVICE", "<http://127.0.0.1:9/>", "OPTIONAL", "UNION", "MINUS", "'x'", '"""y"""', "1", "LIMIT", "OFFSET",
    "GRAPH", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT", "DATA", "BIND", "AS", "COUNT", "DISTINCT", "ORDER BY",
    "VALUES", "a", "ak:CouncilArea", "rdfs:label", "kb:inverclyde", "FROM", "NAMED", "EXISTS", "NOT", "REGEX",
    "/", "|", "^", "+", "<<", ">>", "[", "]", "#", "\n", "PREFIX", "x:", "<http://x/>",
]  # fmt: skip
QUERY = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.text(max_size=120),
    st.sampled_from(["SELECT * WHERE { ?s ?p ?o } LIMIT 3", "ASK { ?s ?p ?o }", "DESCRIBE kb:inverclyde"]),
)
SUFFIX = st.sampled_from(["", "", "", ".json", ".ttl", ".jsonld", ".csv", ".ics", ".svg"])
ACCEPTS = [
    "", "*/*", "text/html", "application/json", "text/turtle", "text/csv", "application/sparql-results+xml",
    "application/ld+json", "image/png", "text/*;q=0.1, */*;q=abc", "\x00",
]  # fmt: skip
ACCEPT = st.sampled_from(ACCEPTS)


def parameter_names() -> list[str]:
    names = {p.name for a in analyses().values() for p in a.params}
    names |= {"q", "type", "group", "area", "set", "show", "format", "as_at", "as-at", "query", "page", "body",
              "default-graph-uri", "named-graph-uri", "update", "from", "to"}  # fmt: skip
    return sorted(names)


def routes(app: Flask) -> list[tuple[str, str]]:
    """(rule, endpoint) of every route, the SPARQL endpoint twice as often (it takes the most input)."""
    found = [(r.rule, r.endpoint) for r in app.url_map.iter_rules()]
    return found + [(r, e) for r, e in found if e == "sparql.endpoint"]


@pytest.fixture(scope="module")
def route_list(app: Flask) -> list[tuple[str, str]]:
    return routes(app)


@settings(
    max_examples=int(os.environ.get("ALIGNKB_FUZZ_EXAMPLES", "200")),  # more for a deeper run
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_route_answers_500(app: Flask, route_list: list[tuple[str, str]], data: st.DataObject) -> None:
    rule, endpoint = data.draw(st.sampled_from(route_list), label="route")

    def part(match: re.Match[str]) -> str:
        value = data.draw(VALUE, label=match.group(2))
        return quote(value, safe="/" if match.group(1) == "path:" else "")

    path = re.sub(r"<([a-z]+:)?([a-z_]+)>", part, rule) + data.draw(SUFFIX, label="suffix")
    names = st.sampled_from(parameter_names())
    params = data.draw(st.lists(st.tuples(names, VALUE), max_size=4), label="params")
    method = "GET"
    kwargs: dict[str, Any] = {}
    if endpoint == "sparql.endpoint":
        params.append(("query", data.draw(QUERY, label="query")))
        method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
        if method == "POST":
            kwargs["data"] = MultiDict(params)
            params = []
    accept = data.draw(ACCEPT, label="accept")
    headers = [("Accept", accept)] if accept else []
    url = path + ("?" + urlencode(params) if params else "")
    response = app.test_client().open(url, method=method, headers=headers, **kwargs)
    response.close()
    allowed_5xx = {503} if endpoint == "sparql.endpoint" else set()
    assert response.status_code < 500 or response.status_code in allowed_5xx, (
        method,
        url[:300],
        response.status_code,
        response.data[:300],
    )
    assert_hardened(response, path)
