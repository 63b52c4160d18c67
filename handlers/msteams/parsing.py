"""A Teams message's text → what the person asked for. Pure functions: no I/O.

Teams writes each mention as `<at>Short name</at>` in the text and gives, in the activity's
entities and in the same order, who it is (`29:` a person, `28:` a bot, `19:` a channel or
team). Recipients are the mentions (or typed @names) at the start, after Delight's own; a
mention later in the story becomes plain text, so it notifies nobody.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.elements import Element
from bot.nomination import UserRef
from bot.typed_text import HELP_WORDS, ParseError, extract_tags, private_flag

# The personal chat's words (a nomination starts with a person, so none is taken for a story).
COMMANDS = frozenset({"me", "top", "undo", "home", "settings", "tips", "teams", "digest"})


@dataclass(frozen=True, slots=True)
class Mention:
    text: str  # as it stands in the message: "<at>Bob</at>"
    member_id: str  # "29:…" a person, "28:…" a bot, "19:…" a channel or team
    name: str


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # one of COMMANDS
    argument: str = ""


@dataclass(frozen=True, slots=True)
class OpenDialog:
    """People named but nothing said yet: the dialog, with them filled in."""

    recipients: tuple[UserRef, ...] = ()
    private: bool = False


@dataclass(frozen=True, slots=True)
class TypedNomination:
    recipients: tuple[UserRef, ...]  # user_id: the mention's member id (29:/28:), or a name
    story: str
    elements: tuple[Element, ...]
    private: bool = False


@dataclass
class GroupMentioned(ParseError):
    """A channel, a team or a tag named as a recipient: Delight recognises people."""

    label: str


Parsed = Help | Command | OpenDialog | TypedNomination

AT_TAG = re.compile(r"<at>(?P<label>.*?)</at>", re.IGNORECASE | re.DOTALL)
_TOKEN = "\x01{}\x01"  # a mention's place in the text while it is read
_PLAIN_NAME = r"@(?P<name>[\w][\w.\-']*)"
# A separator only counts between mentions: "@maria and then she…" keeps its "and".
_SEPARATOR = r"(?:,|&|\+|and\b|en\b|et\b)(?=\s*(?:\x01|@\w))"
_LEADING = re.compile(rf"\s*(?:\x01(?P<index>\d+)\x01|{_PLAIN_NAME}|{_SEPARATOR})", re.IGNORECASE)
_NOTHING_SAID = re.compile(r"[\s,;+&]*(?:(?:and|en|et)\b[\s,;+&]*)*", re.IGNORECASE)
_LEFTOVER = re.compile(r"\x01(\d+)\x01")


def parse_message(text: str, mentions: Sequence[Mention], *, bot_id: str) -> Parsed:
    """Understand a message to Delight (in its personal chat, or with it @mentioned)."""
    marked, people = _mark_mentions(text, mentions, bot_id=bot_id)
    stripped = " ".join(marked.split())
    if stripped.lower() in HELP_WORDS or not stripped:
        return Help()
    word, _, argument = stripped.partition(" ")
    if word.lower() in COMMANDS:
        return Command(name=word.lower(), argument=" ".join(argument.lower().split()))
    stripped, private = private_flag(stripped)
    recipients, rest = _leading_recipients(stripped, people)
    if _NOTHING_SAID.fullmatch(rest):
        return OpenDialog(recipients=recipients, private=private)
    story, elements = extract_tags(rest)
    story = _LEFTOVER.sub(lambda m: "@" + _label(people[int(m.group(1))]), story)
    return TypedNomination(
        recipients=recipients, story=story.strip(), elements=elements, private=private
    )


def _mark_mentions(
    text: str, mentions: Sequence[Mention], *, bot_id: str
) -> tuple[str, list[Mention]]:
    """The text with Delight's mentions gone, the others as tokens, entities decoded."""
    unused = list(mentions)
    people: list[Mention] = []

    def replace(match: re.Match[str]) -> str:
        mention = next((m for m in unused if m.text == match.group(0)), None)
        if mention is None:  # no entity says who: the words as they read
            return html.unescape(match.group("label"))
        unused.remove(mention)
        if mention.member_id == bot_id:
            return " "
        people.append(mention)
        return _TOKEN.format(len(people) - 1)

    pieces = []
    position = 0
    for match in AT_TAG.finditer(text):
        pieces.append(html.unescape(text[position : match.start()]).replace("\x01", ""))
        pieces.append(replace(match))
        position = match.end()
    pieces.append(html.unescape(text[position:]).replace("\x01", ""))
    return "".join(pieces), people


def _leading_recipients(text: str, people: list[Mention]) -> tuple[tuple[UserRef, ...], str]:
    refs: list[UserRef] = []
    position = 0
    while match := _LEADING.match(text, position):
        if match.group("index") is not None:
            mention = people[int(match.group("index"))]
            if not mention.member_id.startswith(("29:", "28:")):
                raise GroupMentioned(label=_label(mention))
            refs.append(UserRef(user_id=mention.member_id))
        elif match.group("name"):
            name = match.group("name")
            if name.lower() in ("here", "channel", "everyone", "team"):
                raise GroupMentioned(label=name)
            refs.append(UserRef(name=name.rstrip(".,'")))
        position = match.end()
    return tuple(dict.fromkeys(refs)), text[position:]


def _label(mention: Mention) -> str:
    inner = AT_TAG.fullmatch(mention.text)
    return html.unescape(inner.group("label")) if inner else mention.name
