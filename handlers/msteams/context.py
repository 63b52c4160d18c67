"""What every Teams listener draws on: the core's services and the adapter's own parts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from bot.core.ports import EventLedger
from bot.nomination import NominationFlow
from bot.services import Services
from handlers.msteams.answers import Answer
from handlers.msteams.book import ConversationBook
from handlers.msteams.connector import Connector
from handlers.msteams.digests import Rosters
from handlers.msteams.directory import TeamsDirectory
from handlers.msteams.installs import InstallBook
from handlers.msteams.messenger import Messenger


@dataclass(frozen=True, slots=True)
class TeamsServices:
    core: Services
    flow: NominationFlow[Answer]
    messenger: Messenger
    directory: TeamsDirectory
    book: ConversationBook
    ledger: EventLedger  # each activity acted on once, however often Teams retries it
    rosters: Rosters  # the tenant's people and Teams teams, for managers' teams
    installs: InstallBook  # the teams Delight is installed in, and who installed each
    connector: Connector  # for what no other part asks Teams (a team's channels)
    # A name held by one process at a time across all of them (storage's `Database.held`):
    # a tenant's installs, removals and team events are taken one at a time.
    held: Callable[[str], AbstractAsyncContextManager[None]]
