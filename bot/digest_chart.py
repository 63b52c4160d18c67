"""The digest's chart: the team's kudos by element, this week against the four-week average,
drawn on the server with matplotlib's Agg backend (no display, no pyplot state)."""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor

from bot.core.digest import AVERAGE_WEEKS, Digest
from bot.core.elements import ELEMENT_INFO
from bot.i18n import ENGLISH, _, speaking

logger = logging.getLogger(__name__)

THIS_WEEK = "#E0712C"
AVERAGE = "#9AA5B1"


def draw_chart(digest: Digest, language: str = ENGLISH) -> bytes:
    """A PNG labelled in `language`. matplotlib is imported here, not at start-up: it takes a
    while to load. (Drawn on a thread of its own, which doesn't share the caller's context:
    hence the language by hand.)"""
    with speaking(language):
        return _draw(digest)


def _draw(digest: Digest) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [_(ELEMENT_INFO[e.element].name) for e in digest.elements]
    this_week = [e.this_week for e in digest.elements]
    average = [e.average for e in digest.elements]
    positions = range(len(names))

    figure = Figure(figsize=(7.2, 3.2), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.bar(
        [p - 0.2 for p in positions], this_week, width=0.4, color=THIS_WEEK, label=_("This week")
    )
    axes.bar(
        [p + 0.2 for p in positions],
        average,
        width=0.4,
        color=AVERAGE,
        label=_("{weeks}-week average").format(weeks=AVERAGE_WEEKS),
    )
    axes.set_xticks(list(positions), names, fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no half recognitions
    axes.set_ylabel(_("Recognitions"), fontsize=8)
    axes.set_title(
        _("{team} — kudos by element").format(team=digest.team_name), fontsize=10, loc="left"
    )
    axes.legend(frameon=False, fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class MatplotlibCharts:
    """Draws on one thread of its own: a chart takes tens of milliseconds of CPU, which must
    not stall the event loop, and one thread keeps matplotlib out of concurrent use."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")

    async def render(self, digest: Digest, *, language: str = ENGLISH) -> bytes | None:
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._thread, draw_chart, digest, language
            )
        except Exception:  # a chart is never worth a lost digest: text bars go instead
            logger.exception("could not draw the digest chart for team %s", digest.team_pk)
            return None

    def close(self) -> None:
        self._thread.shutdown(wait=False)
