"""Documentation is checked against the code: every command, analysis and class is documented."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from kb.cli import main
from kb.model.paths import queries_dir
from kb.store.querydoc import QueryDoc

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()


def test_every_cli_command_is_in_the_readme() -> None:
    import click

    names = main.list_commands(click.Context(main))
    assert {"build", "query", "serve", "docs", "bench"} <= set(names)  # attached commands are listed too
    missing = [name for name in names if f"alignkb {name}" not in README]
    assert missing == []


def _steps(text: str, heading: str) -> str:
    """The numbered list under a heading of a Markdown file."""
    start = text.index(heading)
    rest = text[start + len(heading) :]
    end = rest.find("\n#")
    return rest if end < 0 else rest[:end]


def test_the_steps_to_add_an_analysis_name_real_places() -> None:
    """Every folder and file the 'Add an analysis' steps name exists for an existing analysis (gaps)."""
    import re

    steps = _steps((ROOT / "kb" / "queries" / "README.md").read_text(), "## Add an analysis")
    paths = re.findall(r"`((?:kb|tests)/[^`]+)`", steps)
    assert len(paths) >= 3
    for path in paths:
        concrete = path.replace("<name>", "gaps")
        assert (ROOT / concrete).exists(), f"the steps name {path}, but {concrete} does not exist"
    assert "--update-golden" in steps and "@step(" in steps and "# step: plain" in steps


def test_readme_quick_start_is_two_make_commands_and_ci_runs_the_second() -> None:
    quick = _steps(README, "## Quick start")
    assert "make serve" in quick and "make test" in quick
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec make test" in ci
    makefile = (ROOT / "Makefile").read_text()
    assert "./setup.sh serve" in makefile and "./setup.sh test" in makefile and "-m pytest" in makefile


def test_every_query_file_has_a_question_header() -> None:
    for path in queries_dir().rglob("*.rq"):
        assert QueryDoc.load(path).meta.get("question"), f"{path.name} has no '# question:' header"


def test_every_analysis_query_states_its_rule_params_and_columns() -> None:
    for path in (queries_dir() / "analyses").glob("cq-*.rq"):
        meta = QueryDoc.load(path).meta
        for key in ("title", "rule", "returns"):
            assert meta.get(key), f"{path.name} lacks '# {key}:'"
        assert "params" in meta, f"{path.name} lacks '# params:'"


def test_every_analysis_is_listed_in_the_readme() -> None:
    names = [QueryDoc.load(p).name for p in (queries_dir() / "analyses").glob("cq-*.rq")]
    missing = [n for n in names if f"`{n}`" not in README]
    assert missing == []


def test_contributing_covers_the_workflow() -> None:
    for step in ("alignkb new-source", "alignkb validate", "alignkb build", "docs/decisions", "alignkb release"):
        assert step in CONTRIBUTING


def test_every_ontology_class_and_property_appears_in_the_generated_documentation(built_home) -> None:
    from webapp import create_app

    graph = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path)
    ak = "https://w3id.org/alignkb/ontology#"
    terms = {
        str(t)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in graph.subjects(RDF.type, kind)
        if str(t).startswith(ak)
    }
    app = create_app({"ALIGNKB_HOME": str(built_home.root), "ALIGNKB_DIST": str(built_home.dist), "TESTING": True})
    docs = app.test_client().get("/ontology.json").get_json()
    documented = {t["iri"] for section in docs["sections"] for t in section["terms"]}
    assert len(terms) > 130
    assert terms - documented == set()


def test_the_steps_to_add_a_source_kind_and_a_check_name_real_places() -> None:
    """Every file the 'Add a kind of source data' and 'Add a check' steps name exists, and the names in code they
    point to are there."""
    import re

    from kb.inputs.sources import READERS
    from kb.inputs.templates import TEMPLATES

    for heading in ("## 10. Add a kind of source data", "## 11. Add a check"):
        steps = _steps(CONTRIBUTING, heading)
        paths = [
            p for p in re.findall(r"`((?:kb|tests|ontology|sources)/[^`<*]+)`", steps) if "." in p or p.endswith("/")
        ]
        assert paths, heading
        for path in paths:
            assert (ROOT / path).exists(), f"{heading} names {path}, which does not exist"
    assert TEMPLATES and any(r.pattern == "*.trig" for r in READERS)
    assert "READERS" in (ROOT / "kb" / "inputs" / "sources.py").read_text()
    assert "STRUCTURAL" in (ROOT / "kb" / "checks" / "catalogue.py").read_text()
