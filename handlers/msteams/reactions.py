"""Reactions on an announcement: `like` or `heart` (or the reactions an admin chose) says
"I saw it too"; taking the reaction back takes the endorsement back."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.endorsements import Outcome, Via
from bot.core.model import MessageRef
from handlers.msteams.context import TeamsServices
from handlers.msteams.endorsing import endorsing
from handlers.msteams.messenger import base_conversation
from handlers.msteams.turn import Turn


async def on_reaction(
    services: TeamsServices, turn: Turn, added: Sequence[str], removed: Sequence[str]
) -> None:
    if turn.user_id is None or not turn.reply_to_id:
        return
    settings = await services.core.administration.settings.get(turn.workspace)
    endorsing_now = endorsing(settings.endorsement_reaction)
    endorsements = services.core.recognition.endorsements
    # The announcement was posted to the conversation (a channel, or a thread of it); Teams
    # names a reaction's conversation with the thread's root, so either may be the one stored.
    places = dict.fromkeys((turn.conversation_id, base_conversation(turn.conversation_id)))
    for place in places:
        message = MessageRef(place, turn.reply_to_id)
        if any(r in endorsing_now for r in added):
            done = await endorsements.endorse_announcement(
                team_id=turn.workspace, message=message, user_id=turn.user_id, via=Via.REACTION
            )
        elif any(r in endorsing_now for r in removed):
            done = await endorsements.take_back(
                team_id=turn.workspace, message=message, user_id=turn.user_id
            )
        else:
            return
        if done.outcome is not Outcome.NOT_PUBLISHED:
            return
