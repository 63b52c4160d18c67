"""The Teams app package: manifest.json and the two icons Teams shows, zipped (all pure)."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

# The newest manifest version Microsoft lists as generally available (preview-only versions are
# refused by some tenants' admin centers); its schema ships in npm @microsoft/app-manifest 1.1.2.
MANIFEST_VERSION = "1.27"
SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.schema.json"
)
# The message action's command id: the `commandId` of its composeExtension/fetchTask invokes.
RECOGNISE_COMMAND_ID = "recognise"
ACCENT_COLOR = "#3B2A63"  # the Slack app's background colour
SPARKLE_GOLD = (247, 200, 92)
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
COLOR_ICON_SIZE = 192
OUTLINE_ICON_SIZE = 32
# Placeholders (the schema requires all three https URLs): `teams-package` takes the real ones.
PROJECT_URL = "https://github.com/delight-recognition/delight"

SHORT_DESCRIPTION = "Recognise colleagues for service that delights customers."
FULL_DESCRIPTION = (
    "Delight helps teams notice and recognise exceptional service, built on Steve Curtin's "
    "definition: customer service is a voluntary act that demonstrates a genuine desire to "
    "satisfy, if not delight, a customer. Mention @Delight with a colleague and what they did "
    "(tag it with the elements it showed, like #voluntary), or use 'Recognise with Delight' on "
    "any message: the recognition is announced, the colleague hears from Delight, and others "
    "can say they saw it too. In your personal chat with Delight: help, me, top, undo, home."
)
PERSONAL_COMMANDS = (
    ("help", "How to recognise someone, and the seven elements"),
    ("me", "The recognition you have received and given"),
    ("top", "Who was recognised most this month"),
    ("undo", "Take back your last recognition (within 15 minutes)"),
    ("home", "Your Delight page: received, given, elements, allowance"),
    ("settings", "Delight's settings for your organisation (admins)"),
    ("tips", "Weekly tips in a channel or to each member; tips status (admins)"),
)


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who the Teams app store listing says publishes Delight: the organisation running it."""

    name: str = "Delight"
    website_url: str = PROJECT_URL
    privacy_url: str = f"{PROJECT_URL}#privacy"
    terms_url: str = f"{PROJECT_URL}#licence"


def build_manifest(
    *,
    app_id: str,
    bot_id: str,
    version: str,
    domains: Sequence[str] = (),
    publisher: Publisher | None = None,
) -> dict[str, Any]:
    """The manifest for a bot whose Entra app (Azure Bot) id is `bot_id`, packaged as `app_id`."""
    publisher = publisher or Publisher()
    manifest: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": publisher.name,
            "websiteUrl": publisher.website_url,
            "privacyUrl": publisher.privacy_url,
            "termsOfUseUrl": publisher.terms_url,
        },
        "name": {"short": "Delight", "full": "Delight: recognise exceptional service"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": title, "description": description}
                            for title, description in PERSONAL_COMMANDS
                        ],
                    }
                ],
            }
        ],
        "composeExtensions": [
            {
                "botId": bot_id,
                "canUpdateConfiguration": False,
                "commands": [
                    {
                        "id": RECOGNISE_COMMAND_ID,
                        "type": "action",
                        "title": "Recognise with Delight",
                        "description": "Recognise a colleague for exceptional service",
                        "context": ["message", "compose", "commandBox"],
                        "fetchTask": True,
                    }
                ],
            }
        ],
    }
    if domains:
        manifest["validDomains"] = list(dict.fromkeys(domains))
    return manifest


def color_icon() -> bytes:
    """192×192, full colour: a gold sparkle and a small white one on the accent colour."""
    scale = 4  # drawn large, then scaled down: Pillow's polygons have no antialiasing
    size = COLOR_ICON_SIZE * scale
    image = Image.new("RGB", (size, size), _hex_rgb(ACCENT_COLOR))
    draw = ImageDraw.Draw(image)
    draw.polygon(_sparkle(0.45 * size, 0.55 * size, 0.34 * size), fill=SPARKLE_GOLD)
    draw.polygon(_sparkle(0.74 * size, 0.26 * size, 0.12 * size), fill=(255, 255, 255))
    return _png(image.resize((COLOR_ICON_SIZE, COLOR_ICON_SIZE), Image.Resampling.LANCZOS))


def outline_icon() -> bytes:
    """32×32, white on transparent (Teams tints it): the sparkle alone, in the alpha channel."""
    scale = 8
    size = OUTLINE_ICON_SIZE * scale
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    # fuller sides than the colour icon's: thin points vanish at 32 pixels
    draw.polygon(_sparkle(0.42 * size, 0.58 * size, 0.38 * size, pinch=2.8), fill=255)
    draw.polygon(_sparkle(0.78 * size, 0.22 * size, 0.16 * size, pinch=2.6), fill=255)
    alpha = mask.resize((OUTLINE_ICON_SIZE, OUTLINE_ICON_SIZE), Image.Resampling.LANCZOS)
    image = Image.new("RGBA", alpha.size, (255, 255, 255, 0))
    image.putalpha(alpha)
    return _png(image)


def build_package(manifest: dict[str, Any]) -> bytes:
    """The zip Teams takes: manifest.json and the icons at its root."""
    files = {
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n",
        COLOR_ICON: color_icon(),
        OUTLINE_ICON: outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            # a fixed date: the same settings make the same bytes
            entry = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _sparkle(
    x: float, y: float, radius: float, *, pinch: float = 3.4, steps: int = 128
) -> list[tuple[float, float]]:
    """A four-pointed star with curved sides: pinch 2 would draw a diamond, 3 an astroid."""
    points = []
    for step in range(steps):
        angle = 2 * math.pi * step / steps
        cos, sin = math.cos(angle), math.sin(angle)
        points.append(
            (
                x + radius * math.copysign(abs(cos) ** pinch, cos),
                y + radius * math.copysign(abs(sin) ** pinch, sin),
            )
        )
    return points


def _hex_rgb(color: str) -> tuple[int, int, int]:
    value = int(color.removeprefix("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
