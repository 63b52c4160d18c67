"""A dict whose entries expire: the caches read on every nomination.

A nomination reads these caches three to five times, on the busiest path there is; each of
cachetools' TTLCache lookups enters a timer context and walks its expiry links, ten times the
cost of a lookup here. Entries are dropped when found expired, or, when the cache is full, the
expired ones first and then the oldest.

`pop` is the owner dropping an entry whose source changed; `invalidations` counts those, so a
value read from the source across one (it may predate the change) is returned, not kept:

    seen = cache.invalidations
    value = await read()
    if seen == cache.invalidations:
        cache[key] = value
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class ExpiringCache(Generic[Key, Value]):
    def __init__(
        self, maxsize: int, ttl: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if maxsize < 1 or ttl <= 0:
            raise ValueError("an expiring cache needs room for one entry and a positive ttl")
        self._maxsize = maxsize
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Key, tuple[float, Value]] = {}
        self.invalidations = 0  # entries dropped by `pop` so far (expiry doesn't count)

    def get(self, key: Key) -> Value | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        return entry[1]

    def __setitem__(self, key: Key, value: Value) -> None:
        now = self._clock()
        self._entries.pop(key, None)  # a renewed entry is the newest again
        if len(self._entries) >= self._maxsize:
            self._make_room(now)
        self._entries[key] = (now + self._ttl, value)

    def pop(self, key: Key, default: Value | None = None) -> Value | None:
        self.invalidations += 1
        entry = self._entries.pop(key, None)
        return default if entry is None else entry[1]

    def __len__(self) -> int:
        return len(self._entries)

    def _make_room(self, now: float) -> None:
        entries = self._entries
        # One ttl for all, so insertion order is expiry order: the expired are in front.
        for key in list(itertools.takewhile(lambda k: entries[k][0] <= now, entries)):
            del entries[key]
        if len(entries) >= self._maxsize:
            del entries[next(iter(entries))]  # the oldest
