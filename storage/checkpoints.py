"""SQLite's write-ahead log, copied into the database by a thread of its own.

A commit that takes the log past `wal_autocheckpoint` pages copies the whole log into the
database file and syncs it, inside that commit: on the event loop, 10,000 pages stalled every
request for about a tenth of a second, a few times a minute under load, and set the p99 ack.

Here a thread copies what the log holds every second with a PASSIVE checkpoint, which never
waits for a lock nor holds up a writer (the sqlite3 module lets the loop run meanwhile). Under
load, commits keep adding to the log, so it is never all copied when the next commit starts
and the log never starts over from its beginning. Once it passes RESTART_AT pages, the thread
copies the little that is left with a RESTART checkpoint, which holds the writers back for
that copy (a few milliseconds), so the next commit starts the log over. (A TRUNCATE would
also empty the file, but the loop's connection would then find the log changed under it and
drop its page cache.) The loop's own checkpoint stays set, as a backstop, and is not reached.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

RESTART_AT = 4_000  # pages in the log (16 MB of 4 KB pages); the loop's backstop is 10,000
# How long the RESTART may wait for the writer's lock and for readers to leave the log, before
# it gives up until next time: writers wait for it meanwhile, the event loop's among them.
_LOCK_WAIT = 0.05


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
                        connection = sqlite3.connect(
                            self._path.as_uri() + "?mode=rw", uri=True, timeout=_LOCK_WAIT
                        )
                    copy_log(connection)
                except sqlite3.Error:  # not a database, say: the loop's own checkpoint still runs
                    logger.warning("copying SQLite's write-ahead log failed", exc_info=True)
        finally:
            if connection is not None:
                connection.close()


def copy_log(connection: sqlite3.Connection) -> None:
    _busy, in_log, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if in_log >= RESTART_AT:
        connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
