"""How fast Delight acks /delight and delivers kudos, against what Bolt and the I/O allow.

    .venv/bin/python -m bench.ack_and_delivery [-n 10000] [-c 50] [--recipients 1]
                                               [--database-url postgresql://...] [--rounds 3]

One run, one fake Slack (bench.fake_server, its own process), three apps measured one after
the other (with --rounds R, R times in turn, judged on the medians), each in its own process
and served the same way (bench.apps):

- bare:    Bolt acking /delight and nothing else (the framework's limit);
- minimal: Bolt acking, then posting the same announcement, one DM per recipient and the same
           response_url confirmation, with no checks and no storage (the cost of the I/O);
- delight: the real app (bot.runtime.build_runtime) on a scratch database that holds a year
           of history (--history, 100,000 kudos, statistics taken as autovacuum leaves them).

The givers are a population (--givers, 2,000) taking turns, each giving a few kudos a day as
people do, under Delight's default daily limit. The load generator (this process) warms each
app up (one request per giver, so Delight's directory cache holds them, as in a workspace
that has been running), then fires N signed /delight requests from C concurrent clients
(closed loop, keep-alive) and records each ack's status and latency. The
fake Slack records every call; each kudos carries a `kbNNNNNNN` tag in its story, so the fake
knows when each one had all its recipients DMed. A kudos counts as delivered when every
recipient got a DM; delivered kudos/s is the number delivered over the time from the first
request sent to the last DM received.

Targets (from the issue): Delight delivers ≥ 0.8x the minimal app's kudos/s, p99 ack < 100 ms at
50 concurrent clients, and no answer other than 200. The exit code is 0 whatever the figures
(it is a report); it is 1 if something crashed.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import contextlib
import csv
import gc
import itertools
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import tempfile
import time
import traceback
import uuid
from argparse import ArgumentParser
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp

from bench.apps import APPS, SIGNING_SECRET
from bench.database import add_kudos_history, analyze
from bench.fake_server import giver_id, giver_name
from bench.profile_summary import summarise
from bot.config import DEFAULT_DAILY_LIMIT
from bot.core.workspace_admin import DAILY_LIMIT_RANGE
from storage.engine import make_sync_engine, upgrade_schema
from tests.driver import sign

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"

START_TIMEOUT = 60.0  # a child process must listen within this
STOP_TIMEOUT = 10.0  # then SIGKILL
REQUEST_TIMEOUT = 30.0  # one /delight request
PHASE_TIMEOUT = 300.0  # firing every request of one phase
STALL_TIMEOUT = 20.0  # waiting for deliveries: give up after this long without progress
DELIVERY_CAP = 180.0  # and after this long in all
# Delight's daily limit is its default unless the workload's givers each give more.
MAX_DAILY_LIMIT = DAILY_LIMIT_RANGE[1]
NOISE = 0.25  # CPU share of one core used by other processes that makes a run suspect

# Recipients come from the fake Slack's own members; givers are a population of their own
# (bench.fake_server --givers), each giving a few kudos as people do. With a handful of givers
# each giving hundreds, every kudos would count hundreds of that giver's kudos of the day
# against the daily limit and wait for the giver's lock behind the others.
DEFAULT_GIVERS = 2000
DEFAULT_HISTORY = 100_000  # kudos already in Delight's database
TEAM_ID = "T0001"
MEMBERS = tuple(f"UM{n:04d}" for n in range(20))
NAMES = {
    "U0001": "alice",
    "U0002": "bob",
    "U0003": "carol",
    "U0004": "maria",
    "U0005": "tom",
    **{uid: f"member{n}" for n, uid in enumerate(MEMBERS)},
}
RECIPIENT_POOL = ("U0001", "U0002", "U0003", "U0004", "U0005", *MEMBERS)
MAX_RECIPIENTS = 10  # Delight's own limit


# --- child processes -----------------------------------------------------------------------------


@dataclass
class Child:
    name: str
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


async def start_child(name: str, module_args: list[str], log: Path) -> Child:
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *module_args,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
        )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
    except TimeoutError:
        line = b""
    except BaseException:
        await stop_child(proc)
        raise
    if not line.startswith(b"READY "):
        await stop_child(proc)
        raise RuntimeError(f"{name} did not start; its log ends with:\n{log_tail(log)}")
    return Child(name=name, proc=proc, port=int(line.split()[1]), log=log)


async def stop_child(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the process we started (by its pid), SIGKILL it if it does not exit in time."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def machine_busy_seconds() -> float | None:
    """CPU time all processes used, summed over the cores (Linux /proc/stat), or None."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    ticks = [int(v) for v in first[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Who used the CPU between start() and stop(): our processes, and everything else."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.started = 0.0
        self.before: dict[str, float | None] = {}

    def _read(self) -> dict[str, float | None]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        seen: dict[str, float | None] = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        seen["load generator"] = usage.ru_utime + usage.ru_stime
        seen["machine"] = machine_busy_seconds()
        return seen

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = self._read()

    def stop(self) -> tuple[float, dict[str, float]]:
        """(seconds measured, share of one core per process, 'other processes' included)."""
        after = self._read()
        elapsed = time.monotonic() - self.started
        shares: dict[str, float] = {}
        for name, value in after.items():
            if value is not None and (start := self.before.get(name)) is not None:
                shares[name] = (value - start) / elapsed
        if "machine" in shares:
            machine = shares.pop("machine")
            if len(shares) == len(self.pids) + 1:
                shares["other processes"] = max(machine - sum(shares.values()), 0.0)
        return elapsed, shares


# --- the database --------------------------------------------------------------------------------


def _check_loopback(host: str | None) -> None:
    if host and host not in ("localhost", "::1") and not host.startswith("127."):
        raise SystemExit(f"--database-url must point at a loopback address, not {host!r}")


@contextlib.contextmanager
def delight_database(database_url: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    """(URL Delight uses, how to describe it). PostgreSQL: a scratch database created on that
    server and dropped afterwards. SQLite: the file given, or a fresh one in `workdir`."""
    if database_url is None:
        yield f"sqlite:///{workdir / 'delight.db'}", "SQLite, fresh file in a temp dir"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        yield database_url, f"SQLite, {url.database}"
        return
    if backend not in ("postgres", "postgresql"):
        raise SystemExit(f"unsupported --database-url {database_url!r}: sqlite or postgresql")
    _check_loopback(url.host)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"delight_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        scratch = url.set(drivername="postgresql", database=name)
        yield (
            scratch.render_as_string(hide_password=False),
            f"PostgreSQL, scratch database {name} on {url.host}:{url.port or 5432}",
        )
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_history(
    database_url: str, *, kudos: int, workspaces: Sequence[tuple[str, Sequence[str]]]
) -> float:
    """A year of `kudos`, shared out among the workspaces (each a team id and its people),
    ending a day ago (so no giver's allowance today is touched), then statistics as
    autovacuum would leave them: Delight is measured on a database that has been in use, not
    on empty tables. Returns the seconds it took."""
    started = time.perf_counter()
    upgrade_schema(database_url)
    engine = make_sync_engine(database_url)
    rng = random.Random(7)
    end = datetime.now(UTC) - timedelta(days=1)
    try:
        with engine.begin() as connection:
            first_id = 1
            for n, (team_id, people) in enumerate(workspaces):
                share = kudos // len(workspaces) + (n < kudos % len(workspaces))
                add_kudos_history(
                    connection,
                    team_id=team_id,
                    people=people,
                    kudos=share,
                    end=end,
                    days=365,
                    rng=rng,
                    first_id=first_id,
                )
                first_id += share
        analyze(engine)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def slack_history(database_url: str, *, kudos: int, givers: int) -> float:
    """`load_history` for the Slack workspace's people: recipients and givers."""
    people = [*RECIPIENT_POOL, *(giver_id(n) for n in range(givers))]
    return load_history(database_url, kudos=kudos, workspaces=[(TEAM_ID, people)])


# --- the workload --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    tag: str  # in the story, so the fake can tell which kudos a DM belongs to
    body: bytes
    headers: dict[str, str]  # signed as the platform signs it


class Load(Protocol):
    """A workload: the next request to send (a platform's bench has its own)."""

    def next(self) -> Request: ...


class Workload:
    """Slash-command bodies as Slack sends them: unique trigger ids, givers rotating so no one
    hits the daily limit, never anyone recognising themselves."""

    def __init__(self, *, recipients: int, givers: int, response_url: str) -> None:
        self.recipients = recipients
        self.givers = [giver_id(n) for n in range(givers)]
        self.response_url = response_url
        self.run = uuid.uuid4().hex[:8]
        self._seq = itertools.count(1)

    def next(self) -> Request:
        n = next(self._seq)
        giver = self.givers[n % len(self.givers)]
        first = (n * self.recipients) % len(RECIPIENT_POOL)
        chosen = [RECIPIENT_POOL[(first + k) % len(RECIPIENT_POOL)] for k in range(self.recipients)]
        tag = f"kb{n:07d}"
        mentions = " ".join(f"<@{uid}|{NAMES[uid]}>" for uid in chosen)
        text = (
            f"{mentions} {tag} stayed after closing to help a customer find the perfect gift, "
            "and walked them to the car with it #voluntary #delight"
        )
        fields = {
            "token": "FAKEverificationTOKEN0001",
            "team_id": TEAM_ID,
            "team_domain": "acme",
            "channel_id": "C0001",
            "channel_name": "general",
            "user_id": giver,
            "user_name": giver_name(giver),
            "command": "/delight",
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": self.response_url,
            "trigger_id": f"{n}.{self.run}.bench{uuid.uuid4().hex[:12]}",
        }
        body = urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(body, secret=SIGNING_SECRET),
        }
        return Request(tag=tag, body=body, headers=headers)


# --- firing --------------------------------------------------------------------------------------


@dataclass
class Shot:
    sent_at: float = 0.0  # time.monotonic() in this process
    latency: float = 0.0
    status: int = 0  # 0: no answer (connection error or timeout)
    answered_with_body: bool = False  # a 200 carrying a message: refused in the ack itself
    error: str | None = None
    delivered_at: float | None = None  # last DM of this kudos, in our clock


@dataclass
class Fired:
    shots: list[Shot]
    started: float
    finished: float


async def fire(
    session: aiohttp.ClientSession, url: str, requests: list[Request], concurrency: int
) -> Fired:
    """Closed loop: `concurrency` clients, each sending its next request when answered."""
    prepared = [(request.body, request.headers) for request in requests]
    shots = [Shot() for _ in requests]
    indexes = iter(range(len(requests)))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)

    async def client() -> None:
        for i in indexes:  # shared: each request is taken by exactly one client
            body, headers = prepared[i]
            shot = shots[i]
            shot.sent_at = time.monotonic()
            try:
                async with session.post(url, data=body, headers=headers, timeout=timeout) as r:
                    answer = await r.read()
                    shot.status = r.status
                    shot.answered_with_body = bool(answer.strip())
            except (aiohttp.ClientError, TimeoutError) as exc:
                shot.error = repr(exc)
            shot.latency = time.monotonic() - shot.sent_at

    # The collector off while firing: a full collection of the load generator's heap paused
    # every client at once (up to 128 ms measured), which showed up as the app's latency.
    gc.disable()
    started = time.monotonic()
    clients = [asyncio.create_task(client()) for _ in range(concurrency)]
    try:
        _, pending = await asyncio.wait(clients, timeout=PHASE_TIMEOUT)
    finally:
        for task in clients:
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
        gc.enable()
    if pending:
        raise RuntimeError(f"firing {len(requests)} requests took over {PHASE_TIMEOUT:.0f} s")
    for task in clients:
        task.result()  # a client's unexpected exception is the benchmark's
    return Fired(shots=shots, started=started, finished=time.monotonic())


# --- the fake Slack ------------------------------------------------------------------------------


class Fake:
    def __init__(self, session: aiohttp.ClientSession, child: Child) -> None:
        self.session = session
        self.child = child
        self.offset = 0.0  # fake's monotonic clock minus ours
        self.offset_error = 0.0

    @property
    def api_url(self) -> str:
        return f"{self.child.url}/api/"

    @property
    def response_url(self) -> str:
        return f"{self.child.url}/response/bench"

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=90)
        async with self.session.get(self.child.url + path, params=params, timeout=timeout) as r:
            r.raise_for_status()
            data: dict[str, Any] = await r.json()
            return data

    async def reset(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with self.session.post(self.child.url + "/_bench/reset", timeout=timeout) as r:
            r.raise_for_status()

    async def stats(self) -> dict[str, Any]:
        return await self._get("/_bench/stats")

    async def measure_clock_offset(self, samples: int = 25) -> None:
        """NTP-style: the sample with the shortest round trip bounds the error by half of it.
        (On Linux both clocks are CLOCK_MONOTONIC, so the offset should come out ~0.)"""
        best: tuple[float, float] | None = None
        for _ in range(samples):
            before = time.monotonic()
            theirs = (await self._get("/_bench/clock"))["now"]
            after = time.monotonic()
            rtt = after - before
            if best is None or rtt < best[0]:
                best = (rtt, theirs - (before + after) / 2)
        assert best is not None
        self.offset, self.offset_error = best[1], best[0] / 2

    async def wait_for_io(self, *, kudos: int, recipients: int) -> tuple[dict[str, Any], bool]:
        """Wait until every kudos got its response_url answer and all its DMs and announcement
        (or progress stalls). Returns the fake's stats and whether all of it arrived."""
        want = {"dms": kudos * recipients, "announcements": kudos, "responses": kudos}
        began = time.monotonic()
        progress_at, last_total = began, -1
        while True:
            stats = await self._get("/_bench/wait", timeout=2, **want)
            if all(stats[key] >= value for key, value in want.items()):
                return stats, True
            now = time.monotonic()
            total = stats["dms"] + stats["announcements"] + stats["responses"]
            if total != last_total:
                progress_at, last_total = now, total
            if stats["responses"] >= kudos and now - progress_at > 2:
                return stats, False  # every flow answered: what is missing will not come
            if now - progress_at > STALL_TIMEOUT or now - began > DELIVERY_CAP:
                return stats, False


# --- profiling (--profile) ----------------------------------------------------------------------


def py_spy() -> str:
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


async def start_profiler(child: Child, directory: Path, rate: int) -> asyncio.subprocess.Process:
    """py-spy sampling the app's every thread (idle ones too) without pausing it."""
    with (directory / f"{child.name}.py-spy.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            py_spy(), "record", "--pid", str(child.proc.pid), "--rate", str(rate), "--threads",
            "--idle", "--nonblocking", "--format", "raw", "--duration", str(int(PHASE_TIMEOUT)),
            "-o", str(directory / f"{child.name}.py-spy.raw"),
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
        )  # fmt: skip
    await asyncio.sleep(0.5)  # let it attach
    return proc


async def stop_profiler(
    proc: asyncio.subprocess.Process, child: Child, directory: Path
) -> Path | None:
    """SIGINT makes py-spy write what it has; then summarise it next to the raw file."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        await stop_child(proc)
    raw = directory / f"{child.name}.py-spy.raw"
    if not raw.exists():
        return None
    summary = directory / f"{child.name}.py-spy.summary.txt"
    summary.write_text(summarise(raw) + "\n")
    return summary


# --- one app -------------------------------------------------------------------------------------


@dataclass
class Result:
    app: str
    requests: int
    concurrency: int
    recipients: int
    fired: Fired
    delivers: bool
    stats: dict[str, Any] = field(default_factory=dict)
    complete: bool = True
    delivered_at: list[float] = field(default_factory=list)  # per delivered kudos, our clock
    delivery_latency: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # share of one core, per process
    cpu_window: float = 0.0
    window: float = 0.0  # start of firing to end of all I/O
    log_problems: Counter[str] = field(default_factory=Counter)
    profile: Path | None = None  # the py-spy summary, with --profile

    @property
    def shots(self) -> list[Shot]:
        return self.fired.shots

    @property
    def acked(self) -> int:
        return sum(1 for s in self.shots if s.status == 200)

    @property
    def non_200(self) -> int:
        return len(self.shots) - self.acked

    @property
    def refused_in_ack(self) -> int:
        return sum(1 for s in self.shots if s.status == 200 and s.answered_with_body)

    @property
    def acked_per_second(self) -> float:
        return self.acked / (self.fired.finished - self.fired.started)

    def ack_ms(self, q: float) -> float:
        return percentile([s.latency for s in self.shots if s.status == 200], q) * 1000

    @property
    def delivered(self) -> int:
        return len(self.delivered_at)

    @property
    def delivered_per_second(self) -> float | None:
        if not self.delivers or not self.delivered_at:
            return None
        return self.delivered / (max(self.delivered_at) - self.fired.started)

    def delivery_ms(self, q: float) -> float | None:
        if not self.delivery_latency:
            return None
        return percentile(self.delivery_latency, q) * 1000

    @property
    def app_cpu_ms_per_request(self) -> float | None:
        """The app's CPU per request over the measured run (to the last delivery): a figure
        the machine's drift moves less than throughput, as long as the app is CPU-bound."""
        share = self.cpu.get("app")
        if share is None or not self.requests:
            return None
        return share * self.cpu_window / self.requests * 1000


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ (?P<level>[A-Z]+) (?P<what>.*)$")


def log_problems(path: Path) -> Counter[str]:
    """Warnings and errors an app logged (bench.apps' format), each with the exception that
    ended its traceback, counted by kind."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return Counter()
    records: list[list[str]] = []
    for line in lines:
        if _LOG_RECORD.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    problems: Counter[str] = Counter()
    for first, *rest in records:
        match = _LOG_RECORD.match(first)
        if match is None:
            problems[first[:200]] += 1  # e.g. a crash before logging was set up
        elif match.group("level") in ("WARNING", "ERROR", "CRITICAL"):
            cause = next((line for line in reversed(rest) if line and not line[0].isspace()), "")
            problems[
                f"{match.group('level')} {match.group('what')}"
                + (f" <- {cause[:200]}" if cause else "")
            ] += 1
    return problems


def slack_app(
    app: str, *, fake: Fake, database_url: str, daily_limit: int
) -> tuple[list[str], str]:
    """How to start one of bench.apps against the fake Slack, and the path it serves."""
    args = ["bench.apps", app, "--slack-api-url", fake.api_url]
    if app == "delight":
        args += ["--database-url", database_url, "--daily-limit", str(daily_limit)]
    return args, "/slack/events"


async def measure(
    app: str,
    *,
    serving: tuple[list[str], str],
    workload: Load,
    delivers: bool,
    fake: Fake,
    session: aiohttp.ClientSession,
    workdir: Path,
    requests: int,
    concurrency: int,
    recipients: int,
    warmup: int,
    profile_dir: Path | None,
    profile_rate: int,
) -> Result:
    """One app's run: `serving` is its process's module arguments and the path it serves;
    `workload` makes the requests (a warm-up first, then the measured ones)."""
    module_args, path = serving
    child = await start_child(app, module_args, workdir / f"{app}.log")
    profiler: asyncio.subprocess.Process | None = None
    try:
        url = child.url + path
        await fake.reset()

        # Warm up: first requests pay for auth.test, users.info, pool connections, imports.
        warm = await fire(session, url, [workload.next() for _ in range(warmup)], concurrency)
        if bad := [s for s in warm.shots if s.status != 200]:
            raise RuntimeError(
                f"{app}: {len(bad)} of {warmup} warm-up requests failed "
                f"(first: status {bad[0].status}, {bad[0].error}); log:\n{log_tail(child.log)}"
            )
        if delivers:
            _, ok = await fake.wait_for_io(kudos=warmup, recipients=recipients)
            if not ok:
                raise RuntimeError(
                    f"{app}: warm-up kudos were not delivered; log:\n{log_tail(child.log)}"
                )
        await fake.reset()

        batch = [workload.next() for _ in range(requests)]
        cpu = CpuMeter({"app": child.proc.pid, "fake": fake.child.proc.pid})
        profiler = await start_profiler(child, profile_dir, profile_rate) if profile_dir else None
        cpu.start()
        fired = await fire(session, url, batch, concurrency)
        result = Result(
            app=app,
            requests=requests,
            concurrency=concurrency,
            recipients=recipients,
            fired=fired,
            delivers=delivers,
        )
        if delivers:
            result.stats, result.complete = await fake.wait_for_io(
                kudos=requests, recipients=recipients
            )
            io_end = result.stats["last_call_at"] - fake.offset
            result.window = max(io_end, fired.finished) - fired.started
        else:
            result.stats = await fake.stats()
            result.window = fired.finished - fired.started
        result.cpu_window, result.cpu = cpu.stop()
        if profiler is not None and profile_dir is not None:
            result.profile = await stop_profiler(profiler, child, profile_dir)

        per_kudos = result.stats.get("per_kudos", {})
        for request, shot in zip(batch, fired.shots, strict=True):
            seen = per_kudos.get(request.tag)
            if seen and seen[0] >= recipients:
                at = seen[1] - fake.offset
                shot.delivered_at = at
                result.delivered_at.append(at)
                result.delivery_latency.append(at - shot.sent_at)
        result.log_problems = log_problems(child.log)
        return result
    finally:
        if profiler is not None:
            await stop_child(profiler)  # still running only if something failed
        await stop_child(child.proc)


def save_requests(result: Result, directory: Path, round_: int | None) -> Path:
    """One CSV row per measured request, times in ms from the first request sent."""
    suffix = "" if round_ is None else f".{round_}"
    path = directory / f"{result.app}{suffix}.requests.csv"
    start = result.fired.started
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["request", "sent_ms", "ack_ms", "status", "delivered_ms", "error"])
        for n, shot in enumerate(result.shots):
            delivered = (
                "" if shot.delivered_at is None else f"{(shot.delivered_at - start) * 1000:.3f}"
            )
            writer.writerow(
                [n, f"{(shot.sent_at - start) * 1000:.3f}", f"{shot.latency * 1000:.3f}",
                 shot.status, delivered, shot.error or ""]
            )  # fmt: skip
    return path


# --- the report ----------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def report(
    runs: list[dict[str, Result]],
    *,
    fake: Fake,
    database: str,
    args: argparse.Namespace,
    words: Words,
) -> str:
    """The figures of every round (`runs`: one dict of app → result per round)."""
    out: list[str] = []
    out.append(
        f"machine: {os.cpu_count()} CPU(s), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load generator, app and {words.fake} share them"
    )
    out.append(
        f"workload: {args.requests} {words.requests} per app, {args.concurrency} "
        f"concurrent clients (closed loop, keep-alive), {args.recipients} recipient(s) per "
        f"kudos, {args.warmup} warm-up requests first; {args.givers} givers taking turns "
        f"(Delight's daily limit {args.daily_limit}){words.people}"
    )
    history = (
        f"{args.history:,} kudos of history over the past year, statistics taken "
        f"(loaded in {args.history_load:.1f} s)"
        if args.history
        else "empty"
    )
    out.append(f"delight database: {database}; {history}")
    if args.load_before is not None:
        out.append(
            f"load average (1 min) before the run: {args.load_before[0]:.2f}; CPU used by "
            "other processes during each run is shown below"
        )
    if args.profile:
        out.append(f"profiled with py-spy (it takes CPU too): summaries in {args.profile}")
    out.append(
        f"{words.fake} clock offset: {fake.offset * 1000:+.3f} ms (±{fake.offset_error * 1000:.3f})"
    )
    out.append("")
    header = [
        "app", "requests", "conc", "acked req/s", "p50 ack ms", "p99 ack ms", "max ack ms",
        "non-200", "delivered", "delivered kudos/s", "p50 deliver ms", "p99 deliver ms",
    ]  # fmt: skip
    rows = []
    for label, r in _labelled(runs):
        rows.append(
            [
                label,
                str(r.requests),
                str(r.concurrency),
                _num(r.acked_per_second),
                _num(r.ack_ms(0.50)),
                _num(r.ack_ms(0.99)),
                _num(r.ack_ms(1.0)),
                str(r.non_200),
                f"{r.delivered}/{r.requests}" if r.delivers else "-",
                _num(r.delivered_per_second),
                _num(r.delivery_ms(0.50)),
                _num(r.delivery_ms(0.99)),
            ]
        )
    out.append(table(rows, header))
    out.append("")

    out.append(
        f"{words.calls} seen by the fake during the measured run, and CPU (share of one core):"
    )
    for name, r in _labelled(runs):
        s = r.stats
        calls = ", ".join(f"{m} {n}" for m, n in sorted(s.get("counts", {}).items())) or "none"
        cpu = ", ".join(f"{k} {v * 100:.0f}%" for k, v in r.cpu.items())
        out.append(f"  {name:8} calls: {calls}")
        if r.delivers:
            out.append(
                f"  {'':8} announcements {s['announcements']}, {words.dms} {s['dms']}, "
                f"{words.responses} "
                f"{s['responses']} ({s['confirmed']} 'Sent!'), refused in ack "
                f"{r.refused_in_ack}, all I/O done after {r.window:.2f} s, over "
                f"{s.get('connections', '?')} connections"
            )
        per_request = r.app_cpu_ms_per_request
        out.append(
            f"  {'':8} cpu over {r.cpu_window:.2f} s: {cpu or 'unknown'}"
            + ("" if per_request is None else f"; app {per_request:.3f} ms of CPU a request")
        )
        errors = Counter(s.error for s in r.shots if s.error)
        if errors:
            out.append(f"  {'':8} request errors: {dict(errors.most_common(3))}")
        if r.log_problems:
            out.append(f"  {'':8} app log: {r.log_problems.total()} warnings/errors, most common:")
            out.extend(f"  {'':10}{n} x {what}" for what, n in r.log_problems.most_common(5))
        if r.profile:
            out.append(f"  {'':8} profile: {r.profile}")
    out.append("")

    busy = {name: r.cpu.get("other processes", 0.0) for name, r in _labelled(runs)}
    if noisy := {name: share for name, share in busy.items() if share > NOISE}:
        shares = ", ".join(f"{name} {share:.0%}" for name, share in noisy.items())
        server = (
            " (for delight this includes the PostgreSQL server)"
            if "PostgreSQL" in database and "delight" in noisy
            else ""
        )
        out.append(
            f"NOTE: other processes used a sizeable share of a core during some runs ({shares})"
            f"{server}: if that was other work, the figures are noisy; rerun on a quiet machine."
        )
        out.append("")
    out.append("Targets:" if len(runs) == 1 else f"Targets (median of {len(runs)} rounds):")
    delights = [run["delight"] for run in runs if "delight" in run]
    if not delights:
        out.append("  (delight was not measured)")
        return "\n".join(out)
    ratios = _delight_over_minimal(runs, lambda r: r.delivered_per_second)
    if ratios:
        ratio = statistics.median(ratios)
        if len(runs) == 1:
            d_rate, m_rate = (
                runs[0]["delight"].delivered_per_second,
                runs[0]["minimal"].delivered_per_second,
            )
            shown = f"{d_rate:,.1f}/{m_rate:,.1f} = {ratio:.2f}x"
        else:
            shown = f"{ratio:.2f}x (rounds: {', '.join(f'{x:.2f}' for x in ratios)})"
        out.append(
            f"  delivered throughput delight/minimal = {shown} "
            f"(target >= 0.80x): {'PASS' if ratio >= 0.8 else 'FAIL'}"
        )
    else:
        out.append("  delivered throughput delight/minimal: not measured: FAIL")
    # CPU a request is a cost: the minimal app's over Delight's reads like throughput's ratio.
    cpu_ratios = [1 / x for x in _delight_over_minimal(runs, lambda r: r.app_cpu_ms_per_request)]
    if cpu_ratios:
        each = (
            ""
            if len(cpu_ratios) == 1
            else f" (rounds: {', '.join(f'{x:.2f}' for x in cpu_ratios)})"
        )
        out.append(
            f"  (not a target) CPU a request, minimal/delight = "
            f"{statistics.median(cpu_ratios):.2f}x{each}: the throughput ratio if both apps "
            "were CPU-bound throughout; a lower throughput ratio means Delight also waited"
        )
    p99s = [d.ack_ms(0.99) for d in delights]
    p99 = statistics.median(p99s)
    rounds = "" if len(p99s) == 1 else f" (rounds: {', '.join(f'{x:.1f}' for x in p99s)})"
    note = "" if args.concurrency == 50 else f" (measured at {args.concurrency} concurrent, not 50)"
    out.append(
        f"  delight p99 ack = {p99:.1f} ms{rounds} (target < 100 ms at 50 concurrent){note}: "
        f"{'PASS' if p99 < 100 else 'FAIL'}"
    )
    non_200 = sum(d.non_200 for d in delights)
    others = {name: r.non_200 for name, r in _labelled(runs) if r.non_200}
    out.append(
        f"  non-200 answers: delight {non_200} (target 0): {'PASS' if non_200 == 0 else 'FAIL'}"
        + (f"; all {others}" if others else "")
    )
    delivered = sum(d.delivered for d in delights)
    sent = sum(d.requests for d in delights)
    every = delivered == sent and all(d.complete for d in delights)
    out.append(
        f"  every delight kudos fully delivered: {delivered}/{sent}: {'yes' if every else 'NO'}"
    )
    return "\n".join(out)


def _delight_over_minimal(
    runs: list[dict[str, Result]], figure: Callable[[Result], float | None]
) -> list[float]:
    """Delight's figure over the minimal app's, for each round that has both."""
    return [
        d / m
        for run in runs
        if "delight" in run and "minimal" in run
        and (d := figure(run["delight"]))
        and (m := figure(run["minimal"]))
    ]  # fmt: skip


def _labelled(runs: list[dict[str, Result]]) -> list[tuple[str, Result]]:
    """Each measured run with its row label: the app's name, and its round when there are
    several ("delight #2")."""
    return [
        (name if len(runs) == 1 else f"{name} #{n}", run[name])
        for n, run in enumerate(runs, 1)
        for name in run  # in the order measured
    ]


# --- main ----------------------------------------------------------------------------------------


def bench_parser(
    prog: str, description: str | None, *, apps: Sequence[str], givers: int = DEFAULT_GIVERS
) -> ArgumentParser:
    """The options every delivery bench takes (a platform's bench adds its own)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--requests", type=int, default=10000, help="per app (10000)")
    parser.add_argument("-c", "--concurrency", type=int, default=50, help="clients (50)")
    parser.add_argument(
        "--recipients", type=int, default=1, help=f"per kudos, 1-{MAX_RECIPIENTS} (1)"
    )
    parser.add_argument(
        "--database-url",
        help="Delight's database: a postgresql:// server URL (a scratch database is created on "
        "it and dropped after) or a sqlite:/// file; default: a fresh SQLite file",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=DEFAULT_HISTORY,
        help=f"kudos already in Delight's database, over the past year ({DEFAULT_HISTORY:,}; "
        "0: empty tables)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        help="requests per app first (default: one per giver, at least 50, so each giver's "
        "profile is cached, as in a workspace that has been running)",
    )
    parser.add_argument(
        "--givers",
        type=int,
        default=givers,
        help=f"people giving, in turn ({givers}); Delight's daily limit is its default "
        f"({DEFAULT_DAILY_LIMIT}) unless each gives more",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample each app with py-spy during its measured run; raw stacks and a summary "
        "go to DIR (figures are then a little lower)",
    )
    parser.add_argument(
        "--profile-rate",
        type=int,
        default=100,
        metavar="HZ",
        help="py-spy's samples a second with --profile (100; 1000 resolves small costs, and "
        "lowers the figures more)",
    )
    parser.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="write every measured request (sent, ack latency, status, delivered) to "
        "DIR/<app>.requests.csv",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure the apps this many times, taking turns (minimal, delight, minimal, …), "
        "and judge the targets on the medians: the machine's speed drifts by more than the "
        "margins between runs, and turns expose each app to the same drift (1)",
    )
    parser.add_argument(
        "--apps",
        default=",".join(apps),
        help=f"which apps, in order, comma-separated (default {','.join(apps)})",
    )
    return parser


def checked_args(
    parser: ArgumentParser,
    argv: list[str] | None,
    *,
    apps: Sequence[str],
    warmup: Callable[[argparse.Namespace], int],
) -> argparse.Namespace:
    """The options parsed and checked, and the daily limit the plan needs (`daily_limit`).
    `warmup`: the warm-up's requests unless told."""
    args = parser.parse_args(argv)
    args.apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    if unknown := [a for a in args.apps if a not in apps]:
        parser.error(f"unknown app(s) {unknown}: choose from {tuple(apps)}")
    if args.warmup is None:
        args.warmup = warmup(args)
    args.history_load = 0.0
    if args.history < 0:
        parser.error("--history must be 0 or more")
    if min(args.requests, args.concurrency, args.warmup, args.givers, args.rounds) < 1:
        parser.error("--requests, --concurrency, --warmup, --givers and --rounds must be >= 1")
    if not 1 <= args.recipients <= MAX_RECIPIENTS:
        parser.error(f"--recipients must be 1-{MAX_RECIPIENTS} (Delight's limit)")
    # Every round gives again, on the same day: the limit leaves room for them all.
    per_round = math.ceil((args.requests + args.warmup) / args.givers) * args.recipients
    per_giver = per_round * args.rounds
    if per_giver > MAX_DAILY_LIMIT:
        parser.error(
            f"{per_giver} recognitions per giver would pass the highest daily limit, "
            f"{MAX_DAILY_LIMIT}: raise --givers or lower --requests or --recipients"
        )
    args.daily_limit = max(DEFAULT_DAILY_LIMIT, per_giver)
    if args.profile:
        py_spy()  # fail now, not after the first app
        args.profile.mkdir(parents=True, exist_ok=True)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    args.load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    return args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser("python -m bench.ack_and_delivery", __doc__, apps=APPS)
    return checked_args(parser, argv, apps=APPS, warmup=lambda args: max(50, args.givers))


@dataclass(frozen=True)
class Words:
    """What a platform's bench calls things in its report."""

    fake: str = "fake Slack"
    calls: str = "Slack calls"
    requests: str = "signed /delight requests"
    dms: str = "DMs"
    responses: str = "response_url"
    people: str = ""  # more about the workload's people, if anything


@dataclass(frozen=True)
class AppRun:
    """How to measure one app: its process's module arguments, the path it serves, the
    requests to send it, and whether it delivers anything."""

    module_args: list[str]
    path: str
    workload: Load
    delivers: bool


@dataclass(frozen=True)
class Bench:
    """What a platform's bench plugs into the rounds (`run`)."""

    words: Words
    fake_args: list[str]  # the fake's process: module and arguments, --port 0 included
    history: Callable[[str], float]  # fills Delight's database; the seconds it took
    app: Callable[[str, Fake, str], Awaitable[AppRun]]  # (app, fake, Delight's database)


def slack_bench(args: argparse.Namespace) -> Bench:
    async def app_run(app: str, fake: Fake, database_url: str) -> AppRun:
        module_args, path = slack_app(
            app, fake=fake, database_url=database_url, daily_limit=args.daily_limit
        )
        workload = Workload(
            recipients=args.recipients, givers=args.givers, response_url=fake.response_url
        )
        return AppRun(module_args, path, workload, delivers=app != "bare")

    return Bench(
        words=Words(),
        fake_args=["bench.fake_server", "--port", "0", "--givers", str(args.givers)],
        history=lambda url: slack_history(url, kudos=args.history, givers=args.givers),
        app=app_run,
    )


async def run(args: argparse.Namespace, bench: Bench) -> int:
    """Every round of every app against one fake, then the report."""
    runs: list[dict[str, Result]] = []
    fake_name = bench.words.fake
    with (
        tempfile.TemporaryDirectory(prefix="delight-bench-") as tmp,
        delight_database(args.database_url, Path(tmp)) as (database_url, database),
    ):
        workdir = Path(tmp)
        if "delight" in args.apps and args.history:
            print(f"loading {args.history:,} kudos of history …", file=sys.stderr, flush=True)
            args.history_load = bench.history(database_url)
        connector = aiohttp.TCPConnector(limit=args.concurrency + 5)
        async with aiohttp.ClientSession(connector=connector) as session:
            fake_child = await start_child(fake_name, bench.fake_args, workdir / "fake.log")
            try:
                fake = Fake(session, fake_child)
                await fake.measure_clock_offset()
                for round_ in range(1, args.rounds + 1):
                    results: dict[str, Result] = {}
                    runs.append(results)
                    for app in args.apps:
                        label = app if args.rounds == 1 else f"{app} (round {round_})"
                        print(f"measuring {label} …", file=sys.stderr, flush=True)
                        how = await bench.app(app, fake, database_url)
                        results[app] = await measure(
                            app,
                            serving=(how.module_args, how.path),
                            workload=how.workload,
                            delivers=how.delivers,
                            fake=fake,
                            session=session,
                            workdir=workdir,
                            requests=args.requests,
                            concurrency=args.concurrency,
                            recipients=args.recipients,
                            warmup=args.warmup,
                            profile_dir=args.profile,
                            profile_rate=args.profile_rate,
                        )
                        if args.save:
                            save_requests(
                                results[app], args.save, round_ if args.rounds > 1 else None
                            )
                if fake_child.proc.returncode is not None:
                    raise RuntimeError(f"the {fake_name} died:\n{log_tail(fake_child.log)}")
            finally:
                await stop_child(fake_child.proc)
        print(report(runs, fake=fake, database=database, args=args, words=bench.words))
    return 0


def run_main(args: argparse.Namespace, bench: Bench) -> int:
    """`run` until done or interrupted (SIGTERM too, so every child is stopped): the exit
    code."""

    async def guarded() -> int:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        return await run(args, bench)

    try:
        return asyncio.run(guarded())
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        traceback.print_exc()
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main(args, slack_bench(args))


if __name__ == "__main__":
    sys.exit(main())
