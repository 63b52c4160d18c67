"""The personal chat's cards: `home` (App Home as a card), the welcome, `help`, `me` and `top`.
Pure; every word translated."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.home import Home, MyStats, Period
from bot.core.model import Listed, Page, PersonStats, Ranked
from bot.core.tips import Tip
from bot.core.words import N_
from bot.i18n import _, ngettext, number
from handlers.msteams import adaptive, tip_cards
from handlers.msteams.adaptive import CardMessage, Part
from handlers.msteams.cards import (
    definition_quote,
    element_lines,
    element_meaning,
    element_name,
    remaining_words,
    slack_bold,
)
from handlers.msteams.settings_dialog import settings_button
from handlers.msteams.text import Names, inert, markdown_writer, plain, shorten

HOME_PAGE = 5  # kudos of each list on one card
STORY_IN_LIST = 300  # characters of a story in a list; the whole story is in the 1:1 message

# --- home ----------------------------------------------------------------------------------


def _when(listed: Listed) -> str:
    moment = listed.kudos.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({moment}, SHORT)}}}}"  # in the reader's own language and time zone


def _listed(item: Listed, names: Names, *, received: bool) -> list[Part]:
    kudos = item.kudos
    say = markdown_writer(names)
    meta = [
        _("From {person}").format(person=say.person(kudos.giver_id))
        if received
        else _("To {people}").format(people=say.people(kudos.recipient_ids)),
        _when(item),
    ]
    if kudos.elements:
        meta.append(", ".join(element_name(e) for e in kudos.elements))
    if item.endorsements:
        meta.append(
            ngettext(
                "{count} colleague saw it too", "{count} colleagues saw it too", item.endorsements
            ).format(count=number(item.endorsements))
        )
    if kudos.private:
        meta.append(_("🔒 private"))
    story = adaptive.quoted(inert(shorten(kudos.story, STORY_IN_LIST)))
    return [{**story, "spacing": "Medium"}, adaptive.small(" · ".join(meta))]


def _page(page: Page) -> tuple[tuple[Listed, ...], int | None]:
    """The kudos one card shows of a page, and where the next, older ones start."""
    shown = page.items[:HOME_PAGE]
    if len(page.items) > HOME_PAGE:
        return shown, shown[-1].kudos.id
    return shown, page.older


def _home_data(*, received: int | None, given: int | None) -> dict[str, int | None]:
    return {adaptive.RECEIVED: received, adaptive.GIVEN: given}


def _kudos_list(home: Home, names: Names, *, received: bool) -> list[Part]:
    page = home.received if received else home.given
    here = home.cursor.received_before if received else home.cursor.given_before
    title = _("Recognition you received") if received else _("Recognition you gave")
    shown, older = _page(page)
    parts: list[Part] = [{**adaptive.heading(title), "separator": True, "spacing": "Large"}]
    if not shown:
        parts.append(
            adaptive.small(
                _(
                    "Nothing yet. Recognition comes to those who delight customers — it will "
                    "be here."
                )
                if received
                else _("Nothing yet. Seen someone go the extra mile? Recognise them!")
            )
        )
    for item in shown:
        parts += _listed(item, names, received=received)
    other = home.cursor.given_before if received else home.cursor.received_before
    buttons = []
    if here is not None:
        data = (
            _home_data(received=None, given=other)
            if received
            else _home_data(received=other, given=None)
        )
        buttons.append(adaptive.execute(_("Newest"), adaptive.HOME, data))
    if older is not None:
        data = (
            _home_data(received=older, given=other)
            if received
            else _home_data(received=other, given=older)
        )
        buttons.append(adaptive.execute(_("Older →"), adaptive.HOME, data))
    if buttons:
        parts.append(adaptive.action_set(*buttons))
    return parts


def _week(home: Home, tip: Tip | None) -> list[Part]:
    element = home.element_of_week
    if element is None:
        return []
    parts = [
        {
            **adaptive.text(
                _("This week's element: **{element}** — {meaning}").format(
                    element=element_name(element), meaning=element_meaning(element)
                )
            ),
            "spacing": "Medium",
        }
    ]
    if tip is not None:  # an admin's own tip is user text too
        parts += [
            adaptive.text(f"**{inert(tip.title)}**", spacing="Small"),
            adaptive.text(inert(tip.body), spacing="Small"),
        ]
    if tip is None or tip.recognisable:
        parts.append(
            adaptive.action_set(
                adaptive.recognise_button(_("Recognise someone who did this"), element.value)
            )
        )
    return parts


def _about_you(home: Home) -> list[Part]:
    stats = home.stats
    return [
        {**adaptive.heading(_("What colleagues see in you")), "separator": True},
        adaptive.small(
            _("{received} received · {given} given · {seen} saw it too").format(
                received=number(stats.received),
                given=number(stats.given),
                seen=number(stats.endorsements_received),
            )
        ),
        *element_bars(stats),
    ]


def _announcements(home: Home) -> list[Part]:
    public = home.public_announcements
    said = (
        _("**Announcements about you**: on — recognition of you is announced in the channel.")
        if public
        else _("**Announcements about you**: off — recognition of you comes to you privately.")
    )
    toggle = adaptive.execute(
        _("Turn off public announcements") if public else _("Turn on public announcements"),
        adaptive.ANNOUNCEMENTS,
        {adaptive.PUBLIC: not public},
    )
    return [
        {**adaptive.text(said), "separator": True, "spacing": "Large"},
        adaptive.action_set(toggle),
    ]


def _admin(home: Home, names: Names) -> list[Part]:
    settings = home.settings
    channel = settings.recognition_channel_id
    facts = [
        (
            _("Recognition channel"),
            plain(names.conversation(channel)) if channel else _("where Delight is used"),
        ),
        (_("Daily limit"), number(settings.daily_limit)),
        (_("Element tag"), _("required") if settings.require_element else _("optional")),
        (_("Leaderboards"), _("on") if settings.leaderboard_enabled else _("off")),
    ]
    return [
        {**adaptive.heading(_("Admin")), "separator": True, "spacing": "Large"},
        # FactSet values are markdown too: the channel's name is made inert
        {"type": "FactSet", "facts": [{"title": t, "value": inert(v)} for t, v in facts]},
        *_paused_tips(home, names),
        adaptive.action_set(settings_button()),
    ]


def _paused_tips(home: Home, names: Names) -> list[Part]:
    """Each paused tip schedule, with why: a removal or a deleted channel shows here first."""
    return [
        adaptive.text(
            _("⏸️ Tips paused ({target}): {reason}").format(
                target=tip_cards.target_text(
                    schedule, {schedule.channel_id: names.conversation(schedule.channel_id)}
                ),
                reason=tip_cards.reason_text(schedule.paused_reason or ""),
            ),
            spacing="Small",
        )
        for schedule in home.paused_schedules
    ]


def home_card(home: Home, *, names: Names, tip: Tip | None = None) -> CardMessage:
    """`home`: the definition, the week's element and its latest tip, what's left today, what
    colleagues see in you, the recognition received and given (paged), and for admins the
    settings. `names`: the givers and recipients of the listed kudos, and the recognition
    channel."""
    body: list[Part] = [
        adaptive.heading("Delight"),  # the name, not the element (which Dutch translates)
        adaptive.text(definition_quote(), isSubtle=True, spacing="Small"),
        *_week(home, tip),
        {**adaptive.text(remaining_words(home.remaining_today)), "spacing": "Medium"},
        adaptive.action_set(adaptive.recognise_button("✨ " + _("Recognise someone"))),
        *_about_you(home),
        *_kudos_list(home, names, received=True),
        *_kudos_list(home, names, received=False),
        *_announcements(home),
    ]
    if home.is_admin:
        body += _admin(home, names)
    summary = " ".join(
        [
            _("Delight: your recognition."),
            remaining_words(home.remaining_today),
        ]
    )
    return adaptive.message(body, summary=summary)


# --- help and the welcome ----------------------------------------------------------------


def _uses() -> list[str]:
    return [
        _(
            "In a channel or group chat: **@Delight @Maria stayed after close to help a "
            "customer find a gift #voluntary #delight** recognises one or more people (up to "
            "10), with what they did and, if you like, the elements it showed."
        ),
        _("Here in our chat, the same without @Delight: **@Maria what they did #tag**."),
        slack_bold(
            _(
                "*Recognise with Delight* in a message's ⋯ menu: recognise the author of that "
                "message."
            )
        ),
        slack_bold(
            _(
                "Add `--private` to skip the public announcement: only the people you recognise "
                "are told (and their managers, in their weekly digest)."
            )
        ),
        _("**undo**: take back what you sent in the last 15 minutes."),
        _(
            "**me**: what you gave and received; **top** (**week**, **month**, **quarter** or "
            "**all**): the leaderboard, if your organisation has it on."
        ),
        _("**home**: the recognition you received and gave, and your elements."),
        _("**settings** (admins): the recognition channel, the daily limit and more."),
        _("**help**: this message."),
    ]


def help_card() -> CardMessage:
    """`help` in the personal chat: what Delight is, how to use it, the seven elements."""
    body = [
        adaptive.heading(
            slack_bold(_("*Delight* helps you recognise colleagues for exceptional service."))
        ),
        adaptive.text(definition_quote(), isSubtle=True),
        adaptive.text(slack_bold(_("*How to use it*")), spacing="Medium"),
        *(adaptive.text(f"• {use}", spacing="Small") for use in _uses()),
        adaptive.text(slack_bold(_("*The seven elements* (tags are optional):")), spacing="Medium"),
        *element_lines(),
    ]
    actions = [adaptive.recognise_button(_("Recognise someone"))]
    summary = _("*Delight* helps you recognise colleagues for exceptional service.").replace(
        "*", ""
    )
    return adaptive.message(body, actions, summary=summary)


def welcome_card() -> CardMessage:
    """The first message in a person's 1:1 chat with Delight."""
    body = [
        adaptive.heading(
            _("Hi, I'm Delight: I help you recognise colleagues for exceptional service.")
        ),
        adaptive.text(
            _(
                "Recognition here is about what a person did, not a score. It's built on one "
                "definition:"
            )
        ),
        adaptive.quoted(definition_quote()),
        adaptive.text(
            _("Its seven elements are what you can recognise someone for:"), spacing="Medium"
        ),
        *element_lines(),
        adaptive.text(
            _(
                "**To start**, mention **@Delight** in a channel with a colleague and what they "
                "did, choose **Recognise with Delight** in a message's ⋯ menu, or press the "
                "button below. Type **help** for everything I can do."
            ),
            spacing="Medium",
        ),
    ]
    actions = [adaptive.recognise_button(_("Recognise someone"))]
    summary = _("Hi, I'm Delight: I help you recognise colleagues for exceptional service.")
    return adaptive.message(body, actions, summary=summary)


# --- me and top --------------------------------------------------------------------------------


def element_bars(stats: PersonStats) -> list[Part]:
    """What colleagues see in a person: each element as a text bar, most frequent first."""
    if not stats.elements:
        return [
            adaptive.small(_("No elements yet: when colleagues tag what they saw, it shows here."))
        ]
    top = max(count for _element, count in stats.elements)
    return [
        adaptive.text(
            f"{'▇' * max(1, round(8 * count / top))} **{element_name(element)}** {number(count)}",
            spacing="None",
        )
        for element, count in stats.elements
    ]


def my_stats_card(mine: MyStats) -> CardMessage:
    """`me`: what a person gave and received, and what's left to give today."""
    stats = mine.stats
    left = _("{remaining} of {limit}").format(
        remaining=number(mine.remaining_today), limit=number(mine.daily_limit)
    )
    facts = [
        (_("Received"), number(stats.received)),
        (_("Given"), number(stats.given)),
        (_("Colleagues who saw it too"), number(stats.endorsements_received)),
        (_("Left to give today"), left),
    ]
    body = [
        adaptive.heading(_("Your Delight")),
        {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]},
        adaptive.text(_("What colleagues see in you"), weight="Bolder", spacing="Medium"),
        *element_bars(stats),
    ]
    summary = _("Your Delight: {received} received, {given} given, {left} left today.").format(
        received=number(stats.received), given=number(stats.given), left=left
    )
    return adaptive.message(body, summary=summary)


PERIOD_LABELS = {
    Period.WEEK: N_("the last 7 days"),
    Period.MONTH: N_("the last 30 days"),
    Period.QUARTER: N_("the last 91 days"),
    Period.ALL: N_("all time"),
}


def leaderboard_card(ranked: Sequence[Ranked], period: Period, *, names: Names) -> CardMessage:
    """`top`: who received the most public recognition in the period."""
    label = _(PERIOD_LABELS[period])
    if not ranked:
        summary = _("No public recognition in {period} yet.").format(period=label)
        return adaptive.message([adaptive.text(summary)], summary=summary)
    title = _("Recognition received, {period}").format(period=label)
    lines = [
        # "1\." : a ranking, not a markdown list that would renumber or indent it
        adaptive.text(
            f"{position}\\. {inert(names.person(r.user_id))} — {number(r.received)}",
            spacing="Small",
        )
        for position, r in enumerate(ranked, start=1)
    ]
    first = ranked[0]
    summary = f"{title}: 1. {plain(names.person(first.user_id))} — {number(first.received)}"
    return adaptive.message([adaptive.heading(title), *lines], summary=summary)


def top_usage() -> CardMessage:
    """`top` with a period Delight doesn't know."""
    said = _("Use **top week**, **top month**, **top quarter** or **top all**.")
    return adaptive.message([adaptive.text(said)], summary=said.replace("**", ""))
