"""Checks as data: every rule is catalogued with a severity; warnings are shown, never dropped, and block only when
--fail-on or the home's checks-profile.tsv says so."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kb.build import build, check
from kb.checks.catalogue import PROFILE, STRUCTURAL, catalogue, query_rules, shape_rules
from kb.checks.shacl import run_shacl, violation_queries
from kb.cli import main
from kb.model.paths import Home
from kb.model.problems import SEVERITIES, BuildFailed, blocks
from kb.store.querydoc import QueryDoc

from .conftest import DATA, SOURCE_TTL, MakeHome

KB = Path(__file__).resolve().parent.parent / "kb"
GOOD = (DATA / "shapes" / "valid-complete.trig").read_text()
WARNING_SHAPE = (DATA / "shapes" / "indicator-definition.warning.ttl").read_text()
WARNING = "IndicatorDefinitionShape"
IND = "https://w3id.org/alignkb/id/ind-1"


def args(home: Home, *rest: str) -> list[str]:
    return ["--home", str(home.root), "--dist", str(home.dist), *rest]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def warned(make_home: MakeHome) -> Home:
    """The valid fixture, with a warning-severity shape that its indicator (no skos:definition) breaks."""
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    home.shapes.write_text(home.shapes.read_text() + WARNING_SHAPE)
    return home


def test_a_warning_is_shown_after_a_good_build_and_listed_in_the_report(runner: CliRunner, warned: Home) -> None:
    result = runner.invoke(main, args(warned, "build", "-q", "--no-reason"))
    assert result.exit_code == 0, result.output
    assert "built" in result.output
    assert f"warning [{WARNING}]" in result.output and "1 warning(s), not blocking" in result.output
    checks = json.loads((warned.dist / "report.json").read_text())["checks"]
    assert checks["fail_on"] == "error" and checks["counts"] == {"error": 0, "warning": 1, "info": 0}
    [problem] = checks["problems"]
    assert (problem["rule"], problem["severity"], problem["focus"]) == (WARNING, "warning", IND)
    assert problem["file"] == "sources/valid-complete/data.trig"
    validated = runner.invoke(main, args(warned, "validate", "--no-reason"))
    assert validated.exit_code == 0 and f"warning [{WARNING}]" in validated.output


def test_the_same_warning_fails_the_build_with_fail_on_warning(runner: CliRunner, warned: Home) -> None:
    assert runner.invoke(main, args(warned, "build", "-q", "--no-reason")).exit_code == 0
    before = snapshot(warned.dist)
    result = runner.invoke(main, args(warned, "build", "-q", "--no-reason", "--fail-on", "warning"))
    assert result.exit_code == 1
    assert f"warning [{WARNING}]" in result.output and "dist/ left unchanged" in result.output
    assert snapshot(warned.dist) == before
    validated = runner.invoke(main, args(warned, "validate", "--no-reason", "--fail-on", "warning"))
    assert validated.exit_code == 1 and WARNING in validated.output


def test_a_warning_is_reported_again_by_builds_that_do_not_validate_it_again(warned: Home) -> None:
    assert build(warned, reason=False)["shacl"] == {"mode": "full"}
    again = build(warned, reason=False)
    assert again["shacl"] == {"mode": "unchanged"}
    assert [p["rule"] for p in again["checks"]["problems"]] == [WARNING]  # type: ignore[index]
    with pytest.raises(BuildFailed) as failed:  # and it blocks when asked to, though SHACL did not run again
        build(warned, reason=False, fail_on="warning")
    assert [p.rule for p in failed.value.problems] == [WARNING]
    other = warned.sources / "other"
    other.mkdir()
    (other / "source.ttl").write_text(SOURCE_TTL.format(name="other"))
    incremental = build(warned, reason=False)
    assert incremental["shacl"]["mode"] == "incremental"  # type: ignore[index]
    assert [p["focus"] for p in incremental["checks"]["problems"]] == [IND]  # type: ignore[index]


def test_a_profile_overrides_the_severity_of_a_rule(make_home: MakeHome) -> None:
    home = make_home(
        {
            "missing-locator": {"data.trig": (DATA / "shapes" / "missing-locator.trig").read_text()},
            "undefined-reference": {"data.trig": (DATA / "shapes" / "undefined-reference.trig").read_text()},
        }
    )
    assert {p.rule for p in check(home, reason=False).blocking} == {
        "AssertionLocatorShape",
        "undefined-entity-violation",
    }
    (home.root / PROFILE).write_text(
        "rule\tseverity\n# curators fix these later\nAssertionLocatorShape\twarning\nundefined-entity-violation\tinfo\n"
    )
    checked = check(home, reason=False)
    assert checked.blocking == []
    assert {(p.rule, p.severity) for p in checked.notes} == {
        ("AssertionLocatorShape", "warning"),
        ("undefined-entity-violation", "info"),
    }
    report = build(home, reason=False)
    assert report["checks"]["profile"] == PROFILE  # type: ignore[index]
    assert {p["severity"] for p in report["checks"]["problems"]} == {"warning", "info"}  # type: ignore[index]
    with pytest.raises(BuildFailed):
        build(home, reason=False, fail_on="info")


def test_a_profile_can_make_a_warning_an_error(warned: Home) -> None:
    (warned.root / PROFILE).write_text(f"{WARNING}\terror\n")
    with pytest.raises(BuildFailed) as failed:
        build(warned, reason=False)
    assert [(p.rule, p.severity) for p in failed.value.problems] == [(WARNING, "error")]


def test_a_profile_line_that_cannot_apply_is_a_problem_that_always_blocks(runner: CliRunner, warned: Home) -> None:
    (warned.root / PROFILE).write_text(
        f"{WARNING[:-2]}\twarning\nsyntax\twarning\nLabelShape\tsevere\nLabelShape warning\nLabelShape\tinfo\n"
    )
    checked = check(warned, reason=False, fail_on="none")
    assert [(p.rule, p.file, p.line) for p in checked.blocking] == [
        ("checks-profile", PROFILE, n) for n in (1, 2, 3, 4)
    ]
    assert "no rule is called 'IndicatorDefinitionSha'" in checked.blocking[0].message
    result = runner.invoke(main, args(warned, "validate", "--no-reason", "--fail-on", "none"))
    assert result.exit_code == 1 and "checks-profile.tsv:2" in result.output


def test_fail_on_none_lists_errors_without_failing(runner: CliRunner, make_home: MakeHome) -> None:
    home = make_home({"missing-locator": {"data.trig": (DATA / "shapes" / "missing-locator.trig").read_text()}})
    result = runner.invoke(main, args(home, "validate", "--no-reason", "--fail-on", "none"))
    assert result.exit_code == 0, result.output
    assert "[AssertionLocatorShape]" in result.output and "not blocking with --fail-on none" in result.output


def test_fail_on_levels_block_what_is_at_least_as_severe() -> None:
    assert [s for s in SEVERITIES if blocks(s, "error")] == ["error"]
    assert [s for s in SEVERITIES if blocks(s, "warning")] == ["error", "warning"]
    assert [s for s in SEVERITIES if blocks(s, "info")] == ["error", "warning", "info"]
    assert not any(blocks(s, "none") for s in SEVERITIES)


DATA_TTL = """
@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix kb: <https://w3id.org/alignkb/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kb:set a ak:IndicatorSet ; rdfs:label "A set" .
kb:ind-1 a ak:Indicator ; rdfs:label "Indicator one" ; ak:inSet kb:set .
"""


def test_shacl_results_keep_their_severity_whether_or_not_the_data_conforms(repo_home: Home) -> None:
    shapes = rdflib.Graph().parse(repo_home.shapes).parse(data=WARNING_SHAPE, format="turtle")
    ontology = rdflib.Graph()
    for path in repo_home.ontology_files():
        ontology.parse(path)
    conforming = ontology + rdflib.Graph().parse(data=DATA_TTL, format="turtle")
    # conforming but for a warning: pySHACL says it conforms, and the warning is still returned
    assert [(p.rule, p.severity) for p in run_shacl(conforming, shapes)] == [(WARNING, "warning")]
    broken = ontology + rdflib.Graph().parse(data=DATA_TTL.replace(' ; rdfs:label "Indicator one"', ""))
    found = {(p.rule, p.severity) for p in run_shacl(broken, shapes)}
    assert found == {(WARNING, "warning"), ("LabelShape", "error")}


def problem_rules_in_code(files: list[Path]) -> dict[str, str]:
    """Every rule named by a string literal in ``Problem(rule=…)`` in the files, with where it is."""
    found: dict[str, str] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Problem":
                for keyword in node.keywords:
                    if keyword.arg == "rule" and isinstance(keyword.value, ast.Constant):
                        found.setdefault(str(keyword.value.value), f"{path.name}:{node.lineno}")
    return found


def test_every_rule_a_problem_is_made_with_in_code_is_in_the_catalogue(repo_home: Home) -> None:
    used = problem_rules_in_code(sorted(KB.rglob("*.py")))
    assert {"syntax", "template-cell", "unknown-source-file", "owl-consistency", "checks-profile"} <= set(used)
    # and no structural rule is catalogued that no code makes ("shacl" is named by kb/checks/shacl.py's _shape_name)
    assert {r.name for r in STRUCTURAL} - set(used) == {"shacl"}
    rules = catalogue(repo_home)
    missing = {rule: where for rule, where in used.items() if rule not in rules}
    assert missing == {}, f"add these rules to STRUCTURAL in kb/checks/catalogue.py: {missing}"


def test_the_scan_for_rules_finds_a_new_one(tmp_path: Path, repo_home: Home) -> None:
    """The test above can fail: a rule made in code and not catalogued is found."""
    probe = tmp_path / "probe.py"
    probe.write_text('problems.append(Problem(rule="brand-new-rule", message="x"))\n', encoding="utf-8")
    assert set(problem_rules_in_code([probe])) - set(catalogue(repo_home)) == {"brand-new-rule"}


def test_the_catalogue_holds_every_shape_query_and_structural_rule(repo_home: Home) -> None:
    rules = catalogue(repo_home)
    shapes = {r.name for r in shape_rules(repo_home.shapes)}
    assert len(shapes) > 15 and shapes <= set(rules)
    assert {doc.name for doc in violation_queries()} <= set(rules)
    assert {r.name for r in STRUCTURAL} <= set(rules)
    for rule in rules.values():
        assert rule.severity in SEVERITIES and rule.message, rule
        assert (KB.parent / rule.defined_in).is_file(), rule
    assert rules["owl-consistency"].kind == "reasoner"
    assert {r.name for r in rules.values() if r.fixed} == {"syntax", "unreadable", "checks-profile"}
    warned = rdflib.Graph().parse(repo_home.shapes).parse(data=WARNING_SHAPE, format="turtle")
    assert catalogue(shapes=warned)[WARNING].severity == "warning"


def test_a_violation_query_takes_its_severity_from_its_header(tmp_path: Path) -> None:
    for doc in violation_queries():
        assert "severity" in doc.meta, f"{doc.path.name} has no '# severity:' header"
    query = tmp_path / "soft-violation.rq"
    query.write_text("# question: Which things are soft?\n# severity: warning\nSELECT ?focus WHERE { ?focus ?p ?o }\n")
    [rule] = query_rules([QueryDoc.load(query)])
    assert (rule.name, rule.kind, rule.severity, rule.message) == (
        "soft-violation",
        "query",
        "warning",
        "Which things are soft?",
    )
    query.write_text("# question: Which?\n# severity: fatal\nSELECT ?focus WHERE { ?focus ?p ?o }\n")
    with pytest.raises(ValueError, match="fatal"):
        query_rules([QueryDoc.load(query)])
