"""The rules of giving and taking back read the same on Slack and in Teams, in every language:
both adapters fall back on bot/refusal_words.py, and word only what is theirs."""

from __future__ import annotations

import pytest

from bot.core import errors
from bot.i18n import speaking
from bot.refusal_words import common_refusal, unexplained_refusal
from handlers.msteams import refusals as teams_refusals
from handlers.slack import refusals as slack_refusals

SHARED: list[errors.DelightError] = [
    errors.SelfRecognition(),
    errors.TooManyRecipients(count=12, limit=10),
    errors.StoryMissing(),
    errors.StoryTooShort(min_words=3, min_chars=12),
    errors.StoryTooLong(length=1200, limit=1000),
    errors.DailyLimitReached(limit=10, remaining=0, requested=1),
    errors.DailyLimitReached(limit=10, remaining=2, requested=3),
    errors.NothingToUndo(window_minutes=15),
    errors.UndoWindowPassed(window_minutes=1),
    errors.KudosNotFound(),
    errors.NotYourKudos(),
    errors.DuplicateNomination(request_key="command:1.2.3"),
]


def _teams(error: errors.DelightError) -> str:
    return teams_refusals.explain(error, lambda user_id: f"Name of {user_id}")


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("error", SHARED, ids=lambda e: type(e).__name__)
def test_a_shared_rule_reads_the_same_on_both_platforms(
    error: errors.DelightError, language: str
) -> None:
    with speaking(language):
        said = common_refusal(error)
        assert said
        assert said != unexplained_refusal()
        assert slack_refusals.explain(error) == said
        assert _teams(error) == said


def test_the_daily_limit_says_whether_anything_is_left() -> None:
    spent, left = (
        common_refusal(errors.DailyLimitReached(limit=10, remaining=r, requested=3)) for r in (0, 2)
    )
    assert spent is not None
    assert "10 people today" in spent
    assert "tomorrow" in spent
    assert left is not None
    assert "2 more people" in left
    assert "daily limit is 10" in left


def test_what_a_platform_words_itself_is_not_shared() -> None:
    bot = errors.RecipientIsBot(user_ids=("U1",))
    assert common_refusal(bot) is None
    assert "<@U1>" in slack_refusals.explain(bot)  # Slack's mention markup
    assert "Name of U1" in _teams(bot)  # Teams' display name


def test_a_refusal_nobody_words_still_says_what_to_do() -> None:
    class Unforeseen(errors.DelightError):
        pass

    assert common_refusal(Unforeseen()) is None
    assert slack_refusals.explain(Unforeseen()) == unexplained_refusal()
    assert _teams(Unforeseen()) == unexplained_refusal()
    assert "try again" in unexplained_refusal()
