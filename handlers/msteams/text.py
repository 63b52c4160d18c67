"""User text made inert for Teams' card markdown, and people and places named in plain words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.i18n import _

WORD_JOINER = "\u2060"  # invisible, and no part of a link, a domain or a template
NO_BREAK_SPACE = "\u00a0"

# Characters that start markdown anywhere in a line (emphasis, code, links, autolinks and
# HTML, strikethrough, tables) and the backslash that escapes them all.
_INLINE = re.compile(r"([\\`*_~\[\]<>|])|&(?=#?\w+;)")
# What starts a block at the beginning of a line: a heading, a quote, a list, a setext
# underline; numbered lists by their "1." or "1)".
_LINE_START = re.compile(r"^([#>+\-=])|^(\d+)([.)])")
# Leading spaces (no break spaces typed among them too) become no break spaces: no code block,
# and no list or quote marker after them.
_INDENT = re.compile(r"^[ \t\u00a0]+")
# Where a client would find a link: a scheme's "://", the dot before a domain's next label
# (www.example.com, bob@example.com, example.org) and Adaptive Cards' {{DATE(…)}} templates.
_LINKISH = re.compile(r"(?<=:)(?=//)|(?<=[^\W_])(?=\.[^\W\d_]{2})|(?<=\{)(?=\{)")
_WHITESPACE = re.compile(r"\s+")
# Any character one of the patterns above acts on: a line with none is inert as it is, and
# most lines (names, short stories) have none.
_NEEDS_WORK = re.compile(r"^[\s\d#>+\-=]|[\\`*_~\[\]<>|&.:{]")


def _unlink(text: str) -> str:
    return _LINKISH.sub(WORD_JOINER, text)


def _inert_line(line: str) -> str:
    if _NEEDS_WORK.search(line) is None:
        return line
    line = _INDENT.sub(lambda m: NO_BREAK_SPACE * len(m.group()), line)  # no code block
    body = line.lstrip(NO_BREAK_SPACE)
    indent = line[: len(line) - len(body)]
    body = _INLINE.sub(lambda m: "\\" + m.group(), _unlink(body))
    body = _LINE_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), body
    )
    return indent + body


def inert(text: str) -> str:
    """User text for a TextBlock, shown as written: no emphasis, link, autolink, mention, list
    or heading it did not intend. Markdown characters get a backslash; links are broken by an
    invisible word joiner; each line break is doubled, which is what a TextBlock needs to
    show one."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n\n".join(_inert_line(line) for line in lines)


def plain(text: str) -> str:
    """User text for a summary or notification: one line, links and tags broken, no escapes
    (nothing renders markdown there)."""
    return _WHITESPACE.sub(" ", _unlink(text).replace("<", "<" + WORD_JOINER)).strip()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Names:
    """The display names a card needs, looked up by the adapter (the core knows only ids):
    people by their AAD object id, conversations by id ("General › kudos")."""

    people: Mapping[str, str] = field(default_factory=dict)
    conversations: Mapping[str, str] = field(default_factory=dict)

    def person(self, user_id: str) -> str:
        return self.people.get(user_id) or _("a colleague")

    def conversation(self, conversation_id: str) -> str:
        if known := self.conversations.get(conversation_id):
            return known
        # A name Teams never told: say which place it is, from the shape of its id.
        if ";messageid=" in conversation_id:
            return _("the thread where it was given")
        if not conversation_id.endswith("@thread.tacv2"):  # a group chat, not a team's channel
            return _("the chat where it was given")
        return _("the recognition channel")


class Writer:
    """How a card names people and places: bold and inert in its markdown, or as they are in
    the plain summary that notifications and screen readers show."""

    def __init__(self, names: Names, *, markdown: bool) -> None:
        self.names = names
        self.markdown = markdown

    def text(self, user_text: str) -> str:
        return inert(user_text) if self.markdown else plain(user_text)

    def strong(self, user_text: str) -> str:
        return f"**{inert(user_text)}**" if self.markdown else plain(user_text)

    def person(self, user_id: str) -> str:
        return self.strong(self.names.person(user_id))

    def conversation(self, conversation_id: str) -> str:
        return self.strong(self.names.conversation(conversation_id))

    def people(self, user_ids: Iterable[str]) -> str:
        """'Maria', 'Maria and Tom', 'Maria, Tom and Lee' (in the current language)."""
        shown = [self.person(uid) for uid in user_ids]
        if len(shown) <= 1:
            return "".join(shown)
        return _("{people} and {last}").format(people=", ".join(shown[:-1]), last=shown[-1])


def markdown_writer(names: Names) -> Writer:
    return Writer(names, markdown=True)


def plain_writer(names: Names) -> Writer:
    return Writer(names, markdown=False)
