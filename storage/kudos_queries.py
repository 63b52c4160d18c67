"""The read side: a person's kudos pages and stats, and the workspace leaderboard.

Every call runs a fixed number of statements whatever the history's size (no N+1): a page is
one query for the ids, then one each for recipients, elements and endorsement counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, Row, bindparam, func, select, tuple_
from sqlmodel import SQLModel

from bot.core.elements import Element
from bot.core.model import Kudos, Listed, Page, PersonStats, Ranked
from storage import tables
from storage.engine import Database
from storage.kudos_repository import count_used_since, kudos_from_row

KUDOS = SQLModel.metadata.tables["kudos"]
RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]
ELEMENTS = SQLModel.metadata.tables["kudos_element"]
ENDORSEMENTS = SQLModel.metadata.tables["kudos_endorsement"]
PREFERENCES = SQLModel.metadata.tables["user_preference"]

_STANDING = KUDOS.c.removed_at.is_(None)
_RECEIVED_BY_ME = (
    RECIPIENTS.c.team_id == bindparam("team_id"),
    RECIPIENTS.c.recipient_id == bindparam("user_id"),
    RECIPIENTS.c.removed.is_(False),
)
# The cursor of a page is the last kudos it showed; the next page starts strictly below its
# (time, id), read in SQL so it compares exactly as stored.
_CURSOR_TIME = select(KUDOS.c.created_at).where(KUDOS.c.id == bindparam("before")).scalar_subquery()
_CURSOR_EXISTS = select(KUDOS.c.id).where(KUDOS.c.id == bindparam("before"))


def _newest_first(kudos_id: Any, created_at: Any, *conditions: Any) -> tuple[Any, Any]:
    """A person's kudos ids newest first, by time then id, from their index: the statement of
    the first page and that of a page below a cursor."""
    first = (
        select(kudos_id)
        .where(*conditions)
        .order_by(created_at.desc(), kudos_id.desc())
        .limit(bindparam("limit"))
    )
    below = tuple_(created_at, kudos_id) < tuple_(_CURSOR_TIME, bindparam("before", type_=Integer))
    return first, first.where(below)


_RECEIVED_PAGES = _newest_first(RECIPIENTS.c.kudos_id, RECIPIENTS.c.created_at, *_RECEIVED_BY_ME)
_GIVEN_PAGES = _newest_first(
    KUDOS.c.id,
    KUDOS.c.created_at,
    KUDOS.c.team_id == bindparam("team_id"),
    KUDOS.c.giver_id == bindparam("user_id"),
    _STANDING,
)
_KUDOS_ROWS = select(KUDOS).where(KUDOS.c.id.in_(bindparam("ids", expanding=True)))
_RECIPIENT_ROWS = (
    select(RECIPIENTS.c.kudos_id, RECIPIENTS.c.recipient_id)
    .where(RECIPIENTS.c.kudos_id.in_(bindparam("ids", expanding=True)))
    .order_by(RECIPIENTS.c.kudos_id, RECIPIENTS.c.position)
)
_ELEMENT_ROWS = select(ELEMENTS.c.kudos_id, ELEMENTS.c.element).where(
    ELEMENTS.c.kudos_id.in_(bindparam("ids", expanding=True))
)
_ENDORSEMENT_COUNTS = (
    select(ENDORSEMENTS.c.kudos_id, func.count())
    .where(ENDORSEMENTS.c.kudos_id.in_(bindparam("ids", expanding=True)))
    .group_by(ENDORSEMENTS.c.kudos_id)
)
_RECEIVED_COUNT = select(func.count()).select_from(RECIPIENTS).where(*_RECEIVED_BY_ME)
_GIVEN_COUNT = select(func.count()).where(
    KUDOS.c.team_id == bindparam("team_id"), KUDOS.c.giver_id == bindparam("user_id"), _STANDING
)
_RECEIVED_ELEMENTS = (
    select(ELEMENTS.c.element, func.count())
    .select_from(RECIPIENTS.join(ELEMENTS, ELEMENTS.c.kudos_id == RECIPIENTS.c.kudos_id))
    .where(*_RECEIVED_BY_ME)
    .group_by(ELEMENTS.c.element)
)
_ENDORSEMENTS_RECEIVED = (
    select(func.count())
    .select_from(RECIPIENTS.join(ENDORSEMENTS, ENDORSEMENTS.c.kudos_id == RECIPIENTS.c.kudos_id))
    .where(*_RECEIVED_BY_ME)
)
# Public recognition only: private kudos and people who asked not to be announced stay out.
_OPTED_OUT = select(PREFERENCES.c.user_id).where(
    PREFERENCES.c.team_id == bindparam("team_id"),
    PREFERENCES.c.public_announcements.is_(False),
)
_LEADERBOARD = (
    select(RECIPIENTS.c.recipient_id, func.count().label("received"))
    .join(KUDOS, KUDOS.c.id == RECIPIENTS.c.kudos_id)
    .where(
        RECIPIENTS.c.team_id == bindparam("team_id"),
        RECIPIENTS.c.created_at >= bindparam("since", type_=tables.UTCDateTime()),
        RECIPIENTS.c.recipient_id.not_in(_OPTED_OUT.scalar_subquery()),
        KUDOS.c.private.is_(False),
        _STANDING,
    )
    .group_by(RECIPIENTS.c.recipient_id)
    .order_by(func.count().desc(), RECIPIENTS.c.recipient_id)
    .limit(bindparam("limit"))
)


class SqlKudosQueries:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def received(
        self, *, team_id: str, user_id: str, before: int | None = None, limit: int = 10
    ) -> Page:
        return await self._db.transaction(_page, _RECEIVED_PAGES, team_id, user_id, before, limit)

    async def given(
        self, *, team_id: str, user_id: str, before: int | None = None, limit: int = 10
    ) -> Page:
        return await self._db.transaction(_page, _GIVEN_PAGES, team_id, user_id, before, limit)

    async def stats(self, *, team_id: str, user_id: str) -> PersonStats:
        def work(connection: Connection) -> PersonStats:
            who = {"team_id": team_id, "user_id": user_id}
            known = {e.value: e for e in Element}
            elements = sorted(
                (
                    (known[name], int(count))
                    for name, count in connection.execute(_RECEIVED_ELEMENTS, who)
                    if name in known
                ),
                key=lambda pair: (-pair[1], list(Element).index(pair[0])),
            )
            return PersonStats(
                received=int(connection.scalar(_RECEIVED_COUNT, who) or 0),
                given=int(connection.scalar(_GIVEN_COUNT, who) or 0),
                endorsements_received=int(connection.scalar(_ENDORSEMENTS_RECEIVED, who) or 0),
                elements=tuple(elements),
            )

        return await self._db.transaction(work)

    async def used_since(self, *, team_id: str, giver_id: str, since: datetime) -> int:
        """How many people the giver recognised since then (the daily allowance's count)."""
        return await self._db.transaction(
            count_used_since, team_id=team_id, giver_id=giver_id, since=since
        )

    async def leaderboard(self, *, team_id: str, since: datetime, limit: int) -> list[Ranked]:
        def work(connection: Connection) -> list[Ranked]:
            rows = connection.execute(
                _LEADERBOARD, {"team_id": team_id, "since": since, "limit": limit}
            )
            return [Ranked(user_id=row.recipient_id, received=int(row.received)) for row in rows]

        return await self._db.transaction(work)


def _page(
    connection: Connection,
    statements: tuple[Any, Any],
    team_id: str,
    user_id: str,
    before: int | None,
    limit: int,
) -> Page:
    first, below = statements
    params = {"team_id": team_id, "user_id": user_id, "before": before, "limit": limit + 1}
    ids = list(connection.scalars(first if before is None else below, params))
    if not ids and before is not None and connection.scalar(_CURSOR_EXISTS, params) is None:
        # The cursor's kudos was deleted meanwhile (its time is lost with it): start over.
        ids = list(connection.scalars(first, params))
    older = ids[limit - 1] if len(ids) > limit else None
    ids = ids[:limit]
    if not ids:
        return Page(items=())
    return Page(items=tuple(listed(connection, ids)), older=older)


def listed(connection: Connection, ids: Sequence[int]) -> list[Listed]:
    """The kudos with these ids, in this order, with their endorsement counts: four queries."""
    wanted = {"ids": list(ids)}
    kudos = {k.id: k for k in assembled(connection, connection.execute(_KUDOS_ROWS, wanted).all())}
    endorsements: Counter[int] = Counter()
    for kudos_id, count in connection.execute(_ENDORSEMENT_COUNTS, wanted):
        endorsements[kudos_id] = count
    return [Listed(kudos=kudos[i], endorsements=endorsements[i]) for i in ids if i in kudos]


def assembled(connection: Connection, rows: Sequence[Row[Any]]) -> list[Kudos]:
    """Kudos rows made whole with their recipients (in the giver's order) and elements: two
    queries for the whole batch, whatever its size."""
    if not rows:
        return []
    wanted = {"ids": [row.id for row in rows]}
    recipients: defaultdict[int, list[str]] = defaultdict(list)
    for kudos_id, recipient_id in connection.execute(_RECIPIENT_ROWS, wanted):
        recipients[kudos_id].append(recipient_id)
    elements: defaultdict[int, set[str]] = defaultdict(set)
    for kudos_id, element in connection.execute(_ELEMENT_ROWS, wanted):
        elements[kudos_id].add(element)
    return [kudos_from_row(row, tuple(recipients[row.id]), elements[row.id]) for row in rows]
