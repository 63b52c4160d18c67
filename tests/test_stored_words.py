"""What the core said, kept in a text column and read back later: a `Said` with values comes
back whole, so whoever shows it translates it (`bot.i18n.say`); any other text, and a row kept
before reasons were stored this way, comes back as it is."""

from __future__ import annotations

import pytest

from bot.core.elements import Element
from bot.core.tip_delivery import no_tips_reason
from bot.core.words import N_, Said, restored, stored
from bot.i18n import say, speaking


def test_a_said_with_values_comes_back_whole_and_translates() -> None:
    said = Said(N_("DMed {sent} of {count} members"), sent=3, count=1000)

    kept = stored(said)
    back = restored(kept)

    assert kept.startswith('{"text":"DMed 3 of 1000 members",')
    assert isinstance(back, Said)
    assert (back, back.message, back.values) == (said, said.message, {"sent": 3, "count": 1000})
    with speaking("nl"):
        assert say(back) == "DM gestuurd aan 3 van de 1.000 leden"
    with speaking("fr"):
        assert say(back) == "envoyé en message direct à 3 membres sur 1\u202f000"


def test_a_said_value_that_is_itself_said_is_translated_too() -> None:
    back = restored(stored(no_tips_reason(Element.VOLUNTARY)))

    assert back == "every Voluntary tip is turned off"
    with speaking("fr"):
        assert say(back) == "tous les conseils «\u00a0Volontaire\u00a0» sont désactivés"


@pytest.mark.parametrize(
    "text",
    [
        "missed while Delight was not running",  # a fixed message: translated on read already
        "DMed 3 of 5 members",  # a row kept as English text before
        "not_in_channel: not_in_channel",  # a platform's error
        '{"text": not json',
        '{"text":"a JSON object, not ours"}',
        '{"text":"x","said":"{missing} value","values":{}}',
        '{"text":"x","said":"{n} members","values":[3]}',
    ],
)
def test_other_text_is_kept_and_read_back_as_it_is(text: str) -> None:
    back = restored(stored(text))

    assert back == text
    assert not isinstance(back, Said) or not back.values


def test_nothing_stays_nothing() -> None:
    assert stored(None) is None
    assert restored(None) is None
