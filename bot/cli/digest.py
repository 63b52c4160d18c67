"""`python -m bot digest --workspace T… --dry-run [--week 2026-W47]`: print every digest that
would be sent, as text, without sending anything."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.arguments import workspace_id
from bot.cli.database import checked_database_url
from bot.config import Settings, load_settings
from bot.core.digest_week import parse_week

if TYPE_CHECKING:
    from bot.runtime import Runtime


def add_parser(commands: Any) -> None:
    summary = "print every manager's digest for a week (text), without sending"
    digest = commands.add_parser("digest", help=summary, description=summary + ".")
    digest.add_argument(
        "--workspace", required=True, type=workspace_id, metavar="T…", help="the workspace id"
    )
    digest.add_argument(
        "--dry-run",
        action="store_true",
        required=True,
        help="print without sending (the only mode: the scheduler sends digests)",
    )
    digest.add_argument("--week", help="ISO week, like 2026-W47 (default: the latest digest's)")
    digest.set_defaults(run=run_dry_run)


def run_dry_run(args: argparse.Namespace) -> int:
    from bot.runtime import build_runtime

    settings = load_settings(os.environ)  # it asks Slack for members and time zones
    checked_database_url()
    return asyncio.run(
        print_digests(
            settings, workspace=args.workspace, week=args.week, runtime_factory=build_runtime
        )
    )


async def print_digests(
    settings: Settings,
    *,
    workspace: str,
    week: str | None,
    runtime_factory: Callable[[Settings], Runtime],
    out: TextIO | None = None,
) -> int:
    """`runtime_factory` is bot.runtime.build_runtime: the composition root stays the only
    place that builds the app."""
    from bot.digest_words import digest_text

    out = out or sys.stdout

    if week is not None:
        try:
            parse_week(week, None)
        except ValueError as error:
            print(f"--week: {error}", file=sys.stderr)
            return 2
    runtime = runtime_factory(settings)
    try:
        digests = await runtime.services.digests.digests.dry_run(workspace, week)
        if not digests:
            print(f"No teams in {workspace} yet: nothing would be sent.", file=out)
            return 0
        people = await runtime.services.digests.digests.people(workspace)
        names = {uid: person.name for uid, person in people.items()}
        for manager_id, digest in digests:
            print(f"=== To @{names.get(manager_id, manager_id)} ({digest.week.tz})", file=out)
            print(digest_text(digest, names), file=out)
            print(file=out)
        print(f"{len(digests)} digest(s) would be sent; nothing was sent.", file=out)
    finally:
        await runtime.close()
    return 0
