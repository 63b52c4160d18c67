"""How a nomination's outcome is worded in Teams, and how it reaches the giver: privately, in
their 1:1 chat with Delight, never in a channel's thread.

A card names people, and names are looked up (the core knows only ids), so what the flow
hands back is an `Answer` that renders once the names it needs are known.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.core import errors
from bot.core.model import DeliveryReport, NotPosted
from bot.i18n import _
from bot.typed_text import ParseError
from handlers.msteams import cards
from handlers.msteams.adaptive import CardMessage
from handlers.msteams.connector import ConnectorError
from handlers.msteams.messenger import Messenger
from handlers.msteams.refusals import explain
from handlers.msteams.text import Names

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    render: Callable[[Names], CardMessage]
    people: tuple[str, ...] = ()  # whose names it shows
    places: tuple[str, ...] = ()  # which conversations' names it shows


class TeamsAnswers:
    @property
    def input_errors(self) -> tuple[type[Exception], ...]:
        return (ParseError,)

    @property
    def platform_errors(self) -> tuple[type[Exception], ...]:
        return (ConnectorError,)

    def confirmation(self, report: DeliveryReport, *, remaining_today: int) -> Answer:
        places = () if report.announcement is None else (report.announcement.channel_id,)
        return Answer(
            lambda names: cards.confirmation(report, remaining_today=remaining_today, names=names),
            people=tuple(report.kudos.involves),
            places=places,
        )

    def refusal(self, error: Exception, *, typed: str) -> Answer:
        people = _people_in(error)
        return Answer(
            lambda names: cards.refusal(explain(_readable(error), names.person), typed=typed),
            people=people,
        )

    def platform_trouble(self, error: Exception, *, typed: str) -> Answer:
        logger.warning("Teams failed during a nomination: %s", error)
        said = _("Teams didn't answer in time, so nothing was sent. Please try again in a minute.")
        return Answer(lambda _names: cards.refusal(said, typed=typed))

    def something_broke(self, *, typed: str) -> Answer:
        said = _("Something went wrong on my side, and nothing was sent. Please try again.")
        return Answer(lambda _names: cards.refusal(said, typed=typed))


def _readable(error: Exception) -> errors.DelightError | ParseError:
    if isinstance(error, errors.DelightError | ParseError):
        return error
    return errors.DelightError()


def _people_in(error: Exception) -> tuple[str, ...]:
    match error:
        case errors.RecipientIsBot(user_ids=ids) | errors.RecipientDeactivated(user_ids=ids):
            return ids
        case errors.RecipientUnknown(names=names):
            return tuple(n for n in names if not n.startswith("@"))
    return ()


async def send_answer(
    messenger: Messenger, team_id: str, user_id: str, answer: Answer
) -> NotPosted | None:
    """Render the answer with the names it needs and send it to the person's 1:1 chat."""
    names = await messenger.names(team_id, answer.people, answer.places)
    outcome = await messenger.to_person(team_id, user_id, answer.render(names))
    return outcome if isinstance(outcome, NotPosted) else None
