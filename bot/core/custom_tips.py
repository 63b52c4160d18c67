"""Admins shaping their workspace's tips: their own tips, and library tips turned off or on.
Checked by the library's rules (lengths, no near-duplicates); every change audited."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import errors
from bot.core.admins import AdminRights
from bot.core.elements import ELEMENT_INFO, Element
from bot.core.ports import AuditLog, Clock
from bot.core.tip_catalogue import TipCustomisations, TipEntry, WorkspaceTips, custom_number
from bot.core.tips import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    MIN_BODY_CHARS,
    REFERENCE_LANGUAGE,
    near_duplicate,
)
from bot.core.words import N_, Said

MAX_CUSTOM_PER_ELEMENT = 20  # so an element's tips still fit one modal


@dataclass(frozen=True, slots=True)
class TipDraft:
    """A custom tip as an admin typed it."""

    element: Element
    title: str
    body: str
    language: str = REFERENCE_LANGUAGE  # the one the admin wrote it in


class CustomTips:
    def __init__(
        self,
        *,
        tips: WorkspaceTips,
        customisations: TipCustomisations,
        admins: AdminRights,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._tips = tips
        self._customisations = customisations
        self._admins = admins
        self._audit = audit
        self._clock = clock

    async def overview(
        self, team_id: str, admin_id: str, element: Element, *, language: str = REFERENCE_LANGUAGE
    ) -> list[TipEntry]:
        """The element's tips, the library's in the admin's `language`."""
        await self._admins.require_admin(team_id, admin_id)
        return await self._tips.entries(team_id, element, language=language)

    async def add(self, team_id: str, admin_id: str, draft: TipDraft) -> TipEntry:
        """Store a new tip for the element; raises TipInvalid naming the field to fix."""
        await self._admins.require_admin(team_id, admin_id)
        title, body = " ".join(draft.title.split()), " ".join(draft.body.split())
        # Compared with the library in the tip's own language: a near-copy of a library tip
        # reads as one in that language.
        entries = await self._tips.entries(team_id, draft.element, language=draft.language)
        self._check(draft.element, title, body, entries)
        added = await self._customisations.add_custom_tip(
            team_id=team_id,
            element=draft.element,
            title=title,
            body=body,
            author_id=admin_id,
            at=self._clock.now(),
            language=draft.language,
        )
        await self._record(team_id, admin_id, "tip.added", added.tip.id, draft.element, title)
        return TipEntry(added.tip, enabled=True, custom=True, author_id=admin_id)

    async def set_enabled(self, team_id: str, admin_id: str, tip_id: str, *, enabled: bool) -> None:
        """Turn a tip of the workspace on or off. Refuses to turn off an element's last tip:
        its weeks would have nothing to send."""
        await self._admins.require_admin(team_id, admin_id)
        entry, entries = await self._entry(team_id, tip_id)
        if entry.enabled == enabled:
            return
        if not enabled:
            self._keep_one(entry, entries)
        number = custom_number(tip_id)
        if number is None:
            await self._customisations.set_library_tip_enabled(
                team_id, tip_id, enabled=enabled, at=self._clock.now()
            )
        else:
            await self._customisations.set_custom_enabled(team_id, number, enabled=enabled)
        action = "tip.enabled" if enabled else "tip.disabled"
        await self._record(team_id, admin_id, action, tip_id, entry.tip.element, entry.tip.title)

    async def delete(self, team_id: str, admin_id: str, tip_id: str) -> None:
        """Delete one of the workspace's own tips (library tips can only be turned off)."""
        await self._admins.require_admin(team_id, admin_id)
        number = custom_number(tip_id)
        if number is None:
            raise errors.TipNotFound()
        entry, entries = await self._entry(team_id, tip_id)
        if entry.enabled:
            self._keep_one(entry, entries)
        await self._customisations.delete_custom_tip(team_id, number)
        await self._record(
            team_id, admin_id, "tip.deleted", tip_id, entry.tip.element, entry.tip.title
        )

    async def _entry(self, team_id: str, tip_id: str) -> tuple[TipEntry, list[TipEntry]]:
        tip = await self._tips.find(team_id, tip_id)
        if tip is None:
            raise errors.TipNotFound()
        entries = await self._tips.entries(team_id, tip.element)
        entry = next((e for e in entries if e.tip.id == tip_id), None)
        if entry is None:
            raise errors.TipNotFound()
        return entry, entries

    @staticmethod
    def _keep_one(entry: TipEntry, entries: list[TipEntry]) -> None:
        if not any(e.enabled for e in entries if e.tip.id != entry.tip.id):
            raise errors.LastTipOfElement(element_name=ELEMENT_INFO[entry.tip.element].name)

    @staticmethod
    def _check(element: Element, title: str, body: str, entries: list[TipEntry]) -> None:
        problems: dict[str, str] = {}
        if not title:
            problems["title"] = Said(
                N_("Give the tip a short title (up to {limit} characters)."),
                limit=MAX_TITLE_CHARS,
            )
        if not body:
            problems["body"] = Said(
                N_("Say what to try and why it matters ({low}–{high} characters)."),
                low=MIN_BODY_CHARS,
                high=MAX_BODY_CHARS,
            )
        if len(title) > MAX_TITLE_CHARS:
            problems.setdefault(
                "title",
                Said(
                    N_("That's too long ({count} characters, at most {limit})."),
                    count=len(title),
                    limit=MAX_TITLE_CHARS,
                ),
            )
        if len(body) < MIN_BODY_CHARS:
            problems.setdefault(
                "body",
                Said(
                    N_("That's too short ({count} characters, at least {limit})."),
                    count=len(body),
                    limit=MIN_BODY_CHARS,
                ),
            )
        if len(body) > MAX_BODY_CHARS:
            problems.setdefault(
                "body",
                Said(
                    N_("That's too long ({count} characters, at most {limit})."),
                    count=len(body),
                    limit=MAX_BODY_CHARS,
                ),
            )
        if problems:
            raise errors.TipInvalid(problems=problems)
        name = Said(ELEMENT_INFO[element].name)
        if sum(e.custom for e in entries) >= MAX_CUSTOM_PER_ELEMENT:
            raise errors.TipInvalid(
                problems={
                    "title": Said(
                        N_("{element} already has {count} tips of your own: delete one first."),
                        element=name,
                        count=MAX_CUSTOM_PER_ELEMENT,
                    )
                }
            )
        repeated = near_duplicate(title, body, (e.tip for e in entries if e.enabled))
        if repeated is not None:
            field, other = repeated
            like = (
                N_(
                    "This title is very like the tip “{other}” already in {element}'s series. "
                    "Say something new, or turn that one off first."
                )
                if field == "title"
                else N_(
                    "This body is very like the tip “{other}” already in {element}'s series. "
                    "Say something new, or turn that one off first."
                )
            )
            raise errors.TipInvalid(problems={field: Said(like, other=other.title, element=name)})

    async def _record(
        self, team_id: str, admin_id: str, action: str, tip_id: str, element: Element, title: str
    ) -> None:
        await self._audit.record(
            team_id=team_id,
            actor_id=admin_id,
            action=action,
            detail={"tip": tip_id, "element": element.value, "title": title},
            at=self._clock.now(),
        )
