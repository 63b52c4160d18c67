"""Settings from the environment: sensible defaults, and one clear error per bad variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_BOT_SCOPES,
    DEFAULT_DATABASE_URL,
    DEFAULT_SLACK_API_URL,
    ConfigError,
    Settings,
    load_settings,
)

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "shh"}


def settings_with(**changes: str) -> Settings:
    return load_settings({**MINIMAL, **changes})


def refusal_for(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as refused:
        load_settings(env)
    return str(refused.value)


def test_minimal_environment_gives_working_settings() -> None:
    settings = load_settings(MINIMAL)

    assert settings.slack_bot_token == "xoxb-test-token"
    assert settings.slack_signing_secret == "shh"
    assert settings.slack_app_token is None
    assert settings.socket_mode is False


def test_defaults() -> None:
    settings = load_settings(MINIMAL)

    assert settings.port == 3000
    assert settings.database_url == "sqlite:///delight.db" == DEFAULT_DATABASE_URL
    assert settings.daily_limit == 10
    assert settings.slack_api_url == "https://slack.com/api/" == DEFAULT_SLACK_API_URL
    assert settings.recognition_channel is None
    assert settings.log_level == "INFO"


def test_blank_values_count_as_unset() -> None:
    settings = settings_with(PORT="  ", DATABASE_URL="", LOG_LEVEL=" ")

    assert settings.port == 3000
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.log_level == "INFO"


def test_values_are_trimmed() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": " xoxb-1 \n", "SLACK_SIGNING_SECRET": " s "})

    assert settings.slack_bot_token == "xoxb-1"
    assert settings.slack_signing_secret == "s"


def test_settings_are_frozen() -> None:
    settings = load_settings(MINIMAL)

    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_every_variable_can_be_set() -> None:
    settings = settings_with(
        SLACK_API_URL="http://127.0.0.1:8080/api",
        DATABASE_URL="postgresql://delight:pw@db:5432/delight",
        PORT="8080",
        DELIGHT_DAILY_LIMIT="25",
        DELIGHT_RECOGNITION_CHANNEL="C0123ABCD",
        LOG_LEVEL="debug",
    )

    assert settings.slack_api_url == "http://127.0.0.1:8080/api/"
    assert settings.database_url == "postgresql://delight:pw@db:5432/delight"
    assert settings.port == 8080
    assert settings.daily_limit == 25
    assert settings.recognition_channel == "C0123ABCD"
    assert settings.log_level == "DEBUG"


def test_socket_mode_with_app_token_needs_no_signing_secret() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A"})

    assert settings.socket_mode is True
    assert settings.slack_app_token == "xapp-1-A"
    assert settings.slack_signing_secret is None


def test_private_channel_id_is_accepted() -> None:
    assert settings_with(DELIGHT_RECOGNITION_CHANNEL="G0123ABCD").recognition_channel == (
        "G0123ABCD"
    )


@pytest.mark.parametrize(
    "url", ["sqlite:///:memory:", "sqlite:////var/lib/delight.db", "postgres://u@h/db"]
)
def test_supported_database_urls_are_accepted(url: str) -> None:
    assert settings_with(DATABASE_URL=url).database_url == url


def test_api_url_with_a_trailing_slash_is_kept() -> None:
    assert settings_with(SLACK_API_URL="https://slack.com/api/").slack_api_url == (
        "https://slack.com/api/"
    )


def test_api_url_gets_its_trailing_slash() -> None:
    assert settings_with(SLACK_API_URL="https://fake.test/api").slack_api_url == (
        "https://fake.test/api/"
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "  ", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**MINIMAL, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({**MINIMAL, "SLACK_API_URL": "ftp://slack.com/api"}, "SLACK_API_URL"),
        ({**MINIMAL, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({**MINIMAL, "SLACK_API_URL": "https://"}, "SLACK_API_URL"),
        ({**MINIMAL, "DATABASE_URL": "mysql://u:p@h/db"}, "DATABASE_URL"),
        ({**MINIMAL, "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({**MINIMAL, "PORT": "http"}, "PORT"),
        ({**MINIMAL, "PORT": "0"}, "PORT"),
        ({**MINIMAL, "PORT": "65536"}, "PORT"),
        ({**MINIMAL, "PORT": "80.5"}, "PORT"),
        ({**MINIMAL, "DELIGHT_DAILY_LIMIT": "0"}, "DELIGHT_DAILY_LIMIT"),
        ({**MINIMAL, "DELIGHT_DAILY_LIMIT": "-3"}, "DELIGHT_DAILY_LIMIT"),
        ({**MINIMAL, "DELIGHT_DAILY_LIMIT": "ten"}, "DELIGHT_DAILY_LIMIT"),
        ({**MINIMAL, "DELIGHT_DAILY_LIMIT": "1001"}, "DELIGHT_DAILY_LIMIT"),
        ({**MINIMAL, "DELIGHT_RECOGNITION_CHANNEL": "#kudos"}, "DELIGHT_RECOGNITION_CHANNEL"),
        ({**MINIMAL, "DELIGHT_RECOGNITION_CHANNEL": "kudos"}, "DELIGHT_RECOGNITION_CHANNEL"),
        ({**MINIMAL, "DELIGHT_RECOGNITION_CHANNEL": "c0123abcd"}, "DELIGHT_RECOGNITION_CHANNEL"),
        ({**MINIMAL, "DELIGHT_RECOGNITION_CHANNEL": "U0123ABCD"}, "DELIGHT_RECOGNITION_CHANNEL"),
        ({**MINIMAL, "LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
        ({**MINIMAL, "LOG_LEVEL": "CRITICAL"}, "LOG_LEVEL"),
    ],
)
def test_bad_variable_is_named_in_the_error(env: dict[str, str], variable: str) -> None:
    assert variable in refusal_for(env)


def test_missing_token_says_where_to_find_it() -> None:
    message = refusal_for({"SLACK_SIGNING_SECRET": "s"})

    assert "xoxb-" in message
    assert "OAuth" in message


def test_missing_secret_mentions_socket_mode_as_the_alternative() -> None:
    assert "SLACK_APP_TOKEN" in refusal_for({"SLACK_BOT_TOKEN": "xoxb-1"})


def test_channel_name_error_asks_for_the_id() -> None:
    message = refusal_for({**MINIMAL, "DELIGHT_RECOGNITION_CHANNEL": "#kudos"})

    assert "'#kudos'" in message
    assert "ID" in message


def test_range_errors_give_the_range() -> None:
    assert "1–65535" in refusal_for({**MINIMAL, "PORT": "70000"})
    assert "1–1000" in refusal_for({**MINIMAL, "DELIGHT_DAILY_LIMIT": "0"})


def test_database_error_does_not_leak_the_password() -> None:
    message = refusal_for({**MINIMAL, "DATABASE_URL": "mysql://delight:s3cret@db/delight"})

    assert "s3cret" not in message
    assert "mysql" in message


def test_the_first_problem_is_reported_first() -> None:
    # A bad token is reported even when everything else is wrong too.
    message = refusal_for({"SLACK_BOT_TOKEN": "nope", "PORT": "x", "LOG_LEVEL": "x"})

    assert "SLACK_BOT_TOKEN" in message
    assert "PORT" not in message


def test_boundaries_are_accepted() -> None:
    assert settings_with(PORT="1").port == 1
    assert settings_with(PORT="65535").port == 65535
    assert settings_with(DELIGHT_DAILY_LIMIT="1").daily_limit == 1
    assert settings_with(DELIGHT_DAILY_LIMIT="1000").daily_limit == 1000


def test_logging_and_leader_election_defaults_and_choices() -> None:
    assert (load_settings(MINIMAL).log_format, load_settings(MINIMAL).leader_retry_seconds) == (
        "text",
        5,
    )
    settings = settings_with(LOG_FORMAT=" JSON ", DELIGHT_LEADER_RETRY_SECONDS="2")
    assert (settings.log_format, settings.leader_retry_seconds) == ("json", 2)
    assert "LOG_FORMAT='yaml': use text" in refusal_for({**MINIMAL, "LOG_FORMAT": "yaml"})
    assert "DELIGHT_LEADER_RETRY_SECONDS=0 is out of range: use 1–60" in refusal_for(
        {**MINIMAL, "DELIGHT_LEADER_RETRY_SECONDS": "0"}
    )


# --- multi-workspace mode ---------------------------------------------------------------------

OAUTH = {"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "cs", "SLACK_SIGNING_SECRET": "s"}
KEY = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="


def test_client_id_and_secret_mean_multi_workspace_mode_with_the_manifests_scopes() -> None:
    settings = load_settings(OAUTH)

    assert settings.multi_workspace is True
    assert settings.slack_bot_token is None
    assert settings.oauth is not None
    assert (settings.oauth.client_id, settings.oauth.client_secret) == ("1234.5678", "cs")
    manifest = json.loads((ROOT / "manifest.json").read_text())
    assert settings.oauth.scopes == DEFAULT_BOT_SCOPES
    assert sorted(DEFAULT_BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    assert (settings.oauth.redirect_uri, settings.oauth.redirect_path) == (
        None,
        "/slack/oauth_redirect",
    )
    assert settings.encryption_keys == ()
    assert load_settings(MINIMAL).multi_workspace is False


def test_one_recognition_channel_for_many_workspaces_is_refused() -> None:
    with pytest.raises(ConfigError, match="DELIGHT_RECOGNITION_CHANNEL names one workspace"):
        load_settings({**OAUTH, "DELIGHT_RECOGNITION_CHANNEL": "C0123ABCD"})


def test_scopes_redirect_uri_and_keys_can_be_set() -> None:
    settings = load_settings(
        {
            **OAUTH,
            "SLACK_SCOPES": "commands, chat:write",
            "SLACK_REDIRECT_URI": "https://delight.example.com/slack/back",
            "DELIGHT_ENCRYPTION_KEY": f"{KEY}, {KEY.replace('Z', 'Y', 1)}",
        }
    )

    assert settings.oauth is not None
    assert settings.oauth.scopes == ("commands", "chat:write")
    assert settings.oauth.redirect_path == "/slack/back"
    assert len(settings.encryption_keys) == 2


def test_secrets_stay_out_of_the_settings_repr() -> None:
    shown = repr(load_settings({**OAUTH, "DELIGHT_ENCRYPTION_KEY": KEY}))
    shown += repr(load_settings(MINIMAL))

    for secret in ("cs", KEY, "xoxb-test-token", "'shh'"):
        assert secret not in shown


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}, "not both"),
        (
            {"SLACK_CLIENT_ID": "1234.5678", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_CLIENT_SECRET is not",
        ),
        ({"SLACK_CLIENT_SECRET": "cs", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_ID is not set"),
        ({**OAUTH, "SLACK_CLIENT_ID": "my-app"}, "SLACK_CLIENT_ID='my-app' is not a client ID"),
        ({**OAUTH, "SLACK_SCOPES": "chat:write,Post Messages"}, "SLACK_SCOPES has 'Post'"),
        ({**OAUTH, "SLACK_REDIRECT_URI": "delight.example.com"}, "SLACK_REDIRECT_URI="),
        ({**OAUTH, "DELIGHT_ENCRYPTION_KEY": "hunter2"}, "DELIGHT_ENCRYPTION_KEY is not a Fernet"),
        ({**OAUTH, "DELIGHT_ENCRYPTION_KEY": f"{KEY},x"}, "DELIGHT_ENCRYPTION_KEY (key 2)"),
        ({"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "cs"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_multi_workspace_settings_are_checked(env: dict[str, str], expected: str) -> None:
    message = refusal_for(env)

    assert expected in message
    assert "hunter2" not in message


def test_socket_mode_works_with_many_workspaces_too() -> None:
    settings = load_settings({**OAUTH, "SLACK_APP_TOKEN": "xapp-1-A"})

    assert (settings.socket_mode, settings.multi_workspace) == (True, True)


def test_the_socket_mode_manifest_is_the_http_one_without_its_urls() -> None:
    http = json.loads((ROOT / "manifest.json").read_text())
    socket = json.loads((ROOT / "manifest.socket-mode.json").read_text())

    assert http["settings"]["socket_mode_enabled"] is False
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["oauth_config"]["redirect_urls"] == [
        "https://YOUR-HOST.example.com/slack/oauth_redirect"
    ]
    del http["features"]["slash_commands"][0]["url"]
    del http["settings"]["event_subscriptions"]["request_url"]
    del http["settings"]["interactivity"]["request_url"]
    del http["settings"]["interactivity"]["message_menu_options_url"]
    del http["oauth_config"]["redirect_urls"]
    http["settings"]["socket_mode_enabled"] = True
    assert socket == http
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        socket["settings"]["event_subscriptions"]["bot_events"]
    )


def test_the_outbox_lease_is_read_and_bounded() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert load_settings(base).outbox_lease_seconds == 60
    assert load_settings({**base, "DELIGHT_OUTBOX_LEASE_SECONDS": "15"}).outbox_lease_seconds == 15
    with pytest.raises(ConfigError, match="DELIGHT_OUTBOX_LEASE_SECONDS=5 is out of range"):
        load_settings({**base, "DELIGHT_OUTBOX_LEASE_SECONDS": "5"})


def test_health_details_are_off_unless_turned_on() -> None:
    assert settings_with().health_details is False
    assert settings_with(DELIGHT_HEALTH_DETAILS="true").health_details is True
    assert settings_with(DELIGHT_HEALTH_DETAILS="No").health_details is False
    refusal = refusal_for({**MINIMAL, "DELIGHT_HEALTH_DETAILS": "maybe"})
    assert "DELIGHT_HEALTH_DETAILS='maybe'" in refusal


# --- Microsoft Teams ----------------------------------------------------------------------------

TEAMS = {
    "TEAMS_CLIENT_ID": "42FA557D-5B48-5785-BF22-EE564BC025BD",
    "TEAMS_CLIENT_SECRET": "s3cret",
}


def test_teams_alone_needs_no_slack_variable() -> None:
    settings = load_settings(TEAMS)
    assert settings.teams is not None
    assert not settings.serves_slack
    assert settings.teams.client_id == "42fa557d-5b48-5785-bf22-ee564bc025bd"
    assert settings.teams.token_url == (
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    )
    assert "s3cret" not in repr(settings)


def test_a_single_tenant_bot_gets_its_tenants_token_endpoint() -> None:
    tenant = "28efbb18-2065-5f35-a9f0-6521047a0497"
    teams = load_settings({**TEAMS, "TEAMS_TENANT_ID": tenant}).teams
    assert teams is not None
    assert teams.tenant_id == tenant
    assert teams.token_url == f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"TEAMS_CLIENT_SECRET": ""}, "TEAMS_CLIENT_SECRET"),
        ({"TEAMS_CLIENT_ID": "my-bot"}, "TEAMS_CLIENT_ID"),
        ({"TEAMS_TENANT_ID": "contoso.com"}, "TEAMS_TENANT_ID"),
        ({"TEAMS_TOKEN_URL": "ftp://x"}, "TEAMS_TOKEN_URL"),
        ({"TEAMS_APP_ID": "delight"}, "TEAMS_APP_ID"),
    ],
)
def test_a_wrong_teams_variable_is_named(changes: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings({**TEAMS, **changes})


def test_admins_may_be_entra_object_ids() -> None:
    guid = "619b48b9-7842-5523-9653-01b62d817ddb"
    assert guid in load_settings({**TEAMS, "DELIGHT_ADMINS": f"{guid}, U0123ABCD"}).admins
