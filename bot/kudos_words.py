"""What replaces a recognition taken back, on every platform: the announcement's note and the
recipient's. Italic in both platforms' markdown (`_…_`). Translated when shown."""

from __future__ import annotations

from bot.core.model import Retraction
from bot.core.words import N_

RETRACTED_ANNOUNCEMENT = {
    Retraction.WITHDRAWN: N_("_This recognition is no longer here: its giver withdrew it._"),
    Retraction.REMOVED: N_("_This recognition is no longer here: a Delight admin removed it._"),
}
RETRACTED_FOR_RECIPIENT = {
    Retraction.WITHDRAWN: N_(
        "_A recognition you received is no longer here: its giver withdrew it._"
    ),
    Retraction.REMOVED: N_(
        "_A recognition you received is no longer here: a Delight admin removed it._"
    ),
}
