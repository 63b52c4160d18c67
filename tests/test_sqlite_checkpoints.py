"""SQLite's write-ahead log is copied into the database by a thread, off the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage import checkpoints as checkpoints_module
from storage.checkpoints import Checkpoints, copy_log
from storage.engine import Database


def _wait_for(condition: Callable[[], bool], *, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _writer(path: Path) -> sqlite3.Connection:
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread copies
    writer.execute("CREATE TABLE t (payload BLOB)")
    writer.commit()
    return writer


def _write(writer: sqlite3.Connection, rows: int) -> None:
    writer.executemany("INSERT INTO t VALUES (?)", [(b"x" * 1000,) for _ in range(rows)])
    writer.commit()


def _pages_in_log(writer: sqlite3.Connection) -> int:
    return int(writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def test_the_thread_copies_the_log_into_the_database_while_a_writer_keeps_it_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wal.db"
    writer = _writer(path)
    before = path.stat().st_size
    _write(writer, 2000)
    assert path.stat().st_size == before  # all of it still in the log

    checkpoints = Checkpoints(str(path), every=0.05)
    try:
        assert _wait_for(lambda: path.stat().st_size > before + 1_000_000)
    finally:
        checkpoints.stop()
    writer.close()


class _Recording(sqlite3.Connection):
    """A real connection that keeps the statements it ran."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements: list[str] = []

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.statements.append(sql)
        return super().execute(sql, *args)


@pytest.fixture
def long_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, sqlite3.Connection]:
    """A database whose log holds over 500 pages, past a RESTART_AT lowered to 100."""
    path = tmp_path / "wal.db"
    writer = _writer(path)
    _write(writer, 2000)
    assert _pages_in_log(writer) > 500
    monkeypatch.setattr(checkpoints_module, "RESTART_AT", 100)
    return path, writer


def test_a_long_log_is_copied_then_restarted_and_the_next_commit_starts_it_over(
    long_log: tuple[Path, sqlite3.Connection],
) -> None:
    path, writer = long_log
    checkpointer = sqlite3.connect(path, factory=_Recording)

    copy_log(checkpointer)
    _write(writer, 1)

    assert checkpointer.statements == [
        "PRAGMA wal_checkpoint(PASSIVE)",
        "PRAGMA wal_checkpoint(RESTART)",
    ]
    assert _pages_in_log(writer) < 10  # the last commit's pages, from the log's beginning
    checkpointer.close()
    writer.close()


def test_a_reader_in_the_log_makes_the_restart_give_up_soon_and_writers_go_on(
    long_log: tuple[Path, sqlite3.Connection],
) -> None:
    path, writer = long_log
    _write(writer, 10)  # starts the log over: the fixture's look copied all of it
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # holds its snapshot of the log
    _write(writer, 500)
    pages = _pages_in_log(writer)
    assert pages > 100
    checkpointer = sqlite3.connect(path, timeout=checkpoints_module._LOCK_WAIT)

    started = time.monotonic()
    copy_log(checkpointer)
    waited = time.monotonic() - started
    _write(writer, 1)

    assert waited < 0.4  # _LOCK_WAIT, and not the default busy timeout of 5 s
    assert _pages_in_log(writer) > pages  # not started over: the reader still reads it
    reader.execute("COMMIT")
    for connection in (reader, checkpointer, writer):
        connection.close()


def test_a_short_log_is_copied_without_holding_the_writers_back(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = _writer(path)
    before = path.stat().st_size
    _write(writer, 2000)
    checkpointer = sqlite3.connect(path, factory=_Recording)

    copy_log(checkpointer)

    assert checkpointer.statements == ["PRAGMA wal_checkpoint(PASSIVE)"]
    assert path.stat().st_size > before + 1_000_000
    checkpointer.close()
    writer.close()


def test_a_file_that_is_not_a_database_is_logged_and_the_thread_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not a database" * 100)
    checkpoints = Checkpoints(str(path), every=0.02)
    time.sleep(0.2)
    alive = checkpoints._thread.is_alive()
    checkpoints.stop()
    assert alive
    assert "write-ahead log failed" in caplog.text


def test_a_missing_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "not there yet.db"
    checkpoints = Checkpoints(str(path), every=0.02)
    time.sleep(0.2)
    checkpoints.stop()
    assert not path.exists()


def test_a_sqlite_database_runs_the_thread_until_it_is_closed(tmp_path: Path) -> None:
    def checkpointers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "sqlite-checkpoints"]

    already = len(checkpointers())
    database = Database(f"sqlite:///{tmp_path / 'delight.db'}")
    assert len(checkpointers()) == already + 1
    asyncio.run(database.close())
    assert len(checkpointers()) == already
