"""Hybrid search: rank fusion, places, best sentences, near-duplicates."""

from __future__ import annotations

import pytest

from index.answer.engine import AnswerEngine
from index.search.evidence import best_sentence


def test_best_sentence_is_the_one_holding_the_question_words() -> None:
    text = "南山区统筹各方资源。其中比较典型的是432个快递网点的2万多名快递骑手。成为网格管理助手。"

    start, end, share = best_sentence(text, [(("快递",), 1.0), (("骑手",), 1.0)])

    assert text[start:end] == "其中比较典型的是432个快递网点的2万多名快递骑手。"
    assert share == 1.0


def test_best_sentence_of_traditional_text_matches_simplified_words() -> None:
    text = "強化社會功能。分布於南山區的快遞騎手。"

    start, end, _ = best_sentence(text, [(("快递",), 1.0)])

    assert text[start:end] == "分布於南山區的快遞騎手。"


def test_place_in_question_steers_results_to_that_place(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("栖霞区的物业服务")

    assert answer.places == ("栖霞区",)
    assert answer.hits[0].chunk.doc_id == "qixia"


def test_romanised_place_in_english_question_is_understood(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("how did Nanshan organise courier riders")

    assert answer.places == ("南山区",)
    assert "快遞騎手" in answer.hits[0].chunk.text


def test_search_limited_to_a_place_returns_only_its_passages(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("物业", place="Gongshu")

    assert answer.hits
    assert all("拱墅区" in hit.chunk.places for hit in answer.hits)


def test_unknown_place_filter_abstains(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("物业", place="火星")

    assert answer.abstained and answer.hits == ()


def test_no_two_hits_are_near_duplicates(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("党建引领基层治理", limit=10)

    texts = [hit.chunk.text for hit in answer.hits]
    assert len(texts) == len(set(texts))


def test_named_practice_asked_without_quotes_finds_its_passage(fake_engine: AnswerEngine) -> None:
    answer = fake_engine.answer("一小区一专员是什么制度")

    assert "一小区一专员" in answer.hits[0].chunk.text
