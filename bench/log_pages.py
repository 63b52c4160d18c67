"""The pages a kudos writes to SQLite's write-ahead log, by table and index.

    .venv/bin/python -m bench.log_pages [--platform slack|teams] [--kudos 800] [--history 20000]

The instruction count (bench/instructions.py) sees no system call, but a commit hands each page
it changed to the kernel (two `pwrite`s a page: the frame's header, then the page), and the
checkpoint thread later reads it back and writes it into the database: kernel time that the
throughput benches' CPU figures include and the count leaves out. This counts those pages.

Delight runs in process as bench.instructions runs it (a warm-up, then `--kudos` counted, 50 at
a time, the platform answered in the process) on a scratch SQLite database with `--history`
kudos of history, with its checkpoint thread and SQLite's own checkpoint off, so every page the
counted kudos write stays in the log. Each frame is then named by the b-tree its page belongs
to (SQLite's `dbstat` table), and the commits counted (a frame that ends one says so).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import sqlite3
import struct
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.ack_and_delivery import delight_database
from bench.instructions import fill_history
from bench.instructions import run_child as run_counted

ROOT = Path(__file__).resolve().parent.parent
_HEADER = 32  # the log's own header
_FRAME_HEADER = 24  # each frame's: page number, database size after a commit (else 0), …


@dataclass(frozen=True, slots=True)
class Frame:
    page: int
    ends_commit: bool


def frames(log: bytes, *, page_size: int) -> Iterator[Frame]:
    """The log's frames in order (`log` from a frame's start)."""
    size = _FRAME_HEADER + page_size
    for start in range(0, len(log) - size + 1, size):
        page, database_size = struct.unpack(">II", log[start : start + 8])
        yield Frame(page, database_size != 0)


def page_names(database: Path) -> dict[int, str]:
    """Each page's b-tree, and whether it is a leaf, as SQLite's dbstat table says."""
    with sqlite3.connect(database) as connection:
        try:
            rows = connection.execute("SELECT pageno, name, pagetype FROM dbstat").fetchall()
        except sqlite3.OperationalError:  # an SQLite built without dbstat: pages unnamed
            return {}
    return {page: f"{name} ({kind})" for page, name, kind in rows}


def run_child(platform: str, kudos: int, database: str, log_out: Path) -> None:
    """Delight's counted kudos with every checkpoint off; what they add to the log goes to
    `log_out` (its page size first)."""
    import storage.engine as engine

    class NoCheckpoints:
        def __init__(self, *_: Any, **__: Any) -> None: ...

        def stop(self) -> None: ...

    tune = engine._tune_sqlite

    def tune_without_checkpoints(connection: Any, record: Any) -> None:
        tune(connection, record)
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    # Both read by engine.Database when it is made (build_runtime, below).
    setattr(engine, "Checkpoints", NoCheckpoints)  # noqa: B010
    setattr(engine, "_tune_sqlite", tune_without_checkpoints)  # noqa: B010

    path = Path(database.removeprefix("sqlite:///"))
    log = path.with_name(path.name + "-wal")
    started = 0

    def counting(switch: str) -> None:
        nonlocal started
        with log.open("rb") as read:
            if switch == "on":
                started = read.seek(0, 2)
                return
            header = read.read(_HEADER)
            read.seek(started)
            log_out.write_bytes(header[8:12] + read.read())

    asyncio.run(run_counted(platform, "delight", kudos, database, counting=counting))


def report(platform: str, kudos: int, history: int) -> str:
    with (
        tempfile.TemporaryDirectory() as scratch,
        delight_database(None, Path(scratch)) as (
            database,
            _,
        ),
    ):
        fill_history(platform, database, history)
        log_out = Path(scratch) / "counted.log"
        child = [sys.executable, "-m", "bench.log_pages", "--child", "--platform", platform]
        child += ["--kudos", str(kudos), "--child-database", database, "--log-out", str(log_out)]
        finished = subprocess.run(child, cwd=ROOT, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise SystemExit(f"Delight failed:\n{finished.stderr[-3000:]}")
        written = log_out.read_bytes()
        page_size = struct.unpack(">I", written[:4])[0]
        counted = list(frames(written[4:], page_size=page_size))
        names = page_names(Path(database.removeprefix("sqlite:///")))
    commits = sum(frame.ends_commit for frame in counted)
    by_tree = Counter(names.get(frame.page, "pages free by the end") for frame in counted)
    lines = [
        f"{kudos} kudos on {platform.capitalize()}, 1 recipient each, 50 at a time; SQLite with "
        f"{history:,} kudos of history, {page_size:,}-byte pages",
        f"{commits} commits ({kudos / max(commits, 1):.1f} kudos a commit)",
        f"log pages a kudos: {len(counted) / kudos:.2f} (each written with two pwrite calls)",
    ]
    lines += [
        f"  {n / kudos:5.2f}  {tree}" for tree, n in by_tree.most_common() if n / kudos >= 0.01
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--platform", choices=("slack", "teams"), default="teams")
    parser.add_argument("--kudos", type=int, default=800, help="counted (800)")
    parser.add_argument("--history", type=int, default=20_000, help="kudos of history (20,000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-database", help=argparse.SUPPRESS)
    parser.add_argument("--log-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.platform, args.kudos, args.child_database, Path(args.log_out))
        return 0
    print(report(args.platform, args.kudos, args.history))
    return 0


if __name__ == "__main__":
    sys.exit(main())
