"""Slack tokens at rest: encrypted with DELIGHT_ENCRYPTION_KEY, keys rotated at start-up, and a
wrong key stopping start-up with one clear line (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography.fernet import Fernet

from bot.core.installations import Installation
from storage.engine import Database
from storage.installations import ResealReport, SqlInstallations, UnreadableInstallation
from storage.token_cipher import TokenCipher
from tests.driver import SIGNING_SECRET
from tests.fakeslack import CLIENT_ID, CLIENT_SECRET, FakeSlack
from tests.helpers import execute, query
from tests.processes import free_port, start_bot, stop, wait_healthy

T = TypeVar("T")
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
TOKEN = "xoxe.xoxb-1-T0002-secret-bot-token"
REFRESH = "xoxe-1-T0002-secret-refresh-token"


def installation(team_id: str = "T0002") -> Installation:
    return Installation(
        team_id=team_id,
        bot_token=TOKEN,
        bot_user_id="UBOT",
        bot_id="B0001",
        bot_scopes="commands,chat:write",
        bot_refresh_token=REFRESH,
        bot_token_expires_at=datetime.now(UTC) + timedelta(hours=12),
        installed_at=datetime.now(UTC),
    )


def with_store(
    database_url: str, keys: tuple[str, ...], work: Callable[[SqlInstallations], Awaitable[T]]
) -> T:
    """Run `work` against the installations of a fresh Database with these keys."""

    async def run() -> T:
        database = Database(database_url)
        try:
            return await work(SqlInstallations(database, TokenCipher(keys)))
        finally:
            await database.close()

    return asyncio.run(run())


def save(database_url: str, keys: tuple[str, ...]) -> None:
    with_store(database_url, keys, lambda store: store.save(installation()))


def stored(database_url: str) -> dict[str, str]:
    [row] = query(database_url, "SELECT bot_token, bot_refresh_token FROM installation")
    return dict(row)


def test_tokens_rest_encrypted_and_come_back_in_clear(database_url: str) -> None:
    save(database_url, (KEY_A,))

    raw = stored(database_url)
    assert TOKEN not in raw["bot_token"]
    assert REFRESH not in raw["bot_refresh_token"]
    assert raw["bot_token"].startswith("fernet:bound:")
    found = with_store(database_url, (KEY_A,), lambda store: store.find("T0002"))
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == (TOKEN, REFRESH)


def test_without_a_key_tokens_are_stored_as_they_are(database_url: str) -> None:
    save(database_url, ())

    assert stored(database_url) == {"bot_token": TOKEN, "bot_refresh_token": REFRESH}


def test_setting_a_key_later_encrypts_the_tokens_already_stored(database_url: str) -> None:
    save(database_url, ())

    report = with_store(database_url, (KEY_A,), lambda store: store.reseal())

    assert report == ResealReport(installations=1, resealed=1)
    assert TOKEN not in stored(database_url)["bot_token"]
    found = with_store(database_url, (KEY_A,), lambda store: store.find("T0002"))
    assert found is not None
    assert found.bot_token == TOKEN


def test_a_new_key_first_re_encrypts_everything_so_the_old_key_can_go(database_url: str) -> None:
    save(database_url, (KEY_A,))
    before = stored(database_url)

    report = with_store(database_url, (KEY_B, KEY_A), lambda store: store.reseal())

    assert report.resealed == 1
    assert stored(database_url) != before
    found = with_store(database_url, (KEY_B,), lambda store: store.find("T0002"))
    assert found is not None
    assert found.bot_refresh_token == REFRESH
    again = with_store(database_url, (KEY_B,), lambda store: store.reseal())
    assert again == ResealReport(installations=1, resealed=0)


@pytest.mark.parametrize("keys", [(KEY_B,), ()], ids=["wrong key", "no key"])
def test_tokens_the_keys_cannot_open_are_refused_by_name(
    database_url: str, keys: tuple[str, ...]
) -> None:
    save(database_url, (KEY_A,))

    with pytest.raises(UnreadableInstallation, match="T0002"):
        with_store(database_url, keys, lambda store: store.reseal())
    with pytest.raises(UnreadableInstallation):
        with_store(database_url, keys, lambda store: store.find("T0002"))


def bot_env(database_url: str, fake_slack: FakeSlack, *, key: str, port: int) -> dict[str, str]:
    """A multi-workspace `python -m bot` on this database, with this encryption key."""
    return {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "DELIGHT_ENCRYPTION_KEY": key,
    }


def test_a_wrong_key_stops_start_up_with_one_clear_line(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    save(database_url, (KEY_A,))
    process = start_bot(tmp_path, bot_env(database_url, fake_slack, key=KEY_B, port=free_port()))
    output, _ = process.communicate(timeout=60)

    assert process.returncode == 2
    [line] = [line for line in output.splitlines() if "Delight can't start" in line]
    assert "stored Slack tokens can't be decrypted" in line
    assert "T0002" in line
    assert "DELIGHT_ENCRYPTION_KEY" in line
    assert TOKEN not in output
    assert KEY_A not in output
    assert KEY_B not in output


def test_the_right_key_starts_and_encrypts_tokens_stored_before_it(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    save(database_url, ())
    port = free_port()
    process = start_bot(tmp_path, bot_env(database_url, fake_slack, key=KEY_A, port=port))
    try:
        wait_healthy(port, process)
        assert TOKEN not in stored(database_url)["bot_token"]
    finally:
        output = stop(process)
    assert TOKEN not in output


# --- refusing tokens the app did not seal ---------------------------------------------------


def save_two(database_url: str, keys: tuple[str, ...]) -> None:
    async def both(store: SqlInstallations) -> None:
        await store.save(installation("T0002"))
        await store.save(installation("T0003"))

    with_store(database_url, keys, both)


def token_of(database_url: str, team_id: str) -> str:
    [row] = query(database_url, "SELECT bot_token FROM installation WHERE team_id = :t", t=team_id)
    return str(row["bot_token"])


def set_token(database_url: str, team_id: str, value: str) -> None:
    execute(
        database_url,
        "UPDATE installation SET bot_token = :v WHERE team_id = :t",
        v=value,
        t=team_id,
    )


def test_with_a_key_a_plaintext_token_written_into_the_database_is_refused(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    save_two(database_url, (KEY_A,))
    set_token(database_url, "T0003", "xoxb-planted-by-someone-with-write-access")

    with pytest.raises(UnreadableInstallation, match=r"plaintext.*T0003"):
        with_store(database_url, (KEY_A,), lambda store: store.find("T0003"))
    with caplog.at_level(logging.ERROR, logger="storage.installations"):
        report = with_store(database_url, (KEY_A,), lambda store: store.reseal())

    assert report == ResealReport(installations=2, resealed=0, refused=1)
    assert "T0003" in caplog.text
    assert "plaintext" in caplog.text
    assert "planted" not in token_of(database_url, "T0002")  # the others are untouched
    assert token_of(database_url, "T0003") == "xoxb-planted-by-someone-with-write-access"
    found = with_store(database_url, (KEY_A,), lambda store: store.find("T0002"))
    assert found is not None
    assert found.bot_token == TOKEN


def test_ciphertext_moved_to_another_workspace_is_refused(database_url: str) -> None:
    save_two(database_url, (KEY_A,))
    theirs, ours = token_of(database_url, "T0003"), token_of(database_url, "T0002")
    set_token(database_url, "T0002", theirs)
    set_token(database_url, "T0003", ours)

    for team_id in ("T0002", "T0003"):
        with pytest.raises(UnreadableInstallation, match=f"another workspace.*{team_id}"):
            with_store(database_url, (KEY_A,), lambda store, t=team_id: store.find(t))
    report = with_store(database_url, (KEY_A,), lambda store: store.reseal())
    assert report.refused == 2


def unbound_ciphertext(token: str, key: str) -> str:
    """How tokens were sealed before they were bound to their workspace."""
    return "fernet:" + Fernet(key.encode()).encrypt(token.encode()).decode()


def test_ciphertext_from_before_tokens_were_bound_is_bound_at_start_up_and_refused_after(
    database_url: str,
) -> None:
    save_two(database_url, (KEY_A,))
    set_token(database_url, "T0002", unbound_ciphertext(TOKEN, KEY_A))
    set_token(database_url, "T0003", unbound_ciphertext("xoxb-3", KEY_A))
    execute(database_url, "UPDATE installation SET bot_refresh_token = NULL")

    report = with_store(database_url, (KEY_A,), lambda store: store.reseal())

    assert report == ResealReport(installations=2, resealed=2, refused=0)
    assert token_of(database_url, "T0002").startswith("fernet:bound:")
    found = with_store(database_url, (KEY_A,), lambda store: store.find("T0002"))
    assert found is not None
    assert found.bot_token == TOKEN
    # Once tokens are bound, ciphertext without its workspace is a row someone put there.
    set_token(database_url, "T0003", unbound_ciphertext(TOKEN, KEY_A))
    with pytest.raises(UnreadableInstallation, match="T0003"):
        with_store(database_url, (KEY_A,), lambda store: store.find("T0003"))
    assert with_store(database_url, (KEY_A,), lambda store: store.reseal()).refused == 1


def test_a_key_set_for_the_first_time_encrypts_every_plaintext_token(database_url: str) -> None:
    save_two(database_url, ())

    report = with_store(database_url, (KEY_A,), lambda store: store.reseal())

    assert report == ResealReport(installations=2, resealed=2, refused=0)
    for team_id in ("T0002", "T0003"):
        assert TOKEN not in token_of(database_url, team_id)
        found = with_store(database_url, (KEY_A,), lambda store, t=team_id: store.find(t))
        assert found is not None
        assert found.bot_token == TOKEN
