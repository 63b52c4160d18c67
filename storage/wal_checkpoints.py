"""SQLite's WAL checkpoints, on a thread of their own instead of inside a commit on the loop.

In WAL mode a commit only appends pages to the write-ahead log; a checkpoint copies them back
into the database file and, with `synchronous=NORMAL`, waits for the disk twice (fsync). By
default SQLite runs one inside whichever commit takes the log past 1,000 pages: on the event
loop that serves Slack (storage/engine.py). Measured in bench/ (10,000 kudos, 50 clients):
62 such commits took 5-17 ms each, 0.75 s in all, 0.47 s of it waiting for the disk while no
request was answered. A serving process turns those off (`wal_autocheckpoint=0` on its
connection) and checkpoints here instead: the sqlite3 module lets go of the GIL while SQLite
works, so the copying and the waiting happen beside the loop, not in it.

A checkpoint is PASSIVE: it copies what no reader still needs and never waits for a writer,
so the loop's transactions go on meanwhile, as they would beside another process's reader.
But SQLite starts the log over only when a write begins after a checkpoint that copied all of
it, and under steady load a commit always lands while one runs: the log then never starts
over and grows without end (bench/: 122 MB after 10,000 kudos, every checkpoint complete when
it began). So once the log passes RESTART_AFTER_PAGES, a TRUNCATE checkpoint follows the
passive one: what is left to copy is little, and it empties the log file. It waits for no
one (busy_timeout 0): a writer or reader in the way makes it give up until the next tick.
While it runs the loop's writes wait for it: 44-49 ms in bench/'s load, once per 64 MiB of
log (every ~7 s there; never under a workspace's load, whose quiet moments start the log
over on their own).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

EVERY_SECONDS = 0.5  # under load, about as often as SQLite's own 1,000-page threshold
BUSY_TIMEOUT_MS = 10_000
RESTART_AFTER_PAGES = 16_384  # 64 MiB of 4 KiB pages


class WalCheckpointer:
    """Checkpoints the SQLite database at `path` every `every` seconds on a daemon thread,
    from `start()` until `stop()`, which runs one last checkpoint before it returns."""

    def __init__(
        self,
        path: str | Path,
        *,
        every: float = EVERY_SECONDS,
        restart_after_pages: int = RESTART_AFTER_PAGES,
    ) -> None:
        self._path = Path(path)
        self._every = every
        self._restart_after_pages = restart_after_pages
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the checkpointer is already running")
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join()
        self._thread = None

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint, then a TRUNCATE one if the log has grown past
        `restart_after_pages`: (busy, pages in the log, pages checkpointed) of the last."""
        if self._connection is None:
            # mode=rw: a database that is gone is an error here, not a new empty file.
            self._connection = sqlite3.connect(
                f"file:{self._path}?mode=rw", uri=True, check_same_thread=False
            )
            self._connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection = self._connection
        busy, log, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if log >= self._restart_after_pages:
            connection.execute("PRAGMA busy_timeout=0")  # never wait: the loop would, behind it
            try:
                busy, log, done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return int(busy), int(log), int(done)

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self._every):
                self._checkpoint_logging_failures()
            self._checkpoint_logging_failures()
        finally:
            if self._connection is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._connection.close()
                self._connection = None

    def _checkpoint_logging_failures(self) -> None:
        try:
            self.checkpoint()
        except Exception:  # whatever it was, the thread must live: the log grows without it
            # The next tick tries again, with a fresh connection.
            logger.exception("SQLite checkpoint of %s failed", self._path)
            if self._connection is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._connection.close()
                self._connection = None
