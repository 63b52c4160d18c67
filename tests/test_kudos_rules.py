"""The nomination rules and delivery of KudosService, over in-memory fakes of its ports."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import errors
from bot.core.elements import Element
from bot.core.kudos import (
    KudosService,
    Rules,
    check_story,
    normalise_story,
    start_of_local_day,
)
from bot.core.model import (
    DailyAllowance,
    DeliveryReport,
    FailureReason,
    Given,
    Kudos,
    MessageRef,
    Nomination,
    NotPosted,
    Person,
    Posted,
    PostOutcome,
    Retraction,
    Source,
    WorkspaceSettings,
)
from bot.core.outbox import Settlement
from bot.core.ports import Planner
from bot.nomination import NominationFlow, UserRef
from bot.turns import DeliveryTurns
from handlers.slack import blocks
from handlers.slack.directory import SlackDirectory
from handlers.slack.nominate import SlackAnswers

T = TypeVar("T")
TEAM = "T1"
GIVER = "UGIVER"
STORY = "Stayed after close to help a customer find the right gift."
NOON_UTC = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


# --- fakes for the ports ----------------------------------------------------------------------


class InMemoryKudos:
    """A KudosRepository in a list; a repeated (team, request key) is a DuplicateNomination."""

    def __init__(self) -> None:
        self.stored: list[Kudos] = []
        self.request_keys: set[tuple[str, str]] = set()
        self.announcements: list[tuple[int, str, str]] = []
        self.settlements: list[Settlement] = []
        self.prefer_dm: set[str] = set()
        self.taken_back: dict[int, Retraction] = {}  # kudos withdrawn while delivered
        self.counted = 0  # used_since calls

    async def add(
        self,
        nomination: Nomination,
        *,
        created_at: datetime,
        allowance: DailyAllowance,
        plan: Planner,
    ) -> Given:
        key = (nomination.team_id, nomination.request_key)
        if key in self.request_keys:
            raise errors.DuplicateNomination(request_key=nomination.request_key)
        used = sum(
            len(k.recipient_ids)
            for k in self.stored
            if k.team_id == nomination.team_id
            and k.giver_id == nomination.giver_id
            and k.created_at >= allowance.since
        )
        remaining = allowance.remaining_after(used=used, requested=len(nomination.recipient_ids))
        self.request_keys.add(key)
        kudos = nomination.stored_as(len(self.stored) + 1, created_at=created_at)
        self.stored.append(kudos)
        prefer_dm = tuple(uid for uid in nomination.recipient_ids if uid in self.prefer_dm)
        return Given(kudos=kudos, remaining_today=remaining, plan=plan(prefer_dm))

    async def settle(self, settlement: Settlement) -> Retraction | None:
        self.settlements.append(settlement)
        if (announcement := settlement.announcement) is not None:
            self.announcements.append(
                (settlement.kudos_id, announcement.channel_id, announcement.message_id)
            )
        return self.taken_back.get(settlement.kudos_id)

    async def get(self, *, team_id: str, kudos_id: int) -> Kudos | None:
        return next((k for k in self.stored if k.team_id == team_id and k.id == kudos_id), None)

    async def used_since(self, *, team_id: str, giver_id: str, since: datetime) -> int:
        self.counted += 1
        return sum(
            len(k.recipient_ids)
            for k in self.stored
            if k.team_id == team_id and k.giver_id == giver_id and k.created_at >= since
        )


@dataclass
class FixedSettings:
    recognition_channel_id: str | None = None
    daily_limit: int = 10

    async def get(self, team_id: str) -> WorkspaceSettings:
        return WorkspaceSettings(
            team_id=team_id,
            recognition_channel_id=self.recognition_channel_id,
            daily_limit=self.daily_limit,
        )


@dataclass
class FakeDirectory:
    people_by_id: dict[str, Person] = field(default_factory=dict)
    names_looked_up: list[str] = field(default_factory=list)

    def add(self, user_id: str, **details: Any) -> None:
        self.people_by_id[user_id] = Person(id=user_id, name=user_id.lower(), **details)

    async def people(self, team_id: str, user_ids: Sequence[str]) -> dict[str, Person]:
        return {uid: self.people_by_id[uid] for uid in user_ids if uid in self.people_by_id}

    async def person(self, team_id: str, user_id: str) -> Person | None:
        return self.people_by_id.get(user_id)

    async def ids_for_name(self, team_id: str, name: str) -> list[str]:
        self.names_looked_up.append(name)
        return [uid for uid, p in self.people_by_id.items() if p.name == name]


@dataclass
class RecordingNotifier:
    """Answers Posted unless told otherwise; remembers every call."""

    announce_outcome: PostOutcome | None = None  # None: Posted in the asked channel
    failing_dms: dict[str, FailureReason] = field(default_factory=dict)
    announced_in: list[str] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)
    giver_updates: list[DeliveryReport] = field(default_factory=list)
    retracted: list[tuple[Kudos, dict[str, MessageRef], Retraction]] = field(default_factory=list)

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        self.announced_in.append(channel_id)
        return self.announce_outcome or Posted(channel_id=channel_id, message_id="111.222")

    async def notify_recipient(self, kudos: Kudos, *, recipient_id: str) -> PostOutcome:
        self.notified.append(recipient_id)
        if reason := self.failing_dms.get(recipient_id):
            return NotPosted(channel_id=recipient_id, reason=reason)
        return Posted(channel_id=f"D{recipient_id}", message_id="333.444")

    async def update_giver(self, report: DeliveryReport) -> PostOutcome:
        self.giver_updates.append(report)
        return Posted(channel_id=f"D{report.kudos.giver_id}", message_id="555.666")

    async def retract(
        self, kudos: Kudos, *, direct_messages: dict[str, MessageRef], how: Retraction
    ) -> None:
        self.retracted.append((kudos, direct_messages, how))


@dataclass
class FixedClock:
    current: datetime

    def now(self) -> datetime:
        return self.current


@dataclass
class World:
    kudos: InMemoryKudos = field(default_factory=InMemoryKudos)
    settings: FixedSettings = field(default_factory=FixedSettings)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOON_UTC))

    def __post_init__(self) -> None:
        self.directory.add(GIVER)
        for uid in ("U1", "U2", "U3"):
            self.directory.add(uid)
        self.service = KudosService(
            kudos=self.kudos,
            settings=self.settings,
            directory=self.directory,
            notifier=self.notifier,
            retractor=self.notifier,
            clock=self.clock,
        )

    def give(self, *recipients: str, story: str = STORY, **changes: Any) -> Given:
        return run(self.service.give(nominate(*recipients, story=story, **changes)))

    def deliver(self, given: Given) -> DeliveryReport:
        return run(self.service.deliver(given))


_keys = itertools.count()


def nominate(*recipients: str, story: str = STORY, **changes: Any) -> Nomination:
    nomination = Nomination(
        team_id=TEAM,
        giver_id=GIVER,
        recipient_ids=recipients,
        story=story,
        elements=(Element.VOLUNTARY,),
        source=Source.COMMAND,
        request_key=f"command:{next(_keys)}",
        origin_channel_id="CORIGIN",
    )
    return replace(nomination, **changes)


@pytest.fixture
def world() -> World:
    return World()


# --- who can be recognised --------------------------------------------------------------------


def test_a_valid_nomination_is_stored(world: World) -> None:
    given = world.give("U1")

    assert given.kudos.recipient_ids == ("U1",)
    assert given.kudos.story == STORY
    assert given.kudos.created_at == NOON_UTC
    assert world.kudos.stored == [given.kudos]


def test_self_recognition_is_refused(world: World) -> None:
    with pytest.raises(errors.SelfRecognition):
        world.give("U1", GIVER)
    assert world.kudos.stored == []


def test_no_recipients_is_refused(world: World) -> None:
    with pytest.raises(errors.NoRecipients):
        world.give()


def test_more_than_ten_recipients_is_refused(world: World) -> None:
    recipients = tuple(f"U{n:03d}" for n in range(11))

    with pytest.raises(errors.TooManyRecipients) as refused:
        world.give(*recipients)

    assert (refused.value.count, refused.value.limit) == (11, 10)


def test_exactly_ten_recipients_are_accepted(world: World) -> None:
    recipients = tuple(f"U{n:03d}" for n in range(10))
    for uid in recipients:
        world.directory.add(uid)

    assert world.give(*recipients).kudos.recipient_ids == recipients


def test_the_same_recipient_twice_counts_once(world: World) -> None:
    given = world.give("U1", "U2", "U1")

    assert given.kudos.recipient_ids == ("U1", "U2")
    assert given.remaining_today == 8


def test_eleven_names_for_ten_people_are_accepted(world: World) -> None:
    recipients = tuple(f"U{n:03d}" for n in range(10))
    for uid in recipients:
        world.directory.add(uid)

    given = world.give(*recipients, recipients[0])

    assert len(given.kudos.recipient_ids) == 10


def test_bot_recipient_is_refused(world: World) -> None:
    world.directory.add("UBOT", is_bot=True)

    with pytest.raises(errors.RecipientIsBot) as refused:
        world.give("U1", "UBOT")

    assert refused.value.user_ids == ("UBOT",)
    assert world.kudos.stored == []


def test_deactivated_recipient_is_refused(world: World) -> None:
    world.directory.add("UGONE", deleted=True)

    with pytest.raises(errors.RecipientDeactivated) as refused:
        world.give("UGONE")

    assert refused.value.user_ids == ("UGONE",)


def test_unknown_recipient_is_refused_by_id(world: World) -> None:
    with pytest.raises(errors.RecipientUnknown) as refused:
        world.give("U1", "UNOBODY")

    assert refused.value.names == ("UNOBODY",)


def test_a_repeated_request_is_a_duplicate(world: World) -> None:
    world.give("U1", request_key="view:V1")

    with pytest.raises(errors.DuplicateNomination):
        world.give("U2", request_key="view:V1")
    assert len(world.kudos.stored) == 1


def test_the_same_request_key_in_another_workspace_is_not_a_duplicate(world: World) -> None:
    world.give("U1", request_key="view:V1")

    world.give("U1", request_key="view:V1", team_id="T2")

    assert len(world.kudos.stored) == 2


def test_a_repeat_of_the_last_allowed_nomination_is_still_a_duplicate(world: World) -> None:
    world.settings.daily_limit = 1
    world.give("U1", request_key="event:Ev1")

    with pytest.raises(errors.DuplicateNomination):
        world.give("U1", request_key="event:Ev1")


# --- the story --------------------------------------------------------------------------------


@pytest.mark.parametrize("story", ["", "   ", "\n\t\n", "\x00\x07"])
def test_missing_story_is_refused(world: World, story: str) -> None:
    with pytest.raises(errors.StoryMissing):
        world.give("U1", story=story)


@pytest.mark.parametrize("story", ["so kind", "great job", "thanks!", "a b"])
def test_story_of_two_short_words_is_too_short(world: World, story: str) -> None:
    with pytest.raises(errors.StoryTooShort):
        world.give("U1", story=story)


@pytest.mark.parametrize("story", ["she was kind", "Thank you!!", "Outstanding"])
def test_three_words_or_ten_characters_are_enough(world: World, story: str) -> None:
    assert world.give("U1", story=story).kudos.story == story


def test_story_of_ten_cjk_characters_is_accepted(world: World) -> None:
    story = "いつも丁寧に対応した"
    assert len(story) == 10

    assert world.give("U1", story=story).kudos.story == story


def test_story_of_nine_cjk_characters_is_too_short(world: World) -> None:
    with pytest.raises(errors.StoryTooShort):
        world.give("U1", story="いつも丁寧に対応し")


def test_story_of_1001_characters_is_too_long(world: World) -> None:
    with pytest.raises(errors.StoryTooLong) as refused:
        world.give("U1", story="a" * 1001)

    assert (refused.value.length, refused.value.limit) == (1001, 1000)


def test_story_of_exactly_1000_characters_is_accepted(world: World) -> None:
    assert len(world.give("U1", story="a" * 1000).kudos.story) == 1000


def test_story_length_is_measured_without_surrounding_space(world: World) -> None:
    assert len(world.give("U1", story="  " + "a" * 1000 + "\n\n").kudos.story) == 1000


def test_control_characters_are_stripped_from_the_story() -> None:
    assert normalise_story("\x00Stayed\x07 late\x1b to\r\n help\x7f\ud800 ") == (
        "Stayed late to\n help"
    )


def test_newlines_tabs_and_emoji_survive_normalising() -> None:
    story = "Stayed late\n\tto help 🙌 the 👩\u200d👩\u200d👧 family"

    assert normalise_story(story) == story


def test_stored_story_is_normalised(world: World) -> None:
    assert world.give("U1", story="  Stayed\x00 late to help  ").kudos.story == (
        "Stayed late to help"
    )


def test_custom_rules_apply() -> None:
    rules = Rules(story_max_chars=20)

    with pytest.raises(errors.StoryTooLong):
        check_story("x" * 21, rules)


@given(st.text(max_size=1200))
def test_normalised_story_has_no_control_characters_and_no_outer_space(story: str) -> None:
    normalised = normalise_story(story)

    assert normalised == normalised.strip()
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in normalised)
    assert normalise_story(normalised) == normalised


@given(st.text(max_size=1200))
def test_an_accepted_story_is_within_the_rules(story: str) -> None:
    normalised = normalise_story(story)
    try:
        check_story(normalised)
    except (errors.StoryMissing, errors.StoryTooShort, errors.StoryTooLong):
        return
    visible = sum(1 for ch in normalised if not ch.isspace())
    assert 0 < len(normalised) <= 1000
    assert len(normalised.split()) >= 3 or visible >= 10


# --- the daily limit --------------------------------------------------------------------------


def test_remaining_today_counts_recipients(world: World) -> None:
    assert world.give("U1").remaining_today == 9
    assert world.give("U2", "U3").remaining_today == 7


def test_daily_limit_counts_recipients_not_kudos(world: World) -> None:
    world.settings.daily_limit = 3
    world.give("U1", "U2")

    with pytest.raises(errors.DailyLimitReached) as refused:
        world.give("U1", "U3")

    assert (refused.value.limit, refused.value.remaining, refused.value.requested) == (3, 1, 2)
    assert world.give("U3").remaining_today == 0


def test_daily_limit_reached_leaves_nothing(world: World) -> None:
    world.settings.daily_limit = 1
    world.give("U1")

    with pytest.raises(errors.DailyLimitReached) as refused:
        world.give("U2")

    assert refused.value.remaining == 0
    assert len(world.kudos.stored) == 1


def flow_of(world: World) -> NominationFlow[blocks.Message]:
    return NominationFlow(
        kudos=world.service,
        directory=world.directory,
        turns=DeliveryTurns(while_answering=1, otherwise=1),
        answers=SlackAnswers(),
    )


def test_a_giver_at_the_limit_is_refused_before_any_name_is_looked_up(world: World) -> None:
    world.settings.daily_limit = 1
    world.give("U1")

    with pytest.raises(errors.DailyLimitReached) as refused:
        run(flow_of(world).resolve(TEAM, [UserRef(name="u2")], giver_id=GIVER))

    assert (refused.value.remaining, refused.value.requested) == (0, 1)
    assert world.directory.names_looked_up == []


def test_the_look_before_a_name_search_refuses_only_what_the_limit_surely_would(
    world: World,
) -> None:
    world.settings.daily_limit = 3
    world.give("U1")
    flow = flow_of(world)
    # Two names might be one person: only the ids typed count as different people.
    typed = [UserRef(user_id="U1"), UserRef(name="u2"), UserRef(name="u3")]

    assert run(flow.resolve(TEAM, typed, giver_id=GIVER)) == ("U1", "U2", "U3")
    assert world.directory.names_looked_up == ["u2", "u3"]
    with pytest.raises(errors.DailyLimitReached):  # the rule itself still holds, in `give`
        world.give("U1", "U2", "U3")


def test_ids_alone_need_no_look_at_the_allowance_before_giving(world: World) -> None:
    counted = world.kudos.counted

    run(flow_of(world).resolve(TEAM, [UserRef(user_id="U1")], giver_id=GIVER))

    assert world.kudos.counted == counted


def test_yesterdays_kudos_do_not_count_today_in_utc(world: World) -> None:
    world.settings.daily_limit = 1
    world.clock.current = datetime(2025, 3, 4, 23, 59, tzinfo=UTC)
    world.give("U1")

    world.clock.current = datetime(2025, 3, 5, 0, 1, tzinfo=UTC)

    assert world.give("U2").remaining_today == 0


def test_daily_limit_follows_the_givers_own_midnight(world: World) -> None:
    world.directory.add(GIVER, tz="Pacific/Auckland")
    world.settings.daily_limit = 1
    auckland = ZoneInfo("Pacific/Auckland")
    # 23:55 on 10 June in Auckland is 11:55 UTC; five minutes later it is a new day there.
    world.clock.current = datetime(2025, 6, 10, 23, 55, tzinfo=auckland).astimezone(UTC)
    world.give("U1")

    world.clock.current = datetime(2025, 6, 11, 0, 5, tzinfo=auckland).astimezone(UTC)

    assert world.give("U2").remaining_today == 0


def test_utc_midnight_is_not_the_givers_midnight(world: World) -> None:
    world.directory.add(GIVER, tz="Pacific/Auckland")
    world.settings.daily_limit = 1
    auckland = ZoneInfo("Pacific/Auckland")
    # 08:00 and 14:00 on 10 June in Auckland straddle UTC midnight but are the same local day.
    morning = datetime(2025, 6, 10, 8, 0, tzinfo=auckland).astimezone(UTC)
    afternoon = datetime(2025, 6, 10, 14, 0, tzinfo=auckland).astimezone(UTC)
    assert morning.date() != afternoon.date()
    world.clock.current = morning
    world.give("U1")
    world.clock.current = afternoon

    with pytest.raises(errors.DailyLimitReached):
        world.give("U2")


def test_start_of_local_day_is_local_midnight() -> None:
    now = datetime(2025, 6, 10, 11, 55, tzinfo=UTC)  # 23:55 in Auckland (UTC+12 in June)

    start = start_of_local_day(now, "Pacific/Auckland")

    assert start == datetime(2025, 6, 10, 0, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert start.astimezone(UTC) == datetime(2025, 6, 9, 12, 0, tzinfo=UTC)


def test_start_of_local_day_west_of_utc() -> None:
    now = datetime(2025, 1, 15, 3, 0, tzinfo=UTC)  # 19:00 on 14 January in Los Angeles

    start = start_of_local_day(now, "America/Los_Angeles")

    assert start.astimezone(UTC) == datetime(2025, 1, 14, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("tz", [None, "", "Mars/Olympus", "../../etc/passwd", "America"])
def test_unknown_timezone_falls_back_to_utc(tz: str | None) -> None:
    now = datetime(2025, 6, 10, 11, 55, tzinfo=UTC)

    assert start_of_local_day(now, tz) == datetime(2025, 6, 10, tzinfo=UTC)


def test_giver_with_an_invalid_timezone_gets_a_utc_day(world: World) -> None:
    world.directory.add(GIVER, tz="Not/A_Zone")
    world.settings.daily_limit = 1
    world.clock.current = datetime(2025, 3, 4, 23, 59, tzinfo=UTC)
    world.give("U1")

    world.clock.current = datetime(2025, 3, 5, 0, 1, tzinfo=UTC)

    assert world.give("U2").remaining_today == 0


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    st.sampled_from(
        ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "America/Santiago"]
    ),
)
def test_start_of_local_day_is_within_the_last_day(now: datetime, tz: str) -> None:
    start = start_of_local_day(now, tz)

    assert start <= now
    assert now - start < timedelta(hours=25)
    assert start.astimezone(ZoneInfo(tz)).date() == now.astimezone(ZoneInfo(tz)).date()


# --- delivery ---------------------------------------------------------------------------------


def test_announcement_goes_to_the_recognition_channel_when_set(world: World) -> None:
    world.settings.recognition_channel_id = "CKUDOS"
    given = world.give("U1")

    report = world.deliver(given)

    assert world.notifier.announced_in == ["CKUDOS"]
    assert report.announcement == Posted(channel_id="CKUDOS", message_id="111.222")


def test_announcement_goes_to_the_origin_channel_without_a_recognition_channel(
    world: World,
) -> None:
    given = world.give("U1")

    report = world.deliver(given)

    assert world.notifier.announced_in == ["CORIGIN"]
    assert report.announcement == Posted(channel_id="CORIGIN", message_id="111.222")


def test_no_channel_at_all_means_no_announcement(world: World) -> None:
    given = world.give("U1", origin_channel_id=None)

    report = world.deliver(given)

    assert report.announcement is None
    assert world.notifier.announced_in == []
    assert world.notifier.notified == ["U1"]
    assert world.kudos.announcements == []


def test_every_recipient_gets_a_dm(world: World) -> None:
    given = world.give("U1", "U2", "U3")

    report = world.deliver(given)

    assert sorted(world.notifier.notified) == ["U1", "U2", "U3"]
    assert list(report.direct_messages) == ["U1", "U2", "U3"]
    assert report.failed_dms == []


def test_successful_announcement_is_recorded(world: World) -> None:
    given = world.give("U1")

    world.deliver(given)

    assert world.kudos.announcements == [(given.kudos.id, "CORIGIN", "111.222")]


def test_failed_announcement_does_not_stop_the_dms(world: World) -> None:
    world.notifier.announce_outcome = NotPosted("CORIGIN", FailureReason.NOT_IN_CHANNEL)
    given = world.give("U1", "U2")

    report = world.deliver(given)

    assert report.announcement == NotPosted("CORIGIN", FailureReason.NOT_IN_CHANNEL)
    assert sorted(world.notifier.notified) == ["U1", "U2"]
    assert report.failed_dms == []
    assert world.kudos.announcements == []


def test_failed_dms_are_listed_in_the_report(world: World) -> None:
    world.notifier.failing_dms = {"U2": FailureReason.RECIPIENT_UNAVAILABLE}
    given = world.give("U1", "U2", "U3")

    report = world.deliver(given)

    assert report.failed_dms == ["U2"]
    assert isinstance(report.announcement, Posted)
    assert world.kudos.announcements == [(given.kudos.id, "CORIGIN", "111.222")]


def test_delivery_failures_are_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.notifier.failing_dms = {"U1": FailureReason.OTHER}
    given = world.give("U1")

    with caplog.at_level("WARNING", logger="bot.core.kudos"):
        world.deliver(given)

    assert "delivered in part" in caplog.text


# --- deliveries under load --------------------------------------------------------------------


class HeldNotifier(RecordingNotifier):
    """Holds every announcement until released, counting how many are held at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.held = 0
        self.most_held = 0

    async def announce(self, kudos: Kudos, *, channel_id: str) -> PostOutcome:
        self.held += 1
        self.most_held = max(self.most_held, self.held)
        await self.release.wait()
        self.held -= 1
        return await super().announce(kudos, channel_id=channel_id)


def held_world() -> tuple[World, HeldNotifier]:
    world = World()
    notifier = HeldNotifier()
    world.notifier = notifier
    world.service = KudosService(
        kudos=world.kudos,
        settings=world.settings,
        directory=world.directory,
        notifier=notifier,
        retractor=notifier,
        clock=world.clock,
    )
    return world, notifier


async def _until(condition: Any) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


def test_deliveries_beyond_the_limit_wait_their_turn() -> None:
    world, notifier = held_world()
    flow = NominationFlow(
        kudos=world.service,
        directory=cast(SlackDirectory, None),
        turns=DeliveryTurns(while_answering=2, otherwise=2),
        answers=SlackAnswers(),
    )
    given = [world.give("U1") for _ in range(5)]
    replies: list[blocks.Message] = []

    async def reply(message: blocks.Message) -> None:
        replies.append(message)

    async def scenario() -> None:
        for g in given:
            flow.deliver(g, reply)  # returns at once: the kudos is stored
        await _until(lambda: notifier.held == 2)
        for _ in range(50):  # the other three stay queued, not posting
            await asyncio.sleep(0)
        assert notifier.held == 2
        assert notifier.notified == []  # each DM follows its kudos' announcement
        assert flow.turns.waiting == 3
        notifier.release.set()
        await flow.turns.finished()

    run(scenario())

    assert notifier.most_held == 2
    assert len(world.kudos.announcements) == 5
    assert len(replies) == 5
    assert all(r.text.startswith("Sent!") for r in replies)


def test_a_kudos_that_waited_its_whole_posting_time_is_left_to_the_outbox() -> None:
    world, notifier = held_world()
    first, second = world.give("U1"), world.give("U2")

    async def scenario() -> DeliveryReport:
        delivering = asyncio.ensure_future(world.service.deliver(first))
        await _until(lambda: notifier.held == 1)
        # Slack is slow, and the second waited for a turn until its posting time was spent.
        world.clock.current += timedelta(seconds=31)
        notifier.release.set()
        await delivering
        return await world.service.deliver(second)

    report = run(scenario())

    assert notifier.announced_in == ["CORIGIN"]  # the first kudos only
    assert notifier.notified == ["U1"]
    assert report.announcement == NotPosted("CORIGIN", FailureReason.SERVICE_UNAVAILABLE, "busy")
    assert report.direct_messages == {
        "U2": NotPosted("U2", FailureReason.SERVICE_UNAVAILABLE, "busy")
    }
    assert report.retrying == {"CORIGIN", "U2"}
    assert report.deferred  # the giver is told the messages will follow
    # Nothing of the second is settled: its entries, receipt included, stay for redelivery.
    assert [s.kudos_id for s in world.kudos.settlements] == [first.kudos.id]
