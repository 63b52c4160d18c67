"""People as a card's people picker gives them: Entra object ids, comma-separated."""

from __future__ import annotations

import re

from bot.entra import ENTRA_ID


def picked_ids(
    value: object, *, limit: int, shape: re.Pattern[str] = ENTRA_ID, lower: bool = True
) -> tuple[str, ...]:
    """The ids in a picker's value (a string, or a list of them), in order, once each;
    whatever is not shaped like one is no one. Only the first `limit` characters are read."""
    text = ",".join(str(v) for v in value) if isinstance(value, list) else value
    if not isinstance(text, str):
        return ()
    words = (w.strip() for w in text[:limit].replace(";", ",").split(","))
    found = (w.lower() if lower else w for w in words)
    return tuple(dict.fromkeys(w for w in found if shape.fullmatch(w)))
