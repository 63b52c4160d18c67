"""The tips library: short, element-themed tips shipped as data and checked at start-up."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from bot.core.elements import Element

TIPS_DIRECTORY = Path(__file__).resolve().parent.parent / "tips"
DEFAULT_LIBRARY_PATH = TIPS_DIRECTORY / "library.toml"
REFERENCE_LANGUAGE = "en"
# The shipped libraries, reference first: library.toml is English, library.<language>.toml a
# translation of it, tip for tip.
LIBRARY_LANGUAGES = (REFERENCE_LANGUAGE, "nl", "fr")

MIN_TIPS_PER_ELEMENT = 7
MAX_TITLE_CHARS = 70
MIN_BODY_CHARS = 80
MAX_BODY_CHARS = 500
# At or above these SequenceMatcher ratios two tips read as one tip written twice.
TITLE_SIMILARITY_LIMIT = 0.8
BODY_SIMILARITY_LIMIT = 0.75

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TIP_KEYS = ("id", "title", "body")  # required, non-empty strings
_OPTIONAL_KEYS = ("recognise",)  # a boolean, true unless the file says otherwise
_ALLOWED_KEYS = _TIP_KEYS + _OPTIONAL_KEYS
_WORD = re.compile(r"\w+")
# Runs of whitespace other than no-break spaces, which French typography puts before ? ! : ;
# and inside « »: joined like any space, they would let a line start with "?".
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u202f]+")
# Chat platforms read these as markup (links, mentions, entities), even in plain text.
_MARKUP_CHARACTERS = ("<", ">", "&")


@dataclass(frozen=True, slots=True)
class Tip:
    id: str
    element: Element
    title: str
    body: str
    # Whether "Recognise someone who did this" fits under the tip: not under a private
    # reflection (write down why your job exists), which nobody else could see anyone do.
    recognisable: bool = True
    language: str = REFERENCE_LANGUAGE  # the language its title and body are written in


class TipLibraryError(Exception):
    """The tips file cannot be used; the message names the file, element and tip."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = f"{path}: {self.problems[0]}"
        else:
            listed = "\n".join(f"  - {problem}" for problem in self.problems)
            message = f"{path}: {len(self.problems)} problems:\n{listed}"
        super().__init__(message)


class TipLibrary:
    """Tips grouped by element, in file order within each element."""

    def __init__(self, tips: Iterable[Tip]) -> None:
        grouped: dict[Element, list[Tip]] = {element: [] for element in Element}
        for tip in tips:
            grouped[tip.element].append(tip)
        self._by_element = {element: tuple(group) for element, group in grouped.items()}
        self._by_id = {tip.id: tip for tip in self}

    def for_element(self, element: Element) -> tuple[Tip, ...]:
        return self._by_element[element]

    def get(self, tip_id: str) -> Tip | None:
        return self._by_id.get(tip_id)

    def __iter__(self) -> Iterator[Tip]:
        for element in Element:
            yield from self._by_element[element]

    def __len__(self) -> int:
        return sum(len(group) for group in self._by_element.values())


def library_path(language: str, directory: Path = TIPS_DIRECTORY) -> Path:
    """Where a language's library lives: library.toml for English, library.nl.toml…"""
    if language == REFERENCE_LANGUAGE:
        return directory / "library.toml"
    return directory / f"library.{language}.toml"


def load_tip_libraries(
    directory: Path = TIPS_DIRECTORY, languages: Sequence[str] = LIBRARY_LANGUAGES
) -> dict[str, TipLibrary]:
    """Every language's library, by language code, English (the reference) first. Each file
    must pass the rules on its own, and each translation must hold exactly the English tips:
    the same ids, each under the same element, in the same order, with the same recognise.
    The first file with problems raises TipLibraryError listing all of them."""
    reference = load_tip_library(library_path(REFERENCE_LANGUAGE, directory))
    libraries = {REFERENCE_LANGUAGE: reference}
    for language in languages:
        if language == REFERENCE_LANGUAGE:
            continue
        path = library_path(language, directory)
        translation = load_tip_library(path)
        problems = translation_problems(reference, translation)
        if problems:
            raise TipLibraryError(path, problems)
        libraries[language] = TipLibrary(replace(tip, language=language) for tip in translation)
    return libraries


def translation_problems(reference: TipLibrary, translation: TipLibrary) -> list[str]:
    """How a translation's tips differ from the reference's, tip by tip: missing, extra,
    under another element, with another recognise value, or in another order."""
    problems: list[str] = []
    for tip in reference:
        translated = translation.get(tip.id)
        where = f"element {tip.element.value!r}, tip {tip.id!r}"
        if translated is None:
            problems.append(f"{where}: missing (every English tip needs a translation)")
        elif translated.element is not tip.element:
            problems.append(
                f"{where}: translated under element {translated.element.value!r} "
                f"(it belongs under {tip.element.value!r}, as in English)"
            )
        elif translated.recognisable is not tip.recognisable:
            problems.append(
                f"{where}: recognise is {str(translated.recognisable).lower()}, but "
                f"{str(tip.recognisable).lower()} in English"
            )
    for translated in translation:
        if reference.get(translated.id) is None:
            problems.append(
                f"element {translated.element.value!r}, tip {translated.id!r}: not in the "
                "English library (add a tip in English first, then translate it)"
            )
    if problems:
        return problems
    # Same tips under the same elements: the rotation goes by file order, so keep it too.
    for element in Element:
        expected = [tip.id for tip in reference.for_element(element)]
        found = [tip.id for tip in translation.for_element(element)]
        if found != expected:
            moved = next(
                mine for mine, theirs in zip(found, expected, strict=True) if mine != theirs
            )
            problems.append(
                f"element {element.value!r}, tip {moved!r}: out of order (keep the English "
                f"order: {', '.join(expected)})"
            )
    return problems


def load_tip_library(path: Path | None = None) -> TipLibrary:
    """Read and check one tips file (the shipped English one by default); raise
    TipLibraryError listing every problem, so one run shows an editor all there is to fix."""
    path = DEFAULT_LIBRARY_PATH if path is None else path
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise TipLibraryError(path, [f"cannot read the file ({error.strerror})"]) from error
    except tomllib.TOMLDecodeError as error:
        raise TipLibraryError(path, [f"invalid TOML: {error}"]) from error

    problems: list[str] = []
    tips, counts = _read_tips(data, problems)
    _check_counts(counts, problems)
    _check_ids_unique(tips, problems)
    _check_no_duplicates(tips, "title", TITLE_SIMILARITY_LIMIT, problems)
    _check_no_duplicates(tips, "body", BODY_SIMILARITY_LIMIT, problems)
    if problems:
        raise TipLibraryError(path, problems)
    return TipLibrary(tips)


def _read_tips(data: dict[str, Any], problems: list[str]) -> tuple[list[Tip], dict[Element, int]]:
    """The well-formed tips, and how many entries each element has; each malformed tip adds
    a problem instead (but still counts, so it is not also reported as a missing tip)."""
    known = {element.value for element in Element}
    for key in data:
        if key not in known:
            problems.append(f"unknown element {key!r} (known: {', '.join(sorted(known))})")
    tips: list[Tip] = []
    counts = dict.fromkeys(Element, 0)
    for element in Element:
        entries = data.get(element.value, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.append(
                f"element {element.value!r}: write each tip as a [[{element.value}]] table"
            )
            continue
        counts[element] = len(entries)
        for position, entry in enumerate(entries, start=1):
            tip = _read_tip(element, position, entry, problems)
            if tip is not None:
                tips.append(tip)
    return tips, counts


def _read_tip(
    element: Element, position: int, entry: dict[str, Any], problems: list[str]
) -> Tip | None:
    raw_id = entry.get("id")
    label = raw_id if isinstance(raw_id, str) and raw_id.strip() else f"#{position}"
    where = f"element {element.value!r}, tip {label!r}"
    found = len(problems)

    for key in entry:
        if key not in _ALLOWED_KEYS:
            problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(_ALLOWED_KEYS)})")
    recognisable = entry.get("recognise", True)
    if not isinstance(recognisable, bool):
        problems.append(
            f"{where}: recognise must be true or false (no quotes), not {recognisable!r}"
        )
    fields: dict[str, str] = {}
    for key in _TIP_KEYS:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {key} is missing or empty (it must be a non-empty string)")
            continue
        # TOML multi-line strings carry line breaks; a tip is one paragraph.
        fields[key] = _BREAKING_SPACE.sub(" ", value).strip()
        for character in _MARKUP_CHARACTERS:
            if character in fields[key]:
                problems.append(
                    f"{where}: {key} contains {character!r}, which chat platforms read as markup"
                )
    if len(problems) > found:
        return None

    tip = Tip(
        id=fields["id"],
        element=element,
        title=fields["title"],
        body=fields["body"],
        recognisable=bool(recognisable),
    )
    if not _ID_PATTERN.fullmatch(tip.id):
        problems.append(
            f"{where}: bad id (use lowercase letters and digits joined by single hyphens)"
        )
    problems += [
        f"{where}: {name} {problem}" for name, problem in length_problems(tip.title, tip.body)
    ]
    return None if len(problems) > found else tip


def length_problems(title: str, body: str) -> list[tuple[Literal["title", "body"], str]]:
    """Where a tip's title or body doesn't fit a chat message well: (field, problem)."""
    found: list[tuple[Literal["title", "body"], str]] = []
    if len(title) > MAX_TITLE_CHARS:
        found.append(("title", f"too long ({len(title)} characters, at most {MAX_TITLE_CHARS})"))
    if len(body) < MIN_BODY_CHARS:
        found.append(("body", f"too short ({len(body)} characters, at least {MIN_BODY_CHARS})"))
    if len(body) > MAX_BODY_CHARS:
        found.append(("body", f"too long ({len(body)} characters, at most {MAX_BODY_CHARS})"))
    return found


def _check_counts(counts: dict[Element, int], problems: list[str]) -> None:
    for element, count in counts.items():
        if count == 0:
            problems.append(f"element {element.value!r} is missing: it has no tips")
        elif count < MIN_TIPS_PER_ELEMENT:
            problems.append(
                f"element {element.value!r} has too few tips ({count}, "
                f"at least {MIN_TIPS_PER_ELEMENT})"
            )


def _check_ids_unique(tips: list[Tip], problems: list[str]) -> None:
    first: dict[str, Tip] = {}
    for tip in tips:
        earlier = first.setdefault(tip.id, tip)
        if earlier is not tip:
            problems.append(
                f"element {tip.element.value!r}, tip {tip.id!r}: duplicate id "
                f"(also used in element {earlier.element.value!r})"
            )


def _check_no_duplicates(
    tips: list[Tip], name: Literal["title", "body"], limit: float, problems: list[str]
) -> None:
    """Report exact duplicates (ignoring case and spacing) and near-duplicates."""
    texts = [_comparable(tip.title if name == "title" else tip.body) for tip in tips]
    sequences = [_sequence(text, name) for text in texts]
    # autojunk would ignore every common item of a sequence over 200 items long.
    matcher: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(autojunk=False)
    for i, tip in enumerate(tips):
        # SequenceMatcher caches its analysis of the second sequence, so set it once per row.
        matcher.set_seq2(sequences[i])
        for j in range(i):
            other = tips[j]
            where = f"element {tip.element.value!r}, tip {tip.id!r}"
            also = f"tip {other.id!r} (element {other.element.value!r})"
            if texts[i] == texts[j]:
                problems.append(f"{where}: exact duplicate {name} of {also}")
                continue
            matcher.set_seq1(sequences[j])
            if (ratio := _ratio_at_least(matcher, limit)) is not None:
                problems.append(
                    f"{where}: near-duplicate {name} of {also} "
                    f"(similarity {ratio:.2f}, limit {limit:.2f})"
                )


def _comparable(text: str) -> str:
    return " ".join(text.casefold().split())


def _sequence(text: str, name: Literal["title", "body"]) -> Sequence[str]:
    # Titles compare letter by letter, which also catches a typo'd copy. Bodies compare word
    # by word: letter counts of any two English paragraphs are alike, so quick_ratio() would
    # rule nothing out and the full ratio() over ~100 bodies would take over a second.
    return text if name == "title" else _WORD.findall(text)


def _ratio_at_least(matcher: difflib.SequenceMatcher[str], limit: float) -> float | None:
    """The matcher's similarity when it reaches `limit`; the cheap upper bounds rule out most
    pairs before the costly ratio()."""
    if matcher.real_quick_ratio() < limit or matcher.quick_ratio() < limit:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= limit else None


def near_duplicate(
    title: str, body: str, others: Iterable[Tip]
) -> tuple[Literal["title", "body"], Tip] | None:
    """The first of `others` that a new tip would repeat (the same rules as the library's
    check): which field matches, and the tip it matches."""
    fields: tuple[tuple[Literal["title", "body"], str, float], ...] = (
        ("title", title, TITLE_SIMILARITY_LIMIT),
        ("body", body, BODY_SIMILARITY_LIMIT),
    )
    matcher: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(autojunk=False)
    for other in others:
        for name, text, limit in fields:
            mine, theirs = _comparable(text), _comparable(getattr(other, name))
            if mine == theirs:
                return name, other
            matcher.set_seqs(_sequence(mine, name), _sequence(theirs, name))
            if _ratio_at_least(matcher, limit) is not None:
                return name, other
    return None
