"""Admins shaping their workspace's Delight: validated settings, every change audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.model import WorkspaceSettings
from bot.core.ports import AuditLog, Clock

DAILY_LIMIT_RANGE = (1, 1000)
_EMOJI = re.compile(r"[a-z0-9_+\-']{1,64}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")


class SettingsStore(Protocol):
    async def get(self, team_id: str) -> WorkspaceSettings: ...

    async def save(self, team_id: str, **changes: Any) -> WorkspaceSettings: ...


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """The settings as an admin submitted them, not yet checked."""

    recognition_channel_id: str | None
    daily_limit: str
    require_element: bool
    leaderboard_enabled: bool
    endorsement_emoji: str
    admin_ids: tuple[str, ...]


class WorkspaceAdmin:
    def __init__(
        self, *, settings: SettingsStore, admins: AdminRights, audit: AuditLog, clock: Clock
    ) -> None:
        self._settings = settings
        self._admins = admins
        self._audit = audit
        self._clock = clock

    async def current(self, team_id: str, admin_id: str) -> WorkspaceSettings:
        await self._admins.require_admin(team_id, admin_id)
        return await self._settings.get(team_id)

    async def save(self, team_id: str, admin_id: str, form: SettingsForm) -> WorkspaceSettings:
        """Check rights and every field, store the changes, audit them. Raises NotAnAdmin or
        SettingsInvalid (naming each field to fix)."""
        await self._admins.require_admin(team_id, admin_id)
        wanted = validated(form)
        before = await self._settings.get(team_id)
        changes = {name: value for name, value in wanted.items() if getattr(before, name) != value}
        if not changes:
            return before
        after = await self._settings.save(team_id, **changes)
        await self._audit.record(
            team_id=team_id,
            actor_id=admin_id,
            action="settings.changed",
            detail={
                name: {"from": _plain(getattr(before, name)), "to": _plain(value)}
                for name, value in changes.items()
            },
            at=self._clock.now(),
        )
        return after


def validated(form: SettingsForm) -> dict[str, Any]:
    problems: dict[str, str] = {}
    low, high = DAILY_LIMIT_RANGE
    limit = 0
    try:
        limit = int(form.daily_limit.strip())
        if not low <= limit <= high:
            problems["daily_limit"] = f"Use a whole number from {low} to {high}."
    except ValueError:
        problems["daily_limit"] = f"Use a whole number from {low} to {high}."
    emoji = form.endorsement_emoji.strip().strip(":").lower()
    if not _EMOJI.fullmatch(emoji):
        problems["endorsement_emoji"] = (
            "Use an emoji's name, like sparkles or :raised_hands: (letters, digits, _ + -)."
        )
    channel = form.recognition_channel_id
    if channel is not None and not _CHANNEL_ID.fullmatch(channel):
        problems["recognition_channel_id"] = "Pick a channel from the list."
    bad_admins = [uid for uid in form.admin_ids if not _USER_ID.fullmatch(uid)]
    if bad_admins:
        problems["admin_ids"] = "Pick people from the list."
    if problems:
        raise errors.SettingsInvalid(problems=problems)
    return {
        "recognition_channel_id": channel,
        "daily_limit": limit,
        "require_element": form.require_element,
        "leaderboard_enabled": form.leaderboard_enabled,
        "endorsement_emoji": emoji,
        "admin_ids": tuple(dict.fromkeys(form.admin_ids)),
    }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
