"""Marking the words the core says to people, for translation by whoever shows them.

The core stays standard-library only, so it does not translate: `N_` only marks a message for
`pybabel extract` (keyword `N_`), and the adapter translates it when it renders it
(`_(problem)`). Mark whole sentences with named placeholders, filled after translation.
"""

from __future__ import annotations

# The languages Delight speaks, the first the default: English, Dutch, French.
LANGUAGES = ("en", "nl", "fr")


def N_(message: str) -> str:
    """`message`, unchanged: marked for the catalogs, translated where it is shown."""
    return message


class Said(str):
    """A marked message (`N_`) with values for its named placeholders, kept apart so the
    adapter fills them after translating it (`bot.i18n.say`). As a plain string it reads in
    English, filled in, so a core that shows it anywhere else (a log, a test) reads sense.
    A value that is itself a `Said` (an element's name) is translated too; others are shown
    as they are (numbers in the reader's way)."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, /, **values: object) -> Said:
        said = super().__new__(cls, message.format(**values) if values else message)
        said.message = message
        said.values = values
        return said
