"""`python -m bot forget-user`: remove a person from a workspace's records (storage/forget.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.arguments import USAGE_ERROR, user_id, workspace_id
from bot.cli.database import admin_engine
from storage.forget import FORGOTTEN_USER, Step, forget_user


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "forget-user",
        help="remove a person from a workspace's records (for erasure requests)",
        description=(
            "Remove a person from a workspace's records. Kudos they gave are kept with their "
            f"story, the giver shown as {FORGOTTEN_USER}; they are removed from the kudos "
            "others gave them, and a kudos that named only them is deleted; tip schedules they "
            "own keep running with no owner; they are no longer a Delight admin named in the "
            f"settings, and their ID anywhere else (audit log details, text) becomes "
            f"{FORGOTTEN_USER}. Messages already posted in Slack are not changed. "
            "Shows what it will change and asks first, unless --yes."
        ),
    )
    parser.add_argument("--workspace", required=True, type=workspace_id, metavar="T…")
    parser.add_argument("user", type=user_id, metavar="U…", help="the person's Slack member ID")
    parser.add_argument("--yes", action="store_true", help="don't ask: the change is for good")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    who = f"{args.user} in {args.workspace}"
    with admin_engine() as engine:
        with engine.connect() as connection:  # a rehearsal: count, then roll back
            planned = forget_user(connection, team_id=args.workspace, user_id=args.user)
            connection.rollback()
        if not any(count for _step, count in planned):
            print(f"nothing to forget: {who} is in no records")
            return 0
        print(f"Forgetting {who} will change:")
        print(_report(planned))
        if not args.yes and not _confirmed():
            return USAGE_ERROR if not sys.stdin.isatty() else 1
        with engine.begin() as connection:
            done = forget_user(connection, team_id=args.workspace, user_id=args.user)
    print(f"Forgot {who}:")
    print(_report(done))
    return 0


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print(
            "forget-user changes records for good: add --yes to confirm (there is no terminal "
            "to ask on)",
            file=sys.stderr,
        )
        return False
    answer = input("This cannot be undone. Type 'yes' to go on: ")
    if answer.strip().lower() != "yes":
        print("nothing changed", file=sys.stderr)
        return False
    return True


def _report(results: list[tuple[Step, int]]) -> str:
    return "\n".join(f"  - {step.what}: {count}" for step, count in results if count)
