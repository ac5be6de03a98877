"""Fast because nothing changes between builds (issue 19, item 5): ETags from the build and the request, 304s,
pages kept per build (the heatmap computed once), gzip, and a smoke run of the load benchmark."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.build import build
from kb.model.paths import Home
from tests.webapp_support import make_app, web_home

from .conftest import DATA, MakeHome


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return web_home(tmp_path_factory)


@pytest.fixture
def cached(home: Home) -> Flask:
    """The app with its page cache on (tests run with it off by default: they change code between requests)."""
    return make_app(home, PAGE_CACHE=True)


def test_a_page_has_an_etag_and_a_conditional_request_gets_304(home: Home) -> None:
    client = make_app(home).test_client()
    first = client.get("/id/inverclyde")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept-Encoding" in first.headers["Vary"] and "Accept" in first.headers["Vary"]
    again = client.get("/id/inverclyde", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get("/id/inverclyde.json").headers["ETag"] != etag  # another representation
    assert client.get("/id/inverclyde", headers={"Accept": "text/turtle"}).headers["ETag"] != etag
    assert client.get("/areas").headers["ETag"] != etag
    assert client.get("/id/inverclyde", headers={"If-None-Match": 'W/"stale"'}).status_code == 200


def test_health_is_never_cached(home: Home) -> None:
    response = make_app(home).test_client().get("/health")
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "no-store"


def count_runs(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[str]:
    calls: list[str] = []
    real = module.run

    def counted(store: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(store, name, *args, **kwargs)

    monkeypatch.setattr(module, "run", counted)
    return calls


def test_the_heatmap_and_analyses_are_computed_once_per_build(cached: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import webapp.analyses
    import webapp.pictures

    pictures = count_runs(monkeypatch, webapp.pictures)
    analyses = count_runs(monkeypatch, webapp.analyses)
    client = cached.test_client()
    bodies = {client.get("/pictures/alignment").data for _ in range(3)}
    assert len(bodies) == 1 and pictures == ["alignment"]
    for _ in range(3):
        assert client.get("/analyses/gaps").status_code == 200
    assert analyses.count("gaps") == 1
    assert client.get("/pictures/alignment?area=Inverclyde").status_code == 200
    assert pictures == ["alignment", "alignment"]  # another question, computed once too


def test_answers_are_gzipped_for_clients_that_accept_it(cached: Flask) -> None:
    client = cached.test_client()
    plain = client.get("/analyses/gaps")
    assert "Content-Encoding" not in plain.headers
    for _ in range(2):  # computed, then kept
        packed = client.get("/analyses/gaps", headers={"Accept-Encoding": "gzip, deflate"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
        assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    refused = client.get("/analyses/gaps", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    small = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and len(small.data) < 500 and "Content-Encoding" not in small.headers
    css = client.get("/static/alignkb.css", headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200 and "Content-Encoding" not in css.headers  # files are sent as they are
    css.close()


def test_a_new_build_gives_new_etags_and_fresh_pages(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": (DATA / "shapes" / "valid-complete.trig").read_text()}})
    build(home, reason=False)
    client: FlaskClient = make_app(home, PAGE_CACHE=True).test_client()
    before = client.get("/id/area-x")
    assert before.status_code == 200 and b"Newshire" not in before.data
    data = home.sources / "valid-complete" / "data.trig"
    text = data.read_text().replace(
        'rdfs:label "Exampleshire" .', 'rdfs:label "Exampleshire" ; skos:altLabel "Newshire" .'
    )
    data.write_text(text)
    build(home, reason=False)
    after = client.get("/id/area-x")
    assert after.headers["ETag"] != before.headers["ETag"] and b"Newshire" in after.data
    assert client.get("/id/area-x", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_the_load_benchmark_runs_on_loopback(home: Home) -> None:
    """A smoke run only (1 s, 2 clients, the bundled server): the figures are in docs/performance.md."""
    from bench.load import run_load, schedule, targets

    found = targets(home)
    assert {t.route for t in found} >= {"home", "entity", "static", "sparql", "heatmap"}
    plan = schedule(found, 1000, seed=1)
    assert abs(sum(t.route == "entity" for t in plan) / 1000 - 0.20) < 0.05
    report = run_load(home, servers=["waitress"], clients=[2], seconds=1.0, warmup=0)
    run = report["runs"][0]
    assert run["server"] == "waitress" and run["requests"] > 0 and run["errors"] == 0
    assert "static" in run["routes"] and run["routes"]["static"]["p95"] > 0
    assert "not_200" not in report, report.get("not_200")
