"""Reading ids back from what travels through Slack (button values, metadata): untrusted."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.request.internals import extract_team_id

_KUDOS_ID = re.compile(r"(?:remove:)?([1-9][0-9]{0,17})")
# Slack's own id formats: people (U…, W… in Enterprise Grid), channels (C… public, G… private).
USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")
_EMOJI_NAME = re.compile(r"[a-z0-9_+\-']{1,64}")


def kudos_id_from(value: object) -> int | None:
    """A kudos id from a button or option value; None for anything else."""
    if not isinstance(value, str):
        return None
    match = _KUDOS_ID.fullmatch(value)
    return int(match.group(1)) if match else None


def is_user_id(value: object) -> bool:
    return isinstance(value, str) and USER_ID.fullmatch(value) is not None


def is_channel_id(value: object) -> bool:
    return isinstance(value, str) and CHANNEL_ID.fullmatch(value) is not None


def emoji_name_from(typed: str) -> str | None:
    """An emoji's name as an admin may type it ("sparkles", ":Tada:"); None if it isn't one."""
    name = typed.strip().strip(":").lower()
    return name if _EMOJI_NAME.fullmatch(name) else None


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request belongs to: the one Bolt authorised and took the token of
    (Bolt's own rule), not the person's, which differs in Slack Connect channels (a modal's
    `view.app_installed_team_id`) and shared channels' events (`authorizations`)."""
    return str(extract_team_id(body) or "")


_ROW_ID = re.compile(r"[1-9][0-9]{0,17}")
_SEND_NOW = re.compile(r"([1-9][0-9]{0,17}):([0-9]{1,18})")
_TIP_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|custom:[1-9][0-9]{0,17}")


def row_id_from(value: object) -> int | None:
    """A row id (a tip schedule, a manager team) from a button value or modal metadata; None
    for anything else."""
    if isinstance(value, str) and _ROW_ID.fullmatch(value):
        return int(value)
    return None


def send_now_from(value: object) -> tuple[int, str] | None:
    """The schedule id and send key a "send now" button carries."""
    match = _SEND_NOW.fullmatch(value) if isinstance(value, str) else None
    return (int(match.group(1)), match.group(2)) if match else None


def tip_id_from(value: object) -> str | None:
    """A library or custom tip id; None for anything else."""
    if isinstance(value, str) and len(value) <= 80 and _TIP_ID.fullmatch(value):
        return value
    return None


def tip_choice_from(value: object) -> tuple[str, str] | None:
    """What a custom tip's menu asks ("on", "off" or "delete") and of which tip."""
    if not isinstance(value, str):
        return None
    verb, _, tip = value.partition(":")
    tip_id = tip_id_from(tip)
    return (verb, tip_id) if verb in ("on", "off", "delete") and tip_id else None
