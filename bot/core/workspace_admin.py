"""Admins shaping their workspace's Delight: validated settings, every change audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.model import WorkspaceSettings
from bot.core.ports import AuditLog, Clock
from bot.core.words import LANGUAGES, N_, Said
from bot.core.workspaces import plausible_id

DAILY_LIMIT_RANGE = (1, 1000)


class SettingsStore(Protocol):
    async def get(self, team_id: str) -> WorkspaceSettings: ...

    async def save(self, team_id: str, **changes: Any) -> WorkspaceSettings: ...


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """The settings as an admin submitted them: ids and the reaction already read by the
    adapter that received them (it knows its platform's formats); the rest not yet checked."""

    recognition_channel_id: str | None
    daily_limit: str
    require_element: bool
    leaderboard_enabled: bool
    endorsement_reaction: str | None  # None: the platform's default
    admin_ids: tuple[str, ...]
    language: str = LANGUAGES[0]
    # An IANA zone, or None for none. A platform whose form has no such field passes the
    # current value (or None, which it then always is).
    default_timezone: str | None = None


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

    async def save(
        self,
        team_id: str,
        admin_id: str,
        form: SettingsForm,
        *,
        problems: Mapping[str, str] | None = None,
    ) -> WorkspaceSettings:
        """Check rights and every field, store the changes, audit them. Raises NotAnAdmin or
        SettingsInvalid, naming each field to fix: the adapter's `problems` (fields it could
        not read) and the rules' together, so the admin sees them all at once."""
        await self._admins.require_admin(team_id, admin_id)
        wanted = validated(form, problems=problems or {})
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


def validated(form: SettingsForm, *, problems: Mapping[str, str]) -> dict[str, Any]:
    problems = dict(problems)
    low, high = DAILY_LIMIT_RANGE
    limit = 0
    out_of_range = Said(N_("Use a whole number from {low} to {high}."), low=low, high=high)
    try:
        limit = int(form.daily_limit.strip())
        if not low <= limit <= high:
            problems["daily_limit"] = out_of_range
    except ValueError:
        problems["daily_limit"] = out_of_range
    channel = form.recognition_channel_id
    if channel is not None and not plausible_id(channel):
        problems.setdefault("recognition_channel_id", N_("Pick a channel from the list."))
    if not all(plausible_id(uid) for uid in form.admin_ids):
        problems.setdefault("admin_ids", N_("Pick people from the list."))
    reaction = form.endorsement_reaction
    if reaction is not None and not plausible_id(reaction):
        problems.setdefault("endorsement_reaction", N_("Pick a reaction."))
    zone = form.default_timezone
    if zone is not None and not _known_zone(zone):
        problems.setdefault(
            "default_timezone",
            N_("Pick a timezone from the list (type a city, like Amsterdam or New York)."),
        )
    if form.language not in LANGUAGES:
        problems.setdefault("language", N_("Pick a language from the list."))
    if problems:
        raise errors.SettingsInvalid(problems=problems)
    return {
        "recognition_channel_id": channel,
        "daily_limit": limit,
        "require_element": form.require_element,
        "leaderboard_enabled": form.leaderboard_enabled,
        "endorsement_reaction": reaction,
        "admin_ids": tuple(dict.fromkeys(form.admin_ids)),
        "language": form.language,
        "default_timezone": zone,
    }


def _known_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
