"""`python -m bot tips preview`: the tips library, or which tip each schedule sends next."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.arguments import workspace_id
from bot.cli.database import checked_database_url
from bot.core.elements import Element, element_for_tag, suggest_element
from bot.core.schedule import DeliveryMode, TipSchedule
from bot.core.tip_catalogue import WorkspaceTips
from bot.core.tip_delivery import UpcomingTip, upcoming_tip
from bot.core.tips import TipLibrary, load_tip_library
from storage.custom_tip_repository import SqlTipCustomisations
from storage.engine import Database
from storage.tip_repository import SqlTipScheduleRepository

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def add_parser(commands: Any) -> None:
    tips = commands.add_parser(
        "tips", help="look at the tips library and schedules", description="Scheduled tips."
    )
    tips_commands = tips.add_subparsers(title="commands", metavar="COMMAND", required=True)
    preview = tips_commands.add_parser(
        "preview",
        help="list the tips, or which tip each schedule of a workspace sends next",
        description=(
            "Without --workspace: the tips library, element by element. With --workspace: "
            "each of its schedules, when it next fires, and which tip it sends then (with "
            "--element: which tip of that element it sends next)."
        ),
    )
    preview.add_argument(
        "--element",
        type=_element,
        metavar="ELEMENT",
        help=f"one of: {', '.join(e.value for e in Element)}",
    )
    preview.add_argument("--workspace", type=workspace_id, metavar="T…")
    preview.set_defaults(run=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    library = load_tip_library()
    if args.workspace is None:
        print(library_listing(library, args.element))
        return 0
    upcoming = asyncio.run(_upcoming(checked_database_url(), args.workspace, library, args.element))
    if not upcoming:
        print(f"{args.workspace} has no tip schedules")
    for item in upcoming:
        print(schedule_listing(item))
    return 0


def library_listing(library: TipLibrary, element: Element | None) -> str:
    lines = []
    for each in [element] if element else list(Element):
        tips = library.for_element(each)
        lines.append(f"{each.value.title()} ({len(tips)} tips)")
        lines += [f"  {tip.id}: {tip.title}" for tip in tips]
    return "\n".join(lines)


def schedule_listing(upcoming: UpcomingTip) -> str:
    schedule, tip = upcoming.schedule, upcoming.tip
    where = "DM to each member of" if schedule.mode is DeliveryMode.MEMBERS else "in"
    lines = [f"Schedule {schedule.id}: {_when(schedule)} {where} {schedule.channel_id}"]
    if schedule.paused_reason is not None:
        lines.append(f"  paused ({schedule.paused_reason})")
    if upcoming.occurrence is not None:
        local = upcoming.occurrence.astimezone(ZoneInfo(schedule.timezone))
        lines.append(f"  next: {local:%a %Y-%m-%d %H:%M %Z}, {upcoming.element.value} week")
    if tip is None:
        lines.append(f"  no {upcoming.element.value} tip: every one is turned off")
    else:
        lines.append(f"  next {upcoming.element.value} tip: {tip.id}: {tip.title}")
    return "\n".join(lines)


async def _upcoming(
    database_url: str, team_id: str, library: TipLibrary, element: Element | None
) -> list[UpcomingTip]:
    database = Database(database_url)
    try:
        repository = SqlTipScheduleRepository(database)
        tips = WorkspaceTips(library=library, customisations=SqlTipCustomisations(database))
        now = datetime.now(UTC)
        return [
            await upcoming_tip(schedule, schedules=repository, tips=tips, now=now, element=element)
            for schedule in await repository.for_team(team_id, include_paused=True)
        ]
    finally:
        await database.close()


def _when(schedule: TipSchedule) -> str:
    days = ", ".join(WEEKDAYS[day] for day in sorted(schedule.weekdays))
    return f"{days} at {schedule.at:%H:%M} {schedule.timezone}"


def _element(raw: str) -> Element:
    element = element_for_tag(raw.removeprefix("#"))
    if element is not None:
        return element
    guess = suggest_element(raw.removeprefix("#"))
    hint = f"did you mean {guess.value}? " if guess else ""
    raise argparse.ArgumentTypeError(
        f"{raw!r} is not an element: {hint}use one of {', '.join(e.value for e in Element)}"
    )
