"""Instructions per delivered kudos: Delight's own work against the minimal app's, counted.

`python -m bench.instructions [--kudos 1000] [--apps minimal,delight] [--history 20000]`

CPU time on this machine drifts by ±15% and more between runs, more than the differences worth
measuring (bench/ack_and_delivery.py takes turns and medians for that). An instruction count
barely moves: each app runs in a process of its own under valgrind's callgrind, and two runs of
the same code agree to ~0.5% (kudos group into transactions by timing, which moves a little),
whatever else the machine is doing. So a change to the hot path can be judged in minutes.

What is counted: `--kudos` `/delight` requests, each a signed slash command as Slack sends it,
dispatched straight to the app's Bolt app (the aiohttp server and the HTTP are left out: they
are the same for both apps), 50 at a time, until every kudos is delivered; Slack's Web API and
response_url are answered in the same process, at once. Instruction counting starts after a
warm-up (one request per giver: the directory cache knows them, as in a workspace in use) and
stops when the last confirmation is sent. Delight stores into SQLite (or a scratch database on
the PostgreSQL server of `--database-url`) with `--history` kudos of history. Without valgrind
(`--cpu`), the same runs print CPU time instead, which drifts.

Each app runs in its own child process (`--child APP`): the fakes below replace slack-sdk's
HTTP methods for the whole process, which is why they never share one with anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/instructions.py` as well as `-m`
    sys.path.insert(0, str(ROOT))

from slack_bolt.async_app import AsyncApp  # noqa: E402
from slack_sdk.web.async_base_client import AsyncBaseClient  # noqa: E402
from slack_sdk.web.async_slack_response import AsyncSlackResponse  # noqa: E402
from slack_sdk.webhook.async_client import AsyncWebhookClient  # noqa: E402
from slack_sdk.webhook.webhook_response import WebhookResponse  # noqa: E402

from bench import apps  # noqa: E402
from bench.ack_and_delivery import (  # noqa: E402
    DEFAULT_GIVERS,
    MAX_DAILY_LIMIT,
    TEAM_ID,
    Workload,
    delight_database,
    slack_history,
)
from bot.expiring_cache import ExpiringCache  # noqa: E402
from bot.runtime import build_runtime, tune_garbage_collection  # noqa: E402
from handlers.web import SlackRequest  # noqa: E402
from tests.driver import sign  # noqa: E402

Cleanup = Callable[[], Awaitable[None]]
NOWHERE = "http://127.0.0.1:9/"  # never called: the fakes below answer first
CONCURRENCY = 50


class InProcessSlack:
    """Slack's Web API and response_url, answered at once in this process."""

    def __init__(self) -> None:
        self._ts = itertools.count(1)
        self.posted = 0  # chat.postMessage calls
        self.confirmed = 0
        self.expected = 0
        self.all_confirmed = asyncio.Event()

    def install(self) -> None:
        slack = self

        async def api_call(
            client: AsyncBaseClient, api_method: str, **kwargs: Any
        ) -> AsyncSlackResponse:
            await asyncio.sleep(0)  # a real call gives the loop up at least once
            args = kwargs.get("json") or kwargs.get("data") or kwargs.get("params") or {}
            response = AsyncSlackResponse(
                client=client,
                http_verb="POST",
                api_url=api_method,
                req_args={},
                data=slack.answer(api_method, args),
                headers={},
                status_code=200,
            )
            response.validate()  # type: ignore[no-untyped-call]  # as slack-sdk's call does
            return response

        async def send_dict(
            hook: AsyncWebhookClient, body: dict[str, Any], headers: Any = None
        ) -> WebhookResponse:
            await asyncio.sleep(0)
            slack.confirmed += 1
            if slack.confirmed >= slack.expected:
                slack.all_confirmed.set()
            return WebhookResponse(url=hook.url, status_code=200, body="ok", headers={})

        AsyncBaseClient.api_call = api_call  # type: ignore[method-assign,assignment]
        AsyncWebhookClient.send_dict = send_dict  # type: ignore[method-assign,assignment]

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            self.posted += 1
            return {"ok": True, "channel": args["channel"], "ts": f"{next(self._ts)}.000100"}
        if method == "users.info":
            uid = args["user"]
            profile = {"display_name": uid.lower()}
            return {"ok": True, "user": {"id": uid, "tz": "Europe/Paris", "profile": profile}}
        if method == "auth.test":
            return {"ok": True, "team_id": TEAM_ID, "user_id": "UBOT", "bot_id": "BBOT"}
        return {"ok": True}

    def expect(self, confirmations: int) -> None:
        self.posted, self.confirmed, self.expected = 0, 0, confirmations
        self.all_confirmed.clear()


async def deliver(
    bolt: AsyncApp,
    slack: InProcessSlack,
    workload: Workload,
    kudos: int,
    answering: Callable[[], AbstractContextManager[object]],
) -> None:
    """`kudos` requests, CONCURRENCY at a time, until every giver got their confirmation."""
    slack.expect(kudos)
    bodies = iter([workload.next().body.decode() for _ in range(kudos)])

    async def client() -> None:
        for body in bodies:
            headers = {
                **sign(body.encode(), secret=apps.SIGNING_SECRET),
                "content-type": "application/x-www-form-urlencoded",
            }
            with answering():  # as handlers/web.py does
                response = await bolt.async_dispatch(
                    SlackRequest(body=body, query="", headers=headers)
                )
            assert response.status == 200, (response.status, response.body)

    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    await asyncio.wait_for(slack.all_confirmed.wait(), 300)


# Valgrind runs Python some fifty times slower than it runs natively.
VALGRIND_SLOWDOWN = 50


def stretch_cache_lifetimes(factor: float) -> None:
    """Every expiring cache made from now on keeps its entries `factor` times longer. Under
    valgrind a cache entry that lives 30 s natively would outlive a fiftieth of the kudos it
    outlives in a real run: the Teams path's settings and installers of 100 tenants were read
    again several times during a count, some 4% of it, where a real run reads them once."""
    made = ExpiringCache.__init__

    def stretched(self: ExpiringCache[Any, Any], maxsize: int, ttl: float, **kw: Any) -> None:
        made(self, maxsize, ttl * factor, **kw)

    setattr(ExpiringCache, "__init__", stretched)  # noqa: B010


def callgrind_control(switch: str) -> None:
    """Instruction counting on or off in this process, when it runs under callgrind."""
    if os.environ.get("BENCH_UNDER_CALLGRIND"):
        subprocess.run(
            ["callgrind_control", "-i", switch, str(os.getpid())], check=True, capture_output=True
        )


async def slack_app(
    app: str, database: str
) -> tuple[Callable[[int], Awaitable[None]], Callable[[], int], Cleanup | None, int]:
    """(deliver n kudos, messages posted by the last delivery, close, warm-up) for `app`."""
    slack = InProcessSlack()
    slack.install()
    answering: Callable[[], AbstractContextManager[object]] = nullcontext
    close = None
    if app == "delight":
        # The longest lease: under valgrind a burst runs some fifty times slower, and on a busy
        # machine deliveries waiting for a turn ran out of their posting time (half the
        # default lease) and were left to the outbox, posting nothing: the count fell by up to
        # 12%. The lease changes nothing else a kudos costs.
        settings = replace(
            apps.delight_settings(NOWHERE, database, MAX_DAILY_LIMIT), outbox_lease_seconds=3600
        )
        runtime = build_runtime(settings)
        bolt, answering, close = (
            runtime.bolt,
            runtime.services.recognition.turns.answering,
            runtime.close,
        )
    else:
        # build_minimal's Bolt app itself, not the web app around it.
        setattr(apps, "create_web_app", lambda *, bolt, **_: bolt)  # noqa: B010
        bolt = apps.build_minimal(NOWHERE)[0]  # type: ignore[assignment]
    workload = Workload(recipients=1, givers=DEFAULT_GIVERS, response_url=NOWHERE + "respond")

    async def send(kudos: int) -> None:
        await deliver(bolt, slack, workload, kudos, answering)

    return send, lambda: slack.posted, close, DEFAULT_GIVERS  # warm-up: each giver once


async def run_child(
    platform: str,
    app: str,
    kudos: int,
    database: str,
    *,
    counting: Callable[[str], None] = callgrind_control,
) -> None:
    """Warm `app` up, then send `kudos` with `counting("on")` before and `counting("off")`
    once the last is delivered."""
    if os.environ.get("BENCH_UNDER_CALLGRIND"):
        stretch_cache_lifetimes(VALGRIND_SLOWDOWN)
    if platform == "teams":
        from bench.teams_in_process import teams_app

        teams = teams_app(
            app, database, kudos=kudos, concurrency=CONCURRENCY, daily_limit=MAX_DAILY_LIMIT
        )
        send, posted, close, warmup = teams.deliver, teams.posted, teams.close, teams.warmup
    else:
        send, posted, close, warmup = await slack_app(app, database)
    tune_garbage_collection()  # as bench.serving does for every app
    await send(warmup)
    counting("on")
    started = time.process_time()
    await send(kudos)
    cpu = time.process_time() - started
    counting("off")
    print(f"CPU {cpu / kudos * 1000:.3f} ms per kudos", flush=True)
    if posted() < 2 * kudos:  # an announcement and a recipient's message each
        # A delivery that waited its whole posting time for a turn is left to the outbox
        # (bot/core/kudos.py): its giver is confirmed, but nothing is posted, which costs less.
        print(
            f"NOTE {app}: {posted()} of {2 * kudos} messages posted, the rest left to the "
            "outbox (the machine was too busy?): this count is too low",
            flush=True,
        )
    if close is not None:
        await close()


def fill_history(platform: str, database: str, kudos: int) -> None:
    """`kudos` of history in Delight's database, shaped like the platform's counted run."""
    if platform == "teams":
        from bench.teams_in_process import history

        history(database, kudos)
    else:
        slack_history(database, kudos=kudos, givers=DEFAULT_GIVERS)


def count(
    platform: str, app: str, kudos: int, database: str, *, valgrind: bool
) -> tuple[float | None, float]:
    """(instructions, CPU ms) per kudos of one app, in a child process."""
    child = [sys.executable, "-m", "bench.instructions", "--child", app, "--kudos", str(kudos)]
    child += ["--child-database", database, "--platform", platform]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as scratch:
        if valgrind:
            env["BENCH_UNDER_CALLGRIND"] = "1"
            out = str(Path(scratch) / "callgrind.out")
            child = [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                *child,
            ]
        finished = subprocess.run(
            child, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
    if finished.returncode != 0:
        raise SystemExit(f"{app} failed:\n{finished.stderr[-3000:]}")
    cpu = float(re.findall(r"CPU ([\d.]+) ms per kudos", finished.stdout)[-1])
    for note in re.findall(r"^NOTE .*$", finished.stdout, re.MULTILINE):
        print(note, flush=True)
    collected = re.findall(r"Collected : (\d+)", finished.stderr)
    return (int(collected[-1]) / kudos if collected else None), cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--apps", default="minimal,delight", help="comma-separated")
    parser.add_argument("--kudos", type=int, default=1000, help="counted, per app (1000)")
    parser.add_argument("--history", type=int, default=20_000, help="Delight's kudos of history")
    parser.add_argument("--cpu", action="store_true", help="no valgrind: CPU time only")
    parser.add_argument(
        "--platform",
        choices=("slack", "teams"),
        default="slack",
        help="slack: /delight commands; teams: channel @mentions (bench/teams_in_process.py)",
    )
    parser.add_argument(
        "--database-url",
        help="a postgresql:// server for Delight (a scratch database, dropped after); "
        "default: SQLite in a temp dir",
    )
    parser.add_argument("--child", choices=("minimal", "delight"), help=argparse.SUPPRESS)
    parser.add_argument("--child-database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(run_child(args.platform, args.child, args.kudos, args.child_database))
        return 0
    valgrind = not args.cpu
    if valgrind and not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        parser.error("valgrind is not installed (apt-get install valgrind), or use --cpu")
    with (
        tempfile.TemporaryDirectory() as scratch,
        delight_database(args.database_url, Path(scratch)) as (database, described),
    ):
        fill_history(args.platform, database, args.history)
        # One after the other: side by side, each run's timing changes how kudos group into
        # transactions and deliveries, and so the count (by ~1.5%, measured). Only Delight
        # uses the database.
        counted = {
            app: count(args.platform, app, args.kudos, database, valgrind=valgrind)
            for app in args.apps.split(",")
        }
    print(
        f"{args.kudos} kudos per app on {args.platform.capitalize()}, 1 recipient each, "
        f"{CONCURRENCY} at a time"
    )
    print(f"Delight's database: {described}, {args.history:,} kudos of history")
    for app, (instructions, cpu) in counted.items():
        if instructions is None:  # --cpu
            print(f"  {app:8} {cpu:.3f} ms of CPU per kudos (this drifts from run to run)")
        else:
            print(f"  {app:8} {instructions / 1e6:.3f} M instructions per kudos")
    if {"minimal", "delight"} <= counted.keys() and valgrind:
        minimal, delight = counted["minimal"][0], counted["delight"][0]
        assert minimal is not None
        assert delight is not None
        print(f"  minimal/delight: {minimal / delight:.3f}x (without the HTTP both pay alike)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
