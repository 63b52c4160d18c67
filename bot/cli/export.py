"""`python -m bot export`: every kudos of a workspace, as CSV or JSON lines, streamed."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from bot.cli.arguments import iso_date, workspace_id
from bot.cli.database import CommandError, admin_engine
from storage.export import count_kudos, csv_writer, jsonl_writer, kudos_batches, one_snapshot


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "export",
        help="write a workspace's kudos as CSV or JSON lines",
        description=(
            "Write every kudos of a workspace, oldest first: id, created_at (ISO 8601, UTC), "
            "giver_id, recipient_ids, elements, story, source, source_url, "
            "announcement_channel_id, announcement_message_id, status (public, private, "
            "withdrawn by the giver, removed by an admin). In CSV, lists are space-separated "
            "and a story starting with = + - or @ gets a leading ' so spreadsheets don't run it; "
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
        connection = one_snapshot(connection)
        total = count_kudos(connection, team_id=args.workspace, since=since)
        with _output(args.output) as out, _progress(total) as progress:
            write = csv_writer(out) if args.format == "csv" else jsonl_writer(out)
            for batch in kudos_batches(connection, team_id=args.workspace, since=since):
                for kudos in batch:
                    write(kudos)
                progress.update(len(batch))
    where = "" if args.output is None else f" to {args.output}"
    print(f"exported {total} kudos of {args.workspace}{where}", file=sys.stderr)
    return 0


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
