"""A manager's digests in the 1:1 chat: `digest` (the week so far) and `digest last` (the
latest sent), one card per team they manage; and the digest card's **See everyone**, which
answers with the full list in place of the card clicked."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.digest_week import WEEK_LABEL
from handlers.msteams.adaptive import CardMessage
from handlers.msteams.context import TeamsServices
from handlers.msteams.digest_card import digest_card, full_list_card, no_digest_yet
from handlers.msteams.digests import digest_people, people_names
from handlers.msteams.text import Names
from handlers.msteams.turn import Turn

logger = logging.getLogger(__name__)


async def names_for(services: TeamsServices, workspace: str, user_ids: Iterable[str]) -> Names:
    everyone = await services.core.digests.digests.people(workspace)
    return await people_names(everyone, services.messenger, workspace, user_ids)


async def _tz(services: TeamsServices, workspace: str, user_id: str) -> str | None:
    person = await services.directory.person(workspace, user_id)
    return person.tz if person is not None else None


async def show_digests(services: TeamsServices, turn: Turn, *, last: bool) -> None:
    """`digest [last]`: each card to the person's 1:1 chat (text bars: no chart is kept for a
    preview)."""
    assert turn.user_id is not None
    workspace, user_id = turn.workspace, turn.user_id
    digests = services.core.digests.digests
    tz = await _tz(services, workspace, user_id)
    if last:
        found = await digests.last_sent(workspace, user_id, tz)
    else:
        found = await digests.preview(workspace, user_id, tz)
    cards: list[CardMessage] = []
    for digest in found:
        names = await names_for(services, workspace, digest_people(digest))
        cards.append(digest_card(digest, names, chart_url=None))
    for card in cards or [no_digest_yet(last=last)]:
        await services.messenger.to_person(workspace, user_id, card)


async def see_everyone(
    services: TeamsServices, turn: Turn, user_id: str, data: Mapping[str, Any]
) -> CardMessage | None:
    """The full list, for a manager of the team only (anyone else: nothing)."""
    wanted = _read(data)
    if wanted is None:
        return None
    tz = await _tz(services, turn.workspace, user_id)
    digest = await services.core.digests.digests.full_list(turn.workspace, user_id, tz, **wanted)
    if digest is None:
        logger.info("someone asked for the full digest of a team they don't manage")
        return None
    names = await names_for(services, turn.workspace, digest_people(digest))
    return full_list_card(digest, names)


def _read(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """A button's data, checked: never trust what comes back from the client."""
    team, week, partial = data.get("team"), data.get("week"), data.get("partial")
    if not isinstance(team, int) or isinstance(team, bool) or not 0 < team < 2**62:
        return None
    if not isinstance(week, str) or not WEEK_LABEL.fullmatch(week):
        return None
    return {"team_pk": team, "week": week, "partial": partial is True}
