"""`home` in the 1:1 chat: App Home's content as a card, paged with its buttons."""

from __future__ import annotations

from bot.core.home import Home, HomeCursor
from handlers.msteams.adaptive import CardMessage
from handlers.msteams.answers import Answer
from handlers.msteams.context import TeamsServices
from handlers.msteams.home_card import home_card


async def home_message(
    services: TeamsServices, team_id: str, user_id: str, cursor: HomeCursor | None = None
) -> CardMessage:
    home = await services.core.recognition.home.home(team_id, user_id, cursor or HomeCursor())
    names = await services.messenger.names(team_id, _people(home), _places(home))
    return home_card(home, names=names)


async def home_answer(services: TeamsServices, team_id: str, user_id: str) -> Answer:
    card = await home_message(services, team_id, user_id)
    return Answer(lambda _names: card)


def _people(home: Home) -> list[str]:
    found = [home.user_id]
    for page in (home.received, home.given):
        for listed in page.items:
            found.extend(listed.kudos.involves)
    return found


def _places(home: Home) -> list[str]:
    channel = home.settings.recognition_channel_id
    return ([channel] if channel else []) + [s.channel_id for s in home.paused_schedules]
