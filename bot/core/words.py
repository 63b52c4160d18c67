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
