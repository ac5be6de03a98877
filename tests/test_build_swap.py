"""Rebuilds served safely (issue 19, item 4): a lock, one atomic swap readers never see half-done, leftovers of
killed builds cleaned, output readable by everyone, two builds kept, byte-for-byte reproducible builds, and a
running server that picks up a new build between requests."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from kb.build import BuildBusy, build, build_lock
from kb.model.builds import build_id, builds_dir, current_build, lock_path
from kb.model.paths import Home
from webapp import create_app

from .conftest import DATA, MakeHome

GOOD = (DATA / "shapes" / "valid-complete.trig").read_text()


@pytest.fixture
def home(make_home: MakeHome) -> Home:
    return make_home({"valid-complete": {"data.trig": GOOD}})


def quick(home: Home, **options: object) -> dict[str, object]:
    return build(home, reason=False, **options)  # type: ignore[arg-type]


def test_a_build_is_a_folder_of_its_own_and_dist_a_link_to_it(home: Home) -> None:
    report = quick(home)
    assert home.dist.is_symlink()
    folder = current_build(home.dist)
    assert folder is not None and folder.parent == builds_dir(home.dist)
    assert folder.name == report["build_id"] == build_id(home.dist)
    assert folder.name.endswith("-" + str(report["kb_sha256"])[:12])
    assert not os.path.isabs(os.readlink(home.dist))  # relative: the home can be moved or mounted elsewhere
    assert (home.dist / "kb.nq").is_file() and (home.dist / "report.json").is_file()


def test_output_is_readable_by_everyone_whatever_the_umask(home: Home) -> None:
    old = os.umask(0o077)
    try:
        quick(home)
    finally:
        os.umask(old)
    folder = current_build(home.dist)
    assert folder is not None
    for path in [builds_dir(home.dist), folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), f"{path}: {oct(mode)}"


def test_builds_are_reproducible_byte_for_byte(built_home: Home, repo_home: Home, tmp_path: Path) -> None:
    """Two builds of the same inputs give the same kb.nq (canonical blank nodes, sorted statements): the same
    SHA-256 in report.json, whatever the time of the build."""
    reports, texts = [], []
    for name in ("one", "two"):
        target = Home(repo_home.root, tmp_path / name / "dist")
        reports.append(build(target, reason=False, shacl=False))
        texts.append((target.dist / "kb.nq").read_bytes())
    assert reports[0]["kb_sha256"] == reports[1]["kb_sha256"] and texts[0] == texts[1]
    assert reports[0]["build_id"] != reports[1]["build_id"]
    lines = texts[0].decode().splitlines()
    assert lines == sorted(lines)
    assert "_:c14n0 " in texts[0].decode()  # the ontology's lists and restrictions: labelled by RDFC-1.0
    checked = json.loads((built_home.dist / "report.json").read_text())
    assert checked["kb_sha256"] == reports[0]["kb_sha256"]  # SHACL and HermiT change nothing written


def test_the_two_newest_builds_are_kept(home: Home) -> None:
    ids = [quick(home)["build_id"] for _ in range(3)]
    kept = sorted(p.name for p in builds_dir(home.dist).iterdir())
    assert kept == sorted(ids[1:]) and build_id(home.dist) == ids[2]


def test_leftovers_of_killed_builds_are_cleaned_at_the_next_build(home: Home) -> None:
    quick(home)
    parent, builds = home.dist.parent, builds_dir(home.dist)
    (parent / ".dist-ab12cd34").mkdir()  # staging of the layout before this one
    (parent / ".dist-ab12cd34" / "kb.nq").write_text("partial")
    (parent / ".dist-old-4242").mkdir()  # killed between the two renames of the old swap
    (builds / ".staging-x1y2z3").mkdir()  # killed while writing
    os.symlink(os.readlink(home.dist), parent / ".dist.swap-999")  # killed before the link was renamed over dist
    keep = parent / ".distillery"
    keep.mkdir()
    quick(home)
    names = {p.name for p in parent.iterdir()}
    assert names == {"dist", ".dist.builds", ".dist.lock", "ontology", "sources", ".distillery"}
    assert not [p for p in builds.iterdir() if p.name.startswith(".")]


def test_a_build_from_the_layout_before_this_one_is_moved_in_and_its_shacl_record_used(home: Home) -> None:
    quick(home)
    folder = current_build(home.dist)
    assert folder is not None
    home.dist.unlink()
    os.rename(folder, home.dist)  # dist as a plain folder, as builds wrote it before
    assert build_id(home.dist) is not None and build_id(home.dist).startswith("folder-")  # type: ignore[union-attr]
    report = quick(home)
    assert report["shacl"]["mode"] == "unchanged"  # type: ignore[index]  # dist/validated.json was read
    assert home.dist.is_symlink()
    assert any(p.name.endswith("-folder") for p in builds_dir(home.dist).iterdir())


def test_a_second_build_waits_for_the_first_or_fails_in_one_line(home: Home) -> None:
    quick(home)
    with build_lock(home.dist), pytest.raises(BuildBusy) as busy:
        quick(home, wait=0.3)
    message = str(busy.value)
    assert "\n" not in message and "another build of" in message and str(os.getpid()) in message
    assert lock_path(home.dist).is_file()

    said: list[str] = []
    holder = threading.Thread(target=_hold_lock, args=(home.dist, 0.5))
    holder.start()
    time.sleep(0.1)
    report = build(home, reason=False, progress=said.append)
    holder.join()
    assert report["build_id"] == build_id(home.dist)
    assert any("waiting for it to finish" in line for line in said)


def _hold_lock(dist: Path, seconds: float) -> None:
    with build_lock(dist):
        time.sleep(seconds)


def test_readers_never_find_kb_nq_missing_while_builds_swap(home: Home) -> None:
    quick(home)
    missing: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                with (home.dist / "kb.nq").open("rb") as handle:
                    if not handle.read(1):
                        missing.append("empty")
                json.loads((home.dist / "report.json").read_text())
            except (OSError, ValueError) as err:
                missing.append(repr(err))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            quick(home)
    finally:
        done.set()
        reader.join()
    assert missing == []


def test_a_running_server_serves_the_new_build_from_its_next_request(home: Home) -> None:
    quick(home)
    app = create_app({"ALIGNKB_HOME": str(home.root), "TESTING": True})
    client = app.test_client()
    first = client.get("/health").get_json()
    assert first["build"] == build_id(home.dist) and first["kb_sha256"]
    assert b"Newshire" not in client.get("/id/area-x").data
    data = home.sources / "valid-complete" / "data.trig"
    data.write_text(
        data.read_text().replace(
            'rdfs:label "Exampleshire" .', 'rdfs:label "Exampleshire" ; skos:altLabel "Newshire" .'
        )
    )
    second_report = quick(home)
    second = client.get("/health").get_json()
    assert second["build"] == second_report["build_id"] != first["build"]
    assert second["kb_sha256"] == second_report["kb_sha256"] != first["kb_sha256"]
    assert second["quads"] == second_report["quads"]
    assert b"Newshire" in client.get("/id/area-x").data


def test_a_request_keeps_the_build_it_started_with(home: Home) -> None:
    quick(home)
    app = create_app({"ALIGNKB_HOME": str(home.root), "TESTING": True})
    from webapp.kbase import get_store, served

    with app.test_request_context("/"):
        before = served()
        quick(home)
        assert served() is before and get_store() is before.store
    with app.test_request_context("/"):
        assert served().id == build_id(home.dist) != before.id
