"""Curation: CSV templates become sourced RDF, new-source scaffolds a folder, releases are immutable with a diff."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kb.build import build, check
from kb.cli import main
from kb.release import ReleaseError, make_release
from kb.store import OxigraphStore

from .conftest import DATA, MakeHome

SETS = """@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix kb: <https://w3id.org/alignkb/id/> .
@prefix src: <https://w3id.org/alignkb/source/> .
@prefix ev: <https://w3id.org/alignkb/evidence/example/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ev:sets a ak:Assertion ; prov:wasDerivedFrom src:example ; ak:locator "p1" ; ak:confidence ak:Confirmed .
ev:sets { kb:ex-indicators a ak:IndicatorSet ; rdfs:label "Example indicators" .
          kb:ex-outcomes a ak:OutcomeSet ; rdfs:label "Example outcomes" .
          kb:ex-outcome-1 a ak:Outcome ; rdfs:label "Example outcome" ; ak:inSet kb:ex-outcomes . }
"""
TEMPLATE = (DATA / "templates" / "example.indicators.csv").read_text()


def test_indicator_template_builds_into_sourced_rdf(make_home: MakeHome) -> None:
    home = make_home({"example": {"sets.trig": SETS, "example.indicators.csv": TEMPLATE}})
    build(home)
    store = OxigraphStore.from_dist(home.dist)
    rows = store.select(
        """SELECT ?label ?locator ?confidence WHERE {
             GRAPH ?g { kb:ex-ind-2 rdfs:label ?label ; skos:exactMatch kb:ex-ind-1 }
             ?g ak:locator ?locator ; ak:confidence ?confidence ; prov:wasDerivedFrom src:example }"""
    ).records()
    assert rows == [
        {
            "label": "Example indicator two",
            "locator": "table 1 row 2",
            "confidence": "https://w3id.org/alignkb/ontology#Secondary",
        }
    ]
    assert store.ask("ASK { kb:ex-ind-1 skos:altLabel 'first example'@en ; ak:reportedNationally true }")


def test_template_error_names_file_row_and_column(make_home: MakeHome) -> None:
    broken = TEMPLATE.replace(",true,", ",perhaps,").replace("table 1 row 2,,secondary", "table 1 row 2,,sure")
    home = make_home({"example": {"sets.trig": SETS, "example.indicators.csv": broken}})
    problems = check(home, reason=False).problems
    messages = {(p.file, p.line, p.message.split(":")[0]) for p in problems}
    assert ("sources/example/example.indicators.csv", 2, "row 2, column 'reported_nationally'") in messages
    assert ("sources/example/example.indicators.csv", 3, "row 3, column 'confidence'") in messages


def test_template_with_unknown_column_is_refused(make_home: MakeHome) -> None:
    broken = TEMPLATE.replace("data_source", "datasource", 1)
    home = make_home({"example": {"sets.trig": SETS, "example.indicators.csv": broken}})
    problems = check(home, reason=False).problems
    assert any(p.rule == "template-column" and "datasource" in p.message for p in problems)


def test_template_reference_to_an_undefined_entity_is_a_violation(make_home: MakeHome) -> None:
    broken = TEMPLATE.replace("ex-outcome-1", "ex-outcome-9")
    home = make_home({"example": {"sets.trig": SETS, "example.indicators.csv": broken}})
    problems = check(home, reason=False).problems
    assert {p.rule for p in problems} == {"undefined-entity-violation"}
    assert all(p.file == "sources/example/example.indicators.csv" for p in problems)


def test_new_source_creates_a_valid_citation_record(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({})
    result = runner.invoke(
        main,
        [
            "--home",
            str(home.root),
            "new-source",
            "govscot-example",
            "--title",
            'An "example" page',
            "--publisher",
            "Scottish Government",
            "--url",
            "https://www.gov.scot/example",
            "--issued",
            "2024-05",
            "--template",
            "indicators",
        ],
    )
    assert result.exit_code == 0, result.output
    folder = home.sources / "govscot-example"
    assert sorted(p.name for p in folder.iterdir()) == [
        "assertions.trig",
        "govscot-example.indicators.csv",
        "source.ttl",
    ]
    assert check(home).problems == []


def test_new_source_refuses_an_existing_folder_and_a_bad_id(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"example": {"sets.trig": SETS}})
    base = ["--home", str(home.root), "new-source"]
    result = runner.invoke(main, [*base, "example", "--title", "t", "--publisher", "p", "--url", "https://x"])
    assert result.exit_code == 2 and "already exists" in result.output
    result = runner.invoke(main, [*base, "Bad Id", "--title", "t", "--publisher", "p", "--url", "https://x"])
    assert result.exit_code == 2 and "lower-case" in result.output


def test_release_writes_immutable_artefacts_and_a_diff(make_home: MakeHome, monkeypatch: pytest.MonkeyPatch) -> None:
    import kb

    home = make_home({"example": {"sets.trig": SETS}})
    (home.root / "CHANGES.md").write_text("# Changes\n\n## Unreleased\n\n- work in progress\n")
    monkeypatch.setattr(kb, "__version__", "1.0.0")  # as if pyproject.toml said 1.0.0 (the one version)
    build(home)
    first = make_release(home, "1.0.0")
    names = sorted(p.name for p in first.iterdir())
    assert names == [
        "LICENSE-DATA.md",
        "SHA256SUMS",
        "alignkb.jsonld",
        "alignkb.nq",
        "alignkb.trig",
        "alignkb.ttl",
        "csv",
        "diff.md",
        "release.json",
        "void.ttl",
    ]
    assert oct((first / "alignkb.ttl").stat().st_mode & 0o777) == "0o444"
    manifest = json.loads((first / "release.json").read_text())
    assert manifest["version_iri"] == "https://w3id.org/alignkb/ontology/1.0.0"
    with pytest.raises(ReleaseError, match="never edited"):
        make_release(home, "1.0.0")
    with pytest.raises(ReleaseError, match=r"pyproject\.toml"):
        make_release(home, "1.1.0")  # the build is 1.0.0: one version for the package, ontology and release

    (home.sources / "example" / "more.indicators.csv").write_text(TEMPLATE)
    monkeypatch.setattr(kb, "__version__", "1.1.0")
    build(home)
    second = make_release(home, "1.1.0")
    diff = (second / "diff.md").read_text()
    assert "changes since 1.0.0" in diff and "kb:ex-ind-1" in diff and "2 entities added" in diff
    assert "1.1.0" in (home.root / "CHANGES.md").read_text()
    csv_text = (second / "csv" / "Indicator.csv").read_text()
    assert "Example indicator two" in csv_text


def test_docs_writes_static_ontology_documentation_with_the_diagram(runner: CliRunner, built_home, tmp_path) -> None:
    out = tmp_path / "docs"
    result = runner.invoke(
        main, ["--home", str(built_home.root), "--dist", str(built_home.dist), "docs", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    assert 'src="core-classes.svg"' in html and "Plan or report requirement".lower() in html.lower()
    assert (out / "core-classes.svg").read_text().startswith("<svg")
    assert "ak:Requirement" in (out / "ontology.ttl").read_text()


def test_ontology_page_serves_the_core_class_diagram(built_home) -> None:
    from webapp import create_app

    app = create_app({"ALIGNKB_HOME": str(built_home.root), "ALIGNKB_DIST": str(built_home.dist), "TESTING": True})
    client = app.test_client()
    response = client.get("/ontology/diagram.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"legalBasis" in response.data
    assert b'src="/ontology/diagram.svg"' in client.get("/ontology").data
