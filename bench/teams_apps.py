"""The two Teams apps bench.teams_delivery compares, each served in a process of its own.

`python -m bench.teams_apps APP --fake-url URL [--database-url URL] [--daily-limit N]` with
APP one of:

- minimal: verifies each activity's Bot Framework JWT as Delight does (PyJWT, the keys read
           once from the OpenID metadata and cached: handlers/msteams/auth.py), acks, then
           posts the same announcement card in the thread, opens the recipient's 1:1 (once
           a person, kept in memory) and posts the same card there, and the same
           confirmation in the giver's 1:1, through the same connector and connection pool;
           no checks, no storage, no pacing: the cost of the I/O Delight must do.
- delight: the real thing, built by bot.runtime.build_runtime with a Teams-only
           configuration against the fake Bot Connector (schema upgraded first).

Served as bench.apps serves Slack's (bench.serving): `READY <port>` once listening.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from bench.apps import Cleanup, app_parser, serve_app
from bot.config import Settings, load_settings
from bot.core.model import DeliveryReport, Kudos, MessageRef, Source
from bot.core.workspaces import Platform, workspace_id
from handlers.msteams import cards
from handlers.msteams.auth import BotFrameworkAuth, BotToken, Unauthorized
from handlers.msteams.connector import Connector
from handlers.msteams.endpoint import TEAMS_MESSAGES_PATH
from handlers.msteams.parsing import Mention, TypedNomination, parse_message
from handlers.msteams.text import Names
from tests.fakemsteams import BOT_ID, CLIENT_ID, CLIENT_SECRET, SCOPE

APPS = ("minimal", "delight")


def _mentions(activity: dict[str, Any]) -> list[Mention]:
    return [
        Mention(e["text"], e["mentioned"]["id"], e["mentioned"].get("name") or "")
        for e in activity.get("entities") or ()
        if e.get("type") == "mention"
    ]


def build_minimal(fake_url: str) -> tuple[web.Application, Cleanup]:
    http = aiohttp.ClientSession()  # one pool, as Delight's (bot/runtime.py)
    auth = BotFrameworkAuth(client_id=CLIENT_ID, metadata_url=f"{fake_url}/openid", http=http)
    token = BotToken(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_url=f"{fake_url}/token",
        scope=SCOPE,
        http=http,
    )
    connector = Connector(token=token, http=http)
    ids = itertools.count(1)
    personal: dict[str, str] = {}  # member id → their 1:1 with the bot
    background: set[asyncio.Task[None]] = set()

    async def one_to_one(service_url: str, tenant: str, member_id: str) -> str:
        if (known := personal.get(member_id)) is None:
            known = await connector.create_personal(
                service_url, tenant_id=tenant, member_id=member_id, bot_id=BOT_ID
            )
            personal[member_id] = known
        return known

    async def deliver(activity: dict[str, Any]) -> None:
        # Parsed only to build the same cards as Delight; nothing is checked.
        parsed = parse_message(activity["text"], _mentions(activity), bot_id=BOT_ID)
        assert isinstance(parsed, TypedNomination)
        service_url, thread = activity["serviceUrl"], activity["conversation"]["id"]
        tenant = activity["channelData"]["tenant"]["id"]
        sender = activity["from"]
        giver = sender["aadObjectId"]
        recipients = tuple(dict.fromkeys(ref.user_id for ref in parsed.recipients if ref.user_id))
        people = {m.member_id: m.name for m in _mentions(activity)} | {giver: sender["name"]}
        names = Names(people=people)
        kudos = Kudos(
            id=next(ids),
            team_id=workspace_id(Platform.MSTEAMS, tenant),
            giver_id=giver,
            recipient_ids=recipients,
            story=parsed.story,
            elements=parsed.elements,
            source=Source.MENTION,
            created_at=datetime.now(UTC),
            origin_channel_id=thread,
        )

        async def announce() -> MessageRef:
            card = cards.announcement(kudos, names=names).activity()
            return MessageRef(thread, await connector.send(service_url, thread, card))

        async def tell(member_id: str) -> MessageRef:
            chat = await one_to_one(service_url, tenant, member_id)
            card = cards.recipient_message(kudos, member_id, names=names).activity()
            return MessageRef(chat, await connector.send(service_url, chat, card))

        announcement, *told = await asyncio.gather(announce(), *map(tell, recipients))
        report = DeliveryReport(
            kudos=kudos,
            announcement=announcement,
            direct_messages=dict(zip(recipients, told, strict=True)),
        )
        chat = await one_to_one(service_url, tenant, sender["id"])
        confirmation = cards.confirmation(report, remaining_today=0, names=names)
        await connector.send(service_url, chat, confirmation.activity())

    async def messages(request: web.Request) -> web.StreamResponse:
        activity = json.loads(await request.read())
        try:
            await auth.verify(
                request.headers.get("Authorization"), service_url=activity["serviceUrl"]
            )
        except Unauthorized:
            return web.Response(status=401)
        task = asyncio.get_running_loop().create_task(deliver(activity))
        background.add(task)
        task.add_done_callback(background.discard)
        return web.Response(status=200)

    async def close() -> None:
        await http.close()

    app = web.Application()
    app.router.add_post(TEAMS_MESSAGES_PATH, messages)
    return app, close


def delight_settings(fake_url: str, database_url: str, daily_limit: int) -> Settings:
    return load_settings(
        {
            "TEAMS_CLIENT_ID": CLIENT_ID,
            "TEAMS_CLIENT_SECRET": CLIENT_SECRET,
            "TEAMS_OPENID_METADATA_URL": f"{fake_url}/openid",
            "TEAMS_TOKEN_URL": f"{fake_url}/token",
            "DATABASE_URL": database_url,
            "DELIGHT_DAILY_LIMIT": str(daily_limit),
            "LOG_LEVEL": "WARNING",
        }
    )


def main() -> int:
    parser = app_parser(__doc__, APPS, "--fake-url")
    fake_url = parser.parse_args().fake_url
    return serve_app(parser, fake_url, delight=delight_settings, others={"minimal": build_minimal})


if __name__ == "__main__":
    sys.exit(main())
