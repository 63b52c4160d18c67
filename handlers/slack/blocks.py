"""Block Kit builders: every message Delight sends, with a plain-text fallback. Pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.core.elements import (
    DEFINITION,
    DEFINITION_AUTHOR,
    ELEMENT_INFO,
    Element,
    definition_word,
)
from bot.core.model import (
    DeliveryReport,
    FailureReason,
    Kudos,
    NotPosted,
    Posted,
    Retraction,
    Withheld,
    WorkspaceSettings,
)
from bot.core.platform import ChannelProblem
from bot.core.tips import Tip
from bot.core.words import N_
from bot.i18n import ENGLISH, _, current_language, ngettext
from bot.kudos_words import RETRACTED_ANNOUNCEMENT, RETRACTED_FOR_RECIPIENT
from handlers.slack import ids
from handlers.slack.mrkdwn import (
    channel_mention,
    defuse,
    escaped_excerpt,
    people_list,
    quote,
    quoted_chunks,
    shorten,
    user_mention,
)

Block = dict[str, Any]
SECTION_LIMIT = 3000
FALLBACK_STORY = 150


@dataclass(frozen=True, slots=True)
class Message:
    text: str  # what notifications and screen readers show
    blocks: list[Block]


def plain_text(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> Block:
    """A button; `style` is Slack's "primary" or "danger"."""
    found: Block = {"type": "button", "action_id": action_id, "text": plain_text(text)}
    if value:
        found["value"] = value
    if style:
        found["style"] = style
    return found


def section(text: str, *, verbatim: bool = False) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": verbatim}}


def context_block(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def text_message(text: str) -> Message:
    """A message that is one section of mrkdwn, its own fallback text."""
    return Message(text=text, blocks=[section(text)])


def story_sections(story: str) -> list[Block]:
    """The story as quoted, inert text; split so no section passes Slack's 3,000 limit."""
    return [section(piece, verbatim=True) for piece in quoted_chunks(story, SECTION_LIMIT)]


def element_name(element: Element) -> str:
    """The element's name in the current language (the core marks it, we translate it)."""
    return _(ELEMENT_INFO[element].name)


def element_meaning(element: Element) -> str:
    return _(ELEMENT_INFO[element].meaning)


def definition() -> str:
    return _(DEFINITION)


def element_names(elements: tuple[Element, ...]) -> str:
    return " · ".join(f"*{element_name(e)}*" for e in elements)


def _source_link(url: str | None) -> str | None:
    if not url or not url.startswith("https://") or any(c in url for c in "<>| \n"):
        return None
    return "<{url}|{label}>".format(url=url, label=_("the original message"))


DEFAULT_ENDORSEMENT_EMOJI = "sparkles"


def endorsement_emoji(settings: WorkspaceSettings) -> str:
    """The emoji whose reaction says "I saw it too": the admins' choice, or ✨."""
    return settings.endorsement_reaction or DEFAULT_ENDORSEMENT_EMOJI


def announcement(
    kudos: Kudos, *, endorsements: int = 0, emoji: str = DEFAULT_ENDORSEMENT_EMOJI
) -> Message:
    headline = _("✨ {giver} recognised {recipients}").format(
        giver=user_mention(kudos.giver_id), recipients=people_list(kudos.recipient_ids)
    )
    blocks = [section(headline), *story_sections(kudos.story)]
    details = []
    if kudos.elements:
        details.append(element_names(kudos.elements))
    if link := _source_link(kudos.source_url):
        details.append(_("About {link}").format(link=link))
    if details:
        blocks.append(context_block(*details))
    if kudos.elements:
        blocks.append(
            context_block(
                "\n".join(f"{element_name(e)}: {element_meaning(e)}" for e in kudos.elements)
            )
        )
    seen = (
        ngettext(
            ":{emoji}: {count} colleague saw it too",
            ":{emoji}: {count} colleagues saw it too",
            endorsements,
        ).format(emoji=emoji, count=endorsements)
        if endorsements
        else _("Saw it too? Click below or react with :{emoji}:").format(emoji=emoji)
    )
    blocks.append(context_block(seen))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"kudos_{kudos.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": ids.ENDORSE,
                    "text": {
                        "type": "plain_text",
                        "text": _(":{emoji}: I saw it too").format(emoji=emoji),
                        "emoji": True,
                    },
                    "value": str(kudos.id),
                },
                {
                    "type": "overflow",
                    "action_id": ids.KUDOS_MENU,
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": _("Remove (admins)")},
                            "value": f"remove:{kudos.id}",
                        }
                    ],
                },
            ],
        }
    )
    text = f"{headline}: “{defuse(shorten(kudos.story, FALLBACK_STORY))}”"
    return Message(text=text, blocks=blocks)


def retracted_announcement(how: Retraction) -> Message:
    text = _(RETRACTED_ANNOUNCEMENT[how])
    return Message(text=text, blocks=[context_block(text)])


def retracted_dm(how: Retraction) -> Message:
    text = _(RETRACTED_FOR_RECIPIENT[how])
    return Message(text=text, blocks=[context_block(text)])


def recipient_dm(kudos: Kudos, recipient_id: str) -> Message:
    others = [uid for uid in kudos.recipient_ids if uid != recipient_id]
    giver = user_mention(kudos.giver_id)
    if others:
        headline = _("{giver} recognised you for something you did, together with {others}")
    else:
        headline = _("{giver} recognised you for something you did")
    headline = headline.format(giver=giver, others=people_list(others))
    blocks = [section(headline + ":"), *story_sections(kudos.story)]
    if kudos.elements:
        praise = _(ELEMENT_INFO[kudos.elements[0]].praise)
        # English reads the names as adjectives ("*voluntary* service"); Dutch and French
        # name the elements as they are written everywhere else.
        lower = current_language() == ENGLISH
        names = [element_name(e) for e in kudos.elements]
        names = [f"*{n.lower() if lower else n}*" for n in names]
        together = (
            names[0]
            if len(names) == 1
            else _("{people} and {last}").format(people=", ".join(names[:-1]), last=names[-1])
        )
        blocks.append(
            section(
                _("That is {names} service: {praise}. 🙌").format(names=together, praise=praise)
            )
        )
    else:
        blocks.append(section(_("Thank you for making someone's day a little better. 🙌")))
    if link := _source_link(kudos.source_url):
        blocks.append(context_block(_("About {link}").format(link=link)))
    text = f"{headline}: “{defuse(shorten(kudos.story, FALLBACK_STORY))}”"
    return Message(text=text, blocks=blocks)


# Translated when shown (`_(...)`).
_ANNOUNCE_ADVICE = {
    FailureReason.NOT_IN_CHANNEL: N_(
        "I couldn't post in {channel} because I'm not a member there. Invite me with "
        "`/invite @Delight`, or ask an admin to set a recognition channel."
    ),
    FailureReason.CHANNEL_NOT_FOUND: N_(
        "I can't post in this conversation (I can only post in channels I've been invited to). "
        "Ask an admin to set a recognition channel, or use `/delight` in a channel."
    ),
    FailureReason.ARCHIVED: N_(
        "{channel} is archived, so I couldn't announce it there. Ask an admin to set a new "
        "recognition channel."
    ),
    FailureReason.SERVICE_UNAVAILABLE: N_(
        "Slack didn't accept the announcement, even after retrying. It's saved; "
        "you can share the good news yourself."
    ),
}
_ANNOUNCE_LATER = N_(
    "Slack didn't accept the announcement just now, even after retrying. It's saved, and "
    "I'll post it in {channel} as soon as Slack takes it."
)


def _outcome_parts(report: DeliveryReport, *, whole: bool) -> list[str]:
    """What became of the announcement and the DMs, and what to do about what failed.
    `whole`: the report covers every message (no announcement then means none was due)."""
    parts: list[str] = []
    announced = report.announcement
    if report.withheld is Withheld.PRIVATE:
        parts.append(
            _("It's private: only they see it (and their managers, in the weekly digest).")
        )
    elif report.withheld is Withheld.RECIPIENT_PREFERS_DM:
        parts.append(
            ngettext(
                "It wasn't announced publicly: {people} prefers recognition by DM.",
                "It wasn't announced publicly: {people} prefer recognition by DM.",
                len(report.prefer_dm),
            ).format(people=people_list(report.prefer_dm))
        )
    elif report.withheld is Withheld.NO_CHANNEL or (whole and announced is None):
        parts.append(_("There's no recognition channel set, so it wasn't announced anywhere."))
    elif isinstance(announced, NotPosted):
        if announced.channel_id in report.retrying:
            advice = _ANNOUNCE_LATER
        else:
            advice = _ANNOUNCE_ADVICE.get(
                announced.reason, N_("I couldn't announce it ({detail}); it's saved all the same.")
            )
        parts.append(
            _(advice).format(
                channel=channel_mention(announced.channel_id), detail=_error_code(announced.detail)
            )
        )
    later = [uid for uid in report.failed_dms if uid in report.retrying]
    lost = [uid for uid in report.failed_dms if uid not in report.retrying]
    if later:
        parts.append(
            _(
                "I couldn't send a DM to {people} yet: Slack isn't answering. I'll keep trying."
            ).format(people=people_list(later))
        )
    if lost:
        if isinstance(announced, Posted):
            lost_advice = _(
                "I couldn't send a DM to {people}; they'll still see it where it's announced."
            )
        else:
            lost_advice = _("I couldn't send a DM to {people}; you may want to tell them yourself.")
        parts.append(lost_advice.format(people=people_list(lost)))
    return parts


_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _error_code(detail: str) -> str:
    """Slack's error codes (`is_archived`) are shown; anything else is ours to keep."""
    return detail if _ERROR_CODE.fullmatch(detail) else _("an error on my side")


def confirmation(report: DeliveryReport, *, remaining_today: int) -> Message:
    """The giver's ephemeral receipt: what happened, and what to do about anything that didn't."""
    kudos = report.kudos
    dm_ok = [uid for uid in kudos.recipient_ids if uid not in report.failed_dms]
    parts: list[str] = []
    announced = report.announcement
    if report.deferred:  # the outbox delivers it, then DMs the giver how it went
        parts.append(
            _(
                "Your recognition is saved. I have a lot to deliver right now, so {people} will "
                "hear about it within a minute or two, and I'll DM you once it's out."
            ).format(people=people_list(kudos.recipient_ids))
        )
    elif dm_ok and isinstance(announced, Posted):
        parts.append(
            ngettext(
                "Sent! {people} will get a DM, and it's posted in {channel}.",
                "Sent! {people} will each get a DM, and it's posted in {channel}.",
                len(dm_ok),
            ).format(people=people_list(dm_ok), channel=channel_mention(announced.channel_id))
        )
    else:
        parts.append(_("Your recognition is saved."))
        if dm_ok:
            parts.append(
                ngettext("{people} got a DM.", "{people} got their DMs.", len(dm_ok)).format(
                    people=people_list(dm_ok)
                )
            )
        if isinstance(announced, Posted):
            parts.append(
                _("It's posted in {channel}.").format(channel=channel_mention(announced.channel_id))
            )
    if not report.deferred:
        parts.extend(_outcome_parts(report, whole=True))
    parts.append(
        ngettext(
            "You can recognise {count} more person today.",
            "You can recognise {count} more people today.",
            remaining_today,
        ).format(count=remaining_today)
    )
    text = " ".join(parts)
    undo = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": ids.UNDO,
                "text": {"type": "plain_text", "text": _("Undo")},
                "value": str(kudos.id),
                "confirm": {
                    "title": {"type": "plain_text", "text": _("Withdraw it?")},
                    "text": {
                        "type": "plain_text",
                        "text": _("The announcement and DMs will be replaced by a short note."),
                    },
                    "confirm": {"type": "plain_text", "text": _("Withdraw")},
                    "deny": {"type": "plain_text", "text": _("Keep it")},
                },
            }
        ],
    }
    return Message(text=text, blocks=[section(text), undo])


def delivery_update(report: DeliveryReport) -> Message:
    """A DM to the giver about a kudos delivered after its confirmation (or instead of it,
    when Delight stopped before confirming): what has now happened."""
    kudos = report.kudos
    # Slack writes the date in the reader's own language; only our words are translated.
    pattern = _("{day} at {time}").format(day="{date_short_pretty}", time="{time}")
    earlier = _("earlier")  # what a client shows that cannot write the date
    when = f"<!date^{int(kudos.created_at.timestamp())}^{pattern}|{earlier}>"
    parts = [
        _("About your recognition of {people} ({when}):").format(
            people=people_list(kudos.recipient_ids), when=when
        )
    ]
    sent = [uid for uid, out in report.direct_messages.items() if isinstance(out, Posted)]
    if sent:
        parts.append(
            ngettext("{people} got a DM.", "{people} got their DMs.", len(sent)).format(
                people=people_list(sent)
            )
        )
    if isinstance(report.announcement, Posted):
        parts.append(
            _("It's posted in {channel}.").format(
                channel=channel_mention(report.announcement.channel_id)
            )
        )
    parts.extend(_outcome_parts(report, whole=False))
    text = " ".join(parts)
    return Message(text=text, blocks=[section(text)])


def refusal(message: str, *, typed: str | None) -> Message:
    """A refusal that keeps what the person typed, so they can fix it and try again."""
    blocks = [section(message)]
    text = message
    if typed:
        shown = escaped_excerpt(typed, SECTION_LIMIT - 100)
        label = _("Your text:")
        blocks.append(section(f"{label}\n```{shown}```", verbatim=True))
        text += f"\n{label} {escaped_excerpt(typed, 500)}"
    return Message(text=text, blocks=blocks)


def help_message() -> Message:
    elements = "\n".join(
        f"• `#{e.value}` *{element_name(e)}*: {element_meaning(e)}" for e in Element
    )
    uses = "\n".join(
        "• " + line
        for line in (
            _(
                "`/delight @maria stayed after close to help a customer find a gift #voluntary "
                "#delight`: recognise one or more people (up to 10), with what they did and, "
                "if you like, the elements it showed."
            ),
            _("`/delight` or `/delight @maria`: open a form to write it."),
            _(
                "*Recognise with Delight* in a message's ⋯ menu: recognise the author of that "
                "message."
            ),
            _(
                "Add `--private` to skip the public announcement: only the people you recognise "
                "are told (and their managers, in their weekly digest)."
            ),
            _("`/delight undo`: take back what you sent in the last 15 minutes."),
            _(
                "`/delight me`: what you gave and received; "
                "`/delight top [week|month|quarter|all]`: the leaderboard, if your workspace "
                "has it on."
            ),
            _(
                "`/delight digest` (`digest last`): managers, your team's week so far (the last "
                "one sent)."
            ),
            _(
                "Admins: `/delight admin` (settings), `/delight admin export` (every recognition "
                "as a CSV file, in your DM), `/delight teams` (managers' teams and digests), "
                "`/delight tips` (tip schedules and tips), `/delight tips status`."
            ),
            _("`/delight help`: this message."),
        )
    )
    text = (
        _("*Delight* helps you recognise colleagues for exceptional service.")
        + f"\n\n_“{definition()}”_ — {DEFINITION_AUTHOR}\n\n"
        + _("*How to use it*")
        + f"\n{uses}\n\n"
        + _("*The seven elements* (tags are optional):")
        + f"\n{elements}"
    )
    return text_message(text)


# --- the nomination modal ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModalContext:
    """What the modal remembers between opening and submission (its private_metadata)."""

    channel_id: str | None = None
    message_channel_id: str | None = None
    message_ts: str | None = None

    def dump(self) -> str:
        fields = {
            "channel_id": self.channel_id,
            "message_channel_id": self.message_channel_id,
            "message_ts": self.message_ts,
        }
        return json.dumps({key: value for key, value in fields.items() if value})

    @classmethod
    def load(cls, raw: str | None) -> ModalContext:
        try:
            data = json.loads(raw or "{}")
        except (ValueError, RecursionError):  # it should be ours, but it travels through Slack
            return cls()
        if not isinstance(data, dict):
            return cls()

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and len(value) < 64 else None

        return cls(
            channel_id=text("channel_id"),
            message_channel_id=text("message_channel_id"),
            message_ts=text("message_ts"),
        )


def _element_option(element: Element) -> Block:
    info = ELEMENT_INFO[element]
    return {
        "text": {"type": "plain_text", "text": _(info.name)},
        "description": {"type": "plain_text", "text": _(info.meaning)},
        "value": element.value,
    }


def nomination_modal(
    *,
    context: ModalContext,
    recipients: tuple[str, ...] = (),
    story: str = "",
    elements: tuple[Element, ...] = (),
    quoted_message: str | None = None,
    private: bool = False,
) -> Block:
    recipients_input: Block = {
        "type": "multi_users_select",
        "action_id": ids.RECIPIENTS_ACTION,
        "placeholder": {"type": "plain_text", "text": _("Who went the extra mile?")},
        "max_selected_items": 10,
    }
    if recipients:
        recipients_input["initial_users"] = list(recipients[:10])
    story_input: Block = {
        "type": "plain_text_input",
        "action_id": ids.STORY_ACTION,
        "multiline": True,
        "max_length": 1000,
        "placeholder": {
            "type": "plain_text",
            "text": _("What did they do? Be specific: it's what makes recognition mean something."),
        },
    }
    if story:
        story_input["initial_value"] = story[:1000]
    elements_input: Block = {
        "type": "checkboxes",
        "action_id": ids.ELEMENTS_ACTION,
        "options": [_element_option(e) for e in Element],
    }
    if elements:
        elements_input["initial_options"] = [_element_option(e) for e in elements]
    private_option = {
        "text": {"type": "plain_text", "text": _("Private")},
        "description": {
            "type": "plain_text",
            "text": _("No public announcement: only they (and their managers) see it"),
        },
        "value": "private",
    }
    private_input: Block = {
        "type": "checkboxes",
        "action_id": ids.PRIVATE_ACTION,
        "options": [private_option],
    }
    if private:
        private_input["initial_options"] = [private_option]
    blocks: list[Block] = [
        context_block(f"_“{definition()}”_ — {DEFINITION_AUTHOR}"),
    ]
    if quoted_message:
        blocks.append(
            context_block(_("About this message:") + "\n" + quote(shorten(quoted_message, 500)))
        )
    blocks += [
        {
            "type": "input",
            "block_id": ids.RECIPIENTS_BLOCK,
            "label": {"type": "plain_text", "text": _("Who do you want to recognise?")},
            "element": recipients_input,
        },
        {
            "type": "input",
            "block_id": ids.STORY_BLOCK,
            "label": {"type": "plain_text", "text": _("What did they do?")},
            "element": story_input,
        },
        {
            "type": "input",
            "block_id": ids.ELEMENTS_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": _("Which elements did it show?")},
            "element": elements_input,
        },
        {
            "type": "input",
            "block_id": ids.PRIVATE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": _("Who sees it?")},
            "element": private_input,
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.NOMINATION_MODAL,
        "title": {"type": "plain_text", "text": _("Recognise someone")},
        "submit": {"type": "plain_text", "text": _("Send")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "private_metadata": context.dump(),
        "blocks": blocks,
    }


# --- tips ------------------------------------------------------------------------------------


def definition_highlighting(element: Element) -> str:
    """The definition, in the current language, with the element's word in bold."""
    text = definition()
    word = definition_word(element, current_language())
    start = text.rfind(f" {word}") + 1  # the last: "service client … un client"
    if start == 0:
        return text
    return f"{text[:start]}*{word}*{text[start + len(word) :]}"


def tip_message(tip: Tip, element: Element) -> Message:
    headline = _("💡 Element of the week: {element}").format(element=element_name(element))
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline}},
        context_block(f"{definition_highlighting(element)} — {DEFINITION_AUTHOR}"),
        # Defused: an admin's own tip is user text, and must not ping anyone either.
        section(f"*{defuse(tip.title)}*\n{defuse(tip.body)}"),
    ]
    # A private reflection (write down why your job exists) is nothing anyone could be seen
    # doing, so it goes without the button.
    if tip.recognisable:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.RECOGNISE_FROM_TIP,
                        "text": {
                            "type": "plain_text",
                            "text": _("Recognise someone who did this"),
                        },
                        "value": element.value,
                        "style": "primary",
                    }
                ],
            }
        )
    return Message(text=f"{headline}: {defuse(tip.title)}", blocks=blocks)


_PAUSE_ADVICE = {  # translated when shown
    FailureReason.NOT_IN_CHANNEL: N_(
        "I'm not a member of {channel}. Invite me with `/invite @Delight`"
    ),
    FailureReason.CHANNEL_NOT_FOUND: N_("I can't find {channel} (it may be private or deleted)"),
    FailureReason.ARCHIVED: N_("{channel} is archived"),
    FailureReason.TOO_MANY_MEMBERS: N_(
        "{channel} has grown too big to DM each member (post in the channel instead)"
    ),
}


def schedule_place_paused(channel_id: str, problem: ChannelProblem) -> Message:
    """Its channel was archived (it resumes when unarchived), Delight removed from it (it
    resumes when Delight is invited back), or else deleted (for good)."""
    channel = channel_mention(channel_id)
    if problem is ChannelProblem.ARCHIVED:
        text = _(
            "I've paused your Delight tip schedule for {channel}: the channel was archived. It "
            "resumes by itself once the channel is unarchived; or point it at another channel."
        )
    elif problem is ChannelProblem.NOT_A_MEMBER:
        text = _(
            "I've paused your Delight tip schedule for {channel}: I was removed from that "
            "private channel. It resumes by itself once someone there invites me back "
            "(`/invite @Delight`); or point it at another channel."
        )
    else:
        text = _(
            "I've paused your Delight tip schedule for {channel}: the channel was deleted. Point "
            "it at another channel to keep the tips coming."
        )
    return text_message(text.format(channel=channel))


def schedule_paused(channel_id: str, reason: FailureReason) -> Message:
    channel = channel_mention(channel_id)
    advice = _PAUSE_ADVICE.get(reason, N_("I couldn't post in {channel}"))
    text = _(
        "I've paused your Delight tip schedule for {channel}: {problem}. Once that's fixed, "
        "resume the schedule (or point it at another channel)."
    ).format(channel=channel, problem=_(advice).format(channel=channel))
    return text_message(text)
