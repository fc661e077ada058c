"""Fusion, boosts, the relevance floor, near-duplicates and spreading (pure, table-driven)."""

from __future__ import annotations

import pytest

from index.search.calibration import Fusion
from index.search.distinct import distinct_rows, jaccard, bigrams, spread
from index.search.fusion import above_floor, fuse, reciprocal_rank_fusion


def test_rank_fusion_adds_weighted_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion({"vector": [7, 3], "keyword": [3]}, weights={"vector": 1.0, "keyword": 2.0}, k=60)

    assert fused == {7: pytest.approx(1 / 61), 3: pytest.approx(1 / 62 + 2 / 61)}


def test_rank_fusion_prefers_rows_both_lists_agree_on() -> None:
    fused = reciprocal_rank_fusion({"a": [1, 2, 3], "b": [3, 2, 1], "c": [2]}, weights={})

    assert max(fused, key=fused.__getitem__) == 2


FUSION = Fusion(weights={"vector": 1.0}, place_boost=2.0, phrase_boost=1.5, year_boost=1.25)


@pytest.mark.parametrize(
    ("boosts", "first"),
    [
        pytest.param({}, 1, id="no-boost-keeps-rank-order"),
        pytest.param({"in_place": {3}}, 3, id="place-boost-lifts-the-third"),
        pytest.param({"phrased": {2}}, 2, id="phrase-boost-lifts-the-second"),
        pytest.param({"in_year": {2}}, 2, id="year-boost-lifts-the-second"),
        pytest.param({"in_place": {3}, "phrased": {2}}, 3, id="place-outweighs-phrase"),
    ],
)
def test_boosts_reorder_the_fused_ranking(boosts: dict[str, set[int]], first: int) -> None:
    ranked, _ = fuse({"vector": [1, 2, 3]}, FUSION, **boosts)

    assert ranked[0] == first


def test_ties_break_by_row_so_rankings_are_deterministic() -> None:
    ranked, _ = fuse({"a": [5], "b": [4]}, Fusion(weights={"a": 1.0, "b": 1.0}))

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
    ("groups", "expected"),
    [
        pytest.param({1: "a", 2: "a", 3: "b", 4: "c"}, [1, 3, 4, 2], id="second-of-a-section-waits"),
        pytest.param({1: "a", 2: "b", 3: "c"}, [1, 2, 3], id="all-distinct-unchanged"),
        pytest.param({1: "a", 2: "a", 3: "a"}, [1, 2, 3], id="one-section-unchanged"),
    ],
)
def test_spread_shows_each_practice_before_repeats(groups: dict[int, str], expected: list[int]) -> None:
    assert spread(list(groups), groups.__getitem__) == expected
