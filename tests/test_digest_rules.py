"""Digest rules: which week, when it is due in each manager's zone, and what it says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.digest import Received, activity_window, build_digest
from bot.core.digest_week import (
    DigestSchedule,
    covered_week,
    latest_occurrence,
    parse_week,
    week_of,
    week_so_far,
)
from bot.core.elements import Element

MONDAY_9_AMSTERDAM = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "UTC"]


def test_the_default_digest_is_due_monday_nine_in_the_managers_own_zone() -> None:
    schedule = DigestSchedule("T1")
    assert latest_occurrence(schedule, MONDAY_9_AMSTERDAM, "Europe/Amsterdam") == (
        MONDAY_9_AMSTERDAM
    )
    # A minute earlier it is still last Monday's
    earlier = latest_occurrence(
        schedule, MONDAY_9_AMSTERDAM - timedelta(minutes=1), "Europe/Amsterdam"
    )
    assert earlier == MONDAY_9_AMSTERDAM - timedelta(days=7)
    # New York's Monday 09:00 comes six hours later
    new_york = latest_occurrence(
        schedule, MONDAY_9_AMSTERDAM + timedelta(hours=6), "America/New_York"
    )
    assert new_york == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_a_digest_covers_the_managers_previous_local_week() -> None:
    week = covered_week(MONDAY_9_AMSTERDAM, "Europe/Amsterdam")

    assert week.label == "2026-W47"
    assert (week.monday, week.sunday) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)  # Monday 00:00 CET
    assert week.end == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def test_a_later_weekday_still_covers_the_previous_week() -> None:
    friday = DigestSchedule("T1", weekday=4, hour=16)
    moment = latest_occurrence(friday, datetime(2026, 11, 27, 20, 0, tzinfo=UTC), "UTC")

    assert moment == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert covered_week(moment, "UTC").label == "2026-W47"


def test_weeks_across_a_daylight_saving_change_are_local_weeks() -> None:
    week = week_of(date(2026, 3, 25), "Europe/Amsterdam")  # clocks go forward on 29 March

    assert week.start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # a 167-hour week


def test_unknown_zones_fall_back_to_utc_and_iso_weeks_parse() -> None:
    assert week_of(date(2026, 11, 18), "Mars/Olympus").tz == "UTC"
    assert week_of(date(2026, 11, 18), "America").tz == "UTC"
    assert parse_week("2026-W47", "UTC").monday == date(2026, 11, 16)
    assert parse_week("2027-W01", "UTC").monday == date(2027, 1, 4)
    for bad in ("2026-47", "W47", "2026-W54", ""):
        with pytest.raises(ValueError, match="is not an ISO week"):
            parse_week(bad, "UTC")


@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    tz=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
)
def test_the_latest_occurrence_is_never_in_the_future_nor_older_than_a_week(
    now: datetime, tz: str, weekday: int, hour: int
) -> None:
    moment = latest_occurrence(DigestSchedule("T1", weekday, hour), now, tz)

    assert now - timedelta(days=7, hours=1) < moment <= now
    covered = covered_week(moment, tz)
    assert covered.end <= moment
    assert covered.monday.weekday() == 0


# --- what the digest says ----------------------------------------------------------------------

WEEK = covered_week(MONDAY_9_AMSTERDAM, "Europe/Amsterdam")
IN_WEEK = WEEK.start + timedelta(days=2)


def got(
    kudos_id: int, to: str, at: datetime, *elements: Element, endorsements: int = 0, **kw: object
) -> Received:
    return Received(
        kudos_id=kudos_id,
        recipient_id=to,
        giver_id=str(kw.get("giver", "UG")),
        story=str(kw.get("story", f"story {kudos_id}")),
        created_at=at,
        elements=elements,
        endorsements=endorsements,
        private=bool(kw.get("private", False)),
    )


def test_the_digest_counts_recognitions_per_person_and_for_the_team() -> None:
    received = [
        got(1, "UA", IN_WEEK, Element.VOLUNTARY, Element.DELIGHT, endorsements=2),
        got(1, "UB", IN_WEEK, Element.VOLUNTARY, Element.DELIGHT, endorsements=2),  # same kudos
        got(2, "UA", IN_WEEK + timedelta(hours=1), Element.VOLUNTARY, endorsements=5),
        got(3, "UA", IN_WEEK, Element.CUSTOMER, private=True),
        got(4, "UOUT", IN_WEEK, Element.ACT),  # not in the team
        got(5, "UA", WEEK.start - timedelta(days=3), Element.ACT),  # the week before
        got(6, "UA", WEEK.end, Element.ACT),  # the next week
    ]
    digest = build_digest(
        team_pk=1, team_name="Support", week=WEEK, member_ids=["UA", "UB", "UC"], received=received
    )

    assert digest.kudos_count == 3
    assert [(m.member_id, len(m.received)) for m in digest.recognised] == [("UA", 3), ("UB", 1)]
    maria = digest.recognised[0]
    assert maria.received[0].kudos_id == 2  # newest first
    assert maria.elements[0] == (Element.VOLUNTARY, 2)
    assert maria.endorsements == 7
    assert any(r.private for r in maria.received)  # private kudos are the manager's to see
    this_week = {e.element: e.this_week for e in digest.elements}
    assert this_week[Element.VOLUNTARY] == 2  # kudos 1 counts once for the team
    assert this_week[Element.ACT] == 0
    assert {e.element: e.average for e in digest.elements}[Element.ACT] == 0.25
    assert digest.average_count == 0.25
    assert digest.most_endorsed is not None
    assert digest.most_endorsed.received.kudos_id == 2


def test_the_most_endorsed_story_names_every_team_member_it_recognised() -> None:
    received = [got(1, "UA", IN_WEEK, endorsements=3), got(1, "UB", IN_WEEK, endorsements=3)]
    digest = build_digest(
        team_pk=1, team_name="T", week=WEEK, member_ids=["UA", "UB"], received=received
    )
    assert digest.most_endorsed is not None
    assert digest.most_endorsed.recipient_ids == ("UA", "UB")


def test_members_nobody_recognised_in_thirty_days_are_listed_for_a_closer_look() -> None:
    received = [
        got(1, "UA", WEEK.end - timedelta(days=29)),  # recent enough
        got(2, "UB", WEEK.end - timedelta(days=31)),  # too long ago
    ]
    digest = build_digest(
        team_pk=1, team_name="T", week=WEEK, member_ids=["UA", "UB", "UC"], received=received
    )

    assert digest.quiet == ("UB", "UC")
    since, until = activity_window(WEEK)
    assert since <= WEEK.end - timedelta(days=30)
    assert until == WEEK.end


def test_an_empty_week_is_a_digest_too() -> None:
    digest = build_digest(team_pk=1, team_name="T", week=WEEK, member_ids=["UA"], received=[])

    assert (digest.kudos_count, digest.recognised, digest.most_endorsed) == (0, (), None)
    assert digest.quiet == ("UA",)


def test_the_week_so_far_ends_now() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    week = week_so_far(now, "Europe/Amsterdam")

    assert week.end == now
    assert week.label == "2026-W48"
