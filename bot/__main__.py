"""`python -m bot`: run Delight (all in one, or as web and clock processes), or administer it."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from dotenv import find_dotenv, load_dotenv

from bot.cli import audit, digest, export, forget, teams_package, tips
from bot.cli.arguments import USAGE_ERROR, Parser
from bot.cli.database import CommandError
from bot.config import ConfigError, load_database_url, load_logging, load_settings
from bot.core.tips import TipLibraryError, load_tip_libraries

ROLES = {
    "serve": ("all", "run everything in one process (the default)"),
    "web": ("web", "answer Slack and Teams only (HTTP or Socket Mode); run as many as you like"),
    "clock": ("clock", "run the scheduled jobs only, plus /healthz on PORT"),
}


def build_parser() -> Parser:
    parser = Parser(prog="python -m bot", description=__doc__)
    parser.set_defaults(run=lambda _args: run_role("all"))
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, (role, summary) in ROLES.items():
        command = commands.add_parser(name, help=summary, description=summary)
        command.set_defaults(run=lambda _args, role=role: run_role(role))

    db = commands.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    upgrade = db_commands.add_parser(
        "upgrade", help="apply the newest migrations", description="Apply the newest migrations."
    )
    upgrade.set_defaults(run=upgrade_database)
    for admin_command in (export, audit, forget, tips, digest, teams_package):
        admin_command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # .env in the working directory (not beside this file); real variables win over it.
    load_dotenv(find_dotenv(usecwd=True))
    try:
        return int(args.run(args))
    except ConfigError as error:
        print(f"Delight can't start: {error}", file=sys.stderr)
        return USAGE_ERROR
    except CommandError as error:
        print(f"python -m bot: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (`export | head`): stop quietly, and keep Python's exit-time
        # flush of stdout from failing again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def upgrade_database(_args: argparse.Namespace) -> int:
    from bot.logs import configure_logging
    from storage.engine import upgrade_schema

    level, log_format = load_logging(os.environ)
    configure_logging(level=level, log_format=log_format)  # the release log shows each step
    upgrade_schema(load_database_url(os.environ))
    print("database is up to date")
    return 0


def run_role(role_name: str) -> int:
    try:
        settings = load_settings(os.environ)
        load_tip_libraries()  # a broken tips file, in any language, stops start-up
    except (ConfigError, TipLibraryError) as error:
        print(f"Delight can't start: {error}", file=sys.stderr)
        return USAGE_ERROR
    from bot.logs import configure_logging
    from bot.runtime import Role, serve
    from storage.engine import upgrade_schema

    configure_logging(level=settings.log_level, log_format=settings.log_format)
    upgrade_schema(settings.database_url)
    asyncio.run(serve(settings, role=Role(role_name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
