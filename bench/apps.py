"""The three apps the benchmark compares, each served in a process of its own, the same way.

`python -m bench.apps APP --slack-api-url URL [--database-url URL] [--port 0]` with APP one of:

- delight: the real thing, built by bot.runtime.build_runtime (schema upgraded first).
- bare:    a Bolt app whose /delight listener only acks: the framework's limit.
- minimal: a Bolt app that acks, then posts the same announcement and one DM per recipient and
           answers the response_url with the same confirmation, through the same pooled
           respond() as Delight (handlers/slack/respond.py); no checks, no storage: the
           cost of the I/O Delight must do.

All three are served by handlers.web.create_web_app on an aiohttp AppRunner bound to
127.0.0.1, as bot.runtime.serve does (no access log), by bench.serving: it prints
`READY <port>` once listening and shuts down cleanly on SIGTERM/SIGINT or when the benchmark
that started it is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import logging
import sys
from argparse import ArgumentParser
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bench.serving import serve_until_stopped
from bot.config import DEFAULT_DAILY_LIMIT, Settings, load_settings
from bot.core.model import DeliveryReport, Kudos, Posted, Source
from bot.runtime import build_runtime
from handlers.slack import blocks, respond
from handlers.slack.client import make_web_client
from handlers.slack.parsing import CommandNomination, parse_command
from handlers.slack.replies import ephemeral
from handlers.web import create_web_app
from storage.engine import upgrade_schema

APPS = ("bare", "minimal", "delight")
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench"
COMMAND = "/delight"

Cleanup = Callable[[], Awaitable[None]]


async def _healthy() -> dict[str, object]:
    return {"ok": True}


async def _nothing() -> None:
    return None


def _bolt(slack_api_url: str) -> AsyncApp:
    # The same client as Delight's (one connection pool, the same retry handlers).
    client = make_web_client(
        token=BOT_TOKEN, base_url=slack_api_url, session=aiohttp.ClientSession()
    )
    # As Delight's: verified once, by the web app in front of it (handlers/web.py).
    return AsyncApp(
        client=client,
        signing_secret="",
        request_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )


def _replying_bolt(slack_api_url: str) -> AsyncApp:
    """A Bolt app whose respond() answers response_url as Delight's does: through the same
    connection pool (handlers/slack/respond.py), so the minimal app's I/O costs what
    Delight's does, not a new connection per reply."""
    bolt = _bolt(slack_api_url)
    respond.register(bolt)
    return bolt


def build_bare(slack_api_url: str) -> tuple[web.Application, Cleanup]:
    bolt = _bolt(slack_api_url)

    @bolt.command(COMMAND)
    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    return create_web_app(bolt=bolt, health=_healthy, signing_secret=SIGNING_SECRET), _nothing


def build_minimal(slack_api_url: str) -> tuple[web.Application, Cleanup]:
    bolt = _replying_bolt(slack_api_url)
    ids = itertools.count(1)

    @bolt.command(COMMAND)
    async def deliver(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        # Parsed only to build byte-for-byte the same messages as Delight; nothing is checked.
        parsed = parse_command(command.get("text") or "")
        assert isinstance(parsed, CommandNomination)
        recipients = tuple(dict.fromkeys(ref.user_id for ref in parsed.recipients if ref.user_id))
        channel = command["channel_id"]
        kudos = Kudos(
            id=next(ids),
            team_id=command["team_id"],
            giver_id=command["user_id"],
            recipient_ids=recipients,
            story=parsed.story.strip(),
            elements=parsed.elements,
            source=Source.COMMAND,
            created_at=datetime.now(UTC),
            origin_channel_id=channel,
        )

        async def post(to: str, message: blocks.Message) -> Posted:
            response = await client.chat_postMessage(
                channel=to, text=message.text, blocks=message.blocks, unfurl_links=False
            )
            return Posted(str(response["channel"]), str(response["ts"]))

        announcement, *dms = await asyncio.gather(
            post(channel, blocks.announcement(kudos)),
            *(post(uid, blocks.recipient_dm(kudos, uid)) for uid in recipients),
        )
        report = DeliveryReport(
            kudos=kudos,
            announcement=announcement,
            direct_messages=dict(zip(recipients, dms, strict=True)),
        )
        await respond(**ephemeral(blocks.confirmation(report, remaining_today=0)))

    return create_web_app(bolt=bolt, health=_healthy, signing_secret=SIGNING_SECRET), _nothing


def delight_settings(slack_api_url: str, database_url: str, daily_limit: int) -> Settings:
    return load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api_url,
            "DATABASE_URL": database_url,
            "DELIGHT_DAILY_LIMIT": str(daily_limit),
            "LOG_LEVEL": "WARNING",
        }
    )


def build_delight(settings: Settings) -> tuple[web.Application, Cleanup]:
    runtime = build_runtime(settings)
    return runtime.web, runtime.close


async def serve(build: Callable[[], tuple[web.Application, Cleanup]], port: int) -> None:
    app, cleanup = build()  # inside the running loop, as bot.runtime.serve has it
    try:
        await serve_until_stopped(app, port)
    finally:
        await cleanup()


def app_parser(description: str | None, apps: Sequence[str], fake_option: str) -> ArgumentParser:
    """An app process's options: which app, where its fake platform is (`fake_option`), and
    Delight's database and daily limit."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("app", choices=apps)
    parser.add_argument(fake_option, required=True, help="the fake platform's address")
    parser.add_argument("--database-url", help="delight only")
    parser.add_argument("--daily-limit", type=int, default=DEFAULT_DAILY_LIMIT, help="delight only")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    return parser


def serve_app(
    parser: ArgumentParser,
    fake_url: str,
    *,
    delight: Callable[[str, str, int], Settings],
    others: Mapping[str, Callable[[str], tuple[web.Application, Cleanup]]],
) -> int:
    """Serve the app the options name: Delight with `delight`'s settings (fake URL, database,
    daily limit), another built by `others[app](fake URL)`."""
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    build: Callable[[], tuple[web.Application, Cleanup]]
    if args.app == "delight":
        if not args.database_url:
            parser.error("delight needs --database-url")
        settings = delight(fake_url, args.database_url, args.daily_limit)
        upgrade_schema(settings.database_url)  # as `python -m bot` does before serving
        build = functools.partial(build_delight, settings)
    else:
        build = functools.partial(others[args.app], fake_url)
    asyncio.run(serve(build, args.port))
    return 0


def main() -> int:
    parser = app_parser(__doc__, APPS, "--slack-api-url")
    fake_url = parser.parse_args().slack_api_url
    return serve_app(
        parser,
        fake_url,
        delight=delight_settings,
        others={"bare": build_bare, "minimal": build_minimal},
    )


if __name__ == "__main__":
    sys.exit(main())
