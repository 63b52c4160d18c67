"""`python -m bot export`: every kudos of a workspace, as CSV or JSON lines, streamed."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from bot.cli.arguments import iso_date, workspace_id
from bot.cli.database import CommandError, admin_engine
from bot.core.model import Kudos
from storage.export import count_kudos, kudos_batches

COLUMNS = (
    "id",
    "created_at",
    "giver_id",
    "recipient_ids",
    "elements",
    "story",
    "source",
    "source_url",
    "announcement_channel_id",
    "announcement_ts",
)
# A spreadsheet runs a cell that starts like a formula; stories are user text (OWASP "CSV
# injection"), so such cells get a leading apostrophe, which spreadsheets hide.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Write = Callable[[Kudos], None]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "export",
        help="write a workspace's kudos as CSV or JSON lines",
        description=(
            "Write every kudos of a workspace, oldest first: id, created_at (ISO 8601, UTC), "
            "giver_id, recipient_ids, elements, story, source, source_url, "
            "announcement_channel_id, announcement_ts. In CSV, lists are space-separated and "
            "a story starting with = + - or @ gets a leading ' so spreadsheets don't run it; "
            "JSON lines keep everything exactly as stored."
        ),
    )
    parser.add_argument("--workspace", required=True, type=workspace_id, metavar="T…")
    parser.add_argument(
        "--since", type=iso_date, metavar="YYYY-MM-DD", help="only kudos from this day on (UTC)"
    )
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default: csv")
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write to FILE instead of standard output"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    since = None if args.since is None else datetime.combine(args.since, time(), UTC)
    with admin_engine() as engine, engine.connect() as connection:
        if engine.dialect.name == "postgresql":  # one snapshot: the count and every page agree
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        total = count_kudos(connection, team_id=args.workspace, since=since)
        with _output(args.output) as out, _progress(total) as progress:
            write = _csv_writer(out) if args.format == "csv" else _jsonl_writer(out)
            for batch in kudos_batches(connection, team_id=args.workspace, since=since):
                for kudos in batch:
                    write(kudos)
                progress.update(len(batch))
    where = "" if args.output is None else f" to {args.output}"
    print(f"exported {total} kudos of {args.workspace}{where}", file=sys.stderr)
    return 0


def as_record(kudos: Kudos) -> dict[str, Any]:
    return {
        "id": kudos.id,
        "created_at": kudos.created_at.astimezone(UTC).isoformat(),
        "giver_id": kudos.giver_id,
        "recipient_ids": list(kudos.recipient_ids),
        "elements": [element.value for element in kudos.elements],
        "story": kudos.story,
        "source": kudos.source.value,
        "source_url": kudos.source_url,
        "announcement_channel_id": kudos.announcement_channel_id,
        "announcement_ts": kudos.announcement_ts,
    }


def _csv_writer(out: TextIO) -> Write:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)

    def write(kudos: Kudos) -> None:
        record = as_record(kudos)
        writer.writerow(
            " ".join(value) if isinstance(value, list) else _inert(value)
            for value in (record[column] for column in COLUMNS)
        )

    return write


def _jsonl_writer(out: TextIO) -> Write:
    def write(kudos: Kudos) -> None:
        out.write(json.dumps(as_record(kudos), ensure_ascii=False) + "\n")

    return write


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        file = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise CommandError(f"can't write {path}: {error.strerror}") from None
    with file:
        yield file


def _progress(total: int) -> tqdm[Any]:
    """A bar on stderr for people watching a terminal (shown after a second, so short
    exports stay quiet); nothing in logs or pipes."""
    return tqdm(
        total=total, unit="kudos", file=sys.stderr, disable=not sys.stderr.isatty(), delay=1
    )
