"""Weekly digests to managers: due in each one's own timezone, sent once per (team, manager,
week) through a ledger, with retries while the chat platform is in trouble and a word to the
team's creator when only a person can fix it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.digest import Digest, Received, activity_window, build_digest
from bot.core.digest_week import (
    DigestSchedule,
    Week,
    covered_week,
    latest_occurrence,
    parse_week,
    week_so_far,
)
from bot.core.model import FailureReason, Person, Posted
from bot.core.platform import DigestPoster, MemberSources, People
from bot.core.ports import Clock
from bot.core.teams import MemberResolver, Team, TeamRepository

logger = logging.getLogger(__name__)

# A digest missed while Delight was down still goes out within this time of its hour; later
# than that it would be stale, and is recorded as skipped.
CATCH_UP = timedelta(days=2)
RETRY_AFTER = timedelta(minutes=10)  # platform trouble: try again at a later tick…
MAX_ATTEMPTS = 4  # …this many times in all
MISSED = "missed while Delight was not running"


class Status:
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A (team, manager) pair as stored, with the manager's last known timezone."""

    team_pk: int
    team_id: str
    manager_id: str
    tz: str | None
    team_created_at: datetime
    dm_channel: str | None = (
        None  # the private conversation with this manager, when a digest went there before
    )


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    status: str
    attempts: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SentDigest:
    team_pk: int
    week: str
    sent_at: datetime


class DigestLedger(Protocol):
    async def candidates(self) -> list[Candidate]: ...

    async def schedules(self) -> dict[str, DigestSchedule]:
        """Workspaces that chose their own day and hour; the rest use the defaults."""
        ...

    async def entries(self, weeks: Sequence[str]) -> dict[tuple[int, str, str], LedgerEntry]: ...

    async def claim(
        self, team_pk: int, manager_id: str, week: str, *, now: datetime, retry_before: datetime
    ) -> bool:
        """Enter (team, manager, week) as sending. True when this caller got it: a new row,
        or a `retry` row last touched before `retry_before`. False when anyone else has it."""
        ...

    async def finish(
        self,
        team_pk: int,
        manager_id: str,
        week: str,
        *,
        status: str,
        now: datetime,
        reason: str | None = None,
        posted: Posted | None = None,
    ) -> None: ...

    async def record(
        self, team_pk: int, manager_id: str, week: str, *, status: str, reason: str, now: datetime
    ) -> bool:
        """Enter a week that will not be sent (skipped); False when already in the ledger."""
        ...

    async def last_sent(self, team_id: str, manager_id: str) -> list[SentDigest]:
        """Per team, the newest week sent to this manager."""
        ...

    async def save_tz(self, team_pk: int, manager_id: str, tz: str | None) -> None: ...


class ActivityRepository(Protocol):
    async def received(
        self, team_id: str, member_ids: Sequence[str], *, since: datetime, until: datetime
    ) -> list[Received]:
        """Kudos these members received in [since, until), not removed, private ones too."""
        ...


class ChartRenderer(Protocol):
    async def render(self, digest: Digest, *, language: str) -> bytes | None:
        """A PNG of the team's kudos by element, labelled in `language`; None when it could
        not be drawn."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    team_pk: int
    manager_id: str
    week: str
    status: str
    reason: str = ""


class DigestService:
    def __init__(
        self,
        *,
        teams: TeamRepository,
        ledger: DigestLedger,
        activity: ActivityRepository,
        people: People,
        sources: MemberSources,
        poster: DigestPoster,
        charts: ChartRenderer,
        clock: Clock,
        concurrency: int = 8,
    ) -> None:
        self._teams = teams
        self._ledger = ledger
        self._activity = activity
        self._people = people
        self._sources = sources
        self._poster = poster
        self._charts = charts
        self._clock = clock
        self._concurrency = concurrency

    # --- building ------------------------------------------------------------------------

    async def people(self, team_id: str) -> dict[str, Person]:
        return await self._people.everyone(team_id)

    async def build(
        self,
        team: Team,
        week: Week,
        *,
        resolver: MemberResolver | None = None,
        people: dict[str, Person] | None = None,
        partial: bool = False,
    ) -> Digest:
        resolver = resolver or MemberResolver(self._sources)
        members = await resolver.members(team, people)
        since, until = activity_window(week)
        received = await self._activity.received(team.team_id, members, since=since, until=until)
        return build_digest(
            team_pk=team.id,
            team_name=team.name,
            week=week,
            member_ids=members,
            received=received,
            partial=partial,
        )

    async def preview(self, team_id: str, manager_id: str, tz: str | None) -> list[Digest]:
        """The week so far, for each team this person manages."""
        week = week_so_far(self._clock.now(), tz)
        resolver = MemberResolver(self._sources)
        people = await self._people.everyone(team_id)
        return [
            await self.build(team, week, resolver=resolver, people=people, partial=True)
            for team in await self._teams.managed_by(team_id, manager_id)
        ]

    async def last_sent(self, team_id: str, manager_id: str, tz: str | None) -> list[Digest]:
        """The newest digest sent to this person for each team they manage, rebuilt (a kudos
        removed since no longer shows)."""
        teams = {t.id: t for t in await self._teams.managed_by(team_id, manager_id)}
        resolver = MemberResolver(self._sources)
        people = await self._people.everyone(team_id)
        return [
            await self.build(
                teams[sent.team_pk], parse_week(sent.week, tz), resolver=resolver, people=people
            )
            for sent in await self._ledger.last_sent(team_id, manager_id)
            if sent.team_pk in teams
        ]

    async def full_list(
        self,
        team_id: str,
        manager_id: str,
        tz: str | None,
        *,
        team_pk: int,
        week: str,
        partial: bool,
    ) -> Digest | None:
        """A digest asked for in full: only by a manager of the team."""
        teams = {t.id: t for t in await self._teams.managed_by(team_id, manager_id)}
        if team_pk not in teams:
            return None
        covered = week_so_far(self._clock.now(), tz) if partial else parse_week(week, tz)
        people = await self._people.everyone(team_id)
        return await self.build(teams[team_pk], covered, people=people, partial=partial)

    async def dry_run(self, team_id: str, week: str | None = None) -> list[tuple[str, Digest]]:
        """Every digest that would be sent to the workspace's managers: for `week` (ISO,
        each manager's own timezone), or the week the latest digest covers."""
        people = await self._people.everyone(team_id)
        resolver = MemberResolver(self._sources)
        schedule = (await self._ledger.schedules()).get(team_id, DigestSchedule(team_id))
        now = self._clock.now()
        digests: list[tuple[str, Digest]] = []
        for team in await self._teams.all(team_id):
            for manager_id in team.manager_ids:
                tz = _tz(people, manager_id, None)
                covered = (
                    parse_week(week, tz)
                    if week
                    else covered_week(latest_occurrence(schedule, now, tz), tz)
                )
                digest = await self.build(team, covered, resolver=resolver, people=people)
                digests.append((manager_id, digest))
        return digests

    # --- delivering ----------------------------------------------------------------------

    async def run_due(self) -> list[Outcome]:
        """Send every digest that is due. Safe to run from several processes at once and as
        often as you like: the ledger lets each (team, manager, week) through once."""
        now = self._clock.now()
        schedules = await self._ledger.schedules()
        candidates = await self._ledger.candidates()
        plans = [(c, *_plan(c, c.tz, schedules, now)) for c in candidates]
        weeks = sorted({week.label for _c, week, _occurrence in plans})
        entries = await self._ledger.entries(weeks) if weeks else {}
        # Only what is due by the stored timezone goes further: the rest costs no platform call.
        open_ = [
            (c, week, occurrence)
            for c, week, occurrence in plans
            if occurrence >= c.team_created_at
            and _still_open(entries.get((c.team_pk, c.manager_id, week.label)), now)
        ]
        if not open_:
            return []
        outcomes: list[Outcome] = []
        gate = asyncio.Semaphore(self._concurrency)
        resolver = MemberResolver(self._sources)
        builds: dict[tuple[int, str, datetime], asyncio.Task[Digest]] = {}

        async def one(c: Candidate) -> Outcome | None:
            async with gate:
                try:
                    return await self._deliver(c, schedules, now, resolver, builds)
                except Exception:  # one workspace's trouble must not hold up the others'
                    logger.exception("digest for team %s to %s not tried", c.team_pk, c.manager_id)
                    return None

        for done in await asyncio.gather(*(one(c) for c, _w, _o in open_)):
            if done is not None:
                outcomes.append(done)
        return outcomes

    async def _deliver(
        self,
        candidate: Candidate,
        schedules: dict[str, DigestSchedule],
        now: datetime,
        resolver: MemberResolver,
        builds: dict[tuple[int, str, datetime], asyncio.Task[Digest]],
    ) -> Outcome | None:
        c = candidate
        people = await self._people.everyone(c.team_id)
        manager = people.get(c.manager_id)
        tz = _tz(people, c.manager_id, c.tz)
        if tz != c.tz:  # they moved: remember it, and judge due-ness by the new zone
            await self._ledger.save_tz(c.team_pk, c.manager_id, tz)
        week, occurrence = _plan(c, tz, schedules, now)
        if occurrence > now or occurrence < c.team_created_at:
            return None
        label = week.label
        if now - occurrence > CATCH_UP:
            if await self._ledger.record(
                c.team_pk, c.manager_id, label, status=Status.SKIPPED, reason=MISSED, now=now
            ):
                return Outcome(c.team_pk, c.manager_id, label, Status.SKIPPED, MISSED)
            return None
        if manager is not None and (manager.deleted or manager.is_bot):
            reason = "the manager's account is deactivated"
            if await self._ledger.record(
                c.team_pk, c.manager_id, label, status=Status.SKIPPED, reason=reason, now=now
            ):
                return Outcome(c.team_pk, c.manager_id, label, Status.SKIPPED, reason)
            return None
        if not await self._ledger.claim(
            c.team_pk, c.manager_id, label, now=now, retry_before=now - RETRY_AFTER
        ):
            return None  # another process has it, or it is done
        try:
            return await self._send(c, week, now, resolver, builds, people, schedules)
        except Exception as exc:  # nothing may stay "sending" for ever because of one bug
            logger.exception("digest for team %s to %s failed", c.team_pk, c.manager_id)
            return await self._failed(c, label, now, f"error: {exc!r}", transient=True)

    async def _send(
        self,
        c: Candidate,
        week: Week,
        now: datetime,
        resolver: MemberResolver,
        builds: dict[tuple[int, str, datetime], asyncio.Task[Digest]],
        people: dict[str, Person],
        schedules: dict[str, DigestSchedule],
    ) -> Outcome:
        label = week.label
        team = await self._teams.get(c.team_id, c.team_pk)
        if team is None or c.manager_id not in team.manager_ids:  # changed since we looked
            await self._ledger.finish(
                c.team_pk,
                c.manager_id,
                label,
                status=Status.SKIPPED,
                now=now,
                reason="no longer manages this team",
            )
            return Outcome(c.team_pk, c.manager_id, label, Status.SKIPPED)
        key = (team.id, week.tz, week.start)
        if key not in builds:  # managers of one team in one zone share one build
            builds[key] = asyncio.ensure_future(
                self.build(team, week, resolver=resolver, people=people)
            )
        digest = await builds[key]
        schedule = schedules.get(c.team_id) or DigestSchedule(c.team_id)
        language = await self._poster.language(c.team_id, c.manager_id)
        chart = await self._charts.render(digest, language=language) if schedule.charts else None
        outcome = await self._poster.send(
            c.team_id, c.manager_id, digest, chart, dm_channel=c.dm_channel, language=language
        )
        if isinstance(outcome, Posted):
            await self._ledger.finish(
                c.team_pk, c.manager_id, label, status=Status.SENT, now=now, posted=outcome
            )
            return Outcome(c.team_pk, c.manager_id, label, Status.SENT)
        reason = f"{outcome.reason.value}: {outcome.detail}".rstrip(": ")
        transient = outcome.reason is FailureReason.SERVICE_UNAVAILABLE
        result = await self._failed(c, label, now, reason, transient=transient)
        if not transient and team.created_by:
            await self._poster.tell_creator(
                c.team_id, team.created_by, c.manager_id, digest, outcome.reason
            )
        return result

    async def _failed(
        self, c: Candidate, label: str, now: datetime, reason: str, *, transient: bool
    ) -> Outcome:
        entries = await self._ledger.entries([label])
        attempts = entries.get((c.team_pk, c.manager_id, label))
        retry = transient and (attempts is None or attempts.attempts < MAX_ATTEMPTS)
        status = Status.RETRY if retry else Status.FAILED
        await self._ledger.finish(
            c.team_pk, c.manager_id, label, status=status, now=now, reason=reason
        )
        logger.warning("digest for team %s to %s: %s (%s)", c.team_pk, c.manager_id, status, reason)
        return Outcome(c.team_pk, c.manager_id, label, status, reason)


def _tz(people: dict[str, Person], manager_id: str, known: str | None) -> str | None:
    person = people.get(manager_id)
    return person.tz if person is not None and person.tz else known


def _plan(
    c: Candidate, tz: str | None, schedules: dict[str, DigestSchedule], now: datetime
) -> tuple[Week, datetime]:
    schedule = schedules.get(c.team_id) or DigestSchedule(c.team_id)
    occurrence = latest_occurrence(schedule, now, tz)
    return covered_week(occurrence, tz), occurrence


def _still_open(entry: LedgerEntry | None, now: datetime) -> bool:
    """Worth a closer look this tick: never entered, or waiting for a retry that is due."""
    if entry is None:
        return True
    return entry.status == Status.RETRY and entry.updated_at <= now - RETRY_AFTER
