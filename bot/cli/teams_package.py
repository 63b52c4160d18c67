"""`python -m bot teams-package`: write the Teams app package (handlers/msteams/package.py)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from bot.cli.arguments import USAGE_ERROR
from bot.cli.database import CommandError
from bot.config import ConfigError, load_teams_app
from handlers.msteams.package import MANIFEST_VERSION, Publisher, build_manifest, build_package

COMMAND = "python -m bot teams-package"
_HOST_NAME = re.compile(
    r"(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE
)


def add_parser(commands: Any) -> None:
    defaults = Publisher()
    parser = commands.add_parser(
        "teams-package",
        help="write the Microsoft Teams app package (a zip to upload to Teams)",
        description=(
            "Write the Microsoft Teams app package: manifest.json, color.png and outline.png in "
            "a zip to upload in the Teams admin center (or 'Upload a custom app'). Reads "
            "TEAMS_CLIENT_ID (the bot's Microsoft App ID) and TEAMS_APP_ID (the package's own "
            "id; keep it the same across releases so an upload replaces the last one)."
        ),
    )
    parser.add_argument(
        "--out", type=Path, default=Path("delight-teams.zip"), metavar="FILE", help="the zip"
    )
    parser.add_argument(
        "--domain",
        dest="domains",
        action="append",
        default=[],
        type=host_name,
        metavar="HOST",
        help="a domain Delight's pages live on, e.g. delight.example.com (repeat for more)",
    )
    parser.add_argument(
        "--app-version",
        type=semantic_version,
        default=None,
        metavar="X.Y.Z",
        help="the package's version; raise it for each upload (default: Delight's version)",
    )
    publisher = parser.add_argument_group("publisher (shown on the app's page in Teams)")
    publisher.add_argument("--publisher", default=defaults.name, metavar="NAME")
    publisher.add_argument("--website-url", type=https_url, default=defaults.website_url)
    publisher.add_argument("--privacy-url", type=https_url, default=defaults.privacy_url)
    publisher.add_argument("--terms-url", type=https_url, default=defaults.terms_url)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        app = load_teams_app(os.environ)
    except ConfigError as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return USAGE_ERROR
    manifest = build_manifest(
        app_id=app.app_id,
        bot_id=app.client_id,
        version=args.app_version or installed_version("delight"),
        domains=args.domains,
        publisher=Publisher(
            name=args.publisher,
            website_url=args.website_url,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
        ),
    )
    out: Path = args.out
    try:
        out.write_bytes(build_package(manifest))
    except OSError as error:
        raise CommandError(f"can't write {out}: {error.strerror or error}") from None
    print(
        f"wrote {out} (manifest {MANIFEST_VERSION}, app {app.app_id} v{manifest['version']}, "
        f"bot {app.client_id}): upload it in the Teams admin center, or in Teams with "
        "Apps → Manage your apps → Upload an app"
    )
    return 0


def host_name(raw: str) -> str:
    value = raw.strip().lower().rstrip(".")
    if not _HOST_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a domain: give the host alone, like delight.example.com "
            "(no https://, no path)"
        )
    return value


def semantic_version(raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"\d+\.\d+\.\d+", value):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a version: use three numbers, like 1.4.0")
    return value


def https_url(raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"https://[^\s/]+(/\S*)?", value):
        raise argparse.ArgumentTypeError(f"{raw!r} is not an https:// URL (Teams needs https)")
    return value
