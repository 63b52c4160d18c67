"""Bot Framework auth: which inbound tokens are accepted, what the key fetching costs, and the
bot's own client-credentials token (handlers/msteams/auth.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from handlers.msteams.auth import BotFrameworkAuth, BotToken, Caller, KeysUnavailable, Unauthorized
from handlers.msteams.connector import ConnectorUnavailable
from tests.fakemsteams import (
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE,
    STRANGER_KEY,
    FakeConnector,
)


class Clock:
    """A time.time() the test moves."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def run(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(scenario())


@asynccontextmanager
async def verifier(
    fake: FakeConnector, clock: Callable[[], float] = time.time
) -> AsyncIterator[BotFrameworkAuth]:
    async with aiohttp.ClientSession() as http:
        yield BotFrameworkAuth(
            client_id=CLIENT_ID, metadata_url=fake.metadata_url, http=http, clock=clock
        )


def signed_at(fake: FakeConnector, activity: dict[str, Any], clock: Clock) -> str:
    """A token valid at the clock's time."""
    return fake.bearer(activity, nbf=int(clock.now) - 5, exp=int(clock.now) + 3600)


async def refusal(auth: BotFrameworkAuth, header: str | None, service_url: str) -> str:
    with pytest.raises(Unauthorized) as refused:
        await auth.verify(header, service_url=service_url)
    return str(refused.value)


# --- what is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "channel_mention_message",
        "personal_message",
        "message_action_fetch_task",
        "message_action_submit_action",
        "card_action_execute",
        "message_reaction_added",
        "conversation_update_bot_added_to_team",
        "installation_update_add",
    ],
)
def test_an_activity_signed_as_the_bot_framework_signs_is_accepted(
    fake_connector: FakeConnector, kind: str
) -> None:
    activity = fake_connector.activity(kind)

    async def scenario() -> Caller:
        async with verifier(fake_connector) as auth:
            return await auth.verify(
                fake_connector.bearer(activity), service_url=activity["serviceUrl"]
            )

    caller = run(scenario)
    assert caller.claims["aud"] == CLIENT_ID
    assert caller.claims["serviceurl"] == fake_connector.service_url
    # The fake's activity is one Microsoft's own models read as Teams' (the shape is right).
    from microsoft_teams.api import ActivityTypeAdapter

    assert ActivityTypeAdapter.validate_python(activity).type == activity["type"]


def test_a_token_expired_or_not_yet_valid_within_five_minutes_is_accepted(
    fake_connector: FakeConnector,
) -> None:
    activity = fake_connector.activity("personal_message")
    now = int(time.time())
    late = fake_connector.bearer(activity, exp=now - 290)
    early = fake_connector.bearer(activity, nbf=now + 290)

    async def scenario() -> None:
        async with verifier(fake_connector) as auth:
            await auth.verify(late, service_url=activity["serviceUrl"])
            await auth.verify(early, service_url=activity["serviceUrl"])

    run(scenario)


def test_the_serviceurl_may_differ_by_one_trailing_slash(fake_connector: FakeConnector) -> None:
    activity = fake_connector.activity("personal_message")
    without_slash = fake_connector.service_url.rstrip("/")
    header = fake_connector.bearer(activity, serviceurl=without_slash)

    async def scenario() -> None:
        async with verifier(fake_connector) as auth:
            await auth.verify(header, service_url=fake_connector.service_url)
            await auth.verify(fake_connector.bearer(activity), service_url=without_slash)

    run(scenario)


# --- every reason for a refusal ----------------------------------------------------------------


def now() -> int:
    """When the test runs (not when it was collected: the whole suite takes minutes)."""
    return int(time.time())


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (lambda fake, activity: None, "no Authorization header"),
        (lambda fake, activity: "", "no Authorization header"),
        (lambda fake, activity: "Basic " + fake.sign(activity), "not a Bearer token"),
        (lambda fake, activity: "Bearer ", "not a Bearer token"),
        (lambda fake, activity: "Bearer not-a-jwt", "malformed token"),
        (lambda fake, activity: "Bearer a.b.c", "malformed token"),
        (lambda fake, activity: fake.bearer(activity, alg="HS256"), "is not RS256"),
        (lambda fake, activity: fake.bearer(activity, alg="none"), "is not RS256"),
        (lambda fake, activity: fake.bearer(activity, key=STRANGER_KEY), "bad signature"),
        (lambda fake, activity: fake.bearer(activity, kid=None), "no key id"),
        (lambda fake, activity: fake.bearer(activity, aud="someone-else"), "wrong audience"),
        (lambda fake, activity: fake.bearer(activity, aud=None), "no aud claim"),
        (lambda fake, activity: fake.bearer(activity, exp=now() - 400), "expired"),
        (lambda fake, activity: fake.bearer(activity, exp=None), "no exp claim"),
        (lambda fake, activity: fake.bearer(activity, nbf=now() + 400), "not valid yet"),
        (
            lambda fake, activity: fake.bearer(activity, serviceurl="https://evil.example/amer/"),
            "serviceurl differs",
        ),
        (
            lambda fake, activity: fake.bearer(activity, serviceurl=fake.base_url + "/emea/"),
            "serviceurl differs",
        ),
        (lambda fake, activity: fake.bearer(activity, serviceurl=None), "no serviceurl claim"),
    ],
    ids=[
        "no header",
        "empty header",
        "not Bearer",
        "Bearer without a token",
        "not a JWT",
        "malformed JWT",
        "HS256",
        "alg none",
        "another key",
        "no kid",
        "another audience",
        "no audience",
        "expired beyond the leeway",
        "no expiry",
        "not valid for another 400 s",
        "another service URL",
        "another path of the service URL",
        "no serviceurl claim",
    ],
)
def test_a_token_the_bot_framework_did_not_make_for_this_activity_is_refused(
    fake_connector: FakeConnector,
    header: Callable[[FakeConnector, dict[str, Any]], str | None],
    reason: str,
) -> None:
    activity = fake_connector.activity("channel_mention_message")

    async def scenario() -> str:
        async with verifier(fake_connector) as auth:
            return await refusal(auth, header(fake_connector, activity), activity["serviceUrl"])

    assert reason in run(scenario)


def test_a_token_from_another_issuer_is_refused_without_any_network_call(
    fake_connector: FakeConnector,
) -> None:
    activity = fake_connector.activity("personal_message")
    forged = fake_connector.bearer(activity, iss="https://sts.windows.net/attacker/")

    async def scenario() -> None:
        async with verifier(fake_connector) as auth:
            # Before the metadata was ever read …
            assert "another issuer" in await refusal(auth, forged, activity["serviceUrl"])
            assert fake_connector.fetches == {}
            # … and after.
            await auth.verify(fake_connector.bearer(activity), service_url=activity["serviceUrl"])
            for _ in range(5):
                assert "another issuer" in await refusal(auth, forged, activity["serviceUrl"])

    run(scenario)
    assert fake_connector.fetches == {"openid": 1, "keys": 1}


def test_a_key_not_endorsed_for_teams_is_not_used(fake_connector: FakeConnector) -> None:
    fake_connector.state.keys[0].endorsements = ["skype"]
    activity = fake_connector.activity("personal_message")

    async def scenario() -> str:
        async with verifier(fake_connector) as auth:
            return await refusal(auth, fake_connector.bearer(activity), activity["serviceUrl"])

    assert "unknown key id" in run(scenario)


# --- what fetching the keys costs --------------------------------------------------------------


def test_the_metadata_and_keys_are_fetched_once_for_many_requests(
    fake_connector: FakeConnector,
) -> None:
    activities = [fake_connector.activity("channel_mention_message") for _ in range(20)]

    async def scenario() -> None:
        async with verifier(fake_connector) as auth:
            for activity in activities:
                header = fake_connector.bearer(activity)
                await auth.verify(header, service_url=activity["serviceUrl"])

    run(scenario)
    assert fake_connector.fetches == {"openid": 1, "keys": 1}


def test_concurrent_first_requests_share_one_fetch(fake_connector: FakeConnector) -> None:
    fake_connector.slow("GET", "/keys", 0.1)  # the first fetch is still under way when all ask
    activity = fake_connector.activity("personal_message")

    async def scenario() -> list[Caller]:
        async with verifier(fake_connector) as auth:
            header = fake_connector.bearer(activity)
            return await asyncio.gather(
                *(auth.verify(header, service_url=activity["serviceUrl"]) for _ in range(10))
            )

    assert len(run(scenario)) == 10
    assert fake_connector.fetches == {"openid": 1, "keys": 1}


def test_an_unknown_key_id_rereads_the_keys_so_a_rotation_is_picked_up(
    fake_connector: FakeConnector,
) -> None:
    activity = fake_connector.activity("personal_message")
    clock = Clock()

    async def scenario() -> None:
        async with verifier(fake_connector, clock) as auth:
            await auth.verify(fake_connector.bearer(activity), service_url=activity["serviceUrl"])
            clock.now += 3600
            fake_connector.rotate_keys()
            header = signed_at(fake_connector, activity, clock)
            await auth.verify(header, service_url=activity["serviceUrl"])

    run(scenario)
    assert fake_connector.fetches == {"openid": 2, "keys": 2}


def test_a_token_used_again_is_checked_again_for_its_time_and_service_url(
    fake_connector: FakeConnector,
) -> None:
    """The Bot Framework sends one token with many activities: its signature is checked once,
    its times and serviceurl at every use."""
    activity = fake_connector.activity("personal_message")
    clock = Clock()
    header = fake_connector.bearer(activity, nbf=int(clock.now) - 5, exp=int(clock.now) + 60)

    async def scenario() -> list[str]:
        async with verifier(fake_connector, clock) as auth:
            for _ in range(3):
                await auth.verify(header, service_url=activity["serviceUrl"])
            elsewhere = await refusal(auth, header, "https://smba.example.com/emea/")
            clock.now += 60 + 301
            return [elsewhere, await refusal(auth, header, activity["serviceUrl"])]

    assert run(scenario) == ["serviceurl differs from the activity's", "expired"]


def test_a_token_checked_against_keys_since_replaced_is_checked_again(
    fake_connector: FakeConnector,
) -> None:
    """After a rotation, a token signed with a key no longer served is refused, though it was
    accepted before."""
    activity = fake_connector.activity("personal_message")
    clock = Clock()
    old = signed_at(fake_connector, activity, clock)

    async def scenario() -> str:
        async with verifier(fake_connector, clock) as auth:
            await auth.verify(old, service_url=activity["serviceUrl"])
            clock.now += 61
            fake_connector.rotate_keys()
            new = signed_at(fake_connector, activity, clock)
            await auth.verify(new, service_url=activity["serviceUrl"])  # re-reads the keys
            return await refusal(auth, old, activity["serviceUrl"])

    assert run(scenario) == "unknown key id"


def test_a_flood_of_unknown_key_ids_rereads_the_keys_at_most_once_a_minute(
    fake_connector: FakeConnector,
) -> None:
    activity = fake_connector.activity("personal_message")
    clock = Clock()
    unknown = [fake_connector.bearer(activity, kid=f"made-up-{n}") for n in range(30)]

    async def scenario() -> None:
        async with verifier(fake_connector, clock) as auth:
            await auth.verify(fake_connector.bearer(activity), service_url=activity["serviceUrl"])
            clock.now += 61
            for header in unknown:
                assert "unknown key id" in await refusal(auth, header, activity["serviceUrl"])
            assert fake_connector.fetches["keys"] == 2  # one re-read for all thirty
            clock.now += 61
            await refusal(auth, unknown[0], activity["serviceUrl"])
            assert fake_connector.fetches["keys"] == 3

    run(scenario)


def test_keys_a_day_old_are_read_again(fake_connector: FakeConnector) -> None:
    activity = fake_connector.activity("personal_message")
    clock = Clock()

    async def scenario() -> None:
        async with verifier(fake_connector, clock) as auth:
            for moved in (0, 23 * 3600, 3600 + 1):
                clock.now += moved
                header = signed_at(fake_connector, activity, clock)
                await auth.verify(header, service_url=activity["serviceUrl"])
                assert fake_connector.fetches["keys"] == (2 if moved == 3601 else 1)
            assert fake_connector.fetches["keys"] == 2

    run(scenario)


def test_keys_that_cannot_be_read_refuse_the_request_as_unavailable(
    fake_connector: FakeConnector,
) -> None:
    fake_connector.fail("GET", "/keys", 503)
    activity = fake_connector.activity("personal_message")

    async def scenario() -> None:
        async with verifier(fake_connector) as auth:
            with pytest.raises(KeysUnavailable):
                await auth.verify(
                    fake_connector.bearer(activity), service_url=activity["serviceUrl"]
                )
            # The next request reads them again.
            await auth.verify(fake_connector.bearer(activity), service_url=activity["serviceUrl"])

    run(scenario)


def test_old_keys_stay_in_use_while_new_ones_cannot_be_read(
    fake_connector: FakeConnector,
) -> None:
    activity = fake_connector.activity("personal_message")
    clock = Clock()

    async def scenario() -> None:
        async with verifier(fake_connector, clock) as auth:
            await auth.verify(fake_connector.bearer(activity), service_url=activity["serviceUrl"])
            clock.now += 2 * 24 * 3600
            header = signed_at(fake_connector, activity, clock)
            fake_connector.fail("GET", "/openid", 500, times=5)
            for _ in range(5):
                await auth.verify(header, service_url=activity["serviceUrl"])
            assert fake_connector.fetches["openid"] == 2  # tried once, again in a minute

    run(scenario)


# --- the bot's own token -----------------------------------------------------------------------


@asynccontextmanager
async def bot_token(
    fake: FakeConnector,
    clock: Callable[[], float] = time.time,
    *,
    secret: str = CLIENT_SECRET,
    token_url: str | None = None,
) -> AsyncIterator[BotToken]:
    async with aiohttp.ClientSession() as http:
        yield BotToken(
            client_id=CLIENT_ID,
            client_secret=secret,
            token_url=token_url or fake.token_url,
            scope=SCOPE,
            http=http,
            clock=clock,
        )


def test_the_token_is_fetched_once_and_cached_until_five_minutes_before_it_expires(
    fake_connector: FakeConnector,
) -> None:
    clock = Clock()

    async def scenario() -> None:
        async with bot_token(fake_connector, clock) as token:
            first = await token.header()
            assert first.startswith("Bearer fake-bot-token-")
            clock.now += 3600 - 301
            assert await token.header() == first
            assert fake_connector.fetches["token"] == 1
            clock.now += 2
            renewed = await token.header()
            assert renewed != first
            assert renewed.startswith("Bearer ")
            assert fake_connector.fetches["token"] == 2

    run(scenario)


def test_a_short_lived_token_is_renewed_halfway(fake_connector: FakeConnector) -> None:
    fake_connector.set_token_lifetime(120)
    clock = Clock()

    async def scenario() -> None:
        async with bot_token(fake_connector, clock) as token:
            first = await token.header()
            clock.now += 59
            assert await token.header() == first
            clock.now += 2
            assert await token.header() != first

    run(scenario)


def test_concurrent_callers_share_one_token_fetch(fake_connector: FakeConnector) -> None:
    fake_connector.slow("POST", "/token", 0.1)

    async def scenario() -> list[str]:
        async with bot_token(fake_connector) as token:
            return await asyncio.gather(*(token.header() for _ in range(10)))

    headers = run(scenario)
    assert len(set(headers)) == 1
    assert fake_connector.fetches["token"] == 1


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_a_refused_token_request_raises_connector_unavailable(
    fake_connector: FakeConnector, status: int
) -> None:
    fake_connector.fail("POST", "/token", status)

    async def scenario() -> None:
        async with bot_token(fake_connector) as token:
            with pytest.raises(ConnectorUnavailable) as unavailable:
                await token.header()
            assert unavailable.value.status == status
            assert (await token.header()).startswith("Bearer ")  # the next call tries again

    run(scenario)


def test_a_wrong_secret_raises_connector_unavailable(fake_connector: FakeConnector) -> None:
    async def scenario() -> None:
        async with bot_token(fake_connector, secret="not-the-secret") as token:
            with pytest.raises(ConnectorUnavailable):
                await token.header()

    run(scenario)


def test_an_unreachable_token_endpoint_raises_connector_unavailable(
    fake_connector: FakeConnector,
) -> None:
    async def scenario() -> None:
        async with bot_token(fake_connector, token_url="http://127.0.0.1:9/token") as token:
            with pytest.raises(ConnectorUnavailable):
                await token.header()

    run(scenario)


def test_the_token_never_shows_its_secret(fake_connector: FakeConnector) -> None:
    async def scenario() -> str:
        async with bot_token(fake_connector) as token:
            await token.header()
            return repr(token)

    shown = run(scenario)
    assert CLIENT_SECRET not in shown
    assert "fake-bot-token" not in shown
