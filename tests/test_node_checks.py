"""The node-side card checker really checks: it finds the mistakes we make, passes a good card."""

from __future__ import annotations

from typing import Any

from tests.node_checks import check_cards


def card(*body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": list(body),
        **fields,
    }


GOOD_DIALOG = card(
    {"type": "TextBlock", "text": "Who went out of their way?", "wrap": True, "weight": "Bolder"},
    {
        "type": "Input.ChoiceSet",
        "id": "people",
        "label": "People",
        "isMultiSelect": True,
        "choices": [],
        "choices.data": {"type": "Data.Query", "dataset": "graph.microsoft.com/users"},
        "isRequired": True,
        "errorMessage": "Pick at least one person",
    },
    {"type": "Input.Text", "id": "story", "label": "What they did", "isMultiline": True},
    {
        "type": "Input.ChoiceSet",
        "id": "elements",
        "label": "Elements",
        "isMultiSelect": True,
        "choices": [{"title": "Voluntary", "value": "voluntary"}],
    },
    {"type": "Input.Toggle", "id": "private", "title": "Private", "value": "false"},
    {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "auto", "items": [{"type": "TextBlock", "text": "3"}]}
        ],
    },
    actions=[
        {"type": "Action.Submit", "title": "Recognise", "data": {"delight": "nominate"}},
        {"type": "Action.Execute", "title": "I saw it too", "verb": "endorse", "data": {"id": 7}},
    ],
    msteams={"width": "Full"},
)


def test_a_good_version_1_5_card_passes() -> None:
    assert check_cards([GOOD_DIALOG]) == [[]]


def test_a_typo_in_an_element_type_is_reported() -> None:
    [errors] = check_cards([card({"type": "TextBlok", "text": "hello"})])
    assert any("TextBlok" in error for error in errors), errors


def test_a_value_outside_an_enum_is_reported() -> None:
    [errors] = check_cards([card({"type": "TextBlock", "text": "hello", "size": "huge"})])
    assert any('"huge"' in error and "size" in error for error in errors), errors


def test_an_input_without_an_id_is_reported() -> None:
    [errors] = check_cards([card({"type": "Input.Text", "label": "Story"})])
    assert any("body[0] Input.Text: an input needs an id" in error for error in errors), errors


def test_a_misspelt_property_is_reported() -> None:
    choice_set = {
        "type": "Input.ChoiceSet",
        "id": "elements",
        "isMultiselect": True,
        "choices": [{"title": "Voluntary", "value": "voluntary"}],
    }
    [errors] = check_cards([card(choice_set)])
    assert errors == ['body[0] Input.ChoiceSet: unknown property "isMultiselect"']


def test_other_versions_and_newer_elements_are_reported() -> None:
    older = {**card({"type": "TextBlock", "text": "hi"}), "version": "1.4"}
    newer = card({"type": "Carousel", "pages": []})
    older_errors, newer_errors = check_cards([older, newer])
    assert any('version must be "1.5"' in error for error in older_errors), older_errors
    assert any("needs Adaptive Cards 1.6" in error for error in newer_errors), newer_errors


def test_an_execute_action_without_a_verb_is_reported() -> None:
    [errors] = check_cards([card(actions=[{"type": "Action.Execute", "title": "Endorse"}])])
    assert any("Action.Execute needs a verb" in error for error in errors), errors


def test_each_card_of_a_batch_gets_its_own_answer() -> None:
    bad = card({"type": "TextBlok", "text": "hello"})
    results = check_cards([GOOD_DIALOG, bad, GOOD_DIALOG])
    assert [bool(errors) for errors in results] == [False, True, False]
