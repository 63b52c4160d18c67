"""How a manager's digest reads in Teams: the weekly card in their 1:1 chat (also `digest`), the
full list that **See everyone** answers with, and the word to a team's creator when Teams
refused the manager's 1:1. Pure. The sentences are every platform's (bot/digest_words.py);
people are named, since a card's text can't mention anyone."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.core.digest import AVERAGE_WEEKS, Digest, MemberWeek, Received
from bot.core.elements import ELEMENT_INFO
from bot.core.model import FailureReason
from bot.digest_words import (
    BAR_WIDTH,
    EXCERPT,
    FULL_EXCERPT,
    MEMBERS_SHOWN,
    QUIET_SHOWN,
    STORIES_SHOWN,
    Voice,
    most_endorsed_line,
    quiet_line,
    summary,
    title,
    week_span,
)
from bot.i18n import _, decimal, ngettext, number
from handlers.msteams import adaptive
from handlers.msteams.adaptive import CardMessage, Part
from handlers.msteams.text import Names, inert, plain, shorten

EVERYONE = "digest_everyone"  # Action.Execute verb; data {"team", "week", "partial"}
CARD_BUDGET = 24_000  # bytes of card JSON: under Teams' ~28 KB a message, with room to spare
LOCK = "🔒 "


def teams_voice(names: Names) -> Voice:
    return Voice(
        who=lambda uid: inert(names.person(uid)),
        inert=inert,
        bold="**{}**".format,
        aside="_{}_".format,
    )


def plain_voice(names: Names) -> Voice:
    def same(text: str) -> str:
        return text

    return Voice(who=lambda uid: plain(names.person(uid)), inert=plain, bold=same, aside=same)


def _inert_name(digest: Digest) -> Digest:
    """The digest with its team's name made inert, for the sentences that carry it."""
    return replace(digest, team_name=inert(digest.team_name))


def _bars(digest: Digest) -> Part:
    """This week's count per element and the average beside it: the chart, as facts."""
    top = max([e.this_week for e in digest.elements] + [e.average for e in digest.elements] + [1])
    facts = []
    for e in digest.elements:
        bar = "▇" * round(BAR_WIDTH * e.this_week / top) or "·"
        average = _("avg {average}").format(average=decimal(e.average))
        facts.append(
            {
                "title": _(ELEMENT_INFO[e.element].name),
                "value": f"{bar} {number(e.this_week)} ({average})",
            }
        )
    return {"type": "FactSet", "facts": facts}


def _chart(digest: Digest, chart_url: str | None) -> list[Part]:
    if chart_url is not None:
        alt = _(
            "Bar chart of the team's recognitions by element, this week against the "
            "{weeks}-week average."
        ).format(weeks=number(AVERAGE_WEEKS))
        return [{"type": "Image", "url": chart_url, "altText": alt, "size": "Stretch"}]
    heading = _("By element (this week, and the {weeks}-week average)").format(
        weeks=number(AVERAGE_WEEKS)
    )
    return [adaptive.text(heading, weight="Bolder", spacing="Medium"), _bars(digest)]


def _story(received: Received, voice: Voice, limit: int) -> Part:
    lock = LOCK if received.private else ""
    said = voice.inert(shorten(" ".join(received.story.split()), limit))
    return adaptive.text(
        f"{lock}“{said}” — {voice.who(received.giver_id)}", spacing="None", isSubtle=True
    )


def _member(member: MemberWeek, voice: Voice, *, stories: int, excerpt: int) -> list[Part]:
    elements = ", ".join(
        _(ELEMENT_INFO[e].name) + (f" ×{number(n)}" if n > 1 else "") for e, n in member.elements
    )
    head = f"{voice.bold(voice.who(member.member_id))} — {voice.bold(number(len(member.received)))}"
    if elements:
        head += f" · {elements}"
    if member.endorsements:
        head += f" · {number(member.endorsements)} ✨"
    parts = [adaptive.text(head, spacing="Medium")]
    parts += [_story(r, voice, excerpt) for r in member.received[:stories]]
    hidden = len(member.received) - stories
    if hidden > 0:
        more = ngettext("and {count} more story", "and {count} more stories", hidden)
        parts.append(adaptive.small(voice.aside(more.format(count=number(hidden)))))
    return parts


def _more_people(count: int) -> Part:
    return adaptive.small(
        ngettext(
            "_…and {count} more person recognised._",
            "_…and {count} more people recognised._",
            count,
        ).format(count=number(count))
    )


def _footer() -> Part:
    return adaptive.small(
        _(
            "What colleagues recognised, in their words. 🔒 marks private recognition, "
            "shown only to the people it names and their managers."
        )
    )


def everyone_data(digest: Digest) -> dict[str, object]:
    return {"team": digest.team_pk, "week": digest.week.label, "partial": digest.partial}


def anything_left_out(digest: Digest) -> bool:
    return (
        digest.recognised_count > MEMBERS_SHOWN
        or any(len(m.received) > STORIES_SHOWN for m in digest.recognised[:MEMBERS_SHOWN])
        or len(digest.quiet) > QUIET_SHOWN
    )


def _summary_line(digest: Digest, names: Names) -> str:
    plain_title = title(replace(digest, team_name=plain(digest.team_name)))
    return f"{plain_title}: {summary(digest, plain_voice(names))}"


def digest_card(digest: Digest, names: Names, *, chart_url: str | None) -> CardMessage:
    """The weekly card (and `digest`'s): the most recognised people, a click from everyone."""
    voice = teams_voice(names)
    shown_digest = _inert_name(digest)
    body: list[Part] = [
        adaptive.heading(title(shown_digest)),
        adaptive.text(summary(digest, voice)),
        *_chart(digest, chart_url),
    ]
    shown = digest.recognised[:MEMBERS_SHOWN]
    for member in shown:
        body += _member(member, voice, stories=STORIES_SHOWN, excerpt=EXCERPT)
    if more := digest.recognised_count - len(shown):
        body.append(_more_people(more))
    if line := most_endorsed_line(digest, voice):
        body.append(adaptive.text(line, spacing="Medium"))
    if line := quiet_line(digest, voice, shown=QUIET_SHOWN):
        body.append(adaptive.text(line, spacing="Medium"))
    body.append(_footer())
    actions = []
    if anything_left_out(digest):
        actions.append(adaptive.execute(_("See everyone"), EVERYONE, everyone_data(digest)))
    return adaptive.message(body, actions, summary=_summary_line(digest, names))


def full_list_card(digest: Digest, names: Names) -> CardMessage:
    """Everyone and every story of the week, in place of the digest clicked (its numbers with
    it, as text): as much as one Teams message holds."""
    voice = teams_voice(names)
    label = _("{team}, {week}: everyone").format(
        team=inert(digest.team_name), week=week_span(digest)
    )
    body: list[Part] = [
        adaptive.heading(label),
        adaptive.text(summary(digest, voice)),
        *_chart(digest, None),
    ]
    tail: list[Part] = []
    if line := most_endorsed_line(digest, voice):
        tail.append(adaptive.text(line, spacing="Medium"))
    if line := quiet_line(digest, voice, shown=None):
        tail.append(adaptive.text(line, spacing="Medium"))
    if not digest.recognised:
        tail.insert(0, adaptive.text(_("Nobody in the team was recognised this week.")))
    tail.append(_footer())
    used = _size(body) + _size(tail)
    for listed, member in enumerate(digest.recognised):
        parts = _member(member, voice, stories=len(member.received), excerpt=FULL_EXCERPT)
        if used + _size(parts) > CARD_BUDGET:
            body.append(_more_people(digest.recognised_count - listed))
            break
        body += parts
        used += _size(parts)
    plain_label = _("{team}, {week}: everyone").format(
        team=plain(digest.team_name), week=week_span(digest)
    )
    return adaptive.message(body + tail, summary=plain_label)


def _size(parts: list[Part]) -> int:
    return len(json.dumps(parts, ensure_ascii=False).encode())


def digest_undelivered(
    manager_id: str, digest: Digest, reason: FailureReason, names: Names
) -> CardMessage:
    """To the admin who made the team: the manager's digest could not reach them."""
    why = (
        _("Delight isn't installed for them, or they blocked it")
        if reason is FailureReason.RECIPIENT_UNAVAILABLE
        else _("Teams refused it ({code})").format(code=reason.value)
    )
    said = _(
        "I couldn't deliver the weekly digest for **{team}** to {manager}: {why}. If they no "
        "longer manage the team, take them off it with `teams`; otherwise they can add "
        "Delight in Teams and say `digest` to it."
    )
    text = said.format(
        team=inert(digest.team_name), manager=f"**{inert(names.person(manager_id))}**", why=why
    )
    summary_text = said.format(
        team=plain(digest.team_name), manager=plain(names.person(manager_id)), why=why
    ).replace("**", "")
    return adaptive.message([adaptive.text(text)], summary=summary_text)


def digest_place_paused(team_name: str, *, removed: bool) -> CardMessage:
    """To the admin who made the team of people: its digests stopped because Delight left a
    place its members are read from (`removed` from that Teams team, or else the place is
    gone). `team_name`: as the admin named it, plain."""
    if removed:
        said = _(
            "I've paused the weekly digests of **{team}**: its members are read from a team "
            "Delight was removed from. They resume by themselves once Delight is installed in "
            "that team again; or pick its members one by one with `teams`."
        )
    else:
        said = _(
            "I've paused the weekly digests of **{team}**: its members are read from a place "
            "that is gone. They resume by themselves if it comes back; or pick its members one "
            "by one with `teams`."
        )
    text = said.format(team=inert(team_name))
    return adaptive.message([adaptive.text(text)], summary=said.format(team=plain(team_name)))


def no_digest_yet(*, last: bool) -> CardMessage:
    said = (
        _("I haven't sent you a digest yet: they go out weekly to the managers of a team.")
        if last
        else _(
            "Digests go to the managers of a team, and you don't manage one yet. An admin "
            "can set up teams by saying `teams` to Delight."
        )
    )
    return adaptive.message([adaptive.text(said)], summary=said.replace("`", ""))
