"""Serving: ``alignkb serve`` (waitress) and the documented production command (gunicorn, several workers),
each started once on loopback against the fixture knowledge base."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kb.model.paths import Home
from tests.processes import free_port, running
from tests.webapp_support import ROOT, web_home

BIN = Path(sys.executable).parent


def _get(url: str, accept: str = "text/html") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers.get_content_type(), response.read()


@contextmanager
def serving(command: list[str], port: int, env: dict[str, str]) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with running(command, base + "/health", cwd=ROOT, env=env):
        yield base


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return web_home(tmp_path_factory)


def _env(home: Home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIGNKB")}
    env["ALIGNKB_HOME"] = str(home.root)
    return env


def test_production_command_gunicorn_with_four_workers(home: Home) -> None:
    port = free_port()
    command = [str(BIN / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "webapp:create_app()"]
    with serving(command, port, _env(home)) as base:
        status, media, body = _get(base + "/id/inverclyde")
        assert status == 200 and media == "text/html" and b"Inverclyde" in body
        query = urllib.parse.urlencode({"query": "ASK { kb:inverclyde a ak:CouncilArea }"})
        status, media, body = _get(f"{base}/sparql?{query}", "application/sparql-results+json")
        assert media == "application/sparql-results+json" and json.loads(body)["boolean"] is True
        for _ in range(8):  # every worker answers
            assert _get(base + "/?format=json", "application/json")[0] == 200


def test_alignkb_serve_starts_the_browser(home: Home) -> None:
    port = free_port()
    command = [str(BIN / "alignkb"), "--home", str(home.root), "serve", "--port", str(port)]
    with serving(command, port, _env(home)) as base:
        status, media, body = _get(base + "/")
        assert status == 200 and b"What is in the knowledge base" in body
        status, media, _ = _get(base + "/vendor/sgds/css/design-system.min.css")
        assert media == "text/css"
