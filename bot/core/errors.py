"""Refusals the domain gives; handlers turn each into a friendly message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.platform import ChannelProblem


class DelightError(Exception):
    """Base for refusals a person can fix."""


@dataclass
class NoRecipients(DelightError):
    pass


@dataclass
class TooManyRecipients(DelightError):
    count: int
    limit: int


@dataclass
class SelfRecognition(DelightError):
    pass


@dataclass
class RecipientIsBot(DelightError):
    user_ids: tuple[str, ...]


@dataclass
class RecipientDeactivated(DelightError):
    user_ids: tuple[str, ...]


@dataclass
class RecipientUnknown(DelightError):
    """A name or id that matches nobody in the workspace."""

    names: tuple[str, ...]


@dataclass
class NameLookupUnavailable(DelightError):
    """A typed name could not be looked up in time: the workspace's directory is too large to
    search by name, or the platform is slow."""

    name: str


@dataclass
class RecipientAmbiguous(DelightError):
    name: str
    candidates: tuple[str, ...]


@dataclass
class StoryMissing(DelightError):
    pass


@dataclass
class StoryTooShort(DelightError):
    min_words: int
    min_chars: int


@dataclass
class StoryTooLong(DelightError):
    length: int
    limit: int


@dataclass
class DailyLimitReached(DelightError):
    limit: int
    remaining: int
    requested: int


@dataclass
class DuplicateNomination(DelightError):
    """The same delivery (trigger or event) was already turned into a kudos."""

    request_key: str


@dataclass
class NotAnAdmin(DelightError):
    """Only admins may do this."""


@dataclass
class ExportUnderWay(DelightError):
    """An export of this workspace is already being prepared: one at a time."""


@dataclass
class ElementRequired(DelightError):
    """This workspace asks every recognition to name at least one element."""


@dataclass
class NothingToUndo(DelightError):
    """No recognition of the giver's is recent enough to withdraw."""

    window_minutes: int


@dataclass
class UndoWindowPassed(DelightError):
    window_minutes: int


@dataclass
class KudosNotFound(DelightError):
    """No such kudos here (another workspace's, removed, or never one of ours)."""


@dataclass
class NotYourKudos(DelightError):
    """Only the giver may withdraw a recognition."""


@dataclass
class ReasonRequired(DelightError):
    """A moderator's removal needs a reason, for the audit log."""

    max_chars: int


@dataclass
class LeaderboardOff(DelightError):
    pass


@dataclass
class SettingsInvalid(DelightError):
    """Fields of the settings form that need fixing: field name → what to do."""

    problems: dict[str, str]


@dataclass
class ScheduleInvalid(DelightError):
    """Fields of the tip schedule form that need fixing: field name → what to do. When the
    platform refused the channel, `channel_problem` says why and the adapter words it."""

    problems: dict[str, str]
    channel_problem: ChannelProblem | None = None


@dataclass
class ScheduleNotFound(DelightError):
    """No such tip schedule in this workspace (deleted, or another workspace's)."""


@dataclass
class TooManySchedules(DelightError):
    limit: int


@dataclass
class TipInvalid(DelightError):
    """Fields of a custom tip that need fixing: field name → what to do."""

    problems: dict[str, str]


@dataclass
class TipNotFound(DelightError):
    """No such tip for this workspace."""


@dataclass
class LastTipOfElement(DelightError):
    """Turning this tip off would leave its element's week with nothing to send."""

    element_name: str
