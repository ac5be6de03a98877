"""Incremental SHACL finds exactly what validating everything finds, across folders, and skips what is unchanged."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kb.build import build, check
from kb.checks import incremental
from kb.checks.incremental import RECORD, Record, reach, readable
from kb.checks.shacl import run_shacl, to_rdflib
from kb.inputs.templates import SKOS, TEMPLATES
from kb.model.paths import Home
from kb.model.problems import BuildFailed

from .conftest import DATA, MakeHome
from .test_curation import SETS

BASE = (DATA / "shapes" / "valid-complete.trig").read_text()
HEAD = """@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix kb: <https://w3id.org/alignkb/id/> .
@prefix src: <https://w3id.org/alignkb/source/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def folder(name: str, body: str) -> str:
    """A data file of folder ``name``: one assertion graph holding ``body``."""
    ev = f"<https://w3id.org/alignkb/evidence/{name}/a>"
    return (
        HEAD
        + f'{ev} a ak:Assertion ; prov:wasDerivedFrom src:{name} ; ak:locator "para 1" ; ak:confidence ak:Confirmed .\n'
        + f"{ev} {{\n{body}\n}}\n"
    )


# kept: an arrangement in an area that the changing folder types, and a section in a part of a document there
KEPT = """
kb:deleg-y a ak:DelegationArrangement ; rdfs:label "Area Y: category delegated" ; ak:inArea kb:area-y ;
    ak:serviceCategory kb:sc-x ; ak:delegationStatus ak:Delegated ; ak:asAt "2022-03-07"^^xsd:date .
kb:part-2 a ak:Part ; rdfs:label "Document two, Part 2" ; ak:partOf kb:doc-2 .
kb:s9 a ak:Section ; rdfs:label "Document two, s.9" ; ak:partOf kb:part-2 .
"""
CHANGING = """
kb:area-y a ak:CouncilArea ; rdfs:label "Area Y" .
kb:doc-2 a ak:PolicyDocument ; rdfs:label "Document two" .
"""


def problems(home: Home, previous: Record | None) -> tuple[str, set[tuple[str, str | None]]]:
    checked = check(home, reason=False, previous=previous)
    return str(checked.shacl.get("mode")), {(p.rule, p.focus) for p in checked.problems}


# A rule that reads along ak:partOf+ (the shipped shapes have none since the legislation-id rule became a
# violation query): the scope must follow such chains across folders.
CHAIN_SHAPE = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
aksh:ChainShape a sh:NodeShape ;
    rdfs:label "provisions of Acts have a legislation id"@en ;
    sh:targetClass ak:Provision ;
    sh:or ( [ sh:path ak:legislationId ; sh:minCount 1 ]
            [ sh:not [ sh:path ( [ sh:oneOrMorePath ak:partOf ] rdf:type ) ; sh:hasValue ak:Act ] ] ) ;
    sh:message "A provision of an Act needs its legislation id."@en .
"""


@pytest.fixture
def home(make_home: MakeHome) -> Home:
    made = make_home(
        {
            "valid-complete": {"data.trig": BASE},
            "kept": {"data.trig": folder("kept", KEPT)},
            "changing": {"data.trig": folder("changing", CHANGING)},
        }
    )
    made.shapes.write_text(made.shapes.read_text() + CHAIN_SHAPE)
    report = build(made, reason=False)
    assert report["shacl"] == {"mode": "full"}
    assert (made.dist / RECORD).is_file()
    return made


def edit(home: Home, name: str, body: str) -> None:
    path = home.sources / name
    path.mkdir(exist_ok=True)
    (path / "data.trig").write_text(folder(name, body))
    if not (path / "source.ttl").exists():
        (path / "source.ttl").write_text((home.sources / "kept" / "source.ttl").read_text().replace("kept", name))


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("changing", CHANGING + "kb:area-z a ak:CouncilArea ; rdfs:label 'Area Z' .", set()),
        # a value typed in the changing folder no longer has its class: found on the kept arrangement
        ("changing", "kb:doc-2 a ak:PolicyDocument ; rdfs:label 'Document two' .", {"DelegationArrangementShape"}),
        # the document becomes an Act: the kept part and section (partOf+ it) need legislation ids
        (
            "changing",
            CHANGING.replace(
                "ak:PolicyDocument", "ak:Act ; ak:legislationId <https://www.legislation.gov.uk/id/asp/2099/1>"
            ),
            {"ChainShape"},
        ),
        # a new folder adds a second status to an arrangement of another folder
        ("newcomer", "kb:deleg-x ak:delegationStatus ak:NotDelegated .", {"DelegationArrangementShape"}),
    ],
    ids=["harmless-addition", "class-lost-across-folders", "part-of-chain-across-folders", "new-folder"],
)
def test_incremental_validation_finds_what_a_full_validation_finds(
    home: Home, name: str, body: str, expected: set[str]
) -> None:
    edit(home, name, body)
    mode, incremental = problems(home, Record.load(home.dist))
    _, full = problems(home, None)
    assert mode == "incremental"
    assert incremental == full
    shacl_rules = {rule for rule, _focus in incremental if rule.endswith("Shape")}
    assert shacl_rules == expected, incremental


def test_nothing_changed_means_nothing_validated_again(home: Home) -> None:
    report = build(home, reason=False)
    assert report["shacl"] == {"mode": "unchanged"}


def test_a_changed_model_is_validated_whole(home: Home) -> None:
    home.shapes.write_text(home.shapes.read_text() + "\n# edited\n")
    edit(home, "changing", CHANGING + "kb:area-z a ak:CouncilArea ; rdfs:label 'Area Z' .")
    assert problems(home, Record.load(home.dist))[0] == "full"


def test_a_failed_build_keeps_the_record_of_the_last_good_one(home: Home) -> None:
    before = (home.dist / RECORD).read_text()
    edit(home, "changing", "kb:doc-2 a ak:PolicyDocument ; rdfs:label 'Document two' .")
    with pytest.raises(BuildFailed):
        build(home, reason=False)
    assert (home.dist / RECORD).read_text() == before
    edit(home, "changing", CHANGING)
    assert build(home, reason=False)["shacl"] == {"mode": "unchanged"}


# A rule whose target predicate is on no path, and a value whose class comes from a subclass axiom.
OFF_PATH_TARGET = """
@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:test:DescribedShape> a sh:PropertyShape ; sh:targetSubjectsOf ak:description ;
    sh:path ak:inArea ; sh:minCount 1 ; sh:class ak:Area ; sh:message "described things have an area"@en .
"""
DATA_TTL = """
@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:test:area> a <urn:test:Council> ; ak:description "an area" ; ak:inArea <urn:test:area> .
<urn:test:Council> rdfs:subClassOf ak:Area .
<urn:test:lost> ak:description "no area" ; rdfs:comment "not read by any shape" .
<urn:test:wrong> ak:description "area of the wrong class" ; ak:inArea <urn:test:lost> .
"""


def test_the_statements_given_to_shacl_are_those_the_shapes_read() -> None:
    shapes = rdflib.Graph().parse(data=OFF_PATH_TARGET, format="turtle")
    store = ox.Store()
    store.load(DATA_TTL.encode(), ox.RdfFormat.TURTLE)
    how_far = reach(shapes)
    assert how_far is not None
    kept = {q.predicate.value for q in readable(store, how_far)}
    assert kept == {str(p) for p in (rdflib.RDF.type, rdflib.RDFS.subClassOf)} | {
        "https://w3id.org/alignkb/ontology#description",
        "https://w3id.org/alignkb/ontology#inArea",
    }
    whole = run_shacl(to_rdflib(store.quads_for_pattern(None, None, None, None)), shapes)
    read = run_shacl(to_rdflib(readable(store, how_far)), shapes)
    assert {(p.focus, p.message) for p in read} == {(p.focus, p.message) for p in whole}
    assert {p.focus for p in read} == {"urn:test:lost", "urn:test:wrong"}


def test_shapes_that_may_read_anything_are_given_everything() -> None:
    closed = OFF_PATH_TARGET.replace("sh:minCount 1 ;", "sh:minCount 1 ; sh:closed true ;")
    assert reach(rdflib.Graph().parse(data=closed, format="turtle")) is None
    store = ox.Store()
    store.load(DATA_TTL.encode(), ox.RdfFormat.TURTLE)
    assert len(list(readable(store, None))) == len(store)


SET_COLUMN = '_col("set", AKNS + "inSet", _term, many=True, required=True, help="indicator set slug")'


def test_a_change_to_the_code_that_reads_the_sources_is_validated_whole(
    make_home: MakeHome, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The sources do not change, but the code that turns them into quads does: the indicators template's ``set``
    column now fills skos:related instead of ak:inSet. The record's fingerprint covers that code, so the next
    build validates everything and finds indicators without a set; fingerprints of the data alone would say
    nothing changed, and SHACL would not run."""
    template = (DATA / "templates" / "example.indicators.csv").read_text()
    home = make_home({"example": {"sets.trig": SETS, "example.indicators.csv": template}})
    assert build(home, reason=False)["shacl"] == {"mode": "full"}
    assert build(home, reason=False)["shacl"] == {"mode": "unchanged"}
    # the edit, in a copy of the code the fingerprint reads …
    code = tmp_path / "code"
    for root in incremental.CODE:
        shutil.copytree(root, code / root.name, ignore=shutil.ignore_patterns("__pycache__"))
    source = code / "inputs" / "templates.py"
    assert SET_COLUMN in source.read_text()
    source.write_text(source.read_text().replace(SET_COLUMN, SET_COLUMN.replace('AKNS + "inSet"', 'SKOS + "related"')))
    monkeypatch.setattr(incremental, "CODE", tuple(code / root.name for root in incremental.CODE))
    # … and in the code that runs
    indicators = TEMPLATES["indicators"]
    columns = tuple(replace(c, predicate=SKOS + "related") if c.name == "set" else c for c in indicators.columns)
    monkeypatch.setitem(TEMPLATES, "indicators", replace(indicators, columns=columns))
    checked = check(home, reason=False, previous=Record.load(home.dist))
    assert checked.shacl["mode"] == "full"
    with pytest.raises(BuildFailed) as failed:
        build(home, reason=False)
    assert {(p.rule, p.focus) for p in failed.value.problems} == {
        ("IndicatorSetShape", "https://w3id.org/alignkb/id/ex-ind-1"),
        ("IndicatorSetShape", "https://w3id.org/alignkb/id/ex-ind-2"),
    }


def test_the_code_digest_reads_the_source_text_of_the_code(tmp_path: Path) -> None:
    code = tmp_path / "inputs"
    code.mkdir()
    (code / "reader.py").write_text("PREDICATE = 'inSet'\n")
    before = incremental.code_digest([code])
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "reader.cpython-311.pyc").write_bytes(b"compiled")
    assert incremental.code_digest([code]) == before
    (code / "reader.py").write_text("PREDICATE = 'related'\n")
    assert incremental.code_digest([code]) != before
    assert {root.name for root in incremental.CODE} == {"inputs", "checks", "model"}
