"""The reader's script and quote punctuation: conversion, detection, full-width marks, nested quotes."""

from __future__ import annotations

import pytest

from index.text.clean import fold
from index.text.script import display_punctuation, in_script, quoted, resolve_script, script_of


@pytest.mark.parametrize(
    ("text", "script"),
    [
        pytest.param("南山区怎么发动快递骑手", "simplified", id="simplified"),
        pytest.param("南山區怎麼發動快遞騎手", "traditional", id="traditional"),
        pytest.param("How did Nanshan organise riders?", None, id="english"),
        pytest.param("人民", None, id="shared-characters"),
    ],
)
def test_script_of_a_question(text: str, script: str | None) -> None:
    assert script_of(text) == script


@pytest.mark.parametrize(
    ("choice", "question", "fallback", "expected"),
    [
        pytest.param("auto", "紅色物業是什麼", "simplified", "traditional", id="auto-follows-traditional"),
        pytest.param("auto", "红色物业是什么", "traditional", "simplified", id="auto-follows-simplified"),
        pytest.param("auto", "What is red property management?", "traditional", "traditional", id="auto-english"),
        pytest.param("original", "红色物业是什么", "simplified", "original", id="fixed-choice-wins"),
    ],
)
def test_resolve_script(choice: str, question: str, fallback: str, expected: str) -> None:
    assert resolve_script(choice, question, fallback=fallback) == expected


def test_conversion_both_ways_and_the_reports_own() -> None:
    assert in_script("發揮“兩新”組織優勢", "simplified") == "发挥“两新”组织优势"
    assert in_script("发挥“两新”组织优势", "traditional") == "發揮“兩新”組織優勢"
    assert in_script("發揮“兩新”組織優勢", "original") == "發揮“兩新”組織優勢"


def test_matching_form_is_the_same_in_either_script() -> None:
    text = "南山區成立快遞騎手黨支部"

    assert fold(in_script(text, "simplified")) == fold(in_script(text, "traditional")) == fold(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("推進基層治理,深化黨建", "推進基層治理，深化黨建", id="comma"),
        pytest.param("懂黨建,講政治﹔懂公益,講效益", "懂黨建，講政治；懂公益，講效益", id="small-semicolon"),
        pytest.param("中共中央黨校(國家行政學院)", "中共中央黨校（國家行政學院）", id="parentheses"),
        pytest.param("如何破解小區治理難題?如何加強", "如何破解小區治理難題？如何加強", id="question-mark"),
        pytest.param("指出:“堅持”", "指出：“堅持”", id="colon"),
        pytest.param("「五鄰營造」和『一小區一專員』", "“五鄰營造”和‘一小區一專員’", id="corner-quotes"),
        pytest.param('居民稱為"快樂議事亭"', "居民稱為“快樂議事亭”", id="straight-quotes"),
        pytest.param("14:57發布,共5,000人,1+3+N", "14:57發布，共5,000人，1+3+N", id="times-and-numbers-stay"),
        pytest.param("see https://x.cn/a?b=1, then (p. 3)", "see https://x.cn/a?b=1, then (p. 3)", id="latin-untouched"),
    ],
)
def test_display_punctuation(text: str, expected: str) -> None:
    assert display_punctuation(text) == expected


def test_a_quote_nests_its_own_quotation_marks() -> None:
    assert quoted(" 以“引領 融合 發展——‘兩新’組織參與”為主題,舉行。\n") == "“以‘引領 融合 發展——“兩新”組織參與’為主題，舉行。”"
