"""How a manager's digest reads, whatever shows it: the title, the summary, each person's
line, who nobody recognised, the most endorsed story, and the whole digest as plain text for
the CLI. Each platform writes people and user text in its own `Voice` (Slack's mentions and
mrkdwn, Teams' names and card markdown). Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.digest import AVERAGE_WEEKS, QUIET_DAYS, Digest, MemberWeek, Received
from bot.core.elements import ELEMENT_INFO, Element
from bot.i18n import _, days, decimal, ngettext, number

MEMBERS_SHOWN = 10  # people in the DM itself; the rest are a click away
STORIES_SHOWN = 2  # stories per person in the DM
QUIET_SHOWN = 15
EXCERPT = 140
FULL_EXCERPT = 300
BAR_WIDTH = 12


@dataclass(frozen=True, slots=True)
class Voice:
    """How people and user text are written: each platform's mentions and inert markup,
    plain @names in the terminal."""

    who: Callable[[str], str]
    inert: Callable[[str], str]
    bold: Callable[[str], str]
    aside: Callable[[str], str]


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


def member_line(member: MemberWeek, voice: Voice, *, stories: int, excerpt: int) -> str:
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


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the terminal ------------------------------------------------------------------------------


def digest_text(digest: Digest, names: dict[str, str]) -> str:
    """The whole digest as plain text (nothing left out): `python -m bot digest --dry-run`."""
    voice = plain_voice(names)
    lines = [title(digest), summary(digest, voice), "", text_bars(digest), ""]
    lines += [
        member_line(m, voice, stories=len(m.received), excerpt=FULL_EXCERPT)
        for m in digest.recognised
    ]
    for extra in (most_endorsed_line(digest, voice), quiet_line(digest, voice, shown=None)):
        if extra:
            lines += ["", extra]
    return "\n".join(lines)
