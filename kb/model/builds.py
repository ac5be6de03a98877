"""Where builds live, and which one is current.

A build is written into its own folder, ``.<dist>.builds/<stamp>-<hash>/`` beside the build folder (``dist`` by
default), and ``dist`` itself is a symbolic link to the current one. A new build becomes current in one step: a
new link is made under a temporary name and renamed over ``dist`` (``os.replace``, atomic on POSIX), so a reader
of ``dist/kb.nq`` finds the old build or the new one, never neither and never half of one. Builds take a lock,
``.<dist>.lock`` beside the build folder, for the whole run (kb/build.py). The two newest builds are kept.

A build folder's name is its *build id*: the UTC time the build started and the first 12 hexadecimal digits of
the SHA-256 of its ``kb.nq``. Reading it costs one ``readlink``, so a server can ask on every request whether the
build it serves is still the current one (webapp/kbase.py). A build folder that is a plain folder (a build from
before this layout, or the one inside an installed package) has an id made from its report's file status.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

REPORT = "report.json"


def builds_dir(dist: Path) -> Path:
    """The folder holding every kept build of ``dist``."""
    return dist.parent / f".{dist.name}.builds"


def lock_path(dist: Path) -> Path:
    """The lock file every build of ``dist`` holds while it runs."""
    return dist.parent / f".{dist.name}.lock"


def build_id(dist: Path) -> str | None:
    """The id of the build ``dist`` points at (its folder's name); for a plain folder, the status of its report
    (modification time, size, inode); None when nothing is built there. One system call when ``dist`` is a link."""
    try:
        return Path(os.readlink(dist)).name
    except OSError as err:
        if err.errno != errno.EINVAL:  # EINVAL: not a link, a plain folder
            return None
    try:
        status = (dist / REPORT).stat()
    except OSError:
        return None
    return f"folder-{status.st_mtime_ns}-{status.st_size}-{status.st_ino}"


def current_build(dist: Path) -> Path | None:
    """The folder of the current build (``dist`` itself when it is a plain folder), or None."""
    if dist.is_symlink():
        target = dist.resolve()
        return target if target.is_dir() else None
    return dist if dist.is_dir() else None
