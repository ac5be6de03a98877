"""mypy passes on kb/, webapp/ and bench/ (configured in pyproject.toml), so the suite fails on a type slip."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api  # in the dev extra: a missing mypy is a failure, not a skip

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_passes_on_the_packages() -> None:
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental"])
    assert status == 0, out + err


def test_the_type_check_can_fail(tmp_path: Path) -> None:
    """The same call reports a slip (so the test above can fail)."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f(x: int) -> str:\n    return x\n", encoding="utf-8")
    out, _err, status = api.run([str(probe), "--no-incremental"])
    assert status == 1 and "Incompatible return value" in out
