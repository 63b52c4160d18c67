"""`python -m bot`: run Delight, or manage its database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from dotenv import find_dotenv, load_dotenv

from bot import digest_cli
from bot.config import ConfigError, load_settings
from bot.core.tips import TipLibraryError, load_tip_library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the bot (the default)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the newest migrations")
    digest_cli.add_parser(commands)
    args = parser.parse_args(argv)

    # .env in the working directory (not beside this file); real variables win over it.
    load_dotenv(find_dotenv(usecwd=True))
    if args.command == "db":
        from storage.engine import upgrade_schema

        upgrade_schema(os.environ.get("DATABASE_URL") or "sqlite:///delight.db")
        print("database is up to date")
        return 0

    try:
        settings = load_settings(os.environ)
        load_tip_library()  # a broken tips file stops start-up, not a scheduled send
    except (ConfigError, TipLibraryError) as error:
        print(f"Delight can't start: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "digest":
        from bot.runtime import build_runtime
        from storage.engine import upgrade_schema

        upgrade_schema(settings.database_url)
        return asyncio.run(
            digest_cli.print_digests(
                settings, workspace=args.workspace, week=args.week, runtime_factory=build_runtime
            )
        )
    from bot.runtime import serve
    from storage.engine import upgrade_schema

    upgrade_schema(settings.database_url)
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
