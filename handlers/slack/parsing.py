"""Slack text → typed input. Pure functions: no I/O, no Bolt."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.elements import Element, element_for_tag, in_definition_order, suggest_element
from bot.nomination import UserRef

HELP_WORDS = frozenset({"help", "?", "-h", "--help", "usage"})


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


class ParseError(Exception):
    """The command text cannot be understood; handlers show the user how to fix it."""


@dataclass
class UnknownTag(ParseError):
    tag: str
    suggestion: Element | None


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
# A tag: '#' + a word, or a channel link whose name happens to be a tag (#delight as a channel).
_TAG = re.compile(r"(?<![\w&/])#(?P<tag>[A-Za-z][\w-]*)|<#C[A-Z0-9]+\|(?P<channel>[^>]*)>")


def parse_command(text: str) -> ParsedCommand:
    """Understand the text after `/delight`."""
    stripped = text.strip()
    if stripped.lower() in HELP_WORDS:
        return HelpRequest()
    word, _, argument = stripped.partition(" ")
    if word.lower() in SUBCOMMANDS:
        return _subcommand(word.lower(), argument)
    stripped, private = _private_flag(stripped)
    recipients, rest = _leading_recipients(stripped)
    if _NOTHING_SAID.fullmatch(rest):
        return ModalRequest(recipients=recipients, private=private)
    story, elements = _extract_tags(rest)
    plain, unnamed = to_plain_text(story)
    return CommandNomination(
        recipients=recipients,
        story=plain.strip(),
        elements=elements,
        unnamed_mentions=unnamed,
        private=private,
    )


# "--private" as a word of its own; Slack clients may turn "--" into a dash on the way.
_PRIVATE = re.compile(r"(?<!\S)(?:--|—|–)private(?!\S)", re.IGNORECASE)


def _private_flag(text: str) -> tuple[str, bool]:
    without, found = _PRIVATE.subn("", text)
    return (without.strip(), True) if found else (text, False)


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


def _extract_tags(text: str) -> tuple[str, tuple[Element, ...]]:
    """Take element tags out of the story: a trailing run of tags goes; an inline tag stays
    as its plain word, so "was #genuine with her" still reads well."""
    text = text.replace("\0", "")  # \0 marks tags below; stories lose control characters anyway
    found: set[Element] = set()
    pieces: list[str] = []
    position = 0
    # A '#' inside a link or other markup (<https://x.com/#act|docs>) is not a tag.
    markup = [m.span() for m in _ENTITY.finditer(text) if not m.group("body").startswith("#")]
    for match in _TAG.finditer(text):
        if any(start <= match.start() < end for start, end in markup):
            continue
        word = match.group("tag") or match.group("channel") or ""
        element = element_for_tag(word)
        if element is None:
            if match.group("tag") and (suggestion := suggest_element(word)) is not None:
                raise UnknownTag(tag=word, suggestion=suggestion)
            continue  # an ordinary hashtag or channel: part of the story
        found.add(element)
        pieces.append(text[position : match.start()])
        pieces.append("\0" + word)  # placeholder: dropped if trailing, kept as a word if inline
        position = match.end()
    pieces.append(text[position:])
    joined = "".join(pieces)
    # Tags standing at the end go, keeping closing punctuation and emoji ("late #act! :tada:").
    joined = _TRAILING_TAGS.sub(_keep_tail, joined)
    joined = re.sub(r"^(?:\s*\0[\w-]+)+\s*", "", joined)
    story = joined.replace("\0", "")
    return story, in_definition_order(found)


_TRAILING_TAGS = re.compile(
    r"(?:[\s,;]*\0[\w-]+)+(?P<punctuation>[.!?]*)(?P<emoji>(?:\s*:[\w+-]+:)*)\s*$"
)


def _keep_tail(match: re.Match[str]) -> str:
    ended = match.string[: match.start()].rstrip().endswith((".", "!", "?"))
    return ("" if ended else match.group("punctuation")) + match.group("emoji")


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
