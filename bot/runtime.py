"""The composition root: the one place that builds and connects every part."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import signal
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urljoin

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from bot.core.admins import AdminRights
from bot.core.custom_tips import CustomTips
from bot.core.digest_delivery import DigestService
from bot.core.endorsements import Endorsements
from bot.core.export import WorkspaceExport
from bot.core.home import HomeService
from bot.core.installations import WorkspaceLifecycle
from bot.core.kudos import KudosService
from bot.core.moderation import Moderation
from bot.core.outbox import Policy, Redelivery
from bot.core.ports import Clock
from bot.core.teams import TeamService
from bot.core.tip_admin import TipScheduleAdmin
from bot.core.tip_catalogue import WorkspaceTips
from bot.core.tip_delivery import TipService
from bot.core.tips import load_tip_library
from bot.core.workspace_admin import WorkspaceAdmin
from bot.digest_chart import MatplotlibCharts
from bot.outbox import OutboxDrainer
from bot.scheduler import Clockwork
from bot.turns import AFTERWARDS, WHILE_ANSWERING, DeliveryTurns
from handlers.slack.app import Services, create_bolt_app
from handlers.slack.client import make_web_client
from handlers.slack.digest import SlackDigestPoster
from handlers.slack.directory import SlackDirectory
from handlers.slack.members import SlackMemberSources, SlackPeople
from handlers.slack.notifier import SlackNotifier
from handlers.slack.oauth import STATE_LIFETIME_SECONDS, OAuthSetup
from handlers.slack.pacing import PacedWorkspaces
from handlers.slack.socket_mode import AnsweringSocketModeHandler
from handlers.slack.tip_admin import TipAdmin
from handlers.slack.tips import SlackChannels, SlackTipPoster
from handlers.slack.workspace_clients import InstalledWorkspaces, OneWorkspace, WorkspaceClients
from handlers.web import create_web_app
from storage.activity_repository import SqlActivityRepository
from storage.audit_log import SqlAuditLog
from storage.custom_tip_repository import SqlTipCustomisations
from storage.digest_ledger import SqlDigestLedger
from storage.engine import Database
from storage.event_ledger import SqlEventLedger
from storage.export import SqlKudosExporter
from storage.installations import SqlInstallations, UnreadableInstallation
from storage.kudos_queries import SqlKudosQueries
from storage.kudos_repository import SqlKudosRepository
from storage.leadership import PostgresLeaderLock
from storage.oauth_states import SqlOAuthStates
from storage.outbox import SqlOutbox
from storage.preferences import SqlPreferences
from storage.settings_repository import SqlSettingsRepository
from storage.team_repository import SqlTeamRepository
from storage.tip_repository import SqlTipScheduleRepository
from storage.token_cipher import TokenCipher

logger = logging.getLogger(__name__)


class Role(StrEnum):
    """What a process does. `web` processes can run by the dozen; `clock` processes run the
    scheduler, of which one leader at a time runs the jobs; `all` is both, for one machine."""

    ALL = "all"
    WEB = "web"
    CLOCK = "clock"

    @property
    def serves_slack(self) -> bool:
        return self is not Role.CLOCK

    @property
    def runs_scheduler(self) -> bool:
        return self is not Role.WEB


@dataclass
class Runtime:
    settings: Settings
    database: Database
    http: aiohttp.ClientSession
    client: AsyncWebClient  # without a token in multi-workspace mode
    clients: WorkspaceClients  # each workspace's client
    installations: SqlInstallations | None  # multi-workspace mode only
    kudos: KudosService
    tips: TipService
    tip_schedules: SqlTipScheduleRepository
    workspace_settings: SqlSettingsRepository
    admins: AdminRights
    ledger: SqlEventLedger
    clock: Clock
    bolt: AsyncApp
    web: web.Application
    role: Role
    clockwork: Clockwork | None  # None in web processes
    drainer: OutboxDrainer  # every role: see bot/outbox.py
    digests: DigestService
    teams: TeamService
    digest_ledger: SqlDigestLedger
    charts: MatplotlibCharts
    turns: DeliveryTurns  # Slack's requests are answered inside its answering()

    async def close(self) -> None:
        self.charts.close()
        await self.http.close()
        await self.database.close()


async def database_health(database: Database) -> dict[str, object]:
    """The database part of /healthz."""
    try:
        await database.ping()
        state = "ok"
    except Exception as exc:  # the point of a health check is to report, not to raise
        logger.warning("health check: database unreachable: %r", exc)
        state = "unreachable"
    return {"ok": state == "ok", "database": state}


async def process_health(
    database: Database, role: Role, clockwork: Clockwork | None, drainer: OutboxDrainer
) -> dict[str, object]:
    """What /healthz reports: the database, this process's role, its scheduler, and the
    outbox's backlog."""
    report = await database_health(database)
    report["role"] = role.value
    if clockwork is not None:
        report["scheduler"] = clockwork.report()
    if report["ok"]:
        report["outbox"] = await drainer.report()
    return report


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, role: Role = Role.ALL
) -> Runtime:
    """Everything wired, nothing started but SQLite's checkpoint thread (Runtime.close stops
    it); call it inside the running event loop. The schema must already be upgraded."""
    clock = clock or SystemClock()
    database = Database(
        settings.database_url,
        checkpoints_on_a_thread=True,
        timeouts=settings.database_timeouts,
    )
    http = aiohttp.ClientSession()  # one connection pool for every Web API call

    client, clients, installations, oauth_setup = _slack_clients(
        settings, database=database, http=http, clock=clock
    )
    directory = SlackDirectory(clients)
    ledger = SqlEventLedger(database)
    tip_schedules = SqlTipScheduleRepository(database)
    workspace_settings = SqlSettingsRepository(
        database,
        default_recognition_channel=settings.recognition_channel,
        default_daily_limit=settings.daily_limit,
    )
    admins = AdminRights(
        directory=directory, settings=workspace_settings, deployment_admins=settings.admins
    )
    notifier = SlackNotifier(clients, workspace_settings)
    kudos_store = SqlKudosRepository(database)
    audit = SqlAuditLog(database)
    customisations = SqlTipCustomisations(database)
    workspace_tips = WorkspaceTips(library=load_tip_library(), customisations=customisations)
    tips = TipService(
        schedules=tip_schedules,
        poster=SlackTipPoster(clients, notifier, SlackPeople(clients)),
        tips=workspace_tips,
        clock=clock,
    )
    outbox_policy = Policy(lease=timedelta(seconds=settings.outbox_lease_seconds))
    kudos = KudosService(
        kudos=kudos_store,
        settings=workspace_settings,
        directory=directory,
        notifier=notifier,
        clock=clock,
        outbox=outbox_policy,
    )
    outbox = SqlOutbox(database, kudos_store)
    drainer = OutboxDrainer(
        Redelivery(outbox=outbox, notifier=notifier, clock=clock, policy=outbox_policy),
        outbox,
        # Several looks per lease, at most every five seconds.
        every=min(5.0, settings.outbox_lease_seconds / 4),
    )
    digests, teams, digest_ledger, charts = _digest_parts(
        settings,
        database=database,
        http=http,
        clients=clients,
        directory=directory,
        admins=admins,
        clock=clock,
    )
    turns = DeliveryTurns(while_answering=WHILE_ANSWERING, otherwise=AFTERWARDS)
    services = Services(
        kudos=kudos,
        directory=directory,
        ledger=ledger,
        clock=clock,
        settings=workspace_settings,
        admins=admins,
        endorsements=Endorsements(kudos=kudos_store, announcements=notifier, clock=clock),
        moderation=Moderation(
            kudos=kudos_store, retractor=notifier, admins=admins, audit=audit, clock=clock
        ),
        home=HomeService(
            queries=SqlKudosQueries(database),
            preferences=SqlPreferences(database),
            settings=workspace_settings,
            admins=admins,
            directory=directory,
            schedules=tip_schedules,
            clock=clock,
        ),
        workspace_admin=WorkspaceAdmin(
            settings=workspace_settings, admins=admins, audit=audit, clock=clock
        ),
        lifecycle=WorkspaceLifecycle(
            installations=installations, schedules=(tip_schedules, digest_ledger), clock=clock
        ),
        clients=clients,
        export=WorkspaceExport(
            exporter=SqlKudosExporter(settings.database_url), admins=admins, clock=clock
        ),
        tip_admin=TipAdmin(
            schedules=TipScheduleAdmin(
                schedules=tip_schedules,
                delivery=tips,
                tips=workspace_tips,
                channels=SlackChannels(clients),
                directory=directory,
                admins=admins,
                audit=audit,
                clock=clock,
            ),
            tips=CustomTips(
                tips=workspace_tips,
                customisations=customisations,
                admins=admins,
                audit=audit,
                clock=clock,
            ),
            clock=clock,
        ),
        digests=digests,
        teams=teams,
        turns=turns,
    )
    bolt = create_bolt_app(
        client=client,
        signing_secret=None if settings.socket_mode else settings.slack_signing_secret,
        services=services,
        oauth_setup=oauth_setup,
    )
    clockwork = None
    if role.runs_scheduler:
        clockwork = Clockwork(
            ledger=ledger,
            tips=tips,
            digests=digests,
            clock=clock,
            # SQLite serves one process, which therefore always leads.
            lock=PostgresLeaderLock(settings.database_url) if database.is_postgres else None,
            retry_seconds=settings.leader_retry_seconds,
        )
    return Runtime(
        settings=settings,
        database=database,
        http=http,
        client=client,
        clients=clients,
        installations=installations,
        kudos=kudos,
        tips=tips,
        tip_schedules=tip_schedules,
        workspace_settings=workspace_settings,
        admins=admins,
        ledger=ledger,
        clock=clock,
        bolt=bolt,
        web=create_web_app(
            bolt=bolt if role.serves_slack and not settings.socket_mode else None,
            health=functools.partial(process_health, database, role, clockwork, drainer),
            # The install pages are served in Socket Mode too: installing is a browser's visit.
            oauth_flow=bolt.oauth_flow if role.serves_slack else None,
            answering=turns.answering,
        ),
        role=role,
        clockwork=clockwork,
        drainer=drainer,
        digests=digests,
        teams=teams,
        digest_ledger=digest_ledger,
        charts=charts,
        turns=turns,
    )


async def check_stored_tokens(runtime: Runtime) -> None:
    """Multi-workspace mode: every stored token must open with DELIGHT_ENCRYPTION_KEY (a
    wrong key stops start-up with one line, not a failure at the first request); tokens are
    stored the way the key says (encrypted when a key was set since, re-encrypted with the
    first key when keys are being rotated)."""
    if runtime.installations is None:
        return
    try:
        report = await runtime.installations.reseal()
    except UnreadableInstallation as error:
        raise ConfigError(
            f"the stored Slack tokens can't be decrypted: {error}. Set DELIGHT_ENCRYPTION_KEY "
            "to the key they were encrypted with (to change keys, list the new key first and "
            "the old one after it, comma-separated)."
        ) from None
    if report.resealed:
        logger.info(
            "stored the tokens of %d of %d workspace(s) with the current key",
            report.resealed,
            report.installations,
        )


def _slack_clients(
    settings: Settings, *, database: Database, http: aiohttp.ClientSession, clock: Clock
) -> tuple[AsyncWebClient, WorkspaceClients, SqlInstallations | None, OAuthSetup | None]:
    """Bolt's client, and where every other part gets a workspace's client: the one bot
    token, or (many workspaces) each workspace's installation, refreshed when it rotates."""

    def client_for(token: str | None) -> AsyncWebClient:
        return make_web_client(token=token, base_url=settings.slack_api_url, session=http)

    client = client_for(settings.slack_bot_token)
    if settings.oauth is None:
        return client, OneWorkspace(client), None, None
    installations = SqlInstallations(database, TokenCipher(settings.encryption_keys))
    workspaces = InstalledWorkspaces(
        installations=installations,
        rotator=AsyncTokenRotator(
            client_id=settings.oauth.client_id,
            client_secret=settings.oauth.client_secret,
            client=client,
        ),
        make_client=client_for,
    )
    oauth_setup = OAuthSetup(
        client_id=settings.oauth.client_id,
        client_secret=settings.oauth.client_secret,
        scopes=settings.oauth.scopes,
        redirect_uri=settings.oauth.redirect_uri,
        redirect_path=settings.oauth.redirect_path,
        # Slack's pages live beside its API: https://slack.com/oauth/v2/authorize
        authorization_url=urljoin(settings.slack_api_url, "../oauth/v2/authorize"),
        installations=installations,
        states=SqlOAuthStates(
            database, clock=clock, lifetime=timedelta(seconds=STATE_LIFETIME_SECONDS)
        ),
        workspaces=workspaces,
    )
    return client, workspaces, installations, oauth_setup


def _digest_parts(
    settings: Settings,
    *,
    database: Database,
    http: aiohttp.ClientSession,
    clients: WorkspaceClients,
    directory: SlackDirectory,
    admins: AdminRights,
    clock: Clock,
) -> tuple[DigestService, TeamService, SqlDigestLedger, MatplotlibCharts]:
    """Manager digests and their teams. Scheduled delivery has clients of its own, each
    workspace's paced to that workspace's Slack rate limits; listeners keep the unpaced ones
    so people never wait behind a batch."""
    paced = PacedWorkspaces(
        clients,
        base_url=settings.slack_api_url,
        session=http,
        messages_per_minute=settings.digest_messages_per_minute,
    )
    sources = SlackMemberSources(paced)
    teams_repository = SqlTeamRepository(database)
    ledger = SqlDigestLedger(database)
    charts = MatplotlibCharts()
    digests = DigestService(
        teams=teams_repository,
        ledger=ledger,
        activity=SqlActivityRepository(database),
        people=SlackPeople(paced),
        sources=sources,
        poster=SlackDigestPoster(paced),
        charts=charts,
        clock=clock,
    )
    teams = TeamService(
        teams=teams_repository,
        admins=admins,
        directory=directory,
        schedules=ledger,
        clock=clock,
    )
    return digests, teams, ledger, charts


async def drain_background_work(grace_seconds: float = 20.0) -> None:
    """Let listeners that already acked finish their work (storing, announcing, DMing)
    instead of cutting them off: a shutdown must not lose a recognition half-delivered."""
    current = asyncio.current_task()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_seconds

    def unfinished() -> list[asyncio.Task[object]]:
        return [t for t in asyncio.all_tasks() if t is not current and not t.done()]

    if pending := unfinished():
        logger.info("waiting for %d unfinished task(s) before stopping", len(pending))
    # Tasks finishing start others (a delivery's turn goes to the next): until none is left.
    while pending:
        if (left := deadline - loop.time()) <= 0:
            logger.warning(
                "%d task(s) unfinished %.0fs after shutdown", len(pending), grace_seconds
            )
            return
        await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)
        pending = unfinished()


# Net allocations of tracked objects between two collections of the youngest generation.
# A kudos lives for seconds under load (acked, stored, waiting its delivery turn), and a
# request's objects for a few hundred ms: with a window shorter than that, every collection
# scanned them again and their frees, falling in a later window, hardly held the next one
# off. Measured in bench/ (10,000 requests, 50 clients, PostgreSQL): at 20,000, Delight spent
# 1.4-1.6 s collecting (6% of its CPU; the minimal app 0.4 s), delivered 0.82x the minimal
# app's kudos/s and acked with p99 81-86 ms; at 100,000, 0.44 s, 0.83-0.87x and p99 65-70 ms
# (each collection takes longer: max ack 126-161 ms, one request in thousands).
YOUNG_GENERATION_WINDOW = 100_000


def tune_garbage_collection() -> None:
    """For a long-running server: what start-up built (the app, its listeners, imported
    modules) lives for ever, so freeze it out of the collector's scans, and collect the
    youngest generation less often (YOUNG_GENERATION_WINDOW)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_WINDOW, 20, 20)


async def serve(settings: Settings, *, role: Role = Role.ALL, host: str = "0.0.0.0") -> None:
    """Run until SIGINT/SIGTERM: HTTP (or Socket Mode) for Slack, the scheduler, or both
    (see Role); /healthz on PORT in every role."""
    runtime = build_runtime(settings, role=role)
    try:
        await check_stored_tokens(runtime)
    except ConfigError:
        await runtime.close()
        raise
    tune_garbage_collection()
    if runtime.clockwork is not None:
        await runtime.clockwork.start()  # first: once /healthz answers, it knows who leads
    runtime.drainer.start()
    runner = web.AppRunner(runtime.web, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, settings.port).start()
    socket_handler = None
    if not role.serves_slack:
        logger.info("Delight runs the scheduler (clock); /healthz on port %d", settings.port)
    elif settings.socket_mode:
        socket_handler = AnsweringSocketModeHandler(
            runtime.bolt, settings.slack_app_token, answering=runtime.turns.answering
        )
        await socket_handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("Delight is connected over Socket Mode; /healthz on port %d", settings.port)
    else:
        logger.info("Delight is listening on http://%s:%d/slack/events", host, settings.port)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()

    logger.info("shutting down")
    if runtime.clockwork is not None:
        await runtime.clockwork.stop()
    await runtime.drainer.stop()
    if socket_handler is not None:
        await socket_handler.close_async()  # type: ignore[no-untyped-call]
    await runner.shutdown()  # stop accepting requests; finish what was accepted
    await drain_background_work()
    await runner.cleanup()
    await runtime.close()
