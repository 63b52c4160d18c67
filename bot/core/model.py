"""Plain data the domain works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.elements import Element
from bot.core.errors import DailyLimitReached


class Source(StrEnum):
    """Where a nomination came from; kept for the record and for stats."""

    COMMAND = "command"
    MODAL = "modal"
    SHORTCUT = "shortcut"
    MENTION = "mention"


@dataclass(frozen=True, slots=True)
class Person:
    """What the domain needs to know about a workspace member."""

    id: str
    name: str
    is_bot: bool = False
    deleted: bool = False
    tz: str | None = None
    is_admin: bool = False  # a workspace admin or owner on the chat platform
    locale: str | None = None  # the platform's locale for them ("nl-NL"); their language


@dataclass(frozen=True, slots=True)
class Nomination:
    """A request to recognise colleagues, as a person made it."""

    team_id: str
    giver_id: str
    recipient_ids: tuple[str, ...]
    story: str
    elements: tuple[Element, ...]
    source: Source
    request_key: str  # identifies the delivery (trigger or event id), so a repeat is recognised
    origin_channel_id: str | None = None
    source_url: str | None = None
    private: bool = False  # no public announcement: the recipients' DMs and digests only

    def stored_as(self, kudos_id: int, *, created_at: datetime) -> Kudos:
        """The kudos this nomination became once stored."""
        return Kudos(
            id=kudos_id,
            team_id=self.team_id,
            giver_id=self.giver_id,
            recipient_ids=self.recipient_ids,
            story=self.story,
            elements=self.elements,
            source=self.source,
            created_at=created_at,
            origin_channel_id=self.origin_channel_id,
            source_url=self.source_url,
            private=self.private,
        )


@dataclass(frozen=True, slots=True)
class Kudos:
    """A stored recognition."""

    id: int
    team_id: str
    giver_id: str
    recipient_ids: tuple[str, ...]
    story: str
    elements: tuple[Element, ...]
    source: Source
    created_at: datetime
    origin_channel_id: str | None = None
    source_url: str | None = None
    announcement: MessageRef | None = None  # where it was announced, once it was
    private: bool = False
    removed_at: datetime | None = None  # withdrawn by the giver or removed by an admin
    removed_by: str | None = None

    @property
    def involves(self) -> frozenset[str]:
        """The people a kudos is about or by: they cannot endorse it."""
        return frozenset((self.giver_id, *self.recipient_ids))


@dataclass(frozen=True, slots=True)
class DailyAllowance:
    """How many people a giver may still recognise today. Storage applies it in the same
    transaction as the insert, so concurrent nominations cannot together pass it."""

    limit: int
    since: datetime  # the start of the giver's own day

    def remaining_after(self, *, used: int, requested: int) -> int:
        remaining = max(self.limit - used, 0)
        if requested > remaining:
            raise DailyLimitReached(limit=self.limit, remaining=remaining, requested=requested)
        return remaining - requested


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    """What a workspace's admins chose, with the deployment's defaults filled in."""

    team_id: str
    recognition_channel_id: str | None
    daily_limit: int
    require_element: bool = False
    leaderboard_enabled: bool = False  # off by default: it can turn recognition into a contest
    endorsement_reaction: str | None = None  # None: the chat platform's own default
    admin_ids: tuple[str, ...] = ()  # named in settings, on top of the platform's own admins
    # What its channels read, and what people read whose own language Delight doesn't speak.
    language: str = "en"
    # Where people are whose own timezone the platform hasn't told Delight yet (None: UTC).
    default_timezone: str | None = None


class FailureReason(StrEnum):
    """Why a message could not be delivered, in terms a person can act on."""

    NOT_IN_CHANNEL = "not_in_channel"
    CHANNEL_NOT_FOUND = "channel_not_found"
    ARCHIVED = "archived"
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    SERVICE_UNAVAILABLE = "service_unavailable"
    TOO_MANY_MEMBERS = "too_many_members"  # a channel too big to DM each member of
    OTHER = "other"

    @property
    def transient(self) -> bool:
        """Worth trying again later (the platform is down or busy), unlike a refusal."""
        return self is FailureReason.SERVICE_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the chat platform accepted, as that platform names it: the conversation it
    is in and its id there. Opaque to the core; only the adapter that posted it reads it."""

    channel_id: str
    message_id: str


Posted = MessageRef  # a post's outcome, when the platform took it


@dataclass(frozen=True, slots=True)
class NotPosted:
    channel_id: str
    reason: FailureReason
    detail: str = ""
    retry_after: float | None = None  # seconds the platform asked us to wait (rate limits)


PostOutcome = Posted | NotPosted


class Retraction(StrEnum):
    """How a kudos was taken back."""

    WITHDRAWN = "withdrawn"  # by the giver
    REMOVED = "removed"  # by an admin


class Withheld(StrEnum):
    """Why a kudos was not announced publicly."""

    PRIVATE = "private"  # the giver chose so
    RECIPIENT_PREFERS_DM = "recipient_prefers_dm"  # a recipient opted out of announcements
    NO_CHANNEL = "no_channel"  # no recognition channel, and no channel it was given in


class NotificationKind(StrEnum):
    ANNOUNCEMENT = "announcement"  # in a channel
    DIRECT_MESSAGE = "dm"  # to a recipient
    RECEIPT = "receipt"  # the giver's confirmation


# Module names for the kinds, read for every kudos here and in bot/core/outbox.py: on Python
# 3.11 an Enum class's attribute is read through the generic, slower lookup.
ANNOUNCEMENT_KIND = NotificationKind.ANNOUNCEMENT
DIRECT_MESSAGE_KIND = NotificationKind.DIRECT_MESSAGE
RECEIPT_KIND = NotificationKind.RECEIPT


@dataclass(frozen=True, slots=True)
class Notification:
    """One message a stored kudos owes someone: an entry of the outbox, written in the same
    transaction as the kudos, so none is forgotten when a process dies."""

    kind: NotificationKind
    target: str  # the channel id of an announcement, else the person's user id


def notifications_of(
    giver_id: str, recipient_ids: tuple[str, ...], announce_in: str | None
) -> tuple[Notification, ...]:
    """Every message a kudos owes, in the order they are posted: its announcement (when it
    has a channel to go to), a DM to each recipient, and the giver's receipt."""
    owed = [Notification(DIRECT_MESSAGE_KIND, uid) for uid in recipient_ids]
    if announce_in:
        owed.insert(0, Notification(ANNOUNCEMENT_KIND, announce_in))
    owed.append(Notification(RECEIPT_KIND, giver_id))
    return tuple(owed)


@dataclass(frozen=True, slots=True)
class DeliveryPlan:
    """Who will be told about a kudos, decided in the transaction that stores it (a
    recipient's opt-out from public announcements is read there): `notifications_of`."""

    retry_from: datetime  # when another process may deliver what this one has not settled
    announce_in: str | None = None
    withheld: Withheld | None = None  # why announce_in is None
    prefer_dm: tuple[str, ...] = ()  # recipients who asked not to be announced publicly


@dataclass(frozen=True, slots=True)
class Given:
    """The outcome of a successful nomination."""

    kudos: Kudos
    remaining_today: int
    plan: DeliveryPlan

    @property
    def announce_in(self) -> str | None:
        return self.plan.announce_in

    @property
    def withheld(self) -> Withheld | None:
        return self.plan.withheld

    @property
    def prefer_dm(self) -> tuple[str, ...]:
        return self.plan.prefer_dm

    @property
    def notifications(self) -> tuple[Notification, ...]:
        kudos = self.kudos
        return notifications_of(kudos.giver_id, kudos.recipient_ids, self.plan.announce_in)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    kudos: Kudos
    announcement: PostOutcome | None  # None: withheld (see `withheld`)
    direct_messages: dict[str, PostOutcome] = field(default_factory=dict)
    withheld: Withheld | None = None
    prefer_dm: tuple[str, ...] = ()
    retrying: frozenset[str] = frozenset()  # channels and people whose message is retried
    deferred: bool = False  # nothing posted yet: too busy, left whole to the outbox

    @property
    def failed_dms(self) -> list[str]:
        return [uid for uid, out in self.direct_messages.items() if isinstance(out, NotPosted)]


@dataclass(frozen=True, slots=True)
class Listed:
    """A kudos as a list shows it: with how many colleagues endorsed it."""

    kudos: Kudos
    endorsements: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a person's kudos, newest first."""

    items: tuple[Listed, ...]
    older: int | None = None  # pass as `before` for the next, older page; None: no more


@dataclass(frozen=True, slots=True)
class PersonStats:
    received: int = 0
    given: int = 0
    endorsements_received: int = 0
    elements: tuple[tuple[Element, int], ...] = ()  # of kudos received, most frequent first


@dataclass(frozen=True, slots=True)
class Ranked:
    user_id: str
    received: int
