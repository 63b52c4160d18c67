"""Recognising colleagues: the rules a nomination must pass, storing it, and telling people."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import errors
from bot.core.model import (
    DailyAllowance,
    DeliveryPlan,
    DeliveryReport,
    FailureReason,
    Given,
    Nomination,
    NotPosted,
    Person,
    Withheld,
)
from bot.core.outbox import (
    Owed,
    Policy,
    Settlement,
    post_all,
    report_of,
    settle,
    settle_or_retract,
)
from bot.core.platform import Directory, Notifier, Retractor
from bot.core.ports import Clock, KudosRepository, SettingsRepository

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 10
STORY_MAX_CHARS = 1000
# "A few words": three words, or ten characters for scripts written without spaces.
STORY_MIN_WORDS = 3
STORY_MIN_CHARS = 10


@dataclass(frozen=True, slots=True)
class Rules:
    max_recipients: int = MAX_RECIPIENTS
    story_max_chars: int = STORY_MAX_CHARS
    story_min_words: int = STORY_MIN_WORDS
    story_min_chars: int = STORY_MIN_CHARS


# Unicode's control (Cc) and surrogate (Cs) characters, less newline and tab: one regex
# instead of a category lookup per character (on the hot path).
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def normalise_story(story: str) -> str:
    """The story as stored: as written, minus surrounding blank space and invisible controls."""
    if story.isascii() and story.isprintable():  # nothing to remove: no regex scan
        return story.strip()
    return _INVISIBLE.sub("", story).strip()


def check_story(story: str, rules: Rules = Rules()) -> None:
    if not story:
        raise errors.StoryMissing()
    if len(story) > rules.story_max_chars:
        raise errors.StoryTooLong(length=len(story), limit=rules.story_max_chars)
    # Enough words is enough (the first few are split off, not the whole story).
    if len(story.split(maxsplit=rules.story_min_words)) >= rules.story_min_words:
        return
    words = story.split()
    visible = sum(map(len, words))
    if len(words) < rules.story_min_words and visible < rules.story_min_chars:
        raise errors.StoryTooShort(min_words=rules.story_min_words, min_chars=rules.story_min_chars)


def check_recipients_shape(
    giver_id: str, recipient_ids: tuple[str, ...], rules: Rules = Rules()
) -> None:
    """The checks that need nobody's profile: count and self-recognition."""
    if not recipient_ids:
        raise errors.NoRecipients()
    if giver_id in recipient_ids:
        raise errors.SelfRecognition()
    if len(recipient_ids) > rules.max_recipients:
        raise errors.TooManyRecipients(count=len(recipient_ids), limit=rules.max_recipients)


def start_of_local_day(now: datetime, tz_name: str | None) -> datetime:
    """Midnight of the giver's own day, so 'today' means what they think it means."""
    zone = _zone(tz_name)
    return _midnight(now.astimezone(zone).date(), zone)


# Every nomination asks for its giver's day: the zones and the midnights are worked out once.
@functools.lru_cache(maxsize=1024)
def _zone(tz_name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name) if tz_name else ZoneInfo("UTC")
    # OSError: with the tzdata package installed, a region name ("America") is a directory
    # there, and zoneinfo raises IsADirectoryError instead of ZoneInfoNotFoundError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


@functools.lru_cache(maxsize=1024)
def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


class KudosService:
    """Gives kudos and delivers them; the one place the nomination rules live."""

    def __init__(
        self,
        *,
        kudos: KudosRepository,
        settings: SettingsRepository,
        directory: Directory,
        notifier: Notifier,
        retractor: Retractor,
        clock: Clock,
        rules: Rules = Rules(),
        outbox: Policy | None = None,
    ) -> None:
        self._outbox = outbox or Policy()
        self._kudos = kudos
        self._settings = settings
        self._directory = directory
        self._notifier = notifier
        self._retractor = retractor
        self._clock = clock
        self._rules = rules

    def validate_shape(self, nomination: Nomination) -> Nomination:
        """Checks that need no I/O; returns the nomination with its story normalised."""
        story = normalise_story(nomination.story)
        recipients = tuple(dict.fromkeys(nomination.recipient_ids))  # same person twice is once
        check_recipients_shape(nomination.giver_id, recipients, self._rules)
        check_story(story, self._rules)
        if story == nomination.story and recipients == nomination.recipient_ids:
            return nomination  # as it came, nearly always: no copy
        return replace(nomination, recipient_ids=recipients, story=story)

    async def give(self, nomination: Nomination) -> Given:
        """Check every rule, then store the kudos. Raises a DelightError when refused."""
        nomination = self.validate_shape(nomination)
        team_id = nomination.team_id
        # One after the other: both are nearly always cached, and awaiting a cached value
        # costs nothing, where running them side by side costs two tasks per nomination.
        settings = await self._settings.get(team_id)
        people = await self._directory.people(
            team_id, (nomination.giver_id, *nomination.recipient_ids)
        )
        if settings.require_element and not nomination.elements:
            raise errors.ElementRequired()
        _check_recipients(nomination.recipient_ids, people)
        giver = people.get(nomination.giver_id)
        now = self._clock.now()
        allowance = _allowance(settings.daily_limit, now, giver)
        channel = settings.recognition_channel_id or nomination.origin_channel_id
        plan = functools.partial(
            plan_delivery,
            nomination,
            channel=channel,
            retry_from=now + self._outbox.lease,
        )
        return await self._kudos.add(nomination, created_at=now, allowance=allowance, plan=plan)

    async def check_allowance(self, team_id: str, giver_id: str, *, requested: int) -> None:
        """Raise DailyLimitReached when the giver has fewer than `requested` left today: a cheap
        look (cached settings and profile, one indexed count) before costly work such as
        searching the directory for typed names. `give` decides, in its transaction."""
        settings = await self._settings.get(team_id)
        giver = await self._directory.person(team_id, giver_id)
        allowance = _allowance(settings.daily_limit, self._clock.now(), giver)
        used = await self._kudos.used_since(
            team_id=team_id, giver_id=giver_id, since=allowance.since
        )
        allowance.remaining_after(used=used, requested=requested)

    async def deliver(self, given: Given) -> DeliveryReport:
        """Announce the kudos and DM each recipient, then settle its outbox entries in one
        write; a failure of one message never stops the others, and what the platform could not
        take now is retried later (bot.core.outbox)."""
        kudos, plan, policy = given.kudos, given.plan, self._outbox
        *messages, receipt = given.notifications
        owed = [Owed(n) for n in messages]
        # Time since the kudos was stored (waiting for a turn to deliver, under load) comes
        # off the time the posts may take, so the delivery still ends well inside the
        # lease; once that is spent, the outbox's redelivery has it.
        waited = (self._clock.now() - kudos.created_at).total_seconds()
        if (within := policy.post_timeout - waited) <= 0:
            return self._left_to_outbox(given, owed)
        outcomes = await post_all(self._notifier, kudos, owed, within=within)
        settlement = settle(
            kudos,
            outcomes,
            now=self._clock.now(),
            policy=policy,
            # The giver's receipt is the confirmation the caller shows next.
            also_done=[receipt],
            every_entry=True,
        )
        report = report_of(
            kudos, outcomes, settlement, withheld=plan.withheld, prefer_dm=plan.prefer_dm
        )
        # One write for every message (endorsements and undo find them by it), retried until
        # the outbox may take the entries; either way the giver hears the messages are out.
        await settle_or_retract(
            self._kudos,
            self._retractor,
            kudos,
            settlement,
            clock=self._clock,
            until=plan.retry_from,
        )
        if settlement.retry or settlement.given_up:  # something was not posted
            logger.warning(
                "kudos %s delivered in part: announcement=%s failed_dms=%s",
                kudos.id,
                report.announcement,
                report.failed_dms,
            )
        return report

    def _left_to_outbox(self, given: Given, owed: list[Owed]) -> DeliveryReport:
        """A kudos that waited its whole posting time for a turn is not posted here: its
        outbox entries (the giver's receipt too) stay as they are, due when the lease ends,
        and the giver is told that the messages will follow."""
        logger.warning(
            "kudos %s waited too long to be delivered: left to the outbox", given.kudos.id
        )
        outcomes = {o: _busy(o) for o in owed}
        report = report_of(
            given.kudos,
            outcomes,
            Settlement(kudos_id=given.kudos.id),
            withheld=given.withheld,
            prefer_dm=given.prefer_dm,
        )
        return replace(
            report, retrying=frozenset(o.notification.target for o in owed), deferred=True
        )


def _check_recipients(recipients: tuple[str, ...], people: Mapping[str, Person]) -> None:
    """The checks that need the recipients' profiles: each known, a person, and active."""
    for uid in recipients:
        person = people.get(uid)
        if person is None or person.is_bot or person.deleted:
            break
    else:
        return  # nearly always: one look at each
    unknown = tuple(uid for uid in recipients if uid not in people)
    if unknown:
        raise errors.RecipientUnknown(names=unknown)
    bots = tuple(uid for uid in recipients if people[uid].is_bot)
    if bots:
        raise errors.RecipientIsBot(user_ids=bots)
    deactivated = tuple(uid for uid in recipients if people[uid].deleted)
    if deactivated:
        raise errors.RecipientDeactivated(user_ids=deactivated)


def _allowance(limit: int, now: datetime, giver: Person | None) -> DailyAllowance:
    """The giver's day is their own: it starts at their midnight."""
    return _daily_allowance(limit, start_of_local_day(now, giver.tz if giver else None))


@functools.lru_cache(maxsize=1024)
def _daily_allowance(limit: int, since: datetime) -> DailyAllowance:
    return DailyAllowance(limit=limit, since=since)


def _busy(owed: Owed) -> NotPosted:
    return NotPosted(owed.notification.target, FailureReason.SERVICE_UNAVAILABLE, "busy")


def plan_delivery(
    nomination: Nomination,
    prefer_dm: tuple[str, ...],
    *,
    channel: str | None,
    retry_from: datetime,
) -> DeliveryPlan:
    """Who is told: each recipient by DM, the giver by a receipt, and a channel unless the
    kudos is private, a recipient prefers DMs, or there is no channel to announce in."""
    withheld: Withheld | None = None
    if nomination.private:
        withheld, prefer_dm = Withheld.PRIVATE, ()
    elif prefer_dm:
        withheld = Withheld.RECIPIENT_PREFERS_DM
    elif channel is None:
        withheld = Withheld.NO_CHANNEL
    return DeliveryPlan(
        retry_from=retry_from,
        announce_in=channel if withheld is None else None,
        withheld=withheld,
        prefer_dm=prefer_dm,
    )
