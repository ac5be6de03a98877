"""Where visitors' SPARQL runs: a small pool of worker processes, so that nothing a query does can harm the server.

Each worker is a separate Python process, started afresh (not forked: no memory and no descriptor shared with the
server but one socket), that loads its own copy of the build the request is served from (``kb.nq``, as
:class:`kb.store.OxigraphStore` does) and then answers one query at a time:

* **Checked before it runs.** rdflib's SPARQL parser reads the query first. An update, a ``SERVICE`` clause (unless
  its IRI is in the allow-list, empty by default) and anything the parser cannot read are refused with 400; only
  a query rdflib has read reaches Oxigraph.
* **No way out.** After loading, a worker lowers its open-file limit to the lowest free descriptor, so it can open
  no socket and no file: even a query that slipped past the parser could not reach another server.
* **Time.** The server waits ``timeout`` seconds; then it kills the worker (SIGKILL), answers 503 and starts a
  fresh one. A CPU-time limit per query also ends a runaway if the server itself died.
* **Memory.** A worker's address space is limited (``RLIMIT_AS``) to its size after loading plus ``memory_mb``; a
  query that needs more ends the worker (Oxigraph aborts) and the server answers 503. A worker that has grown is
  retired after its query.
* **Rows.** The worker reads Oxigraph's lazy result and stops at the row cap (or the byte cap), so the cut is made
  while the rows are produced, not after the whole result is built; the answer says it was cut.
* **Crashes.** A query that crashes the engine (deep nesting overflows its stack) ends only that worker.

The server never unpickles what a worker sends: messages are one tag byte followed by JSON or raw bytes, and a
message longer than :data:`MAX_MESSAGE` is refused.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import math
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

LOG = logging.getLogger("alignkb.sparql")
HERE = str(Path(__file__).resolve().parent.parent)  # where the webapp package is, for the worker to import it
CHUNK = 1 << 20  # result bytes per message
MAX_MESSAGE = CHUNK + (64 << 10)
STARTUP_SECONDS = 120.0  # loading a large knowledge base takes a while; a worker that takes longer is given up
RETIRE_AFTER_JOBS = 500
VERDICTS = 256  # queries a worker remembers having checked
RECURSION_LIMIT = 20_000  # rdflib's parser recurses per nesting level; the server refuses deep queries before this
RESULTS_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


class Refused(Exception):
    """A query the sandbox did not answer: an HTTP status and a sentence for the user."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Settings:
    """What a pool's workers are: the same settings share one pool in a process."""

    endpoint: str | None = None  # a remote SPARQL endpoint instead of a built folder
    workers: int = 2
    memory_mb: int = 1024
    allow_services: tuple[str, ...] = ()


def build_stamp(folder: str | None) -> tuple[object, ...] | None:
    """Which build a worker loaded: the folder and the identity of its ``kb.nq`` (a versioned build folder never
    changes; a plain ``dist/`` is rewritten in place by a build)."""
    if folder is None:
        return None
    try:
        st = os.stat(Path(folder) / "kb.nq")
    except OSError:
        return (folder,)
    return (folder, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class Job:
    """One query for a worker. ``default_graphs``/``named_graphs`` are the Protocol's dataset parameters (None
    when not given)."""

    query: str
    results_format: str = "json"
    graph_format: str = "turtle"
    row_cap: int = 10_000
    max_bytes: int = 64 << 20
    timeout: float = 10.0
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None


@dataclass
class Outcome:
    """A worker's answer: the serialized result and what it is."""

    body: bytes
    media: str
    form: str
    rows: int
    truncated: bool
    cut: str | None = None  # "rows" or "bytes" when truncated
    seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


# --- the server side --------------------------------------------------------------------------------------------


class _Worker:
    """One worker process: ``python -c 'from webapp.sandbox import main; main()'`` with one end of a socket pair
    as its only extra descriptor. It is started afresh (not forked, and without re-running the server's main
    module as multiprocessing's ``spawn`` would), so it shares nothing with the server but that socket."""

    def __init__(self, settings: Settings, folder: str | None) -> None:
        self.folder = folder
        self.stamp = build_stamp(folder)
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, env.get("PYTHONPATH")) if p)
        env["RUST_BACKTRACE"] = "0"
        setup = json.dumps({"fd": theirs.fileno(), "settings": asdict(settings), "folder": folder})
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from webapp.sandbox import main; main()", setup],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except OSError as err:
            ours.close()
            raise Refused(503, f"The query service could not start a worker ({err.strerror}).", 5) from None
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.jobs = 0
        self.base_rss_mb = 0.0
        self.rss_mb = 0.0
        try:
            tag, payload = self._receive(STARTUP_SECONDS)
        except _Stopped:
            self.kill()
            raise Refused(503, "The query service could not start a worker; try again shortly.", 5) from None
        if tag == b"F":
            self.kill()
            raise FileNotFoundError(json.loads(payload)["message"])
        if tag != b"R":
            self.kill()
            raise Refused(503, "The query service could not start a worker; try again shortly.", 5)
        self.base_rss_mb = self.rss_mb = float(json.loads(payload).get("rss_mb", 0.0))

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def _receive(self, seconds: float) -> tuple[bytes, bytes]:
        """The next message; _Stopped when the worker did not answer in time or died."""
        if seconds <= 0 or not self.conn.poll(seconds):
            raise _Stopped("timeout")
        try:
            data = self.conn.recv_bytes(MAX_MESSAGE)
        except (EOFError, OSError):
            raise _Stopped("died") from None
        return data[:1], data[1:]

    def run(self, job: Job) -> Outcome:
        start = time.monotonic()
        deadline = start + job.timeout
        self.jobs += 1
        if not self.alive():
            raise _Stopped("gone")
        try:
            self.conn.send_bytes(json.dumps(asdict(job)).encode())
        except OSError:
            raise _Stopped("gone") from None
        chunks: list[bytes] = []
        size = 0
        while True:
            tag, payload = self._receive(deadline - time.monotonic())
            if tag == b"C":
                size += len(payload)
                if size > job.max_bytes + CHUNK:
                    raise _Stopped("oversize")
                chunks.append(payload)
            elif tag == b"D":
                meta = json.loads(payload)
                self.rss_mb = float(meta.get("rss_mb", 0.0))
                return Outcome(
                    body=b"".join(chunks),
                    media=str(meta["media"]),
                    form=str(meta["form"]),
                    rows=int(meta["rows"]),
                    truncated=bool(meta["truncated"]),
                    cut=meta.get("cut"),
                    seconds=time.monotonic() - start,
                    meta=meta,
                )
            elif tag == b"E":
                error = json.loads(payload)
                if error.get("fatal"):
                    raise _Stopped("memory")
                raise Refused(int(error["status"]), str(error["message"]))
            else:
                raise _Stopped("garbled")

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.conn.close()

    def exitcode(self) -> int | None:
        """How it ended: negative for a signal (-9 killed, -6 aborted when memory ran out, -11 crashed)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2)
        return self.process.returncode

    def worn(self, settings: Settings) -> bool:
        """Retire after many queries, or once it holds much more memory than after loading."""
        grown = self.rss_mb - self.base_rss_mb
        return self.jobs >= RETIRE_AFTER_JOBS or grown > max(256.0, settings.memory_mb / 2)


class _Stopped(Exception):
    """The worker did not finish the query: ``timeout``, ``died``, ``memory``, ``oversize`` or ``garbled``; or
    never received it (``gone``: it had died while idle)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Pool:
    """Up to ``settings.workers`` worker processes, started when first needed and replaced when one is killed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()  # idle and busy
        self._live = 0  # idle, busy and starting
        self._cond = threading.Condition()
        self.pid = os.getpid()
        self.folder: str | None = None  # the build the last query asked for: replacements load it
        self.started = 0  # workers started in this pool's life (the tests read it)
        self.killed = 0

    def run(self, job: Job, folder: str | None, wait: float = 5.0) -> Outcome:
        """Run ``job`` on a free worker holding the build in ``folder`` (None for a remote endpoint), waiting up
        to ``wait`` seconds for one. Raises :class:`Refused`."""
        for attempt in (1, 2):
            worker = self._checkout(folder, wait)
            try:
                outcome = worker.run(job)
            except _Stopped as stopped:
                if stopped.why == "gone" and attempt == 1:
                    # It died while idle (killed from outside): the query never reached it; give it to another.
                    self._discard(worker, replace=False)
                    continue
                self._discard(worker)
                raise self._explain(stopped.why, worker, job) from None
            except Refused:
                self._checkin(worker)
                raise
            except BaseException:
                self._discard(worker)
                raise
            self._checkin(worker)
            return outcome
        raise AssertionError("unreachable")  # pragma: no cover

    def _explain(self, why: str, worker: _Worker, job: Job) -> Refused:
        LOG.warning(
            "query stopped (%s): worker %s ended with exit code %s; the query has %d characters and begins %r",
            why,
            worker.pid,
            worker.exitcode(),
            len(job.query),
            job.query[:120],
        )
        if why == "timeout":
            return Refused(
                503,
                f"The query took longer than {job.timeout:g} s and was stopped. Narrow it (fewer unbound patterns,"
                " a more specific property path) or add a LIMIT.",
            )
        code = worker.exitcode()
        if why == "memory" or code == -6:
            return Refused(
                503,
                f"The query needed more than the {self.settings.memory_mb:,} MB of memory one query may use and "
                "was stopped. Narrow it: joins of unrelated patterns and open property paths grow fastest.",
            )
        if why == "oversize":
            return Refused(503, "The result was larger than this endpoint returns and was stopped.")
        return Refused(
            503,
            "The query engine stopped while running this query (exit code "
            f"{code}); the query was not answered. Very deep nesting or very long chains of operators do this: "
            "simplify the query.",
        )

    def _checkout(self, folder: str | None, wait: float) -> _Worker:
        deadline = time.monotonic() + wait
        stamp = build_stamp(folder)
        self.folder = folder
        with self._cond:
            while True:
                stale = [w for w in self._idle if w.stamp != stamp]
                for worker in stale:  # they hold an older build
                    self._idle.remove(worker)
                    self._all.discard(worker)
                    self._live -= 1
                    worker.kill()
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker
                    self._all.discard(worker)  # died while idle (killed from outside)
                    self._live -= 1
                    worker.kill()
                if self._live < self.settings.workers:
                    self._live += 1
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Refused(
                        503,
                        "Every query worker is busy; try again in a few seconds.",
                        retry_after=max(1, math.ceil(wait)),
                    )
                self._cond.wait(left)
        return self._spawn(folder)

    def _spawn(self, folder: str | None) -> _Worker:
        """Start a worker for a place already counted in ``_live``; give the place back if it cannot start."""
        try:
            worker = _Worker(self.settings, folder)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._all.add(worker)
        self.started += 1
        return worker

    def _checkin(self, worker: _Worker) -> None:
        if worker.worn(self.settings) or worker.stamp != build_stamp(self.folder):
            self._discard(worker, replace=False)
            return
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker, replace: bool = True) -> None:
        worker.kill()
        with self._cond:
            self._all.discard(worker)
            self._live -= 1
            self.killed += 1
            self._cond.notify()
        if replace:
            threading.Thread(target=self._warm, name="alignkb-sparql-replace", daemon=True).start()

    def _warm(self) -> None:
        """Start a worker ahead of need (after one was killed), so the next query does not wait for it."""
        with self._cond:
            if self._live >= self.settings.workers or self._idle:
                return
            self._live += 1
        try:
            worker = self._spawn(self.folder)
        except BaseException:  # the next query will try again and say why
            return
        self._checkin(worker)

    def close(self) -> None:
        """Stop every worker (at exit)."""
        with self._cond:
            every, self._all, self._idle = list(self._all), set(), []
            self._live = 0
        for worker in every:
            worker.kill()

    def worker_pids(self) -> list[int]:
        """The idle workers' process ids."""
        with self._cond:
            return [w.pid for w in self._idle]

    def pids(self) -> list[int]:
        """Every worker's process id, idle or busy."""
        with self._cond:
            return [w.pid for w in self._all]


_POOLS: dict[Settings, Pool] = {}
_POOLS_LOCK = threading.Lock()


def pool_for(settings: Settings) -> Pool:
    """The pool for these settings in this process (a forked server process gets its own)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(settings)
        if pool is None or pool.pid != os.getpid():
            pool = _POOLS[settings] = Pool(settings)
        return pool


@atexit.register
def close_all() -> None:
    """Stop every worker of this process (at exit; the tests call it between modules)."""
    with _POOLS_LOCK:
        pools = [pool for pool in _POOLS.values() if pool.pid == os.getpid()]
        _POOLS.clear()
    for pool in pools:
        pool.close()


# --- the worker side --------------------------------------------------------------------------------------------


def main() -> None:  # pragma: no cover - the worker process
    """The worker's entry point: its setup (descriptor, settings, build folder) is the last argument."""
    setup = json.loads(sys.argv[-1])
    settings = Settings(**{**setup["settings"], "allow_services": tuple(setup["settings"]["allow_services"])})
    serve(Connection(int(setup["fd"])), settings, setup["folder"])


def serve(conn: Connection, settings: Settings, folder: str | None) -> None:  # pragma: no cover - in the worker
    """The worker's life: load, lock itself down, then answer jobs until the server closes the socket."""
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        engine = Engine(settings, folder)
    except Exception as err:
        conn.send_bytes(b"F" + json.dumps({"message": str(err)}).encode())
        conn.close()
        return
    limit_memory(settings.memory_mb)
    if not settings.endpoint and not settings.allow_services:
        close_the_door()
    conn.send_bytes(b"R" + json.dumps({"pid": os.getpid(), "rss_mb": rss_mb()}).encode())
    while True:
        try:
            data = conn.recv_bytes(1 << 24)
        except (EOFError, OSError):
            return
        try:
            job = Job(**json.loads(data))
            limit_cpu(job.timeout)
            for message in engine.run(job):
                conn.send_bytes(message)
        except MemoryError:
            _send_error(conn, 503, "memory", fatal=True)
            return
        except (BrokenPipeError, EOFError):
            return
        except Exception as err:  # a fault of ours, not the query's: report it, stay alive
            _send_error(conn, 503, f"The query could not be answered ({type(err).__name__}).")


def _send_error(conn: Connection, status: int, message: str, fatal: bool = False) -> None:
    with contextlib.suppress(OSError):
        conn.send_bytes(b"E" + json.dumps({"status": status, "message": message, "fatal": fatal}).encode())


_STATM: list[int] = []  # /proc/self/statm, opened once (the worker can open nothing later)


def _statm() -> list[int]:
    """The process's size and resident pages (empty where there is no /proc)."""
    try:
        if not _STATM:
            _STATM.append(os.open("/proc/self/statm", os.O_RDONLY))
        return [int(x) for x in os.pread(_STATM[0], 256, 0).split()[:2]]
    except (OSError, ValueError):
        return []


def rss_mb() -> float:
    """Resident memory now (the peak where /proc is missing)."""
    pages = _statm()
    if len(pages) == 2:
        return round(pages[1] * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def address_space() -> int:
    pages = _statm()
    return pages[0] * os.sysconf("SC_PAGE_SIZE") if pages else 0


def limit_memory(memory_mb: int) -> None:
    """Let the process grow by ``memory_mb`` beyond its size now; an allocation past that fails."""
    limit = address_space() + memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def limit_cpu(timeout: float) -> None:
    """A CPU-time limit for the next query (SIGXCPU ends the process): a backstop should the server be gone."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + 2 * timeout + 5)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def close_the_door() -> None:
    """Open no more files or sockets: the file limit becomes the lowest descriptor number not in use (the kernel
    always hands out the lowest free one), so every ``socket()`` or ``open()`` from here on fails with EMFILE,
    while the pipe to the server (already open) keeps working. Both limits are lowered, so the worker cannot
    raise them again."""
    lowest = os.open(os.devnull, os.O_RDONLY)
    os.close(lowest)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, lowest))


class Engine:
    """The worker's side: check a query with rdflib's parser, run it on Oxigraph, cut and serialize the result."""

    def __init__(self, settings: Settings, folder: str | None) -> None:
        import pyoxigraph as ox
        from rdflib.plugins.sparql import parser  # noqa: F401  (imported before the door closes)

        from kb.model.namespace import PREFIXES
        from kb.store import OxigraphStore, RemoteStore
        from kb.store.serialize import jsonld

        quiet_service_parse()
        self._verdicts: dict[str, tuple[str, bool]] = {}
        self.ox = ox
        self.prefixes = PREFIXES
        self.jsonld = jsonld
        self.allow = frozenset(settings.allow_services)
        self.remote = RemoteStore(settings.endpoint) if settings.endpoint else None
        self.store = None if self.remote else OxigraphStore.from_dist(Path(str(folder))).store
        self._warm_up()

    def _warm_up(self) -> None:
        """Run one query of each form in each format, so that every module a query needs is loaded while the
        worker may still open files."""
        for query in (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
            "ASK { ?s ?p ?o }",
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
            "INSERT DATA { <urn:x> <urn:x> <urn:x> }",
            "SELECT * WHERE { SERVICE <urn:x> { ?s ?p ?o } }",
            "SELECT * WHERE {",
        ):
            for results_format, graph_format in zip(RESULTS_FORMATS, (*GRAPH_FORMATS, "turtle"), strict=True):
                job = Job(query, results_format=results_format, graph_format=graph_format, timeout=60.0)
                for _ in self.run(job, warm_up=True):
                    pass
        import traceback  # noqa: F401

    # The checks --------------------------------------------------------------------------------------------

    def vetted(self, text: str) -> tuple[str, bool]:
        """:meth:`vet`, remembered for the last queries it passed (clients repeat theirs; parsing costs ms)."""
        known = self._verdicts.get(text)
        if known is None:
            known = self.vet(text)
            if len(self._verdicts) >= VERDICTS:
                self._verdicts.pop(next(iter(self._verdicts)))
            self._verdicts[text] = known
        return known

    def vet(self, text: str) -> tuple[str, bool]:
        """(form, has FROM/FROM NAMED) of a query rdflib can read; Refused otherwise."""
        from pyparsing import ParseBaseException
        from rdflib import URIRef
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

        try:
            tree = parseQuery(text)
        except RecursionError:
            raise Refused(400, "The query is nested too deeply to be checked; simplify it.") from None
        except ParseBaseException as err:
            try:
                parseUpdate(text)
            except (ParseBaseException, RecursionError, ValueError, TypeError, IndexError):
                raise Refused(400, f"Malformed query: {str(err)[:600]}") from None
            raise Refused(400, "This endpoint is read-only: SPARQL updates are not accepted.") from None
        except (ValueError, TypeError, IndexError) as err:
            raise Refused(400, f"Malformed query: {str(err)[:600]}") from None
        body = tree[1]
        form = FORMS.get(getattr(body, "name", ""), "")
        if not form:
            raise Refused(400, "Malformed query: not a SELECT, ASK, CONSTRUCT or DESCRIBE query.")
        for service in find_services(tree):
            target = dict.get(service, "term")
            if not (isinstance(target, URIRef) and str(target) in self.allow):
                raise Refused(
                    400,
                    "SERVICE is not allowed: this endpoint answers from its own knowledge base and never sends "
                    "requests to other servers.",
                )
        return form, "datasetClause" in body

    # Running -------------------------------------------------------------------------------------------------

    def run(self, job: Job, warm_up: bool = False) -> Iterator[bytes]:
        """Messages for the server: ``C`` chunks of the serialized result then ``D`` (what it is), or ``E``."""
        try:
            form, has_dataset = self.vetted(job.query)
            result = self._query(job, form, has_dataset)
            if form in ("SELECT", "ASK"):
                body, media, rows, cut = self._results(result, job)
            else:
                body, media, rows, cut = self._graph(result, job)
        except Refused as refused:
            yield b"E" + json.dumps({"status": refused.status, "message": refused.message}).encode()
            return
        if warm_up:
            return
        for start in range(0, len(body), CHUNK):
            yield b"C" + body[start : start + CHUNK]
        meta = {"media": media, "form": form, "rows": rows, "truncated": cut is not None, "cut": cut}
        yield b"D" + json.dumps({**meta, "rss_mb": rss_mb()}).encode()

    def _query(self, job: Job, form: str, has_dataset: bool) -> Any:
        ox = self.ox
        if self.remote is not None:
            if job.default_graphs is not None or job.named_graphs is not None:
                raise Refused(400, "default-graph-uri and named-graph-uri are not supported on this deployment.")
            return self._remote(job, form, has_dataset)
        kwargs: dict[str, Any] = {}
        if job.default_graphs is not None or job.named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or []]
        elif not has_dataset:
            kwargs["use_default_graph_as_union"] = True
        assert self.store is not None
        try:
            return self.store.query(job.query, prefixes=self.prefixes, **kwargs)
        except SyntaxError as err:
            raise Refused(400, f"Malformed query: {err}") from None
        except (OSError, RuntimeError, ValueError) as err:
            raise Refused(400, f"The query could not be answered: {err}") from None

    def _remote(self, job: Job, form: str, has_dataset: bool) -> Any:
        """The query sent to the remote endpoint; its whole answer is read, then cut like a local one."""
        from kb.store import QueryError

        ox = self.ox
        assert self.remote is not None
        try:
            if form in ("SELECT", "ASK"):
                body, _media = self.remote.raw(job.query, "json", has_dataset)
                return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            body, _media = self.remote.raw(job.query, "ntriples", has_dataset)
            return ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        except (QueryError, OSError, SyntaxError, ValueError) as err:
            raise Refused(400, f"The query could not be answered: {str(err)[:600]}") from None

    def _results(self, result: Any, job: Job) -> tuple[bytes, str, int, str | None]:
        ox = self.ox
        fmt = job.results_format if job.results_format in RESULTS_FORMATS else "json"
        cut: str | None = None
        if isinstance(result, ox.QueryBoolean):
            data: dict[str, Any] = {"head": {}, "boolean": bool(result)}
            rows = 1
        else:
            names = [v.value for v in result.variables]
            bindings: list[dict[str, Any]] = []
            size = 0
            try:
                for solution in result:
                    if len(bindings) >= job.row_cap:
                        cut = "rows"
                        break
                    row = {}
                    for name in names:
                        term = solution[name]
                        if term is not None:
                            row[name] = term_json(term)
                            size += 48 + len(str(term))
                    if size > job.max_bytes:
                        cut = "bytes"
                        break
                    bindings.append(row)
            except (OSError, RuntimeError, ValueError) as err:
                raise Refused(400, f"The query could not be answered: {err}") from None
            data = {"head": {"vars": names}, "results": {"bindings": bindings}}
            rows = len(bindings)
        if fmt == "json":
            if cut:  # first, so that streaming parsers (pyoxigraph's) read it before the bindings
                data = {"truncated": True, **data}
            return json.dumps(data, ensure_ascii=False).encode(), ox.QueryResultsFormat.JSON.media_type, rows, cut
        target = {"xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
        parsed = ox.parse_query_results(json.dumps(data).encode(), format=ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=target[fmt]) or b"", target[fmt].media_type, rows, cut

    def _graph(self, result: Any, job: Job) -> tuple[bytes, str, int, str | None]:
        ox = self.ox
        fmt = job.graph_format if job.graph_format in GRAPH_FORMATS else "turtle"
        triples: list[Any] = []
        size = 0
        cut: str | None = None
        try:
            for triple in result:
                if len(triples) >= job.row_cap:
                    cut = "rows"
                    break
                size += 16 + len(str(triple))
                if size > job.max_bytes:
                    cut = "bytes"
                    break
                triples.append(triple)
        except (OSError, RuntimeError, ValueError) as err:
            raise Refused(400, f"The query could not be answered: {err}") from None
        if fmt == "jsonld":
            return self.jsonld(triples), "application/ld+json", len(triples), cut
        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        prefixes = self.prefixes if fmt == "turtle" else None
        body = ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
        return body, rdf_format.media_type, len(triples), cut


def quiet_service_parse() -> None:
    """Let rdflib's parser read ``SERVICE`` without keeping its text. For each SERVICE clause it parses, rdflib
    searches the whole query again for the clause's original text (which it keeps for evaluating the SERVICE);
    on a SERVICE nested in a SERVICE that search finds the outer clause again and recurses without end. The
    worker never evaluates with rdflib, it only looks for SERVICE, so the clause is built without that search."""
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.parserutils import CompValue, ParamValue

    def post_parse(_instring: str, _loc: int, tokens: Any) -> CompValue:
        value = CompValue("ServiceGraphPattern")
        for token in tokens:
            if isinstance(token, ParamValue):
                if token.isList:
                    value.setdefault(token.name, []).append(token.tokenList)
                else:
                    value[token.name] = token.tokenList
        return value

    parser.ServiceGraphPattern.postParse = post_parse  # type: ignore[method-assign, assignment]


def term_json(term: Any) -> dict[str, Any]:
    """An RDF term as SPARQL 1.1 Query Results JSON (and SPARQL 1.2's triple terms)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    return {"type": "literal", "value": str(term)}


def find_services(tree: Any, limit: int = 2_000_000) -> list[dict[str, Any]]:
    """Every ``SERVICE`` clause anywhere in an rdflib parse tree (inside FILTER EXISTS, sub-queries, OPTIONAL …),
    walked without recursion. A tree too large to walk counts as one (refused)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    found: list[dict[str, Any]] = []
    stack = [tree]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return [{}]
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                found.append(node)
            stack.extend(dict.values(node))
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif isinstance(node, ParseResults):
            stack.extend(list(node))
            stack.extend(node.values())
    return found
