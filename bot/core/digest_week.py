"""Which week a digest covers and when it is due: in each manager's own timezone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 9
WEEK_LABEL = re.compile(r"(?P<year>\d{4})-W(?P<week>\d{2})")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """A workspace's choice: which day and hour (local to each manager), charts or not."""

    team_id: str
    weekday: int = DEFAULT_WEEKDAY
    hour: int = DEFAULT_HOUR
    charts: bool = True

    def __post_init__(self) -> None:
        if not (0 <= self.weekday <= 6 and 0 <= self.hour <= 23):
            raise ValueError("a digest goes out on a weekday 0–6 at an hour 0–23")


@dataclass(frozen=True, slots=True)
class Week:
    """A Monday-to-Sunday week in one timezone, as aware UTC bounds."""

    monday: date
    tz: str
    start: datetime
    end: datetime  # exclusive: the next Monday's midnight

    @property
    def label(self) -> str:
        """ISO week, "2026-W47": the ledger's key, the CLI's --week."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def weeks_before(self, count: int) -> Week:
        return week_of(self.monday - timedelta(days=7 * count), self.tz)


def zone(tz: str | None) -> ZoneInfo:
    """The person's zone; UTC when the platform gave none or one we don't know."""
    try:
        return ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=tz, fold=0).astimezone(UTC)


def week_of(day: date, tz: str | None) -> Week:
    """The week containing `day`, in zone `tz`."""
    zone_info = zone(tz)
    monday = day - timedelta(days=day.weekday())
    return Week(
        monday=monday,
        tz=zone_info.key,
        start=_local_midnight(monday, zone_info),
        end=_local_midnight(monday + timedelta(days=7), zone_info),
    )


def week_so_far(now: datetime, tz: str | None) -> Week:
    """This week up to `now`: what `/delight digest` shows."""
    week = week_of(now.astimezone(zone(tz)).date(), tz)
    return Week(monday=week.monday, tz=week.tz, start=week.start, end=now)


def parse_week(label: str, tz: str | None) -> Week:
    """'2026-W47' → that ISO week in zone `tz`. Raises ValueError for anything else."""
    match = WEEK_LABEL.fullmatch(label.strip())
    try:
        if match is None:
            raise ValueError(label)
        monday = date.fromisocalendar(int(match["year"]), int(match["week"]), 1)
    except ValueError:
        raise ValueError(f"{label!r} is not an ISO week: use the form 2026-W47") from None
    return week_of(monday, tz)


def latest_occurrence(schedule: DigestSchedule, now: datetime, tz: str | None) -> datetime:
    """The most recent moment, at or before `now`, when this manager's digest was due."""
    zone_info = zone(tz)
    local = now.astimezone(zone_info)
    day = local.date() - timedelta(days=(local.weekday() - schedule.weekday) % 7)
    while True:
        moment = (
            datetime.combine(day, time(schedule.hour)).replace(tzinfo=zone_info).astimezone(UTC)
        )
        if moment <= now:
            return moment
        day -= timedelta(days=7)


def covered_week(occurrence: datetime, tz: str | None) -> Week:
    """A digest covers the manager's previous Monday-to-Sunday week, whatever day it goes."""
    local_day = occurrence.astimezone(zone(tz)).date()
    return week_of(local_day, tz).weeks_before(1)
