"""SQLite's write-ahead log, copied into the database by a thread of its own.

A commit that takes the log past `wal_autocheckpoint` pages copies the whole log into the
database file and syncs it, inside that commit: on the event loop, 10,000 pages stalled every
request for about a tenth of a second, a few times a minute under load, and set the p99 ack.
Here a thread copies what the log holds every second with a PASSIVE checkpoint, which never
waits for a lock nor holds up a writer, and the sqlite3 module lets the loop run meanwhile.
Once the copy has caught up, the next commit starts the log again from its beginning, so the
loop's own checkpoint (still set, as a backstop) finds little or nothing to copy.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

# Copies in a row while commits keep adding to the log, before the next pause.
_CATCH_UP = 5


class Checkpoints:
    def __init__(self, path: str, *, every: float = 1.0) -> None:
        self._path = Path(path).resolve()
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while not self._stop.wait(self._every):
                try:
                    if connection is None:
                        if not self._path.exists():  # not made yet: opening would create it
                            continue
                        connection = sqlite3.connect(self._path.as_uri() + "?mode=rw", uri=True)
                    _copy(connection)
                except sqlite3.Error:  # not a database, say: the loop's own checkpoint still runs
                    logger.warning("copying SQLite's write-ahead log failed", exc_info=True)
        finally:
            if connection is not None:
                connection.close()


def _copy(connection: sqlite3.Connection) -> None:
    for _ in range(_CATCH_UP):
        _busy, in_log, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if copied >= in_log:  # caught up (or the database is not in WAL mode: -1)
            return
