"""``alignkb bench``: build a synthetic KB of about N triples and time the build and every named analysis,
with rdflib's own SPARQL engine timed on the same queries in the same run (in a worker process, so that a
query over its time limit can be stopped and reported as "timeout").

The generator is ``bench/synthetic.py``; this package imports ``kb``, never the reverse.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pyoxigraph as ox

from kb.analyses import analyses, run
from kb.analyses.labels import index
from kb.build import build
from kb.cli import Context, pass_ctx, progress
from kb.model.namespace import PREFIXES, expand
from kb.model.paths import Home, find_home
from kb.store import OxigraphStore
from kb.store.cache import clear

Progress = Callable[[str], None]
AS_AT = date(2024, 6, 1)


def synthetic_module() -> ModuleType:
    """The synthetic KB generator (kept as a function so tests can swap it)."""
    from bench import synthetic

    return synthetic


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _bindings(name: str, params: dict[str, str]) -> dict[str, str]:
    """The SPARQL bindings each analysis query receives (entity parameters, as IRIs)."""
    a = analyses()[name]
    out: dict[str, str] = {}
    for p in a.params:
        if p.kind == "entity" and p.name in params:
            iri = expand(params[p.name]) or params[p.name]
            if f"?{p.name}" in a.query:
                out[p.name] = iri
    return out


def _rdflib_worker(nq: str, conn: Any) -> None:  # pragma: no cover - runs in a child process
    import rdflib

    start = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(nq, format="nquads")
    conn.send(("loaded", time.perf_counter() - start))
    while True:
        msg = conn.recv()
        if msg is None:
            return
        query, bindings = msg
        init = {k: rdflib.URIRef(v) for k, v in bindings.items()}
        start = time.perf_counter()
        try:
            rows = len(list(ds.query(query, initNs=PREFIXES, initBindings=init)))
            conn.send(("ok", time.perf_counter() - start, rows))
        except Exception as err:  # report any engine failure as data
            conn.send(("error", time.perf_counter() - start, str(err)[:200]))


class RdflibRunner:
    """rdflib's engine in a worker process; restarted after a timeout."""

    def __init__(self, nq: Path, timeout: float) -> None:
        self.nq = str(nq)
        self.timeout = timeout
        self.load_seconds: float | None = None
        self.proc: Any = None
        self.conn: Any = None

    def _start(self) -> None:
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_rdflib_worker, args=(self.nq, child), daemon=True)
        self.proc.start()
        self.conn = parent
        if not parent.poll(max(600.0, self.timeout)):
            raise TimeoutError("rdflib did not load the dataset")
        _tag, seconds = parent.recv()
        if self.load_seconds is None:
            self.load_seconds = seconds

    def time(self, query: str, bindings: dict[str, str]) -> float | str:
        if self.proc is None:
            self._start()
        self.conn.send((query, bindings))
        if self.conn.poll(self.timeout):
            tag, seconds, _info = self.conn.recv()
            return seconds if tag == "ok" else "error"
        self.stop()
        return "timeout"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join()
        self.proc = None

    def peak_mb(self) -> float:
        return peak_mb(resource.RUSAGE_CHILDREN)


def _checks_worker(root: str, conn: Any) -> None:  # pragma: no cover - child process
    """The build with every check, three times: cold (everything validated), after a small source folder is
    added (SHACL only where the addition reaches, kb/revalidation.py) and again with nothing changed."""
    home = Home(Path(root))
    out: dict[str, Any] = {}
    for stage in ("cold", "after_addition", "unchanged"):
        if stage == "after_addition":
            synthetic_module().write_addition(home.root)
        start = time.perf_counter()
        report = build(home)
        out[stage] = {
            "total_s": round(time.perf_counter() - start, 2),
            "shacl_mode": report["shacl"]["mode"],  # type: ignore[index]
            **report["timings_seconds"],  # type: ignore[dict-item]
        }
        process = report["shacl"].get("process")  # type: ignore[attr-defined]
        if process:
            out[stage]["shacl_process_peak_mb"] = process["peak_mb"]
    out["peak_mb"] = peak_mb()
    conn.send(out)


def _timed_checks(root: Path) -> dict[str, Any]:
    """The checked builds in a fresh process (spawned: it shares no memory with this one), with the peak memory
    of all its processes together (the build, a forked SHACL validation, HermiT's JVM) sampled as they run."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_checks_worker, args=(str(root), child))  # not daemonic: it forks SHACL at scale
    proc.start()
    peak = 0
    while not parent.poll(0.5):  # a sample reads /proc: ≈ 20 ms at 1.5 GB
        peak = max(peak, tree_pss_kb(proc.pid))
    result = parent.recv()
    proc.join()
    if peak:
        result["peak_pss_mb"] = round(peak / 1024, 1)
    return result


def tree_pss_kb(root: int | None) -> int:
    """The proportional set size (shared pages split between their processes) of ``root`` and every process
    under it, in kB; 0 where /proc does not tell (not Linux)."""
    if root is None:
        return 0
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total


def time_analyses(store: OxigraphStore, params: dict[str, dict[str, str]], repeat: int) -> dict[str, Any]:
    """Per analysis: ``cold_ms``, the median of ``repeat`` runs each after :func:`kb.cache.clear` (as on a freshly
    loaded store; the label index stays built, as the app builds it when it opens the store), and ``warm_ms``,
    the median of ``repeat`` runs on the caches the last cold run filled. ``median_ms`` (= ``warm_ms``) and
    ``first_ms`` (= the first cold run) are kept for older reports."""
    out: dict[str, Any] = {}
    for name, p in params.items():
        cold = []
        result = None
        for _ in range(max(repeat, 1)):
            clear(store)
            start = time.perf_counter()
            result = run(store, name, p, AS_AT)
            cold.append(time.perf_counter() - start)
        warm = []
        for _ in range(max(repeat, 1)):
            start = time.perf_counter()
            run(store, name, p, AS_AT)
            warm.append(time.perf_counter() - start)
        assert result is not None
        out[name] = {
            "cold_ms": round(statistics.median(cold) * 1000, 2),
            "warm_ms": round(statistics.median(warm) * 1000, 2),
            "median_ms": round(statistics.median(warm) * 1000, 2),
            "first_ms": round(cold[0] * 1000, 2),
            "rows": len(result.rows),
        }
    clear(store)
    return out


def run_bench(
    triples: int,
    *,
    repeat: int = 5,
    rdflib_timeout: float = 10.0,
    check: bool = True,
    progress: Progress = lambda _m: None,
    workdir: Path | None = None,
) -> dict[str, Any]:
    own = workdir is None
    tmp = Path(workdir or tempfile.mkdtemp(prefix="alignkb-bench-"))
    try:
        return _bench(tmp, triples, repeat, rdflib_timeout, check, progress)
    finally:
        if own:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(
    tmp: Path, triples: int, repeat: int, rdflib_timeout: float, check: bool, progress: Progress
) -> dict[str, Any]:
    synthetic = synthetic_module()
    home = find_home()
    root = tmp / "home"
    progress(f"generating about {triples:,} triples …")
    start = time.perf_counter()
    synthetic.write_home(root, home.ontology, triples)
    generate_s = time.perf_counter() - start
    target = Home(root)
    progress("building without SHACL and HermiT …")
    report = build(target, shacl=False, reason=False)
    timings: dict[str, float] = report["timings_seconds"]  # type: ignore[assignment]
    store = OxigraphStore.from_dist(target.dist)
    start = time.perf_counter()
    index(store)
    index_s = time.perf_counter() - start
    progress(f"timing {len(synthetic.BENCH_PARAMS)} analyses on Oxigraph ({repeat} runs each) …")
    results = time_analyses(store, synthetic.BENCH_PARAMS, repeat)
    memory = {"peak_mb_build_and_analyses": peak_mb()}
    if rdflib_timeout > 0:
        progress("timing rdflib's SPARQL engine on the same queries …")
        rdf = RdflibRunner(target.dist / "kb.nq", rdflib_timeout)
        for name, p in synthetic.BENCH_PARAMS.items():
            query = analyses()[name].query
            bindings = _bindings(name, p)
            start = time.perf_counter()
            store.select(query, {k: ox.NamedNode(v) for k, v in bindings.items()})
            ox_s = time.perf_counter() - start
            rdf_s = rdf.time(query, bindings)
            results[name]["query_oxigraph_ms"] = round(ox_s * 1000, 2)
            results[name]["query_rdflib_ms"] = round(rdf_s * 1000, 2) if isinstance(rdf_s, float) else rdf_s
            results[name]["rdflib_over_oxigraph"] = (
                round(rdf_s / ox_s, 1) if isinstance(rdf_s, float) and ox_s > 0 else rdf_s
            )
        rdf.stop()
        memory["rdflib_load_s"] = round(rdf.load_seconds or 0.0, 2)
        memory["peak_mb_rdflib_worker"] = rdf.peak_mb()
    checks: dict[str, Any] = {}
    if check:
        progress("building with every check: cold, after adding a source folder, unchanged …")
        checks = _timed_checks(root)
    return {
        "triples_requested": triples,
        "quads": report["quads"],
        "generate_s": round(generate_s, 2),
        "build_s": {
            "without_shacl_hermit": round(timings["total"], 3),  # total: every stage, writing included
            "read": timings.get("read"),
            "load": timings.get("load"),
            "violations": timings.get("violations"),
            "write": timings.get("write"),
            "shacl": checks.get("cold", {}).get("shacl"),
            "hermit": checks.get("cold", {}).get("reasoner"),
            "with_checks": checks,
        },
        "label_index_s": round(index_s, 3),
        "repeat": repeat,
        "rdflib_timeout_s": rdflib_timeout,
        "analyses": results,
        "memory": memory,
        "as_at": AS_AT.isoformat(),
    }


def bench_real(store: OxigraphStore, repeat: int = 5) -> dict[str, Any]:
    """Cold and warm median times of every analysis on the built knowledge base (typed names, as people give them)."""
    start = time.perf_counter()
    index(store)
    return {
        "quads": len(store),
        "label_index_s": round(time.perf_counter() - start, 3),
        "repeat": repeat,
        "analyses": time_analyses(store, {n: a.example for n, a in analyses().items()}, repeat),
        "memory": {"peak_mb": peak_mb()},
    }


def format_table(report: dict[str, Any]) -> str:
    lines = [
        f"KB: {report['quads']:,} quads"
        + (f" (asked for {report['triples_requested']:,})" if "triples_requested" in report else ""),
        "build: " + ", ".join(f"{k} {v}s" for k, v in report.get("build_s", {}).items() if v is not None),
        f"label index: {report['label_index_s']}s; memory: {report['memory']}",
        f"{'analysis':22} {'cold ms':>10} {'warm ms':>10} {'rows':>7} {'query ox ms':>12} {'rdflib ms':>12}"
        f" {'ratio':>8}",
    ]
    for name, r in report["analyses"].items():
        warm = r.get("warm_ms", r.get("median_ms", ""))
        lines.append(
            f"{name:22} {r.get('cold_ms', ''):>10} {warm:>10} {r['rows']:>7} {r.get('query_oxigraph_ms', ''):>12} "
            f"{r.get('query_rdflib_ms', ''):>12} {r.get('rdflib_over_oxigraph', ''):>8}"
        )
    return "\n".join(lines)


@click.command()
@click.option("--triples", default=10_000, show_default=True, type=int, help="Approximate size of the synthetic KB.")
@click.option(
    "--repeat",
    default=5,
    show_default=True,
    type=int,
    help="Runs per analysis, cold (caches cleared before each) and warm; medians of each are reported.",
)
@click.option(
    "--rdflib-timeout",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds allowed to rdflib's engine per query (0 skips rdflib).",
)
@click.option("--no-check", is_flag=True, help="Skip the SHACL and HermiT build timing.")
@click.option("--real", is_flag=True, help="Time every analysis on the built knowledge base instead.")
@click.option(
    "--load",
    is_flag=True,
    help="Load-test the browser instead: the bundled server and gunicorn on loopback, on the built knowledge base "
    "(bench/load.py); requests/s and p50/p95/p99 per route.",
)
@click.option("--clients", default="16,64", show_default=True, help="With --load: numbers of concurrent clients.")
@click.option("--servers", default="waitress,gunicorn", show_default=True, help="With --load: servers to measure.")
@click.option("--duration", default=20.0, show_default=True, type=float, help="With --load: seconds per run.")
@click.option("--workers", default=4, show_default=True, type=int, help="With --load: gunicorn's worker processes.")
@click.option(
    "--threads", default=1, show_default=True, type=int, help="With --load: threads per gunicorn worker (gthread)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def bench(
    obj: Context,
    triples: int,
    repeat: int,
    rdflib_timeout: float,
    no_check: bool,
    real: bool,
    load: bool,
    clients: str,
    servers: str,
    duration: float,
    workers: int,
    threads: int,
    fmt: str,
) -> None:
    """Generate a synthetic KB of about N triples, build it and time every analysis (Oxigraph, and rdflib's
    own engine on the same queries). With --real, time the analyses on the built knowledge base. With --load,
    measure the browser under load (loopback only, each run at most 600 s)."""
    if load:
        from bench.load import format_table as load_table
        from bench.load import run_load

        try:
            numbers = [int(n) for n in clients.split(",") if n.strip()]
        except ValueError as err:
            raise click.BadParameter("give numbers separated by commas, e.g. 16,64", param_hint="--clients") from err
        chosen = [s.strip() for s in servers.split(",") if s.strip()]
        if not set(chosen) <= {"waitress", "gunicorn"}:
            raise click.BadParameter("choose among waitress and gunicorn", param_hint="--servers")
        result = run_load(
            obj.home,
            servers=chosen,
            clients=numbers,
            seconds=duration,
            workers=workers,
            threads=threads,
            progress=progress(fmt == "json"),
        )
        click.echo(json.dumps(result, indent=2) if fmt == "json" else load_table(result))
        return
    if real:
        store = obj.store()
        if not isinstance(store, OxigraphStore):
            raise click.ClickException("--real needs the embedded store (no --endpoint)")
        report = bench_real(store, repeat)
        click.echo(json.dumps(report, indent=2) if fmt == "json" else format_table(report))
        return
    report = run_bench(
        triples, repeat=repeat, rdflib_timeout=rdflib_timeout, check=not no_check, progress=progress(fmt == "json")
    )
    click.echo(json.dumps(report, indent=2) if fmt == "json" else format_table(report))
