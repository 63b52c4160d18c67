"""How a manager's digest reads in Slack: the DM (Block Kit) and the full list on request, in
the wording of bot/digest_words.py. Pure. Within Slack's limits for a team of any size: the DM
shows the most recognised people and says how many more there are; the full list comes in
pages."""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.core.digest import AVERAGE_WEEKS, Digest
from bot.digest_words import (
    EXCERPT,
    FULL_EXCERPT,
    MEMBERS_SHOWN,
    QUIET_SHOWN,
    STORIES_SHOWN,
    Voice,
    member_line,
    most_endorsed_line,
    plain_voice,
    quiet_line,
    shorten,
    summary,
    text_bars,
    title,
    week_span,
)
from bot.i18n import _, ngettext, number
from handlers.slack import ids
from handlers.slack.blocks import SECTION_LIMIT, Block, Message
from handlers.slack.mrkdwn import defuse, user_mention

__all__ = ["MEMBERS_SHOWN", "digest_message", "full_list_pages", "week_span"]

PAGE_BLOCKS = 45  # under Slack's 50 per message, with room for a header and a footer
SLACK = Voice(who=user_mention, inert=defuse, bold="*{}*".format, aside="_{}_".format)


# --- Slack -------------------------------------------------------------------------------------


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def packed(lines: Iterable[str], limit: int = SECTION_LIMIT) -> list[str]:
    """Lines joined into as few texts as fit under `limit` characters each."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]  # a single line never passes the limit (they are short anyway)
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


def full_list_value(digest: Digest) -> str:
    return json.dumps(
        {"team": digest.team_pk, "week": digest.week.label, "partial": digest.partial}
    )


def digest_message(digest: Digest, *, chart_shown: bool) -> Message:
    """The weekly DM (also the `/delight digest` preview)."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": shorten(title(digest), 150)}},
        _section(summary(digest, SLACK)),
    ]
    if chart_shown:
        blocks.append(
            _context(
                _("Kudos by element, this week against the {weeks}-week average: above.").format(
                    weeks=number(AVERAGE_WEEKS)
                )
            )
        )
    else:
        blocks.append(
            _section(
                _("*By element* (this week, and the {weeks}-week average)").format(
                    weeks=number(AVERAGE_WEEKS)
                )
                + f"\n```{text_bars(digest)}```"
            )
        )
    shown = digest.recognised[:MEMBERS_SHOWN]
    if shown:
        blocks.append({"type": "divider"})
        lines = [member_line(m, SLACK, stories=STORIES_SHOWN, excerpt=EXCERPT) for m in shown]
        more = digest.recognised_count - len(shown)
        if more:
            lines.append(
                ngettext(
                    "_…and {count} more person recognised._",
                    "_…and {count} more people recognised._",
                    more,
                ).format(count=number(more))
            )
        blocks += [_section(text) for text in packed(lines)]
    if line := most_endorsed_line(digest, SLACK):
        blocks.append(_section(line))
    if line := quiet_line(digest, SLACK, shown=QUIET_SHOWN):
        blocks.append(_section(line))
    if _anything_left_out(digest):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.DIGEST_FULL_LIST,
                        "text": {"type": "plain_text", "text": _("See everyone")},
                        "value": full_list_value(digest),
                    }
                ],
            }
        )
    blocks.append(
        _context(
            _(
                "What colleagues recognised, in their words. 🔒 marks private recognition, "
                "shown only to the people it names and their managers."
            )
        )
    )
    plain = summary(digest, plain_voice({}))
    return Message(text=f"{title(digest)}: {plain}", blocks=blocks)


def _anything_left_out(digest: Digest) -> bool:
    return (
        digest.recognised_count > MEMBERS_SHOWN
        or any(len(m.received) > STORIES_SHOWN for m in digest.recognised[:MEMBERS_SHOWN])
        or len(digest.quiet) > QUIET_SHOWN
    )


def full_list_pages(digest: Digest) -> list[Message]:
    """Everyone and every story of the week, in as many messages as it takes."""
    lines = [
        member_line(m, SLACK, stories=len(m.received), excerpt=FULL_EXCERPT)
        for m in digest.recognised
    ]
    if line := quiet_line(digest, SLACK, shown=None):
        lines.append(line)
    if not lines:
        lines.append(_("Nobody in the team was recognised this week."))
    sections = [_section(text) for text in packed(lines)]
    pages = [sections[i : i + PAGE_BLOCKS] for i in range(0, len(sections), PAGE_BLOCKS)]
    messages = []
    for part, page in enumerate(pages, 1):
        label = _("{team}, {week}: everyone").format(team=digest.team_name, week=week_span(digest))
        if len(pages) > 1:
            label += " " + _("(part {part} of {parts})").format(
                part=number(part), parts=number(len(pages))
            )
        messages.append(Message(text=label, blocks=[_context(f"*{defuse(label)}*"), *page]))
    return messages
