"""Shared fixtures: the fake Slack server, both databases, the running app and its driver."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.config import Settings, load_settings
from storage import tables  # noqa: F401  (registers every table on the metadata)
from storage.engine import upgrade_schema
from tests.driver import SIGNING_SECRET, RunningApp, SlackDriver
from tests.fakemsteams import CLIENT_ID, CLIENT_SECRET, FakeConnector
from tests.fakeslack import FakeSlack
from tests.node_checks import check_cards
from tests.teams_driver import TeamsDriver

# Property tests run the same 200 examples on every run of the suite, so a run never fails on a
# case no earlier run met; `HYPOTHESIS_PROFILE=explore ./dev test` looks for new ones.
hypothesis_settings.register_profile(
    "suite", max_examples=200, deadline=None, database=None, derandomize=True
)
hypothesis_settings.register_profile("explore", max_examples=5_000, deadline=None, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

# Every table the code declares (a new table is emptied between tests without a line here).
TABLES = tuple(table.name for table in reversed(SQLModel.metadata.sorted_tables))


class FakeClock:
    """A clock the test moves; starts at the real time so signatures stay valid."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture(autouse=True)
def _no_real_slack_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real token in the environment must never reach a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DELIGHT_", "TEAMS_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)


# --- databases --------------------------------------------------------------------------------


def _postgres_admin_url() -> str:
    if configured := os.environ.get("DATABASE_TEST_URL"):
        return configured
    last_error: Exception | None = None
    for role in ("postgres", "root"):
        url = f"postgresql://{role}@127.0.0.1:5432/test"
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return url
        except psycopg.OperationalError as error:
            last_error = error
    raise RuntimeError(
        "PostgreSQL is not reachable on 127.0.0.1:5432 (tried roles postgres and root); "
        "start it (`.ci/run` does) or set DATABASE_TEST_URL"
    ) from last_error


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this run, migrated once, dropped at the end."""
    admin_url = _postgres_admin_url()
    name = f"delight_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade_schema(url)
    yield url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "delight.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whatever needs the PostgreSQL server carries the `postgres` marker, so that
    `pytest -m "not postgres"` runs the rest without one: the `database_url` cases on it
    (including a test's own `parametrize("database_url", ["postgres"], indirect=True)`, which
    replaces the fixture's marked params) and any test that asks for `postgres_url`."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgres"
        if on_postgres or "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage and end-to-end test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "delight.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    sync_url = url.replace("postgresql://", "postgresql://", 1)
    with psycopg.connect(sync_url, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    return url


# --- Slack ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _fake_slack_server() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(_fake_slack_server: FakeSlack) -> FakeSlack:
    _fake_slack_server.reset()
    return _fake_slack_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def env(database_url: str, fake_slack: FakeSlack) -> dict[str, str]:
    """The environment the app is started with; tests may change it before `app` starts."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
    }


@pytest.fixture
def health_details(env: dict[str, str]) -> None:
    """/healthz reports the role, the scheduler and the outbox (ask for it before `app`)."""
    env["DELIGHT_HEALTH_DETAILS"] = "true"


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[RunningApp]:
    running = RunningApp(settings, clock=clock).start()
    yield running
    running.stop()


@pytest.fixture
def slack(app: RunningApp, fake_slack: FakeSlack) -> SlackDriver:
    return SlackDriver(app.url, response_url=fake_slack.response_url())


# --- Microsoft Teams --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _fake_connector_server() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_connector(_fake_connector_server: FakeConnector) -> FakeConnector:
    """The fake Bot Connector (OpenID metadata, keys, token, v3 REST), emptied for each test."""
    _fake_connector_server.reset()
    return _fake_connector_server


@pytest.fixture
def teams_env(database_url: str, fake_connector: FakeConnector) -> dict[str, str]:
    """A Teams-only deployment's environment (no SLACK_* at all), against the fake connector."""
    return {
        "TEAMS_CLIENT_ID": CLIENT_ID,
        "TEAMS_CLIENT_SECRET": CLIENT_SECRET,
        "TEAMS_OPENID_METADATA_URL": fake_connector.metadata_url,
        "TEAMS_TOKEN_URL": fake_connector.token_url,
        "DATABASE_URL": database_url,
    }


@pytest.fixture
def teams_app(teams_env: dict[str, str], clock: FakeClock) -> Iterator[RunningApp]:
    running = RunningApp(load_settings(teams_env), clock=clock).start()
    yield running
    running.stop()


@pytest.fixture
def teams(teams_app: RunningApp, fake_connector: FakeConnector) -> Iterator[TeamsDriver]:
    """Drives the Teams-only app; afterwards, every card the bot sent or answered with must
    pass Microsoft's Adaptive Cards parser (tests/node)."""
    driver = TeamsDriver(teams_app.url, fake_connector)
    yield driver
    cards = driver.every_card()
    checked = zip(cards, check_cards(cards), strict=True)
    problems = [(card, found) for card, found in checked if found]
    assert not problems, problems[:3]
