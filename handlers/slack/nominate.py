"""The steps every nomination path shares: name → id, give, deliver, and the reply."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.core import errors
from bot.core.kudos import KudosService
from bot.core.model import Given, Nomination
from handlers.slack import blocks
from handlers.slack.directory import SlackDirectory
from handlers.slack.parsing import CommandNomination, ParseError, UserRef, name_mentions
from handlers.slack.refusals import explain
from handlers.slack.turns import DeliveryTurns

logger = logging.getLogger(__name__)

Reply = Callable[[blocks.Message], Awaitable[None]]

SLACK_TROUBLE = (
    "Slack isn't answering me right now, so nothing was sent. Please try again in a minute."
)


@dataclass(frozen=True, slots=True)
class NominationFlow:
    kudos: KudosService
    directory: SlackDirectory
    turns: DeliveryTurns  # how many deliveries run at once

    async def resolve(self, team_id: str, refs: tuple[UserRef, ...]) -> tuple[str, ...]:
        """Slack user ids for the typed recipients; plain @names are looked up by name."""
        ids: list[str] = []
        unknown: list[str] = []
        for ref in refs:
            if ref.user_id:
                ids.append(ref.user_id)
                continue
            assert ref.name is not None
            matches = await self.directory.ids_for_name(team_id, ref.name)
            if not matches:
                unknown.append("@" + ref.name)
            elif len(matches) > 1:
                raise errors.RecipientAmbiguous(name=ref.name, candidates=tuple(matches))
            else:
                ids.append(matches[0])
        if unknown:
            raise errors.RecipientUnknown(names=tuple(unknown))
        return tuple(dict.fromkeys(ids))

    async def story_of(self, team_id: str, parsed: CommandNomination) -> str:
        """The story with any nameless mentions turned into plain @names."""
        if not parsed.unnamed_mentions:
            return parsed.story
        people = await self.directory.people(team_id, parsed.unnamed_mentions)
        return name_mentions(parsed.story, {uid: p.name for uid, p in people.items()})

    async def give(self, nomination: Nomination) -> Given:
        return await self.kudos.give(nomination)

    def deliver(self, given: Given, reply: Reply) -> None:
        """Post the kudos' messages, then tell the giver how it went, in a turn of its own
        (handlers/slack/turns.py); this returns at once, the kudos stored already."""
        self.turns.start(self._deliver_now(given, reply))

    async def _deliver_now(self, given: Given, reply: Reply) -> None:
        report = await self.kudos.deliver(given)
        try:
            await reply(blocks.confirmation(report, remaining_today=given.remaining_today))
        except Exception:  # it is out: "please try again" would give it twice
            logger.exception("kudos %s delivered, but the giver was not told", given.kudos.id)

    async def plain_names(self, team_id: str, text: str) -> str:
        """Mrkdwn with <@U…> mentions → plain text with @names (for modal field errors)."""
        found = re.findall(r"<@([UW][A-Z0-9]+)>", text)
        people = await self.directory.people(team_id, found) if found else {}
        text = name_mentions(text, {uid: p.name for uid, p in people.items()})
        return text.replace("`", "").replace("*", "")


SOMETHING_BROKE = (
    "Something went wrong on my side and I couldn't finish that. Please try again; "
    "if it keeps happening, tell your Delight admin."
)


async def attempt(
    work: Awaitable[blocks.Message | None], *, typed: Callable[[], str], reply: Reply
) -> None:
    """Run a nomination step and send the person, through `reply`, its answer, or how it
    failed (keeping what they typed: `typed()`, worked out only then). A repeat delivery
    gets nothing."""
    if (answer := await _answer(work, typed=typed)) is not None:
        await reply(answer)


async def _answer(
    work: Awaitable[blocks.Message | None], *, typed: Callable[[], str]
) -> blocks.Message | None:
    try:
        return await work
    except errors.DuplicateNomination as repeat:
        logger.info("repeat of %s ignored", repeat.request_key)
        return None
    except (errors.DelightError, ParseError) as refused:
        return blocks.refusal(explain(refused), typed=typed())
    except SlackApiError as trouble:
        logger.warning("Slack API error: %s", trouble.response.get("error"))
        return blocks.refusal(SLACK_TROUBLE, typed=typed())
    except Exception:
        logger.exception("nomination failed")
        return blocks.refusal(SOMETHING_BROKE, typed=typed())
