"""Reading ids back from what travels through Slack (button values, metadata): untrusted."""

from __future__ import annotations

import re
from typing import Any

_KUDOS_ID = re.compile(r"(?:remove:)?([1-9][0-9]{0,17})")


def kudos_id_from(value: object) -> int | None:
    """A kudos id from a button or option value; None for anything else."""
    if not isinstance(value, str):
        return None
    match = _KUDOS_ID.fullmatch(value)
    return int(match.group(1)) if match else None


def team_of(body: dict[str, Any]) -> str:
    """The workspace an interaction came from."""
    team = body.get("team") or {}
    user = body.get("user") or {}
    return str(team.get("id") or user.get("team_id") or "")
