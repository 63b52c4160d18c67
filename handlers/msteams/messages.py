"""Messages to Delight: `@Delight @Maria what she did #tag` in a channel or group chat, and
the same text or a command (`help`, `me`, `top`, `undo`, `home`, `settings`, `tips`) in its
1:1 chat.
Every answer goes to the sender's 1:1 chat."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence

from bot.core.home import Period
from bot.core.model import Nomination, Source
from bot.i18n import _
from bot.nomination import UserRef
from bot.typed_text import ParseError
from handlers.msteams import adaptive, cards
from handlers.msteams.adaptive import CardMessage
from handlers.msteams.answers import Answer, TeamsAnswers, send_answer
from handlers.msteams.context import TeamsServices
from handlers.msteams.digest_chat import show_digests
from handlers.msteams.home import home_answer
from handlers.msteams.home_card import help_card, leaderboard_card, my_stats_card, top_usage
from handlers.msteams.parsing import (
    AT_TAG,
    Command,
    Help,
    Mention,
    OpenDialog,
    TypedNomination,
    parse_message,
)
from handlers.msteams.settings_admin import settings_answer
from handlers.msteams.teams_admin import teams_answer
from handlers.msteams.tips_admin import tips_command
from handlers.msteams.turn import Turn


def as_typed(text: str) -> str:
    """What the person typed, as they saw it: mentions as @names."""
    shown = AT_TAG.sub(lambda m: "@" + html.unescape(m.group("label")), text)
    return html.unescape(" ".join(shown.split()))


async def on_message(
    services: TeamsServices,
    turn: Turn,
    text: str,
    mentions: Sequence[Mention],
    *,
    first_time: Callable[[], Awaitable[bool]],
) -> None:
    """`first_time()`: whether Teams delivers this message for the first time (it retries). A
    nomination needs no such look: its kudos is keyed by the activity, so a repeat is refused
    when it is stored (a write the kudos makes anyway)."""
    if turn.user_id is None:
        return  # another bot
    if not turn.personal and not any(m.member_id == turn.bot_id for m in mentions):
        return  # a channel message that wasn't for Delight
    giver = turn.user_id
    flow, messenger = services.flow, services.messenger

    def typed() -> str:
        return as_typed(text)

    async def reply(answer: Answer) -> None:
        await send_answer(messenger, turn.workspace, giver, answer)

    try:
        parsed = parse_message(text, mentions, bot_id=turn.bot_id)
    except ParseError as error:
        if await first_time():
            await reply(TeamsAnswers().refusal(error, typed=typed()))
        return
    if not isinstance(parsed, TypedNomination) and not await first_time():
        return

    async def work() -> Answer | None:
        match parsed:
            case Help():
                return Answer(lambda _names: help_card())
            case Command():
                return await run_command(services, turn, parsed)
            case OpenDialog(recipients=refs, private=private):
                ids = await _stable(services, turn, refs)
                return Answer(lambda _names: _dialog_button(ids, private=private))
            case TypedNomination():
                await _nominate(services, turn, parsed)
        return None

    await flow.attempt(work(), typed=typed, reply=reply)


async def _nominate(services: TeamsServices, turn: Turn, parsed: TypedNomination) -> None:
    assert turn.user_id is not None
    flow = services.flow
    refs = await _stable_refs(services, turn, parsed.recipients)
    recipients = await flow.resolve(turn.workspace, refs, giver_id=turn.user_id)
    given = await flow.give(
        Nomination(
            team_id=turn.workspace,
            giver_id=turn.user_id,
            recipient_ids=recipients,
            story=parsed.story,
            elements=parsed.elements,
            source=Source.COMMAND if turn.personal else Source.MENTION,
            request_key=f"msteams:{turn.activity_id}",
            origin_channel_id=None if turn.personal else turn.conversation_id,
            private=parsed.private,
        )
    )

    async def tell_giver(answer: Answer) -> None:
        await send_answer(services.messenger, turn.workspace, given.kudos.giver_id, answer)

    flow.deliver(given, tell_giver)


async def _stable_refs(
    services: TeamsServices, turn: Turn, refs: Sequence[UserRef]
) -> tuple[UserRef, ...]:
    mentioned = [ref.user_id for ref in refs if ref.user_id]
    stable = dict(
        zip(mentioned, await services.directory.stable_ids(turn.workspace, mentioned), strict=True)
    )
    return tuple(UserRef(user_id=stable[r.user_id]) if r.user_id else r for r in refs)


async def _stable(services: TeamsServices, turn: Turn, refs: Sequence[UserRef]) -> tuple[str, ...]:
    """The people named, as the dialog's people picker takes them (Entra ids), if known."""
    return tuple(
        ref.user_id
        for ref in await _stable_refs(services, turn, refs)
        if ref.user_id and not ref.user_id.startswith(("28:", "29:"))
    )


async def run_command(services: TeamsServices, turn: Turn, command: Command) -> Answer | None:
    assert turn.user_id is not None
    core, team_id, user_id = services.core, turn.workspace, turn.user_id
    match command.name:
        case "me":
            mine = await core.recognition.home.my_stats(team_id, user_id)
            return Answer(lambda _names: my_stats_card(mine))
        case "top":
            try:
                period = Period(command.argument or Period.MONTH)
            except ValueError:
                return Answer(lambda _names: top_usage())
            ranked = await core.recognition.home.leaderboard(team_id, period)
            return Answer(
                lambda names: leaderboard_card(ranked, period, names=names),
                people=tuple(r.user_id for r in ranked),
            )
        case "undo":
            done = await core.recognition.moderation.undo_latest(team_id=team_id, giver_id=user_id)
            return Answer(
                lambda names: cards.retraction_notice(done, names=names),
                people=tuple(done.kudos.involves),
            )
        case "home":
            return await home_answer(services, team_id, user_id)
        case "settings":
            return await settings_answer(services, turn)
        case "tips":
            return await tips_command(services, turn, command.argument)
        case "teams":
            return await teams_answer(services, turn)
        case "digest":
            await show_digests(services, turn, last=command.argument == "last")
            return None
    return None


def _dialog_button(people: tuple[str, ...], *, private: bool) -> CardMessage:
    """A message can't open a dialog in Teams: a card whose button does, with them in it."""
    said = _("Tell me what they did, and I'll take it from there.")
    button = adaptive.open_dialog(
        _("Recognise"), adaptive.NOMINATE, people=",".join(people), private=private
    )
    return adaptive.message([adaptive.text(said)], [button], summary=said)
