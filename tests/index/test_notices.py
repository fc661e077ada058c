"""Notices above the passages: another place, year or topic said first, in the asker's language."""

from __future__ import annotations

from index.answer.notices import english_name, notice_lines, notices
from index.records import Notice, Understanding
from index.search.abstain import NOTHING_IN_SCOPE


def test_nearest_place_is_named_as_such_in_chinese() -> None:
    lines = notice_lines(Understanding(places_not_covered=("福田区",), nearest_places=("南山区",), nearest_region="深圳市"))

    assert lines == ["报告中没有关于福田区的内容。以下段落来自同在深圳市的南山区，说的是南山区的做法，不是福田区的。"]


def test_nearest_place_notice_in_english_gives_pinyin_and_characters() -> None:
    [line] = notice_lines(Understanding(english=True, places_not_covered=("福田区",), nearest_places=("南山区",),
                                   nearest_region="深圳市"))

    assert line.startswith("No report covers Futian (福田区).")
    assert "Nanshan (南山区)" in line and "Shenzhen (深圳市)" in line


def test_no_place_nearby_and_nothing_near_in_meaning() -> None:
    understood = Understanding(places_not_covered=("北京市",), abstention="no_match")

    assert notice_lines(understood) == ["报告中没有关于北京市的内容，同一城市或省份也没有报告涉及的地方。"]


def test_no_place_nearby_but_the_topic_treated_elsewhere() -> None:
    line, = notice_lines(Understanding(english=True, places_not_covered=("北京市",)))

    assert line.startswith("No report covers Beijing (北京市), nor any place in the same city or province.")
    assert "they describe those places, not Beijing (北京市)" in line


def test_year_and_topic_notices() -> None:
    lines = notice_lines(Understanding(english=True, places=("栖霞区",), years=(2023,), years_not_covered=(2023,),
                                  topic_not_covered=("快递骑手",)))

    assert lines[0] == ("The reports on Qixia (栖霞区) do not seem to treat “快递骑手”; the nearest passages follow, "
                        "Qixia (栖霞区)'s own first.")
    assert lines[1].startswith("No report on Qixia (栖霞区) mentions 2023;")


def test_a_plan_period_is_shown_as_a_range() -> None:
    [line] = notice_lines(Understanding(years_not_covered=(2011, 2012, 2013, 2014, 2015)))

    assert "2011—2015年" in line


def test_empty_scope_says_so() -> None:
    assert notice_lines(Understanding(places=("火星",), abstention=NOTHING_IN_SCOPE)) == ["报告中没有关于火星的段落。"]


def test_answers_that_are_what_was_asked_carry_no_notice() -> None:
    assert notice_lines(Understanding(places=("南山区",), years=(2021,))) == []


def test_english_names() -> None:
    assert english_name("南山区") == "Nanshan (南山区)"
    assert english_name("Wangjing Street") == "Wangjing Street"


def test_notices_are_codes_with_fields_for_each_front_end_to_word() -> None:
    understood = Understanding(places=("栖霞区",), places_not_covered=("福田区",), nearest_places=("南山区",),
                               nearest_region="深圳市", years_not_covered=(2023,), abstention="no_match")

    assert notices(understood) == [
        Notice("place_not_covered", places=("福田区",), scope=("栖霞区",), nearest=("南山区",), region="深圳市",
               refused=True),
        Notice("years_not_covered", places=("栖霞区",), years=(2023,), refused=True),
    ]
    assert notice_lines(understood, language="en")[1] == "No report on Qixia (栖霞区) mentions 2023."


def test_a_topic_no_single_word_names_is_called_this_topic() -> None:
    [line] = notice_lines(Understanding(places=("南山区",), topic_not_covered=("",)))

    assert line == "关于南山区的报告似乎没有谈到这个话题；以下是最接近的段落，南山区的在前。"
