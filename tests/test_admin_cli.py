"""The admin commands of `python -m bot`, run against seeded SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.__main__ import main
from bot.core.elements import Element
from bot.core.model import DailyAllowance, Nomination, Posted, Source
from bot.core.tips import load_tip_library
from storage.engine import Database, make_sync_engine
from storage.export import kudos_batches
from storage.forget import FORGOTTEN_USER
from storage.kudos_repository import SqlKudosRepository
from storage.tip_repository import SqlTipScheduleRepository
from tests.helpers import execute, query, record_announcement, store
from tests.processes import ROOT

DAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def seed_kudos(database_url: str, *kudos: dict[str, object]) -> list[int]:
    """Store kudos through the app's own repository; each dict overrides a default one."""

    async def seed() -> list[int]:
        database = Database(database_url)
        repository = SqlKudosRepository(database)
        ids = []
        try:
            for number, changes in enumerate(kudos):
                fields: dict[str, object] = {
                    "team_id": "T0001",
                    "giver_id": "U0001",
                    "recipient_ids": ("U0002",),
                    "story": f"kept the shop open late, story {number}",
                    "elements": (),
                    "source": Source.COMMAND,
                    "request_key": f"command:{number}",
                }
                created_at = changes.pop("created_at", DAY + timedelta(hours=number))
                announced = changes.pop("announced", None)
                fields.update(changes)
                given = await store(
                    repository,
                    Nomination(**fields),  # type: ignore[arg-type]
                    created_at=created_at,  # type: ignore[arg-type]
                    allowance=DailyAllowance(limit=1000, since=DAY - timedelta(days=365)),
                )
                if announced:
                    await record_announcement(
                        repository,
                        given.kudos.id,
                        Posted(channel_id="C0KUDOS", message_id=str(announced)),
                    )
                ids.append(given.kudos.id)
        finally:
            await database.close()
        return ids

    return asyncio.run(seed())


def seed_schedule(database_url: str, *, owner: str = "U0001", paused: bool = False) -> int:
    execute(
        database_url,
        "INSERT INTO tip_schedule (team_id, channel_id, owner_id, weekdays, at, timezone, "
        "start_date, paused, paused_reason, created_at) VALUES ('T0001', 'C0TIPS', :owner, "
        "'0,1,2,3,4', '09:00', 'Europe/Amsterdam', :start, :paused, :reason, :created)",
        owner=owner,
        start=date(2026, 11, 2),
        paused=paused,
        reason="not_in_channel: not_in_channel" if paused else None,
        created=DAY,
    )
    return int(query(database_url, "SELECT max(id) AS id FROM tip_schedule")[0]["id"])


def seed_team(database_url: str, *, team_id: str, created_by: str, people: str) -> int:
    """A manager team where `people` manages, is a named member and was sent a digest."""
    execute(
        database_url,
        "INSERT INTO manager_team (team_id, name, created_by, created_at) "
        "VALUES (:team, 'Support', :creator, :created)",
        team=team_id,
        creator=created_by,
        created=DAY,
    )
    [row] = query(database_url, "SELECT max(id) AS id FROM manager_team")
    pk = int(row["id"])
    for statement in (
        "INSERT INTO manager_team_manager (manager_team_id, user_id, team_id) "
        "VALUES (:pk, :user, :team)",
        "INSERT INTO manager_team_source (manager_team_id, kind, ref_id) "
        "VALUES (:pk, 'user', :user)",
        "INSERT INTO digest_delivery (manager_team_id, manager_id, week, status, attempts, "
        "updated_at) VALUES (:pk, :user, '2026-W47', 'sent', 1, :created)",
    ):
        execute(database_url, statement, pk=pk, user=people, team=team_id, created=DAY)
    return pk


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- export ------------------------------------------------------------------------------------


def test_export_writes_every_kudos_of_the_workspace_as_csv(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = seed_kudos(
        cli,
        {
            "recipient_ids": ("U0003", "U0002"),
            "elements": (Element.GENUINE, Element.VOLUNTARY),
            "announced": "1700000000.000100",
        },
        {"story": "=HYPERLINK(1) made a customer's day, truly", "source": Source.MODAL},
        {"team_id": "T0002", "request_key": "command:other-workspace"},
    )[:2]

    code, out, err = run(capsys, "export", "--workspace", "t0001")

    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(row["id"]) for row in rows] == [first, second]
    assert rows[0]["created_at"] == "2026-11-02T10:00:00+00:00"
    assert (rows[0]["giver_id"], rows[0]["recipient_ids"]) == ("U0001", "U0003 U0002")
    assert rows[0]["elements"] == "voluntary genuine"  # definition order
    assert (rows[0]["announcement_channel_id"], rows[0]["announcement_message_id"]) == (
        "C0KUDOS",
        "1700000000.000100",
    )
    assert rows[1]["story"] == "'=HYPERLINK(1) made a customer's day, truly"  # inert in a sheet
    assert rows[1]["source"] == "modal"
    assert err.strip() == "exported 2 kudos of T0001"


def test_export_as_json_lines_to_a_file_since_a_day(
    cli: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seed_kudos(
        cli,
        {"created_at": DAY - timedelta(days=1)},
        {"created_at": DAY, "story": "=kept exactly as written, here"},
        {"created_at": DAY + timedelta(days=3)},
    )
    target = tmp_path / "kudos.jsonl"

    code, out, err = run(
        capsys,
        "export",
        "--workspace",
        "T0001",
        "--since",
        "2026-11-02",
        "--format",
        "jsonl",
        "--output",
        str(target),
    )

    assert (code, out) == (0, "")
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["created_at"][:10] for r in records] == ["2026-11-02", "2026-11-05"]
    assert records[0]["story"] == "=kept exactly as written, here"
    assert records[0]["recipient_ids"] == ["U0002"]
    assert records[0]["announcement_message_id"] is None
    assert f"to {target}" in err


def test_export_reads_in_batches_without_missing_or_repeating_any(cli: str) -> None:
    ids = seed_kudos(cli, *({} for _ in range(7)))
    engine = make_sync_engine(cli)
    try:
        with engine.connect() as connection:
            batches = list(kudos_batches(connection, team_id="T0001", batch_size=3))
    finally:
        engine.dispose()

    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [k.id for batch in batches for k in batch] == ids


def test_the_real_command_streams_to_stdout(cli: str) -> None:
    seed_kudos(cli, {}, {})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": cli}

    done = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--workspace", "T0001", "--format", "jsonl"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr.strip() == "exported 2 kudos of T0001"


# --- forget-user -------------------------------------------------------------------------------


def test_forget_user_follows_the_documented_policy(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gave, shared, only_them = seed_kudos(
        cli,
        {"giver_id": "U0005", "recipient_ids": ("U0002",)},
        {"recipient_ids": ("U0005", "U0003")},
        {"recipient_ids": ("U0005",), "elements": (Element.DELIGHT,)},
    )
    elsewhere = seed_kudos(cli, {"team_id": "T0002", "giver_id": "U0005", "request_key": "x"})
    schedule = seed_schedule(cli, owner="U0005")
    team = seed_team(cli, team_id="T0001", created_by="U0005", people="U0005")
    other_team = seed_team(cli, team_id="T0002", created_by="U0005", people="U0005")

    code, out, _err = run(capsys, "forget-user", "--workspace", "T0001", "U0005", "--yes")

    assert code == 0
    assert "Forgot U0005 in T0001" in out
    kudos = {row["id"]: row for row in query(cli, "SELECT * FROM kudos")}
    assert kudos[gave]["giver_id"] == FORGOTTEN_USER
    assert kudos[gave]["story"] == "kept the shop open late, story 0"
    assert kudos[shared]["recipient_count"] == 1
    assert only_them not in kudos
    assert kudos[elsewhere[0]]["giver_id"] == "U0005"  # another workspace's records stay
    recipients = query(cli, "SELECT kudos_id, recipient_id FROM kudos_recipient ORDER BY kudos_id")
    assert {(r["kudos_id"], r["recipient_id"]) for r in recipients} == {
        (gave, "U0002"),
        (shared, "U0003"),
        (elsewhere[0], "U0002"),
    }
    assert query(cli, "SELECT * FROM kudos_element WHERE kudos_id = :id", id=only_them) == []
    [owner] = query(cli, "SELECT owner_id FROM tip_schedule WHERE id = :id", id=schedule)
    assert owner["owner_id"] == ""
    for table, column in (
        ("manager_team_manager", "user_id"),
        ("manager_team_source", "ref_id"),
        ("digest_delivery", "manager_id"),
    ):
        left = query(cli, f"SELECT manager_team_id FROM {table} WHERE {column} = 'U0005'")
        assert [r["manager_team_id"] for r in left] == [other_team]  # the other workspace's stay
    teams = query(cli, "SELECT id, created_by FROM manager_team ORDER BY id")
    assert [(r["id"], r["created_by"]) for r in teams] == [(team, ""), (other_team, "U0005")]

    assert run(capsys, "forget-user", "--workspace", "T0001", "U0005", "--yes")[1].startswith(
        "nothing to forget"
    )


def test_forget_user_without_yes_and_without_a_terminal_changes_nothing(
    cli: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_kudos(cli, {"giver_id": "U0005"})
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))

    code, out, err = run(capsys, "forget-user", "--workspace", "T0001", "U0005")

    assert code == 2
    assert "kudos they gave: kept, the giver shown as U_FORGOTTEN: 1" in out  # the plan
    assert "add --yes" in err
    assert query(cli, "SELECT giver_id FROM kudos") == [{"giver_id": "U0005"}]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("answer", "code", "giver"), [("yes", 0, FORGOTTEN_USER), ("n", 1, "U0005")]
)
def test_forget_user_asks_at_a_terminal(
    cli: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    giver: str,
) -> None:
    seed_kudos(cli, {"giver_id": "U0005"})
    monkeypatch.setattr(sys, "stdin", Terminal(answer + "\n"))

    assert run(capsys, "forget-user", "--workspace", "T0001", "U0005")[0] == code
    assert query(cli, "SELECT giver_id FROM kudos") == [{"giver_id": giver}]


PERSON = "U0FORGET5"
# String columns whose values have a format with no room for a person's id, with a value for
# each. The test below writes the id into every other string column of every table: a new
# column that may hold it fails the test until forget-user covers it or it is listed here.
FIXED_FORMAT: dict[str, object] = {
    "team_id": "T0001",
    "workspace_id": "T0001",  # what Teams' tables call it
    "service_url": "https://smba.trafficmanager.net/amer/",
    "token": "aRandomUrlSafeToken",  # a chart's address: random, names nobody
    "enterprise_id": "E0001",  # Slack's ids of the workspace and of Delight's bot
    "app_id": "A0001",
    "bot_id": "B0001",
    "bot_user_id": "UBOT",
    "bot_token": "xoxb-1",
    "bot_refresh_token": "xoxe-1",
    "bot_scopes": "commands",
    "team_name": "The Shop",
    "enterprise_name": "The Shop Group",
    "enterprise_url": "https://shop.example/",
    "source": "command",
    "request_key": "command:1",
    "source_url": "https://shop.slack.com/archives/C0001/p1",
    "via": "button",
    "element": "voluntary",
    "status": "sent",
    "week": "2026-W47",
    "weekdays": "0",
    "at": "09:00",
    "timezone": "UTC",
    "default_timezone": "UTC",
    "msteams_team_id": "19:team@thread.tacv2",  # a Teams team's id
    "tz": "UTC",
    "mode": "channel",
    "tip_id": "voluntary-1",
    "event_id": "Ev0001",
    "state": "state-1",
    "action": "kudos.removed",
    "endorsement_reaction": "tada",
    "language": "nl",
}
# The rows that name a person.
KIND = {"outbox": "dm", "manager_team_source": "user", "msteams_conversations": "personal"}
# The ones forget-user edits rather than replaces or deletes, and what they become.
ADMINS = f"U0001,{PERSON},U0009"
DETAIL = {"giver_id": PERSON, "recipient_ids": ["U0002", PERSON], "reason": f"{PERSON} asked"}


def holds_text(column: sa.Column[Any]) -> bool:
    return isinstance(getattr(column.type, "impl", column.type), sa.String)


def naming_the_person(table: sa.Table) -> dict[str, object]:
    """A row of `table` that names PERSON in every string column that may hold a person."""
    row: dict[str, object] = {}
    for column in table.columns:
        name, kind = column.name, column.type
        if name in FIXED_FORMAT:
            row[name] = FIXED_FORMAT[name]
        elif name.endswith(("channel_id", "message_id")):
            row[name] = "C0001" if name.endswith("channel_id") else "1700000000.000100"
        elif name == "kind":
            row[name] = KIND[table.name]
        elif isinstance(kind, sa.Text):
            row[name] = f"thanks to <@{PERSON}> ({PERSON})"  # free text, a story or an error
        elif holds_text(column):
            row[name] = PERSON
        elif isinstance(kind, sa.Boolean):
            row[name] = False
        elif isinstance(kind, sa.Date):
            row[name] = DAY.date()
        elif isinstance(kind, sa.Integer):
            row[name] = 1  # ids and the foreign keys that point at them
        elif isinstance(kind, sa.LargeBinary):
            row[name] = b"\x89PNG"  # a picture (a digest's chart) names nobody
        else:
            row[name] = DAY
    return row


def test_after_forget_user_the_person_s_id_is_nowhere_in_the_database(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = SQLModel.metadata.sorted_tables
    engine = make_sync_engine(cli)
    try:
        with engine.begin() as connection:
            for table in tables:
                row = naming_the_person(table)
                if table.name == "workspace_settings":
                    row["admin_ids"] = ADMINS
                if table.name == "audit_log":
                    row["detail"] = json.dumps(DETAIL)
                connection.execute(sa.insert(table), row)
            # Someone else named with them, so their kudos stays (with its story).
            recipients = SQLModel.metadata.tables["kudos_recipient"]
            connection.execute(
                sa.insert(recipients), {**naming_the_person(recipients), "recipient_id": "U0002"}
            )
    finally:
        engine.dispose()

    assert run(capsys, "forget-user", "--workspace", "T0001", PERSON, "--yes")[0] == 0

    left = {
        (table.name, column.name): found
        for table in tables
        for column in table.columns
        if holds_text(column)
        and (
            found := query(
                cli,
                f"SELECT {column.name} AS value FROM {table.name} WHERE {column.name} LIKE :id",
                id=f"%{PERSON}%",
            )
        )
    }
    assert not left, "\n".join(f"{k}: {v}" for k, v in sorted(left.items()))
    [settings] = query(cli, "SELECT admin_ids FROM workspace_settings")
    assert settings["admin_ids"] == "U0001,U0009"
    [audit] = query(cli, "SELECT detail FROM audit_log")
    assert json.loads(audit["detail"]) == {
        "giver_id": FORGOTTEN_USER,
        "recipient_ids": ["U0002", FORGOTTEN_USER],
        "reason": f"{FORGOTTEN_USER} asked",
    }
    [kudos] = query(cli, "SELECT story FROM kudos")
    assert kudos["story"] == f"thanks to <@{FORGOTTEN_USER}> ({FORGOTTEN_USER})"


# --- tips preview ------------------------------------------------------------------------------


def test_tips_preview_lists_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tips", "preview")

    assert code == 0
    library = load_tip_library()
    for element in Element:
        assert f"{element.value.title()} ({len(library.for_element(element))} tips)" in out
    code, out, _ = run(capsys, "tips", "preview", "--element", "#Sincere")
    genuine = len(library.for_element(Element.GENUINE))
    assert out.splitlines()[0] == f"Genuine ({genuine} tips)"
    assert len(out.splitlines()) == genuine + 1


def next_tips(out: str) -> dict[int, tuple[Element, str]]:
    """Schedule id → (element, tip id) from the preview's lines."""
    found = re.findall(r"Schedule (\d+):.*?  next (\w+) tip: ([a-z0-9-]+):", out, re.DOTALL)
    return {int(schedule): (Element(element), tip) for schedule, element, tip in found}


def test_tips_preview_shows_what_each_schedule_sends_next(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    active = seed_schedule(cli)
    paused = seed_schedule(cli, paused=True)
    library = load_tip_library()

    code, out, _ = run(capsys, "tips", "preview", "--workspace", "T0001")

    assert code == 0
    assert f"Schedule {active}: Mon, Tue, Wed, Thu, Fri at 09:00 Europe/Amsterdam in C0TIPS" in out
    assert len(re.findall(r"  next: \w{3} \d{4}-\d\d-\d\d 09:00 CES?T, \w+ week", out)) == 1
    assert "  paused (not_in_channel: not_in_channel)" in out
    element, tip = next_tips(out)[active]
    assert tip == library.for_element(element)[0].id  # nothing sent yet: the first
    assert paused in next_tips(out)

    # The scheduler's own choice: once that tip was sent, the element's next one comes.
    _record_sent(cli, active, element, tip)
    out = run(capsys, "tips", "preview", "--workspace", "T0001", "--element", element.value)[1]
    assert next_tips(out)[active] == (element, library.for_element(element)[1].id)
    assert "  next: " not in out  # an element's next week, not a date


def _record_sent(database_url: str, schedule_id: int, element: Element, tip_id: str) -> None:
    async def claim() -> None:
        database = Database(database_url)
        try:
            await SqlTipScheduleRepository(database).claim(
                schedule_id, DAY, element=element, tip_id=tip_id, status="sent", at=DAY
            )
        finally:
            await database.close()

    asyncio.run(claim())


# --- arguments, help and errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["export"], "the following arguments are required: --workspace"),
        (["export", "--workspace", "T0001", "--format", "xml"], "invalid choice: 'xml'"),
        (["export", "--workspace", "#general"], "is not a workspace ID"),
        (["export", "--workspace", "T0001", "--since", "yesterday"], "use YYYY-MM-DD"),
        (["forget-user", "--workspace", "T0001", "@bob"], "is not a user ID"),
        (["forget-user", "U0001"], "required: --workspace"),
        (["tips", "preview", "--element", "speed"], "is not an element"),
        (["tips"], "required: COMMAND"),
        (["db"], "required: COMMAND"),
        (["launch"], "invalid choice: 'launch'"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_code_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)

    assert exited.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert says in line
    assert line.endswith("--help)")


COMMANDS = [[], ["serve"], ["web"], ["clock"], ["db"], ["db", "upgrade"], ["export"]]
COMMANDS += [["forget-user"], ["tips"], ["tips", "preview"]]


@pytest.mark.parametrize("argv", COMMANDS)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])

    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m bot {' '.join(argv)}".rstrip())


def test_a_missing_sqlite_database_is_named_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nope.db'}")

    code, _out, err = run(capsys, "export", "--workspace", "T0001")

    assert code == 1
    assert (
        err.strip()
        == f"python -m bot: there is no database at {tmp_path / 'nope.db'}: check DATABASE_URL"
    )
    assert not (tmp_path / "nope.db").exists()


def test_an_old_schema_asks_for_the_upgrade(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    [current] = query(cli, "SELECT version_num FROM alembic_version")
    execute(cli, "UPDATE alembic_version SET version_num = '0002'")
    try:
        code, _out, err = run(capsys, "forget-user", "--workspace", "T0001", "U0002", "--yes")
    finally:
        execute(cli, "UPDATE alembic_version SET version_num = :v", v=current["version_num"])

    assert code == 1
    assert "run `python -m bot db upgrade` first" in err


def test_an_unreachable_database_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/delight")

    code, _out, err = run(capsys, "export", "--workspace", "T0001")

    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith("python -m bot: can't reach the database (")
