"""What a refusal says where every platform says the same: the rules of giving (yourself, how
many, the story, the daily limit) and of taking back. Each adapter words the rest its own way
(who to @mention and how, its own commands) and falls back on these. Pure."""

from __future__ import annotations

from bot.core import errors
from bot.i18n import _, ngettext, number


def common_refusal(error: Exception) -> str | None:
    """The sentence every platform shows for `error`; None when the adapter words it."""
    match error:
        case errors.SelfRecognition():
            return _(
                "You can't recognise yourself — but you can recognise someone who helped you today!"
            )
        case errors.TooManyRecipients(count=count, limit=limit):
            return _(
                "That's {count} people; one recognition can name up to {limit}. "
                "Split it up, or name the few who made the difference."
            ).format(count=count, limit=limit)
        case errors.StoryMissing():
            return _(
                "Tell them what they did: a few words about the act make recognition "
                "mean something."
            )
        case errors.StoryTooShort():
            return _(
                "Say a little more about what they did: a few words about the act make "
                "recognition mean something."
            )
        case errors.StoryTooLong(length=length, limit=limit):
            return _("That's {length} characters; please keep it to {limit}.").format(
                length=number(length), limit=number(limit)
            )
        case errors.DailyLimitReached(limit=limit, remaining=0):
            return ngettext(
                "You've recognised {limit} person today, the daily limit here. "
                "Save this one for tomorrow: it'll mean just as much.",
                "You've recognised {limit} people today, the daily limit here. "
                "Save this one for tomorrow: it'll mean just as much.",
                limit,
            ).format(limit=limit)
        case errors.DailyLimitReached(limit=limit, remaining=remaining):
            return ngettext(
                "You can recognise {remaining} more person today (the daily limit is {limit}). "
                "Name fewer people, or save some for tomorrow.",
                "You can recognise {remaining} more people today (the daily limit is {limit}). "
                "Name fewer people, or save some for tomorrow.",
                remaining,
            ).format(remaining=remaining, limit=limit)
        case (
            errors.NothingToUndo(window_minutes=minutes)
            | errors.UndoWindowPassed(window_minutes=minutes)
        ):
            return ngettext(
                "Recognition can be withdrawn within {minutes} minute of sending it, and "
                "there's none that recent. If something needs to come down, ask a Delight admin.",
                "Recognition can be withdrawn within {minutes} minutes of sending it, and "
                "there's none that recent. If something needs to come down, ask a Delight admin.",
                minutes,
            ).format(minutes=minutes)
        case errors.KudosNotFound():
            return _("That recognition isn't there any more (it may have been withdrawn already).")
        case errors.NotYourKudos():
            return _("Only the person who gave a recognition can withdraw it.")
        case errors.DuplicateNomination():
            return _("That recognition was already sent.")
    return None


def unexplained_refusal() -> str:
    """For a refusal nobody words: still true, and still says what to do."""
    return _("Something about that didn't work; please check it and try again.")
