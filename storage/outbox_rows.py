"""How a kudos' outbox entries are stored: one row for the usual delivery, else a row each.

Nearly every kudos owes the same messages, in the same order: its announcement (when it has
one), a DM to each recipient, and the giver's receipt. Those are stored as a single row of kind
`plan`, whose target is the announcement's channel ("" for none), and read back as the entries
it stands for: one insert and one deletion per kudos where a row each costs three of each
(bench/README.md has the count).

Anything that acts on single entries first unfolds the plan rows it may touch into a row each
(`unfold_plans`): a settlement that does not finish its kudos (storage/kudos_repository.py),
and forgetting a person (storage/forget.py). Claiming for redelivery (storage/outbox.py) reads
a plan row as its entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import Connection, delete, insert, select
from sqlmodel import SQLModel

from bot.core.model import Kudos, Notification, NotificationKind
from storage import tables  # noqa: F401  (registers the tables below)

PLAN = "plan"

OUTBOX = SQLModel.metadata.tables["outbox"]
_KUDOS = SQLModel.metadata.tables["kudos"]
_RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]
_ANNOUNCEMENT, _DM, _RECEIPT = (
    NotificationKind.ANNOUNCEMENT,
    NotificationKind.DIRECT_MESSAGE,
    NotificationKind.RECEIPT,
)


def _usual(
    giver_id: str, recipient_ids: Sequence[str], channel: str | None
) -> list[tuple[NotificationKind, str]]:
    """(kind, target) of what a plan row stands for: the announcement in `channel` (none
    without one), a DM to each recipient, the giver's receipt."""
    return [
        *([(_ANNOUNCEMENT, channel)] if channel else []),
        *((_DM, uid) for uid in recipient_ids),
        (_RECEIPT, giver_id),
    ]


def usual_entries(
    giver_id: str, recipient_ids: Sequence[str], channel: str | None
) -> tuple[Notification, ...]:
    """The entries a plan row stands for."""
    return tuple(
        Notification(kind, target) for kind, target in _usual(giver_id, recipient_ids, channel)
    )


def stored_as(kudos: Kudos, entries: Sequence[Notification]) -> Sequence[tuple[str, str]]:
    """The (kind, target) of the rows that store a new kudos' entries."""
    channel = entries[0].target if entries and entries[0].kind is _ANNOUNCEMENT else None
    # Compared as pairs: building the usual Notifications for every new kudos costs more.
    if [(n.kind, n.target) for n in entries] == _usual(
        kudos.giver_id, kudos.recipient_ids, channel
    ):
        return ((PLAN, channel or ""),)
    return [(n.kind.value, n.target) for n in entries]


def unfold_plans(connection: Connection, kudos_ids: Collection[int]) -> int:
    """Replace the plan rows of these kudos by a row for each entry, each as due (and as
    often tried) as its plan was. How many plan rows there were."""
    plans = connection.execute(
        select(OUTBOX).where(OUTBOX.c.kind == PLAN, OUTBOX.c.kudos_id.in_(kudos_ids))
    ).all()
    if not plans:
        return 0
    ids = [plan.kudos_id for plan in plans]
    givers = {
        row.id: row.giver_id
        for row in connection.execute(
            select(_KUDOS.c.id, _KUDOS.c.giver_id).where(_KUDOS.c.id.in_(ids))
        )
    }
    recipients: dict[int, list[str]] = defaultdict(list)
    for row in connection.execute(
        select(_RECIPIENTS.c.kudos_id, _RECIPIENTS.c.recipient_id)
        .where(_RECIPIENTS.c.kudos_id.in_(ids))
        .order_by(_RECIPIENTS.c.kudos_id, _RECIPIENTS.c.position)
    ):
        recipients[row.kudos_id].append(row.recipient_id)
    rows = [
        {**plan._asdict(), "kind": entry.kind.value, "target": entry.target}
        for plan in plans
        for entry in usual_entries(
            givers[plan.kudos_id], recipients[plan.kudos_id], plan.target or None
        )
    ]
    connection.execute(delete(OUTBOX).where(OUTBOX.c.kind == PLAN, OUTBOX.c.kudos_id.in_(ids)))
    connection.execute(insert(OUTBOX), rows)
    return len(plans)


def entries_of(kudos: Kudos, kind: str, target: str) -> tuple[Notification, ...]:
    """The entries a stored row stands for."""
    if kind == PLAN:
        return usual_entries(kudos.giver_id, kudos.recipient_ids, target or None)
    return (Notification(NotificationKind(kind), target),)
