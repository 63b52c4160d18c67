"""Marking the words the core says to people, for translation by whoever shows them.

The core stays standard-library only, so it does not translate: `N_` only marks a message for
`pybabel extract` (keyword `N_`), and the adapter translates it when it renders it
(`_(problem)`). Mark whole sentences with named placeholders, filled after translation.
"""

from __future__ import annotations

import json
from typing import overload

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


# Storing what the core said (a delivery's reason, a pause's) in a text column, so a reader
# who comes later still gets it in their language: a `Said` with values is kept as compact
# JSON, its English first so the row reads sense to a person (and to `LIKE`); anything else,
# a fixed message included, is kept as it is, as it always was.
_STORED = '{"text":'


def _encoded(said: Said) -> dict[str, object]:
    kept: dict[str, object] = {"said": said.message}
    if said.values:
        kept["values"] = {
            name: _encoded(value)
            if isinstance(value, Said)
            else value
            if value is None or isinstance(value, bool | int | float | str)
            else str(value)
            for name, value in said.values.items()
        }
    return kept


def _decoded(kept: object) -> object:
    if not isinstance(kept, dict) or not isinstance(kept.get("said"), str):
        return kept
    message, values = kept["said"], kept.get("values") or {}
    if not isinstance(values, dict):
        raise ValueError("values that are not named")
    decoded = {str(name): _decoded(value) for name, value in values.items()}
    message.format(**decoded)  # a placeholder without its value raises here, not when shown
    return Said(message, **decoded)


@overload
def stored(text: str) -> str: ...
@overload
def stored(text: None) -> None: ...
def stored(text: str | None) -> str | None:
    """`text` as it is kept: a `Said` with values as JSON (its English, its message and its
    values: `{"text":"DMed 3 of 5 members","said":"DMed {sent} of {count} members",...}`),
    any other text unchanged."""
    if not isinstance(text, Said) or not text.values:
        return None if text is None else str(text)
    return json.dumps(
        {"text": str(text), **_encoded(text)}, ensure_ascii=False, separators=(",", ":")
    )


@overload
def restored(text: str) -> str: ...
@overload
def restored(text: None) -> None: ...
def restored(text: str | None) -> str | None:
    """What `stored` kept, as it was said: a `Said` again, its values too; any other text (a
    fixed message, a platform's error, a row kept before reasons were stored this way) as it
    is."""
    if text is None or not text.startswith(_STORED):
        return text
    try:
        said = _decoded(json.loads(text))
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):  # not ours: as it is
        return text
    return said if isinstance(said, Said) else text
