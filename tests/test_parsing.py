"""Slack command text → typed input: recipients, story, tags and the refusals parsing gives."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.elements import Element
from handlers.slack.parsing import (
    CommandNomination,
    GroupMention,
    HelpRequest,
    ModalRequest,
    ParsedCommand,
    ParseError,
    Subcommand,
    UnknownTag,
    UserRef,
    name_mentions,
    parse_command,
    strip_bot_mention,
    to_plain_text,
)


def nomination(text: str) -> CommandNomination:
    parsed = parse_command(text)
    assert isinstance(parsed, CommandNomination), parsed
    return parsed


# --- recipients -------------------------------------------------------------------------------


def test_escaped_mention_with_label_is_a_recipient() -> None:
    parsed = nomination("<@U123|maria> stayed late to help a customer")

    assert parsed.recipients == (UserRef(user_id="U123"),)
    assert parsed.story.strip() == "stayed late to help a customer"


def test_escaped_mention_without_label_is_a_recipient() -> None:
    parsed = nomination("<@U123> stayed late to help a customer")

    assert parsed.recipients == (UserRef(user_id="U123"),)
    assert parsed.story.strip() == "stayed late to help a customer"


def test_enterprise_user_id_is_a_recipient() -> None:
    assert nomination("<@W42> fixed it for the client").recipients == (UserRef(user_id="W42"),)


def test_plain_at_name_is_a_recipient_by_name() -> None:
    parsed = nomination("@maria stayed late to help a customer")

    assert parsed.recipients == (UserRef(name="maria"),)
    assert parsed.story.strip() == "stayed late to help a customer"


def test_plain_name_loses_trailing_punctuation() -> None:
    parsed = parse_command("@maria.")

    assert parsed == ModalRequest(recipients=(UserRef(name="maria"),))


@pytest.mark.parametrize(
    "text",
    [
        "<@U1|ann>, <@U2|bob>, <@U3|cy> found the lost parcel",
        "<@U1> and <@U2> and <@U3> found the lost parcel",
        "<@U1> &amp; <@U2> &amp; <@U3> found the lost parcel",
        "<@U1>&amp;<@U2>, <@U3> found the lost parcel",
        "<@U1> + <@U2> AND <@U3> found the lost parcel",
    ],
)
def test_several_recipients_with_separators_are_all_recipients(text: str) -> None:
    parsed = nomination(text)

    assert [ref.user_id for ref in parsed.recipients] == ["U1", "U2", "U3"]
    assert parsed.story.strip() == "found the lost parcel"


def test_escaped_and_plain_recipients_mix() -> None:
    parsed = nomination("@ann, <@U2|bob> and @cy.lee found the lost parcel")

    assert parsed.recipients == (
        UserRef(name="ann"),
        UserRef(user_id="U2"),
        UserRef(name="cy.lee"),
    )


def test_same_recipient_named_twice_counts_once() -> None:
    parsed = nomination("<@U1|maria> and <@U1> found the lost parcel")

    assert parsed.recipients == (UserRef(user_id="U1"),)


def test_lowercase_user_id_is_normalised_to_uppercase() -> None:
    assert nomination("<@u1abc> found the lost parcel").recipients == (UserRef(user_id="U1ABC"),)


# --- help and the modal -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["help", "HELP", "  help  ", "?", "-h", "--help", "usage"])
def test_help_words_ask_for_help(text: str) -> None:
    assert parse_command(text) == HelpRequest()


def test_help_inside_a_story_is_not_a_help_request() -> None:
    assert isinstance(parse_command("<@U1> helped me with the help desk"), CommandNomination)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_opens_the_modal(text: str) -> None:
    assert parse_command(text) == ModalRequest()


def test_recipients_only_open_the_modal_with_them() -> None:
    parsed = parse_command("<@U1|ann> and <@U2>")

    assert parsed == ModalRequest(recipients=(UserRef(user_id="U1"), UserRef(user_id="U2")))


def test_and_after_the_recipients_stays_in_the_story() -> None:
    parsed = nomination("<@U1> and then she stayed late to help")

    assert parsed.recipients == (UserRef(user_id="U1"),)
    assert parsed.story.strip() == "and then she stayed late to help"


# --- tags -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["#genuine", "#Genuine", "#GENUINE", "#gEnUiNe"])
def test_tags_are_case_insensitive(tag: str) -> None:
    parsed = nomination(f"<@U1> asked the customer a real question {tag}")

    assert parsed.elements == (Element.GENUINE,)


@pytest.mark.parametrize(
    ("tag", "element"),
    [
        ("#job-essence", Element.DEMONSTRATES),
        ("#essence", Element.DEMONSTRATES),
        ("#sincere", Element.GENUINE),
        ("#volunteered", Element.VOLUNTARY),
        ("#customers", Element.CUSTOMER),
    ],
)
def test_tag_aliases_name_their_element(tag: str, element: Element) -> None:
    assert nomination(f"<@U1> did the right thing {tag}").elements == (element,)


def test_trailing_tags_are_removed_from_the_story() -> None:
    parsed = nomination("<@U1> stayed after close to help #voluntary #delight")

    assert parsed.story.strip() == "stayed after close to help"
    assert parsed.elements == (Element.VOLUNTARY, Element.DELIGHT)


def test_trailing_tags_with_punctuation_are_removed_and_the_sentence_kept() -> None:
    parsed = nomination("<@U1> stayed after close. #Delight, #ACT!")

    assert parsed.story.strip() == "stayed after close."
    # Definition order, whatever order they were typed in.
    assert parsed.elements == (Element.ACT, Element.DELIGHT)


def test_leading_tag_is_removed_from_the_story() -> None:
    parsed = nomination("<@U1> #genuine asked the customer a real question")

    assert parsed.story == "asked the customer a real question"
    assert parsed.elements == (Element.GENUINE,)


def test_inline_tag_is_kept_as_a_plain_word() -> None:
    parsed = nomination("<@U1> was #genuine with her all afternoon")

    assert parsed.story.strip() == "was genuine with her all afternoon"
    assert parsed.elements == (Element.GENUINE,)


def test_repeated_tag_gives_the_element_once() -> None:
    parsed = nomination("<@U1> was #genuine and kind #Genuine")

    assert parsed.elements == (Element.GENUINE,)


def test_channel_link_named_like_a_tag_counts_as_a_tag() -> None:
    parsed = nomination("<@U1> stayed late for a customer <#C123|delight>")

    assert parsed.elements == (Element.DELIGHT,)
    assert parsed.story.strip() == "stayed late for a customer"


def test_ordinary_channel_link_stays_in_the_story() -> None:
    parsed = nomination("<@U1> answered everyone in <#C123|general> today")

    assert parsed.elements == ()
    assert parsed.story.strip() == "answered everyone in #general today"


def test_near_miss_tag_is_refused_with_a_suggestion() -> None:
    with pytest.raises(UnknownTag) as refused:
        parse_command("<@U1> asked the customer a real question #genuin")

    assert refused.value.tag == "genuin"
    assert refused.value.suggestion is Element.GENUINE


@pytest.mark.parametrize("hashtag", ["#4512", "#bugfix", "#teamwork", "#kudos"])
def test_unrelated_hashtag_stays_in_the_story(hashtag: str) -> None:
    parsed = nomination(f"<@U1> closed {hashtag} before the release")

    assert parsed.elements == ()
    assert parsed.story.strip() == f"closed {hashtag} before the release"


@pytest.mark.parametrize("hashtag", ["#react", "#facts"])
def test_unrelated_real_word_hashtag_is_not_mistaken_for_act(hashtag: str) -> None:
    parsed = nomination(f"<@U1> fixed the {hashtag} page before the release")

    assert parsed.story.strip() == f"fixed the {hashtag} page before the release"


def test_hash_inside_a_url_path_is_not_a_tag() -> None:
    parsed = nomination("<@U1> wrote <https://wiki.example.com/#delight> for the team")

    assert parsed.elements == ()
    assert "https://wiki.example.com/#delight" in parsed.story


@pytest.mark.parametrize(
    "link", ["<https://x.com/p-#act|docs>", "<https://x.com/search?q=#genuin>"]
)
def test_hash_anywhere_inside_a_link_is_not_a_tag(link: str) -> None:
    parsed = nomination(f"<@U1> wrote {link} for the team")

    assert parsed.elements == ()
    assert "https://x.com/" in parsed.story
    assert link.strip("<>").split("|")[0] in parsed.story


# --- groups as recipients ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("<!here> kept the shop open", "here"),
        ("<!channel> kept the shop open", "channel"),
        ("<!everyone> kept the shop open", "everyone"),
        ("<!here|here> kept the shop open", "here"),
        ("<!subteam^S1|@team> kept the shop open", "@team"),
        ("@here kept the shop open", "here"),
        ("@Channel kept the shop open", "Channel"),
        ("<@U1> and <!here> kept the shop open", "here"),
    ],
)
def test_group_as_a_recipient_is_refused(text: str, label: str) -> None:
    with pytest.raises(GroupMention) as refused:
        parse_command(text)

    assert refused.value.label == label


def test_unlabelled_user_group_is_refused_with_a_generic_label() -> None:
    with pytest.raises(GroupMention) as refused:
        parse_command("<!subteam^S1> kept the shop open")

    assert refused.value.label == "a user group"


def test_group_mentioned_inside_the_story_is_not_a_recipient() -> None:
    parsed = nomination("<@U1> warned <!here> about the outage early")

    assert parsed.story.strip() == "warned @here about the outage early"


# --- the story as plain text ------------------------------------------------------------------


def test_labelled_link_shows_label_and_address() -> None:
    assert to_plain_text("see <https://x.com|label> now") == ("see label (https://x.com) now", ())


def test_bare_link_shows_its_address() -> None:
    assert to_plain_text("see <https://x.com/a?b=1>") == ("see https://x.com/a?b=1", ())


def test_link_labelled_with_its_own_address_is_shown_once() -> None:
    assert to_plain_text("<https://x.com|https://x.com>") == ("https://x.com", ())


def test_bare_mailto_link_shows_the_address() -> None:
    assert to_plain_text("<mailto:a@b.co>") == ("a@b.co", ())


def test_labelled_mailto_link_shows_the_address_once() -> None:
    assert to_plain_text("write to <mailto:a@b.co|a@b.co>") == ("write to a@b.co", ())


def test_channel_refs_become_hash_names() -> None:
    assert to_plain_text("in <#C1|general> and <#C2>") == ("in #general and #C2", ())


def test_labelled_mention_in_the_story_becomes_a_non_pinging_at_name() -> None:
    parsed = nomination("<@U1> thanked <@U2|bob> for covering")

    assert parsed.story.strip() == "thanked @bob for covering"
    assert "<@" not in parsed.story
    assert parsed.unnamed_mentions == ()


def test_unlabelled_mention_in_the_story_is_reported_for_naming() -> None:
    parsed = nomination("<@U1> thanked <@U2> and <@U3> and <@U2> again")

    assert parsed.unnamed_mentions == ("U2", "U3")
    assert "<@U2>" in parsed.story


def test_special_mentions_in_the_story_become_plain_words() -> None:
    assert to_plain_text("told <!channel> and <!date^1|Monday>") == ("told @channel and Monday", ())


def test_slack_escapes_are_undone_but_other_entities_kept_literally() -> None:
    plain, _ = to_plain_text("a &lt;b&gt; &amp; c &copy; &amp;lt;")

    assert plain == "a <b> & c &copy; &lt;"


def test_typed_html_entity_survives_the_whole_parse() -> None:
    assert nomination("<@U1> wrote &copy; on the sign").story.strip() == "wrote &copy; on the sign"


def test_a_subcommand_word_is_a_subcommand_in_any_case() -> None:
    # found by hypothesis: "UNDO" parsed to a Subcommand, which the property didn't expect
    assert isinstance(parse_command("UNDO"), Subcommand)


def test_a_mention_with_an_empty_label_is_named_like_a_bare_one() -> None:
    parsed = nomination("<@U1> thanks to <@U2|> and <@u3>")

    assert parsed.unnamed_mentions == ("U2", "U3")
    assert parsed.story.strip() == "thanks to <@U2> and <@U3>"


def test_a_mention_of_no_user_id_stays_text_and_is_never_looked_up() -> None:
    parsed = nomination("<@U1> helped <@> and <@nobody> and <@U2 >")

    assert parsed.unnamed_mentions == ()
    assert parsed.story.strip() == "helped @ and @nobody and @U2"


def test_name_mentions_names_leftover_mentions() -> None:
    assert name_mentions("ask <@U2> or <@U9>", {"U2": "bob"}) == "ask @bob or @someone"


# --- the bot's own mention --------------------------------------------------------------------


def test_strip_bot_mention_removes_the_bot_with_or_without_label() -> None:
    assert strip_bot_mention("<@UBOT> <@U1> did it", "UBOT").split() == ["<@U1>", "did", "it"]
    assert strip_bot_mention("<@UBOT|delight> thanks", "UBOT").split() == ["thanks"]


def test_strip_bot_mention_keeps_other_people() -> None:
    assert strip_bot_mention("<@UBOTX> hi", "UBOT") == "<@UBOTX> hi"


def test_strip_bot_mention_without_bot_id_changes_nothing() -> None:
    assert strip_bot_mention("<@UBOT> hi", None) == "<@UBOT> hi"


# --- properties -------------------------------------------------------------------------------

_ATOMS = st.sampled_from(
    [
        "<@U1|maria>",
        "<@U2>",
        "@bob",
        ",",
        " and ",
        "&amp;",
        "&lt;",
        "&gt;",
        "#genuine",
        "#genuin",
        "#4512",
        "<#C1|delight>",
        "<#C2>",
        "<!here>",
        "<!subteam^S1|@t>",
        "<https://x.com|x>",
        "<",
        ">",
        "|",
        "#",
        "@",
        " ",
        "\n",
        "word",
        "&",
    ]
)
_SLACKISH = st.one_of(st.text(max_size=80), st.lists(_ATOMS | st.text(max_size=3)).map("".join))


@given(_SLACKISH)
def test_parse_command_only_ever_raises_parse_errors(text: str) -> None:
    try:
        parsed = parse_command(text)
    except ParseError:
        return
    assert isinstance(parsed, get_args(ParsedCommand))


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_LABELLED = st.builds(
    lambda uid, label: f"<@U{uid}|{label}>",
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8),
    _WORD,
)
_STORY_PIECE = st.one_of(_WORD, _LABELLED, st.sampled_from(["#act", "#Delight", ",", "!"]))


@given(_LABELLED, st.lists(_STORY_PIECE, min_size=1, max_size=15))
def test_story_never_keeps_a_labelled_mention_as_markup(recipient: str, pieces: list[str]) -> None:
    parsed = parse_command(f"{recipient} {' '.join(pieces)}")

    if isinstance(parsed, CommandNomination):
        assert "<@" not in parsed.story
        assert parsed.unnamed_mentions == ()


@given(st.lists(_WORD, min_size=1, max_size=20))
def test_plain_words_reach_the_story_unchanged(words: list[str]) -> None:
    story = " ".join(words)

    parsed = parse_command(f"<@U1> {story}")

    assert isinstance(parsed, CommandNomination)
    assert parsed.story.strip() == story


@given(_SLACKISH)
def test_parsed_elements_are_unique_and_in_definition_order(text: str) -> None:
    try:
        parsed = parse_command(text)
    except ParseError:
        return
    if isinstance(parsed, CommandNomination):
        order = list(Element)
        assert list(parsed.elements) == sorted(set(parsed.elements), key=order.index)


@given(_SLACKISH)
def test_every_unnamed_mention_is_still_in_the_story(text: str) -> None:
    try:
        parsed = parse_command(text)
    except ParseError:
        return
    if isinstance(parsed, CommandNomination):
        for uid in parsed.unnamed_mentions:
            assert f"<@{uid}>" in parsed.story


@given(st.text(max_size=60))
def test_to_plain_text_without_markup_only_undoes_the_three_escapes(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    assert to_plain_text(escaped) == (text, ())


@given(st.text(alphabet=st.characters(blacklist_characters="<"), max_size=60))
def test_strip_bot_mention_leaves_the_rest_as_typed(text: str) -> None:
    assert strip_bot_mention(f"<@UBOT|delight> {text}", "UBOT") == f"  {text}"


def test_dutch_and_french_tags_are_read_as_their_elements() -> None:
    parsed = nomination("<@U1> hielp een klant na sluitingstijd #vrijwillig #sincère")

    assert set(parsed.elements) == {Element.VOLUNTARY, Element.GENUINE}
