"""Recognising colleagues: the rules a nomination must pass, storing it, and telling people."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import errors
from bot.core.model import (
    DailyAllowance,
    DeliveryReport,
    Given,
    Nomination,
    NotPosted,
    Posted,
    PostOutcome,
    Withheld,
)
from bot.core.ports import Clock, Directory, KudosRepository, Notifier, SettingsRepository

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


def normalise_story(story: str) -> str:
    """The story as stored: as written, minus surrounding blank space and invisible controls."""
    cleaned = "".join(
        ch for ch in story if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return cleaned.strip()


def check_story(story: str, rules: Rules = Rules()) -> None:
    if not story:
        raise errors.StoryMissing()
    if len(story) > rules.story_max_chars:
        raise errors.StoryTooLong(length=len(story), limit=rules.story_max_chars)
    visible = sum(1 for ch in story if not ch.isspace())
    if len(story.split()) < rules.story_min_words and visible < rules.story_min_chars:
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
    try:
        zone = ZoneInfo(tz_name) if tz_name else ZoneInfo("UTC")
    # OSError: with the tzdata package installed, a region name ("America") is a directory
    # there, and zoneinfo raises IsADirectoryError instead of ZoneInfoNotFoundError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone)


class KudosService:
    """Gives kudos and delivers them; the one place the nomination rules live."""

    def __init__(
        self,
        *,
        kudos: KudosRepository,
        settings: SettingsRepository,
        directory: Directory,
        notifier: Notifier,
        clock: Clock,
        rules: Rules = Rules(),
    ) -> None:
        self._kudos = kudos
        self._settings = settings
        self._directory = directory
        self._notifier = notifier
        self._clock = clock
        self._rules = rules

    def validate_shape(self, nomination: Nomination) -> Nomination:
        """Checks that need no I/O; returns the nomination with its story normalised."""
        story = normalise_story(nomination.story)
        recipients = tuple(dict.fromkeys(nomination.recipient_ids))  # same person twice is once
        check_recipients_shape(nomination.giver_id, recipients, self._rules)
        check_story(story, self._rules)
        return replace(nomination, recipient_ids=recipients, story=story)

    async def give(self, nomination: Nomination) -> Given:
        """Check every rule, then store the kudos. Raises a DelightError when refused."""
        nomination = self.validate_shape(nomination)
        team_id = nomination.team_id
        people, settings = await asyncio.gather(
            self._directory.people(team_id, (nomination.giver_id, *nomination.recipient_ids)),
            self._settings.get(team_id),
        )
        if settings.require_element and not nomination.elements:
            raise errors.ElementRequired()
        recipients = nomination.recipient_ids
        unknown = tuple(uid for uid in recipients if uid not in people)
        if unknown:
            raise errors.RecipientUnknown(names=unknown)
        bots = tuple(uid for uid in recipients if people[uid].is_bot)
        if bots:
            raise errors.RecipientIsBot(user_ids=bots)
        deactivated = tuple(uid for uid in recipients if people[uid].deleted)
        if deactivated:
            raise errors.RecipientDeactivated(user_ids=deactivated)

        giver = people.get(nomination.giver_id)
        now = self._clock.now()
        allowance = DailyAllowance(
            limit=settings.daily_limit,
            since=start_of_local_day(now, giver.tz if giver else None),
        )
        given = await self._kudos.add(nomination, created_at=now, allowance=allowance)
        if nomination.private:
            return replace(given, withheld=Withheld.PRIVATE)
        if given.prefer_dm:
            return replace(given, withheld=Withheld.RECIPIENT_PREFERS_DM)
        channel = settings.recognition_channel_id or nomination.origin_channel_id
        if channel is None:
            return replace(given, withheld=Withheld.NO_CHANNEL)
        return replace(given, announce_in=channel)

    async def deliver(self, given: Given) -> DeliveryReport:
        """Announce the kudos and DM each recipient; a failure of one never stops the others."""
        kudos, channel = given.kudos, given.announce_in

        async def announce() -> PostOutcome | None:
            if channel is None:
                return None
            return await self._notifier.announce(kudos, channel_id=channel)

        announcement, dms = await asyncio.gather(
            announce(),
            asyncio.gather(
                *(
                    self._notifier.notify_recipient(kudos, recipient_id=uid)
                    for uid in kudos.recipient_ids
                )
            ),
        )
        report = DeliveryReport(
            kudos=kudos,
            announcement=announcement,
            direct_messages=dict(zip(kudos.recipient_ids, dms, strict=True)),
            withheld=given.withheld,
            prefer_dm=given.prefer_dm,
        )
        try:  # one write for every message: endorsements and undo find them by it
            await self._kudos.record_delivery(
                kudos_id=kudos.id,
                announcement=announcement if isinstance(announcement, Posted) else None,
                direct_messages={
                    uid: out
                    for uid, out in report.direct_messages.items()
                    if isinstance(out, Posted)
                },
            )
        except Exception:  # the messages are out: the giver must hear so, not see an error
            logger.exception(
                "kudos %s delivered, but where it was posted was not recorded", kudos.id
            )
        if isinstance(announcement, NotPosted) or report.failed_dms:
            logger.warning(
                "kudos %s delivered in part: announcement=%s failed_dms=%s",
                kudos.id,
                announcement,
                report.failed_dms,
            )
        return report
