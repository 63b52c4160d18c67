"""The steps every nomination shares, on every platform: typed names → people, give, deliver
in a turn of its own, and the person's answer (or how it failed), worded by the adapter."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.core import errors
from bot.core.kudos import KudosService
from bot.core.model import DeliveryReport, Given, Nomination
from bot.core.platform import Directory
from bot.turns import DeliveryTurns

logger = logging.getLogger(__name__)

Message = TypeVar("Message")
Message_co = TypeVar("Message_co", covariant=True)
Reply = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class UserRef:
    """A recipient as typed: the platform's id (from a real mention) or a plain @name."""

    user_id: str | None = None
    name: str | None = None


class Answers(Protocol[Message_co]):
    """How an adapter words a nomination's outcome for its platform."""

    @property
    def input_errors(self) -> tuple[type[Exception], ...]:
        """The adapter's own refusals of what was typed, answered like the core's."""
        ...

    @property
    def platform_errors(self) -> tuple[type[Exception], ...]:
        """The platform's API failing: "nothing was sent, try again in a minute"."""
        ...

    def confirmation(self, report: DeliveryReport, *, remaining_today: int) -> Message_co: ...

    def refusal(self, error: Exception, *, typed: str) -> Message_co:
        """A DelightError or one of `input_errors`: what happened and how to fix it."""
        ...

    def platform_trouble(self, error: Exception, *, typed: str) -> Message_co:
        """One of `platform_errors` (the adapter logs what it needs of it)."""
        ...

    def something_broke(self, *, typed: str) -> Message_co: ...


@dataclass(frozen=True, slots=True)
class NominationFlow(Generic[Message]):
    kudos: KudosService
    directory: Directory
    turns: DeliveryTurns  # how many deliveries run at once
    answers: Answers[Message]

    async def resolve(
        self, team_id: str, refs: Sequence[UserRef], *, giver_id: str
    ) -> tuple[str, ...]:
        """The recipients' ids, in the order typed, once each; plain @names are looked up,
        unless the giver's daily limit refuses them however the names turn out."""
        if any(ref.user_id is None for ref in refs):
            # Two names may be one person, so only the ids typed are surely different people.
            surely = len({ref.user_id for ref in refs if ref.user_id}) or 1
            await self.kudos.check_allowance(team_id, giver_id, requested=surely)
        ids: list[str] = []
        unknown: list[str] = []
        for ref in refs:
            if ref.user_id:
                ids.append(ref.user_id)
                continue
            assert ref.name is not None
            matches = await self.directory.ids_for_name(team_id, ref.name)
            if not matches:
                unknown.append("@" + ref.name)
            elif len(matches) > 1:
                raise errors.RecipientAmbiguous(name=ref.name, candidates=tuple(matches))
            else:
                ids.append(matches[0])
        if unknown:
            raise errors.RecipientUnknown(names=tuple(unknown))
        return tuple(dict.fromkeys(ids))

    def give(self, nomination: Nomination) -> Awaitable[Given]:
        return self.kudos.give(nomination)  # (awaited by the caller: no coroutine of its own)

    def deliver(self, given: Given, reply: Reply[Message]) -> None:
        """Post the kudos' messages, then tell the giver how it went, in a turn of its own
        (bot/turns.py); this returns at once, the kudos stored already."""
        self.turns.start(self._deliver_now(given, reply))

    async def _deliver_now(self, given: Given, reply: Reply[Message]) -> None:
        report = await self.kudos.deliver(given)
        try:
            await reply(self.answers.confirmation(report, remaining_today=given.remaining_today))
        except Exception:  # it is out: "please try again" would give it twice
            logger.exception("kudos %s delivered, but the giver was not told", given.kudos.id)

    async def attempt(
        self,
        work: Awaitable[Message | None],
        *,
        typed: Callable[[], str],
        reply: Reply[Message],
    ) -> None:
        """Run a nomination step and send the person, through `reply`, its answer, or how it
        failed (keeping what they typed: `typed()`, worked out only then). A repeat delivery
        gets nothing."""
        if (answer := await self._answer(work, typed=typed)) is not None:
            await reply(answer)

    async def _answer(
        self, work: Awaitable[Message | None], *, typed: Callable[[], str]
    ) -> Message | None:
        answers = self.answers
        refusals: tuple[type[Exception], ...] = (errors.DelightError, *answers.input_errors)
        try:
            return await work
        except errors.DuplicateNomination as repeat:
            logger.info("repeat of %s ignored", repeat.request_key)
            return None
        except refusals as refused:
            return answers.refusal(refused, typed=typed())
        except answers.platform_errors as trouble:
            return answers.platform_trouble(trouble, typed=typed())
        except Exception:
            logger.exception("nomination failed")
            return answers.something_broke(typed=typed())
