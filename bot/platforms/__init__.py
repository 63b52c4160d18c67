"""The chat platforms Delight runs on: each one's builder returns its adapter's parts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.platform import (
    AnnouncementUpdater,
    Channels,
    DigestPoster,
    Directory,
    MemberSources,
    Notifier,
    People,
    Retractor,
    TipPoster,
)


@dataclass(frozen=True, slots=True)
class PlatformPorts:
    """One platform's implementation of every port in bot/core/platform.py."""

    directory: Directory
    notifier: Notifier
    announcements: AnnouncementUpdater
    retractor: Retractor
    channels: Channels
    tip_poster: TipPoster
    people: People  # paced: scheduled work
    member_sources: MemberSources  # paced
    digest_poster: DigestPoster  # paced
