"""What each refusal says: what happened, and how to fix it."""

from __future__ import annotations

from bot.core import errors
from bot.core.elements import Element
from bot.core.platform import ChannelProblem
from bot.core.tip_delivery import MAX_MEMBERS_TO_DM
from handlers.slack.mrkdwn import escape, people_list
from handlers.slack.parsing import GroupMention, ParseError, UnknownDigestOption, UnknownTag

ALL_TAGS = " ".join(f"`#{e.value}`" for e in Element)

CHANNEL_PROBLEMS = {
    ChannelProblem.NOT_FOUND: (
        "I can't see that channel. If it's private, invite me first: type `/invite @Delight` "
        "in the channel, then save again."
    ),
    ChannelProblem.NOT_A_CHANNEL: "Pick a channel, not a direct message.",
    ChannelProblem.ARCHIVED: "That channel is archived: pick another, or unarchive it first.",
    ChannelProblem.NOT_A_MEMBER: (
        "I'm not in that private channel. Invite me with `/invite @Delight` in it, then save again."
    ),
    ChannelProblem.TOO_MANY_MEMBERS: (
        f"That channel has more than {MAX_MEMBERS_TO_DM:,} members: too many to DM one by "
        "one. Post in the channel instead."
    ),
    ChannelProblem.UNREACHABLE: "Slack didn't answer when I checked that channel: try again.",
}


def schedule_problems(invalid: errors.ScheduleInvalid) -> dict[str, str]:
    """Each field of the schedule form to fix → what to say, the channel's in Slack's words."""
    if invalid.channel_problem is None:
        return dict(invalid.problems)
    return {**invalid.problems, "channel": CHANNEL_PROBLEMS[invalid.channel_problem]}


def explain(error: errors.DelightError | ParseError) -> str:
    match error:
        case errors.SelfRecognition():
            return (
                "You can't recognise yourself — but you can recognise someone who helped you today!"
            )
        case errors.NoRecipients():
            return (
                "Who should I recognise? Start with their name, like "
                "`/delight @maria stayed late to help a customer`."
            )
        case errors.TooManyRecipients(count=count, limit=limit):
            return (
                f"That's {count} people; one recognition can name up to {limit}. "
                "Split it up, or name the few who made the difference."
            )
        case errors.RecipientIsBot(user_ids=ids):
            return f"{people_list(ids)} is a bot, and bots don't need recognition — people do."
        case errors.RecipientDeactivated(user_ids=ids):
            return f"{people_list(ids)} is no longer active in this workspace."
        case errors.RecipientUnknown(names=names):
            shown = ", ".join(escape(n) if n.startswith("@") else f"<@{n}>" for n in names)
            return (
                f"I couldn't find {shown} in this workspace. Pick them from the list as you "
                "type @, so Slack fills in the right person."
            )
        case errors.NameLookupUnavailable(name=name):
            return (
                f"I couldn't look up @{escape(name)} in time: this workspace's member list is "
                "large, or Slack is slow. Pick them from the list as you type @, so Slack fills "
                "in the right person, or try again in a minute."
            )
        case errors.RecipientAmbiguous(name=name, candidates=candidates):
            return (
                f"More than one person is called @{escape(name)}: {people_list(candidates)}. "
                "Pick the right one from the list as you type @."
            )
        case errors.StoryMissing():
            return (
                "Tell them what they did: a few words about the act make recognition "
                "mean something."
            )
        case errors.StoryTooShort():
            return (
                "Say a little more about what they did: a few words about the act make "
                "recognition mean something."
            )
        case errors.StoryTooLong(length=length, limit=limit):
            return f"That's {length:,} characters; please keep it to {limit:,}."
        case errors.DailyLimitReached(limit=limit, remaining=remaining):
            if remaining == 0:
                return (
                    f"You've recognised {limit} people today, the daily limit here. "
                    "Save this one for tomorrow: it'll mean just as much."
                )
            return (
                f"You can recognise {remaining} more {'person' if remaining == 1 else 'people'} "
                f"today (the daily limit is {limit}). Name fewer people, or save some for tomorrow."
            )
        case UnknownTag(tag=tag, suggestion=suggestion) if suggestion is not None:
            return (
                f"I don't know the tag #{escape(tag)}. Did you mean `#{suggestion.value}`? "
                f"Tags: {ALL_TAGS}"
            )
        case UnknownTag(tag=tag):
            return f"I don't know the tag #{escape(tag)}. Tags: {ALL_TAGS}"
        case GroupMention(label=label):
            return (
                f"I can only recognise people by name, not {escape(label)}. "
                "Name the colleagues who made the difference."
            )
        case errors.NotAnAdmin():
            return (
                "Only Delight admins can do that. Workspace admins and owners are Delight "
                "admins; ask one of them if something should change."
            )
        case errors.ExportUnderWay():
            return (
                "An export of this workspace is already being prepared; it goes to the DM of "
                "the admin who asked for it. Try again once it has arrived."
            )
        case errors.ElementRequired():
            return (
                "This workspace asks every recognition to name at least one element of "
                f"great service. Add a tag: {ALL_TAGS}"
            )
        case (
            errors.NothingToUndo(window_minutes=minutes)
            | errors.UndoWindowPassed(window_minutes=minutes)
        ):
            return (
                f"Recognition can be withdrawn within {minutes} minutes of sending it, and "
                "there's none that recent. If something needs to come down, ask a Delight admin."
            )
        case errors.KudosNotFound():
            return "That recognition isn't there any more (it may have been withdrawn already)."
        case errors.NotYourKudos():
            return "Only the person who gave a recognition can withdraw it."
        case errors.ReasonRequired(max_chars=limit):
            return f"Say briefly why it's being removed (up to {limit:,} characters)."
        case errors.LeaderboardOff():
            return (
                "Leaderboards are off in this workspace (many teams find they turn "
                "recognition into a contest). An admin can turn them on with `/delight admin`."
            )
        case errors.SettingsInvalid():
            return "Some settings need fixing: see the highlighted fields."
        case errors.ScheduleNotFound():
            return "That tip schedule isn't there any more (another admin may have deleted it)."
        case errors.TooManySchedules(limit=limit):
            return f"A workspace can have up to {limit} tip schedules: delete one first."
        case errors.ScheduleInvalid() | errors.TipInvalid():
            return "Some fields need fixing: see the highlighted ones."
        case errors.TipNotFound():
            return "That tip isn't there any more (another admin may have deleted it)."
        case errors.LastTipOfElement(element_name=name):
            return (
                f"That's the last {name} tip still on: {name} weeks would have nothing to send. "
                "Add or turn on another one first."
            )
        case UnknownDigestOption(option=option):
            return (
                f"I don't know `digest {escape(option)}`. Try `/delight digest` for your "
                "team's week so far, or `/delight digest last` for the last one I sent."
            )
        case errors.DuplicateNomination():
            return "That recognition was already sent."
    return "Something about that didn't work; please check it and try again."
