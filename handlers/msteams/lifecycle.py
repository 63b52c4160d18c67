"""Where Delight may speak, learned from Teams' own events: installed in a team or a chat, or
personally (then it says hello with the welcome card)."""

from __future__ import annotations

from handlers.msteams.context import TeamsServices
from handlers.msteams.home_card import welcome_card
from handlers.msteams.turn import Turn


async def on_installed(services: TeamsServices, turn: Turn) -> None:
    """The app was added (installationUpdate `add`, or Delight among `membersAdded`)."""
    await services.book.remember_tenant(
        turn.workspace,
        service_url=turn.service_url,
        at=services.core.clock.now(),
        installed_by=turn.user_id if not turn.personal else None,
    )
    if turn.personal and turn.user_id is not None:
        await services.messenger.to_person(turn.workspace, turn.user_id, welcome_card())
