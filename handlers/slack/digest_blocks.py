"""How a manager's digest reads: the DM (Block Kit), the full list on request, and a plain
text form for the CLI. Pure. Within Slack's limits for a team of any size: the DM shows the
most recognised people and says how many more there are; the full list comes in pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.digest import AVERAGE_WEEKS, QUIET_DAYS, Digest, MemberWeek, Received
from bot.core.elements import ELEMENT_INFO, Element
from bot.i18n import _, days, decimal, ngettext, number
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
    return days(first, last)  # "16–22 Nov 2026", "16–22 nov. 2026"


def title(digest: Digest) -> str:
    line = (
        _("Your team's week so far in Delight — {team}, {week}")
        if digest.partial
        else _("Your team's week in Delight — {team}, {week}")
    )
    return line.format(team=digest.team_name, week=week_span(digest))


def _element_name(element: Element) -> str:
    return _(ELEMENT_INFO[element].name)


def summary(digest: Digest, voice: Voice) -> str:
    people = len(digest.member_ids)
    history = _("last {weeks} weeks: {average} a week on average").format(
        weeks=number(AVERAGE_WEEKS), average=decimal(digest.average_count)
    )
    if digest.kudos_count == 0:
        return ngettext(
            "No recognitions yet for your {count} person ({history}).",
            "No recognitions yet for your {count} people ({history}).",
            people,
        ).format(count=number(people), history=history)
    recognitions = voice.bold(
        ngettext("{count} recognition", "{count} recognitions", digest.kudos_count).format(
            count=number(digest.kudos_count)
        )
    )
    of_yours = voice.bold(
        ngettext(
            "{recognised} of your {count} person", "{recognised} of your {count} people", people
        ).format(recognised=number(digest.recognised_count), count=number(people))
    )
    return _("{recognitions} for {people} ({history}).").format(
        recognitions=recognitions, people=of_yours, history=history
    )


def text_bars(digest: Digest) -> str:
    """The chart as text: this week's bar, and the four-week average beside it."""
    top = max([e.this_week for e in digest.elements] + [e.average for e in digest.elements] + [1])
    width = max(len(_element_name(e.element)) for e in digest.elements)
    average = _("avg {average}")
    lines = []
    for e in digest.elements:
        bar = "▇" * round(BAR_WIDTH * e.this_week / top) or "·"
        name = _element_name(e.element).ljust(width)
        shown = average.format(average=decimal(e.average))
        lines.append(f"{name}  {bar.ljust(BAR_WIDTH)} {number(e.this_week):>3}  ({shown})")
    return "\n".join(lines)


def _member_line(member: MemberWeek, voice: Voice, *, stories: int, excerpt: int) -> str:
    elements = ", ".join(
        _element_name(e) + (f" ×{number(n)}" if n > 1 else "") for e, n in member.elements
    )
    head = f"• {voice.who(member.member_id)} — {voice.bold(number(len(member.received)))}"
    if elements:
        head += f" · {elements}"
    if member.endorsements:
        head += f" · {number(member.endorsements)} ✨"
    lines = [head]
    for received in member.received[:stories]:
        lines.append("      " + _story(received, voice, excerpt))
    hidden = len(member.received) - stories
    if hidden > 0:
        more = ngettext("and {count} more story", "and {count} more stories", hidden)
        lines.append("      " + voice.aside(more.format(count=number(hidden))))
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
        names.append(
            ngettext("{count} other", "{count} others", others).format(count=number(others))
        )
    joined = (
        names[0]
        if len(names) == 1
        else _("{people} or {last}").format(people=", ".join(names[:-1]), last=names[-1])
    )
    return _(
        "Nobody has recognised {people} in the last {days} days — worth a closer look? "
        "Something good may have gone unnoticed."
    ).format(people=joined, days=number(QUIET_DAYS))


def most_endorsed_line(digest: Digest, voice: Voice) -> str | None:
    story = digest.most_endorsed
    if story is None:
        return None
    names = [voice.who(uid) for uid in story.recipient_ids]
    recipients = (
        names[0]
        if len(names) == 1
        else _("{people} and {last}").format(people=", ".join(names[:-1]), last=names[-1])
    )
    text = voice.inert(shorten(" ".join(story.received.story.split()), EXCERPT))
    giver = voice.who(story.received.giver_id)
    endorsed = number(story.received.endorsements)
    return f"{voice.bold(_('Most endorsed:'))} {giver} → {recipients}, “{text}” ({endorsed} ✨)"


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
        lines = [_member_line(m, SLACK, stories=STORIES_SHOWN, excerpt=EXCERPT) for m in shown]
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
        _member_line(m, SLACK, stories=len(m.received), excerpt=FULL_EXCERPT)
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
