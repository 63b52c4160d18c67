"""The Bot Connector client: each REST call against the fake, retries, refusals and the pace
of messages (handlers/msteams/connector.py)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from handlers.msteams.auth import BotToken
from handlers.msteams.connector import (
    CONVERSATIONS_KEPT,
    MARGIN,
    Connector,
    ConnectorError,
    ConnectorUnavailable,
    Forbidden,
    Member,
    NotFound,
    Pace,
    RetryPolicy,
)
from tests.fakemsteams import (
    ALICE,
    BOB,
    BOT_ID,
    CAROL,
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE,
    TEAM_ID,
    TENANT_ID,
    FakeConnector,
)

THREAD = f"{TEAM_ID};messageid=1733550000000"
QUOTED_THREAD = "19%3Ateam-general%40thread.tacv2%3Bmessageid%3D1733550000000"
QUOTED_TEAM = "19%3Ateam-general%40thread.tacv2"
BUSY = "19:busy@thread.tacv2"


DEFAULT_RETRY = RetryPolicy()


def message(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "conversation": {"tenantId": TENANT_ID}}


class Sleeps:
    """An asyncio.sleep that only notes what it was asked to wait."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


class VirtualTime:
    """A clock and a sleep that moves it: paced sends take no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def run(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(scenario())


@asynccontextmanager
async def connected(
    fake: FakeConnector,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    pace: Pace | None = None,
    sleeps: Sleeps | None = None,
    request_timeout: float = 10,
) -> AsyncIterator[Connector]:
    async with aiohttp.ClientSession() as http:
        token = BotToken(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            token_url=fake.token_url,
            scope=SCOPE,
            http=http,
        )
        yield Connector(
            token=token,
            http=http,
            retry=retry,
            pace=pace,
            sleep=sleeps or Sleeps(),
            timeout=aiohttp.ClientTimeout(total=request_timeout),
        )


# --- each call ---------------------------------------------------------------------------------


def test_send_posts_under_the_service_urls_path_with_the_id_quoted(
    fake_connector: FakeConnector,
) -> None:
    async def scenario() -> str:
        async with connected(fake_connector) as connector:
            return await connector.send(fake_connector.service_url, THREAD, message("thanks!"))

    activity_id = run(scenario)
    [call] = fake_connector.calls
    assert (call.method, call.path) == (
        "POST",
        f"/amer/v3/conversations/{QUOTED_THREAD}/activities",
    )
    assert (call.token or "").startswith("fake-bot-token-")
    [posted] = fake_connector.activities(THREAD)
    assert (posted["id"], posted["text"]) == (activity_id, "thanks!")


def test_a_service_url_without_its_trailing_slash_is_completed(
    fake_connector: FakeConnector,
) -> None:
    async def scenario() -> None:
        async with connected(fake_connector) as connector:
            await connector.send(fake_connector.service_url.rstrip("/"), TEAM_ID, message("hi"))

    run(scenario)
    assert fake_connector.calls[0].path == f"/amer/v3/conversations/{QUOTED_TEAM}/activities"


def test_reply_posts_to_the_activity_replied_to(fake_connector: FakeConnector) -> None:
    async def scenario() -> str:
        async with connected(fake_connector) as connector:
            return await connector.reply(
                fake_connector.service_url, TEAM_ID, "1733550000000", message("well done")
            )

    reply_id = run(scenario)
    [call] = fake_connector.calls
    assert call.path == f"/amer/v3/conversations/{QUOTED_TEAM}/activities/1733550000000"
    assert call.body["replyToId"] == "1733550000000"
    [posted] = fake_connector.activities(TEAM_ID)
    assert posted["id"] == reply_id


def test_update_replaces_and_delete_removes_a_posted_message(
    fake_connector: FakeConnector,
) -> None:
    url = fake_connector.service_url

    async def scenario() -> tuple[str, str]:
        async with connected(fake_connector) as connector:
            kept = await connector.send(url, THREAD, message("announcement"))
            gone = await connector.send(url, THREAD, message("oops"))
            await connector.update(url, THREAD, kept, message("announcement, seen by 2"))
            await connector.delete(url, THREAD, gone)
            return kept, gone

    kept, gone = run(scenario)
    assert [a["text"] for a in fake_connector.activities(THREAD)] == ["announcement, seen by 2"]
    assert fake_connector.deleted(THREAD) == [gone]
    put, delete = fake_connector.calls[2:]
    assert (put.method, put.path) == (
        "PUT",
        f"/amer/v3/conversations/{QUOTED_THREAD}/activities/{kept}",
    )
    assert put.body["id"] == kept
    assert (delete.method, delete.path) == (
        "DELETE",
        f"/amer/v3/conversations/{QUOTED_THREAD}/activities/{gone}",
    )


def test_updating_a_message_that_is_gone_raises_not_found(fake_connector: FakeConnector) -> None:
    async def scenario() -> None:
        async with connected(fake_connector) as connector:
            with pytest.raises(NotFound) as gone:
                await connector.update(fake_connector.service_url, THREAD, "404", message("x"))
            assert gone.value.code == "ActivityNotFoundInConversation"
            assert gone.value.status == 404

    run(scenario)
    assert len(fake_connector.calls) == 1  # not retried


def test_create_personal_opens_the_1_1_chat(fake_connector: FakeConnector) -> None:
    async def scenario() -> str:
        async with connected(fake_connector) as connector:
            return await connector.create_personal(
                fake_connector.service_url,
                tenant_id=TENANT_ID,
                member_id=BOB.member_id,
                bot_id=BOT_ID,
            )

    assert run(scenario) == BOB.personal_id
    [call] = fake_connector.calls
    assert (call.method, call.path) == ("POST", "/amer/v3/conversations")
    assert call.body == {
        "bot": {"id": BOT_ID},
        "members": [{"id": BOB.member_id}],
        "tenantId": TENANT_ID,
        "isGroup": False,
        "channelData": {"tenant": {"id": TENANT_ID}},
    }


def test_a_person_teams_will_not_let_the_bot_reach_raises_forbidden_at_once(
    fake_connector: FakeConnector,
) -> None:
    fake_connector.refuse_personal(BOB.aad_id)
    url = fake_connector.service_url

    async def scenario() -> None:
        async with connected(fake_connector) as connector:
            with pytest.raises(Forbidden) as refused:
                await connector.create_personal(
                    url, tenant_id=TENANT_ID, member_id=BOB.member_id, bot_id=BOT_ID
                )
            assert refused.value.code == "BotNotInConversationRoster"
            with pytest.raises(Forbidden):
                await connector.send(url, BOB.personal_id, message("you were recognised"))

    run(scenario)
    assert len(fake_connector.calls) == 2  # neither retried


def test_member_is_found_by_member_id_or_aad_id(fake_connector: FakeConnector) -> None:
    async def scenario() -> tuple[Member | None, Member | None]:
        async with connected(fake_connector) as connector:
            url = fake_connector.service_url
            return (
                await connector.member(url, THREAD, BOB.member_id),
                await connector.member(url, TEAM_ID, BOB.aad_id),
            )

    by_member_id, by_aad_id = run(scenario)
    assert (
        by_member_id
        == by_aad_id
        == Member(
            member_id=BOB.member_id,
            aad_id=BOB.aad_id,
            name="Bob Baker",
            given_name="Bob",
            surname="Baker",
            email="bob@contoso.example",
            upn="bob@contoso.example",
            tenant_id=TENANT_ID,
        )
    )
    quoted_member = BOB.member_id.replace(":", "%3A")
    assert fake_connector.calls[0].path == (
        f"/amer/v3/conversations/{QUOTED_THREAD}/members/{quoted_member}"
    )


def test_a_personal_chats_roster_is_its_person(fake_connector: FakeConnector) -> None:
    async def scenario() -> Member | None:
        async with connected(fake_connector) as connector:
            return await connector.member(
                fake_connector.service_url, ALICE.personal_id, ALICE.member_id
            )

    found = run(scenario)
    assert found is not None
    assert found.aad_id == ALICE.aad_id


def test_a_member_the_roster_does_not_know_is_none(fake_connector: FakeConnector) -> None:
    async def scenario() -> Member | None:
        async with connected(fake_connector) as connector:
            return await connector.member(fake_connector.service_url, TEAM_ID, "29:nobody")

    assert run(scenario) is None
    assert len(fake_connector.calls) == 1


def test_an_aad_id_is_kept_lowercase(fake_connector: FakeConnector) -> None:
    fake_connector.add_member(TENANT_ID, "ABCDEF12-0000-4000-8000-00000000000A", "Dee Dunn")

    async def scenario() -> Member | None:
        async with connected(fake_connector) as connector:
            return await connector.member(
                fake_connector.service_url, TEAM_ID, "ABCDEF12-0000-4000-8000-00000000000A"
            )

    found = run(scenario)
    assert found is not None
    assert found.aad_id == "abcdef12-0000-4000-8000-00000000000a"


def test_members_page_follows_the_continuation_token(fake_connector: FakeConnector) -> None:
    for n in range(2):
        fake_connector.add_member(TENANT_ID, f"00000000-0000-4000-8000-00000000000{n}", f"P {n}")

    async def scenario() -> list[tuple[list[Member], str | None]]:
        pages = []
        continuation: str | None = None
        async with connected(fake_connector) as connector:
            while True:
                page = await connector.members_page(
                    fake_connector.service_url, THREAD, continuation=continuation, page_size=2
                )
                pages.append(page)
                if (continuation := page[1]) is None:
                    return pages

    pages = run(scenario)
    names = [[member.name for member in members] for members, _ in pages]
    assert names == [["Alice Archer", "Bob Baker"], ["Carol Chen", "P 0"], ["P 1"]]
    assert [token is None for _, token in pages] == [False, False, True]
    assert "=" in (pages[0][1] or "")  # a token a URL must quote, sent back intact
    first, second = (call.path for call in fake_connector.calls[:2])
    assert first == f"/amer/v3/conversations/{QUOTED_THREAD}/pagedmembers?pageSize=2"
    assert "continuationToken=" in second
    assert "%3D" in second


def test_team_channels_lists_each_channel_with_its_name(fake_connector: FakeConnector) -> None:
    fake_connector.add_channel(TEAM_ID, "19:kudos@thread.tacv2", "Kudos")

    async def scenario() -> list[tuple[str, str]]:
        async with connected(fake_connector) as connector:
            return await connector.team_channels(fake_connector.service_url, TEAM_ID)

    assert run(scenario) == [(TEAM_ID, ""), ("19:kudos@thread.tacv2", "Kudos")]
    assert fake_connector.calls[0].path == f"/amer/v3/teams/{QUOTED_TEAM}/conversations"


# --- retries -----------------------------------------------------------------------------------


def test_a_429_is_retried_after_its_retry_after(fake_connector: FakeConnector) -> None:
    fake_connector.fail("POST", "/activities", 429, retry_after=3)
    sleeps = Sleeps()

    async def scenario() -> str:
        async with connected(fake_connector, sleeps=sleeps) as connector:
            return await connector.send(fake_connector.service_url, THREAD, message("hi"))

    assert run(scenario)
    assert sleeps.asked == [3.0]
    assert len(fake_connector.calls) == 2
    assert len(fake_connector.activities(THREAD)) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retried_with_growing_backoff(
    fake_connector: FakeConnector, status: int
) -> None:
    fake_connector.fail("POST", "/activities", status, times=3)
    sleeps = Sleeps()
    retry = RetryPolicy(attempts=4, base_delay=1.0, max_total_wait=30)

    async def scenario() -> str:
        async with connected(fake_connector, sleeps=sleeps, retry=retry) as connector:
            return await connector.send(fake_connector.service_url, THREAD, message("hi"))

    assert run(scenario)
    first, second, third = sleeps.asked
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 2.0
    assert 2.0 <= third <= 4.0


def test_giving_up_raises_connector_unavailable_with_teams_code(
    fake_connector: FakeConnector,
) -> None:
    fake_connector.fail("GET", "/members/", 503, times=10)
    sleeps = Sleeps()

    async def scenario() -> None:
        async with connected(fake_connector, sleeps=sleeps, retry=RetryPolicy(3)) as connector:
            with pytest.raises(ConnectorUnavailable) as unavailable:
                await connector.member(fake_connector.service_url, TEAM_ID, BOB.member_id)
            assert (unavailable.value.status, unavailable.value.code) == (
                503,
                "ServiceUnavailable",
            )

    run(scenario)
    assert len(fake_connector.calls) == 3
    assert len(sleeps.asked) == 2


def test_a_retry_after_beyond_the_total_wait_gives_up_at_once(
    fake_connector: FakeConnector,
) -> None:
    fake_connector.fail("POST", "/activities", 429, retry_after=120)
    sleeps = Sleeps()

    async def scenario() -> None:
        async with connected(fake_connector, sleeps=sleeps) as connector:
            with pytest.raises(ConnectorUnavailable) as unavailable:
                await connector.send(fake_connector.service_url, THREAD, message("hi"))
            assert unavailable.value.status == 429

    run(scenario)
    assert sleeps.asked == []


def test_a_timeout_is_retried(fake_connector: FakeConnector) -> None:
    fake_connector.slow("GET", "/members/", 1.0)
    sleeps = Sleeps()

    async def scenario() -> Member | None:
        async with connected(fake_connector, sleeps=sleeps, request_timeout=0.2) as connector:
            return await connector.member(fake_connector.service_url, TEAM_ID, BOB.member_id)

    found = run(scenario)
    assert found is not None
    assert found.name == "Bob Baker"
    assert len(sleeps.asked) == 1


def test_an_unreachable_connector_raises_connector_unavailable(
    fake_connector: FakeConnector,
) -> None:
    sleeps = Sleeps()

    async def scenario() -> None:
        async with connected(fake_connector, sleeps=sleeps) as connector:
            with pytest.raises(ConnectorUnavailable) as unavailable:
                await connector.send("http://127.0.0.1:9/amer/", THREAD, message("hi"))
            assert unavailable.value.status == 0

    run(scenario)
    assert len(sleeps.asked) == RetryPolicy().attempts - 1


@pytest.mark.parametrize(("status", "error"), [(400, ConnectorError), (403, Forbidden)])
def test_a_refusal_is_not_retried(
    fake_connector: FakeConnector, status: int, error: type[ConnectorError]
) -> None:
    fake_connector.fail("POST", "/activities", status, code="SomeTeamsCode")
    sleeps = Sleeps()

    async def scenario() -> None:
        async with connected(fake_connector, sleeps=sleeps) as connector:
            with pytest.raises(error) as refused:
                await connector.send(fake_connector.service_url, THREAD, message("hi"))
            assert not isinstance(refused.value, ConnectorUnavailable)
            assert (refused.value.status, refused.value.code) == (status, "SomeTeamsCode")

    run(scenario)
    assert sleeps.asked == []
    assert len(fake_connector.calls) == 1


def test_no_token_means_connector_unavailable(fake_connector: FakeConnector) -> None:
    fake_connector.fail("POST", "/token", 500)

    async def scenario() -> None:
        async with connected(fake_connector) as connector:
            with pytest.raises(ConnectorUnavailable):
                await connector.send(fake_connector.service_url, THREAD, message("hi"))

    run(scenario)
    assert fake_connector.calls == []


def test_a_retry_logs_one_short_line_without_the_token_or_the_message(
    fake_connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    fake_connector.fail("POST", "/activities", 503)
    caplog.set_level(logging.DEBUG, logger="handlers.msteams")

    async def scenario() -> None:
        async with connected(fake_connector) as connector:
            await connector.send(fake_connector.service_url, THREAD, message("a secret story"))

    run(scenario)
    [line] = [r for r in caplog.records if r.name.startswith("handlers.msteams")]
    text = line.getMessage()
    assert "send" in text
    assert "ServiceUnavailable" in text
    assert "secret story" not in caplog.text
    assert "fake-bot-token" not in caplog.text


# --- pacing ------------------------------------------------------------------------------------


def most_within(times: list[float], seconds: float) -> int:
    """The most sends in any window of `seconds`."""
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


def test_twenty_sends_to_one_conversation_take_the_time_teams_limits_demand(
    fake_connector: FakeConnector,
) -> None:
    time = VirtualTime()
    pace = Pace(clock=time.clock, sleep=time.sleep)
    sent_at: list[float] = []

    async def scenario() -> None:
        async with connected(fake_connector, pace=pace) as connector:
            for n in range(20):
                await connector.send(fake_connector.service_url, THREAD, message(f"{n}"))
                sent_at.append(time.now)

    run(scenario)
    assert len(fake_connector.activities(THREAD)) == 20
    # 7 a second and 8 in 2 seconds: sends 1, 9 and 17 are at least 2 s apart.
    assert time.now >= 4.0
    assert most_within(sent_at, 1.0) <= 7
    assert most_within(sent_at, 2.0) <= 8


async def sent(pace: Pace, conversation_id: str | None, tenant_id: str) -> None:
    """A request through the pace, answered as soon as it left."""
    async with pace.sending(conversation_id, tenant_id):
        pass


class SimulatedLoop:
    """Virtual time for senders that wait side by side: time stands still while any of them
    can run, then jumps to the earliest wake-up. `late` (seconds, per sleep in order) is how
    much later than asked a sleeper wakes, as on a busy event loop."""

    def __init__(self, late: Callable[[int], float] = lambda _n: 0.0) -> None:
        self.now = 0.0
        self._late = late
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._sleeps = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        n = next(self._sleeps)
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds + self._late(n), n, woken))
        await woken

    async def departures(self, senders: Sequence[Coroutine[Any, Any, None]]) -> list[float]:
        """Runs the senders side by side; the times each left (its wait returned), in order."""
        left: list[float] = []

        async def timed(sender: Coroutine[Any, Any, None]) -> None:
            await sender
            left.append(self.now)

        tasks = [asyncio.ensure_future(timed(sender)) for sender in senders]
        while not all(task.done() for task in tasks):
            for _ in range(1000):  # until each sender sleeps or is done
                await asyncio.sleep(0)
                if len(self._sleepers) == sum(not task.done() for task in tasks):
                    break
            else:
                raise AssertionError("a sender is stuck outside the pace's sleep")
            if self._sleepers:
                wake_at, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake_at)
                woken.set_result(None)
        for task in tasks:
            task.result()
        return left


def test_the_pace_reserves_slots_so_concurrent_senders_keep_the_limits() -> None:
    time = SimulatedLoop()
    pace = Pace(per_tenant=(1000, 1.0), clock=time.clock, sleep=time.sleep)

    left = run(lambda: time.departures([sent(pace, BUSY, TENANT_ID) for _ in range(100)]))

    assert most_within(left, 1.0) <= 7
    assert most_within(left, 2.0) <= 8
    assert most_within(left, 30.0) <= 60
    assert left[60] >= 30.0


def test_a_sender_woken_late_never_leaves_too_close_to_the_next() -> None:
    """On a busy event loop a sleeper wakes late: the next sender's slot was planned from the
    late one's, and it must wait again rather than leave inside the window."""
    lateness = random.Random(22)
    most_late = 0.4
    time = SimulatedLoop(late=lambda _n: lateness.uniform(0.0, most_late))
    pace = Pace(clock=time.clock, sleep=time.sleep)

    left = run(
        lambda: time.departures([sent(pace, f"a:person-{n}", TENANT_ID) for n in range(300)])
    )

    assert most_within(left, 1.0) <= 50
    # Still close to the allowed rate: the first 50 at once, then about 50 a second, with the
    # last sender's few late wake-ups.
    assert time.now < (300 - 50) / 50 * MARGIN + 3 * most_late


def test_a_conversations_sends_keep_its_limits_when_woken_late() -> None:
    time = SimulatedLoop(late=lambda n: 0.3 if n % 3 == 0 else 0.0)
    pace = Pace(clock=time.clock, sleep=time.sleep)

    left = run(lambda: time.departures([sent(pace, BUSY, TENANT_ID) for _ in range(40)]))

    assert most_within(left, 1.0) <= 7
    assert most_within(left, 2.0) <= 8
    assert most_within(left, 30.0) <= 60


def test_a_request_counts_until_its_answer() -> None:
    """Teams counted a slow request when it arrived, at some moment before its answer: the
    next may not leave until a window after that answer."""
    time = SimulatedLoop()
    pace = Pace(per_tenant=(1, 1.0), clock=time.clock, sleep=time.sleep)

    async def slow() -> None:
        async with pace.sending("a:slow", TENANT_ID):
            await time.sleep(0.5)  # on the network, or in a busy event loop

    async def next_one() -> None:
        await asyncio.sleep(0)  # after the slow one left
        await sent(pace, "a:next", TENANT_ID)

    left = run(lambda: time.departures([slow(), next_one()]))

    assert left == [0.5, pytest.approx(0.5 + MARGIN)]


def test_one_busy_conversation_does_not_hold_up_another() -> None:
    time = SimulatedLoop()
    pace = Pace(clock=time.clock, sleep=time.sleep)
    quiet: list[float] = []

    async def quiet_one() -> None:
        await asyncio.sleep(0)  # after the busy conversation's 30 have their slots
        await sent(pace, "19:quiet@thread.tacv2", TENANT_ID)
        quiet.append(time.now)

    senders = [sent(pace, BUSY, TENANT_ID) for _ in range(30)] + [quiet_one()]
    left = run(lambda: time.departures(senders))

    assert quiet == [0.0]
    assert max(left) >= (30 - 8) / 8 * 2.0  # the busy one's 30 went at its own pace


def test_the_pace_forgets_idle_conversations_and_looks_only_when_many_more_came() -> None:
    now = [0.0]
    pace = Pace(per_tenant=(10**9, 1.0), clock=lambda: now[0], sleep=Sleeps())
    looks: list[int] = []
    forget = pace._forget_idle

    def counted() -> None:
        looks.append(len(pace._conversations))
        forget()

    pace._forget_idle = counted  # type: ignore[method-assign]

    async def send(conversations: range) -> None:
        for n in conversations:
            await sent(pace, f"19:thread-{n}", TENANT_ID)

    run(lambda: send(range(CONVERSATIONS_KEPT + 10)))  # all busy within the hour: kept
    busy = len(pace._conversations)
    now[0] = 2 * 3600.0  # the hour's window is over for each
    run(lambda: send(range(CONVERSATIONS_KEPT + 10, 3 * CONVERSATIONS_KEPT)))
    assert busy == CONVERSATIONS_KEPT + 10
    assert looks[0] == CONVERSATIONS_KEPT + 1  # one look, then none until twice as many
    assert looks[1] == 2 * CONVERSATIONS_KEPT + 3  # the first 10,010 forgotten then
    assert len(looks) == 3
    assert len(pace._conversations) <= 2 * CONVERSATIONS_KEPT


def test_a_tenant_gets_at_most_fifty_messages_a_second() -> None:
    time = SimulatedLoop()
    pace = Pace(clock=time.clock, sleep=time.sleep)
    elsewhere: list[float] = []

    async def other_tenant() -> None:
        await asyncio.sleep(0)  # after the first tenant's 120 have their slots
        await sent(pace, "a:someone-elsewhere", "another-tenant")
        elsewhere.append(time.now)

    senders = [sent(pace, f"a:person-{n}", TENANT_ID) for n in range(120)]
    left = run(lambda: time.departures([*senders, other_tenant()]))

    left.remove(elsewhere[0])
    assert elsewhere == [0.0]  # the other tenant's went at once
    assert left.count(0.0) == 50  # the first 50 too
    assert most_within(left, 1.0) <= 50


def test_a_card_is_paced_with_the_tenant_it_is_sent_for(fake_connector: FakeConnector) -> None:
    """Delight's cards name no tenant: each tenant's 50 a second are its own all the same."""
    time = VirtualTime()
    pace = Pace(per_tenant=(1, 1.0), clock=time.clock, sleep=time.sleep)
    card = {"type": "message", "summary": "a card"}
    url = fake_connector.service_url

    async def scenario() -> None:
        async with connected(fake_connector, pace=pace) as connector:
            await connector.send(url, THREAD, card, tenant_id=TENANT_ID)
            await connector.send(url, "a:elsewhere", card, tenant_id="another-tenant")
            assert time.now == 0.0
            await connector.send(url, "a:someone", card, tenant_id=TENANT_ID)

    run(scenario)
    assert time.now == pytest.approx(MARGIN)


def test_opening_a_1_1_chat_counts_against_the_tenant_only() -> None:
    time = VirtualTime()
    pace = Pace(per_tenant=(2, 1.0), clock=time.clock, sleep=time.sleep)

    async def scenario() -> list[float]:
        left = []
        for _ in range(3):
            await sent(pace, None, TENANT_ID)
            left.append(time.now)
        return left

    assert run(scenario) == [0.0, 0.0, pytest.approx(MARGIN)]


def test_members_of_the_default_roster_are_the_example_payloads_people(
    fake_connector: FakeConnector,
) -> None:
    async def scenario() -> list[Member]:
        async with connected(fake_connector) as connector:
            members, _ = await connector.members_page(fake_connector.service_url, TEAM_ID)
            return members

    assert [m.aad_id for m in run(scenario)] == [ALICE.aad_id, BOB.aad_id, CAROL.aad_id]
