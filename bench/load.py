"""``alignkb bench --load``: the browser under load, on loopback, for a bounded time.

It starts each server on 127.0.0.1 on a free port — the bundled one (``alignkb serve``: waitress) and the
production command (``gunicorn -w 4 'webapp:create_app()'``, from the dev extras) — on the built knowledge base,
checks that every URL of the mix answers 200, warms it up, then runs a closed loop of 16 and then 64 clients
(each sends a request, waits for the whole answer, sends the next), and reports requests per second and the
50th/95th/99th percentile latency per route. A static file (the site's CSS) is part of the same mix, so every
route can be compared with what the same server does with no work at all.

The mix follows the audit of December 2026 (reliability.md §3): home 10 %, search 15 %, entity pages 20 %,
obligations 10 %, overlaps 8 %, duplicate reporting 8 %, gaps 8 %, the heatmap 8 % (half for an area), a simple
SPARQL SELECT 8 %, and the static file 5 %. Clients send ``Accept-Encoding: gzip`` as browsers do, and no
``If-None-Match`` (each request is a new visitor's). The client is asyncio on raw sockets in this process, on
the same machine: its own cost is part of what is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from kb.analyses.labels import index
from kb.model.namespace import AK, KB
from kb.model.paths import Home
from kb.store import OxigraphStore

Progress = Callable[[str], None]
LOOPBACK = "127.0.0.1"
MAX_SECONDS = 600.0  # no run lasts longer, whatever is asked
MAX_CLIENTS = 256
SHARES = {
    "home": 10,
    "search": 15,
    "entity": 20,
    "obligations": 10,
    "overlaps": 8,
    "duplicate-reporting": 8,
    "gaps": 8,
    "heatmap": 8,
    "sparql": 8,
    "static": 5,
}
SPARQL = "SELECT ?area ?label WHERE { ?area a ak:CouncilArea ; rdfs:label ?label } ORDER BY ?label"


@dataclass(frozen=True)
class Target:
    route: str
    path: str
    accept: str = "text/html"


def targets(home: Home, seed: int = 2026, entities: int = 107) -> list[Target]:
    """The URLs of the mix, drawn (with a fixed seed) from the knowledge base's own names."""
    store = OxigraphStore.from_dist(home.dist)
    labels = index(store)
    rng = random.Random(seed)

    def of(cls: str) -> list[str]:
        allowed = labels.allowed([str(AK._NS) + cls]) or set()
        return sorted(iri for iri in labels.label if labels.fits(iri, allowed))

    areas = [labels.label[iri] for iri in of("CouncilArea")]
    services = [labels.label[iri] for iri in of("Service")]
    services = rng.sample(services, min(8, len(services)))
    things = [iri for iri in sorted(labels.label) if iri.startswith(str(KB))]
    chosen = rng.sample(things, min(entities, len(things)))
    words = sorted({w for iri in chosen for w in labels.label[iri].split() if len(w) > 4 and w.isalpha()})
    out: list[Target] = [Target("home", "/"), Target("static", "/static/alignkb.css", "text/css")]
    out += [Target("search", "/search?" + urlencode({"q": w})) for w in rng.sample(words, min(40, len(words)))]
    out += [Target("entity", "/id/" + quote(iri.removeprefix(str(KB)))) for iri in chosen]
    out += [
        Target("obligations", "/analyses/obligations?" + urlencode({"area": a, "service": s}))
        for a in areas
        for s in services
    ]
    out += [Target("overlaps", "/analyses/overlaps"), Target("gaps", "/analyses/gaps")]
    out += [Target("duplicate-reporting", "/analyses/duplicate-reporting?" + urlencode({"area": a})) for a in areas]
    out += [Target("heatmap", "/pictures/alignment")]
    out += [Target("heatmap", "/pictures/alignment?" + urlencode({"area": a})) for a in areas]
    out.append(Target("sparql", "/sparql?" + urlencode({"query": SPARQL}), "application/sparql-results+json"))
    return out


def schedule(found: Sequence[Target], length: int, seed: int) -> list[Target]:
    """A sequence of requests with each route's share of :data:`SHARES`, URLs of a route in turn."""
    rng = random.Random(seed)
    by_route: dict[str, list[Target]] = {}
    for target in found:
        by_route.setdefault(target.route, []).append(target)
    routes = [r for r in SHARES if r in by_route]
    weights = [SHARES[r] for r in routes]
    picks = rng.choices(routes, weights=weights, k=length)
    cursor = {r: rng.randrange(len(by_route[r])) for r in routes}
    out = []
    for route in picks:
        urls = by_route[route]
        out.append(urls[cursor[route] % len(urls)])
        cursor[route] += 1
    return out


# --- the client -----------------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection (re-opened when the server closes it, as gunicorn's sync workers do)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: Target) -> int:
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(LOOPBACK, self.port)
            assert self.reader is not None and self.writer is not None
            request = (
                f"GET {target.path} HTTP/1.1\r\nHost: {LOOPBACK}:{self.port}\r\nAccept: {target.accept}\r\n"
                "Accept-Encoding: gzip\r\nConnection: keep-alive\r\nUser-Agent: alignkb-bench\r\n\r\n"
            )
            try:
                self.writer.write(request.encode("latin-1"))
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise ConnectionError("unreachable")  # pragma: no cover

    async def _response(self) -> int:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif status not in (204, 304):
            await self.reader.read()  # to the end of the connection
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _loop(port: int, plan: list[Target], clients: int, seconds: float) -> tuple[list[tuple[str, float]], int]:
    """Run ``clients`` closed loops over ``plan`` for ``seconds``; the (route, seconds) of every answer, and the
    number of failed requests."""
    done: list[tuple[str, float]] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    stride = max(1, len(plan) // max(clients, 1))

    async def one(n: int) -> None:
        nonlocal errors
        client = Client(port)
        i = n * stride
        try:
            while time.perf_counter() < deadline:
                target = plan[i % len(plan)]
                i += 1
                start = time.perf_counter()
                try:
                    status = await asyncio.wait_for(client.get(target), timeout=60)
                except (TimeoutError, OSError, ValueError):
                    errors += 1
                    await client.close()
                    continue
                if status == 200:
                    done.append((target.route, time.perf_counter() - start))
                else:
                    errors += 1
        finally:
            await client.close()

    await asyncio.gather(*(one(n) for n in range(clients)))
    return done, errors


def percentiles(values: Sequence[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return {
        "n": len(ordered),
        "p50": round(q[49] * 1000, 2),
        "p95": round(q[94] * 1000, 2),
        "p99": round(q[98] * 1000, 2),
    }


def measure(port: int, plan: list[Target], clients: int, seconds: float) -> dict[str, Any]:
    clients = max(1, min(clients, MAX_CLIENTS))
    seconds = max(0.1, min(seconds, MAX_SECONDS))
    start = time.perf_counter()
    done, errors = _in_own_loop(lambda: _loop(port, plan, clients, seconds))
    elapsed = time.perf_counter() - start
    routes: dict[str, list[float]] = {}
    for route, value in done:
        routes.setdefault(route, []).append(value)
    per_route = {route: percentiles(routes[route]) for route in SHARES if route in routes}
    static = per_route.get("static", {}).get("p95")
    result: dict[str, Any] = {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(done),
        "errors": errors,
        "requests_per_s": round(len(done) / elapsed, 1),
        "all": percentiles([v for _, v in done]),
        "routes": per_route,
    }
    if static:
        result["p95_over_static"] = {
            r: round(float(v["p95"]) / float(static), 1) for r, v in per_route.items() if "p95" in v
        }
    return result


# --- the servers ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def _command(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def server_command(server: str, home: Home, port: int, workers: int, threads: int = 1) -> list[str]:
    if server == "waitress":
        alignkb = _command("alignkb")
        base = [alignkb] if alignkb else [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]
        return [*base, "--home", str(home.root), "--dist", str(home.dist), "-q", "serve", "--port", str(port)]
    if server == "gunicorn":
        gunicorn = _command("gunicorn")
        if gunicorn is None:
            raise RuntimeError("gunicorn is not installed: pip install -e '.[dev]'")
        return [
            gunicorn,
            "-w",
            str(workers),
            "-b",
            f"{LOOPBACK}:{port}",
            "--log-level",
            "warning",
            "webapp:create_app()",
        ]
    raise ValueError(f"unknown server {server}")


class Server:
    """A server process on loopback, stopped (by its own process id) when the block ends."""

    def __init__(self, server: str, home: Home, workers: int, threads: int = 1) -> None:
        self.name, self.port = server, free_port()
        env = {**os.environ, "ALIGNKB_HOME": str(home.root), "ALIGNKB_DIST": str(home.dist)}
        self.proc = subprocess.Popen(
            server_command(server, home, self.port, workers, threads),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped at start (exit code {self.proc.returncode})")
            try:
                with urllib.request.urlopen(f"http://{LOOPBACK}:{self.port}/health", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"{self.name} did not answer /health within 120 s")

    def __exit__(self, *_exc: object) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group of this one server (gunicorn's workers too)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def check(port: int, found: Sequence[Target]) -> tuple[list[Target], list[str], dict[str, Any]]:
    """The targets that answer 200 (each fetched once, one at a time, which also fills the page cache of the
    process that answers), the others, and per route how long those first answers took (p50/p95/p99, ms): what
    the first visitor of a page waits after a new build."""
    good, bad = [], []
    first: dict[str, list[float]] = {}
    for target in found:
        request = urllib.request.Request(f"http://{LOOPBACK}:{port}{target.path}", headers={"Accept": target.accept})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()
                good.append(target)
            first.setdefault(target.route, []).append(time.perf_counter() - start)
        except (OSError, urllib.error.URLError) as err:
            bad.append(f"{target.path}: {err}")
    return good, bad, {route: percentiles(first[route]) for route in SHARES if route in first}


def run_load(
    home: Home,
    *,
    servers: Sequence[str] = ("waitress", "gunicorn"),
    clients: Sequence[int] = (16, 64),
    seconds: float = 20.0,
    warmup: float = 5.0,
    workers: int = 4,
    threads: int = 1,
    progress: Progress = lambda _m: None,
) -> dict[str, Any]:
    """Measure every server at every number of clients; see the module's docstring."""
    if not (home.dist / "kb.nq").is_file():
        raise FileNotFoundError(f"no build at {home.dist}: run alignkb build first")
    found = targets(home)
    plan = schedule(found, 20_000, seed=1)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "mix_percent": SHARES,
        "urls": len(found),
        "seconds_per_run": seconds,
        "gunicorn": {"workers": workers, "threads": threads},
        "runs": [],
    }
    for server in servers:
        progress(f"starting {server} …")
        with Server(server, home, workers, threads) as running:
            good, bad, first = check(running.port, found)
            report.setdefault("first_answer", {})[server] = first
            if bad:
                report.setdefault("not_200", {})[server] = bad[:20]
            answering = set(good)
            usable = [t for t in plan if t in answering]
            if warmup > 0:
                progress(f"{server}: warming up for {warmup:g} s with 4 clients …")
                measure(running.port, usable, 4, warmup)
            for n in clients:
                progress(f"{server}: {n} clients for {seconds:g} s …")
                report["runs"].append({"server": server, **measure(running.port, usable, n, seconds)})
    return report


def format_table(report: dict[str, Any]) -> str:
    lines = []
    for server, routes in report.get("first_answer", {}).items():
        lines.append(f"{server}, first answer of each URL (one client, nothing cached), p50/p95/p99 ms:")
        lines += [
            f"  {route:22} {v.get('p50')}/{v.get('p95')}/{v.get('p99')} (n={v['n']})" for route, v in routes.items()
        ]
    for run in report["runs"]:
        head = (
            f"{run['server']}, {run['clients']} clients, {run['seconds']} s: {run['requests']:,} requests, "
            f"{run['errors']} errors, {run['requests_per_s']} requests/s; all p50/p95/p99 "
            f"{run['all'].get('p50')}/{run['all'].get('p95')}/{run['all'].get('p99')} ms"
        )
        lines += [head, f"  {'route':22} {'n':>7} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'p95/static':>11}"]
        for route, v in run["routes"].items():
            ratio = run.get("p95_over_static", {}).get(route, "")
            p50, p95, p99 = (v.get(k, "") for k in ("p50", "p95", "p99"))
            lines.append(f"  {route:22} {v['n']:>7} {p50:>9} {p95:>9} {p99:>9} {ratio:>11}")
    return "\n".join(lines)


def _in_own_loop(make: Any) -> Any:
    """Run a coroutine to the end in an event loop of its own thread, so that the benchmark also runs where the
    calling thread already has a loop running (a test session that drives a browser with Playwright does)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())
        except BaseException as err:  # re-raised in the caller
            box["error"] = err

    thread = threading.Thread(target=target, name="alignkb-load")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
