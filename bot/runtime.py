"""The composition root: the one place that builds and connects every part."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import aiohttp
from aiohttp import web

from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from bot.core.admins import AdminRights
from bot.core.custom_tips import CustomTips
from bot.core.digest_delivery import DigestService
from bot.core.endorsements import Endorsements
from bot.core.export import WorkspaceExport
from bot.core.home import HomeService
from bot.core.installations import WorkspaceLifecycle, WorkspaceSchedules
from bot.core.kudos import KudosService
from bot.core.moderation import Moderation
from bot.core.outbox import Policy, Redelivery
from bot.core.place_pauses import digest_pauses, tip_pauses
from bot.core.platform import PlatformPorts
from bot.core.ports import Clock
from bot.core.teams import TeamService
from bot.core.tip_admin import TipScheduleAdmin
from bot.core.tip_catalogue import WorkspaceTips
from bot.core.tip_delivery import TipService
from bot.core.tips import REFERENCE_LANGUAGE, load_tip_libraries
from bot.core.workspace_admin import WorkspaceAdmin
from bot.core.workspaces import Platform
from bot.digest_chart import MatplotlibCharts
from bot.health import Health
from bot.outbox import OutboxDrainer
from bot.platforms.msteams import TeamsPlatform, build_msteams
from bot.platforms.routing import RoutedPorts
from bot.platforms.slack import SlackPlatform, build_slack
from bot.scheduler import Clockwork
from bot.services import Administration, Digests, Recognition, Services, TipAdministration
from bot.turns import AFTERWARDS, WHILE_ANSWERING, DeliveryTurns
from handlers.slack.platform import BoltApp
from handlers.slack.socket_mode import AnsweringSocketModeHandler
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
from storage.outbox import SqlOutbox
from storage.preferences import SqlPreferences
from storage.settings_repository import SqlSettingsRepository
from storage.team_repository import SqlTeamRepository
from storage.tip_repository import SqlTipScheduleRepository

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
    clock: Clock
    role: Role
    services: Services  # the core's features, as every platform's listeners get them
    slack: SlackPlatform | None  # None: Slack isn't configured (a Teams-only deployment)
    bolt: BoltApp | None
    teams: TeamsPlatform | None  # None: Teams isn't configured
    web: web.Application
    tips: TipService  # scheduled delivery, run by the clockwork
    tip_schedules: SqlTipScheduleRepository
    digest_ledger: SqlDigestLedger
    clockwork: Clockwork | None  # None in web processes
    drainer: OutboxDrainer  # every role: see bot/outbox.py
    charts: MatplotlibCharts

    async def close(self) -> None:
        self.charts.close()
        await self.http.close()
        await self.database.close()


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every feature's builder draws on."""

    settings: Settings
    database: Database
    clock: Clock
    ports: PlatformPorts
    workspace_settings: SqlSettingsRepository
    admins: AdminRights
    audit: SqlAuditLog


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, role: Role = Role.ALL
) -> Runtime:
    """Everything wired, nothing started; call it inside the running event loop. The schema
    must already be upgraded."""
    clock = clock or SystemClock()
    database = Database(settings.database_url, timeouts=settings.database_timeouts)
    http = aiohttp.ClientSession()  # one connection pool for every platform call
    workspace_settings = SqlSettingsRepository(
        database,
        default_recognition_channel=settings.recognition_channel,
        default_daily_limit=settings.daily_limit,
    )
    platforms = {}
    slack = teams = None
    if settings.serves_slack:
        slack = build_slack(
            settings,
            database=database,
            http=http,
            workspace_settings=workspace_settings,
            clock=clock,
        )
        platforms[Platform.SLACK] = slack.ports
    if settings.teams is not None:
        teams = build_msteams(
            settings.teams,
            database=database,
            http=http,
            workspace_settings=workspace_settings,
            clock=clock,
            public_url=settings.public_url,
        )
        platforms[Platform.MSTEAMS] = teams.ports
    # Each port call goes to the platform whose workspace it is about.
    ports = RoutedPorts(platforms).ports()
    shared = _Shared(
        settings=settings,
        database=database,
        clock=clock,
        ports=ports,
        workspace_settings=workspace_settings,
        admins=AdminRights(
            directory=ports.directory,
            settings=workspace_settings,
            deployment_admins=settings.admins,
        ),
        audit=SqlAuditLog(database),
    )
    kudos_store = SqlKudosRepository(database)
    outbox_policy = Policy(lease=timedelta(seconds=settings.outbox_lease_seconds))
    recognition = _recognition(shared, kudos_store=kudos_store, outbox_policy=outbox_policy)
    tip_schedules = SqlTipScheduleRepository(database)
    tips, tip_admin = _tips(shared, schedules=tip_schedules)
    digest_ledger = SqlDigestLedger(database)
    charts = MatplotlibCharts()
    digests = _digests(shared, ledger=digest_ledger, charts=charts)
    services = Services(
        recognition=recognition,
        administration=_administration(
            shared,
            installations=slack.installations if slack is not None else None,
            schedules=(
                tip_pauses(tip_schedules, shared.ports.tip_poster),
                digest_pauses(digest_ledger, shared.ports.digest_poster),
            ),
        ),
        tip_admin=tip_admin,
        digests=digests,
        clock=clock,
    )
    drainer = _outbox_drainer(shared, kudos_store=kudos_store, policy=outbox_policy)
    ledger = SqlEventLedger(database)
    bolt = slack.bolt_app(services, ledger=ledger) if slack is not None else None
    teams_endpoint = None
    if teams is not None and role.serves_slack:
        teams_endpoint = teams.endpoint(
            services, ledger=ledger, answering=recognition.turns.answering
        )
    clockwork = None
    if role.runs_scheduler:
        clockwork = Clockwork(
            ledger=ledger,
            tips=tips,
            digests=digests.digests,
            clock=clock,
            # SQLite serves one process, which therefore always leads.
            lock=PostgresLeaderLock(settings.database_url) if database.is_postgres else None,
            retry_seconds=settings.leader_retry_seconds,
        )
    return Runtime(
        settings=settings,
        database=database,
        http=http,
        clock=clock,
        role=role,
        services=services,
        slack=slack,
        bolt=bolt,
        teams=teams,
        web=create_web_app(
            bolt=bolt if role.serves_slack and not settings.socket_mode else None,
            teams=teams_endpoint,
            get_routes=teams.get_routes if teams is not None and role.serves_slack else {},
            signing_secret=settings.slack_signing_secret,
            health=Health(
                database=database,
                role=role.value,
                scheduler=clockwork,
                outbox=drainer,
                details=settings.health_details,
            ).report,
            # The install pages are served in Socket Mode too: installing is a browser's visit.
            oauth_flow=bolt.oauth_flow if bolt is not None and role.serves_slack else None,
            answering=recognition.turns.answering,
        ),
        tips=tips,
        tip_schedules=tip_schedules,
        digest_ledger=digest_ledger,
        clockwork=clockwork,
        drainer=drainer,
        charts=charts,
    )


def _recognition(
    shared: _Shared, *, kudos_store: SqlKudosRepository, outbox_policy: Policy
) -> Recognition:
    ports, clock = shared.ports, shared.clock
    kudos = KudosService(
        kudos=kudos_store,
        settings=shared.workspace_settings,
        directory=ports.directory,
        notifier=ports.notifier,
        retractor=ports.retractor,
        clock=clock,
        outbox=outbox_policy,
    )
    return Recognition(
        kudos=kudos,
        endorsements=Endorsements(
            kudos=kudos_store,
            announcements=ports.announcements,
            retractor=ports.retractor,
            clock=clock,
        ),
        moderation=Moderation(
            kudos=kudos_store,
            retractor=ports.retractor,
            admins=shared.admins,
            audit=shared.audit,
            clock=clock,
        ),
        home=HomeService(
            queries=SqlKudosQueries(shared.database),
            preferences=SqlPreferences(shared.database),
            settings=shared.workspace_settings,
            admins=shared.admins,
            directory=ports.directory,
            schedules=SqlTipScheduleRepository(shared.database),
            clock=clock,
        ),
        turns=DeliveryTurns(while_answering=WHILE_ANSWERING, otherwise=AFTERWARDS),
    )


def _administration(
    shared: _Shared,
    *,
    installations: SqlInstallations | None,
    schedules: tuple[WorkspaceSchedules, ...],
) -> Administration:
    clock = shared.clock
    return Administration(
        admins=shared.admins,
        settings=shared.workspace_settings,
        workspace_admin=WorkspaceAdmin(
            settings=shared.workspace_settings,
            admins=shared.admins,
            audit=shared.audit,
            clock=clock,
        ),
        export=WorkspaceExport(
            exporter=SqlKudosExporter(shared.settings.database_url),
            admins=shared.admins,
            clock=clock,
        ),
        lifecycle=WorkspaceLifecycle(installations=installations, schedules=schedules, clock=clock),
    )


def _tips(
    shared: _Shared, *, schedules: SqlTipScheduleRepository
) -> tuple[TipService, TipAdministration]:
    """Scheduled delivery (the clockwork's) and the admins' side of the same schedules."""
    clock = shared.clock
    customisations = SqlTipCustomisations(shared.database)
    libraries = load_tip_libraries()  # every language's, each checked as at start-up
    workspace_tips = WorkspaceTips(
        library=libraries[REFERENCE_LANGUAGE], customisations=customisations, translations=libraries
    )
    delivery = TipService(
        schedules=schedules, poster=shared.ports.tip_poster, tips=workspace_tips, clock=clock
    )
    admin = TipAdministration(
        schedules=TipScheduleAdmin(
            schedules=schedules,
            delivery=delivery,
            tips=workspace_tips,
            channels=shared.ports.channels,
            directory=shared.ports.directory,
            admins=shared.admins,
            audit=shared.audit,
            clock=clock,
        ),
        tips=CustomTips(
            tips=workspace_tips,
            customisations=customisations,
            admins=shared.admins,
            audit=shared.audit,
            clock=clock,
        ),
        clock=clock,
    )
    return delivery, admin


def _digests(shared: _Shared, *, ledger: SqlDigestLedger, charts: MatplotlibCharts) -> Digests:
    """Manager digests (paced platform clients: see build_slack) and their teams."""
    ports = shared.ports
    teams = SqlTeamRepository(shared.database)
    return Digests(
        digests=DigestService(
            teams=teams,
            ledger=ledger,
            activity=SqlActivityRepository(shared.database),
            people=ports.people,
            sources=ports.member_sources,
            poster=ports.digest_poster,
            charts=charts,
            clock=shared.clock,
        ),
        teams=TeamService(
            teams=teams,
            admins=shared.admins,
            directory=ports.directory,
            schedules=ledger,
            clock=shared.clock,
        ),
    )


def _outbox_drainer(
    shared: _Shared, *, kudos_store: SqlKudosRepository, policy: Policy
) -> OutboxDrainer:
    outbox = SqlOutbox(shared.database, kudos_store)
    redelivery = Redelivery(
        outbox=outbox,
        notifier=shared.ports.notifier,
        retractor=shared.ports.retractor,
        clock=shared.clock,
        policy=policy,
    )
    # Several looks per lease, at most every five seconds.
    every = min(5.0, shared.settings.outbox_lease_seconds / 4)
    return OutboxDrainer(redelivery, outbox, every=every)


async def check_stored_tokens(runtime: Runtime) -> None:
    """Multi-workspace mode: every stored token must open with DELIGHT_ENCRYPTION_KEY (a
    wrong key stops start-up with one line, not a failure at the first request); tokens are
    stored the way the key says (encrypted when a key was set since, re-encrypted with the
    first key when keys are being rotated)."""
    installations = runtime.slack.installations if runtime.slack is not None else None
    if installations is None:
        return
    try:
        report = await installations.reseal()
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


# A delivery past its posts' deadline still replies to the giver and writes its settlement.
AFTER_POSTS_SECONDS = 10.0


def shutdown_grace(settings: Settings) -> float:
    """How long a stopping process lets its deliveries finish: longer than their posts may
    take (half the outbox lease), so no post Slack accepts is abandoned unrecorded and then
    posted again by the outbox after the restart."""
    lease = timedelta(seconds=settings.outbox_lease_seconds)
    # Within the lease still: past it, another process may take the delivery over.
    after_posts = min(AFTER_POSTS_SECONDS, lease.total_seconds() / 4)
    return Policy(lease=lease).post_timeout + after_posts


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
# request's objects for a few hundred ms: with a shorter window, every collection scanned them
# again (bench/README.md: 8% of Delight's instructions per kudos).
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
    if settings.teams is not None and settings.teams.playground:
        host = "127.0.0.1"  # the Agents Playground runs on this machine, and so must Delight
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
    elif settings.socket_mode and runtime.bolt is not None:
        socket_handler = AnsweringSocketModeHandler(
            runtime.bolt,
            settings.slack_app_token,
            answering=runtime.services.recognition.turns.answering,
        )
        await socket_handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("Delight is connected over Socket Mode; /healthz on port %d", settings.port)
    elif runtime.bolt is not None:
        logger.info("Delight is listening on http://%s:%d/slack/events", host, settings.port)
    if runtime.teams is not None and role.serves_slack:
        logger.info(
            "Delight is listening on http://%s:%d/api/messages (Teams)", host, settings.port
        )

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
    await drain_background_work(shutdown_grace(settings))
    await runner.cleanup()
    await runtime.close()
