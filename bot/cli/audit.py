"""`python -m bot audit`: a workspace's audit log (settings changes, removals, schedules): who,
what, when."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, time
from typing import Any

from bot.cli.arguments import iso_date, workspace_id
from bot.cli.database import admin_engine
from storage.audit_log import AuditEntry, audit_entries


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "audit",
        help="print a workspace's audit log",
        description=(
            "Print a Slack workspace's or a Teams organisation's audit log, oldest first, one "
            "entry a line: when (UTC), who (a Slack member ID or an Entra object ID), what, "
            "and its details as JSON. Settings changes, admins' removals of recognition, tip "
            "schedules and manager teams are all written there."
        ),
    )
    parser.add_argument(
        "--workspace",
        required=True,
        type=workspace_id,
        metavar="ID",
        help="a Slack team ID (T0123ABCD), or msteams:<tenant ID> for Teams",
    )
    parser.add_argument(
        "--since", type=iso_date, metavar="YYYY-MM-DD", help="only entries from this day on (UTC)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    since = None if args.since is None else datetime.combine(args.since, time(), UTC)
    count = 0
    with admin_engine() as engine, engine.connect() as connection:
        for entry in audit_entries(connection, team_id=args.workspace, since=since):
            print(line(entry))
            count += 1
    if count == 0:
        since_said = f" since {args.since}" if since else ""
        print(f"no audit log entries for {args.workspace}{since_said}", file=sys.stderr)
    return 0


def line(entry: AuditEntry) -> str:
    when = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
    return f"{when}  {entry.actor_id}  {entry.action}  {detail}"
