"""Tabular templates: CSV files that the build turns into sourced RDF, like ROBOT templates.

A template is ``sources/<id>/<name>.<kind>.csv`` where ``<kind>`` is one of TEMPLATES. Each row becomes one
entity in its own evidence graph ``evidence/<id>/<name>/<row id>``, described with the row's ``locator``,
``quote`` and ``confidence``. Columns name what they hold; list cells separate values with ``;``. Entity cells
take a ``kb:`` slug (``inverclyde``), a prefixed name (``ak:bt-health-board``) or a full IRI. Problems name the
file, the row (its line in the file) and the column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kb.model.namespace import AK, EVIDENCE, KB, PREFIXES, PROVENANCE_GRAPH, SRC
from kb.model.problems import Problem

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SKOS = PREFIXES["skos"]
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

CONFIDENCE = {"confirmed": "Confirmed", "secondary": "Secondary", "unconfirmed": "Unconfirmed"}
DELEGATION = {
    "delegated": "Delegated",
    "not delegated": "NotDelegated",
    "partly delegated": "PartlyDelegated",
    "proposed": "ProposedDelegation",
    "undelegated": "Undelegated",
}
CYCLES = {
    "quarterly": "Quarterly",
    "annual": "Annual",
    "two-yearly": "Biennial",
    "biennial": "Biennial",
    "three-yearly": "ThreeYearly",
    "four-yearly": "FourYearly",
    "five-yearly": "FiveYearly",
    "once": "OneOff",
    "kept under review": "KeptUnderReview",
    "on request": "OnRequest",
    "unknown": "CycleUnknown",
}
STATUSES = {
    "enacted": "Enacted",
    "in force": "InForce",
    "partly in force": "PartlyInForce",
    "prospective": "Prospective",
    "repealed": "Repealed",
    "superseded": "Superseded",
    "proposed": "Proposed",
    "withdrawn": "Withdrawn",
    "current": "Current",
    "retired": "Retired",
}


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


def _term(text: str) -> ox.NamedNode:
    value = text.strip()
    if value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    if ":" in value:
        prefix, local = value.split(":", 1)
        if prefix not in PREFIXES:
            raise CellError(f"unknown prefix '{prefix}:' (known: {', '.join(sorted(PREFIXES))})")
        return ox.NamedNode(PREFIXES[prefix] + local)
    if not SLUG.match(value):
        raise CellError(f"'{value}' is not a kb: slug (lower-case letters, digits and hyphens)")
    return ox.NamedNode(str(KB[value]))


def _controlled(choices: dict[str, str]) -> Callable[[str], ox.NamedNode]:
    def read(text: str) -> ox.NamedNode:
        key = text.strip().lower()
        if key not in choices:
            raise CellError(f"'{text}' is not one of: {', '.join(choices)}")
        return ox.NamedNode(str(AK._NS) + choices[key])

    return read


def _date(text: str) -> ox.Literal:
    try:
        date.fromisoformat(text.strip())
    except ValueError as err:
        raise CellError(f"'{text}' is not a date (write YYYY-MM-DD)") from err
    return ox.Literal(text.strip(), datatype=ox.NamedNode(XSD + "date"))


def _integer(text: str) -> ox.Literal:
    if not re.fullmatch(r"-?\d+", text.strip()):
        raise CellError(f"'{text}' is not a whole number")
    return ox.Literal(text.strip(), datatype=ox.NamedNode(XSD + "integer"))


def _decimal(text: str) -> ox.Literal:
    if not re.fullmatch(r"-?\d+(\.\d+)?", text.strip()):
        raise CellError(f"'{text}' is not a number")
    return ox.Literal(text.strip(), datatype=ox.NamedNode(XSD + "decimal"))


def _boolean(text: str) -> ox.Literal:
    key = text.strip().lower()
    if key not in {"true", "false", "yes", "no"}:
        raise CellError(f"'{text}' is not true or false")
    return ox.Literal("true" if key in {"true", "yes"} else "false", datatype=ox.NamedNode(XSD + "boolean"))


def _text(text: str) -> ox.Literal:
    return ox.Literal(text.strip(), language="en")


def _plain(text: str) -> ox.Literal:
    return ox.Literal(text.strip())


@dataclass(frozen=True)
class Column:
    """One template column: the property it fills, how to read a cell, whether it may hold a ;-list."""

    name: str
    predicate: str
    read: Callable[[str], ox.NamedNode | ox.Literal]
    many: bool = False
    required: bool = False
    help: str = ""


def _col(name: str, predicate: str, read: Callable[[str], ox.NamedNode | ox.Literal], **kw: object) -> Column:
    return Column(name, predicate, read, **kw)  # type: ignore[arg-type]


AKNS = str(AK._NS)
COMMON = (
    _col("label", "http://www.w3.org/2000/01/rdf-schema#label", _text, required=True, help="official name"),
    _col("alt_labels", SKOS + "altLabel", _text, many=True, help="variants, abbreviations; separate with ;"),
    _col("definition", SKOS + "definition", _text, help="what it is, in your own words"),
)


@dataclass(frozen=True)
class Template:
    kind: str
    cls: str
    columns: tuple[Column, ...]
    description: str

    @property
    def header(self) -> list[str]:
        return ["id", *(c.name for c in self.columns), "locator", "quote", "confidence"]


TEMPLATES: dict[str, Template] = {
    t.kind: t
    for t in (
        Template(
            "indicators",
            AKNS + "Indicator",
            (
                *COMMON,
                _col("set", AKNS + "inSet", _term, many=True, required=True, help="indicator set slug"),
                _col("notation", SKOS + "notation", _plain, help="code, e.g. CHN 9"),
                _col("measure", AKNS + "measureDefinition", _plain, help="how it is calculated"),
                _col("data_source", AKNS + "dataSource", _plain),
                _col("measures", AKNS + "measures", _term, many=True, help="outcome slugs"),
                _col("collected_by", AKNS + "collectedBy", _term, many=True),
                _col("reported_nationally", AKNS + "reportedNationally", _boolean),
                _col("exact_match", SKOS + "exactMatch", _term, many=True),
                _col("close_match", SKOS + "closeMatch", _term, many=True),
            ),
            "an indicator set: one indicator per row",
        ),
        Template(
            "outcomes",
            AKNS + "Outcome",
            (
                *COMMON,
                _col("set", AKNS + "inSet", _term, many=True, required=True, help="outcome set slug"),
                _col("order", AKNS + "order", _integer),
                _col("contributes_to", AKNS + "contributesTo", _term, many=True),
                _col("exact_match", SKOS + "exactMatch", _term, many=True),
                _col("close_match", SKOS + "closeMatch", _term, many=True),
            ),
            "an outcome list: one outcome per row",
        ),
        Template(
            "delegation",
            AKNS + "DelegationArrangement",
            (
                _col("label", "http://www.w3.org/2000/01/rdf-schema#label", _text, required=True),
                _col("area", AKNS + "inArea", _term, required=True, help="council area slug"),
                _col("service_category", AKNS + "serviceCategory", _term, required=True),
                _col(
                    "status",
                    AKNS + "delegationStatus",
                    _controlled(DELEGATION),
                    required=True,
                    help="delegated | not delegated | partly delegated | proposed | undelegated",
                ),
                _col("delegated_to", AKNS + "delegatedTo", _term),
                _col("as_at", AKNS + "asAt", _date, required=True, help="YYYY-MM-DD"),
            ),
            "a delegation table: one area and service category per row",
        ),
        Template(
            "requirements",
            AKNS + "Requirement",
            (
                *COMMON,
                _col("legal_basis", AKNS + "legalBasis", _term, many=True, help="provision slugs"),
                _col("statutory", AKNS + "statutory", _boolean, required=True),
                _col("basis_document", AKNS + "basisDocument", _term, many=True),
                _col(
                    "preparers", AKNS + "preparerType", _term, many=True, required=True, help="e.g. ak:bt-health-board"
                ),
                _col("jointly", AKNS + "jointlyPrepared", _boolean),
                _col("cycle", AKNS + "cycle", _controlled(CYCLES), required=True, help=" | ".join(CYCLES)),
                _col("period_years", AKNS + "periodYears", _decimal),
                _col("due_rule", AKNS + "dueRule", _plain),
                _col("recipients", AKNS + "recipient", _term, many=True),
                _col("must_address", AKNS + "mustAddress", _term, many=True),
                _col("consultees", AKNS + "consultee", _term, many=True),
                _col("covers_service", AKNS + "coversService", _term, many=True),
                _col("covers_population", AKNS + "coversPopulation", _term, many=True),
                _col("reports_indicator", AKNS + "reportsIndicator", _term, many=True),
                _col("reports_on", AKNS + "reportsOn", _term, many=True),
                _col("status", AKNS + "status", _controlled(STATUSES)),
                _col("valid_from", AKNS + "validFrom", _date),
                _col("valid_until", AKNS + "validUntil", _date),
            ),
            "plan and report requirements: one per row; the 'type' column says plan or report",
        ),
        Template(
            "plans",
            AKNS + "Plan",
            (
                *COMMON,
                _col("realises", AKNS + "realises", _term, many=True),
                _col("area", AKNS + "forArea", _term, many=True, required=True),
                _col("prepared_by", AKNS + "preparedBy", _term, many=True),
                _col("period_start", AKNS + "periodStart", _date),
                _col("period_end", AKNS + "periodEnd", _date),
                _col("addresses", AKNS + "addresses", _term, many=True),
            ),
            "a plan register: one concrete plan or report per row",
        ),
        Template(
            "sets",
            AKNS + "IndicatorSet",
            (
                *COMMON,
                _col("framework", AKNS + "inFramework", _term, many=True, help="policy framework slug"),
                _col("set_out_in", AKNS + "setOutIn", _term, many=True, help="instrument, provision or document"),
                _col("status", AKNS + "status", _controlled(STATUSES)),
                _col("valid_from", AKNS + "validFrom", _date),
                _col("valid_until", AKNS + "validUntil", _date),
            ),
            "outcome sets, indicator sets and frameworks: one per row; the 'type' column says which",
        ),
    )
}
REQUIREMENT_TYPES = {"plan": AKNS + "PlanRequirement", "report": AKNS + "ReportRequirement"}
SET_TYPES = {
    "indicator set": AKNS + "IndicatorSet",
    "outcome set": AKNS + "OutcomeSet",
    "framework": AKNS + "PolicyFramework",
}
TYPED_KINDS = {"requirements": REQUIREMENT_TYPES, "sets": SET_TYPES}


def template_kind(path: Path) -> str | None:
    """``x.indicators.csv`` → ``indicators``; None for a CSV that is not a template."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) >= 3 and parts[-1] == "csv" and parts[-2] in TEMPLATES else None


def read_template(
    path: Path, source_id: str, where: str, problems: list[Problem]
) -> tuple[list[ox.Quad], dict[str, str]]:
    """Turn one template into quads (entity graphs + provenance); return them and {graph: file}."""
    kind = template_kind(path)
    assert kind is not None
    template = TEMPLATES[kind]
    stem = path.name[: -len(f".{kind}.csv")]
    quads: list[ox.Quad] = []
    graphs: dict[str, str] = {}
    provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
    source = ox.NamedNode(str(SRC[source_id]))
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        allowed = set(template.header) | ({"type"} if kind in TYPED_KINDS else set())
        for name in header:
            if name not in allowed:
                problems.append(
                    Problem(
                        rule="template-column",
                        file=where,
                        line=1,
                        message=f"unknown column '{name}' in a {kind} template",
                        hint="columns: " + ", ".join(sorted(allowed)),
                    )
                )
        for name in ("id", "locator", "confidence", *(c.name for c in template.columns if c.required)):
            if name not in header:
                problems.append(
                    Problem(
                        rule="template-column",
                        file=where,
                        line=1,
                        message=f"missing column '{name}'",
                        hint="columns: " + ", ".join(template.header),
                    )
                )
        if any(p.file == where and p.rule == "template-column" for p in problems):
            return [], {}
        for row in reader:
            line = reader.line_num

            def fail(column: str, message: str, hint: str | None = None, line: int = line) -> None:
                problems.append(
                    Problem(
                        rule="template-cell",
                        file=where,
                        line=line,
                        message=f"row {line}, column '{column}': {message}",
                        hint=hint,
                    )
                )

            slug = (row.get("id") or "").strip()
            if not SLUG.match(slug):
                fail("id", f"'{slug}' is not a slug (lower-case letters, digits, hyphens)")
                continue
            subject = ox.NamedNode(str(KB[slug]))
            graph = ox.NamedNode(f"{EVIDENCE}{source_id}/{stem}/{slug}")
            if graph.value in graphs:
                fail("id", f"id '{slug}' appears twice in this file")
                continue
            graphs[graph.value] = where
            cls = template.cls
            if kind in TYPED_KINDS:
                types = TYPED_KINDS[kind]
                kind_cell = (row.get("type") or "").strip().lower()
                if kind_cell not in types:
                    fail("type", f"'{kind_cell}' must be one of: {', '.join(types)}")
                    continue
                cls = types[kind_cell]
            quads.append(ox.Quad(subject, RDF_TYPE, ox.NamedNode(cls), graph))
            for column in template.columns:
                cell = (row.get(column.name) or "").strip()
                if not cell:
                    if column.required:
                        fail(column.name, "is required", column.help or None)
                    continue
                values = [v for v in (cell.split(";") if column.many else [cell]) if v.strip()]
                for value in values:
                    try:
                        obj = column.read(value)
                    except CellError as err:
                        fail(column.name, str(err), column.help or None)
                        continue
                    quads.append(ox.Quad(subject, ox.NamedNode(column.predicate), obj, graph))
            locator = (row.get("locator") or "").strip()
            if not locator:
                fail("locator", "every row needs a locator (where in the source it comes from)")
            confidence = (row.get("confidence") or "").strip().lower()
            if confidence not in CONFIDENCE:
                fail("confidence", f"'{confidence}' is not one of: confirmed, secondary, unconfirmed")
                confidence = "unconfirmed"
            record: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
                (RDF_TYPE, ox.NamedNode(AKNS + "Assertion")),
                (PROV_DERIVED, source),
                (ox.NamedNode(AKNS + "confidence"), ox.NamedNode(AKNS + CONFIDENCE[confidence])),
                (RDFS_COMMENT, ox.Literal(f"From template {path.name}, row {line}.", language="en")),
            ]
            if locator:
                record.append((ox.NamedNode(AKNS + "locator"), ox.Literal(locator)))
            quote = (row.get("quote") or "").strip()
            if quote:
                record.append((ox.NamedNode(AKNS + "quote"), ox.Literal(quote)))
            quads.extend(ox.Quad(graph, p, o, provenance) for p, o in record)
    return quads, graphs


def write_blank(path: Path, kind: str) -> None:
    """Write a template with its header row only."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        header = TEMPLATES[kind].header
        if kind in TYPED_KINDS:
            header = ["id", "type", *header[1:]]
        csv.writer(handle, lineterminator="\n").writerow(header)
