"""Servers the tests start as processes on loopback (alignkb serve, gunicorn, the installed wheel, Oxigraph's server,
Virtuoso): a free port, and a process that is waited for until it answers and always stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url``: a client error (a query endpoint asked nothing) is an answer, a
    server error (still starting) is not."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError as err:
        return err.code < 500
    except OSError:
        return False


@contextmanager
def running(
    command: list[str],
    ready: str,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30.0,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` and wait until ``ready`` (a URL) answers; fail the test with the process's output (and the
    end of ``log``) when it exits or does not answer within ``timeout`` seconds. The process is stopped on exit.
    Its output goes to a temporary file, never a pipe that a chatty server could fill and block on."""
    with tempfile.TemporaryFile() as output_file:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(ready):
                if process.poll() is not None or time.monotonic() > deadline:
                    if process.poll() is None:
                        process.kill()
                    process.wait(timeout=10)
                    output_file.seek(0)
                    output = output_file.read().decode(errors="replace")
                    if log is not None and log.is_file():
                        output += log.read_text(errors="replace")[-800:]
                    pytest.fail(f"{' '.join(command)} did not start:\n{output[-2000:]}")
                time.sleep(0.1)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
