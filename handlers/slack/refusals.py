"""What each refusal says on Slack: what happened, and how to fix it (in the current language).
The rules every platform words alike are bot/refusal_words.py's."""

from __future__ import annotations

from bot.core import errors
from bot.core.elements import Element
from bot.core.platform import ChannelProblem
from bot.core.tip_delivery import MAX_MEMBERS_TO_DM
from bot.core.words import N_
from bot.i18n import _, ngettext, number, say
from bot.refusal_words import common_refusal, unexplained_refusal
from bot.tip_words import tip_refusal
from handlers.slack.mrkdwn import escape, people_list
from handlers.slack.parsing import GroupMention, ParseError, UnknownDigestOption, UnknownTag

ALL_TAGS = " ".join(f"`#{e.value}`" for e in Element)

# Translated when shown (`_(...)`): the language is the reader's, known only then.
CHANNEL_PROBLEMS = {
    ChannelProblem.NOT_FOUND: N_(
        "I can't see that channel. If it's private, invite me first: type `/invite @Delight` "
        "in the channel, then save again."
    ),
    ChannelProblem.NOT_A_CHANNEL: N_("Pick a channel, not a direct message."),
    ChannelProblem.ARCHIVED: N_("That channel is archived: pick another, or unarchive it first."),
    ChannelProblem.NOT_A_MEMBER: N_(
        "I'm not in that private channel. Invite me with `/invite @Delight` in it, then save again."
    ),
    ChannelProblem.TOO_MANY_MEMBERS: N_(
        "That channel has more than {limit} members: too many to DM one by "
        "one. Post in the channel instead."
    ),
    ChannelProblem.UNREACHABLE: N_("Slack didn't answer when I checked that channel: try again."),
}


def channel_problem(problem: ChannelProblem) -> str:
    return _(CHANNEL_PROBLEMS[problem]).format(limit=number(MAX_MEMBERS_TO_DM))


def schedule_problems(invalid: errors.ScheduleInvalid) -> dict[str, str]:
    """Each field of the schedule form to fix → what to say, the channel's in Slack's words."""
    problems = {field: say(problem) for field, problem in invalid.problems.items()}
    if invalid.channel_problem is None:
        return problems
    return {**problems, "channel": channel_problem(invalid.channel_problem)}


def explain(error: errors.DelightError | ParseError) -> str:
    match error:
        case errors.NoRecipients():
            return _(
                "Who should I recognise? Start with their name, like "
                "`/delight @maria stayed late to help a customer`."
            )
        case errors.RecipientIsBot(user_ids=ids):
            return ngettext(
                "{people} is a bot, and bots don't need recognition — people do.",
                "{people} are bots, and bots don't need recognition — people do.",
                len(ids),
            ).format(people=people_list(ids))
        case errors.RecipientDeactivated(user_ids=ids):
            return ngettext(
                "{people} is no longer active in this workspace.",
                "{people} are no longer active in this workspace.",
                len(ids),
            ).format(people=people_list(ids))
        case errors.RecipientUnknown(names=names):
            shown = ", ".join(escape(n) if n.startswith("@") else f"<@{n}>" for n in names)
            return _(
                "I couldn't find {names} in this workspace. Pick them from the list as you "
                "type @, so Slack fills in the right person."
            ).format(names=shown)
        case errors.NameLookupUnavailable(name=name):
            return _(
                "I couldn't look up @{name} in time: this workspace's member list is "
                "large, or Slack is slow. Pick them from the list as you type @, so Slack fills "
                "in the right person, or try again in a minute."
            ).format(name=escape(name))
        case errors.RecipientAmbiguous(name=name, candidates=candidates):
            return _(
                "More than one person is called @{name}: {people}. "
                "Pick the right one from the list as you type @."
            ).format(name=escape(name), people=people_list(candidates))
        case UnknownTag(tag=tag, suggestion=suggestion) if suggestion is not None:
            return _(
                "I don't know the tag #{tag}. Did you mean `#{suggestion}`? Tags: {tags}"
            ).format(tag=escape(tag), suggestion=suggestion.value, tags=ALL_TAGS)
        case UnknownTag(tag=tag):
            return _("I don't know the tag #{tag}. Tags: {tags}").format(
                tag=escape(tag), tags=ALL_TAGS
            )
        case GroupMention(label=label):
            return _(
                "I can only recognise people by name, not {label}. "
                "Name the colleagues who made the difference."
            ).format(label=escape(label))
        case errors.NotAnAdmin():
            return _(
                "Only Delight admins can do that. Workspace admins and owners are Delight "
                "admins; ask one of them if something should change."
            )
        case errors.ExportUnderWay():
            return _(
                "An export of this workspace is already being prepared; it goes to the DM of "
                "the admin who asked for it. Try again once it has arrived."
            )
        case errors.ElementRequired():
            return _(
                "This workspace asks every recognition to name at least one element of "
                "great service. Add a tag: {tags}"
            ).format(tags=ALL_TAGS)
        case errors.ReasonRequired(max_chars=limit):
            return _("Say briefly why it's being removed (up to {limit} characters).").format(
                limit=number(limit)
            )
        case errors.LeaderboardOff():
            return _(
                "Leaderboards are off in this workspace (many teams find they turn "
                "recognition into a contest). An admin can turn them on with `/delight admin`."
            )
        case errors.SettingsInvalid():
            return _("Some settings need fixing: see the highlighted fields.")
        case errors.ScheduleNotFound():
            return _("That tip schedule isn't there any more (another admin may have deleted it).")
        case errors.TooManySchedules(limit=limit):
            return _("A workspace can have up to {limit} tip schedules: delete one first.").format(
                limit=limit
            )
        case errors.ScheduleInvalid() | errors.TipInvalid():
            return _("Some fields need fixing: see the highlighted ones.")
        case errors.TipNotFound() | errors.LastTipOfElement():
            return tip_refusal(error) or ""
        case UnknownDigestOption(option=option):
            return _(
                "I don't know `digest {option}`. Try `/delight digest` for your "
                "team's week so far, or `/delight digest last` for the last one I sent."
            ).format(option=escape(option))
    return common_refusal(error) or unexplained_refusal()
