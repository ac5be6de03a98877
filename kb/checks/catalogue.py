"""Every rule the build checks, in one catalogue: its name, kind, severity and what it asks, in plain language.

Four kinds of rule, each defined in one place:

- ``structure``: the rules the readers of kb/inputs apply file by file (syntax, folder layout, templates, graph
  names). They are the table ``STRUCTURAL`` below; a test fails when the code makes a ``Problem`` whose rule is
  not in it.
- ``query``: the violation queries ``kb/queries/checks/*-violation.rq``. Each row is a problem; the severity is
  the file's ``# severity:`` header (``error`` when absent), the message its ``# rule:`` (or ``# question:``).
- ``shape``: the named SHACL shapes of the home's ``ontology/shapes.ttl``. The severity is the shape's
  ``sh:severity`` (``sh:Violation`` → error, ``sh:Warning`` → warning, ``sh:Info`` → info; a property shape inside
  may set its own, and each SHACL result carries the severity of the shape that produced it).
- ``reasoner``: ``owl-consistency``, HermiT's check that the ontology and the data are consistent.

Which severities block a build is the ``--fail-on`` level (``error``, the default: errors block; ``warning``:
errors and warnings; ``info``: everything; ``none``: nothing but the ``fixed`` rules, without which there is
nothing sound to build). A home may override the severity of any other rule in ``checks-profile.tsv`` (see
:func:`read_profile`). Problems that do not block are printed after the build and listed in ``dist/report.json``.

``python -m kb.checks.catalogue [HOME]`` prints the catalogue as a table.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kb.model.paths import Home, find_home
from kb.model.problems import SEVERITIES, FailOn, Problem, Severity, blocks
from kb.store.querydoc import QueryDoc, queries_in

Kind = Literal["structure", "query", "shape", "reasoner"]
PROFILE = "checks-profile.tsv"
SHACL_SEVERITY: dict[str, Severity] = {str(SH.Violation): "error", str(SH.Warning): "warning", str(SH.Info): "info"}


@dataclass(frozen=True)
class Rule:
    """One check of the build."""

    name: str
    kind: Kind
    severity: Severity
    message: str
    defined_in: str  # where the rule is written (to read or change it)
    fixed: bool = False  # always an error that blocks, whatever --fail-on and the profile say


def _structure(name: str, message: str, defined_in: str, *, fixed: bool = False) -> Rule:
    return Rule(name, "structure", "error", message, defined_in, fixed)


SOURCES = "kb/inputs/sources.py"
TEMPLATES = "kb/inputs/templates.py"
STRUCTURAL: tuple[Rule, ...] = (
    _structure(
        "syntax", "Every Turtle and TriG file parses; nothing is built from a file that does not.", SOURCES, fixed=True
    ),
    _structure("unreadable", "Every input file can be opened and read.", SOURCES, fixed=True),
    _structure(
        "source-record", "Each source folder has a source.ttl that describes its source IRI as an ak:Source.", SOURCES
    ),
    _structure(
        "unknown-source-file",
        "A source folder holds only the files the build reads (source.ttl, *.trig, *.<kind>.csv) and notes (*.md).",
        SOURCES,
    ),
    _structure("template-name", "A CSV file in a source folder is a template named <name>.<kind>.csv.", SOURCES),
    _structure("template-column", "A template has the columns of its kind, and no others.", TEMPLATES),
    _structure(
        "template-cell",
        "Every template cell reads as its column's kind of value (slug, date, number, controlled term), and every "
        "required cell is filled.",
        TEMPLATES,
    ),
    _structure(
        "graph-name",
        "Every named graph is named under evidence/<source-id>/ and is defined in one place only.",
        SOURCES,
    ),
    _structure("default-graph", "The default graph of a TriG file only describes that file's named graphs.", SOURCES),
    _structure("assertion-source", "An assertion graph is derived from the source of the folder it is in.", SOURCES),
    _structure(
        "assertion-record",
        "Every named graph is described as an ak:Assertion with prov:wasDerivedFrom its source.",
        SOURCES,
    ),
    _structure(
        "checks-profile",
        f"Each line of {PROFILE} is rule<TAB>severity, naming a catalogued rule whose severity may change.",
        "kb/checks/catalogue.py",
        fixed=True,
    ),
    _structure(
        "shacl",
        "A SHACL result from a shape without a name (its message says which constraint).",
        "kb/checks/shacl.py",
    ),
    Rule(
        "owl-consistency",
        "reasoner",
        "error",
        "The ontology and the data are consistent under OWL 2 (HermiT): nothing is in two disjoint classes, every "
        "value fits its property's datatype.",
        "kb/checks/reasoning.py",
    ),
)


def query_rules(docs: Iterable[QueryDoc] | None = None) -> list[Rule]:
    """The violation queries (those of kb/queries/checks unless given), with the severity of their header."""
    rules = []
    for doc in docs if docs is not None else (QueryDoc.load(p) for p in queries_in("checks")):
        severity = doc.meta.get("severity", "error").strip().lower()
        if severity not in SEVERITIES:
            raise ValueError(f"{doc.path}: '# severity: {severity}' is not one of {', '.join(SEVERITIES)}")
        message = doc.meta.get("rule") or doc.question
        rules.append(Rule(doc.name, "query", severity, message, f"kb/queries/checks/{doc.path.name}"))
    return rules


def shape_rules(shapes: Path | rdflib.Graph) -> list[Rule]:
    """The named shapes (one per rule), with their sh:severity and what they ask."""
    if isinstance(shapes, Path) and not shapes.is_file():
        return []
    graph = rdflib.Graph().parse(shapes, format="turtle") if isinstance(shapes, Path) else shapes
    where = f"ontology/{shapes.name}" if isinstance(shapes, Path) else "shapes"
    named = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    rules = []
    for shape in sorted(s for s in named if isinstance(s, rdflib.URIRef)):
        level = graph.value(shape, SH.severity)
        severity = SHACL_SEVERITY.get(str(level), "error") if level is not None else "error"
        label = str(graph.value(shape, RDFS.label) or "")
        text = str(graph.value(shape, SH.message) or label[:1].upper() + label[1:] + ("." if label else ""))
        rules.append(Rule(str(shape).rsplit("#", 1)[-1], "shape", severity, text, where))
    return rules


def catalogue(home: Home | None = None, *, shapes: Path | rdflib.Graph | None = None) -> dict[str, Rule]:
    """Every rule by name: the structural ones, the violation queries and the shapes of ``home`` (or ``shapes``)."""
    if shapes is None:
        shapes = (home or find_home()).shapes
    found: dict[str, Rule] = {}
    for rule in (*STRUCTURAL, *query_rules(), *shape_rules(shapes)):
        if rule.name in found:
            raise ValueError(
                f"two rules are called '{rule.name}': in {found[rule.name].defined_in} and {rule.defined_in}"
            )
        found[rule.name] = rule
    return found


def read_profile(
    path: Path, rules: Mapping[str, Rule], where: str = PROFILE
) -> tuple[dict[str, Severity], list[Problem]]:
    """A home's ``checks-profile.tsv``: one override a line, ``rule<TAB>severity`` (error, warning or info), for
    example ``QuoteLengthShape<TAB>warning``. Blank lines, lines starting with ``#`` and a header line
    ``rule<TAB>severity`` are skipped. A line naming no catalogued rule, a fixed rule or no severity is a
    problem (``checks-profile``), so that a misspelt override is not silently ignored."""
    overrides: dict[str, Severity] = {}
    problems: list[Problem] = []
    if not path.is_file():
        return overrides, problems
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or (number == 1 and line.split("\t") == ["rule", "severity"]):
            continue
        cells = [c.strip() for c in raw.split("\t")]
        error = None
        if len(cells) != 2:
            error = f"'{line}' is not rule<TAB>severity"
        elif cells[0] not in rules:
            error = f"no rule is called '{cells[0]}'"
        elif rules[cells[0]].fixed:
            error = f"the severity of '{cells[0]}' cannot change: without it there is nothing sound to build"
        elif cells[1].lower() not in SEVERITIES:
            error = f"'{cells[1]}' is not a severity"
        if error:
            problems.append(
                Problem(
                    rule="checks-profile",
                    message=error,
                    file=where,
                    line=number,
                    hint="severities: " + ", ".join(SEVERITIES) + "; rules: python -m kb.checks.catalogue",
                    severity="error",
                )
            )
            continue
        overrides[cells[0]] = cast(Severity, cells[1].lower())
    return overrides, problems


@dataclass(frozen=True)
class Policy:
    """How a build judges what it finds: each problem's severity (the profile's override, else the problem's own,
    else its rule's), and whether it blocks (at least as severe as ``fail_on``, or of a fixed rule)."""

    rules: Mapping[str, Rule]
    fail_on: FailOn = "error"
    overrides: Mapping[str, Severity] = field(default_factory=dict)
    profile: str | None = None  # the profile read, relative to the home
    problems: tuple[Problem, ...] = ()  # problems with the profile itself

    def severity(self, problem: Problem) -> Severity:
        rule = self.rules.get(problem.rule)
        if rule is not None and rule.fixed:
            return "error"
        return self.overrides.get(problem.rule) or problem.severity or (rule.severity if rule else "error")

    def judge(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems, each with its severity set."""
        return [replace(p, severity=self.severity(p)) for p in problems]

    def blocks(self, problem: Problem) -> bool:
        rule = self.rules.get(problem.rule)
        return (rule is not None and rule.fixed) or blocks(self.severity(problem), self.fail_on)


def policy_for(home: Home, fail_on: FailOn = "error") -> Policy:
    """The catalogue of ``home``, with the overrides of its ``checks-profile.tsv`` if it has one."""
    rules = catalogue(home)
    path = home.root / PROFILE
    overrides, problems = read_profile(path, rules)
    return Policy(rules, fail_on, overrides, PROFILE if path.is_file() else None, tuple(problems))


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - a convenience for people
    args = sys.argv[1:] if argv is None else argv
    rules = catalogue(find_home(args[0] if args else None))
    print("rule\tkind\tseverity\tdefined in\tmessage")
    for rule in rules.values():
        severity = rule.severity + (" (fixed)" if rule.fixed else "")
        print(f"{rule.name}\t{rule.kind}\t{severity}\t{rule.defined_in}\t{rule.message}")


if __name__ == "__main__":  # pragma: no cover
    main()
