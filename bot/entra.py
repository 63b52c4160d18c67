"""Microsoft Entra ids (tenants, people, apps) as Delight stores them: lower-case GUIDs.
Read by the settings, the CLI and the Teams adapter, so all three agree on one shape."""

from __future__ import annotations

import re

ENTRA_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_entra_id(text: str) -> bool:
    """Whether `text` is a GUID in either case (Azure's portal shows them lower-case; people
    copy them from elsewhere too)."""
    return ENTRA_ID.fullmatch(text.lower()) is not None
