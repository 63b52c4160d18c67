"""The Adaptive Cards of recognition on Teams: the announcement, the recipient's and the giver's
1:1 messages, refusals, help, the welcome, `me` and `top`. Pure; every word translated."""

from __future__ import annotations

import re
from datetime import UTC

from bot.core.elements import DEFINITION, DEFINITION_AUTHOR, ELEMENT_INFO, Element
from bot.core.model import (
    DeliveryReport,
    FailureReason,
    Kudos,
    NotPosted,
    Posted,
    Retraction,
    Withheld,
)
from bot.core.moderation import Retracted
from bot.core.words import N_
from bot.i18n import ENGLISH, _, current_language, ngettext, number
from bot.kudos_words import RETRACTED_ANNOUNCEMENT, RETRACTED_FOR_RECIPIENT
from handlers.msteams import adaptive
from handlers.msteams.adaptive import CardMessage, Part
from handlers.msteams.text import (
    Names,
    Writer,
    inert,
    markdown_writer,
    plain,
    plain_writer,
    shorten,
)

STORY_SHOWN = 4000  # the core keeps stories far shorter; this bounds a card whatever it keeps
SUMMARY_STORY = 150
TYPED_SHOWN = 2000  # of what a refused person typed
UNDO_MINUTES = 15


# --- the definition and its elements ----------------------------------------------------


def element_name(element: Element) -> str:
    return _(ELEMENT_INFO[element].name)


def element_meaning(element: Element) -> str:
    return _(ELEMENT_INFO[element].meaning)


def definition_quote() -> str:
    return f"_“{_(DEFINITION)}”_ — {DEFINITION_AUTHOR}"


def element_lines() -> list[Part]:
    """The seven elements, each with its tag and its one-line meaning."""
    return [
        adaptive.text(f"**{element_name(e)}** (#{e.value}): {element_meaning(e)}", spacing="Small")
        for e in Element
    ]


def slack_bold(text: str) -> str:
    """A message written for Slack (*bold*, `code`) in Teams' markdown (**bold**), so a sentence
    both adapters say keeps one translation."""
    return re.sub(r"\*([^*\n]+)\*|`([^`\n]+)`", lambda m: f"**{m.group(1) or m.group(2)}**", text)


# --- the announcement --------------------------------------------------------------------


def _headline(kudos: Kudos, say: Writer) -> str:
    return _("✨ {giver} recognised {recipients}").format(
        giver=say.person(kudos.giver_id), recipients=say.people(kudos.recipient_ids)
    )


def _story(kudos: Kudos) -> Part:
    return adaptive.quoted(inert(shorten(kudos.story, STORY_SHOWN)))


def _summary(headline: str, story: str) -> str:
    return f"{headline}: “{plain(shorten(story, SUMMARY_STORY))}”"


_SAFE_URL = re.compile(r"https://[^\s()\[\]<>\"'\\]+")


def _source_link(url: str | None) -> str | None:
    if not url or not _SAFE_URL.fullmatch(url):
        return None
    return "[{label}]({url})".format(label=_("the original message"), url=url)


def announcement(kudos: Kudos, *, names: Names, endorsements: int = 0) -> CardMessage:
    """The card in the recognition channel; re-sent (updated) with each new endorsement."""
    body = [adaptive.heading(_headline(kudos, markdown_writer(names))), _story(kudos)]
    if kudos.elements:
        body.append(adaptive.text(" · ".join(f"**{element_name(e)}**" for e in kudos.elements)))
        body += [adaptive.small(f"{element_name(e)}: {element_meaning(e)}") for e in kudos.elements]
    if link := _source_link(kudos.source_url):
        body.append(adaptive.small(_("About {link}").format(link=link)))
    seen = (
        _("✨ I saw it too · {count}").format(count=number(endorsements))
        if endorsements
        else _("✨ I saw it too")
    )
    actions = [
        adaptive.execute(seen, adaptive.ENDORSE, {adaptive.KUDOS_ID: kudos.id}, style="positive"),
        {
            **adaptive.open_dialog(_("Remove (admins)"), adaptive.REMOVE, kudos_id=kudos.id),
            "mode": "secondary",  # in the card's ⋯ menu
        },
    ]
    summary = _summary(_headline(kudos, plain_writer(names)), kudos.story)
    return adaptive.message(body, actions, summary=summary)


def _note(markdown: str) -> CardMessage:
    return adaptive.message([adaptive.text(markdown, isSubtle=True)], summary=markdown.strip("_"))


def retracted_announcement(how: Retraction) -> CardMessage:
    """What replaces the announcement once it is taken back: a short note, no story."""
    return _note(_(RETRACTED_ANNOUNCEMENT[how]))


def retracted_message(how: Retraction) -> CardMessage:
    """What replaces a recipient's 1:1 message once the recognition is taken back."""
    return _note(_(RETRACTED_FOR_RECIPIENT[how]))


# --- the recipient's 1:1 message -------------------------------------------------------------


def _recognised_you(kudos: Kudos, recipient_id: str, say: Writer) -> str:
    others = [uid for uid in kudos.recipient_ids if uid != recipient_id]
    if others:
        said = _("{giver} recognised you for something you did, together with {others}")
    else:
        said = _("{giver} recognised you for something you did")
    return said.format(giver=say.person(kudos.giver_id), others=say.people(others))


def _praise(elements: tuple[Element, ...]) -> str:
    if not elements:
        return _("Thank you for making someone's day a little better. 🙌")
    # English reads the names as adjectives ("**voluntary** service"); Dutch and French name
    # the elements as they are written everywhere else.
    lower = current_language() == ENGLISH
    shown = [f"**{n.lower() if lower else n}**" for n in map(element_name, elements)]
    together = (
        shown[0]
        if len(shown) == 1
        else _("{people} and {last}").format(people=", ".join(shown[:-1]), last=shown[-1])
    )
    praise = _(ELEMENT_INFO[elements[0]].praise)
    return _("That is {names} service: {praise}. 🙌").format(names=together, praise=praise)


def recipient_message(kudos: Kudos, recipient_id: str, *, names: Names) -> CardMessage:
    headline = _recognised_you(kudos, recipient_id, markdown_writer(names))
    body = [adaptive.text(headline + ":"), _story(kudos), adaptive.text(_praise(kudos.elements))]
    if link := _source_link(kudos.source_url):
        body.append(adaptive.small(_("About {link}").format(link=link)))
    body.append(adaptive.small(_("Type **home** to see all the recognition you received.")))
    summary = _summary(_recognised_you(kudos, recipient_id, plain_writer(names)), kudos.story)
    return adaptive.message(body, summary=summary)


# --- the giver's confirmation and later news ---------------------------------------------------

# Translated when shown (`_(...)`).
_ANNOUNCE_ADVICE = {
    FailureReason.NOT_IN_CHANNEL: N_(
        "I couldn't post in {channel}: Delight isn't added to that team. Ask a team owner to "
        "add it, or ask an admin to set another recognition channel."
    ),
    FailureReason.CHANNEL_NOT_FOUND: N_(
        "I can't post in that conversation. Ask an admin to set a recognition channel, or "
        "mention @Delight in a channel of a team that has it."
    ),
    FailureReason.ARCHIVED: N_(
        "{channel} is archived or deleted, so I couldn't announce it there. Ask an admin to set "
        "a new recognition channel."
    ),
    FailureReason.SERVICE_UNAVAILABLE: N_(
        "Teams didn't accept the announcement, even after retrying. It's saved; you can share "
        "the good news yourself."
    ),
}
_ANNOUNCE_LATER = N_(
    "Teams didn't accept the announcement just now, even after retrying. It's saved, and I'll "
    "post it in {channel} as soon as Teams takes it."
)
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def _error_code(detail: str) -> str:
    """Teams' error codes (`ConversationNotFound`) are shown; anything else is ours to keep."""
    return detail if _ERROR_CODE.fullmatch(detail) else _("an error on my side")


def _announcement_part(report: DeliveryReport, say: Writer, *, whole: bool) -> str | None:
    announced = report.announcement
    if report.withheld is Withheld.PRIVATE:
        return _("It's private: only they see it (and their managers, in the weekly digest).")
    if report.withheld is Withheld.RECIPIENT_PREFERS_DM:
        return ngettext(
            "It wasn't announced publicly: {people} prefers to be recognised privately.",
            "It wasn't announced publicly: {people} prefer to be recognised privately.",
            len(report.prefer_dm),
        ).format(people=say.people(report.prefer_dm))
    if report.withheld is Withheld.NO_CHANNEL or (whole and announced is None):
        return _("There's no recognition channel set, so it wasn't announced anywhere.")
    if not isinstance(announced, NotPosted):
        return None
    if announced.channel_id in report.retrying:
        advice = _ANNOUNCE_LATER
    else:
        advice = _ANNOUNCE_ADVICE.get(
            announced.reason, N_("I couldn't announce it ({detail}); it's saved all the same.")
        )
    return _(advice).format(
        channel=say.conversation(announced.channel_id), detail=_error_code(announced.detail)
    )


def _outcome_parts(report: DeliveryReport, say: Writer, *, whole: bool) -> list[str]:
    """What became of the announcement and the 1:1 messages, and what to do about what failed.
    `whole`: the report covers every message (no announcement then means none was due)."""
    parts = [p for p in [_announcement_part(report, say, whole=whole)] if p]
    failed = {uid: out for uid, out in report.direct_messages.items() if isinstance(out, NotPosted)}
    later = [uid for uid in failed if uid in report.retrying]
    # Teams refuses (403) a 1:1 with someone Delight isn't installed for, or who blocked it.
    refused = [
        uid
        for uid, out in failed.items()
        if uid not in report.retrying and out.reason is FailureReason.RECIPIENT_UNAVAILABLE
    ]
    lost = [uid for uid in failed if uid not in report.retrying and uid not in refused]
    if later:
        parts.append(
            _(
                "I couldn't send {people} a message yet: Teams isn't answering. I'll keep trying."
            ).format(people=say.people(later))
        )
    if refused:
        parts.append(
            _(
                "Teams didn't let me message {people}: Delight isn't installed for them, or they "
                "blocked it. To reach everyone, ask an admin to install Delight for everyone."
            ).format(people=say.people(refused))
        )
    if lost:
        parts.append(_("I couldn't send {people} a message.").format(people=say.people(lost)))
    if refused or lost:
        if isinstance(report.announcement, Posted):
            parts.append(_("They'll still see it where it's announced."))
        else:
            parts.append(_("You may want to tell them yourself."))
    return parts


def remaining_words(count: int) -> str:
    return ngettext(
        "You can recognise {count} more person today.",
        "You can recognise {count} more people today.",
        count,
    ).format(count=count)


def _confirmation_parts(report: DeliveryReport, remaining_today: int, say: Writer) -> list[str]:
    kudos = report.kudos
    failed = report.failed_dms
    reached = [uid for uid in kudos.recipient_ids if uid not in failed]
    announced = report.announcement
    parts: list[str] = []
    if report.deferred:  # the outbox delivers it, then tells the giver how it went
        parts.append(
            _(
                "Your recognition is saved. I have a lot to deliver right now, so {people} will "
                "hear about it within a minute or two, and I'll message you once it's out."
            ).format(people=say.people(kudos.recipient_ids))
        )
    elif reached and isinstance(announced, Posted):
        parts.append(
            ngettext(
                "Sent! {people} got a message from me, and it's posted in {channel}.",
                "Sent! {people} each got a message from me, and it's posted in {channel}.",
                len(reached),
            ).format(people=say.people(reached), channel=say.conversation(announced.channel_id))
        )
    else:
        parts.append(_("Your recognition is saved."))
        if reached:
            parts.append(_reached(reached, say))
        if isinstance(announced, Posted):
            parts.append(
                _("It's posted in {channel}.").format(
                    channel=say.conversation(announced.channel_id)
                )
            )
    if not report.deferred:
        parts += _outcome_parts(report, say, whole=True)
    parts.append(remaining_words(remaining_today))
    return parts


def _reached(people: list[str], say: Writer) -> str:
    return ngettext(
        "{people} got a message from me.", "{people} each got a message from me.", len(people)
    ).format(people=say.people(people))


def confirmation(
    report: DeliveryReport,
    *,
    remaining_today: int,
    names: Names,
    undo_minutes: int = UNDO_MINUTES,
) -> CardMessage:
    """The giver's receipt in their 1:1 chat: what happened, what to do about anything that
    didn't, what's left today, and Undo."""
    parts = _confirmation_parts(report, remaining_today, markdown_writer(names))
    body = [adaptive.text(part, spacing="Small") for part in parts]
    body.append(
        adaptive.small(
            ngettext(
                "You can undo it for {minutes} minute.",
                "You can undo it for {minutes} minutes.",
                undo_minutes,
            ).format(minutes=undo_minutes)
        )
    )
    undo = adaptive.execute(_("Undo"), adaptive.UNDO, {adaptive.KUDOS_ID: report.kudos.id})
    summary = " ".join(_confirmation_parts(report, remaining_today, plain_writer(names)))
    return adaptive.message(body, [undo], summary=summary)


def _delivery_parts(report: DeliveryReport, say: Writer) -> list[str]:
    kudos = report.kudos
    if say.markdown:  # Teams writes the date in the reader's own language and time zone
        moment = kudos.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        when = _("{day} at {time}").format(
            day=f"{{{{DATE({moment}, SHORT)}}}}", time=f"{{{{TIME({moment})}}}}"
        )
    else:
        when = _("earlier")
    parts = [
        _("About your recognition of {people} ({when}):").format(
            people=say.people(kudos.recipient_ids), when=when
        )
    ]
    if sent := [uid for uid, out in report.direct_messages.items() if isinstance(out, Posted)]:
        parts.append(_reached(sent, say))
    if isinstance(report.announcement, Posted):
        parts.append(
            _("It's posted in {channel}.").format(
                channel=say.conversation(report.announcement.channel_id)
            )
        )
    return parts + _outcome_parts(report, say, whole=False)


def delivery_update(report: DeliveryReport, *, names: Names) -> CardMessage:
    """A 1:1 message to the giver about a kudos delivered after its confirmation (or instead
    of it, when Delight stopped before confirming): what has now happened."""
    parts = _delivery_parts(report, markdown_writer(names))
    body = [adaptive.text(part, spacing="Small") for part in parts]
    summary = " ".join(_delivery_parts(report, plain_writer(names)))
    return adaptive.message(body, summary=summary)


def retraction_notice(done: Retracted, *, names: Names) -> CardMessage:
    """The answer to Undo (or `undo`), replacing the confirmation: what was taken back."""

    def said(say: Writer) -> str:
        if done.how is Retraction.WITHDRAWN:
            words = _(
                "Withdrawn: the recognition of {people}. Its announcement and messages now say "
                "it's no longer here, and it counts nowhere (it still takes its place in "
                "today's limit)."
            )
        else:
            words = _(
                "Removed: the recognition of {people}. Its announcement and messages now say "
                "it's no longer here, and it counts nowhere (it still takes its place in "
                "today's limit)."
            )
        return words.format(people=say.people(done.kudos.recipient_ids))

    return adaptive.message(
        [adaptive.text(said(markdown_writer(names)))], summary=said(plain_writer(names))
    )


# --- refusals ---------------------------------------------------------------------------------


def refusal(message: str, *, typed: str | None) -> CardMessage:
    """A refusal (our own markdown) that keeps what the person typed, so they can fix it and
    try again."""
    body = [adaptive.text(message)]
    summary = plain(message.replace("**", ""))
    if typed:
        label = _("Your text:")
        body += [
            adaptive.text(label, weight="Bolder", spacing="Medium"),
            adaptive.quoted(inert(shorten(typed, TYPED_SHOWN))),
        ]
        summary += f" {label} {plain(shorten(typed, 500))}"
    return adaptive.message(body, summary=summary)
