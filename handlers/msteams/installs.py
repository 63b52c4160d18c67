"""What the Teams adapter remembers of the teams Delight is installed in: who installed each
(Delight's admins in the tenant), and their channels, which the settings offer by name.

storage/msteams_teams.py keeps it; these Protocols are what the adapter reads of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol


class KnownTeam(Protocol):
    @property
    def team_id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def installed_by(self) -> str | None: ...
    @property
    def archived_at(self) -> datetime | None: ...  # read only: nothing can be posted there


def archived_teams(teams: Iterable[KnownTeam]) -> set[str]:
    """The ids of those archived: read only, nothing can be posted in their channels."""
    return {team.team_id for team in teams if team.archived_at is not None}


class KnownChannel(Protocol):
    @property
    def conversation_id(self) -> str: ...
    @property
    def team_id(self) -> str: ...
    @property
    def team_name(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...  # None: the team's General channel


class InstallBook(Protocol):
    async def installed(
        self,
        workspace_id: str,
        team_id: str,
        *,
        service_url: str,
        at: datetime,
        installed_by: str | None = None,
        name: str | None = None,
    ) -> None: ...

    async def renamed(
        self, workspace_id: str, team_id: str, name: str, *, at: datetime
    ) -> None: ...

    async def archived(
        self, workspace_id: str, team_id: str, *, archived: bool, at: datetime
    ) -> None: ...

    async def removed(self, workspace_id: str, team_id: str, *, at: datetime) -> int:
        """How many of the tenant's teams still have Delight."""
        ...

    async def teams(self, workspace_id: str) -> Sequence[KnownTeam]: ...

    async def places(self, workspace_id: str, team_id: str) -> list[str]:
        """The team's id and its channels', deleted ones too: all a schedule may deliver by."""
        ...

    async def is_installer(self, workspace_id: str, user_id: str) -> bool: ...

    async def channels(self, workspace_id: str) -> Sequence[KnownChannel]:
        """Those Delight can post in (not in an archived team)."""
        ...
