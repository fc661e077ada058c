"""The reader's script and quote punctuation: conversion, detection, full-width marks, nested quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.text.clean import fold
from index.text.script import (
    display_punctuation,
    dominant_script,
    in_script,
    question_script,
    quoted,
    resolve_script,
    script_of,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def report_sentence(stem: str, words: str) -> str:
    """The sentence of a report (by file stem) that holds the words: tests run on the reports' own text."""
    text = next(CORPUS.glob(f"{stem}_*.txt")).read_text(encoding="utf-8")
    start = text.index(words)
    begin = max(text.rfind(mark, 0, start) for mark in "。！？\n") + 1
    ends = [i for i in (text.find(mark, start) for mark in "。！？\n") if i >= 0]
    return text[begin:min(ends) + 1].strip()


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
        pytest.param("auto", "What is red property management?", "traditional", "simplified",
                     id="auto-english-gets-simplified"),
        pytest.param("auto", "人民", "traditional", "traditional", id="auto-shared-characters-keep-the-last"),
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


@pytest.mark.parametrize(
    ("stem", "words", "simplified_words"),
    [
        pytest.param("002", "隨著城市化", "随着城市化", id="suizhe"),
        pytest.param("002", "影響著城市基", "影响着城市基", id="yingxiangzhe"),
        pytest.param("002", "承載著人民群", "承载着人民群", id="chengzaizhe"),
        pytest.param("001", "有著更高要", "有着更高要", id="youzhe"),
        pytest.param("001", "著眼服務", "着眼服务", id="zhuoyan"),
        pytest.param("001", "顯著增強", "显著增强", id="xianzhu-keeps-zhu"),
        pytest.param("000", "深入的了解", "深入的了解", id="liaojie"),
    ],
)
def test_simplified_quotes_of_the_traditional_reports_convert_by_phrase(stem: str, words: str,
                                                                         simplified_words: str) -> None:
    sentence = report_sentence(stem, words)

    shown = in_script(sentence, "simplified")

    assert simplified_words in shown
    assert script_of(shown) in ("simplified", None)


@pytest.mark.parametrize(
    ("stem", "words"),
    [
        pytest.param("000", "深入的了解", id="liaojie-stays"),
        pytest.param("002", "合伙人", id="hehuo-stays"),
        pytest.param("000", "好伙伴", id="huoban-stays"),
    ],
)
def test_a_report_already_in_the_readers_script_is_quoted_exactly(stem: str, words: str) -> None:
    sentence = report_sentence(stem, words)

    assert in_script(sentence, "traditional") == sentence


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        pytest.param("作。据了解,本次", "作。據了解,本次", id="liaojie-not-taiwan-form"),
        pytest.param("重要合伙人和社会组织", "重要合伙人和社會組織", id="hehuo-not-taiwan-form"),
        pytest.param("随着城市化", "隨著城市化", id="particle-as-the-reports-write-it"),
        pytest.param("为群众服务", "為群眾服務", id="common-forms-not-opencc-standard"),
    ],
)
def test_traditional_quotes_use_no_taiwan_only_forms(simplified: str, traditional: str) -> None:
    assert in_script(simplified, "traditional") == traditional


def test_each_report_quoted_in_its_own_script_is_unchanged() -> None:
    sentences = {stem: report_sentence(stem, words) for stem, words in
                 (("000", "深入的了解"), ("003", "据了解"), ("004", "近年来"))}

    assert {stem: in_script(s, "traditional" if stem == "000" else "simplified") for stem, s in sentences.items()} \
        == sentences


def test_a_simplified_report_with_a_stray_traditional_character_is_still_simplified() -> None:
    sentence = report_sentence("004", "领導")

    assert dominant_script(sentence) == "simplified"


@pytest.mark.parametrize(
    ("question", "script"),
    [
        pytest.param("What did Nanshan do?", "simplified", id="english"),
        pytest.param("南山區怎麼做", "traditional", id="traditional"),
        pytest.param("人民", None, id="shared-characters"),
        pytest.param("", None, id="no-question"),
    ],
)
def test_question_script(question: str, script: str | None) -> None:
    assert question_script(question) == script
