"""App Home, `/delight me` and the leaderboard, rendered. Pure."""

from __future__ import annotations

import json
from typing import Any

from bot.core.elements import DEFINITION_AUTHOR, Element
from bot.core.home import Home, HomeCursor, MyStats, Period
from bot.core.model import Listed, Page, PersonStats, Ranked
from bot.core.words import N_
from bot.i18n import _, ngettext, number
from handlers.slack import ids
from handlers.slack.blocks import (
    Message,
    button,
    context_block,
    definition,
    element_meaning,
    element_name,
    element_names,
    endorsement_emoji,
    section,
    text_message,
)
from handlers.slack.mrkdwn import escape, people_list, shorten, user_mention

Block = dict[str, Any]
STORY_IN_LIST = 600  # characters of a story shown in a list; the full story is in the DM
VIEW_BLOCK_LIMIT = 100


def cursor_value(cursor: HomeCursor) -> str:
    return json.dumps(
        {"r": cursor.received_before, "g": cursor.given_before, "e": cursor.show_elements}
    )


def read_cursor(value: object) -> HomeCursor:
    """A button's cursor; anything odd means the first pages (it travels through Slack)."""
    try:
        data = json.loads(value) if isinstance(value, str) and len(value) < 200 else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}

    def position(key: str) -> int | None:
        found = data.get(key)
        return found if isinstance(found, int) and 0 < found < 2**31 else None

    return HomeCursor(
        received_before=position("r"),
        given_before=position("g"),
        show_elements=data.get("e") is True,
    )


def _breakdown(stats: PersonStats) -> str:
    if not stats.elements:
        return _("No elements yet: when colleagues tag what they saw, it shows here.")
    top = max(count for _, count in stats.elements)
    lines = []
    for element, count in stats.elements:
        bar = "▇" * max(1, round(8 * count / top))
        lines.append(f"{bar} *{element_name(element)}* {number(count)}")
    return "\n".join(lines)


def _listed(item: Listed, *, received: bool) -> list[Block]:
    kudos = item.kudos
    who = (
        _("From {giver}").format(giver=user_mention(kudos.giver_id))
        if received
        else _("To {recipients}").format(recipients=people_list(kudos.recipient_ids))
    )
    meta = [
        who,
        f"<!date^{int(kudos.created_at.timestamp())}^{{date_short}}|{kudos.created_at:%Y-%m-%d}>",
    ]
    if kudos.elements:
        meta.append(element_names(kudos.elements))
    if item.endorsements:
        meta.append(
            ngettext("{count} saw it too", "{count} saw it too", item.endorsements).format(
                count=number(item.endorsements)
            )
        )
    if kudos.private:
        meta.append(_("🔒 private"))
    story = escape(shorten(kudos.story, STORY_IN_LIST)).replace("\n", "\n>")
    return [section(f">{story}"), context_block(" · ".join(meta))]


def _pager(page: Page, cursor: HomeCursor, *, received: bool) -> Block | None:
    here = cursor.received_before if received else cursor.given_before
    buttons: list[Block] = []
    if here is not None:
        newest = (
            HomeCursor(None, cursor.given_before, cursor.show_elements)
            if received
            else HomeCursor(cursor.received_before, None, cursor.show_elements)
        )
        buttons.append(
            button(_("Newest"), f"{ids.HOME_PAGE}_{len(buttons)}_{received}", cursor_value(newest))
        )
    if page.older is not None:
        older = (
            HomeCursor(page.older, cursor.given_before, cursor.show_elements)
            if received
            else HomeCursor(cursor.received_before, page.older, cursor.show_elements)
        )
        buttons.append(
            button(_("Older →"), f"{ids.HOME_PAGE}_{len(buttons)}_{received}", cursor_value(older))
        )
    return {"type": "actions", "elements": buttons} if buttons else None


def _kudos_section(title: str, page: Page, cursor: HomeCursor, *, received: bool) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    if not page.items:
        blocks.append(
            context_block(
                _(
                    "Nothing yet. Recognition comes to those who delight customers — "
                    "it will be here."
                )
                if received
                else _("Nothing yet. Seen someone go the extra mile? Recognise them!")
            )
        )
    for item in page.items:
        blocks += _listed(item, received=received)
    if pager := _pager(page, cursor, received=received):
        blocks.append(pager)
    return blocks


def _definition(show_elements: bool, cursor: HomeCursor) -> list[Block]:
    toggle = HomeCursor(cursor.received_before, cursor.given_before, not show_elements)
    blocks = [
        section(f"_“{definition()}”_ — {DEFINITION_AUTHOR}"),
    ]
    if show_elements:
        blocks.append(
            section(
                "\n".join(
                    f"*{element_name(e)}* (`#{e.value}`): {element_meaning(e)}" for e in Element
                )
            )
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                button(_("✨ Recognise someone"), ids.HOME_RECOGNISE, style="primary"),
                button(
                    _("Hide the seven elements")
                    if show_elements
                    else _("What the seven elements mean"),
                    ids.HOME_TOGGLE_ELEMENTS,
                    cursor_value(toggle),
                ),
            ],
        }
    )
    return blocks


def home_view(home: Home) -> Block:
    cursor = home.cursor
    status = [
        ngettext(
            "You can recognise *{count}* more person today.",
            "You can recognise *{count}* more people today.",
            home.remaining_today,
        ).format(count=number(home.remaining_today))
    ]
    if element := home.element_of_week:
        status.append(
            _("Element of the week: *{element}* — {meaning}").format(
                element=element_name(element), meaning=element_meaning(element)
            )
        )
    stats = home.stats
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Delight"}},
        *_definition(cursor.show_elements, cursor),
        section("\n".join(status)),
        {"type": "divider"},
        section(
            _(
                "*What colleagues see in you* — {received} received, {given} given, "
                "{endorsements} endorsements"
            ).format(
                received=number(stats.received),
                given=number(stats.given),
                endorsements=number(stats.endorsements_received),
            )
            + f"\n{_breakdown(stats)}"
        ),
        *_kudos_section(_("Recognition you received"), home.received, cursor, received=True),
        *_kudos_section(_("Recognition you gave"), home.given, cursor, received=False),
        {"type": "divider"},
        section(
            _(
                "*Announcements about you*: on — kudos about you are announced in the "
                "recognition channel."
            )
            if home.public_announcements
            else _("*Announcements about you*: off — kudos about you come by DM only.")
        ),
        {
            "type": "actions",
            "elements": [
                button(
                    _("Turn off public announcements")
                    if home.public_announcements
                    else _("Turn on public announcements"),
                    ids.HOME_PUBLIC,
                    "off" if home.public_announcements else "on",
                )
            ],
        },
    ]
    if home.is_admin:
        blocks += _admin_section(home)
    assert len(blocks) <= VIEW_BLOCK_LIMIT, "App Home outgrew Slack's 100 blocks"
    return {"type": "home", "blocks": blocks, "private_metadata": cursor_value(cursor)}


def _admin_section(home: Home) -> list[Block]:
    settings = home.settings
    channel = (
        f"<#{settings.recognition_channel_id}>"
        if settings.recognition_channel_id
        else _("where /delight is used")
    )
    summary = " · ".join(
        (
            _("Recognition channel: {channel}").format(channel=channel),
            _("daily limit {limit}").format(limit=number(settings.daily_limit)),
            _("element tag required") if settings.require_element else _("element tag optional"),
            _("leaderboards on") if settings.leaderboard_enabled else _("leaderboards off"),
            _("endorse with :{emoji}:").format(emoji=endorsement_emoji(settings)),
        )
    )
    return [
        {"type": "header", "text": {"type": "plain_text", "text": _("Admin")}},
        context_block(summary),
        {
            "type": "actions",
            "elements": [
                button(_("Workspace settings"), ids.HOME_SETTINGS),
                button(_("Tip schedules"), ids.HOME_TIPS),
                button(_("Manager teams & digests"), ids.OPEN_TEAMS),
            ],
        },
    ]


def my_stats_message(mine: MyStats) -> Message:
    stats = mine.stats
    text = (
        _(
            "*Your Delight*: {received} received · {given} given · {endorsements} endorsements "
            "on kudos about you · {remaining} of {limit} left to give today."
        ).format(
            received=number(stats.received),
            given=number(stats.given),
            endorsements=number(stats.endorsements_received),
            remaining=number(mine.remaining_today),
            limit=number(mine.daily_limit),
        )
        + f"\n{_breakdown(stats)}"
    )
    return text_message(text)


# Whole sentences per period (translated when shown): a language words each its own way.
_NO_RECOGNITION = {
    Period.WEEK: N_("No public recognition in the last 7 days yet."),
    Period.MONTH: N_("No public recognition in the last 30 days yet."),
    Period.QUARTER: N_("No public recognition in the last 91 days yet."),
    Period.ALL: N_("No public recognition yet."),
}
_LEADERBOARD_TITLE = {
    Period.WEEK: N_("*Recognition received, the last 7 days*"),
    Period.MONTH: N_("*Recognition received, the last 30 days*"),
    Period.QUARTER: N_("*Recognition received, the last 91 days*"),
    Period.ALL: N_("*Recognition received, all time*"),
}


def leaderboard_message(ranked: list[Ranked], period: Period) -> Message:
    if not ranked:
        text = _(_NO_RECOGNITION[period])
    else:
        lines = [
            f"{position}. {user_mention(r.user_id)} — {number(r.received)}"
            for position, r in enumerate(ranked, start=1)
        ]
        text = _(_LEADERBOARD_TITLE[period]) + "\n" + "\n".join(lines)
    return text_message(text)
