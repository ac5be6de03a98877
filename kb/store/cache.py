"""Facts derived once per loaded store and shared by every analysis run on it (see :func:`shared`)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

from kb.store import OxigraphStore, Store

T = TypeVar("T")

_SHARED: weakref.WeakKeyDictionary[object, dict[Hashable, Any]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def shared(store: Store, key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` computed once per embedded store and remembered while the store lives.

    A loaded :class:`OxigraphStore` is never changed (a build writes a new ``dist/`` and the app opens a new
    store), so facts derived from it — the timeline, requirement details, delegation arrangements, edge
    indexes — can be shared by every run on it (as the label index is). Values must be treated as read-only.
    Remote endpoints may change behind our back: for them ``make()`` runs every time.
    """
    if not isinstance(store, OxigraphStore):
        return make()
    with _LOCK:
        cache = _cache_of(store)
        found = cache.get(key, _MISSING)
    if isinstance(found, _Pending):
        return found.future.result()  # being computed by prefetch()
    if found is not _MISSING:
        return found
    value = make()
    with _LOCK:
        kept = cache.setdefault(key, value)
    return value if isinstance(kept, _Pending) else kept


def prefetch(store: Store, key: Hashable, make: Callable[[], object]) -> None:
    """Start computing ``shared(store, key, make)`` in a background thread, so that a run can do other work
    meanwhile (Oxigraph releases the GIL while it evaluates a query); a later :func:`shared` call with the same
    key waits for it. Nothing happens for remote stores or when the value is already known or coming."""
    if not isinstance(store, OxigraphStore):
        return
    with _LOCK:
        cache = _cache_of(store)
        if key in cache:
            return
        pending = cache[key] = _Pending(Future())

    def work() -> None:
        try:
            value = make()
        except BaseException as err:  # handed to whoever waits; the next shared() call computes again
            with _LOCK:
                if cache.get(key) is pending:
                    del cache[key]
            pending.future.set_exception(err)
            return
        with _LOCK:
            if cache.get(key) is pending:
                cache[key] = value
        pending.future.set_result(value)

    threading.Thread(target=work, name=f"alignkb-prefetch-{key}", daemon=True).start()


class _Pending:
    def __init__(self, future: Future[Any]) -> None:
        self.future = future


_MISSING = object()


def _cache_of(store: Store) -> dict[Hashable, Any]:
    cache = _SHARED.get(store)
    if cache is None:
        cache = _SHARED[store] = {}
    return cache


def clear(store: Store) -> None:
    """Forget everything :func:`shared` remembers for ``store`` (the next run computes it again, as on a freshly
    loaded store). The label index (kb/labels.py) is not part of this cache and is kept."""
    with _LOCK:
        _SHARED.pop(store, None)
