"""Slack listeners called directly, the way Bolt calls them, with fakes for Delight's services.

The end-to-end tests drive the running app over HTTP; these check one listener's translation
(Slack payload in → one service call → Slack answer out) in milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from slack_bolt.async_app import AsyncBoltContext

from bot.core import errors
from bot.core.elements import Element
from bot.core.endorsements import Endorsement, Outcome, Via
from bot.core.model import Kudos, MessageRef, Retraction, Source, WorkspaceSettings
from bot.core.moderation import Retracted
from bot.services import Services
from handlers.slack import commands, endorse, ids, moderation, oauth, views
from handlers.slack.context import SlackServices, with_services
from handlers.slack.parsing import Subcommand


@dataclass
class Recorded:
    """What a listener said back: ack's and respond's arguments, in order."""

    acks: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)

    async def ack(self, **kwargs: Any) -> None:
        self.acks.append(kwargs)

    async def respond(self, **kwargs: Any) -> None:
        self.responses.append(kwargs)


@dataclass
class Calls:
    """A fake service: every awaited method is recorded and answered by `answers`."""

    answers: dict[str, Any] = field(default_factory=dict)
    made: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            self.made.append((name, {"args": args, **kwargs}))
            answer = self.answers.get(name)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def context_with(*, team_id: str = "T0001", **parts: Any) -> AsyncBoltContext:
    """A request context whose services are the given fakes (others are absent)."""
    core = SimpleNamespace(
        recognition=SimpleNamespace(
            endorsements=parts.get("endorsements"),
            moderation=parts.get("moderation"),
            home=parts.get("home"),
        ),
        administration=SimpleNamespace(
            settings=parts.get("settings"),
            admins=parts.get("admins"),
            lifecycle=parts.get("lifecycle"),
        ),
    )
    services = SlackServices(
        core=cast(Services, core),
        flow=parts.get("flow"),  # type: ignore[arg-type]
        directory=parts.get("directory"),  # type: ignore[arg-type]
        clients=parts.get("clients"),  # type: ignore[arg-type]
    )
    context = AsyncBoltContext({"team_id": team_id})
    with_services(context, services)
    return context


def run(listener: Awaitable[None]) -> None:
    asyncio.run(cast(Any, listener))


def a_kudos(**changes: Any) -> Kudos:
    fields: dict[str, Any] = {
        "id": 7,
        "team_id": "T0001",
        "giver_id": "U0001",
        "recipient_ids": ("U0002",),
        "story": "stayed late to help a customer",
        "elements": (Element.VOLUNTARY,),
        "source": Source.COMMAND,
        "created_at": datetime(2026, 12, 1, tzinfo=UTC),
    }
    return Kudos(**(fields | changes))


def test_help_is_answered_in_the_ack_without_touching_any_service() -> None:
    said = Recorded()

    run(
        commands.handle_delight_command(
            ack=said.ack,  # type: ignore[arg-type]
            command={"text": "help", "team_id": "T0001", "user_id": "U0001"},
            respond=said.respond,  # type: ignore[arg-type]
            client=None,  # type: ignore[arg-type]
            context=context_with(),
        )
    )

    [ack] = said.acks
    assert ack["response_type"] == "ephemeral"
    assert "/delight @" in ack["text"]
    assert said.responses == []


def test_a_mistyped_tag_is_refused_in_the_ack_with_a_suggestion() -> None:
    said = Recorded()

    run(
        commands.handle_delight_command(
            ack=said.ack,  # type: ignore[arg-type]
            command={"text": "<@U0002> fixed the till #volutnary", "team_id": "T0001"},
            respond=said.respond,  # type: ignore[arg-type]
            client=None,  # type: ignore[arg-type]
            context=context_with(),
        )
    )

    [ack] = said.acks
    assert "#voluntary" in ack["text"]
    assert "/delight &lt;@U0002&gt; fixed the till #volutnary" in str(ack["blocks"])  # kept


def test_an_unknown_leaderboard_period_gets_the_usage() -> None:
    services = cast(SlackServices, SimpleNamespace(core=SimpleNamespace()))
    command = {"team_id": "T0001", "user_id": "U0001"}

    async def scenario() -> Any:
        return await commands.run_subcommand(
            services,
            Subcommand("top", "decade"),
            command,
            client=None,  # type: ignore[arg-type]
        )

    reply = asyncio.run(scenario())

    assert reply is not None
    assert "`/delight top week`" in reply.text


def test_the_endorse_button_tells_someone_who_already_endorsed() -> None:
    endorsements = Calls({"endorse_by_id": Endorsement(Outcome.ALREADY, 3)})
    said = Recorded()

    run(
        endorse.handle_endorse_button(
            ack=said.ack,  # type: ignore[arg-type]
            body={"team": {"id": "T0001"}, "user": {"id": "U0009"}},
            action={"value": "7"},
            respond=said.respond,  # type: ignore[arg-type]
            context=context_with(endorsements=endorsements),
        )
    )

    assert endorsements.made == [
        (
            "endorse_by_id",
            {"args": (), "team_id": "T0001", "kudos_id": 7, "user_id": "U0009", "via": Via.BUTTON},
        )
    ]
    [response] = said.responses
    assert "already" in response["text"]
    assert response["replace_original"] is False


def test_a_forged_endorse_button_value_is_ignored() -> None:
    endorsements = Calls()
    said = Recorded()

    run(
        endorse.handle_endorse_button(
            ack=said.ack,  # type: ignore[arg-type]
            body={"team": {"id": "T0001"}, "user": {"id": "U0009"}},
            action={"value": "7; DROP TABLE kudos"},
            respond=said.respond,  # type: ignore[arg-type]
            context=context_with(endorsements=endorsements),
        )
    )

    assert len(said.acks) == 1
    assert endorsements.made == []
    assert said.responses == []


def test_a_reaction_with_the_workspace_emoji_endorses_that_message() -> None:
    endorsements = Calls({"endorse_announcement": Endorsement(Outcome.ADDED, 1)})
    settings = Calls(
        {"get": WorkspaceSettings("T0001", None, 10, endorsement_reaction="raised_hands")}
    )
    event = {
        "user": "U0009",
        "reaction": "raised_hands::skin-tone-2",
        "item": {"type": "message", "channel": "C0001", "ts": "1700000000.000100"},
    }

    run(
        endorse.handle_reaction_added(
            event=event, context=context_with(endorsements=endorsements, settings=settings)
        )
    )

    [(method, call)] = endorsements.made
    assert method == "endorse_announcement"
    assert call["message"] == MessageRef("C0001", "1700000000.000100")
    assert (call["team_id"], call["user_id"], call["via"]) == ("T0001", "U0009", Via.REACTION)


def test_a_reaction_with_another_emoji_endorses_nothing() -> None:
    endorsements = Calls()
    settings = Calls({"get": WorkspaceSettings("T0001", None, 10)})  # the default: sparkles
    event = {
        "user": "U0009",
        "reaction": "thumbsup",
        "item": {"type": "message", "channel": "C0001", "ts": "1700000000.000100"},
    }

    run(
        endorse.handle_reaction_added(
            event=event, context=context_with(endorsements=endorsements, settings=settings)
        )
    )

    assert endorsements.made == []


def test_undo_replaces_the_confirmation_with_what_was_withdrawn() -> None:
    moderation_ = Calls({"undo": Retracted(a_kudos(), Retraction.WITHDRAWN)})
    said = Recorded()

    run(
        moderation.handle_undo_button(
            ack=said.ack,  # type: ignore[arg-type]
            body={"team": {"id": "T0001"}, "user": {"id": "U0001"}},
            action={"value": "7"},
            respond=said.respond,  # type: ignore[arg-type]
            context=context_with(moderation=moderation_),
        )
    )

    [response] = said.responses
    assert response["text"].startswith("Withdrawn")
    assert response["replace_original"] is True


def test_undo_too_late_is_refused_without_replacing_the_confirmation() -> None:
    moderation_ = Calls({"undo": errors.UndoWindowPassed(window_minutes=15)})
    said = Recorded()

    run(
        moderation.handle_undo_button(
            ack=said.ack,  # type: ignore[arg-type]
            body={"team": {"id": "T0001"}, "user": {"id": "U0001"}},
            action={"value": "7"},
            respond=said.respond,  # type: ignore[arg-type]
            context=context_with(moderation=moderation_),
        )
    )

    [response] = said.responses
    assert "15 minutes" in response["text"]
    assert response["replace_original"] is False


def test_a_refused_modal_nomination_shows_the_error_on_the_story_field() -> None:
    flow = Calls({"give": errors.StoryTooShort(min_words=3, min_chars=10)})
    said = Recorded()
    view = {
        "id": "V1",
        "private_metadata": "",
        "state": {
            "values": {
                ids.RECIPIENTS_BLOCK: {
                    ids.RECIPIENTS_ACTION: {"selected_users": ["U0002"]},
                },
                ids.STORY_BLOCK: {ids.STORY_ACTION: {"value": "thanks"}},
            }
        },
    }

    run(
        views.handle_nomination_submission(
            ack=said.ack,  # type: ignore[arg-type]
            body={"team": {"id": "T0001"}, "user": {"id": "U0001"}},
            view=view,
            client=None,  # type: ignore[arg-type]
            context=context_with(flow=flow, directory=Calls()),
        )
    )

    [ack] = said.acks
    assert ack["response_action"] == "errors"
    assert list(ack["errors"]) == [ids.STORY_BLOCK]
    [(_, call)] = flow.made
    assert call["args"][0].request_key == "view:V1"


def test_uninstalling_forgets_the_client_and_stops_the_workspace() -> None:
    forgotten: list[str] = []
    lifecycle = Calls()
    clients = SimpleNamespace(forget=forgotten.append)

    run(oauth.handle_app_uninstalled(context=context_with(lifecycle=lifecycle, clients=clients)))

    assert forgotten == ["T0001"]
    assert lifecycle.made == [("removed", {"args": ("T0001",)})]
