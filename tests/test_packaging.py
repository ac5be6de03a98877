"""The wheel is self-contained (issue 18 §2): built offline from the checkout, installed into a fresh virtualenv and
run from a folder outside the checkout, ``alignkb`` serves styled pages, answers a query and builds a researcher's
copy — with no checkout, node_modules or ALIGNKB_* variable to lean on.

Offline throughout: the wheel is built with the dev environment's setuptools (``--no-build-isolation``), and the
fresh virtualenv installs it with ``pip install --no-index --find-links WHEELHOUSE``, where the wheelhouse holds
alignkb's runtime dependencies re-packed from the dev environment's own installed files (their RECORD), kept in
pytest's cache between runs."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from kb.build import build
from kb.model.paths import Home
from tests.processes import free_port, running

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
OBLIGATIONS = ["query", "obligations", "--area", "Inverclyde", "--service", "health visiting"]
NOT_IN_WHEEL = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def runtime_distributions(requirements: list[str]) -> list[metadata.Distribution]:
    """The distributions installed here that meet ``requirements`` and theirs (markers evaluated, extras followed)."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        dist = metadata.distribution(requirement.name)
        key = dist.metadata["Name"].lower().replace("_", "-")
        found[key] = dist
        for wanted in ["", *requirement.extras]:
            if (key, wanted) not in seen:
                seen.add((key, wanted))
                todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return list(found.values())


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def repack(dist: metadata.Distribution, folder: Path) -> Path:
    """A wheel of an installed distribution, made from the files its RECORD lists under site-packages (scripts
    are left out: pip writes them again from entry_points.txt)."""
    files = [f for f in dist.files or [] if not str(f).startswith("..") and "__pycache__" not in str(f)]
    info = next(str(f).split("/")[0] for f in files if str(f).split("/")[0].endswith(".dist-info"))
    tags = [
        line.split(":", 1)[1].strip().split("-")
        for line in (dist.read_text("WHEEL") or "Tag: py3-none-any").splitlines()
        if line.startswith("Tag:")
    ]
    tag = "-".join(".".join(dict.fromkeys(t[i] for t in tags)) for i in range(3))  # a compressed tag set
    name, version = info.removesuffix(".dist-info").rsplit("-", 1)
    wheel = folder / f"{name}-{version}-{tag}.whl"
    if wheel.is_file():
        return wheel
    partial = wheel.with_suffix(".partial")
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
        for file in files:
            path = Path(str(file.locate()))
            if not path.is_file() or (str(file).startswith(info + "/") and file.name in NOT_IN_WHEEL):
                continue
            data = path.read_bytes()
            archive.writestr(str(file), data)
            writer.writerow([str(file), _digest(data), len(data)])
        writer.writerow([f"{info}/RECORD", "", ""])
        archive.writestr(f"{info}/RECORD", record.getvalue())
    partial.rename(wheel)
    return wheel


def wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode()
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]


@pytest.fixture(scope="module")
def wheelhouse(pytestconfig: pytest.Config, wheel: Path) -> Path:
    """The wheel's runtime dependencies as wheels, re-packed from this environment (kept in pytest's cache)."""
    folder = Path(pytestconfig.cache.mkdir("alignkb-wheelhouse"))
    for dist in runtime_distributions(wheel_requirements(wheel)):
        repack(dist, folder)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the checkout with a fresh build of its knowledge base, outside the checkout."""
    work = tmp_path_factory.mktemp("wheel")
    build(Home(ROOT, work / "dist"), reason=shutil.which("java") is not None)
    env = {**os.environ, "ALIGNKB_DIST": str(work / "dist"), "ALIGNKB_BUILD_BASE": str(work / "build")}
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    done = subprocess.run([*command, "-w", str(work / "out"), str(ROOT)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = (work / "out").glob("alignkb-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path, wheelhouse: Path) -> Path:
    """A new virtualenv with the wheel installed offline; returns its bin/ folder."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    install = [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "--no-compile"]
    done = subprocess.run([*install, "--find-links", str(wheelhouse), str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "bin"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the checkout and outside any home."""
    return tmp_path_factory.mktemp("elsewhere")


def run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIGNKB", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(bin_dir / "alignkb"), *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def served(venv: Path, elsewhere: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIGNKB", "PYTHON", "VIRTUAL_ENV"))}
    base = f"http://127.0.0.1:{port}"
    command = [str(venv / "alignkb"), "serve", "--port", str(port)]
    with running(command, base + "/health", cwd=elsewhere, env=env, timeout=60):
        yield base


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get_content_type(), response.read()


def test_the_installed_package_is_not_the_checkout(venv: Path, elsewhere: Path) -> None:
    python = str(venv / "python")
    done = subprocess.run(
        [python, "-c", "import kb, webapp; print(kb.__file__); print(webapp.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stdout.split():
        assert Path(line).is_relative_to(venv.parent) and not Path(line).is_relative_to(ROOT)


def test_a_page_and_its_styles_are_served_from_the_package(served: str) -> None:
    status, media, body = _get(served + "/")
    assert status == 200 and media == "text/html"
    page = body.decode()
    assert "What is in the knowledge base" in page and "/vendor/sgds/css/design-system.min.css" in page
    status, media, css = _get(served + "/vendor/sgds/css/design-system.min.css")
    assert status == 200 and media == "text/css" and len(css) > 10_000
    status, media, script = _get(served + "/vendor/yasgui/yasgui.min.js")
    assert status == 200 and len(script) > 100_000
    status, media, _ = _get(served + "/static/alignkb.css")
    assert status == 200 and media == "text/css"


def test_a_query_is_answered_from_the_package(venv: Path, elsewhere: Path) -> None:
    done = run(venv, elsewhere, *OBLIGATIONS, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert rows and all(row["explanation"] and row["sources"] for row in rows)
    stats = run(venv, elsewhere, "stats")
    assert stats.returncode == 0, stats.stderr
    assert "built into the package, read-only" in stats.stdout


def test_the_packaged_knowledge_base_is_not_built_into(venv: Path, elsewhere: Path) -> None:
    done = run(venv, elsewhere, "build")
    assert done.returncode == 2 and "read-only" in done.stderr and "--home DIR" in done.stderr
    assert "Traceback" not in done.stderr


def test_build_home_starts_and_builds_a_researchers_copy(venv: Path, elsewhere: Path) -> None:
    reason = [] if shutil.which("java") else ["--no-reason"]
    done = run(venv, elsewhere, "--home", "mine", "build", *reason)
    assert done.returncode == 0, done.stdout + done.stderr
    mine = elsewhere / "mine"
    assert (mine / "ontology" / "alignkb.ttl").is_file() and (mine / "dist" / "kb.nq").is_file()
    assert "starting a home there" in done.stderr and f"home: {mine}" in done.stdout
    inside = run(venv, mine / "sources", "stats")  # found by walking up, as git finds its repository
    assert inside.returncode == 0 and f"home: {mine} (the nearest parent" in inside.stdout
