"""`GET /charts/{token}.png`: a digest's chart, for Teams to show in the manager's card. The
token is the only key (256 random bits); after it expires, or for any other path, 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.ports import Clock
from handlers.msteams.digests import CHART_ROUTE, ChartShelf

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def chart_routes(shelf: ChartShelf, clock: Clock) -> dict[str, Handler]:
    async def serve(request: web.Request) -> web.StreamResponse:
        png = await shelf.find(request.match_info["token"], now=clock.now())
        if png is None:
            return web.Response(status=404, text="not found")
        return web.Response(
            body=png,
            content_type="image/png",
            headers={
                "Cache-Control": "private, max-age=86400",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    return {CHART_ROUTE: serve}
