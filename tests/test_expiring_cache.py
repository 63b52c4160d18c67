"""The small expiring cache behind the settings and directory caches (bot/expiring_cache.py)."""

from __future__ import annotations

import pytest

from bot.expiring_cache import ExpiringCache
from tests.helpers import ManualClock


def test_an_entry_is_found_until_its_time_is_up() -> None:
    clock = ManualClock()
    cache: ExpiringCache[str, int] = ExpiringCache(10, 30, clock=clock)
    cache["T1"] = 1

    clock.now += 29.9
    assert cache.get("T1") == 1
    clock.now += 0.1
    assert cache.get("T1") is None
    assert len(cache) == 0  # dropped when found expired


def test_setting_again_renews_the_entry() -> None:
    clock = ManualClock()
    cache: ExpiringCache[str, int] = ExpiringCache(10, 30, clock=clock)
    cache["T1"] = 1
    clock.now += 20
    cache["T1"] = 2

    clock.now += 20
    assert cache.get("T1") == 2


def test_a_full_cache_drops_the_expired_first_then_the_oldest() -> None:
    clock = ManualClock()
    cache: ExpiringCache[str, int] = ExpiringCache(3, 30, clock=clock)
    cache["old"] = 0
    clock.now += 20
    cache["a"], cache["b"] = 1, 2
    clock.now += 15  # "old" has expired; "a" and "b" have not

    cache["c"] = 3
    assert (cache.get("old"), cache.get("a"), cache.get("b"), cache.get("c")) == (None, 1, 2, 3)

    cache["d"] = 4  # full of live entries: the oldest ("a") goes
    assert (cache.get("a"), cache.get("b"), cache.get("d")) == (None, 2, 4)
    assert len(cache) == 3


def test_pop_forgets_an_entry() -> None:
    cache: ExpiringCache[str, int] = ExpiringCache(3, 30)
    cache["T1"] = 1

    assert cache.pop("T1") == 1
    assert cache.pop("T1") is None
    assert cache.get("T1") is None


def test_each_pop_counts_as_an_invalidation_and_expiry_does_not() -> None:
    clock = ManualClock()
    cache: ExpiringCache[str, int] = ExpiringCache(10, 30, clock=clock)
    cache["T1"] = 1
    clock.now += 31
    assert cache.get("T1") is None
    assert cache.invalidations == 0
    cache.pop("T1")  # dropped on purpose, found or not: a read begun before it may be stale
    cache.pop("T2")
    assert cache.invalidations == 2


@pytest.mark.parametrize(("maxsize", "ttl"), [(0, 30), (3, 0)])
def test_a_cache_that_could_hold_nothing_is_refused(maxsize: int, ttl: float) -> None:
    with pytest.raises(ValueError, match="positive ttl"):
        ExpiringCache(maxsize, ttl)
