"""The ``alignkb`` command: build, validate, query, sparql, stats, law, new-home, new-source and release here; serve
and docs from the web app (``webapp/cli.py``) and bench from the benchmarks (``bench/run.py``), attached by entry
point.

Every command takes ``-v/--verbose`` and ``-q/--quiet`` and reports through the standard library's ``logging``
(progress at INFO, on stderr). Failures the user can act on are one line, ``error: …``, saying what to do, and the
exit codes are the same for every command (:data:`EXIT_CODES`)."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import shutil
import socket
import sys
import urllib.error
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import IO, Any, ClassVar

import click

from kb.build import build as run_build
from kb.build import check
from kb.model.paths import Home, HomeError, checkout_root, find_home, packaged_root, start_home
from kb.model.problems import FAIL_ON, BuildFailed, FailOn, Problem
from kb.store import QueryError, Store, open_store

LOG = logging.getLogger("alignkb")
OUR_LOGGERS = ("alignkb", "kb", "webapp", "bench")

EXIT_CODES = (
    "Exit codes, the same for every command: 0 success; 1 a check failed or the run could not be done (problems "
    "found, no build yet, no Java, endpoint unreachable, port in use, permission denied); 2 bad input or usage "
    "(an unknown command, option, analysis or label, a malformed query or date, a folder that is not a home)."
)

JAVA_MISSING = (
    "Java is not installed and the HermiT consistency check needs it: install a Java runtime (Debian: sudo apt-get "
    "install default-jre-headless), or skip the check with --no-reason"
)


class Failure(click.ClickException):
    """The run failed or could not be done (exit code 1); the message is one line that says what to do."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class BadInput(Failure):
    """What was typed is wrong: an option's value, a folder that is not a home (exit code 2)."""

    exit_code = 2


def require_java(reason: bool) -> None:
    """Stop before a run that needs HermiT when there is no Java to run it with."""
    if reason and shutil.which("java") is None:
        raise Failure(JAVA_MISSING)


class _Echo(logging.Handler):
    """Log records on stderr through click (so that a test's runner and a terminal see them alike)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


class _Plain(logging.Formatter):
    PREFIX: ClassVar[dict[int, str]] = {logging.DEBUG: "debug: ", logging.INFO: "· ", logging.WARNING: "warning: "}

    def format(self, record: logging.LogRecord) -> str:
        text = self.PREFIX.get(record.levelno, "error: ") + record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def set_verbosity(level: int) -> None:
    """Send alignkb's log records to stderr at ``level`` (DEBUG with --verbose, WARNING with --quiet, else INFO);
    other libraries' records at WARNING (INFO with --verbose)."""
    root = logging.getLogger()
    if not any(isinstance(h, _Echo) for h in root.handlers):
        handler = _Echo()
        handler.setFormatter(_Plain())
        root.addHandler(handler)
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(level)
    root.setLevel(logging.INFO if level <= logging.DEBUG else logging.WARNING)


def _verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        set_verbosity(logging.DEBUG if param.name == "verbose" else logging.WARNING)


def verbosity_options(command: click.Command) -> click.Command:
    """Give a command ``-v/--verbose`` and ``-q/--quiet`` (once): every command has them."""
    if not any(p.name == "verbose" for p in command.params):
        command.params += [
            click.Option(
                ["-v", "--verbose"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_verbosity,
                help="Say more: each step, and the details behind an error.",
            ),
            click.Option(
                ["-q", "--quiet"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_verbosity,
                help="Print only results, warnings and errors.",
            ),
        ]
    return command


def known_failure(err: Exception, endpoint: str | None) -> Failure | None:
    """The one-line message for a failure of the machine rather than of alignkb (None: a bug, shown in full)."""
    if isinstance(err, FileNotFoundError) and Path(str(err.filename or "")).name == "java":
        return Failure(JAVA_MISSING)
    if isinstance(err, urllib.error.URLError | ConnectionError | TimeoutError | socket.timeout) and not isinstance(
        err, urllib.error.HTTPError
    ):
        reason = getattr(err, "reason", None) or err
        where = f"the SPARQL endpoint {endpoint}" if endpoint else "the network"
        return Failure(
            f"cannot reach {where} ({reason}): check the address given with --endpoint URL (or ALIGNKB_ENDPOINT) "
            "and that the endpoint is running; without --endpoint alignkb uses its own build"
        )
    if isinstance(err, PermissionError):
        denied = Path(str(err.filename)) if err.filename else None
        if denied is not None and denied.name.startswith(".dist-"):
            denied = denied.parent  # the build's staging folder: the folder it goes in is the one to name
        return Failure(
            f"permission denied: {denied or err}: choose a folder you can write to (--dist DIR for the build, "
            "--home DIR for a home of your own) or change the folder's permissions"
        )
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return Failure(f"no space left on the device writing {err.filename or ''}: free some space and run it again")
    return None


class Context:
    """What the group's options chose: the home (found once, see kb/model/paths.py), the build and the endpoint."""

    def __init__(self, home: str | None, dist: str | None, endpoint: str | None) -> None:
        self._home_arg = home
        self._dist_arg = dist
        self.endpoint = endpoint
        self._home: Home | None = None

    @property
    def home(self) -> Home:
        if self._home is None:
            try:
                self._home = find_home(self._home_arg, self._dist_arg)
            except HomeError as err:
                raise BadInput(str(err)) from err
        return self._home

    def writable_home(self, doing: str, *, dist_only: bool = False) -> Home:
        """The home, refused when it is the read-only one inside the installed package and ``doing`` would write
        into it (with ``dist_only``, only its build is written: a --dist elsewhere is allowed)."""
        home = self.home
        if home.read_only and (not dist_only or home.writes_into_itself):
            raise BadInput(
                f"the knowledge base built into the package is read-only, so it cannot {doing}: use --home DIR for a "
                "home of your own ('alignkb new-home DIR' starts one as a copy of it)"
            )
        return home

    def home_to_build(self) -> Home:
        """The home ``build`` writes: a given folder that is missing or empty is first started as a copy of the
        built-in knowledge base (announced); the packaged home itself is refused."""
        if self._home is None:
            try:
                self._home = find_home(self._home_arg, self._dist_arg)
            except HomeError as err:
                template = template_home()
                if err.path is None or not err.empty or template is None:
                    raise BadInput(str(err)) from err
                LOG.info("%s is empty: starting a home there as a copy of %s", err.path, template.describe())
                started = start_home(err.path, template)
                self._home = Home(started.root, Path(self._dist_arg) if self._dist_arg else None, "a new home")
        return self.writable_home("be built into", dist_only=True)

    def require_build(self) -> Home:
        home = self.home
        if not (home.dist / "kb.nq").is_file():
            raise Failure(f"no build yet ({home.dist / 'kb.nq'} does not exist): run alignkb build")
        return home

    def store(self) -> Store:
        if self.endpoint:
            return open_store(None, self.endpoint)
        return open_store(self.require_build().dist, None)

    def used(self) -> dict[str, str | None]:
        """Which home and which build a command used, for ``stats`` and ``build`` to say."""
        if self.endpoint:
            return {"endpoint": self.endpoint}
        home = self.home
        built = None
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            built = str(json.loads((home.dist / "report.json").read_text(encoding="utf-8"))["built"])
        return {"home": str(home.root), "found_by": home.found_by, "build": str(home.dist / "kb.nq"), "built": built}

    def used_text(self) -> str:
        used = self.used()
        if "endpoint" in used:
            return f"endpoint: {used['endpoint']}"
        when = f", built {used['built']}" if used["built"] else ""
        return f"home: {used['home']} ({used['found_by']})\nbuild: {used['build']}{when}"


def template_home() -> Home | None:
    """The built-in knowledge base a new home is copied from: the package's, or the checkout's in a checkout."""
    root = packaged_root() or checkout_root()
    return Home(root, found_by="the built-in knowledge base") if root else None


pass_ctx = click.make_pass_decorator(Context)


class Commands(click.Group):
    """The engine's own commands, and those other packages attach through the ``alignkb.commands`` entry point
    group (the web app's ``serve`` and ``docs``, the benchmarks' ``bench``), loaded only when asked for: the
    engine imports neither. Failures of the machine (no Java, an endpoint down, a folder not writable) become one
    line each; anything else is a bug and is shown in full."""

    @staticmethod
    def _attached() -> dict[str, EntryPoint]:
        return {e.name: e for e in entry_points(group="alignkb.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._attached()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return verbosity_options(self.commands[cmd_name])
        entry = self._attached().get(cmd_name)
        if entry is None:
            return None
        command = entry.load()
        return verbosity_options(command) if isinstance(command, click.Command) else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as err:
            if isinstance(err, click.exceptions.ClickException | click.exceptions.Exit | click.exceptions.Abort):
                raise
            obj = ctx.obj if isinstance(ctx.obj, Context) else None
            failure = known_failure(err, obj.endpoint if obj else None)
            if failure is None:
                raise
            LOG.debug("the failure in full:", exc_info=True)
            raise failure from err


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    help="Folder holding ontology/ and sources/ (else ALIGNKB_HOME, else the current folder or the nearest parent "
    "holding them, else the knowledge base built into the package).",
)
@click.option(
    "--dist",
    envvar="ALIGNKB_DIST",
    type=click.Path(file_okay=False),
    help="Build output folder (default HOME/dist).",
)
@click.option("--endpoint", envvar="ALIGNKB_ENDPOINT", help="Query a remote SPARQL 1.1 endpoint instead of dist/.")
@click.option("-v", "--verbose", is_flag=True, help="Say more: each step, and the details behind an error.")
@click.option("-q", "--quiet", is_flag=True, help="Print only results, warnings and errors.")
@click.version_option(package_name="alignkb")
@click.pass_context
def main(
    ctx: click.Context, home: str | None, dist: str | None, endpoint: str | None, verbose: bool, quiet: bool
) -> None:
    """alignkb: how Scotland's children's and health & social care policy fits together."""
    set_verbosity(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    ctx.obj = Context(home, dist, endpoint)


def progress(quiet: bool = False) -> Callable[[str], None]:
    """A progress callback for long steps: each message is logged at INFO (shown unless --quiet)."""
    if quiet:
        return lambda _m: None
    return LOG.info


def fail_on_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON),
        default="error",
        show_default=True,
        help="The least severe problems that fail the command: error, warning, info or none (as ROBOT's --fail-on). "
        "Severities are those of the rules (python -m kb.checks.catalogue), overridden by HOME/checks-profile.tsv.",
    )(command)


def echo_notes(notes: list[Problem], fail_on: str) -> None:
    """Print the problems that did not block (warnings, information): never dropped in silence."""
    if not notes:
        return
    counts = ", ".join(
        f"{n} {severity}(s)"
        for severity in ("error", "warning", "info")
        if (n := sum(p.severity == severity for p in notes))
    )
    click.echo(f"{counts}, not blocking with --fail-on {fail_on}:", err=True)
    for problem in notes:
        click.echo(f"  {problem}", err=True)


@main.command()
@click.option("--no-reason", is_flag=True, help="Skip the HermiT consistency check (which needs Java).")
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (violation queries still run).")
@click.option(
    "--full", is_flag=True, help="Validate everything with SHACL, not only what changed since the last good build."
)
@fail_on_option
@pass_ctx
def build(obj: Context, no_reason: bool, no_shacl: bool, full: bool, fail_on: FailOn) -> None:
    """Assemble ontology/ and sources/ into dist/ (kb.nq, report.json) after all checks pass.

    On any problem that blocks (an error, by default) nothing in dist/ changes and the command exits 1, naming
    file, line and rule. Warnings and information are printed after a good build and listed in
    dist/report.json. SHACL validates only what a change can affect since the last good build
    (dist/validated.json); --full validates everything. With --home DIR naming a new or empty folder, DIR is
    first started as a copy of the built-in knowledge base (as 'alignkb new-home DIR' does)."""
    require_java(not no_reason)
    home = obj.home_to_build()
    LOG.info("home: %s", home.describe())
    try:
        report = run_build(
            home, shacl=not no_shacl, reason=not no_reason, full=full, progress=progress(), fail_on=fail_on
        )
    except BuildFailed as failed:
        click.echo(str(failed), err=True)
        click.echo("dist/ left unchanged.", err=True)
        sys.exit(1)
    click.echo(
        f"built {report['quads']:,} quads: {report['assertions']:,} assertions from "
        f"{report['source_folders']} sources ({report['unconfirmed_assertions']} unconfirmed) in "
        f"{report['timings_seconds']['total']:.1f}s (SHACL: {report['shacl']['mode']})"  # type: ignore[index]
    )
    sets = report["coverage"]["summary"]  # type: ignore[index]
    click.echo(
        f"sets: {sets['complete']} complete, {sets['partial']} held in part, {sets['size not declared']} of a size "
        "no source declares (alignkb stats lists each)"
    )
    click.echo(obj.used_text())
    notes = [Problem.from_dict(p) for p in report["checks"]["problems"]]  # type: ignore[index]
    echo_notes(notes, fail_on)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--no-reason", is_flag=True, help="Skip the HermiT consistency check (which needs Java).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@fail_on_option
@pass_ctx
def validate(obj: Context, paths: tuple[str, ...], no_reason: bool, fmt: str, fail_on: FailOn) -> None:
    """Run every check without writing. With PATHS, report only problems in those files or folders.

    Exits 1 when a problem blocks (an error, by default: see --fail-on); warnings and information are listed
    too."""
    home = obj.home
    require_java(not no_reason)
    LOG.info("home: %s", home.describe())
    checked = check(home, reason=not no_reason, fail_on=fail_on, progress=progress())
    problems = checked.problems
    if paths:
        wanted = [
            str(Path(p).resolve().relative_to(home.root))
            if Path(p).resolve().is_relative_to(home.root)
            else Path(p).name
            for p in paths
        ]
        problems = [p for p in problems if p.file and any(p.file.startswith(w) for w in wanted)]
    blocking = [p for p in problems if checked.policy.blocks(p)]
    notes = [p for p in problems if not checked.policy.blocks(p)]
    if fmt == "json":
        data = {"ok": not blocking, "fail_on": fail_on, "problems": [p.to_dict() for p in problems]}
        click.echo(json.dumps(data, indent=2))
    elif blocking:
        click.echo(f"{len(blocking)} problem(s):", err=True)
        for problem in blocking:
            click.echo(f"  {problem}", err=True)
        echo_notes(notes, fail_on)
    else:
        click.echo("valid: no problems found" if not notes else "valid: no problems that block")
        echo_notes(notes, fail_on)
    sys.exit(1 if blocking else 0)


@main.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "tsv", "xml", "table", "turtle", "jsonld"]),
    default="table",
    show_default=True,
)
@pass_ctx
def sparql(obj: Context, query: str, fmt: str) -> None:
    """Run any SPARQL query (text, or @file.rq) on the built knowledge base.

    SELECT/ASK print SPARQL 1.1 results (json, csv, tsv, xml) or a table (cut to the terminal's width);
    CONSTRUCT/DESCRIBE print Turtle or JSON-LD. A malformed query exits with code 2 and the parser's message."""
    from kb.cli.render import sparql_table

    if query.startswith("@"):
        try:
            query = Path(query[1:]).read_text(encoding="utf-8")
        except OSError as err:
            raise BadInput(f"cannot read the query file {query[1:]}: {err.strerror or err}") from err
    store = obj.store()
    try:
        if fmt == "table":
            click.echo(sparql_table(store, query))
        else:
            body, _media = store.raw(query, fmt)
            click.echo(body.decode())
    except QueryError as err:
        click.echo(f"error: malformed or failed query: {err}", err=True)
        sys.exit(2)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def stats(obj: Context, fmt: str) -> None:
    """Counts per class and per source, share of assertions with a locator, entities whose dates are not recorded,
    and the unconfirmed facts; first, which home and which build (or endpoint) they come from."""
    from kb.cli.render import clip
    from kb.stats import compute

    result = compute(obj.store())
    if fmt == "json":
        click.echo(json.dumps({"used": obj.used(), **result.to_dict()}, indent=2, ensure_ascii=False))
        return
    lines = [obj.used_text(), ""]
    lines.append(f"{result.triples:,} asserted triples in {result.assertions:,} assertion graphs")
    lines.append(f"assertions with a locator: {result.with_locator:,} ({result.locator_share:.1%})")
    lines.append(
        f"secondary-source assertions: {result.secondary_assertions:,}; unconfirmed: {result.unconfirmed_assertions:,}"
    )
    lines.append("\nentities per class:")
    lines += [f"  {row['count']:>6}  {row['label'] or row['class']}" for row in result.classes]
    lines.append("\nper source (assertions / triples / unconfirmed):")
    lines += [
        f"  {row['assertions']:>5} {row['triples']:>6} {row['unconfirmed']:>4}  {row['title'] or row['source']}"
        for row in result.sources
    ]
    counts = result.unknown_date_counts()
    lines.append(f"\ndates not recorded ({sum(counts.values())} entities; the time views say 'not known' for them):")
    lines += [f"  {count:>6}  {kind}" for kind, count in counts.items()]
    summary = result.coverage_summary()
    lines.append(
        f"\ncompleteness of sets ({summary['complete']} complete, {summary['partial']} partial, "
        f"{summary['size not declared']} of a size no source declares; gaps say 'not known' where a set is partial):"
    )
    for set_row in result.coverage:
        declared = set_row["declared"] if set_row["declared"] is not None else "?"
        name = set_row["label"] or set_row["set"]
        lines.append(f"  {set_row['recorded']:>4} of {declared:<4} {set_row['completeness']:<17}  {name}")
    aspects = result.unknown_aspect_counts()
    n_reqs = len({r["requirement"] for r in result.unknown_aspects})
    lines.append(f"\naspects of requirements the sources leave open ({n_reqs} requirements):")
    lines += [f"  {count:>6}  {aspect}" for aspect, count in aspects.items()]
    if result.unconfirmed:
        lines.append("\nunconfirmed facts:")
        lines += [
            f"  {fact['subject']} {fact['predicate']} {fact['object']}  [{fact['source']}, {fact['locator']}]"
            for fact in result.unconfirmed
        ]
    click.echo("\n".join(clip(line) for line in "\n".join(lines).split("\n")))


@main.command()
@click.option("--out", type=click.Path(dir_okay=False), help="Write the table to this file (default: print it).")
@pass_ctx
def law(obj: Context, out: str | None) -> None:
    """The verified-law table: every Act, instrument and provision with its enactment, commencements (and the
    instrument and article that did each), repeal, and the source each was checked in (docs/verified-law.md)."""
    from kb.law import markdown

    text = markdown(obj.store())
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@main.command("new-home")
@click.argument("folder", type=click.Path(file_okay=False))
@pass_ctx
def new_home(obj: Context, folder: str) -> None:
    """Start a home of your own in FOLDER (new or empty): a copy of the ontology/ and sources/ of the home in use
    (by default the knowledge base built into the package), to edit and build with alignkb --home FOLDER build."""
    template = obj.home
    try:
        home = start_home(Path(folder), template)
    except HomeError as err:
        raise BadInput(str(err)) from err
    count = sum(1 for p in home.sources.iterdir() if p.is_dir())
    click.echo(f"started a home in {home.root} from {template.describe()}: ontology/ and {count} source folders")
    click.echo(f"build it with:  alignkb --home {home.root} build")


class AnalysisGroup(click.Group):
    """``alignkb query NAME``: one subcommand per named analysis, generated from kb/queries/analyses/cq-*.rq."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from kb.analyses import analyses

        return list(analyses())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from kb.analyses import analyses

        analysis = analyses().get(cmd_name)
        return verbosity_options(_analysis_command(analysis)) if analysis else None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        import difflib

        from kb.analyses import analyses

        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in analyses():
            near = difflib.get_close_matches(name, list(analyses()), n=3, cutoff=0.4)
            hint = f" Did you mean: {', '.join(near)}?" if near else f" Analyses: {', '.join(analyses())}."
            raise click.UsageError(f"no analysis called '{name}'.{hint}", ctx)
        return super().resolve_command(ctx, args)


def _analysis_command(analysis):
    def callback(**kwargs: str | None) -> None:
        from kb.analyses import ParameterError, UnknownAnalysis, run
        from kb.cli.render import render

        ctx = click.get_current_context()
        obj = ctx.find_object(Context)
        assert obj is not None
        fmt = kwargs.pop("fmt") or "table"
        as_at = kwargs.pop("as_at")
        for option, names in analysis.together.items():
            values = kwargs.pop(option.replace("-", "_"), None)
            if values:
                for name, value in zip(names, values, strict=True):
                    kwargs[name.replace("-", "_")] = kwargs.get(name.replace("-", "_")) or value
        params = {p.name: kwargs.get(p.name.replace("-", "_")) for p in analysis.params}
        given: dict[str, str] = {k: v for k, v in params.items() if v is not None}
        if as_at:
            given["as-at"] = as_at
        store = obj.store()
        try:
            result = run(store, analysis.name, given)
        except (ParameterError, UnknownAnalysis) as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
        except QueryError as err:
            click.echo(f"error: the query failed: {err}", err=True)
            sys.exit(2)
        click.echo(render(result, fmt))

    options = [
        click.Option(
            [f"--{p.name}", p.name.replace("-", "_")],
            help=p.description
            + (" (optional)" if p.optional else " (required)")
            + (f" One of: {', '.join(p.choices)}." if p.choices else ""),
        )
        for p in analysis.params
    ]
    for option, names in analysis.together.items():
        options.append(
            click.Option(
                [f"--{option}", option.replace("-", "_")],
                nargs=len(names),
                default=None,
                help=f"The {' and '.join(names)} together, e.g. --{option} X Y.",
            )
        )
    options.append(click.Option(["--as-at", "as_at"], help="Answer as at this date (YYYY-MM-DD; default today)."))
    options.append(
        click.Option(
            ["--format", "fmt"], type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
        )
    )
    help_text = f"{analysis.question}\n\nRule: {analysis.rule}\n\nColumns: {', '.join(analysis.columns)}"
    return click.Command(analysis.name, callback=callback, params=options, help=help_text, short_help=analysis.question)


@main.group(cls=AnalysisGroup)
def query() -> None:
    """Run a named analysis: alignkb query NAME --PARAM VALUE … [--as-at DATE] [--format table|json|csv].

    Parameters take names as people write them ("Inverclyde", "health visiting", "CYP Act 2014 s.8") or IRIs;
    an unknown or ambiguous name exits with code 2 and lists the nearest matches."""


def _register_commands() -> None:
    from kb.cli.curation import new_source_command, publish_command, release_command

    main.add_command(new_source_command)
    main.add_command(release_command)
    main.add_command(publish_command)


_register_commands()
