"""The reader registry: each file of a source folder is read by the reader of its kind; a file of no known kind is
a problem that names it and the kinds read, not skipped in silence."""

from __future__ import annotations

import pytest

from kb.build import check
from kb.inputs.sources import READERS, reader_for, source_folders
from kb.inputs.templates import TEMPLATES
from kb.model.paths import Home

from .conftest import DATA, MakeHome

GOOD = (DATA / "shapes" / "valid-complete.trig").read_text()


@pytest.mark.parametrize(
    ("name", "holds"),
    [
        ("source.ttl", "the citation record"),
        ("part-1.trig", "assertions, one named graph per passage"),
        ("npf.indicators.csv", "a CSV template of kind indicators"),
        ("x.y.delegation.csv", "a CSV template of kind delegation"),
        ("README.md", "notes for curators, not read"),
        ("assertions.ttl", None),
        ("notes.yaml", None),
        ("indicators.csv", None),
        ("data.trig~", None),
    ],
)
def test_a_file_is_read_by_the_reader_of_its_kind(name: str, holds: str | None) -> None:
    reader = reader_for(name)
    assert (reader.holds if reader else None) == holds


def test_every_template_kind_has_a_reader() -> None:
    patterns = {r.pattern for r in READERS}
    assert {f"*.{kind}.csv" for kind in TEMPLATES} <= patterns


def test_an_unknown_file_is_a_problem_naming_it_and_the_kinds_read(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD, "assertions.ttl": GOOD, "notes.yaml": "to: do\n"}})
    problems = check(home, reason=False).problems
    assert [(p.rule, p.file) for p in problems] == [
        ("unknown-source-file", "sources/valid-complete/assertions.ttl"),
        ("unknown-source-file", "sources/valid-complete/notes.yaml"),
    ]
    for problem in problems:
        assert "*.trig (assertions)" in problem.message and "indicators" in problem.message
    assert problems[0].hint and "assertions go in a .trig file" in problems[0].hint


def test_notes_and_hidden_files_are_allowed_and_not_read(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD, "README.md": "# how this was read\n", ".DS_Store": "x"}})
    checked = check(home, reason=False)
    assert checked.problems == []
    assert [p.name for p in checked.inputs.folders[0].files] == ["source.ttl", "data.trig"]


def test_a_folder_inside_a_source_folder_and_a_misnamed_template_are_problems(make_home: MakeHome) -> None:
    home = make_home({"valid-complete": {"data.trig": GOOD, "indicators.csv": "id\n"}})
    (home.sources / "valid-complete" / "drafts").mkdir()
    problems = check(home, reason=False).problems
    assert sorted((p.rule, p.file) for p in problems) == [
        ("template-name", "sources/valid-complete/indicators.csv"),
        ("unknown-source-file", "sources/valid-complete/drafts"),
    ]


def test_every_file_of_the_real_sources_has_a_reader(repo_home: Home) -> None:
    unknown = [
        f"{folder.name}/{path.name}"
        for folder in source_folders(repo_home)
        for path in folder.iterdir()
        if not path.name.startswith(".") and (not path.is_file() or reader_for(path.name) is None)
    ]
    assert unknown == []
