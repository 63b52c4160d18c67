"""The seven elements of the definition, and how a typed tag maps onto one."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.core.words import N_

DEFINITION = N_(
    "Customer service is a voluntary act that demonstrates a genuine desire to satisfy, "
    "if not delight, a customer."
)
DEFINITION_AUTHOR = "Steve Curtin"


class Element(StrEnum):
    """The elements in definition order; the value is the tag people type."""

    VOLUNTARY = "voluntary"
    ACT = "act"
    DEMONSTRATES = "demonstrates"
    GENUINE = "genuine"
    DESIRE = "desire"
    DELIGHT = "delight"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class ElementInfo:
    element: Element
    name: str
    meaning: str  # one line, at most 75 characters: it must fit a menu option's description
    praise: str  # how the recipient's DM describes the act


ELEMENT_INFO: dict[Element, ElementInfo] = {
    info.element: info
    for info in (
        ElementInfo(
            Element.VOLUNTARY,
            N_("Voluntary"),
            N_("Nobody had to do it: they chose to."),
            N_("nobody had to, and you chose to"),
        ),
        ElementInfo(
            Element.ACT,
            N_("Act"),
            N_("They noticed something and did something about it."),
            N_("you noticed something and acted on it"),
        ),
        ElementInfo(
            Element.DEMONSTRATES,
            N_("Job essence"),
            N_("They showed why the job exists, not only how it is done."),
            N_("you showed why the job exists, not only how it is done"),
        ),
        ElementInfo(
            Element.GENUINE,
            N_("Genuine"),
            N_("It was sincere, not scripted."),
            N_("it was sincere, not scripted"),
        ),
        ElementInfo(
            Element.DESIRE,
            N_("Desire"),
            N_("They wanted to help: by choice, not by chance."),
            N_("you wanted to help, by choice and not by chance"),
        ),
        ElementInfo(
            Element.DELIGHT,
            N_("Delight"),
            N_("The extra effort that made it extraordinary."),
            N_("the extra effort made it extraordinary"),
        ),
        ElementInfo(
            Element.CUSTOMER,
            N_("Customer"),
            N_("They put the customer (or colleague) first."),
            N_("you put the customer first"),
        ),
    )
}

_ALIASES: dict[str, Element] = {
    **{element.value: element for element in Element},
    "job-essence": Element.DEMONSTRATES,
    "jobessence": Element.DEMONSTRATES,
    "job_essence": Element.DEMONSTRATES,
    "essence": Element.DEMONSTRATES,
    "demonstrate": Element.DEMONSTRATES,
    "acts": Element.ACT,
    "action": Element.ACT,
    "delighted": Element.DELIGHT,
    "delightful": Element.DELIGHT,
    "customers": Element.CUSTOMER,
    "customer-first": Element.CUSTOMER,
    "sincere": Element.GENUINE,
    "volunteer": Element.VOLUNTARY,
    "volunteered": Element.VOLUNTARY,
    # Dutch: the words a Dutch speaker reaches for (accents fold away, see _fold).
    "vrijwillig": Element.VOLUNTARY,
    "uitvrijewil": Element.VOLUNTARY,
    "daad": Element.ACT,
    "actie": Element.ACT,
    "handeling": Element.ACT,
    "kernvanhetwerk": Element.DEMONSTRATES,
    "kern-van-het-werk": Element.DEMONSTRATES,
    "latenzien": Element.DEMONSTRATES,
    "laten-zien": Element.DEMONSTRATES,
    "oprecht": Element.GENUINE,
    "echt": Element.GENUINE,
    "verlangen": Element.DESIRE,
    "wil": Element.DESIRE,
    "verrassen": Element.DELIGHT,
    "verrast": Element.DELIGHT,
    "blijverrast": Element.DELIGHT,
    "klant": Element.CUSTOMER,
    "klanten": Element.CUSTOMER,
    # French.
    "volontaire": Element.VOLUNTARY,
    "benevole": Element.VOLUNTARY,
    "acte": Element.ACT,
    "agir": Element.ACT,
    "demontrer": Element.DEMONSTRATES,
    "demontre": Element.DEMONSTRATES,
    "essence-du-metier": Element.DEMONSTRATES,
    "essencedumetier": Element.DEMONSTRATES,
    "sincerite": Element.GENUINE,
    "desir": Element.DESIRE,
    "envie": Element.DESIRE,
    "enchanter": Element.DELIGHT,
    "enchante": Element.DELIGHT,
    "ravir": Element.DELIGHT,
    "ravi": Element.DELIGHT,
    "client": Element.CUSTOMER,
    "clients": Element.CUSTOMER,
    "cliente": Element.CUSTOMER,
}


def _fold(tag: str) -> str:
    """A tag as compared: any case, accents or not (#sincère is #sincere, #désir #desir)."""
    folded = tag.strip().lower()
    if folded.isascii():  # nearly every tag: nothing to take off
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def element_for_tag(tag: str) -> Element | None:
    """The element a tag (without '#', any case, in English, Dutch or French) names, or
    None."""
    return _ALIASES.get(_fold(tag))


def suggest_element(tag: str) -> Element | None:
    """The element a mistyped tag most likely meant, or None when nothing is close.
    Typos keep the first letter, which keeps real words (#react, #facts) out of it."""
    typed = _fold(tag)
    candidates = [alias for alias in _ALIASES if alias[:1] == typed[:1]]
    matches = difflib.get_close_matches(typed, candidates, n=1, cutoff=0.8)
    return _ALIASES[matches[0]] if matches else None


_DEFINITION_ORDER = tuple(Element)  # (iterating the enum itself costs a call per member)


def in_definition_order(elements: set[Element] | list[Element]) -> tuple[Element, ...]:
    return tuple(element for element in _DEFINITION_ORDER if element in elements)


# Each element's word in each translation of the definition (in English, each tag is its
# word there). Kept beside the catalogs' wording: a definition reworded there loses only the
# bold, never the sentence.
DEFINITION_WORDS = {
    "nl": {
        Element.VOLUNTARY: "vrijwillige",
        Element.ACT: "daad",
        Element.DEMONSTRATES: "laat zien",
        Element.GENUINE: "oprecht",
        Element.DESIRE: "verlangen",
        Element.DELIGHT: "blij te verrassen",
        Element.CUSTOMER: "klant",
    },
    "fr": {
        Element.VOLUNTARY: "volontaire",
        Element.ACT: "acte",
        Element.DEMONSTRATES: "démontre",
        Element.GENUINE: "sincère",
        Element.DESIRE: "désir",
        Element.DELIGHT: "enchanter",
        Element.CUSTOMER: "client",
    },
}


def definition_word(element: Element, language: str) -> str:
    """The element's word as the definition in `language` writes it (to highlight it)."""
    return DEFINITION_WORDS.get(language, {}).get(element, element.value)
