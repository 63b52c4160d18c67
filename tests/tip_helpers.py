"""Driving the admins' tip views the way Slack does: the list, its buttons, the forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from bot.core.schedule import TipSchedule
from tests.driver import Reply, RunningApp, SlackDriver
from tests.fakeslack import Call, FakeSlack
from tests.helpers import blocks_text

ADMIN = "UADMIN"  # a workspace admin in the fake Slack (timezone Europe/Amsterdam)
LIST_VIEW = "VLIST"  # the id the tips list has on the modal stack
MONDAY_EIGHT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam


def add_schedule(app: RunningApp, **changes: Any) -> TipSchedule:
    """Store a schedule directly (Monday to Friday, 09:00 Amsterdam, in C0TIPS, made on
    Monday 23 November at 08:00): for tests about delivery rather than the admins' form."""
    assert app.runtime is not None
    fields: dict[str, Any] = {
        "team_id": "T0001",
        "channel_id": "C0TIPS",
        "owner_id": "U0001",
        "weekdays": frozenset(range(5)),
        "at": time(9, 0),
        "timezone": "Europe/Amsterdam",
        "start": date(2026, 11, 23),
        "created_at": MONDAY_EIGHT,
    }
    fields.update(changes)
    return app.call(app.runtime.tip_schedules.add(**fields))


def schedule_values(**overrides: Any) -> dict[str, Any]:
    """A schedule form's state: #CTIPS, Monday to Friday at 09:00 in Amsterdam, from 23 Nov."""
    values: dict[str, Any] = {
        "tip_channel": {"tip_channel": {"selected_conversation": "CTIPS"}},
        "tip_mode": {"tip_mode": {"selected_option": {"value": "channel"}}},
        "tip_days": {"tip_days": {"selected_options": [{"value": str(day)} for day in range(5)]}},
        "tip_time": {"tip_time": {"selected_time": "09:00"}},
        "tip_timezone": {"tip_timezone": {"selected_option": {"value": "Europe/Amsterdam"}}},
        "tip_start": {"tip_start": {"selected_date": "2026-11-23"}},
    }
    for block, value in overrides.items():
        values[block] = {block: value}
    return values


def submit_schedule(
    slack: SlackDriver, *, user: str = ADMIN, schedule_id: int | None = None, **overrides: Any
) -> Reply:
    return slack.submit_view(
        "delight_tip_schedule",
        schedule_values(**overrides),
        user=user,
        private_metadata="" if schedule_id is None else str(schedule_id),
        previous_view_id=LIST_VIEW,
    )


def create_schedule(slack: SlackDriver, fake: FakeSlack, app: RunningApp, **overrides: Any) -> int:
    """Create a schedule through the form; its id."""
    before = len(fake.calls("views.update"))
    reply = submit_schedule(slack, **overrides)
    assert reply.status == 200
    assert reply.body == b"", reply.body
    fake.wait_for_calls("views.update", before + 1)
    assert app.runtime is not None
    schedules = app.call(app.runtime.tip_schedules.for_team("T0001", include_paused=True))
    return int(schedules[-1].id)


def click(
    slack: SlackDriver,
    action_id: str,
    value: str,
    *,
    user: str = ADMIN,
    view: dict[str, Any] | None = None,
    team_id: str | None = None,
) -> Reply:
    """A button in a modal (the tips list, unless `view` says otherwise)."""
    shown = view or {"id": LIST_VIEW, "type": "modal", "private_metadata": ""}
    return slack.button(action_id, value, user=user, channel=None, view=shown, team_id=team_id)


def click_and_wait(fake: FakeSlack, method: str, do: Any) -> Call:
    """Do something in Slack and wait for the view call it makes (views.update/push)."""
    before = len(fake.calls(method))
    reply = do()
    assert reply.status == 200
    return fake.wait_for_calls(method, before + 1)[-1]


def view_text(call: Call) -> str:
    return blocks_text(call.args["view"]["blocks"])


def buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        found += [e for e in elements if e.get("action_id") == action_id]
    return found
