"""Making user-written text safe to show in Slack: no pings, no disguised links."""

from __future__ import annotations

import re

from bot.i18n import _

WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)


def escape(text: str) -> str:
    """Slack's own escaping: after it, '<' can start no mention, link or command."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def defuse(text: str) -> str:
    """User text made inert for mrkdwn: escaped, and @here/@channel/@everyone broken by an
    invisible joiner so no client or setting can turn them into a broadcast."""
    return _BROADCAST.sub("@" + WORD_JOINER, escape(text))


def quote(text: str) -> str:
    """A defused block quote of user text."""
    return "\n".join("> " + line if line else ">" for line in defuse(text).split("\n"))


def chunks(text: str, size: int) -> list[str]:
    """Split text into pieces of at most `size` characters, at a line or space where possible,
    never inside an escape like '&amp;'."""
    pieces: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        if cut <= 0:
            cut = text.rfind(" ", 0, size)
        if cut <= 0:
            cut = size
            amp = text.rfind("&", cut - 5, cut)
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp
        pieces.append(text[:cut])
        # the line break we cut at is implied by the cut; any further ones are blank lines
        text = text[cut + 1 :] if text[cut] == "\n" else text[cut:]
    pieces.append(text)
    return pieces


def quoted_chunks(text: str, size: int) -> list[str]:
    """User text as defused block quotes, in pieces of at most `size` characters, every line
    of every piece quoted (a long line is wrapped into several quoted lines)."""
    lines: list[str] = []
    for line in defuse(text).split("\n"):
        lines.extend(chunks(line, size - 2) if line else [""])
    pieces: list[str] = []
    current = ""
    for line in lines:
        quoted = "> " + line if line else ">"
        if current and len(current) + 1 + len(quoted) > size:
            pieces.append(current)
            current = quoted
        else:
            current = f"{current}\n{quoted}" if current else quoted
    pieces.append(current)
    return pieces


def escaped_excerpt(text: str, limit: int) -> str:
    """Escaped text cut to at most `limit` characters, never inside an escape."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return chunks(escaped, limit - 1)[0] + "…"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def user_mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel_mention(channel_id: str) -> str:
    return f"<#{channel_id}>"


def people_list(user_ids: list[str] | tuple[str, ...]) -> str:
    """'<@a>', '<@a> and <@b>', '<@a>, <@b> and <@c>' (in the current language)."""
    mentions = [user_mention(uid) for uid in user_ids]
    if len(mentions) <= 1:
        return "".join(mentions)
    return _("{people} and {last}").format(people=", ".join(mentions[:-1]), last=mentions[-1])
