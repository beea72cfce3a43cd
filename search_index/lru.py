"""A bounded, thread-safe cache that drops the least recently used entry.

The engine's caches used to empty themselves completely when they reached their size: the
next searches then rebuilt everything at once (a spike), and some caches had no bound at all.
Each is now an ``LRU`` of a fixed number of entries.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class LRU(Generic[K, V]):
    """At most ``size`` entries; reading one makes it the most recently used."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU cache holds at least one entry")
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            found = self._data.get(key, _MISSING)
            if found is _MISSING:
                return default
            self._data.move_to_end(key)
            return found  # type: ignore[return-value]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The entry for ``key``, made (outside the lock) and kept if missing."""
        found = self.get(key, _MISSING)  # type: ignore[arg-type]
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = make()
        self.put(key, value)
        return value

    def pop(self, key: K) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)


def put_bounded(cache: dict[K, V], key: K, value: V, size: int) -> None:
    """``cache[key] = value`` keeping at most ``size`` entries: when full, the oldest quarter
    (dicts keep insertion order) goes. For the analysis caches a rebuild reads for every
    token of every listing, where an ``LRU``'s lock and reordering on each read would cost
    the rebuild seconds; emptying them whole at the limit made the next searches slow."""
    if len(cache) >= size:
        for old in list(itertools.islice(cache, max(1, size // 4))):
            cache.pop(old, None)
    cache[key] = value
