"""Who may change a workspace's settings and moderate its kudos."""

from __future__ import annotations

from bot.core.errors import NotAnAdmin
from bot.core.platform import Directory
from bot.core.ports import SettingsRepository


class AdminRights:
    """Admins are the platform's workspace admins and owners, the people named in the
    workspace's settings, and those named for the whole deployment (DELIGHT_ADMINS)."""

    def __init__(
        self,
        *,
        directory: Directory,
        settings: SettingsRepository,
        deployment_admins: frozenset[str] = frozenset(),
    ) -> None:
        self._directory = directory
        self._settings = settings
        self._deployment_admins = deployment_admins

    async def is_admin(self, team_id: str, user_id: str) -> bool:
        if user_id in self._deployment_admins:
            return True
        if user_id in (await self._settings.get(team_id)).admin_ids:
            return True
        person = (await self._directory.people(team_id, (user_id,))).get(user_id)
        return person is not None and person.is_admin and not person.deleted

    async def require_admin(self, team_id: str, user_id: str) -> None:
        """Raise NotAnAdmin unless the person is an admin."""
        if not await self.is_admin(team_id, user_id):
            raise NotAnAdmin()
