"""Tip schedules: local times across DST, weekly element rotation, no repeats, catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bot.core.elements import Element
from bot.core.schedule import (
    TipSchedule,
    element_of_week,
    next_tip,
    occurrences,
    plan_catch_up,
)
from bot.core.tips import Tip, load_tip_library

MONDAY_TO_FRIDAY = frozenset(range(5))


def schedule(**changes: object) -> TipSchedule:
    fields: dict[str, object] = {
        "id": 1,
        "team_id": "T1",
        "weekdays": MONDAY_TO_FRIDAY,
        "at": time(9, 0),
        "timezone": "Europe/Amsterdam",
        "start": date(2026, 3, 2),  # a Monday
    }
    fields.update(changes)
    return TipSchedule(**fields)  # type: ignore[arg-type]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_nine_o_clock_stays_nine_o_clock_across_spring_forward() -> None:
    # Europe/Amsterdam moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
    fired = list(occurrences(schedule(), utc(2026, 3, 26), utc(2026, 4, 1)))

    assert fired == [
        utc(2026, 3, 26, 8),  # Thursday, CET
        utc(2026, 3, 27, 8),  # Friday, CET
        utc(2026, 3, 30, 7),  # Monday, CEST
        utc(2026, 3, 31, 7),  # Tuesday, CEST
    ]


def test_nine_o_clock_stays_nine_o_clock_across_fall_back() -> None:
    # Back to UTC+1 on Sunday 25 October 2026.
    every_day = schedule(weekdays=frozenset(range(7)))

    fired = list(occurrences(every_day, utc(2026, 10, 24), utc(2026, 10, 27)))

    assert fired == [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)]


def test_a_time_skipped_by_the_clock_change_fires_once_an_hour_later() -> None:
    nightly = schedule(weekdays=frozenset(range(7)), at=time(2, 30))

    fired = list(occurrences(nightly, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)))

    assert fired == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]  # 03:30 CEST, 02:30 CEST


def test_a_time_that_happens_twice_fires_once() -> None:
    nightly = schedule(weekdays=frozenset(range(7)), at=time(2, 30))

    fired = list(occurrences(nightly, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)))

    assert fired == [utc(2026, 10, 25, 0, 30)]  # the first 02:30 (CEST)


def test_a_simulated_week_fires_on_the_chosen_weekdays_only() -> None:
    mondays_and_thursdays = schedule(weekdays=frozenset({0, 3}), timezone="America/New_York")

    fired = list(occurrences(mondays_and_thursdays, utc(2026, 11, 23), utc(2026, 11, 30)))

    assert fired == [utc(2026, 11, 23, 14), utc(2026, 11, 26, 14)]
    assert [m.astimezone(ZoneInfo("America/New_York")).hour for m in fired] == [9, 9]


def test_nothing_fires_before_the_start_date() -> None:
    later = schedule(start=date(2026, 12, 1))

    assert list(occurrences(later, utc(2026, 11, 23), utc(2026, 12, 2))) == [utc(2026, 12, 1, 8)]


def test_bad_schedules_are_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        schedule(weekdays=frozenset())
    with pytest.raises(ValueError, match="weekday"):
        schedule(weekdays=frozenset({7}))
    with pytest.raises(ZoneInfoNotFoundError):
        schedule(timezone="Mars/Olympus_Mons")


def test_each_week_has_the_next_element_in_definition_order() -> None:
    weekly = schedule()
    mondays = [utc(2026, 3, 2, 8) + timedelta(weeks=n) for n in range(9)]

    assert [element_of_week(weekly, m) for m in mondays] == [
        *Element,
        Element.VOLUNTARY,
        Element.ACT,
    ]


def test_the_week_is_the_schedules_local_week() -> None:
    weekly = schedule(timezone="Pacific/Auckland")
    # Sunday 23:30 UTC is already Monday in Auckland: the next week's element.
    assert element_of_week(weekly, utc(2026, 3, 8, 23, 30)) == Element.ACT
    assert element_of_week(weekly, utc(2026, 3, 8, 10, 0)) == Element.VOLUNTARY


def genuine_tips() -> tuple[Tip, ...]:
    return load_tip_library().for_element(Element.GENUINE)


def test_tips_do_not_repeat_until_all_were_sent() -> None:
    tips = genuine_tips()
    sent: list[str] = []
    for _ in range(len(tips)):
        sent.append(next_tip(tips, sent).id)

    assert sorted(sent) == sorted(tip.id for tip in tips)
    assert next_tip(tips, sent) == tips[0]  # a new round starts in library order


def test_disabled_tips_are_skipped_and_their_history_ignored() -> None:
    tips = genuine_tips()
    enabled = tips[1:]

    chosen = next_tip(enabled, [tips[0].id, tips[1].id])

    assert chosen == tips[2]


def test_an_element_without_enabled_tips_is_an_error() -> None:
    with pytest.raises(ValueError, match="no enabled tips"):
        next_tip((), [])


def test_catch_up_sends_the_latest_missed_within_the_hour_once_and_skips_the_rest() -> None:
    now = utc(2026, 11, 24, 9, 30)
    missed = [utc(2026, 11, 23, 8), utc(2026, 11, 24, 8, 45), utc(2026, 11, 24, 9, 0)]

    plan = plan_catch_up(missed, now)

    assert plan.send == utc(2026, 11, 24, 9, 0)
    assert plan.skip == (utc(2026, 11, 23, 8), utc(2026, 11, 24, 8, 45))


def test_catch_up_after_a_long_outage_sends_nothing() -> None:
    plan = plan_catch_up([utc(2026, 11, 20, 8)], utc(2026, 11, 24, 9))

    assert plan.send is None
    assert plan.skip == (utc(2026, 11, 20, 8),)


def test_the_next_occurrence_is_strictly_after_and_not_before_the_start() -> None:
    from bot.core.schedule import next_occurrence

    weekly = schedule(weekdays=frozenset({0}), at=time(0, 0), start=date(2026, 3, 9))

    assert next_occurrence(weekly, utc(2026, 1, 1)) == utc(2026, 3, 8, 23, 0)  # 00:00 CET
    assert next_occurrence(weekly, utc(2026, 3, 8, 23, 0)) == utc(2026, 3, 15, 23, 0)
    # from Friday 09:00 CET to Monday 09:00 CEST, after the spring-forward weekend
    assert next_occurrence(schedule(), utc(2026, 3, 27, 8, 0)) == utc(2026, 3, 30, 7, 0)
