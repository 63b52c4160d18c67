"""The database tables. Every row carries its workspace (team_id): queries are scoped by it.

A workspace id names its platform too: a Slack workspace's is its team id (T…/E…), a Teams
tenant's is `msteams:<tenant id>` (bot/core/workspaces.py), so two platforms' workspaces share
one database without ever sharing a key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Column, Field, SQLModel

from bot.core.workspaces import MAX_ID_LENGTH


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, aware UTC out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


WORKSPACE_ID = 64  # "msteams:" and a 36-character tenant GUID, with room to spare
PLATFORM_ID = MAX_ID_LENGTH  # people, channels, conversations, messages: Teams' run past 100
SERVICE_URL = 2048  # where Teams' Bot Connector answers for a tenant (longer ones are refused)

_ANNOUNCED = text("announcement_message_id IS NOT NULL")  # ix_kudos_announcement's condition


def _utc_column(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=False, **kwargs))


class KudosRow(SQLModel, table=True):
    __tablename__ = "kudos"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_kudos_request"),
        # A giver's kudos in time order, covering the daily-allowance sum and App Home's
        # "given" page and count: one index, so each new kudos writes one entry for its giver.
        Index(
            "ix_kudos_giver",
            "team_id",
            "giver_id",
            "created_at",
            "id",
            "recipient_count",
            "removed_at",
        ),
        Index("ix_kudos_team_created", "team_id", "created_at"),
        # Finds the kudos behind a reaction on its announcement. Partial: a new kudos (not
        # announced yet) writes no entry, and private ones never do.
        Index(
            "ix_kudos_announcement",
            "team_id",
            "announcement_message_id",
            "announcement_channel_id",
            sqlite_where=_ANNOUNCED,
            postgresql_where=_ANNOUNCED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=WORKSPACE_ID)
    giver_id: str = Field(max_length=PLATFORM_ID)
    story: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(max_length=16)
    request_key: str = Field(max_length=255)
    recipient_count: int
    origin_channel_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    source_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    announcement_channel_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    announcement_message_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    # No public announcement: the recipients' DMs and the manager digest only.
    private: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = _utc_column()
    # Withdrawn by the giver (undo) or removed by an admin: kept for the audit trail, but it
    # counts nowhere but in its giver's daily limit.
    removed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    removed_by: str | None = Field(default=None, max_length=PLATFORM_ID)


class KudosRecipientRow(SQLModel, table=True):
    __tablename__ = "kudos_recipient"
    __table_args__ = (
        # A person's standing kudos in time order: App Home's "received" page and counts and
        # the digest, from one index (one entry per recipient of a new kudos).
        Index(
            "ix_kudos_recipient_received",
            "team_id",
            "recipient_id",
            "removed",
            "created_at",
            "kudos_id",
        ),
        Index("ix_kudos_recipient_team_time", "team_id", "created_at"),  # leaderboards
    )

    kudos_id: int = Field(foreign_key="kudos.id", primary_key=True, ondelete="CASCADE")
    recipient_id: str = Field(primary_key=True, max_length=PLATFORM_ID)
    position: int  # the order the giver named them in
    team_id: str = Field(max_length=WORKSPACE_ID)
    created_at: datetime = _utc_column()  # copied from the kudos so "received" queries need no join
    # Copied from the kudos when it is removed, so "received" queries need no join.
    removed: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Where its DM went, so undo can take it back.
    dm_channel_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    dm_message_id: str | None = Field(default=None, max_length=PLATFORM_ID)


class KudosElementRow(SQLModel, table=True):
    __tablename__ = "kudos_element"

    kudos_id: int = Field(foreign_key="kudos.id", primary_key=True, ondelete="CASCADE")
    element: str = Field(primary_key=True, max_length=16)


class WorkspaceSettingsRow(SQLModel, table=True):
    """An admin's choices; NULL means the deployment's default."""

    __tablename__ = "workspace_settings"

    team_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    recognition_channel_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    daily_limit: int | None = Field(default=None)
    require_element: bool | None = Field(default=None)
    leaderboard_enabled: bool | None = Field(default=None)
    endorsement_reaction: str | None = Field(default=None, max_length=64)
    admin_ids: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # "U1,U2"
    language: str | None = Field(default=None, max_length=8)  # None: English
    default_timezone: str | None = Field(default=None, max_length=64)  # IANA; None: UTC
    updated_at: datetime = _utc_column()


class ProcessedEventRow(SQLModel, table=True):
    """Events already handled, so a Slack retry of the same event_id does nothing twice."""

    __tablename__ = "processed_event"

    team_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    event_id: str = Field(primary_key=True, max_length=PLATFORM_ID)
    received_at: datetime = _utc_column(index=True)


class TipScheduleRow(SQLModel, table=True):
    """An admin's tip schedule: where, which weekdays, what local time, in which zone."""

    __tablename__ = "tip_schedule"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=WORKSPACE_ID, index=True)
    channel_id: str = Field(max_length=PLATFORM_ID)
    owner_id: str = Field(max_length=PLATFORM_ID)  # the admin told when it cannot be delivered
    weekdays: str = Field(max_length=16)  # "0,1,2,3,4": Monday to Friday
    at: str = Field(max_length=5)  # "09:00", local to `timezone`
    timezone: str = Field(max_length=64)
    start_date: date
    paused: bool = False
    paused_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc_column()
    # "channel": post in it; "members": DM each of its members.
    mode: str = Field(
        default="channel", max_length=16, sa_column_kwargs={"server_default": "channel"}
    )
    # Nothing before this counts as missed: set when it is created, changed or resumed.
    counts_from: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class TipDeliveryRow(SQLModel, table=True):
    """The delivery ledger: one row per (schedule, occurrence), so no occurrence is ever sent
    twice, whatever restarts, misfires or second schedulers happen."""

    __tablename__ = "tip_delivery"
    __table_args__ = (
        UniqueConstraint("schedule_id", "occurrence", name="uq_tip_delivery_occurrence"),
        # An admin's "send now": the key its button carried, so a double click sends once.
        UniqueConstraint("schedule_id", "request_key", name="uq_tip_delivery_request"),
        Index("ix_tip_delivery_rotation", "schedule_id", "element", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="tip_schedule.id", ondelete="CASCADE")
    occurrence: datetime = _utc_column()
    element: str = Field(max_length=16)
    tip_id: str | None = Field(default=None, max_length=80)
    status: str = Field(max_length=16)  # sending, sent, skipped, failed
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    updated_at: datetime = _utc_column()
    request_key: str | None = Field(default=None, max_length=64)  # None: a scheduled occurrence


class TipDirectMessageRow(SQLModel, table=True):
    """For schedules that DM every member of a channel: one row per recipient of an
    occurrence, so a resumed or repeated fan-out never DMs anyone twice."""

    __tablename__ = "tip_direct_message"
    __table_args__ = (
        UniqueConstraint("delivery_id", "recipient_id", name="uq_tip_direct_message"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="tip_delivery.id", ondelete="CASCADE")
    team_id: str = Field(max_length=WORKSPACE_ID)
    recipient_id: str = Field(max_length=PLATFORM_ID)
    status: str = Field(max_length=16)  # sending, sent, failed
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = _utc_column()


class CustomTipRow(SQLModel, table=True):
    """A tip a workspace's admins wrote for one element."""

    __tablename__ = "tip_custom"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=WORKSPACE_ID, index=True)
    element: str = Field(max_length=16)
    title: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    enabled: bool = True
    author_id: str = Field(max_length=PLATFORM_ID)
    created_at: datetime = _utc_column()
    # The language it was written in (it exists in no other); NULL: English (before 0013).
    language: str | None = Field(default=None, max_length=8)


class DisabledTipRow(SQLModel, table=True):
    """A built-in tip a workspace's admins turned off."""

    __tablename__ = "tip_disabled"

    team_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    tip_id: str = Field(primary_key=True, max_length=80)
    disabled_at: datetime = _utc_column()


class KudosEndorsementRow(SQLModel, table=True):
    """'I saw it too': one per person per kudos, whether by button or by reaction."""

    __tablename__ = "kudos_endorsement"

    kudos_id: int = Field(foreign_key="kudos.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(primary_key=True, max_length=PLATFORM_ID)
    team_id: str = Field(max_length=WORKSPACE_ID)
    via: str = Field(max_length=16)  # button or reaction
    created_at: datetime = _utc_column()


class UserPreferenceRow(SQLModel, table=True):
    __tablename__ = "user_preference"

    team_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    user_id: str = Field(primary_key=True, max_length=PLATFORM_ID)
    public_announcements: bool = True  # False: kudos about me go by DM only
    updated_at: datetime = _utc_column()


class AuditLogRow(SQLModel, table=True):
    """Who changed a setting or removed a kudos, what, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_time", "team_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=WORKSPACE_ID)
    actor_id: str = Field(max_length=PLATFORM_ID)
    action: str = Field(max_length=64)
    detail: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    created_at: datetime = _utc_column()


class InstallationRow(SQLModel, table=True):
    """A workspace's installation of Delight (multi-workspace mode): its bot's credentials.
    The token columns hold Fernet ciphertext bound to the workspace when DELIGHT_ENCRYPTION_KEY
    is set (storage/token_cipher.py)."""

    __tablename__ = "installation"

    # Workspace IDs are unique across Slack, Enterprise Grid included; org-wide installs
    # (which have none) are not supported.
    team_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    enterprise_id: str | None = Field(default=None, max_length=32)
    is_enterprise_install: bool = False
    team_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    enterprise_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    enterprise_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    app_id: str | None = Field(default=None, max_length=32)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str = Field(max_length=32)
    bot_scopes: str = Field(sa_column=Column(Text, nullable=False))
    bot_token: str = Field(sa_column=Column(Text, nullable=False))
    bot_refresh_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    bot_token_expires_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    installer_id: str | None = Field(default=None, max_length=32)
    installed_at: datetime = _utc_column()
    # While set and in the future, one process is refreshing the token (see claim_refresh).
    refresh_lease_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class OAuthStateRow(SQLModel, table=True):
    """The `state` of an install in progress: issued by /slack/install, consumed once by the
    redirect back from Slack, so a forged or replayed redirect installs nothing."""

    __tablename__ = "oauth_state"

    state: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = _utc_column(index=True)


class ManagerTeamRow(SQLModel, table=True):
    """A team of people whose managers get a weekly digest (the domain's Team)."""

    __tablename__ = "manager_team"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_manager_team_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=WORKSPACE_ID)  # the workspace
    name: str = Field(max_length=80)
    created_by: str = Field(max_length=PLATFORM_ID)  # told when a digest cannot be delivered
    created_at: datetime = _utc_column()
    # Set while the team's digests are stopped because a place its members come from is gone
    # (Delight was removed from that Teams team); the workspace's own pause is digest_schedule's.
    paused_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ManagerTeamManagerRow(SQLModel, table=True):
    __tablename__ = "manager_team_manager"
    __table_args__ = (Index("ix_manager_team_manager_user", "team_id", "user_id"),)

    manager_team_id: int = Field(
        foreign_key="manager_team.id", primary_key=True, ondelete="CASCADE"
    )
    user_id: str = Field(primary_key=True, max_length=PLATFORM_ID)
    team_id: str = Field(max_length=WORKSPACE_ID)
    # Their Slack timezone, kept so the one-minute tick knows who is due without asking Slack;
    # refreshed when the team is saved and at each digest.
    tz: str | None = Field(default=None, max_length=64)


class ManagerTeamSourceRow(SQLModel, table=True):
    """Where a team's members come from: a person, a user group or a channel (the last two are
    read again at each digest)."""

    __tablename__ = "manager_team_source"

    manager_team_id: int = Field(
        foreign_key="manager_team.id", primary_key=True, ondelete="CASCADE"
    )
    kind: str = Field(primary_key=True, max_length=16)  # user, usergroup, channel
    ref_id: str = Field(primary_key=True, max_length=PLATFORM_ID)


class DigestScheduleRow(SQLModel, table=True):
    """A workspace's digest day and hour; no row means Monday 09:00 with charts."""

    __tablename__ = "digest_schedule"

    team_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    weekday: int  # 0 = Monday
    hour: int  # local to each manager
    charts: bool = True
    updated_at: datetime = _utc_column()
    # Set while the workspace's digests are stopped (Delight was removed from it).
    paused_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class DigestDeliveryRow(SQLModel, table=True):
    """The digest ledger: one row per (team, manager, week), claimed before anything is sent."""

    __tablename__ = "digest_delivery"
    __table_args__ = (
        UniqueConstraint("manager_team_id", "manager_id", "week", name="uq_digest_delivery"),
        Index("ix_digest_delivery_week", "week"),
    )

    id: int | None = Field(default=None, primary_key=True)
    manager_team_id: int = Field(foreign_key="manager_team.id", ondelete="CASCADE")
    manager_id: str = Field(max_length=PLATFORM_ID)
    week: str = Field(max_length=8)  # ISO week the digest covers, "2026-W47"
    status: str = Field(max_length=16)  # sending, sent, failed, retry, skipped
    attempts: int = 1
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    channel_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    message_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    updated_at: datetime = _utc_column()


class OutboxRow(SQLModel, table=True):
    """A message a stored kudos still owes (an announcement, a DM, the giver's receipt).
    Written in the kudos' own transaction; deleted in the one that records where it was
    posted. A row whose `next_attempt_at` is NULL was given up, with `last_error` saying why."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "next_attempt_at"),)

    kudos_id: int = Field(foreign_key="kudos.id", primary_key=True, ondelete="CASCADE")
    # announcement, dm, receipt; or plan: all three as usual (storage/outbox_rows.py)
    kind: str = Field(primary_key=True, max_length=16)
    target: str = Field(primary_key=True, max_length=PLATFORM_ID)  # the channel, or the person's id
    team_id: str = Field(max_length=WORKSPACE_ID)
    attempts: int = 0  # failed tries so far
    # Due from then on: another process leaves a delivery under way alone until it passes.
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc_column()


# --- Microsoft Teams: what its adapter must remember to speak (storage/msteams.py) -----------


class MsTeamsConversationRow(SQLModel, table=True):
    """A conversation Delight may post in: Teams gives no way to open one from its id alone,
    only the service URL it arrived from."""

    __tablename__ = "msteams_conversations"
    __table_args__ = (Index("ix_msteams_conversations_user", "workspace_id", "user_id"),)

    workspace_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    conversation_id: str = Field(primary_key=True, max_length=PLATFORM_ID)
    service_url: str = Field(max_length=SERVICE_URL)
    kind: str = Field(max_length=16)  # personal, channel, groupChat
    # The Teams team's 19: id when the conversation is one of its channels. Not `team_id`,
    # which names the workspace in every other table.
    msteams_team_id: str | None = Field(default=None, max_length=PLATFORM_ID)
    user_id: str | None = Field(default=None, max_length=PLATFORM_ID)  # personal: whose 1:1
    name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = _utc_column()
    # When the channel was deleted, or the person removed Delight from their 1:1 scope: nothing
    # is sent there (and a channel isn't offered) until it is restored or installed again.
    removed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class MsTeamsMemberRow(SQLModel, table=True):
    """The roster cache: a person's Entra id (the id Delight keeps) with their 29: member id,
    which mentions carry, and what the roster says of them."""

    __tablename__ = "msteams_members"
    __table_args__ = (
        Index("ix_msteams_members_member", "workspace_id", "member_id"),
        Index("ix_msteams_members_name", "workspace_id", "name_key"),
        Index("ix_msteams_members_first_name", "workspace_id", "first_name_key"),
    )

    workspace_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    user_id: str = Field(primary_key=True, max_length=PLATFORM_ID)  # Entra object id
    member_id: str = Field(max_length=PLATFORM_ID)  # 29:…
    name: str = Field(sa_column=Column(Text, nullable=False))
    # The name and first name casefolded in Python (SQLite's lower() folds ASCII only), so a
    # typed name finds them through an index on either database.
    name_key: str = Field(max_length=PLATFORM_ID)
    first_name_key: str = Field(max_length=PLATFORM_ID)
    email: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    locale: str | None = Field(default=None, max_length=35)  # BCP 47, "en-US"
    timezone: str | None = Field(default=None, max_length=64)  # IANA, "Europe/Paris"
    is_bot: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_at: datetime = _utc_column()


class MsTeamsTenantRow(SQLModel, table=True):
    """A tenant Delight is installed in, and where to reach it when no conversation says."""

    __tablename__ = "msteams_tenants"

    workspace_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    service_url: str = Field(max_length=SERVICE_URL)
    installed_by: str | None = Field(default=None, max_length=PLATFORM_ID)  # Entra object id
    updated_at: datetime = _utc_column()


class DigestChartRow(SQLModel, table=True):
    """A digest's chart, served at an unguessable address until it expires (Teams shows a
    card's image from a URL). In the database, not in a process's memory: the clock process
    draws it and any web process serves it."""

    __tablename__ = "digest_chart"
    __table_args__ = (Index("ix_digest_chart_expires", "expires_at"),)

    token: str = Field(primary_key=True, max_length=64)  # random, URL-safe
    workspace_id: str = Field(max_length=WORKSPACE_ID)
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _utc_column()
    expires_at: datetime = _utc_column()


class MsTeamsTeamRow(SQLModel, table=True):
    """A Teams team Delight was installed in: who installed it (an admin of Delight while it
    stays installed), whether it still is (removed_at), and whether it is archived (read only:
    nothing can be posted in its channels)."""

    __tablename__ = "msteams_teams"

    workspace_id: str = Field(primary_key=True, max_length=WORKSPACE_ID)
    msteams_team_id: str = Field(primary_key=True, max_length=PLATFORM_ID)  # the team's 19: id
    name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    service_url: str = Field(max_length=SERVICE_URL)
    installed_by: str | None = Field(default=None, max_length=PLATFORM_ID)  # Entra object id
    installed_at: datetime = _utc_column()
    removed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    archived_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    updated_at: datetime = _utc_column()
