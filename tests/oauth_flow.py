"""Installing the running app in a workspace the way a browser and Slack do it."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlencode, urlparse

from cryptography.fernet import Fernet

from tests.fakeslack import CLIENT_ID, CLIENT_SECRET, FakeSlack

ENCRYPTION_KEY = Fernet.generate_key().decode()


def oauth_env(env: dict[str, str]) -> dict[str, str]:
    """The single-workspace test environment, turned into multi-workspace mode."""
    changed = {k: v for k, v in env.items() if k != "SLACK_BOT_TOKEN"}
    changed.update(
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        DELIGHT_ENCRYPTION_KEY=ENCRYPTION_KEY,
    )
    return changed


@dataclass
class Page:
    status: int
    body: str
    headers: dict[str, str]


def browse(url: str, *, cookie: str | None = None, language: str | None = None) -> Page:
    """A browser's GET; `language`: its Accept-Language."""
    headers = {"Cookie": cookie} if cookie else {}
    if language:
        headers["Accept-Language"] = language
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return Page(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Page(error.code, error.read().decode(), dict(error.headers))


@dataclass
class InstallStart:
    """What /slack/install gave the browser: Slack's authorize URL (with its state) and the
    state cookie."""

    authorize_url: str
    state: str
    cookie: str


def start_install(app_url: str, *, language: str | None = None) -> InstallStart:
    page = browse(app_url + "/slack/install", language=language)
    assert page.status == 200, page.body
    [link] = re.findall(r'href="([^"]*oauth/v2/authorize[^"]*)"', page.body)
    authorize_url = unescape(link)
    state = parse_qs(urlparse(authorize_url).query)["state"][0]
    cookie = page.headers["Set-Cookie"].split(";")[0]
    return InstallStart(authorize_url, state, cookie)


def finish_install(
    app_url: str, *, code: str, state: str, cookie: str | None, language: str | None = None
) -> Page:
    """Slack's redirect back to the app, followed by the installer's browser."""
    query = urlencode({"code": code, "state": state})
    return browse(f"{app_url}/slack/oauth_redirect?{query}", cookie=cookie, language=language)


def install(
    app_url: str, fake: FakeSlack, team_id: str, *, rotating: bool = False, expires_in: int = 0
) -> Page:
    """The whole install of the app in `team_id` by one of its admins."""
    started = start_install(app_url)
    extra = {"expires_in": expires_in} if expires_in else {}
    code = fake.grant(team_id, rotating=rotating, **extra)
    page = finish_install(app_url, code=code, state=started.state, cookie=started.cookie)
    assert page.status == 200, page.body
    return page
