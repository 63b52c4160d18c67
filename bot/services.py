"""What the core offers every chat platform's listeners, one small bundle per feature.

The composition root (bot/runtime.py) builds each bundle with its own builder; an adapter's
listeners read the bundle they need from their request's context (on Slack:
handlers/slack/context.py), so a listener can be called in a test with fakes in its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.admins import AdminRights
from bot.core.custom_tips import CustomTips
from bot.core.digest_delivery import DigestService
from bot.core.endorsements import Endorsements
from bot.core.export import WorkspaceExport
from bot.core.home import HomeService
from bot.core.installations import WorkspaceLifecycle
from bot.core.kudos import KudosService
from bot.core.moderation import Moderation
from bot.core.ports import Clock, SettingsRepository
from bot.core.teams import TeamService
from bot.core.tip_admin import TipScheduleAdmin
from bot.core.workspace_admin import WorkspaceAdmin
from bot.turns import DeliveryTurns


@dataclass(frozen=True, slots=True)
class Recognition:
    """Giving, endorsing, taking back, and what a person sees of it."""

    kudos: KudosService
    endorsements: Endorsements
    moderation: Moderation
    home: HomeService
    turns: DeliveryTurns  # how many kudos are delivered at once


@dataclass(frozen=True, slots=True)
class Administration:
    """Who is an admin, the workspace's settings, its export and its installation."""

    admins: AdminRights
    settings: SettingsRepository
    workspace_admin: WorkspaceAdmin
    export: WorkspaceExport
    lifecycle: WorkspaceLifecycle


@dataclass(frozen=True, slots=True)
class TipAdministration:
    """The admins' tip schedules and their own tips."""

    schedules: TipScheduleAdmin
    tips: CustomTips
    clock: Clock


@dataclass(frozen=True, slots=True)
class Digests:
    """Manager digests and the teams of people they are about."""

    digests: DigestService
    teams: TeamService


@dataclass(frozen=True, slots=True)
class Services:
    """Every feature's bundle, as the listeners of any platform receive them."""

    recognition: Recognition
    administration: Administration
    tip_admin: TipAdministration
    digests: Digests
    clock: Clock
