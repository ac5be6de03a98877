"""The ``alignkb`` command: build, validate, query, sparql, stats, new-source and release here; serve and docs from
the web app (``webapp/cli.py``) and bench from the benchmarks (``bench/run.py``), attached by entry point."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click

from kb.build import build as run_build
from kb.build import check
from kb.model.paths import Home, find_home
from kb.model.problems import FAIL_ON, BuildFailed, FailOn, Problem
from kb.store import QueryError, Store, open_store
from kb.store.serialize import render_table


class Context:
    def __init__(self, home: str | None, dist: str | None, endpoint: str | None) -> None:
        self._home_arg = home
        self._dist_arg = dist
        self.endpoint = endpoint

    @property
    def home(self) -> Home:
        try:
            return find_home(self._home_arg, self._dist_arg)
        except FileNotFoundError as err:
            raise click.ClickException(str(err)) from err

    def store(self) -> Store:
        try:
            return open_store(self.home.dist, self.endpoint)
        except FileNotFoundError as err:
            raise click.ClickException(str(err)) from err


pass_ctx = click.make_pass_decorator(Context)


class Commands(click.Group):
    """The engine's own commands, and those other packages attach through the ``alignkb.commands`` entry point
    group (the web app's ``serve`` and ``docs``, the benchmarks' ``bench``), loaded only when asked for: the
    engine imports neither."""

    @staticmethod
    def _attached() -> dict[str, EntryPoint]:
        return {e.name: e for e in entry_points(group="alignkb.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._attached()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self._attached().get(cmd_name)
        if entry is None:
            return None
        command = entry.load()
        return command if isinstance(command, click.Command) else None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    envvar="ALIGNKB_HOME",
    type=click.Path(file_okay=False),
    help="Folder holding ontology/ and sources/.",
)
@click.option(
    "--dist",
    envvar="ALIGNKB_DIST",
    type=click.Path(file_okay=False),
    help="Build output folder (default HOME/dist).",
)
@click.option("--endpoint", envvar="ALIGNKB_ENDPOINT", help="Query a remote SPARQL 1.1 endpoint instead of dist/.")
@click.version_option(package_name="alignkb")
@click.pass_context
def main(ctx: click.Context, home: str | None, dist: str | None, endpoint: str | None) -> None:
    """alignkb: how Scotland's children's and health & social care policy fits together."""
    ctx.obj = Context(home, dist, endpoint)


def progress(quiet: bool) -> Callable[[str], None]:
    if quiet:
        return lambda _m: None
    return lambda m: click.echo(f"· {m}", err=True)


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
@click.option("--no-reason", is_flag=True, help="Skip the HermiT consistency check.")
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (violation queries still run).")
@click.option(
    "--full", is_flag=True, help="Validate everything with SHACL, not only what changed since the last good build."
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the result (and the warnings).")
@fail_on_option
@pass_ctx
def build(obj: Context, no_reason: bool, no_shacl: bool, full: bool, quiet: bool, fail_on: FailOn) -> None:
    """Assemble ontology/ and sources/ into dist/ (kb.nq, report.json) after all checks pass.

    On any problem that blocks (an error, by default) nothing in dist/ changes and the command exits 1, naming
    file, line and rule. Warnings and information are printed after a good build and listed in
    dist/report.json. SHACL validates only what a change can affect since the last good build
    (dist/validated.json); --full validates everything."""
    home = obj.home
    try:
        report = run_build(
            home, shacl=not no_shacl, reason=not no_reason, full=full, progress=progress(quiet), fail_on=fail_on
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
    notes = [Problem.from_dict(p) for p in report["checks"]["problems"]]  # type: ignore[index]
    echo_notes(notes, fail_on)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--no-reason", is_flag=True, help="Skip the HermiT consistency check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@fail_on_option
@pass_ctx
def validate(obj: Context, paths: tuple[str, ...], no_reason: bool, fmt: str, fail_on: FailOn) -> None:
    """Run every check without writing. With PATHS, report only problems in those files or folders.

    Exits 1 when a problem blocks (an error, by default: see --fail-on); warnings and information are listed
    too."""
    home = obj.home
    checked = check(home, reason=not no_reason, fail_on=fail_on)
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

    SELECT/ASK print SPARQL 1.1 results (json, csv, tsv, xml) or a table; CONSTRUCT/DESCRIBE print Turtle
    or JSON-LD. A malformed query exits with code 2 and the parser's message."""
    if query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")
    store = obj.store()
    try:
        if fmt == "table":
            click.echo(render_table(store, query))
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
    and the unconfirmed facts."""
    from kb.stats import compute

    result = compute(obj.store())
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{result.triples:,} asserted triples in {result.assertions:,} assertion graphs")
    click.echo(f"assertions with a locator: {result.with_locator:,} ({result.locator_share:.1%})")
    click.echo(
        f"secondary-source assertions: {result.secondary_assertions:,}; unconfirmed: {result.unconfirmed_assertions:,}"
    )
    click.echo("\nentities per class:")
    for row in result.classes:
        click.echo(f"  {row['count']:>6}  {row['label'] or row['class']}")
    click.echo("\nper source (assertions / triples / unconfirmed):")
    for row in result.sources:
        click.echo(
            f"  {row['assertions']:>5} {row['triples']:>6} {row['unconfirmed']:>4}  {row['title'] or row['source']}"
        )
    counts = result.unknown_date_counts()
    click.echo(f"\ndates not recorded ({sum(counts.values())} entities; the time views say 'not known' for them):")
    for kind, count in counts.items():
        click.echo(f"  {count:>6}  {kind}")
    summary = result.coverage_summary()
    click.echo(
        f"\ncompleteness of sets ({summary['complete']} complete, {summary['partial']} partial, "
        f"{summary['size not declared']} of a size no source declares; gaps say 'not known' where a set is partial):"
    )
    for set_row in result.coverage:
        declared = set_row["declared"] if set_row["declared"] is not None else "?"
        name = set_row["label"] or set_row["set"]
        click.echo(f"  {set_row['recorded']:>4} of {declared:<4} {set_row['completeness']:<17}  {name}")
    aspects = result.unknown_aspect_counts()
    n_reqs = len({r["requirement"] for r in result.unknown_aspects})
    click.echo(f"\naspects of requirements the sources leave open ({n_reqs} requirements):")
    for aspect, count in aspects.items():
        click.echo(f"  {count:>6}  {aspect}")
    if result.unconfirmed:
        click.echo("\nunconfirmed facts:")
        for fact in result.unconfirmed:
            click.echo(
                f"  {fact['subject']} {fact['predicate']} {fact['object']}  [{fact['source']}, {fact['locator']}]"
            )


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


class AnalysisGroup(click.Group):
    """``alignkb query NAME``: one subcommand per named analysis, generated from kb/queries/analyses/cq-*.rq."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from kb.analyses import analyses

        return list(analyses())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from kb.analyses import analyses

        analysis = analyses().get(cmd_name)
        return _analysis_command(analysis) if analysis else None

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
