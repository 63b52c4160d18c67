"""Scheduled work written straight into the database, for the scale-out tests: clock processes
find it due at once, whatever the platform (`workspace` is a Slack team or `msteams:<tenant>`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers import execute, query


def add_due_schedule(database_url: str, *, workspace: str, channel: str, owner: str) -> None:
    """A daily channel schedule whose occurrence five minutes ago is due (caught up at once)."""
    now = datetime.now(UTC)
    execute(
        database_url,
        "INSERT INTO tip_schedule (team_id, channel_id, owner_id, weekdays, at, timezone, "
        "start_date, paused, created_at, mode) VALUES (:workspace, :channel, :owner, "
        "'0,1,2,3,4,5,6', :at, 'UTC', :start, false, :created, 'channel')",
        workspace=workspace,
        channel=channel,
        owner=owner,
        at=(now - timedelta(minutes=5)).strftime("%H:%M"),
        start=(now - timedelta(days=1)).date(),
        created=now - timedelta(minutes=30),
    )


def schedule_digests_this_hour(database_url: str, *, workspace: str) -> None:
    """The workspace's digests go out today at this hour (UTC managers): due at once."""
    now = datetime.now(UTC)
    execute(
        database_url,
        "INSERT INTO digest_schedule (team_id, weekday, hour, charts, updated_at) "
        "VALUES (:workspace, :weekday, :hour, false, :now)",
        workspace=workspace,
        weekday=now.weekday(),
        hour=now.hour,
        now=now,
    )


def add_team(
    database_url: str, name: str, *, workspace: str, creator: str, manager: str, member: str
) -> None:
    """A team of people made yesterday by `creator`, with one member, its manager in UTC."""
    execute(
        database_url,
        "INSERT INTO manager_team (team_id, name, created_by, created_at) "
        "VALUES (:workspace, :name, :creator, :created)",
        workspace=workspace,
        name=name,
        creator=creator,
        created=datetime.now(UTC) - timedelta(days=1),
    )
    [row] = query(database_url, "SELECT id FROM manager_team WHERE name = :name", name=name)
    execute(
        database_url,
        "INSERT INTO manager_team_manager (manager_team_id, user_id, team_id, tz) "
        "VALUES (:pk, :manager, :workspace, 'UTC')",
        pk=row["id"],
        manager=manager,
        workspace=workspace,
    )
    execute(
        database_url,
        "INSERT INTO manager_team_source (manager_team_id, kind, ref_id) "
        "VALUES (:pk, 'user', :member)",
        pk=row["id"],
        member=member,
    )
