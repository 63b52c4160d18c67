"""What a person typed, read the same on every platform: element tags, `--private`, help.

Each adapter first turns its platform's markup (Slack's <@U…>, Teams' <at>…</at>) into plain
text and recipients; these rules then read the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.elements import Element, element_for_tag, in_definition_order, suggest_element

HELP_WORDS = frozenset({"help", "?", "-h", "--help", "usage"})


class ParseError(Exception):
    """The text cannot be understood; handlers show the person how to fix it."""


@dataclass
class UnknownTag(ParseError):
    tag: str
    suggestion: Element | None


# "--private" as a word of its own; clients may turn "--" into a dash on the way.
_PRIVATE = re.compile(r"(?<!\S)(?:--|—|–)private(?!\S)", re.IGNORECASE)


def private_flag(text: str) -> tuple[str, bool]:
    without, found = _PRIVATE.subn("", text)
    return (without.strip(), True) if found else (text, False)


_TAG = re.compile(r"(?<![\w&/])#(?P<tag>[A-Za-z][\w-]*)")


def extract_tags(
    text: str, *, skip: Sequence[tuple[int, int]] = (), also: re.Pattern[str] | None = None
) -> tuple[str, tuple[Element, ...]]:
    """Take element tags out of the story: a trailing run of tags goes; an inline tag stays
    as its plain word, so "was #genuine with her" still reads well. `skip`: spans of markup
    whose '#' is no tag (a link's); `also`: the platform's other way of writing a tag (its
    `tag` group), such as a channel link named like one."""
    text = text.replace("\0", "")  # \0 marks tags below; stories lose control characters anyway
    found: set[Element] = set()
    pieces: list[str] = []
    position = 0
    others = list(also.finditer(text)) if also is not None else []
    skip = [*skip, *(m.span() for m in others)]  # a '#' inside the platform's own tag
    tags = [m for m in _TAG.finditer(text) if not any(a <= m.start() < b for a, b in skip)]
    for match in sorted([*tags, *others], key=lambda m: m.start()):
        word = match.group("tag") or ""
        element = element_for_tag(word)
        if element is None:
            if match.re is _TAG and (suggestion := suggest_element(word)) is not None:
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
