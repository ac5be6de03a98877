"""Pausing Python's cyclic garbage collector while large, acyclic results are built; giving freed heap back.

An analysis at 10⁶ triples creates ~10⁵ rows, tuples and dicts in a burst. Each burst triggers the
collector's generational passes, which walk every tracked object — including the label index and the caches of
the loaded store — although none of these objects form reference cycles. At 1M synthetic triples that was
≈ 0.6 s of the 2.2 s cold run of ``changes`` (measured, docs/performance.md). Reference counting still frees
everything as usual while the collector is paused; cycles created meanwhile are collected by the next automatic
pass once it runs again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the duration of the block; nested and concurrent blocks (threads of the
    web app) share one pause, and the collector's state is restored when the last block ends."""
    global _depth, _was_enabled
    with _LOCK:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def trim_heap() -> None:
    """Return freed heap memory to the system (glibc's ``malloc_trim``; nothing where there is no glibc). After
    the build releases the parsed quads (≈ 470 MB at 10^6 triples) about half stays in malloc's free lists
    without it; with it the process shrinks from ≈ 850 MB to ≈ 400 MB (measured, docs/performance.md)."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: a C library without malloc_trim
        ctypes.CDLL(name).malloc_trim(0)
