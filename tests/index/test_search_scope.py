"""Years and places a question asks about, and what the corpus covers of them (pure, table-driven)."""

from __future__ import annotations

import pytest

from index.places.gazetteer import PlaceGazetteer
from index.search.question import analyse_question, asked_years
from index.search.scope import missing_years, place_scope
from index.text.chinese import years_in

CORPUS_PLACES = ("深圳市", "南山区", "南京市", "栖霞区", "杭州市", "拱墅区", "厦门市", "湖里区", "麓湖公园社区", "天府新区")


@pytest.fixture(scope="module")
def gazetteer() -> PlaceGazetteer:
    return PlaceGazetteer(CORPUS_PLACES)


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("栖霞区2023年在红色物业方面做了什么", (2023,)),
        ("What did Qixia do in 2020?", (2020,)),
        ("2019年至2021年南山区的做法", (2019, 2020, 2021)),
        ("2019-2021", (2019, 2020, 2021)),
        ("二〇二三年栖霞区", (2023,)),
        ("十四五期间", (2021, 2022, 2023, 2024, 2025)),
        ("全区划分网格1063个", ()),
        ("2000余名党员", ()),
        ("5.2023%", ()),
    ],
)
def test_years_a_question_asks_about(question: str, years: tuple[int, ...]) -> None:
    assert asked_years(question.lower()) == years


@pytest.mark.parametrize(
    ("text", "years"),
    [("2021年7月，南山区", {2021}), ("建设2000平方米的中心", set()), ("2018年和2020年", {2018, 2020}), ("2021-07", {2021})],
)
def test_years_a_passage_mentions(text: str, years: set[int]) -> None:
    assert years_in(text) == years


def test_missing_years_are_those_no_passage_mentions() -> None:
    assert missing_years((2021, 2023), [frozenset({2021}), frozenset({2019})]) == (2023,)


@pytest.mark.parametrize(
    ("question", "covered", "not_covered"),
    [
        pytest.param("福田区怎么组织快递骑手", (), ("福田区",), id="district-of-a-covered-city"),
        pytest.param("How did Futian district organise delivery riders?", (), ("福田区",), id="pinyin-district"),
        pytest.param("How did Siming organise delivery riders?", (), ("思明区",), id="pinyin-without-district"),
        pytest.param("湖裡區怎麼做社區治理", ("湖里区",), (), id="traditional-variant-folds"),
        pytest.param("望京街道怎么组织居民议事", (), ("望京街道",), id="street-no-report-names"),
        pytest.param("Wangjing Subdistrict parking", (), ("Wangjing Street",), id="pinyin-street"),
        pytest.param("Luhu Park Community activities", ("麓湖公园社区",), (), id="pinyin-start-of-a-community"),
        pytest.param("What is the Century Garden Community?", (), (), id="translated-name-is-not-flagged"),
        pytest.param("广东省怎么做两新党建", ("南山区", "深圳市"), (), id="province-covered-through-its-district"),
        pytest.param("冬天门把手太冰手怎么办", (), (), id="city-name-inside-words-is-no-place"),
        pytest.param("我们小区停车难怎么办", (), (), id="our-compound-is-no-name"),
        pytest.param("怎么建设社区", (), (), id="generic-community"),
        pytest.param("南山区和福田区有什么不同", ("南山区",), ("福田区",), id="one-of-each"),
    ],
)
def test_places_named_covered_or_not(gazetteer: PlaceGazetteer, question: str, covered: tuple[str, ...],
                                     not_covered: tuple[str, ...]) -> None:
    named = gazetteer.named(question)

    assert set(named.covered) == set(covered)
    assert named.not_covered == not_covered


@pytest.mark.parametrize(
    ("question", "nearest", "region", "dead_end"),
    [
        pytest.param("福田区怎么组织快递骑手", ("南山区",), "深圳市", False, id="same-city"),
        pytest.param("鼓楼区网格怎么划分", ("栖霞区",), "南京市", False, id="same-name-several-cities"),
        pytest.param("北京市怎么推进小区治理", (), "", True, id="nothing-nearby"),
        pytest.param("南山区怎么组织快递骑手", (), "", False, id="covered-place"),
    ],
)
def test_uncovered_places_are_offered_the_nearest_covered_ones(
    gazetteer: PlaceGazetteer, question: str, nearest: tuple[str, ...], region: str, dead_end: bool,
) -> None:
    scope = place_scope(analyse_question(question, gazetteer), gazetteer)

    assert scope.nearest == nearest
    assert scope.region == region
    assert scope.dead_end is dead_end


@pytest.mark.parametrize("question", ["Qixia District, Nanjing: main practices?", "What has Qixia in Nanjing done?"])
def test_a_covered_place_spelled_in_pinyin_is_no_untranslated_word(gazetteer: PlaceGazetteer, question: str) -> None:
    # "Nanjing" stems to "nanj", which spells no place whole: left uncovered, it made the question narrower
    # than "what has Qixia done" and kept it from being answered as a broad one.
    query = analyse_question(question, gazetteer)

    assert "南京市" in query.places
    assert not any(word.startswith("nanj") for word in query.uncovered)


def test_a_stem_of_an_english_word_is_still_uncovered(gazetteer: PlaceGazetteer) -> None:
    query = analyse_question("How does Nanjing handle smartphones for the elderly?", gazetteer)

    assert "smartphon" in query.uncovered
