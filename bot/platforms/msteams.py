"""Microsoft Teams, wired: its adapter's parts (handlers/msteams/) over the settings, the
storage and the one connection pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass

import aiohttp

from bot.config import TeamsSettings
from bot.core.platform import PlatformPorts
from bot.core.ports import Clock, EventLedger, SettingsRepository
from bot.nomination import NominationFlow
from bot.services import Services
from handlers.msteams.answers import TeamsAnswers
from handlers.msteams.auth import BotFrameworkAuth, BotToken, NoToken
from handlers.msteams.bot import ACTING_AT_ONCE, ACTING_AT_ONCE_POSTGRES, TeamsBot
from handlers.msteams.cached_book import CachedBook
from handlers.msteams.charts import Handler as GetHandler
from handlers.msteams.charts import chart_routes
from handlers.msteams.connector import Connector, Pace, TokenSource
from handlers.msteams.context import TeamsServices
from handlers.msteams.digests import TeamsDigestPoster, TeamsMemberSources, TeamsPeople
from handlers.msteams.directory import TeamsDirectory
from handlers.msteams.endpoint import Handler, teams_endpoint
from handlers.msteams.messenger import Messenger
from handlers.msteams.notifier import TeamsNotifier
from handlers.msteams.tips import TeamsChannels, TeamsTipPoster
from storage.digest_charts import SqlDigestCharts
from storage.engine import Database
from storage.msteams import SqlMsTeamsDirectory
from storage.msteams_rosters import SqlMsTeamsRosters
from storage.msteams_teams import SqlMsTeamsTeams

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TeamsPlatform:
    settings: TeamsSettings
    ports: PlatformPorts
    directory: TeamsDirectory
    messenger: Messenger
    book: CachedBook
    installs: SqlMsTeamsTeams
    connector: Connector
    auth: BotFrameworkAuth
    rosters: SqlMsTeamsRosters
    # GET routes of Teams' own (the digest charts, with DELIGHT_PUBLIC_URL), on the web app.
    get_routes: dict[str, GetHandler]
    acting_at_once: int  # activities acted on at once (handlers/msteams/bot.py says why)
    held: Callable[[str], AbstractAsyncContextManager[None]]  # across processes

    def endpoint(
        self,
        services: Services,
        *,
        ledger: EventLedger,
        answering: Callable[[], AbstractContextManager[object]],
    ) -> Handler:
        """`POST /api/messages`, once the core's services exist."""
        flow = NominationFlow(
            kudos=services.recognition.kudos,
            directory=self.directory,
            turns=services.recognition.turns,
            answers=TeamsAnswers(),
        )
        bot = TeamsBot(
            TeamsServices(
                core=services,
                flow=flow,
                messenger=self.messenger,
                directory=self.directory,
                book=self.book,
                ledger=ledger,
                rosters=self.rosters,
                installs=self.installs,
                connector=self.connector,
                held=self.held,
            ),
            acting_at_once=self.acting_at_once,
        )
        return teams_endpoint(
            bot,
            self.auth,
            tenant_id=self.settings.tenant_id,
            answering=answering,
            playground=self.settings.playground,
        )


def build_msteams(
    settings: TeamsSettings,
    *,
    database: Database,
    http: aiohttp.ClientSession,
    workspace_settings: SettingsRepository,
    clock: Clock,
    public_url: str | None = None,
) -> TeamsPlatform:
    """`public_url` (DELIGHT_PUBLIC_URL): where digests' charts are served from; None, text
    bars instead."""
    token: TokenSource = BotToken(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_url=settings.token_url,
        scope=settings.token_scope,
        http=http,
    )
    if settings.playground:  # the Agents Playground asks for no token, and gets none
        logger.warning("TEAMS_PLAYGROUND is on: Teams' token checks are off (this machine only)")
        token = NoToken()
    connector = Connector(token=token, http=http, pace=Pace())
    book = CachedBook(SqlMsTeamsDirectory(database))
    installs = SqlMsTeamsTeams(database)
    directory = TeamsDirectory(
        book, connector, clock, installs=installs, settings=workspace_settings
    )
    messenger = Messenger(
        connector, book, directory, bot_id=f"28:{settings.client_id}", clock=clock
    )
    notifier = TeamsNotifier(messenger, workspace_settings)
    rosters = SqlMsTeamsRosters(database)
    people = TeamsPeople(rosters)
    charts = SqlDigestCharts(database) if public_url is not None else None
    digest_poster = TeamsDigestPoster(
        messenger, workspace_settings, people, charts=charts, public_url=public_url, clock=clock
    )
    ports = PlatformPorts(
        directory=directory,
        notifier=notifier,
        announcements=notifier,
        retractor=notifier,
        channels=TeamsChannels(book, installs),
        tip_poster=TeamsTipPoster(messenger, connector, book, directory, workspace_settings),
        people=people,
        member_sources=TeamsMemberSources(connector, book, directory, people),
        digest_poster=digest_poster,
    )
    auth = BotFrameworkAuth(
        client_id=settings.client_id, metadata_url=settings.openid_metadata_url, http=http
    )
    return TeamsPlatform(
        settings=settings,
        ports=ports,
        directory=directory,
        messenger=messenger,
        book=book,
        installs=installs,
        connector=connector,
        auth=auth,
        rosters=rosters,
        get_routes=chart_routes(charts, clock) if charts is not None else {},
        acting_at_once=ACTING_AT_ONCE_POSTGRES if database.is_postgres else ACTING_AT_ONCE,
        held=database.held,
    )
