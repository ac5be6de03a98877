"""kb/cache.py: facts are computed once per embedded store, forgotten by clear(), never kept for remote stores."""

from __future__ import annotations

import threading

from kb.store import OxigraphStore, RemoteStore
from kb.store.cache import clear, prefetch, shared


def counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return len(calls)

    return calls, make


def test_shared_computes_once_per_store() -> None:
    store, other = OxigraphStore(), OxigraphStore()
    calls, make = counter()
    assert shared(store, "k", make) == 1  # type: ignore[arg-type]
    assert shared(store, "k", make) == 1  # type: ignore[arg-type]
    assert len(calls) == 1
    assert shared(other, "k", make) == 2  # type: ignore[arg-type]
    assert shared(store, "another key", make) == 3  # type: ignore[arg-type]
    assert len(calls) == 3


def test_clear_forgets_only_that_store() -> None:
    store, other = OxigraphStore(), OxigraphStore()
    _calls, make = counter()
    shared(store, "k", make)  # type: ignore[arg-type]
    shared(other, "k", make)  # type: ignore[arg-type]
    clear(store)
    assert shared(store, "k", make) == 3  # type: ignore[arg-type]
    assert shared(other, "k", make) == 2  # type: ignore[arg-type]
    clear(OxigraphStore())  # a store with nothing cached: no error


def test_remote_stores_are_never_cached() -> None:
    remote = RemoteStore("http://localhost:9/sparql")
    calls, make = counter()
    assert [shared(remote, "k", make) for _ in range(3)] == [1, 2, 3]  # type: ignore[arg-type]
    prefetch(remote, "k", make)  # type: ignore[arg-type]
    assert len(calls) == 3


def test_prefetch_is_waited_for_and_computed_once() -> None:
    store = OxigraphStore()
    release = threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        release.wait(5)
        return "value"

    prefetch(store, "k", slow)
    prefetch(store, "k", slow)  # already coming: not started again
    release.set()
    assert shared(store, "k", lambda: "computed again") == "value"
    assert calls == [1]


def test_a_failed_prefetch_is_computed_again() -> None:
    store = OxigraphStore()

    def broken() -> str:
        raise ValueError("no")

    prefetch(store, "k", broken)
    for thread in threading.enumerate():
        if thread.name.startswith("alignkb-prefetch"):
            thread.join(5)
    assert shared(store, "k", lambda: "fresh") == "fresh"
