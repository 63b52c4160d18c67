"""Finding an IANA timezone by what an admin types ("amsterdam", "new york", "utc")."""

from __future__ import annotations

import unicodedata
from functools import cache
from zoneinfo import available_timezones

MAX_OPTIONS = 100  # Slack shows at most 100 options in a menu


@cache
def all_zones() -> tuple[str, ...]:
    """The canonical region/city names (and UTC), without the legacy aliases that would only
    crowd the list ("US/Eastern", "Etc/GMT+5", "posix/…")."""
    regions = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe"}
    regions |= {"Indian", "Pacific"}
    return ("UTC", *sorted(z for z in available_timezones() if z.split("/")[0] in regions))


def zone_choices(typed: str) -> list[str]:
    """Zones whose name contains what was typed (spaces read as underscores); those whose
    city starts with it first."""
    # "Montréal" finds America/Montreal: zone names are ASCII, people's cities aren't
    folded = unicodedata.normalize("NFKD", typed.casefold())
    wanted = "_".join("".join(c for c in folded if not unicodedata.combining(c)).split())
    if not wanted:
        return []
    found = [zone for zone in all_zones() if wanted in zone.lower()]
    found.sort(key=lambda zone: (not zone.lower().rsplit("/", 1)[-1].startswith(wanted), zone))
    return found[:MAX_OPTIONS]
