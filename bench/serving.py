"""How the benchmark's child processes serve: on loopback, saying where, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable

from aiohttp import web

from bot.runtime import tune_garbage_collection

ORPHAN_CHECK = 0.5  # seconds between checks that the benchmark that started us is still there


async def serve_until_stopped(
    app: web.Application, port: int, *, bound: Callable[[int], None] | None = None
) -> None:
    """Serve `app` on 127.0.0.1:`port` (0: any free port), print `READY <port>` on stdout,
    and return after SIGTERM or SIGINT, or once the parent process is gone (so a benchmark
    killed with SIGKILL leaves nothing running behind it). `bound` learns the port first, for a
    server whose answers name its own address."""
    parent = os.getppid()
    tune_garbage_collection()  # as bot.runtime.serve does, for all three apps alike
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    listening = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    if bound is not None:
        bound(listening)
    print(f"READY {listening}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    while not stop.is_set() and os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ORPHAN_CHECK)
    await runner.cleanup()
