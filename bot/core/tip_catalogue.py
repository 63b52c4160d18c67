"""A workspace's tips: the library's, less those its admins turned off, plus their own."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.elements import Element
from bot.core.tips import REFERENCE_LANGUAGE, Tip, TipLibrary

# A custom tip's id in the ledger and in buttons; the library's ids can't contain ':'.
CUSTOM_PREFIX = "custom:"
_CUSTOM_ID = re.compile(rf"{CUSTOM_PREFIX}([1-9][0-9]{{0,17}})")


@dataclass(frozen=True, slots=True)
class CustomTip:
    id: int
    team_id: str
    element: Element
    title: str
    body: str
    enabled: bool
    author_id: str
    language: str = REFERENCE_LANGUAGE  # the one it was written in: it exists in no other

    @property
    def tip(self) -> Tip:
        return Tip(
            id=custom_tip_id(self.id),
            element=self.element,
            title=self.title,
            body=self.body,
            language=self.language,
        )


def custom_tip_id(number: int) -> str:
    return f"{CUSTOM_PREFIX}{number}"


def custom_number(tip_id: str) -> int | None:
    """The stored number of a custom tip's id; None for a library id (or anything else)."""
    match = _CUSTOM_ID.fullmatch(tip_id)
    return int(match.group(1)) if match else None


class TipCustomisations(Protocol):
    async def custom_tips(self, team_id: str, element: Element | None = None) -> list[CustomTip]:
        """The workspace's own tips, oldest first."""
        ...

    async def disabled_tip_ids(self, team_id: str) -> frozenset[str]:
        """Library tips the workspace turned off."""
        ...

    async def add_custom_tip(
        self,
        *,
        team_id: str,
        element: Element,
        title: str,
        body: str,
        author_id: str,
        at: datetime,
        language: str = REFERENCE_LANGUAGE,
    ) -> CustomTip: ...

    async def set_custom_enabled(self, team_id: str, number: int, *, enabled: bool) -> None: ...

    async def delete_custom_tip(self, team_id: str, number: int) -> None: ...

    async def set_library_tip_enabled(
        self, team_id: str, tip_id: str, *, enabled: bool, at: datetime
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class TipEntry:
    """A tip as an admin manages it."""

    tip: Tip
    enabled: bool
    custom: bool
    author_id: str | None = None


class WorkspaceTips:
    """The rotation runs on the reference (English) library's ids; each tip is then shown in
    the reader's language (`in_language`): the library's translation of it, or, for the
    workspace's own tips, which exist only in the language they were written in, that one."""

    def __init__(
        self,
        *,
        library: TipLibrary,
        customisations: TipCustomisations,
        translations: Mapping[str, TipLibrary] | None = None,
    ) -> None:
        self.library = library
        self._customisations = customisations
        self._translations = dict(translations or {})

    def in_language(self, tip: Tip, language: str) -> Tip:
        """The tip as someone reading `language` gets it: the library's translation when
        there is one; as it is otherwise (a workspace's own tip, or a language the library
        isn't in: English)."""
        if tip.language == language or custom_number(tip.id) is not None:
            return tip
        library = self._translations.get(language, self.library)
        return library.get(tip.id) or self.library.get(tip.id) or tip

    async def entries(
        self, team_id: str, element: Element, *, language: str = REFERENCE_LANGUAGE
    ) -> list[TipEntry]:
        """The element's tips in rotation order: the library's (in `language`), then the
        workspace's own (as written)."""
        disabled = await self._customisations.disabled_tip_ids(team_id)
        entries = [
            TipEntry(self.in_language(tip, language), enabled=tip.id not in disabled, custom=False)
            for tip in self.library.for_element(element)
        ]
        entries += [
            TipEntry(custom.tip, enabled=custom.enabled, custom=True, author_id=custom.author_id)
            for custom in await self._customisations.custom_tips(team_id, element)
        ]
        return entries

    async def enabled(self, team_id: str, element: Element) -> tuple[Tip, ...]:
        """What the rotation chooses from, in order; empty when every tip is turned off."""
        return tuple(entry.tip for entry in await self.entries(team_id, element) if entry.enabled)

    async def find(self, team_id: str, tip_id: str) -> Tip | None:
        """Any tip of the workspace, enabled or not; None once a custom tip was deleted."""
        number = custom_number(tip_id)
        if number is None:
            return self.library.get(tip_id)
        for custom in await self._customisations.custom_tips(team_id):
            if custom.id == number:
                return custom.tip
        return None
