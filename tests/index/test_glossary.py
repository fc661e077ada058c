"""Specs for the English glossary used by keyword search of English questions."""

from __future__ import annotations

import opencc
import pytest

from index.text.glossary import GLOSSARY, english_terms


def test_courier_riders_question_gets_rider_terms() -> None:
    terms = english_terms("how did Nanshan organise courier riders")

    assert terms[0] == "快递骑手"
    assert {"快递小哥", "快递员"} <= set(terms)


def test_longest_phrase_wins_over_its_parts() -> None:
    terms = english_terms("What has Qixia done on red property management?")

    assert terms == ("红色物业",)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("How many grids does Qixia have?", "网格", id="plural-grids"),
        pytest.param("Hanyang indicator systems", "指标体系", id="plural-phrase"),
        pytest.param("What is the indicator system?", "指标体系", id="indicator-system"),
        pytest.param("Who are the homeowners' committees?", "业委会", id="possessive-plural"),
        pytest.param("support for the ELDERLY", "老年人", id="upper-case"),
        pytest.param("neighbourhood governance", "小区治理", id="british-spelling"),
        pytest.param("neighborhood governance", "小区治理", id="american-spelling"),
        pytest.param("party-building-led governance", "党建引领", id="hyphenated"),
        pytest.param("organisations of the two new kind: two new organizations", "两新组织", id="ise-ize"),
        pytest.param("Who volunteered in the community?", "志愿者", id="past-tense"),
        pytest.param("university teachers taking temporary posts", "挂职", id="plural-temporary-posts"),
        pytest.param("the Central Party School", "中央党校", id="proper-noun"),
        pytest.param("party-led governance", "党建引领", id="party-led"),
        pytest.param("How did the party in Nanshan support tech firms?", "党组织", id="the-party-alone"),
    ],
)
def test_question_phrase_maps_to_chinese_term(question: str, expected: str) -> None:
    assert expected in english_terms(question)


def test_terms_follow_order_of_appearance_without_repeats() -> None:
    terms = english_terms("grid members, grids and more grid members")

    assert terms == ("网格员", "网格")


def test_words_inside_other_words_do_not_match() -> None:
    assert english_terms("reddish gridlock") == ()


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("How do I bake sourdough bread?", id="baking"),
        pytest.param("What is the weather like tomorrow?", id="weather"),
        pytest.param("How does this work?", id="generic-words"),
        pytest.param("", id="empty"),
    ],
)
def test_unrelated_question_gets_no_terms(question: str) -> None:
    assert english_terms(question) == ()



def test_every_phrase_finds_its_own_terms() -> None:
    missing = {
        phrase: terms
        for phrase, terms in GLOSSARY.items()
        if not set(terms) <= set(english_terms(phrase))
    }

    assert missing == {}


def test_phrases_are_lowercase_words() -> None:
    odd = [phrase for phrase in GLOSSARY if phrase != phrase.lower() or len(phrase) < 3]

    assert odd == []


def test_chinese_terms_are_simplified() -> None:
    to_simplified = opencc.OpenCC("t2s")

    traditional = [
        term for terms in GLOSSARY.values() for term in terms if to_simplified.convert(term) != term
    ]

    assert traditional == []


def test_chinese_glosses_name_key_terms_in_order_without_their_parts() -> None:
    from index.text.glossary import chinese_glosses

    glosses = chinese_glosses("南山区成立快递骑手党支部，红色物业把物业服务企业组织起来", most=3)

    assert glosses == (("快递骑手", "courier rider"), ("党支部", "party branch"), ("红色物业", "red property management"))


def test_speech_verbs_are_not_glossed() -> None:
    from index.text.glossary import chinese_glosses

    assert chinese_glosses("专家指出、认为、表示", most=6) == ()
