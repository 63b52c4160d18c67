"""Which chat platform a workspace is on: its id says, so no key is ever shared between two.

Every table keys its rows by workspace id and every query filters on it, so two platforms'
workspaces in one database never meet. A Slack workspace's id is its team (or enterprise) id
as Slack gives it (`T…`, `E…`: never a colon); a Teams tenant's is `msteams:<tenant id>`.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    SLACK = "slack"
    MSTEAMS = "msteams"


MAX_ID_LENGTH = 255  # the longest id any platform gives (Teams' conversation ids run past 100)

_PREFIXED = (Platform.MSTEAMS,)  # Slack's ids stay bare: every stored row already has them


def workspace_id(platform: Platform, native_id: str) -> str:
    """The id Delight stores for a platform's workspace (Slack's team, Teams' tenant)."""
    if not native_id or (":" in native_id and platform is Platform.SLACK):
        raise ValueError(f"not a {platform} workspace id: {native_id!r}")
    return f"{platform}:{native_id}" if platform in _PREFIXED else native_id


def platform_of(workspace: str) -> Platform:
    prefix, colon, _ = workspace.partition(":")
    if colon and prefix in _PREFIXED:
        return Platform(prefix)
    return Platform.SLACK


def native_id(workspace: str) -> str:
    """The platform's own id of a stored workspace id."""
    prefix, colon, rest = workspace.partition(":")
    return rest if colon and prefix in _PREFIXED else workspace


def plausible_id(value: str) -> bool:
    """What any platform's id of a person, channel or reaction looks like to the core: a
    short word without spaces (the adapter that received it checked its own format)."""
    return 0 < len(value) <= MAX_ID_LENGTH and not any(c.isspace() for c in value)
