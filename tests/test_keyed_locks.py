"""KeyedLocks: one lock per key while it is held or awaited, none kept after."""

from __future__ import annotations

import asyncio
import gc

from bot.core.keyed_locks import KeyedLocks


def test_holders_of_one_key_take_turns_in_order_and_other_keys_dont_wait() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    order: list[str] = []

    async def hold(key: str, name: str, release: asyncio.Event | None = None) -> None:
        async with locks(key):
            order.append(f"{name} in")
            if release is not None:
                await release.wait()
            order.append(f"{name} out")

    async def main() -> None:
        release = asyncio.Event()
        first = asyncio.create_task(hold("tenant", "first", release))
        await asyncio.sleep(0)
        waiting = [asyncio.create_task(hold("tenant", name)) for name in ("second", "third")]
        other = asyncio.create_task(hold("another", "other"))
        await asyncio.sleep(0.01)
        assert order == ["first in", "other in", "other out"]
        release.set()
        await asyncio.gather(first, *waiting, other)

    asyncio.run(main())
    assert order[3:] == ["first out", "second in", "second out", "third in", "third out"]


def test_a_key_no_one_holds_keeps_no_lock() -> None:
    locks: KeyedLocks[int] = KeyedLocks()

    async def main() -> None:
        for key in range(1_000):
            async with locks(key):
                assert locks(key) is locks(key)

    asyncio.run(main())
    gc.collect()
    assert len(locks) == 0
