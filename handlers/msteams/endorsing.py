"""Which Teams reactions say "I saw it too": like and heart unless an admin chose others.

The core keeps a workspace's endorsement reaction as one opaque word
(WorkspaceSettings.endorsement_reaction, None for the platform's default); Teams keeps the
reactions an admin picked there, comma-separated in Teams' own order. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

TEAMS_REACTIONS = ("like", "heart", "laugh", "surprised", "sad", "angry")
DEFAULT_REACTIONS = frozenset({"like", "heart"})


def endorsing(stored: str | None) -> frozenset[str]:
    """The reactions that endorse, from the stored setting."""
    chosen = frozenset(r for r in (stored or "").split(",") if r in TEAMS_REACTIONS)
    return chosen or DEFAULT_REACTIONS


def stored(reactions: Iterable[str]) -> str | None:
    """The setting for the reactions picked (None: the default, like and heart)."""
    picked = frozenset(reactions)
    if picked == DEFAULT_REACTIONS:
        return None
    return ",".join(r for r in TEAMS_REACTIONS if r in picked)
