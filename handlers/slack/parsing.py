"""Slack text → typed input. Pure functions: no I/O, no Bolt."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.elements import Element
from bot.nomination import UserRef
from bot.typed_text import HELP_WORDS, ParseError, UnknownTag, extract_tags, private_flag

__all__ = ["ParseError", "UnknownTag"]  # the refusals that word them import them from here


@dataclass(frozen=True, slots=True)
class HelpRequest:
    pass


@dataclass(frozen=True, slots=True)
class ModalRequest:
    """Open the nomination modal, with any recipients already named."""

    recipients: tuple[UserRef, ...] = ()
    private: bool = False


@dataclass(frozen=True, slots=True)
class CommandNomination:
    recipients: tuple[UserRef, ...]
    story: str  # plain text as the person meant it; unnamed mentions stay as <@U…> for now
    elements: tuple[Element, ...]
    unnamed_mentions: tuple[str, ...] = field(default=())
    private: bool = False


@dataclass(frozen=True, slots=True)
class Subcommand:
    """`/delight undo`, `me`, `top [period]`, `admin`, `tips [status]`, `digest [last]`,
    `teams`: a word of its own, not a story (a nomination starts with a person)."""

    name: str
    argument: str = ""


ParsedCommand = HelpRequest | ModalRequest | CommandNomination | Subcommand
SUBCOMMANDS = frozenset({"undo", "me", "top", "admin", "digest", "teams", "tips"})
# `/delight digest` is the week so far; `digest last` the last one sent.
DIGEST_OPTIONS = {"": "", "now": "", "this week": "", "last": "last"}


@dataclass
class GroupMention(ParseError):
    """@here, @channel, @everyone or a user group named as a recipient."""

    label: str


@dataclass
class UnknownDigestOption(ParseError):
    option: str


_USER = r"<@(?P<uid>[UW][A-Z0-9]+)(?:\|(?P<label>[^>]*))?>"
_PLAIN_NAME = r"@(?P<name>[\w][\w.\-']*)"
_GROUP = (
    r"<!(?P<special>here|channel|everyone)(?:\|[^>]*)?>"
    r"|<!subteam\^(?P<group>[A-Z0-9]+)(?:\|(?P<glabel>[^>]*))?>"
)
# A separator only counts between mentions: "@maria and then she…" keeps its "and".
_SEPARATOR = r"(?:,|&amp;|&|\+|and\b)(?=\s*(?:<[@!]|@\w))"
_LEADING = re.compile(rf"\s*(?:{_USER}|{_GROUP}|{_PLAIN_NAME}|{_SEPARATOR})", re.IGNORECASE)

# Only separators after the recipients ("@maria and"): nothing said yet, so open the form.
_NOTHING_SAID = re.compile(r"[\s,;+]*(?:(?:&amp;|&|and\b)[\s,;+]*)*", re.IGNORECASE)
# Slack's escaped entities inside a story: mentions, channels, specials, links.
_ENTITY = re.compile(r"<(?P<body>[^<>]+)>")
_MENTIONED_ID = re.compile(r"@[UW][A-Z0-9]+", re.IGNORECASE)
# A channel link whose name happens to be a tag (#delight as a channel) is a tag too.
_CHANNEL_TAG = re.compile(r"<#C[A-Z0-9]+\|(?P<tag>[^>]*)>")


def parse_command(text: str) -> ParsedCommand:
    """Understand the text after `/delight`."""
    stripped = text.strip()
    if stripped.lower() in HELP_WORDS:
        return HelpRequest()
    word, _, argument = stripped.partition(" ")
    if word.lower() in SUBCOMMANDS:
        return _subcommand(word.lower(), argument)
    stripped, private = private_flag(stripped)
    recipients, rest = _leading_recipients(stripped)
    if _NOTHING_SAID.fullmatch(rest):
        return ModalRequest(recipients=recipients, private=private)
    # A '#' inside a link or other markup (<https://x.com/#act|docs>) is not a tag.
    markup = [m.span() for m in _ENTITY.finditer(rest) if not m.group("body").startswith("#")]
    story, elements = extract_tags(rest, skip=markup, also=_CHANNEL_TAG)
    plain, unnamed = to_plain_text(story)
    return CommandNomination(
        recipients=recipients,
        story=plain.strip(),
        elements=elements,
        unnamed_mentions=unnamed,
        private=private,
    )


def _subcommand(name: str, argument: str) -> Subcommand:
    argument = " ".join(argument.lower().split())
    if name == "digest":
        if argument not in DIGEST_OPTIONS:
            raise UnknownDigestOption(option=argument)
        argument = DIGEST_OPTIONS[argument]
    return Subcommand(name=name, argument=argument)


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    """Text of an @Delight mention without the bot's own mention."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return text


def _leading_recipients(text: str) -> tuple[tuple[UserRef, ...], str]:
    refs: list[UserRef] = []
    position = 0
    while match := _LEADING.match(text, position):
        if match.group("special") or match.group("group"):
            raise GroupMention(
                label=match.group("special") or match.group("glabel") or "a user group"
            )
        if match.group("uid"):
            refs.append(UserRef(user_id=match.group("uid").upper()))
        elif match.group("name"):
            name = match.group("name")
            if name.lower() in ("here", "channel", "everyone"):
                raise GroupMention(label=name)
            refs.append(UserRef(name=name.rstrip(".,'")))
        position = match.end()
    return tuple(dict.fromkeys(refs)), text[position:]


def to_plain_text(escaped: str) -> tuple[str, tuple[str, ...]]:
    """Slack's escaped message text → what the person saw. Mentions become plain @names so
    the stored story can never ping anyone. Returns the text and the ids of mentions that came
    without a name (left as <@U…> for the caller to name)."""
    unnamed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        body = match.group("body")
        head, _, label = body.partition("|")
        if head.startswith("@"):
            if label:
                return "@" + label
            if _MENTIONED_ID.fullmatch(head):
                # "<@U2>" or "<@U2|>": kept as one canonical mark for the caller to name
                user_id = head[1:].upper()
                unnamed.append(user_id)
                return f"<@{user_id}>"
            return head  # not an id Slack sends: text someone typed, never a lookup
        if head.startswith("#"):
            return "#" + (label or head[1:])
        if head.startswith("!"):
            if label:
                return label
            return "@" + head[1:].split("^")[0]
        if head.startswith("mailto:"):
            return label or head.removeprefix("mailto:")
        if label and label != head:
            return f"{label} ({head})"
        return head

    plain = _ENTITY.sub(replace, escaped)
    return unescape(plain), tuple(dict.fromkeys(unnamed))


def name_mentions(story: str, names: dict[str, str]) -> str:
    """Replace leftover <@U…> mentions in a story with @names."""
    return re.sub(
        r"<@([UW][A-Z0-9]+)>",
        lambda m: "@" + names.get(m.group(1), "someone"),
        story,
    )


def unescape(text: str) -> str:
    """Undo Slack's three escapes (and only those: a typed "&copy;" stays as typed)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
