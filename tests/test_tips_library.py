"""The tips library: the shipped files (English and its translations) are complete and within
limits, and a bad file is refused with a message that says what is wrong and where."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest

from bot.core.elements import Element
from bot.core.tips import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    MIN_BODY_CHARS,
    MIN_TIPS_PER_ELEMENT,
    Tip,
    TipLibrary,
    TipLibraryError,
    library_path,
    load_tip_libraries,
    load_tip_library,
)

TRANSLATIONS = ("nl", "fr")


def _tip(element: Element, n: int) -> dict[str, str]:
    """A valid tip of made-up words, seeded by its id: unlike every other such tip, so only
    the tip a test changes can trip a check."""
    tip_id = f"{element.value}-tip-{n}"
    rng = random.Random(tip_id)

    def words(count: int) -> str:
        return " ".join("".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(count))

    return {"id": tip_id, "title": words(5).capitalize(), "body": words(20).capitalize() + "."}


def _good_library(per_element: int = MIN_TIPS_PER_ELEMENT) -> dict[str, list[dict[str, str]]]:
    return {element.value: [_tip(element, n) for n in range(per_element)] for element in Element}


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write(
    tmp_path: Path, library: dict[str, list[dict[str, str]]], name: str = "library.toml"
) -> Path:
    lines: list[str] = []
    for key, tips in library.items():
        for tip in tips:
            lines.append(f"[[{key}]]")
            lines.extend(f"{field} = {_toml(value)}" for field, value in tip.items())
            lines.append("")
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(TipLibraryError) as caught:
        load_tip_library(path)
    message = str(caught.value)
    assert str(path) in message
    return message


# ── The shipped library ───────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def shipped() -> TipLibrary:
    return load_tip_library()


@pytest.fixture(scope="module")
def shipped_libraries() -> dict[str, TipLibrary]:
    return load_tip_libraries()


def test_the_shipped_library_loads(shipped: TipLibrary) -> None:
    assert len(shipped) >= MIN_TIPS_PER_ELEMENT * len(Element)


def test_every_element_has_at_least_seven_tips_of_its_own(shipped: TipLibrary) -> None:
    assert MIN_TIPS_PER_ELEMENT == 7  # a week's worth: one a day never repeats within a week
    for element in Element:
        tips = shipped.for_element(element)
        assert len(tips) >= MIN_TIPS_PER_ELEMENT, element
        assert all(tip.element is element for tip in tips)


def test_shipped_tip_ids_are_unique_and_name_their_element(shipped: TipLibrary) -> None:
    ids = [tip.id for tip in shipped]
    assert len(ids) == len(set(ids))
    for tip in shipped:
        assert tip.id.startswith(f"{tip.element.value}-"), tip.id
        assert shipped.get(tip.id) == tip


def test_shipped_tips_fit_a_slack_message(shipped: TipLibrary) -> None:
    for tip in shipped:
        assert len(tip.title) <= MAX_TITLE_CHARS, tip.id
        # The library aims tighter than the loader's hard limits: two or three short sentences.
        assert 120 <= len(tip.body) <= 400, tip.id
        assert not re.search(r"[<>&*_~`@]", tip.title + tip.body), tip.id


def test_only_private_reflections_go_without_the_recognise_button(shipped: TipLibrary) -> None:
    # Nobody could be seen writing down why their job exists; everyone else's tips name
    # something a colleague might have watched someone do.
    assert {tip.id for tip in shipped if not tip.recognisable} >= {
        "demonstrates-write-down-why",
        "desire-find-what-you-enjoy-in-helping",
        "desire-picture-the-person-waiting",
    }
    assert sum(tip.recognisable for tip in shipped) > len(shipped) * 3 // 4


SEED_ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SHARED_RUN = 6  # words in a row that a tip may not share with the seed articles


def _words(text: str) -> list[str]:
    return [word.casefold() for word in re.findall(r"\w+", text)]


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


def test_no_tip_shares_six_words_in_a_row_with_the_seed_articles(
    shipped_libraries: dict[str, TipLibrary],
) -> None:
    """The tips are the project's own words, in every language: none repeats a sentence of
    the articles the project was created from (a run of six words, ignoring case and
    punctuation)."""
    articles = sorted(SEED_ARTICLES.glob("*.txt")) if SEED_ARTICLES.is_dir() else []
    if not articles:
        pytest.skip(
            f"the seed articles are not beside this checkout ({SEED_ARTICLES} has no *.txt)"
        )
    seeded: dict[tuple[str, ...], str] = {}
    for article in articles:
        for run in _runs(_words(article.read_text(encoding="utf-8"))):
            seeded.setdefault(run, article.name)

    shared = [
        f"{language} {tip.id} ({field}): “{' '.join(run)}” is in {seeded[run]}"
        for language, library in shipped_libraries.items()
        for tip in library
        for field, text in (("title", tip.title), ("body", tip.body))
        for run in sorted(_runs(_words(text)) & seeded.keys())
    ]
    assert not shared, "tips repeat the seed articles' words:\n" + "\n".join(shared)


def test_the_seed_check_finds_a_run_of_six_words_but_not_five() -> None:
    article = _runs(_words("Weighing a package is mandatory. Smiling isn't."))
    assert _runs(_words("Remember: weighing a PACKAGE is, mandatory -- smiling!")) & article
    assert not _runs(_words("Weighing a package is mandatory; smiles are optional.")) & article


def test_bodies_read_as_one_paragraph(shipped_libraries: dict[str, TipLibrary]) -> None:
    for library in shipped_libraries.values():
        for tip in library:
            assert "\n" not in tip.body
            assert "  " not in tip.body


# ── The shipped translations ──────────────────────────────────────────────────────────────


def test_every_shipped_language_loads(shipped_libraries: dict[str, TipLibrary]) -> None:
    assert list(shipped_libraries) == ["en", *TRANSLATIONS]
    assert [tip.id for tip in shipped_libraries["en"]] == [tip.id for tip in load_tip_library()]
    assert library_path("en") == library_path("nl").with_name("library.toml")
    assert library_path("fr").name == "library.fr.toml"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_translation_holds_exactly_the_english_tips(
    shipped_libraries: dict[str, TipLibrary], language: str
) -> None:
    english, translation = shipped_libraries["en"], shipped_libraries[language]
    assert [(tip.id, tip.element, tip.recognisable) for tip in translation] == [
        (tip.id, tip.element, tip.recognisable) for tip in english
    ]


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_translation_is_translated_and_fits_a_slack_message(
    shipped_libraries: dict[str, TipLibrary], language: str
) -> None:
    english = shipped_libraries["en"]
    for tip in shipped_libraries[language]:
        original = english.get(tip.id)
        assert original is not None
        assert tip.title != original.title, tip.id
        assert tip.body != original.body, tip.id
        assert len(tip.title) <= MAX_TITLE_CHARS, tip.id
        # Dutch and French run longer than English: aim a little wider than its 120 to 400.
        assert 120 <= len(tip.body) <= 480, tip.id
        assert not re.search(r"[<>&*_~`@]", tip.title + tip.body), tip.id


def test_french_punctuation_is_held_by_no_break_spaces(
    shipped_libraries: dict[str, TipLibrary],
) -> None:
    """A line of a French tip never starts with ? ! : ; or », nor ends with «."""
    texts = [text for tip in shipped_libraries["fr"] for text in (tip.title, tip.body)]
    assert any("\u00a0?" in text for text in texts)
    for text in texts:
        assert not re.search(r" [?!:;»]|« ", text), text


def test_no_break_spaces_survive_joining_a_body_s_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, _good_library())
    text = path.read_text(encoding="utf-8")
    body = 'body = """\nPourquoi\u00a0? Parce\n que «\u00a0oui\u00a0».' + " Mot" * 20 + '\n"""\n'
    path.write_text(text + '[[act]]\nid = "act-nbsp"\ntitle = "Oui"\n' + body, encoding="utf-8")
    tip = load_tip_library(path).get("act-nbsp")
    assert tip is not None
    assert tip.body.startswith("Pourquoi\u00a0? Parce que «\u00a0oui\u00a0». Mot Mot")


def test_tips_keep_file_order_within_an_element(tmp_path: Path) -> None:
    library = load_tip_library(_write(tmp_path, _good_library()))
    assert [tip.id for tip in library.for_element(Element.ACT)] == [
        f"act-tip-{n}" for n in range(MIN_TIPS_PER_ELEMENT)
    ]
    assert library.get("no-such-tip") is None


def test_a_tip_is_recognisable_unless_the_file_says_otherwise(tmp_path: Path) -> None:
    path = _write(tmp_path, _good_library())
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('id = "genuine-tip-2"\n', 'id = "genuine-tip-2"\nrecognise = false\n').replace(
            'id = "genuine-tip-3"\n', 'id = "genuine-tip-3"\nrecognise = true\n'
        ),
        encoding="utf-8",
    )
    library = load_tip_library(path)
    assert [tip.recognisable for tip in library.for_element(Element.GENUINE)][:4] == [
        True,
        True,
        False,
        True,
    ]
    assert sum(not tip.recognisable for tip in library) == 1


def test_a_tip_cannot_be_changed_once_loaded() -> None:
    tip = Tip(id="act-x", element=Element.ACT, title="Do it", body="Because.")
    with pytest.raises(AttributeError):
        tip.title = "Something else"  # type: ignore[misc]


# ── Refusals: one small bad file per rule ────────────────────────────────────────────────


def test_invalid_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    path.write_text('[[genuine]]\nid = "unterminated\n', encoding="utf-8")
    assert "invalid TOML" in _refused(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read" in _refused(tmp_path / "nowhere.toml")


def test_a_missing_element_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    del library["desire"]
    assert "element 'desire' is missing" in _refused(_write(tmp_path, library))


def test_an_element_with_too_few_tips_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["customer"].pop()
    message = _refused(_write(tmp_path, library))
    assert "element 'customer' has too few tips (6, at least 7)" in message


def test_an_unknown_element_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["kindness"] = [_tip(Element.ACT, 99)]
    assert "unknown element 'kindness'" in _refused(_write(tmp_path, library))


def test_an_element_written_as_a_single_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    path.write_text('[voluntary]\nid = "voluntary-x"\n', encoding="utf-8")
    assert "write each tip as a [[voluntary]] table" in _refused(path)


def test_an_unknown_key_in_a_tip_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["act"][2]["score"] = "10"
    assert "element 'act', tip 'act-tip-2': unknown key 'score'" in _refused(
        _write(tmp_path, library)
    )


@pytest.mark.parametrize("value", ['"false"', "0", '"no"', "[]"])
def test_a_recognise_that_is_not_true_or_false_is_refused(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, _good_library())
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('id = "act-tip-2"\n', f'id = "act-tip-2"\nrecognise = {value}\n'),
        encoding="utf-8",
    )
    assert "element 'act', tip 'act-tip-2': recognise must be true or false" in _refused(path)


@pytest.mark.parametrize("field", ["id", "title", "body"])
def test_a_missing_or_empty_field_is_refused(tmp_path: Path, field: str) -> None:
    library = _good_library()
    library["genuine"][1][field] = "   "
    assert f"{field} is missing or empty" in _refused(_write(tmp_path, library))


@pytest.mark.parametrize("bad_id", ["Genuine-Tip", "genuine tip", "genuine--tip", "-genuine"])
def test_a_badly_formed_id_is_refused(tmp_path: Path, bad_id: str) -> None:
    library = _good_library()
    library["genuine"][0]["id"] = bad_id
    assert f"element 'genuine', tip {bad_id!r}: bad id" in _refused(_write(tmp_path, library))


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["delight"][3]["id"] = "act-tip-1"
    message = _refused(_write(tmp_path, library))
    assert "element 'delight', tip 'act-tip-1': duplicate id (also used in element 'act')" in (
        message
    )


def test_a_too_long_title_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["act"][0]["title"] = "Walk " + "very " * 14 + "far"
    assert "tip 'act-tip-0': title too long (78 characters, at most 70)" in _refused(
        _write(tmp_path, library)
    )


def test_a_too_short_body_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["voluntary"][4]["body"] = "Smile more."
    message = _refused(_write(tmp_path, library))
    assert f"tip 'voluntary-tip-4': body too short (11 characters, at least {MIN_BODY_CHARS})" in (
        message
    )


def test_a_too_long_body_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["voluntary"][4]["body"] = "x" * (MAX_BODY_CHARS + 1)
    assert f"body too long ({MAX_BODY_CHARS + 1} characters" in _refused(_write(tmp_path, library))


@pytest.mark.parametrize("character", ["<", ">", "&"])
def test_characters_slack_reads_as_markup_are_refused(tmp_path: Path, character: str) -> None:
    library = _good_library()
    library["customer"][0]["title"] += f" {character} more"
    message = _refused(_write(tmp_path, library))
    assert f"tip 'customer-tip-0': title contains {character!r}" in message


def test_an_exact_duplicate_ignoring_case_and_spacing_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    copied = library["act"][1]
    library["desire"][2]["title"] = "  " + copied["title"].upper().replace(" ", "   ")
    library["desire"][2]["body"] = copied["body"].lower()
    message = _refused(_write(tmp_path, library))
    assert "tip 'desire-tip-2': exact duplicate title of tip 'act-tip-1'" in message
    assert "tip 'desire-tip-2': exact duplicate body of tip 'act-tip-1'" in message


def test_a_near_duplicate_title_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    library["delight"][0]["title"] = "Ask one real question of every customer"
    library["genuine"][5]["title"] = "Ask one real question to each customer"
    message = _refused(_write(tmp_path, library))
    # Tips are compared in definition order, so the later element's tip is the one named.
    assert "tip 'delight-tip-0': near-duplicate title of tip 'genuine-tip-5'" in message


def test_a_near_duplicate_body_is_refused(tmp_path: Path) -> None:
    library = _good_library()
    original = (
        "Swap one stock phrase for a question you really want answered, such as what brought "
        "them in today. Curiosity cannot be scripted, and people notice the difference."
    )
    library["voluntary"][0]["body"] = original
    library["customer"][3]["body"] = original.replace("really", "truly").replace(
        "people notice", "everyone can tell"
    )
    message = _refused(_write(tmp_path, library))
    assert "tip 'customer-tip-3': near-duplicate body of tip 'voluntary-tip-0'" in message


# ── Refusals: a translation that is not the English library, tip for tip ────────────────


def _translated(tmp_path: Path, translation: dict[str, list[dict[str, str]]]) -> str:
    """Write an English library of eight tips per element (so one tip more or less still
    passes the count rule) and `translation` as its Dutch; the Dutch file's refusal."""
    _write(tmp_path, _good_library(per_element=8))
    path = _write(tmp_path, translation, name="library.nl.toml")
    with pytest.raises(TipLibraryError) as caught:
        load_tip_libraries(tmp_path, ("en", "nl"))
    message = str(caught.value)
    assert str(path) in message
    return message


def test_a_complete_translation_loads(tmp_path: Path) -> None:
    _write(tmp_path, _good_library(per_element=8))
    _write(tmp_path, _good_library(per_element=8), name="library.nl.toml")
    libraries = load_tip_libraries(tmp_path, ("en", "nl"))
    assert list(libraries) == ["en", "nl"]
    assert len(libraries["nl"]) == 8 * len(Element)


def test_a_translation_missing_a_tip_is_refused(tmp_path: Path) -> None:
    translation = _good_library(per_element=8)
    del translation["genuine"][5]
    message = _translated(tmp_path, translation)
    assert "element 'genuine', tip 'genuine-tip-5': missing" in message


def test_a_translation_with_an_extra_tip_is_refused(tmp_path: Path) -> None:
    translation = _good_library(per_element=8)
    translation["desire"].append(_tip(Element.DESIRE, 8))
    message = _translated(tmp_path, translation)
    assert "element 'desire', tip 'desire-tip-8': not in the English library" in message


def test_a_translation_with_a_tip_under_another_element_is_refused(tmp_path: Path) -> None:
    translation = _good_library(per_element=8)
    translation["customer"].append(translation["act"].pop(3))
    message = _translated(tmp_path, translation)
    assert (
        "element 'act', tip 'act-tip-3': translated under element 'customer' "
        "(it belongs under 'act', as in English)"
    ) in message
    assert message.count("act-tip-3") == 1  # one problem: not also "missing" or "extra"


def test_a_translation_with_another_recognise_value_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, _good_library(per_element=8))
    path = _write(tmp_path, _good_library(per_element=8), name="library.nl.toml")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('id = "delight-tip-4"\n', 'id = "delight-tip-4"\nrecognise = false\n'),
        encoding="utf-8",
    )
    with pytest.raises(TipLibraryError) as caught:
        load_tip_libraries(tmp_path, ("en", "nl"))
    message = str(caught.value)
    assert str(path) in message
    assert "tip 'delight-tip-4': recognise is false, but true in English" in message


def test_a_translation_in_another_order_is_refused(tmp_path: Path) -> None:
    translation = _good_library(per_element=8)
    voluntary = translation["voluntary"]
    voluntary[1], voluntary[2] = voluntary[2], voluntary[1]
    message = _translated(tmp_path, translation)
    assert "element 'voluntary', tip 'voluntary-tip-2': out of order" in message


def test_a_translation_must_pass_the_same_rules(tmp_path: Path) -> None:
    translation = _good_library(per_element=8)
    translation["act"][0]["title"] = "x" * 80
    translation["genuine"][1]["body"] = translation["genuine"][0]["body"]
    message = _translated(tmp_path, translation)
    assert "tip 'act-tip-0': title too long" in message
    assert "tip 'genuine-tip-1': exact duplicate body of tip 'genuine-tip-0'" in message


def test_a_missing_translation_file_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, _good_library())
    with pytest.raises(TipLibraryError) as caught:
        load_tip_libraries(tmp_path, ("en", "fr"))
    assert str(tmp_path / "library.fr.toml") in str(caught.value)
    assert "cannot read" in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    library = _good_library()
    library["act"][0]["title"] = "x" * 80
    library["genuine"][0]["id"] = "Bad Id"
    message = _refused(_write(tmp_path, library))
    assert "2 problems" in message
    assert "title too long" in message
    assert "bad id" in message
