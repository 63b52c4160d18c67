"""How a manager's digest reads: the DM (Block Kit), the full list on request, and a plain
text form for the CLI. Pure. Within Slack's limits for a team of any size: the DM shows the
most recognised people and says how many more there are; the full list comes in pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.digest import AVERAGE_WEEKS, QUIET_DAYS, Digest, MemberWeek, Received
from bot.core.elements import ELEMENT_INFO
from handlers.slack import ids
from handlers.slack.blocks import SECTION_LIMIT, Block, Message
from handlers.slack.mrkdwn import defuse, shorten, user_mention

MEMBERS_SHOWN = 10  # people in the DM itself; the rest are a click away
STORIES_SHOWN = 2  # stories per person in the DM
QUIET_SHOWN = 15
EXCERPT = 140
FULL_EXCERPT = 300
PAGE_BLOCKS = 45  # under Slack's 50 per message, with room for a header and a footer
BAR_WIDTH = 12


@dataclass(frozen=True, slots=True)
class Voice:
    """How people and user text are written: Slack mentions and inert mrkdwn in Slack,
    plain @names in the terminal."""

    who: Callable[[str], str]
    inert: Callable[[str], str]
    bold: Callable[[str], str]
    aside: Callable[[str], str]


SLACK = Voice(who=user_mention, inert=defuse, bold="*{}*".format, aside="_{}_".format)


def _same(text: str) -> str:
    return text


def plain_voice(names: dict[str, str]) -> Voice:
    return Voice(who=lambda uid: "@" + names.get(uid, uid), inert=_same, bold=_same, aside=_same)


# --- wording shared by every form -----------------------------------------------------------


def week_span(digest: Digest) -> str:
    first, last = digest.week.monday, digest.week.sunday
    if digest.partial:
        last = digest.week.end.astimezone(ZoneInfo(digest.week.tz)).date()
    if first.month == last.month:
        return f"{first.day}–{last.day} {last:%b %Y}"
    return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"


def title(digest: Digest) -> str:
    so_far = " so far" if digest.partial else ""
    return f"Your team's week{so_far} in Delight — {digest.team_name}, {week_span(digest)}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def summary(digest: Digest, voice: Voice) -> str:
    people = len(digest.member_ids)
    average = _number(digest.average_count)
    history = f"last {AVERAGE_WEEKS} weeks: {average} a week on average"
    if digest.kudos_count == 0:
        return f"No recognitions yet for your {_plural(people, 'person', 'people')} ({history})."
    recognitions = voice.bold(_plural(digest.kudos_count, "recognition"))
    of_yours = voice.bold(
        f"{digest.recognised_count} of your {_plural(people, 'person', 'people')}"
    )
    return f"{recognitions} for {of_yours} ({history})."


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def text_bars(digest: Digest) -> str:
    """The chart as text: this week's bar, and the four-week average beside it."""
    top = max([e.this_week for e in digest.elements] + [e.average for e in digest.elements] + [1])
    width = max(len(ELEMENT_INFO[e.element].name) for e in digest.elements)
    lines = []
    for e in digest.elements:
        bar = "▇" * round(BAR_WIDTH * e.this_week / top) or "·"
        name = ELEMENT_INFO[e.element].name.ljust(width)
        lines.append(f"{name}  {bar.ljust(BAR_WIDTH)} {e.this_week:>3}  (avg {_number(e.average)})")
    return "\n".join(lines)


def _member_line(member: MemberWeek, voice: Voice, *, stories: int, excerpt: int) -> str:
    elements = ", ".join(
        f"{ELEMENT_INFO[e].name}" + (f" ×{n}" if n > 1 else "") for e, n in member.elements
    )
    head = f"• {voice.who(member.member_id)} — {voice.bold(str(len(member.received)))}"
    if elements:
        head += f" · {elements}"
    if member.endorsements:
        head += f" · {member.endorsements} ✨"
    lines = [head]
    for received in member.received[:stories]:
        lines.append("      " + _story(received, voice, excerpt))
    hidden = len(member.received) - stories
    if hidden > 0:
        lines.append("      " + voice.aside(f"and {_plural(hidden, 'more story', 'more stories')}"))
    return "\n".join(lines)


def _story(received: Received, voice: Voice, limit: int) -> str:
    lock = "🔒 " if received.private else ""
    text = voice.inert(shorten(" ".join(received.story.split()), limit))
    return f"{lock}“{text}” — {voice.who(received.giver_id)}"


def quiet_line(digest: Digest, voice: Voice, *, shown: int | None) -> str | None:
    if not digest.quiet:
        return None
    listed = digest.quiet if shown is None else digest.quiet[:shown]
    names = [voice.who(uid) for uid in listed]
    others = len(digest.quiet) - len(listed)
    if others:
        names.append(_plural(others, "other"))
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return (
        f"Nobody has recognised {joined} in the last {QUIET_DAYS} days — worth a closer look? "
        "Something good may have gone unnoticed."
    )


def most_endorsed_line(digest: Digest, voice: Voice) -> str | None:
    story = digest.most_endorsed
    if story is None:
        return None
    recipients = " and ".join(voice.who(uid) for uid in story.recipient_ids)
    text = voice.inert(shorten(" ".join(story.received.story.split()), EXCERPT))
    giver = voice.who(story.received.giver_id)
    endorsed = story.received.endorsements
    return f"{voice.bold('Most endorsed:')} {giver} → {recipients}, “{text}” ({endorsed} ✨)"


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
                f"Kudos by element, this week against the {AVERAGE_WEEKS}-week average: above."
            )
        )
    else:
        blocks.append(
            _section(
                f"*By element* (this week, and the {AVERAGE_WEEKS}-week average)\n"
                f"```{text_bars(digest)}```"
            )
        )
    shown = digest.recognised[:MEMBERS_SHOWN]
    if shown:
        blocks.append({"type": "divider"})
        lines = [_member_line(m, SLACK, stories=STORIES_SHOWN, excerpt=EXCERPT) for m in shown]
        more = digest.recognised_count - len(shown)
        if more:
            lines.append(f"_…and {_plural(more, 'more person', 'more people')} recognised._")
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
                        "text": {"type": "plain_text", "text": "See everyone"},
                        "value": full_list_value(digest),
                    }
                ],
            }
        )
    blocks.append(
        _context(
            "What colleagues recognised, in their words. 🔒 marks private recognition, "
            "shown only to the people it names and their managers."
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
        _member_line(m, SLACK, stories=len(m.received), excerpt=FULL_EXCERPT)
        for m in digest.recognised
    ]
    if line := quiet_line(digest, SLACK, shown=None):
        lines.append(line)
    if not lines:
        lines.append("Nobody in the team was recognised this week.")
    sections = [_section(text) for text in packed(lines)]
    pages = [sections[i : i + PAGE_BLOCKS] for i in range(0, len(sections), PAGE_BLOCKS)]
    messages = []
    for number, page in enumerate(pages, 1):
        label = f"{digest.team_name}, {week_span(digest)}: everyone"
        if len(pages) > 1:
            label += f" (part {number} of {len(pages)})"
        messages.append(Message(text=label, blocks=[_context(f"*{defuse(label)}*"), *page]))
    return messages


# --- the terminal ------------------------------------------------------------------------------


def digest_text(digest: Digest, names: dict[str, str]) -> str:
    """The whole digest as plain text (nothing left out): `python -m bot digest --dry-run`."""
    voice = plain_voice(names)
    lines = [title(digest), summary(digest, voice), "", text_bars(digest), ""]
    lines += [
        _member_line(m, voice, stories=len(m.received), excerpt=FULL_EXCERPT)
        for m in digest.recognised
    ]
    for extra in (most_endorsed_line(digest, voice), quiet_line(digest, voice, shown=None)):
        if extra:
            lines += ["", extra]
    return "\n".join(lines)
