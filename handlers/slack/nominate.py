"""Slack's side of nominating: how its outcomes are worded, and mentions turned into names."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError

from bot.core import errors
from bot.core.model import DeliveryReport
from bot.core.platform import Directory
from bot.core.words import N_
from bot.i18n import _
from bot.nomination import NominationFlow
from handlers.slack import blocks
from handlers.slack.parsing import CommandNomination, ParseError, name_mentions
from handlers.slack.refusals import explain

logger = logging.getLogger(__name__)

# Translated when shown (`_(...)`).
SLACK_TROUBLE = N_(
    "Slack isn't answering me right now, so nothing was sent. Please try again in a minute."
)
SOMETHING_BROKE = N_(
    "Something went wrong on my side and I couldn't finish that. Please try again; "
    "if it keeps happening, tell your Delight admin."
)

SlackFlow = NominationFlow[blocks.Message]


class SlackAnswers:
    """The nomination flow's answers, as Block Kit messages."""

    input_errors: tuple[type[Exception], ...] = (ParseError,)
    platform_errors: tuple[type[Exception], ...] = (SlackApiError,)

    def confirmation(self, report: DeliveryReport, *, remaining_today: int) -> blocks.Message:
        return blocks.confirmation(report, remaining_today=remaining_today)

    def refusal(self, error: Exception, *, typed: str) -> blocks.Message:
        if isinstance(error, errors.DelightError | ParseError):
            return blocks.refusal(explain(error), typed=typed)
        return self.something_broke(typed=typed)

    def platform_trouble(self, error: Exception, *, typed: str) -> blocks.Message:
        code = error.response.get("error") if isinstance(error, SlackApiError) else None
        logger.warning("Slack API error: %s", code)
        return blocks.refusal(_(SLACK_TROUBLE), typed=typed)

    def something_broke(self, *, typed: str) -> blocks.Message:
        return blocks.refusal(_(SOMETHING_BROKE), typed=typed)


async def story_of(directory: Directory, team_id: str, parsed: CommandNomination) -> str:
    """The story with any nameless mentions turned into plain @names."""
    if not parsed.unnamed_mentions:
        return parsed.story
    people = await directory.people(team_id, parsed.unnamed_mentions)
    return name_mentions(parsed.story, {uid: p.name for uid, p in people.items()})


async def plain_names(directory: Directory, team_id: str, text: str) -> str:
    """Mrkdwn with <@U…> mentions → plain text with @names (for modal field errors)."""
    found: Sequence[str] = re.findall(r"<@([UW][A-Z0-9]+)>", text)
    people = await directory.people(team_id, found) if found else {}
    text = name_mentions(text, {uid: p.name for uid, p in people.items()})
    return text.replace("`", "").replace("*", "")
