"""Every rule catches its invalid fixture, and the valid fixture passes all of them.

Fixtures live in tests/data/shapes/: ``<case>.trig`` with a header ``# expect: <rule> …`` (or ``none``),
and optionally ``<case>.source.ttl`` to replace the generated citation record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from kb.build import check
from kb.checks.shacl import run_shacl, violation_queries
from kb.model.paths import Home
from kb.model.problems import Problem

from .conftest import DATA, MakeHome

CASES = sorted((DATA / "shapes").glob("*.trig"))


def expected_rules(path: Path) -> set[str]:
    for line in path.read_text().splitlines():
        if line.startswith("# expect:"):
            rules = set(line.split(":", 1)[1].split())
            return set() if rules == {"none"} else rules
    raise AssertionError(f"{path.name} has no '# expect:' header")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixture_reports_exactly_the_expected_rules(case: Path, make_home: MakeHome) -> None:
    files = {"data.trig": case.read_text()}
    record = case.with_name(case.stem + ".source.ttl")
    if record.exists():
        files["source.ttl"] = record.read_text()
    home = make_home({case.stem: files})
    if "# mode: shacl-only" in files["data.trig"]:
        problems = shacl_only(home)
    else:
        problems = check(home, reason=case.stem.startswith("valid")).problems
    assert {p.rule for p in problems} == expected_rules(case), [str(p) for p in problems]


def shacl_only(home: Home) -> list[Problem]:
    """Run the SHACL shapes alone on the union of everything in the home, skipping the structural checks."""
    data = rdflib.Graph()
    for path in [*home.ontology_files(), *home.sources.glob("*/source.ttl")]:
        data.parse(path, format="turtle")
    for path in home.sources.glob("*/*.trig"):
        dataset = rdflib.Dataset()
        dataset.parse(path, format="trig")
        for s, p, o, _g in dataset.quads((None, None, None, None)):
            data.add((s, p, o))
    return run_shacl(data, home.shapes)


def rules(shapes: rdflib.Graph) -> set[rdflib.URIRef]:
    """The named shapes: one per rule (property shapes inside them are blank nodes)."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if isinstance(s, rdflib.URIRef)}


def test_every_rule_has_an_invalid_fixture(repo_home) -> None:
    names = {str(s).rsplit("#", 1)[-1] for s in rules(rdflib.Graph().parse(repo_home.shapes))}
    names |= {doc.name for doc in violation_queries()}
    assert len(names) > 20
    covered = set().union(*(expected_rules(c) for c in CASES))
    assert names - covered == set()


def test_every_shape_states_its_rule_in_a_message(repo_home) -> None:
    shapes = rdflib.Graph().parse(repo_home.shapes)
    for shape in rules(shapes):
        messages = list(shapes.objects(shape, SH.message))
        for prop in shapes.objects(shape, SH.property):
            messages += list(shapes.objects(prop, SH.message))
        for sparql in shapes.objects(shape, SH.sparql):
            messages += list(shapes.objects(sparql, SH.message))
        assert messages, f"{shape} has no sh:message"


def test_problem_names_the_file_of_the_offending_entity(make_home: MakeHome) -> None:
    home = make_home({"missing-locator": {"data.trig": (DATA / "shapes" / "missing-locator.trig").read_text()}})
    # the locator rule is about the assertion, which lives in the provenance graph; the label rule names the file
    text = (DATA / "shapes" / "unlabelled-entity.trig").read_text()
    home = make_home({"unlabelled-entity": {"data.trig": text}})
    problem = check(home, reason=False).problems[0]
    assert problem.file == "sources/unlabelled-entity/data.trig"
    assert problem.focus == "https://w3id.org/alignkb/id/pop-x"
    assert "rdfs:label" in problem.message


def test_provisions_of_acts_need_a_legislation_id_and_other_provisions_do_not(make_home: MakeHome) -> None:
    text = (DATA / "shapes" / "section-without-legislation-id.trig").read_text()
    home = make_home({"section-without-legislation-id": {"data.trig": text}})
    [problem] = check(home, reason=False).problems
    assert problem.focus == "https://w3id.org/alignkb/id/act-s2"
    assert problem.file == "sources/section-without-legislation-id/data.trig"
    assert "part of <https://w3id.org/alignkb/id/act>," in problem.message
    assert problem.hint and "legislation.gov.uk" in problem.hint
