"""The seven elements of the definition, and how typed tags map onto them."""

from __future__ import annotations

import pytest

from bot.core.elements import (
    DEFINITION,
    DEFINITION_AUTHOR,
    ELEMENT_INFO,
    Element,
    element_for_tag,
    in_definition_order,
    suggest_element,
)

SLACK_OPTION_DESCRIPTION_LIMIT = 75


def test_there_are_seven_elements_in_definition_order() -> None:
    assert [e.value for e in Element] == [
        "voluntary",
        "act",
        "demonstrates",
        "genuine",
        "desire",
        "delight",
        "customer",
    ]


def test_elements_appear_in_the_definition_in_the_same_order() -> None:
    # "Customer service is a voluntary act that demonstrates … a customer.": each element is
    # found after the one before it (the opening "Customer" is not the element).
    position = 0
    for element in Element:
        position = DEFINITION.lower().index(element.value, position) + len(element.value)
    assert DEFINITION_AUTHOR == "Steve Curtin"


@pytest.mark.parametrize("element", list(Element))
def test_every_element_has_info_that_fits_a_slack_option(element: Element) -> None:
    info = ELEMENT_INFO[element]

    assert info.element is element
    assert info.name
    assert info.praise
    assert 0 < len(info.meaning) <= SLACK_OPTION_DESCRIPTION_LIMIT
    assert "\n" not in info.meaning


def test_element_info_covers_exactly_the_elements() -> None:
    assert list(ELEMENT_INFO) == list(Element)


def test_element_names_are_distinct() -> None:
    assert len({info.name for info in ELEMENT_INFO.values()}) == len(Element)


@pytest.mark.parametrize("element", list(Element))
def test_every_element_is_its_own_tag(element: Element) -> None:
    assert element_for_tag(element.value) is element


@pytest.mark.parametrize("tag", ["Genuine", "GENUINE", "  genuine ", "gEnUiNe"])
def test_tags_ignore_case_and_surrounding_space(tag: str) -> None:
    assert element_for_tag(tag) is Element.GENUINE


@pytest.mark.parametrize(
    ("tag", "element"),
    [
        ("job-essence", Element.DEMONSTRATES),
        ("Job_Essence", Element.DEMONSTRATES),
        ("jobessence", Element.DEMONSTRATES),
        ("essence", Element.DEMONSTRATES),
        ("demonstrate", Element.DEMONSTRATES),
        ("action", Element.ACT),
        ("acts", Element.ACT),
        ("delightful", Element.DELIGHT),
        ("delighted", Element.DELIGHT),
        ("customer-first", Element.CUSTOMER),
        ("sincere", Element.GENUINE),
        ("volunteer", Element.VOLUNTARY),
    ],
)
def test_aliases_name_their_element(tag: str, element: Element) -> None:
    assert element_for_tag(tag) is element


@pytest.mark.parametrize("tag", ["", "bugfix", "4512", "kudos", "genuin", "#genuine"])
def test_other_words_name_no_element(tag: str) -> None:
    assert element_for_tag(tag) is None


@pytest.mark.parametrize(
    ("typo", "element"),
    [
        ("genuin", Element.GENUINE),
        ("Genuin", Element.GENUINE),
        ("volutary", Element.VOLUNTARY),
        ("custmer", Element.CUSTOMER),
        ("delite", Element.DELIGHT),
        ("desir", Element.DESIRE),
        ("essense", Element.DEMONSTRATES),
        ("job-esence", Element.DEMONSTRATES),
    ],
)
def test_near_misses_suggest_the_element_they_meant(typo: str, element: Element) -> None:
    assert suggest_element(typo) is element


@pytest.mark.parametrize("word", ["bugfix", "4512", "kudos", "teamwork", "thanks", "x", ""])
def test_far_misses_suggest_nothing(word: str) -> None:
    assert suggest_element(word) is None


def test_in_definition_order_sorts_and_removes_duplicates() -> None:
    assert in_definition_order([Element.CUSTOMER, Element.ACT, Element.CUSTOMER]) == (
        Element.ACT,
        Element.CUSTOMER,
    )
    assert in_definition_order(set()) == ()


@pytest.mark.parametrize(
    ("tag", "element"),
    [
        ("vrijwillig", Element.VOLUNTARY),
        ("daad", Element.ACT),
        ("kern-van-het-werk", Element.DEMONSTRATES),
        ("oprecht", Element.GENUINE),
        ("verlangen", Element.DESIRE),
        ("verrassen", Element.DELIGHT),
        ("klant", Element.CUSTOMER),
        ("volontaire", Element.VOLUNTARY),
        ("acte", Element.ACT),
        ("démontrer", Element.DEMONSTRATES),
        ("sincère", Element.GENUINE),
        ("sincere", Element.GENUINE),
        ("désir", Element.DESIRE),
        ("desir", Element.DESIRE),
        ("Enchanté", Element.DELIGHT),
        ("client", Element.CUSTOMER),
        ("bénévole", Element.VOLUNTARY),
    ],
)
def test_dutch_and_french_tags_with_or_without_accents_name_their_element(
    tag: str, element: Element
) -> None:
    assert element_for_tag(tag) is element


@pytest.mark.parametrize(
    ("typo", "element"),
    [
        ("vrijwilig", Element.VOLUNTARY),
        ("oprech", Element.GENUINE),
        ("volontair", Element.VOLUNTARY),
        ("sincèr", Element.GENUINE),
        ("enchantée", Element.DELIGHT),
        ("klannt", Element.CUSTOMER),
    ],
)
def test_did_you_mean_works_across_the_languages(typo: str, element: Element) -> None:
    assert suggest_element(typo) is element
