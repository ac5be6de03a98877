"""The build: the real knowledge base conforms; broken input fails naming file and line; dist/ is atomic."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb.build import build, check
from kb.model.paths import Home
from kb.model.problems import BuildFailed

from .conftest import DATA, SOURCE_TTL, MakeHome

GOOD = (DATA / "shapes" / "valid-complete.trig").read_text()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_real_knowledge_base_builds_and_conforms(built_home: Home) -> None:
    report = json.loads((built_home.dist / "report.json").read_text())
    assert report["quads"] > 1000
    assert report["assertions"] > 0
    assert report["locator_share"] == 1.0
    assert (built_home.dist / "kb.nq").stat().st_size > 0


def test_build_report_counts_entities_per_class_and_per_source(built_home: Home) -> None:
    report = json.loads((built_home.dist / "report.json").read_text())
    classes = {row["class"].rsplit("#", 1)[-1]: row["count"] for row in report["classes"]}
    assert classes.get("Source", 0) == 0  # source records are not assertions
    assert sum(classes.values()) > 0
    assert all(row["assertions"] > 0 for row in report["sources"])


def test_valid_fixture_builds_into_dist(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    report = build(home)
    assert (home.dist / "kb.nq").is_file()
    assert report["source_folders"] == 1


def test_syntax_error_fails_naming_file_and_line_and_leaves_dist_untouched(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    build(home)
    before = snapshot(home.dist)
    broken = home.sources / "valid-complete" / "data.trig"
    lines = GOOD.splitlines()
    bad_line = next(i for i, line in enumerate(lines) if "kb:area-x a ak:CouncilArea" in line)
    lines[bad_line] = lines[bad_line].replace('"Exampleshire"', '"Exampleshire')
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(BuildFailed) as failed:
        build(home)
    problem = failed.value.problems[0]
    assert problem.rule == "syntax"
    assert problem.file == "sources/valid-complete/data.trig"
    assert problem.line == bad_line + 1
    assert f"data.trig:{bad_line + 1}" in str(failed.value)
    assert snapshot(home.dist) == before


def test_missing_locator_fails_validation_with_the_rules_message(make_home: MakeHome) -> None:
    text = (DATA / "shapes" / "missing-locator.trig").read_text()
    home = make_home({"missing-locator": {"data.trig": text}})
    with pytest.raises(BuildFailed) as failed:
        build(home)
    assert any(
        p.rule == "AssertionLocatorShape" and "must say where in its source" in p.message for p in failed.value.problems
    )
    assert not home.dist.exists()


def test_inconsistent_data_fails_with_an_explanation(make_home: MakeHome) -> None:
    text = GOOD.replace("kb:area-x a ak:CouncilArea ;", "kb:area-x a ak:CouncilArea , ak:Body ;")
    home = make_home({"valid-complete": {"data.trig": text}})
    checked = check(home)
    assert [p.rule for p in checked.problems] == ["owl-consistency"]
    assert "area-x> is both" in checked.problems[0].message


def test_source_folder_without_citation_record_fails(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}}, with_record=False)
    assert [p.rule for p in check(home).problems] == ["source-record"]


def test_a_failed_build_after_a_good_one_keeps_the_good_store_queryable(make_home: MakeHome) -> None:
    from kb.store import OxigraphStore

    home = make_home({"valid-complete": {"data.trig": GOOD}})
    build(home)
    shutil.copy(DATA / "shapes" / "missing-locator.trig", home.sources / "valid-complete" / "extra.trig")
    with pytest.raises(BuildFailed):
        build(home)
    store = OxigraphStore.from_dist(home.dist)
    assert store.ask("ASK { kb:plan-x a ak:Plan }")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validate in a child process whatever the size (as the build does from 10^5 quads)."""
    monkeypatch.setattr("kb.checks.schedule.FORK_FROM", 0)


def test_shacl_in_a_child_process_finds_what_it_finds_in_this_one(
    make_home: MakeHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = ["incomplete-delegation", "missing-locator", "plan-without-area"]
    home = make_home({case: {"data.trig": (DATA / "shapes" / f"{case}.trig").read_text()} for case in cases})
    monkeypatch.setattr("kb.checks.schedule.FORK_FROM", 0)
    forked = check(home, reason=False)
    assert forked.shacl["mode"] == "full" and "process" in forked.shacl
    monkeypatch.setattr("kb.checks.schedule.FORK_FROM", 10**9)
    inline = check(home, reason=False)
    assert "process" not in inline.shacl
    assert forked.problems == inline.problems
    assert {p.rule for p in forked.problems} == {"DelegationArrangementShape", "AssertionLocatorShape", "PlanShape"}
    assert all(p.file for p in forked.problems if p.focus and "/id/" in p.focus)  # entities, not assertions


@pytest.mark.usefixtures("forking")
def test_a_build_whose_shacl_child_fails_leaves_dist_and_no_staging_behind(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD}})
    report = build(home)
    assert report["shacl"]["process"]["peak_mb"] > 0  # type: ignore[index]
    before = snapshot(home.dist)
    bad = home.sources / "missing-locator"
    bad.mkdir()
    (bad / "data.trig").write_text((DATA / "shapes" / "missing-locator.trig").read_text())
    (bad / "source.ttl").write_text(SOURCE_TTL.format(name="missing-locator"))
    with pytest.raises(BuildFailed) as failed:
        build(home, full=True)
    assert {p.rule for p in failed.value.problems} == {"AssertionLocatorShape"}
    assert snapshot(home.dist) == before
    assert not [p for p in home.dist.parent.iterdir() if p.name.startswith(".dist-")]


def test_the_parsed_quads_are_released_once_the_store_holds_them(make_home: MakeHome) -> None:
    checked = check(make_home({"valid-complete": {"data.trig": GOOD}}), reason=False)
    assert not checked.problems and len(checked.store) > 100
    assert checked.inputs.quads == [] and all(folder.quads == [] for folder in checked.inputs.folders)
    assert checked.record is not None and checked.record.folders["valid-complete"]["subjects"]


@pytest.mark.usefixtures("forking")
def test_when_the_build_fails_beside_a_shacl_process_that_process_is_stopped(make_home: MakeHome) -> None:
    import multiprocessing

    def fails_to_write(_checked: object) -> None:
        raise OSError("disk full")

    home = make_home({"valid-complete": {"data.trig": GOOD}})
    with pytest.raises(OSError, match="disk full"):
        check(home, reason=False, meanwhile=fails_to_write)
    assert multiprocessing.active_children() == []
