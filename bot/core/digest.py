"""What a manager's weekly digest says: built from the kudos a team received. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.digest_week import Week
from bot.core.elements import Element

AVERAGE_WEEKS = 4  # "this week against the average of the previous four"
QUIET_DAYS = 30  # nobody recognised them in this long: worth a closer look


@dataclass(frozen=True, slots=True)
class Received:
    """One kudos as one team member received it (a kudos for two members is two of these).
    Removed kudos never get this far: storage leaves them out."""

    kudos_id: int
    recipient_id: str
    giver_id: str
    story: str
    created_at: datetime
    elements: tuple[Element, ...] = ()
    endorsements: int = 0
    private: bool = False


@dataclass(frozen=True, slots=True)
class MemberWeek:
    member_id: str
    received: tuple[Received, ...]  # this week, newest first
    elements: tuple[tuple[Element, int], ...]  # most shown first
    endorsements: int


@dataclass(frozen=True, slots=True)
class ElementWeek:
    element: Element
    this_week: int
    average: float  # kudos a week over the previous four weeks


@dataclass(frozen=True, slots=True)
class Story:
    """The week's most-endorsed story, with every team member it recognised."""

    received: Received
    recipient_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    team_pk: int
    team_name: str
    week: Week
    member_ids: tuple[str, ...]
    recognised: tuple[MemberWeek, ...]  # members recognised this week, most first
    kudos_count: int  # distinct kudos this week (one for three people counts once)
    average_count: float  # distinct kudos a week, previous four weeks
    elements: tuple[ElementWeek, ...]  # all seven, in definition order
    most_endorsed: Story | None
    quiet: tuple[str, ...]  # members nobody recognised in the last QUIET_DAYS days
    partial: bool = False  # the week so far, not a finished week

    @property
    def recognised_count(self) -> int:
        return len(self.recognised)


def activity_window(week: Week) -> tuple[datetime, datetime]:
    """The span of kudos a digest reads: the four weeks before its week, and the week."""
    start = min(week.weeks_before(AVERAGE_WEEKS).start, week.end - timedelta(days=QUIET_DAYS))
    return start, week.end


def build_digest(
    *,
    team_pk: int,
    team_name: str,
    week: Week,
    member_ids: Sequence[str],
    received: Sequence[Received],
    partial: bool = False,
) -> Digest:
    """`received`: the team's kudos in activity_window(week); others are ignored."""
    members = tuple(dict.fromkeys(member_ids))
    in_team = set(members)
    mine = [r for r in received if r.recipient_id in in_team]
    this_week = [r for r in mine if week.start <= r.created_at < week.end]
    history_start = week.weeks_before(AVERAGE_WEEKS).start
    history = [r for r in mine if history_start <= r.created_at < week.start]

    week_kudos = _distinct(this_week)
    history_kudos = _distinct(history)
    now_counts = Counter(e for r in week_kudos for e in r.elements)
    past_counts = Counter(e for r in history_kudos for e in r.elements)
    quiet_since = week.end - timedelta(days=QUIET_DAYS)
    recently = {r.recipient_id for r in mine if quiet_since <= r.created_at < week.end}
    return Digest(
        team_pk=team_pk,
        team_name=team_name,
        week=week,
        member_ids=members,
        recognised=_per_member(this_week),
        kudos_count=len(week_kudos),
        average_count=len(history_kudos) / AVERAGE_WEEKS,
        elements=tuple(
            ElementWeek(e, now_counts[e], past_counts[e] / AVERAGE_WEEKS) for e in Element
        ),
        most_endorsed=_most_endorsed(this_week),
        quiet=tuple(m for m in members if m not in recently),
        partial=partial,
    )


def _distinct(received: Sequence[Received]) -> list[Received]:
    return list({r.kudos_id: r for r in received}.values())


def _per_member(this_week: Sequence[Received]) -> tuple[MemberWeek, ...]:
    by_member: dict[str, list[Received]] = {}
    for r in sorted(this_week, key=lambda r: (r.created_at, r.kudos_id), reverse=True):
        by_member.setdefault(r.recipient_id, []).append(r)
    weeks = [
        MemberWeek(
            member_id=member,
            received=tuple(items),
            elements=tuple(
                sorted(
                    Counter(e for r in items for e in r.elements).items(),
                    key=lambda pair: (-pair[1], list(Element).index(pair[0])),
                )
            ),
            endorsements=sum(r.endorsements for r in items),
        )
        for member, items in by_member.items()
    ]
    # Most recognised first; ties in a stable order so a digest reads the same when rebuilt.
    return tuple(sorted(weeks, key=lambda w: (-len(w.received), -w.endorsements, w.member_id)))


def _most_endorsed(this_week: Sequence[Received]) -> Story | None:
    endorsed = [r for r in this_week if r.endorsements > 0]
    if not endorsed:
        return None
    best = min(endorsed, key=lambda r: (-r.endorsements, r.created_at, r.kudos_id))
    recipients = tuple(
        dict.fromkeys(r.recipient_id for r in this_week if r.kudos_id == best.kudos_id)
    )
    return Story(received=best, recipient_ids=recipients)
