"""Facts derived once per loaded store and shared by every analysis run on it (see :func:`shared`)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from .store import OxigraphStore, Store

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
        cache = _SHARED.get(store)
        if cache is None:
            cache = _SHARED[store] = {}
        if key in cache:
            return cache[key]  # type: ignore[no-any-return]
    value = make()
    with _LOCK:
        return cache.setdefault(key, value)  # type: ignore[no-any-return]
