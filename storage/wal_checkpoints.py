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


class WalCheckpointer:
    """Checkpoints the SQLite database at `path` every `every` seconds on a daemon thread,
    from `start()` until `stop()`, which runs one last checkpoint before it returns."""

    def __init__(self, path: str | Path, *, every: float = EVERY_SECONDS) -> None:
        self._path = Path(path)
        self._every = every
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
        """One PASSIVE checkpoint: (busy, pages in the log, pages checkpointed)."""
        if self._connection is None:
            # mode=rw: a database that is gone is an error here, not a new empty file.
            self._connection = sqlite3.connect(
                f"file:{self._path}?mode=rw", uri=True, check_same_thread=False
            )
            self._connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        busy, log, done = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
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
