"""Fusion, boosts, the relevance floor and near-duplicates (pure, table-driven)."""

from __future__ import annotations

import pytest

from index.search.calibration import Fusion
from index.search.distinct import bears_practice, distinct_rows, jaccard, bigrams
from index.search.fusion import above_floor, combine, fuse, normalised


def test_scores_are_scaled_over_the_candidates_before_they_are_added() -> None:
    fused = combine({"vector": {7: 0.9, 3: 0.8, 5: 0.7}, "keyword": {3: 12.0}}, {"vector": 1.0, "keyword": 2.0})

    # vector: 7 -> 1, 3 -> 0.5, 5 -> 0; keyword: 3 -> 1, the rows it did not find -> 0.
    assert fused == {7: pytest.approx(0.01 + 1.0), 3: pytest.approx(0.01 + 0.5 + 2.0), 5: pytest.approx(0.01)}


def test_how_far_ahead_a_row_is_counts_not_only_its_place() -> None:
    # Row 1 leads the dense and keyword scores by far; row 2 is a close second in both but leads a third
    # kind of evidence by a hair. Rank fusion put row 2 first; scaled scores keep row 1 first.
    evidence = {"vector": {1: 0.90, 2: 0.89, 3: 0.80}, "keyword": {1: 10.0, 2: 9.8, 3: 1.0},
                "sentence": {1: 0.50, 2: 0.52, 3: 0.1}}
    ranked, _ = fuse(evidence, Fusion(weights={"vector": 1.0, "keyword": 1.0, "sentence": 0.5}))

    assert ranked[0] == 1


@pytest.mark.parametrize(
    ("scores", "rows", "expected"),
    [
        pytest.param({1: 2.0, 2: 4.0}, [1, 2], {1: 0.0, 2: 1.0}, id="lowest-0-highest-1"),
        pytest.param({1: 4.0}, [1, 2], {1: 1.0, 2: 0.0}, id="a-row-without-a-score-is-the-lowest"),
        pytest.param({1: 3.0, 2: 3.0}, [1, 2], {1: 0.0, 2: 0.0}, id="equal-scores-tell-nothing"),
        pytest.param({}, [1], {1: 0.0}, id="no-scores"),
    ],
)
def test_normalised(scores: dict[int, float], rows: list[int], expected: dict[int, float]) -> None:
    assert normalised(scores, rows) == expected


FUSION = Fusion(weights={"vector": 1.0, "keyword": 1.0}, place_boost=2.0, phrase_boost=1.5, year_boost=1.25,
                practice_boost=1.5)
# Three rows the evidence cannot tell apart (the dense and keyword scores disagree in equal measure).
EVEN = {"vector": {1: 0.9, 2: 0.85, 3: 0.8}, "keyword": {1: 8.0, 2: 9.0, 3: 10.0}}


@pytest.mark.parametrize(
    ("boosts", "first"),
    [
        pytest.param({}, 1, id="no-boost-ties-break-by-row"),
        pytest.param({"in_place": {3}}, 3, id="place-boost-lifts-the-third"),
        pytest.param({"phrased": {2}}, 2, id="phrase-boost-lifts-the-second"),
        pytest.param({"in_year": {2}}, 2, id="year-boost-lifts-the-second"),
        pytest.param({"in_place": {3}, "phrased": {2}}, 3, id="place-outweighs-phrase"),
        pytest.param({"practiced": {3}}, 3, id="practice-boost-lifts-the-third"),
    ],
)
def test_boosts_reorder_the_fused_ranking(boosts: dict[str, set[int]], first: int) -> None:
    ranked, _ = fuse(EVEN, FUSION, **boosts)

    assert ranked[0] == first


def test_ties_break_by_row_so_rankings_are_deterministic() -> None:
    ranked, _ = fuse({"a": {5: 1.0, 4: 0.0}, "b": {4: 1.0, 5: 0.0}}, Fusion(weights={"a": 1.0, "b": 1.0}))

    assert ranked == [4, 5]


@pytest.mark.parametrize(("floor", "kept"), [(0.5, [1, 2]), (0.1, [1, 2, 3]), (1.0, [1])])
def test_relevance_floor_is_a_share_of_the_best_score(floor: float, kept: list[int]) -> None:
    assert above_floor([1, 2, 3], {1: 1.0, 2: 0.6, 3: 0.2}, floor) == kept


def test_near_duplicates_are_listed_once() -> None:
    texts = {1: "南山区432个快递网点的2万多名快递骑手", 2: "南山區432個快遞網點的2萬多名快遞騎手".replace("區", "区"),
             3: "栖霞区全区划分网格1063个"}
    texts[2] = texts[1] + "。"

    assert distinct_rows([1, 2, 3], lambda row: bigrams(texts[row]), threshold=0.6, limit=10) == [1, 3]


def test_distinct_rows_stop_at_the_limit() -> None:
    texts = {i: f"完全不同的第{i}段文字{'甲乙丙丁戊己庚辛'[i]}" * 3 for i in range(5)}

    assert distinct_rows(list(range(5)), lambda row: bigrams(texts[row]), threshold=0.95, limit=2) == [0, 1]


def test_jaccard_of_bigrams() -> None:
    assert jaccard(bigrams("abcd"), bigrams("abcd")) == 1.0
    assert jaccard(bigrams(""), bigrams("")) == 0.0


@pytest.mark.parametrize(
    ("text", "bears"),
    [
        pytest.param("推行“一小区一专员”制度", True, id="a-named-practice"),
        pytest.param("全区划分网格1063个", True, id="a-figure-with-its-unit"),
        pytest.param("深入学习贯彻党的二十大精神,推动基层治理现代化", False, id="a-preamble"),
    ],
)
def test_bears_practice(text: str, bears: bool) -> None:
    assert bears_practice(text) is bears


def test_the_words_evidence_counts_as_far_as_the_words_were_found() -> None:
    # Row 1 is the dense match; row 2 matches the question's generic words (a paraphrase's own words are
    # in no passage). With the words found in full the keyword evidence wins, with a fifth of them it does not.
    evidence = {"vector": {1: 0.90, 2: 0.86}, "keyword": {1: 2.0, 2: 9.0}}
    fusion = Fusion(weights={"vector": 1.0, "keyword": 1.2})

    assert fuse(evidence, fusion, lexical=1.0)[0][0] == 2
    assert fuse(evidence, fusion, lexical=0.2)[0][0] == 1
