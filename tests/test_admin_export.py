"""`/delight admin export`: the workspace's CSV in the admin's DM, over signed HTTP, with the
fake Slack taking the upload (files.getUploadURLExternal, the upload, completeUploadExternal)."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
import tracemalloc
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from sqlalchemy import insert
from sqlmodel import SQLModel

from storage.engine import make_sync_engine
from storage.export import COLUMNS, SqlKudosExporter
from tests.driver import RunningApp, SlackDriver
from tests.fakeslack import Failure, FakeSlack
from tests.helpers import execute, give, reply_text


def export(slack: SlackDriver, fake: FakeSlack, *, user: str = "UADMIN") -> str:
    """Run the command and wait for the private reply that says how it went."""
    before = len(fake.calls("response_url"))
    reply = slack.command("admin export", user=user)
    assert reply.status == 200
    assert reply.body == b""  # acked at once; the export is built after
    return reply_text(fake.wait_for_calls("response_url", before + 1, timeout=60)[-1])


def uploaded_rows(fake: FakeSlack) -> list[dict[str, str]]:
    [shared] = fake.shared_files()
    content = fake.uploaded(shared["id"]).decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_an_admin_gets_the_workspaces_csv_in_their_dm(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    give(slack, fake_slack, database_url)
    give(slack, fake_slack, database_url, "<@U0002|bob> =SUM(A1) fixed the till #act", user="U0003")

    text = export(slack, fake_slack)

    assert "Your export is in your DM with Delight" in text
    assert "2 recognitions" in text
    [opened] = fake_slack.calls("conversations.open")
    assert opened.args["users"] == "UADMIN"
    [shared] = fake_slack.shared_files()
    assert shared["channel_id"] == "DADMIN"
    assert shared["title"].startswith("delight-kudos-T0001-")
    rows = uploaded_rows(fake_slack)
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["giver_id"], r["recipient_ids"]) for r in rows] == [
        ("U0001", "U0004"),
        ("U0003", "U0002"),
    ]
    assert rows[1]["story"].startswith("'=SUM(A1)")  # inert in a spreadsheet
    assert rows[1]["elements"] == "act"


def test_an_empty_workspace_exports_just_the_header(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    text = export(slack, fake_slack)

    assert "0 recognitions" in text
    assert uploaded_rows(fake_slack) == []


def test_another_workspaces_kudos_are_not_in_the_export(
    app: RunningApp, fake_slack: FakeSlack, database_url: str
) -> None:
    other = SlackDriver(app.url, response_url=fake_slack.response_url(), team_id="T0002")
    give(other, fake_slack, database_url)
    slack = SlackDriver(app.url, response_url=fake_slack.response_url())

    assert "0 recognitions" in export(slack, fake_slack)


def test_someone_who_is_not_an_admin_is_refused_and_nothing_is_sent(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    give(slack, fake_slack, database_url)

    text = export(slack, fake_slack, user="U0002")

    assert "Only Delight admins can do that" in text
    assert fake_slack.calls("files.getUploadURLExternal") == []
    assert fake_slack.shared_files() == []


def test_a_failed_upload_is_reported_to_the_admin(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("files.completeUploadExternal", Failure(error="channel_not_found"))

    text = export(slack, fake_slack)

    assert "I couldn't send you the export" in text
    assert "channel_not_found" in text
    assert "/delight admin export" in text


def test_a_missing_scope_tells_the_admin_to_reinstall(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("files.getUploadURLExternal", Failure(error="missing_scope"))

    text = export(slack, fake_slack)

    assert "files:write" in text
    assert "reinstall" in text
    assert fake_slack.shared_files() == []


def test_slack_being_down_is_reported_after_the_retries(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("conversations.open", *[Failure(status=503, error="service_unavailable")] * 4)

    text = export(slack, fake_slack)

    assert "I couldn't send you the export" in text
    assert len(fake_slack.calls("conversations.open")) == 4  # the first try and 3 retries


def seed_many(database_url: str, count: int) -> None:
    kudos = SQLModel.metadata.tables["kudos"]
    recipients = SQLModel.metadata.tables["kudos_recipient"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": n,
            "team_id": "T0001",
            "giver_id": "U0001",
            "story": f"helped customer number {n} find exactly the right gift",
            "source": "command",
            "request_key": f"seed:{n}",
            "recipient_count": 1,
            "created_at": start + timedelta(minutes=n),
        }
        for n in range(1, count + 1)
    ]
    engine = make_sync_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(kudos), rows)
            connection.execute(
                insert(recipients),
                [
                    {
                        "kudos_id": row["id"],
                        "recipient_id": "U0002",
                        "position": 0,
                        "team_id": "T0001",
                        "created_at": row["created_at"],
                    }
                    for row in rows
                ],
            )
    finally:
        engine.dispose()


def test_a_large_export_leaves_the_app_free_to_answer(
    app: RunningApp, slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    """The CSV is built off the event loop: while it is, other requests are answered."""
    seed_many(database_url, 50_000)
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(app.url + "/healthz", timeout=30) as response:
                assert response.status == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.02)

    prober = threading.Thread(target=probe)
    started = time.monotonic()
    prober.start()
    try:
        text = export(slack, fake_slack)
    finally:
        stop.set()
        prober.join()
    took = time.monotonic() - started

    assert "50,000 recognitions" in text  # grouped as the language writes numbers
    assert len(uploaded_rows(fake_slack)) == 50_000
    assert took > 0.5  # long enough for the probe to tell
    assert len(latencies) >= 5
    print(f"export {took:.2f} s, health p100 {max(latencies) * 1000:.0f} ms over {len(latencies)}")
    assert max(latencies) < took / 2, (max(latencies), took)


def test_help_names_the_export(slack: SlackDriver) -> None:
    reply = slack.command("help")

    assert "`/delight admin export`" in reply.json()["text"]


def test_the_export_tells_public_private_withdrawn_and_removed_kudos_apart(
    slack: SlackDriver, fake_slack: FakeSlack, database_url: str
) -> None:
    ids = [
        give(slack, fake_slack, database_url, f"<@U0004|maria> {story}", user=giver)["id"]
        for giver, story in (
            ("U0001", "stayed late to help a customer find a gift"),
            ("U0002", "quietly fixed the returns desk for everyone"),
            ("U0003", "covered the phones all afternoon without asking"),
            ("U0005", "walked a customer to the right aisle and back"),
        )
    ]
    execute(database_url, "UPDATE kudos SET private = true WHERE id = :id", id=ids[1])
    # The giver's undo records them as the one who took it back; an admin's removal, the admin.
    execute(
        database_url,
        "UPDATE kudos SET removed_at = created_at, removed_by = giver_id WHERE id = :id",
        id=ids[2],
    )
    execute(
        database_url,
        "UPDATE kudos SET removed_at = created_at, removed_by = 'UADMIN', private = true "
        "WHERE id = :id",
        id=ids[3],
    )

    export(slack, fake_slack)

    rows = uploaded_rows(fake_slack)
    assert [(int(r["id"]), r["status"]) for r in rows] == list(
        zip(ids, ["public", "private", "withdrawn", "removed"], strict=True)
    )


def test_a_second_export_while_one_is_under_way_is_refused_kindly(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.hold("files.completeUploadExternal")  # the first export stays under way
    try:
        assert slack.command("admin export", user="UADMIN").status == 200
        fake_slack.wait_for_held(1)
        second = slack.command("admin export", user="UADMIN")
        assert second.status == 200
        [answer] = fake_slack.wait_for_calls("response_url", 1, timeout=10)
        assert "already being prepared" in reply_text(answer)
    finally:
        fake_slack.release("files.completeUploadExternal")
    fake_slack.wait_for_calls("response_url", 2, timeout=30)  # the first one ends

    assert "Your export is in your DM" in export(slack, fake_slack)  # then another may start


def test_the_csv_is_built_in_a_file_a_batch_at_a_time(database_url: str) -> None:
    """Memory holds a batch of kudos (and the engine's own), never the whole export."""
    seed_many(database_url, 20_000)

    async def build() -> tuple[BinaryIO, int]:
        return await SqlKudosExporter(database_url, batch_size=50).csv("T0001")

    tracemalloc.start()
    try:
        content, count = asyncio.run(build())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with content:
        size = len(content.read())

    assert count == 20_000
    assert size > 2_000_000
    assert peak < size / 3, (peak, size)  # all of it in memory took 3.2 times its size
