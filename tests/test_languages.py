"""Which language Delight speaks, and how it writes dates in each."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.i18n import SUPPORTED, current_language, day, days, language_for, speaking


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nl-NL", "nl"),
        ("nl-BE", "nl"),
        ("fr-FR", "fr"),
        ("fr-CA", "fr"),
        ("fr_CA", "fr"),
        ("en-US", "en"),
        ("de-DE", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_locale_maps_to_a_supported_language_or_english(
    locale: str | None, language: str
) -> None:
    assert language_for(locale) == language


def test_the_language_is_carried_per_task_and_restored() -> None:
    async def speaks(language: str) -> str:
        with speaking(language):
            await asyncio.sleep(0)  # another task runs meanwhile, in its own language
            return current_language()

    async def both() -> list[str]:
        return list(await asyncio.gather(speaks("nl"), speaks("fr")))

    assert asyncio.run(both()) == ["nl", "fr"]
    assert current_language() == "en"
    with speaking("de"):  # not supported: English
        assert current_language() == "en"


@pytest.mark.parametrize(
    ("language", "full", "week"),
    [
        ("en", "22 November 2026", "16\u2009–\u200922 Nov 2026"),  # thin spaces: CLDR
        ("nl", "22 november 2026", "16–22 nov 2026"),
        ("fr", "22 novembre 2026", "16–22 nov. 2026"),
    ],
)
def test_dates_are_written_as_each_language_writes_them(
    language: str, full: str, week: str
) -> None:
    with speaking(language):
        assert day(date(2026, 11, 22)) == full
        assert days(date(2026, 11, 16), date(2026, 11, 22)) == week


def test_english_dutch_and_french_are_supported() -> None:
    assert SUPPORTED == ("en", "nl", "fr")
