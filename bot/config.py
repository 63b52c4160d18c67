"""Settings, read once from a mapping (os.environ in production, a dict in tests)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlparse

from cryptography.fernet import Fernet

from bot.core.workspace_admin import DAILY_LIMIT_RANGE
from bot.entra import is_entra_id
from storage.engine import check_database_url
from storage.timeouts import DEFAULT_TIMEOUTS, DatabaseTimeouts

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///delight.db"
DEFAULT_DAILY_LIMIT = 10
LOG_FORMATS = ("text", "json")
# The bot scopes of manifest.json (a test keeps the two the same), asked for when a workspace
# installs Delight through /slack/install.
DEFAULT_BOT_SCOPES = (
    "app_mentions:read",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:read",
    "im:write",
    "reactions:read",
    "usergroups:read",
    "users:read",
)
DEFAULT_OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
DEFAULT_TEAMS_OPENID_METADATA_URL = (
    "https://login.botframework.com/v1/.well-known/openidconfiguration"
)
# The Teams app package's own id: stable across releases, so an upload replaces the last one.
DEFAULT_TEAMS_APP_ID = "3f2b8c1e-6d4a-4f7b-9e52-8a1c0d7e4b61"
PLAYGROUND_CLIENT_ID = "00000000-0000-0000-0000-000000000001"


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True, slots=True)
class SlackOAuth:
    """Multi-workspace mode: the app's credentials for installing it in any workspace."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = DEFAULT_BOT_SCOPES
    redirect_uri: str | None = None  # None: the one Redirect URL set in the app's settings

    @property
    def redirect_path(self) -> str:
        """Where Slack sends the installer back to: the path of SLACK_REDIRECT_URI."""
        if self.redirect_uri is None:
            return DEFAULT_OAUTH_REDIRECT_PATH
        return urlparse(self.redirect_uri).path or DEFAULT_OAUTH_REDIRECT_PATH


@dataclass(frozen=True, slots=True)
class TeamsSettings:
    """Microsoft Teams: the bot's Entra app (its Azure Bot's id and secret)."""

    client_id: str
    client_secret: str = field(repr=False)
    tenant_id: str | None = None  # a single-tenant bot: only this tenant's activities
    openid_metadata_url: str = DEFAULT_TEAMS_OPENID_METADATA_URL
    token_url: str = ""  # see load_teams: the tenant's, or Bot Framework's
    app_id: str = DEFAULT_TEAMS_APP_ID  # the app package's id
    # TEAMS_PLAYGROUND: local testing with Microsoft's Agents Playground, which signs nothing:
    # unsigned activities are taken from this machine only, and nothing is sent elsewhere.
    playground: bool = False

    @property
    def token_scope(self) -> str:
        return "https://api.botframework.com/.default"


@dataclass(frozen=True, slots=True)
class TeamsApp:
    """What the Teams app package names: the bot (its Entra app) and the package's own id."""

    client_id: str
    app_id: str = DEFAULT_TEAMS_APP_ID


@dataclass(frozen=True, slots=True)
class Settings:
    # Secrets stay out of repr(), so a logged Settings shows none of them.
    slack_bot_token: str | None = field(repr=False)  # one workspace; None when `oauth` is set
    slack_signing_secret: str | None = field(repr=False)
    slack_app_token: str | None = field(repr=False)
    slack_api_url: str
    database_url: str
    port: int
    daily_limit: int
    recognition_channel: str | None
    log_level: str
    log_format: str  # "text" or "json"
    leader_retry_seconds: int  # how often a follower tries to become the scheduler leader
    outbox_lease_seconds: int = 60  # how long a delivery under way is left to its process
    admins: frozenset[str] = frozenset()  # Delight admins in every workspace of this deployment
    oauth: SlackOAuth | None = None  # multi-workspace mode
    # Fernet keys for the stored Slack tokens: the first encrypts, every one decrypts.
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    digest_messages_per_minute: int = 60  # workspace-wide pace of digest DMs
    # DELIGHT_HEALTH_DETAILS: /healthz adds the role, the scheduler's jobs and leadership and the
    # outbox's backlog (counts across every workspace) to its `ok`. Off: /healthz is public.
    health_details: bool = False
    database_timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS  # PostgreSQL's bounded waits
    teams: TeamsSettings | None = None  # Microsoft Teams, when its app is configured
    # DELIGHT_PUBLIC_URL: the https address this deployment is reached at (Teams' messaging
    # endpoint's base). Set, Teams digests show their chart, served from under it.
    public_url: str | None = None

    @property
    def serves_slack(self) -> bool:
        return self.slack_bot_token is not None or self.oauth is not None

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def multi_workspace(self) -> bool:
        return self.oauth is not None


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number: use {low}–{high}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range: use {low}–{high}.")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _text(env, name)
    if raw is None:
        return default
    if raw.lower() in ("true", "yes", "on", "1"):
        return True
    if raw.lower() in ("false", "no", "off", "0"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes or no: use true or false.")


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build settings, or raise ConfigError naming the first variable that needs fixing."""
    oauth = load_oauth(env)
    teams = load_teams(env)
    token = _text(env, "SLACK_BOT_TOKEN")
    if token is not None and oauth is not None:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: use the bot "
            "token for one workspace, or the client ID and secret to install Delight in many "
            "workspaces, not both (remove the one you don't mean)."
        )
    if token is None and oauth is None and teams is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from your Slack "
            "app's 'OAuth & Permissions' page into .env (see .env.example), or set "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install Delight in many workspaces "
            "(for Microsoft Teams: TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET)."
        )
    slack = token is not None or oauth is not None
    if token is not None and not token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'.")

    app_token = _text(env, "SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
            "(Basic Information → App-Level Tokens, scope connections:write), or unset for HTTP."
        )
    secret = _text(env, "SLACK_SIGNING_SECRET")
    if slack and secret is None and app_token is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
            "'Basic Information' page into .env (or set SLACK_APP_TOKEN to use Socket Mode)."
        )

    api_url = _text(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not _is_http_url(api_url):
        raise ConfigError(
            f"SLACK_API_URL={api_url!r} is not an http(s) URL: use e.g. {DEFAULT_SLACK_API_URL}"
        )
    if not api_url.endswith("/"):
        api_url += "/"  # slack-sdk joins method names onto it

    database_url = load_database_url(env)

    channel = _text(env, "DELIGHT_RECOGNITION_CHANNEL")
    if channel is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,}", channel):
        raise ConfigError(
            f"DELIGHT_RECOGNITION_CHANNEL={channel!r} is not a channel ID: use the ID "
            "(like C0123ABCD) from the channel's 'About' tab, not its name."
        )
    if channel is not None and oauth is not None:
        raise ConfigError(
            "DELIGHT_RECOGNITION_CHANNEL names one workspace's channel, so it can't apply to "
            "many: unset it, and let each workspace's admins choose theirs (/delight admin)."
        )
    admins = frozenset(re.split(r"[\s,]+", _text(env, "DELIGHT_ADMINS") or "")) - {""}
    for admin in sorted(admins):
        if not (re.fullmatch(r"[UW][A-Z0-9]{2,}", admin) or is_entra_id(admin)):
            raise ConfigError(
                f"DELIGHT_ADMINS has {admin!r}, which is not a user ID: list Slack member IDs "
                "(like U0123ABCD, from a profile's ⋮ menu → 'Copy member ID') or Microsoft "
                "Entra object IDs (a GUID), comma-separated."
            )
    log_level, log_format = load_logging(env)

    low, high = DAILY_LIMIT_RANGE
    return Settings(
        slack_bot_token=token,
        slack_signing_secret=secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url,
        port=_int(env, "PORT", 3000, low=1, high=65535),
        daily_limit=_int(env, "DELIGHT_DAILY_LIMIT", DEFAULT_DAILY_LIMIT, low=low, high=high),
        recognition_channel=channel,
        log_level=log_level,
        admins=admins,
        log_format=log_format,
        leader_retry_seconds=_int(env, "DELIGHT_LEADER_RETRY_SECONDS", 5, low=1, high=60),
        outbox_lease_seconds=_int(env, "DELIGHT_OUTBOX_LEASE_SECONDS", 60, low=10, high=3600),
        oauth=oauth,
        encryption_keys=load_encryption_keys(env),
        digest_messages_per_minute=_int(
            env, "DELIGHT_DIGEST_MESSAGES_PER_MINUTE", 60, low=1, high=6000
        ),
        health_details=_bool(env, "DELIGHT_HEALTH_DETAILS", False),
        database_timeouts=load_database_timeouts(env),
        teams=teams,
        public_url=load_public_url(env),
    )


def load_public_url(env: Mapping[str, str]) -> str | None:
    """DELIGHT_PUBLIC_URL: https, no query or fragment; kept without its trailing "/"."""
    raw = _text(env, "DELIGHT_PUBLIC_URL")
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme != "https" or not parsed.netloc or parsed.query or parsed.fragment:
        raise ConfigError(
            f"DELIGHT_PUBLIC_URL={raw!r} is not an https address: use the base Teams already "
            "reaches Delight at, like https://delight.example.com (Teams shows images only "
            "from https)."
        )
    return raw.rstrip("/")


def load_database_timeouts(env: Mapping[str, str]) -> DatabaseTimeouts:
    """DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_LOCK_TIMEOUT_MS: how long a PostgreSQL
    statement may run and wait for a lock before its work fails (and is retried or answered
    with "try again")."""
    statement = _int(env, "DATABASE_STATEMENT_TIMEOUT_MS", 30_000, low=100, high=3_600_000)
    lock = _int(env, "DATABASE_LOCK_TIMEOUT_MS", 5_000, low=100, high=600_000)
    return replace(DEFAULT_TIMEOUTS, statement=statement / 1000, lock=lock / 1000)


def _is_http_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def load_oauth(env: Mapping[str, str]) -> SlackOAuth | None:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (both or neither), SLACK_SCOPES and
    SLACK_REDIRECT_URI: multi-workspace mode when the first two are set."""
    client_id = _text(env, "SLACK_CLIENT_ID")
    secret = _text(env, "SLACK_CLIENT_SECRET")
    if client_id is None and secret is None:
        return None
    if client_id is None or secret is None:
        missing = "SLACK_CLIENT_ID" if client_id is None else "SLACK_CLIENT_SECRET"
        raise ConfigError(
            f"{missing} is not set: multi-workspace mode needs both the Client ID and the Client "
            "Secret, from your Slack app's 'Basic Information' → 'App Credentials'."
        )
    if not re.fullmatch(r"\d+\.\d+", client_id):
        raise ConfigError(
            f"SLACK_CLIENT_ID={client_id!r} is not a client ID: copy it (digits.digits) from "
            "'Basic Information' → 'App Credentials'."
        )
    listed = re.split(r"[\s,]+", _text(env, "SLACK_SCOPES") or "")
    scopes = tuple(scope for scope in listed if scope) or DEFAULT_BOT_SCOPES
    for scope in scopes:
        if not re.fullmatch(r"[a-z_]+(:[a-z_.]+)*", scope):
            raise ConfigError(
                f"SLACK_SCOPES has {scope!r}, which is not a Slack scope: list bot scopes like "
                "chat:write,commands (comma-separated), or leave it unset for the manifest's."
            )
    redirect_uri = _text(env, "SLACK_REDIRECT_URI")
    if redirect_uri is not None and not _is_http_url(redirect_uri):
        raise ConfigError(
            f"SLACK_REDIRECT_URI={redirect_uri!r} is not an http(s) URL: use the Redirect URL "
            f"of your app's 'OAuth & Permissions' page, e.g. "
            f"https://delight.example.com{DEFAULT_OAUTH_REDIRECT_PATH}."
        )
    return SlackOAuth(
        client_id=client_id, client_secret=secret, scopes=scopes, redirect_uri=redirect_uri
    )


def load_teams(env: Mapping[str, str]) -> TeamsSettings | None:
    """TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET (both or neither) turn Microsoft Teams on;
    TEAMS_TENANT_ID makes the bot single-tenant; TEAMS_OPENID_METADATA_URL and TEAMS_TOKEN_URL
    are Microsoft's own unless a test or a sovereign cloud says otherwise."""
    client_id = _text(env, "TEAMS_CLIENT_ID")
    secret = _text(env, "TEAMS_CLIENT_SECRET")
    if _bool(env, "TEAMS_PLAYGROUND", False):
        if secret is not None or _text(env, "SLACK_BOT_TOKEN") or _text(env, "SLACK_CLIENT_ID"):
            raise ConfigError(
                "TEAMS_PLAYGROUND turns Teams' token checks off for testing on this machine with "
                "the Agents Playground; it can't be on with TEAMS_CLIENT_SECRET or Slack's "
                "credentials, which a real deployment has. Unset TEAMS_PLAYGROUND (or, to play "
                "locally, those)."
            )
        return TeamsSettings(
            client_id=(client_id or PLAYGROUND_CLIENT_ID).lower(),
            client_secret="",
            playground=True,
        )
    if client_id is None and secret is None:
        return None
    if client_id is None or secret is None:
        missing = "TEAMS_CLIENT_ID" if client_id is None else "TEAMS_CLIENT_SECRET"
        raise ConfigError(
            f"{missing} is not set: Microsoft Teams needs both the bot's Microsoft App ID and a "
            "client secret of its Entra app registration ('Certificates & secrets')."
        )
    _check_teams_client_id(client_id)
    tenant_id = _text(env, "TEAMS_TENANT_ID")
    if tenant_id is not None and not is_entra_id(tenant_id):
        raise ConfigError(
            f"TEAMS_TENANT_ID={tenant_id!r} is not a tenant ID: copy the Directory (tenant) ID, "
            "a GUID, from the app registration's 'Overview', or unset it for a multi-tenant bot."
        )
    urls = {}
    for name, default in (
        ("TEAMS_OPENID_METADATA_URL", DEFAULT_TEAMS_OPENID_METADATA_URL),
        (
            "TEAMS_TOKEN_URL",
            "https://login.microsoftonline.com/"
            f"{tenant_id or 'botframework.com'}/oauth2/v2.0/token",
        ),
    ):
        url = _text(env, name) or default
        if not _is_http_url(url):
            raise ConfigError(f"{name}={url!r} is not an http(s) URL: unset it for {default}")
        urls[name] = url
    app_id = _teams_app_id(env)
    return TeamsSettings(
        client_id=client_id.lower(),
        client_secret=secret,
        tenant_id=tenant_id.lower() if tenant_id else None,
        openid_metadata_url=urls["TEAMS_OPENID_METADATA_URL"],
        token_url=urls["TEAMS_TOKEN_URL"],
        app_id=app_id,
    )


def load_teams_app(env: Mapping[str, str]) -> TeamsApp:
    """TEAMS_CLIENT_ID (required) and TEAMS_APP_ID: all the app package needs (no secret)."""
    client_id = _text(env, "TEAMS_CLIENT_ID")
    if client_id is None:
        raise ConfigError(
            "TEAMS_CLIENT_ID is not set: the Teams app package names the bot by its Microsoft "
            "App ID (a GUID, from the Azure Bot's 'Configuration')."
        )
    _check_teams_client_id(client_id)
    return TeamsApp(client_id=client_id.lower(), app_id=_teams_app_id(env))


def _check_teams_client_id(client_id: str) -> None:
    if not is_entra_id(client_id):
        raise ConfigError(
            f"TEAMS_CLIENT_ID={client_id!r} is not an app ID: copy the Microsoft App ID (a GUID "
            "like 00000000-0000-0000-0000-000000000000) from the Azure Bot's 'Configuration'."
        )


def _teams_app_id(env: Mapping[str, str]) -> str:
    app_id = _text(env, "TEAMS_APP_ID") or DEFAULT_TEAMS_APP_ID
    if not is_entra_id(app_id):
        raise ConfigError(
            f"TEAMS_APP_ID={app_id!r} is not a GUID: the Teams app package's id must be one "
            "(keep it the same across releases), or unset it for Delight's own."
        )
    return app_id.lower()


def load_encryption_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    """DELIGHT_ENCRYPTION_KEY: one Fernet key, or several comma-separated while rotating keys
    (the first encrypts; all of them decrypt)."""
    keys = tuple(k for k in re.split(r"[\s,]+", _text(env, "DELIGHT_ENCRYPTION_KEY") or "") if k)
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            which = "" if len(keys) == 1 else f" (key {position})"
            raise ConfigError(
                f"DELIGHT_ENCRYPTION_KEY{which} is not a Fernet key: make one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from None
    return keys


def load_database_url(env: Mapping[str, str]) -> str:
    """DATABASE_URL alone: all the admin commands need."""
    database_url = _text(env, "DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        check_database_url(database_url)
    except Exception as exc:
        raise ConfigError(
            f"DATABASE_URL is not usable ({exc}): use sqlite:///path/to/delight.db or "
            "postgresql://user:password@host:5432/dbname."
        ) from None
    return database_url


def load_logging(env: Mapping[str, str]) -> tuple[str, str]:
    """LOG_LEVEL and LOG_FORMAT (`text` for people, `json`: one object a line, for log
    platforms)."""
    log_level = (_text(env, "LOG_LEVEL") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL={log_level!r}: use DEBUG, INFO, WARNING or ERROR.")
    log_format = (_text(env, "LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(
            f"LOG_FORMAT={log_format!r}: use text (readable lines) or json (one object a line)."
        )
    return log_level, log_format
