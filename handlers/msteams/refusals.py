"""What each refusal says in Teams: what happened and how to fix it, in the reader's language.

The rules every platform words alike are bot/refusal_words.py's; the rest say how it's done in
Teams (@mention or the people picker, `help` in the 1:1 chat).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core import errors
from bot.core.elements import Element
from bot.i18n import _, ngettext
from bot.refusal_words import common_refusal, unexplained_refusal
from bot.typed_text import ParseError, UnknownTag
from handlers.msteams.parsing import GroupMentioned

ALL_TAGS = " ".join(f"#{e.value}" for e in Element)
NameOf = Callable[[str], str]  # a person's display name, for an id the core gives back


def explain(error: errors.DelightError | ParseError, name_of: NameOf) -> str:
    match error:
        case errors.NoRecipients():
            return _(
                "Who should I recognise? @mention them first, like "
                "“@Delight @Maria stayed late to help a customer”, or pick them in the dialog."
            )
        case errors.RecipientIsBot(user_ids=ids):
            return ngettext(
                "{people} isn't a person I can recognise here: a bot, or someone outside this "
                "team. Recognition is for colleagues.",
                "{people} aren't people I can recognise here: bots, or people outside this "
                "team. Recognition is for colleagues.",
                len(ids),
            ).format(people=_names(ids, name_of))
        case errors.RecipientDeactivated(user_ids=ids):
            return ngettext(
                "{people} is no longer active in this workspace.",
                "{people} are no longer active in this workspace.",
                len(ids),
            ).format(people=_names(ids, name_of))
        case errors.RecipientUnknown(names=names):
            return _(
                "I couldn't find {names} here. @mention them so Teams fills in the right "
                "person, or pick them in the dialog."
            ).format(names=_names(names, name_of))
        case errors.NameLookupUnavailable(name=name) | errors.RecipientAmbiguous(name=name):
            return _(
                "More than one person could be @{name}, or I couldn't look them up in time. "
                "@mention them so Teams fills in the right person."
            ).format(name=name)
        case UnknownTag(tag=tag, suggestion=suggestion) if suggestion is not None:
            said = _("I don't know the tag #{tag}. Did you mean #{suggestion}? Tags: {tags}")
            return said.format(tag=tag, suggestion=suggestion.value, tags=ALL_TAGS)
        case UnknownTag(tag=tag):
            return _("I don't know the tag #{tag}. Tags: {tags}").format(tag=tag, tags=ALL_TAGS)
        case GroupMentioned(label=label):
            return _(
                "I can only recognise people by name, not {label}. "
                "Name the colleagues who made the difference."
            ).format(label=label)
        case errors.NotAnAdmin():
            return _(
                "Only Delight admins can do that: whoever installed Delight in a team, and the "
                "admins named in its settings. Ask one of them if something should change."
            )
        case errors.ElementRequired():
            return _(
                "This workspace asks every recognition to name at least one element of "
                "great service. Add a tag: {tags}"
            ).format(tags=ALL_TAGS)
        case errors.LeaderboardOff():
            return _(
                "Leaderboards are off in this workspace (many teams find they turn "
                "recognition into a contest). An admin can turn them on in the settings."
            )
    return common_refusal(error) or unexplained_refusal()


# Which dialog field a refusal is about, so the dialog shows it there.
FIELD_OF: dict[type[Exception], str] = {
    errors.NoRecipients: "people",
    errors.TooManyRecipients: "people",
    errors.SelfRecognition: "people",
    errors.RecipientIsBot: "people",
    errors.RecipientDeactivated: "people",
    errors.RecipientUnknown: "people",
    errors.StoryMissing: "story",
    errors.StoryTooShort: "story",
    errors.StoryTooLong: "story",
    errors.ElementRequired: "elements",
    errors.DailyLimitReached: "people",
}


def _names(ids: Sequence[str], name_of: NameOf) -> str:
    return ", ".join(name_of(i) for i in ids)
