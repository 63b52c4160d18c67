"""The language Delight speaks to each person: gettext catalogs managed with Babel, the
current language carried per request in a context variable, dates in that language's way.

What one person sees follows their own locale; what a channel sees follows the workspace's
language. An adapter sets the language for the work it does (`speaking`), so nothing passes a
language by hand. Catalogs live in bot/locales/<language>/LC_MESSAGES/delight.po; they are
read from the .po files themselves at first use, so no compiled file is kept in the tree.
From the project's root,
`pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --add-location=file -o
bot/locales/delight.pot .` collects the messages (N_ marks the core's, which the adapter
translates when it shows them: bot/core/words.py), and
`pybabel update -i bot/locales/delight.pot -d bot/locales -D delight` refreshes the catalogs.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import io
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.core.words import LANGUAGES, Said

ENGLISH = "en"
SUPPORTED = LANGUAGES
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "delight"

_language: ContextVar[str] = ContextVar("delight_language", default=ENGLISH)


def language_for(locale: str | None) -> str:
    """A supported language for a platform's locale ("nl-BE" → "nl", "fr_CA" → "fr");
    English for anything else."""
    if not locale:
        return ENGLISH
    primary = locale.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED else ENGLISH


def current_language() -> str:
    return _language.get()


def speak(language: str) -> None:
    """Speak `language` for the rest of the current task (a request's, which starts in
    English): for a step that cannot wrap what follows it, such as a Bolt middleware."""
    _language.set(language if language in SUPPORTED else ENGLISH)


class speaking:
    """Everything said inside is in `language` (a supported one, else English). A class, not
    a generator: it wraps every message Delight posts."""

    __slots__ = ("_language", "_token")

    def __init__(self, language: str) -> None:
        self._language = language if language in SUPPORTED else ENGLISH

    def __enter__(self) -> None:
        self._token = _language.set(self._language)

    def __exit__(self, *_: object) -> None:
        _language.reset(self._token)


@functools.cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The catalog of `language`, compiled in memory from its .po file."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == ENGLISH or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def gettext(message: str) -> str:
    """`message` in the current language."""
    language = _language.get()
    if language == ENGLISH:  # the messages are written in it: nothing to look up
        return message
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` in the current language (its own plural rules)."""
    return translations(_language.get()).ngettext(singular, plural, count)


_ = gettext


def _babel_locale() -> Locale:
    # British English: the project's English spells and dates that way ("22 November 2026").
    language = _language.get()
    return Locale.parse("en_GB" if language == ENGLISH else language)


def day(value: date) -> str:
    """A day as the current language writes it in full: "22 November 2026", "22 novembre
    2026"."""
    return format_date(value, format="long", locale=_babel_locale())


def days(first: date, last: date) -> str:
    """A range of days as the current language shortens it: "16–22 Nov 2026",
    "16–22 nov. 2026"."""
    return format_interval(first, last, skeleton="yMMMd", locale=_babel_locale())


def number(value: int) -> str:
    """A count as the current language groups its digits: "1,000", "1.000", "1 000"."""
    return format_decimal(value, locale=_babel_locale())


def say(text: str) -> str:
    """A message the core marked, in the current language: a `Said` with its values filled
    in after translation (numbers as the language writes them), any other text translated as
    it is."""
    if not isinstance(text, Said):
        return gettext(text)
    values = {
        name: say(value)
        if isinstance(value, Said)
        else number(value)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in text.values.items()
    }
    return gettext(text.message).format(**values)


def weekday_names() -> list[str]:
    """Monday to Sunday as the current language names them, capitalised for a menu:
    "Monday", "Maandag", "Lundi"."""
    names = get_day_names("wide", locale=_babel_locale())
    return [names[n][:1].upper() + names[n][1:] for n in range(7)]


def weekday_abbreviations() -> list[str]:
    """Monday to Sunday, short: "Mon", "ma", "lun."."""
    names = get_day_names("abbreviated", locale=_babel_locale())
    return [names[n] for n in range(7)]


def moment(value: datetime) -> str:
    """A local time as the current language shortens it, with its zone's abbreviation:
    "Mon 16 Nov 09:00 CET", "lun. 16 nov. 09:00 CET"."""
    shown = format_datetime(value, "EEE d MMM HH:mm", locale=_babel_locale())
    zone = value.strftime("%Z")
    return f"{shown} {zone}" if zone else shown


def decimal(value: float) -> str:
    """An average as the current language writes it, one decimal at most: "2.5", "2,5", "3"."""
    return format_decimal(round(value, 1), format="#,##0.#", locale=_babel_locale())
