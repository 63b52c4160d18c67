"""How a kudos' outbox entries are stored: one row while they are the usual, else a row each.

A new kudos owes the usual messages, in the usual order (`bot.core.model.notifications_of`):
its announcement (when it has one), a DM to each recipient, and the giver's receipt. Those are
stored as a single row of kind `plan`, whose target is the announcement's channel ("" for
none), and read back as the entries it stands for: one insert and one deletion per kudos where
a row each costs three of each (bench/README.md has the count).

Anything that acts on single entries first unfolds the plan rows it may touch into a row each
(`unfold_plans`): a settlement that does not finish its kudos (storage/kudos_repository.py),
and forgetting a person (storage/forget.py). Claiming for redelivery (storage/outbox.py) reads
a plan row as its entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import Connection, delete, insert, select
from sqlmodel import SQLModel

from bot.core.model import Kudos, Notification, NotificationKind, notifications_of
from storage import tables  # noqa: F401  (registers the tables below)

PLAN = "plan"

OUTBOX = SQLModel.metadata.tables["outbox"]
_KUDOS = SQLModel.metadata.tables["kudos"]
_RECIPIENTS = SQLModel.metadata.tables["kudos_recipient"]


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
        for entry in notifications_of(
            givers[plan.kudos_id], tuple(recipients[plan.kudos_id]), plan.target or None
        )
    ]
    connection.execute(delete(OUTBOX).where(OUTBOX.c.kind == PLAN, OUTBOX.c.kudos_id.in_(ids)))
    connection.execute(insert(OUTBOX), rows)
    return len(plans)


def entries_of(kudos: Kudos, kind: str, target: str) -> tuple[Notification, ...]:
    """The entries a stored row stands for."""
    if kind == PLAN:
        return notifications_of(kudos.giver_id, kudos.recipient_ids, target or None)
    return (Notification(NotificationKind(kind), target),)
