"""The pure parts of the admins' tip views: reading ids back from Slack, finding timezones,
describing days."""

from __future__ import annotations

import pytest

from handlers.slack.ids_parsing import row_id_from, send_now_from, tip_choice_from, tip_id_from
from handlers.slack.tip_admin_views import days_text
from handlers.slack.zones import MAX_OPTIONS, zone_choices


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("0", None),
        ("-1", None),
        ("1 ", None),
        ("1e3", None),
        (12, None),
        ("9" * 19, None),
    ],
)
def test_schedule_ids_are_read_strictly(value: object, expected: int | None) -> None:
    assert row_id_from(value) == expected


def test_send_now_values_and_tip_ids_are_read_strictly() -> None:
    assert send_now_from("12:3") == (12, "3")
    assert send_now_from("12:") is None
    assert send_now_from("12:3:4") is None
    assert tip_id_from("ask-one-real-question") == "ask-one-real-question"
    assert tip_id_from("custom:7") == "custom:7"
    for forged in ("custom:0", "custom:x", "<!here>", "Ask", "a--b", "x" * 81, None):
        assert tip_id_from(forged) is None
    assert tip_choice_from("off:custom:7") == ("off", "custom:7")
    assert tip_choice_from("drop:custom:7") is None
    assert tip_choice_from("delete:<!here>") is None


def test_timezones_are_found_by_city_with_spaces_and_any_case() -> None:
    assert zone_choices("New York") == ["America/New_York"]
    assert zone_choices("los ang") == ["America/Los_Angeles"]
    assert zone_choices("europe/ams") == ["Europe/Amsterdam"]
    assert zone_choices("  ") == []
    assert len(zone_choices("a")) == MAX_OPTIONS
    assert not any(zone.startswith(("US/", "Etc/", "posix")) for zone in zone_choices("e"))


def test_days_read_naturally() -> None:
    assert days_text(frozenset(range(7))) == "Every day"
    assert days_text(frozenset(range(5))) == "Mon–Fri"
    assert days_text(frozenset({0, 2, 4})) == "Mon, Wed, Fri"
    assert days_text(frozenset({5, 6})) == "Sat, Sun"
