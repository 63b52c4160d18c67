"""`Database.held`: a name held by one process at a time across every process on a PostgreSQL
database (two `Database`s stand for two processes here); on SQLite, which serves one process,
nothing is held."""

from __future__ import annotations

import asyncio

from storage.engine import Database

TENANT = "msteams:72f988bf-86f1-41af-91ab-2d7cd011db47"


def held_in_turn(database_url: str, names: tuple[str, str]) -> list[str]:
    """Two processes holding `names` (the first one's taken first, and kept a while): what
    happened, in order."""

    async def main() -> list[str]:
        first, second = Database(database_url), Database(database_url)
        happened: list[str] = []
        taken = asyncio.Event()

        async def hold(database: Database, who: str, name: str, keep: float) -> None:
            async with database.held(name):
                happened.append(f"{who} holds")
                taken.set()
                await asyncio.sleep(keep)
                happened.append(f"{who} lets go")

        try:
            holding = asyncio.ensure_future(hold(first, "first", names[0], 0.3))
            await taken.wait()
            await hold(second, "second", names[1], 0)
            await holding
        finally:
            await first.close()
            await second.close()
        return happened

    return asyncio.run(main())


def test_a_name_is_held_by_one_process_at_a_time_on_postgresql(database_url: str) -> None:
    happened = held_in_turn(database_url, (TENANT, TENANT))
    if database_url.startswith("postgresql"):
        assert happened == ["first holds", "first lets go", "second holds", "second lets go"]
    else:  # one process: nothing is held
        assert happened == ["first holds", "second holds", "second lets go", "first lets go"]


def test_another_name_is_not_held_up(database_url: str) -> None:
    happened = held_in_turn(database_url, (TENANT, "msteams:another-tenant"))
    assert happened == ["first holds", "second holds", "second lets go", "first lets go"]


def test_a_holder_that_fails_lets_go(database_url: str) -> None:
    async def main() -> bool:
        first, second = Database(database_url), Database(database_url)
        try:
            try:
                async with first.held(TENANT):
                    raise RuntimeError("the handler failed")
            except RuntimeError:
                pass
            async with asyncio.timeout(5), second.held(TENANT):  # another process
                return True
        finally:
            await first.close()
            await second.close()

    assert asyncio.run(main())
