"""Specs for collapsing duplicate passages: exact, near, cross-script, contained, and at scale."""

from __future__ import annotations

import random

import pytest

from index.text.clean import fold
from index.chunk.dedupe import collapse_near_duplicates, jaccard
from index.records import Chunk

NANSHAN = (
    "南山区各小区党支部引导业委会、物业服务企业、社区居民等各类主体参与小区治理,"
    "搭建起议事协商、矛盾调解、资源共享的共治平台,形成各类主体有序参与社区治理的良好格局。"
)
NANSHAN_TRADITIONAL = (
    "南山區各小區黨支部引導業委會、物業服務企業、社區居民等各類主體參與小區治理,"
    "搭建起議事協商、矛盾調解、資源共享的共治平台,形成各類主體有序參與社區治理的良好格局。"
)
QIXIA = (
    "建好“红色物业”抓服务强保障。全区建立物业行业党委领导下的“物业企业+居委会+业委会”党建联建机制,"
    "推动物业服务企业党组织与社区党组织共驻共建,不断丰富栖霞“红网格”党建品牌内涵。"
)
GONGSHU = (
    "拱墅区以“三方办”实体化运作为抓手,推动小区党组织统一领导业委会和物业公司,"
    "小区专员常驻统筩,多元主体协商共治,小区治理数字赋能,打造小区治理“拱墅模式”。"
)


def chunk(doc_id: str, position: int, text: str) -> Chunk:
    return Chunk(
        chunk_id=f"{doc_id}:{position}", doc_id=doc_id, position=position, section="",
        text=text, start=0, end=len(text),
    )


def ids(chunks: list[Chunk]) -> list[str]:
    return [c.chunk_id for c in chunks]


def test_identical_passages_in_two_reports_keep_the_earlier() -> None:
    chunks = [chunk("a", 0, NANSHAN), chunk("a", 1, QIXIA), chunk("b", 0, NANSHAN)]

    kept, dropped = collapse_near_duplicates(chunks, key=fold)

    assert ids(kept) == ["a:0", "a:1"]
    assert dropped == {"b:0": "a:0"}


def test_passage_differing_by_a_few_characters_is_a_near_duplicate() -> None:
    edited = NANSHAN.replace("各类主体", "多方主体", 1).replace("良好格局", "良好局面")
    chunks = [chunk("a", 0, NANSHAN), chunk("b", 0, edited)]

    kept, dropped = collapse_near_duplicates(chunks, key=fold)

    assert jaccard(NANSHAN, edited) >= 0.8
    assert ids(kept) == ["a:0"]
    assert dropped == {"b:0": "a:0"}


def test_traditional_and_simplified_copies_collapse_under_fold() -> None:
    chunks = [chunk("trad", 0, NANSHAN_TRADITIONAL), chunk("simp", 0, NANSHAN)]

    kept, dropped = collapse_near_duplicates(chunks, key=fold)

    assert ids(kept) == ["trad:0"]
    assert dropped == {"simp:0": "trad:0"}


def test_different_passages_on_the_same_topic_both_stay() -> None:
    chunks = [chunk("a", 0, NANSHAN), chunk("b", 0, GONGSHU), chunk("c", 0, QIXIA)]

    kept, dropped = collapse_near_duplicates(chunks, key=fold)

    assert ids(kept) == ["a:0", "b:0", "c:0"]
    assert dropped == {}


def test_repeat_within_one_report_collapses_to_first() -> None:
    chunks = [chunk("a", 0, QIXIA), chunk("a", 1, GONGSHU), chunk("a", 2, QIXIA), chunk("a", 3, GONGSHU)]

    kept, dropped = collapse_near_duplicates(chunks, key=fold)

    assert ids(kept) == ["a:0", "a:1"]
    assert dropped == {"a:2": "a:0", "a:3": "a:1"}


def test_passage_contained_in_a_longer_kept_one_is_dropped() -> None:
    longer = GONGSHU + "\n" + QIXIA
    chunks = [chunk("a", 0, QIXIA), chunk("b", 0, longer)]

    kept, dropped = collapse_near_duplicates(chunks, key=fold)

    assert ids(kept) == ["b:0"]
    assert dropped == {"a:0": "b:0"}


def test_strictness_follows_threshold() -> None:
    edited = NANSHAN
    for position in range(5, 50, 9):  # five scattered edits: Jaccard about 0.68
        edited = edited[:position] + "改" + edited[position + 1 :]
    chunks = [chunk("a", 0, NANSHAN), chunk("b", 0, edited)]

    strict, _ = collapse_near_duplicates(chunks, key=fold, threshold=0.8)
    loose, _ = collapse_near_duplicates(chunks, key=fold, threshold=0.6)

    assert 0.6 < jaccard(NANSHAN, edited) < 0.8
    assert (len(strict), len(loose)) == (2, 1)


def test_no_passages_gives_nothing() -> None:
    assert collapse_near_duplicates([], key=fold) == ([], {})


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param("abcd", "abcd", 1.0, id="same"),
        pytest.param("abcd", "wxyz", 0.0, id="disjoint"),
        pytest.param("ab", "ab", 1.0, id="shorter-than-a-shingle"),
    ],
)
def test_jaccard_compares_character_shingles(left: str, right: str, expected: float) -> None:
    assert jaccard(left, right) == pytest.approx(expected)


def test_fifty_thousand_passages_collapse_without_comparing_all_pairs() -> None:
    rng = random.Random(7)
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
    originals = ["".join(rng.choices(alphabet, k=80)) for _ in range(45_000)]
    copies = [text[:40] + "改" + text[41:] for text in originals[:5_000]]  # one character edited
    chunks = [chunk("orig", i, t) for i, t in enumerate(originals)] + [
        chunk("copy", i, t) for i, t in enumerate(copies)
    ]

    kept, dropped = collapse_near_duplicates(chunks, key=lambda s: s, threshold=0.8)

    assert len(kept) == 45_000
    assert dropped == {f"copy:{i}": f"orig:{i}" for i in range(5_000)}


def edit(text: str, rng: random.Random, edits: int) -> str:
    for _ in range(edits):
        at = rng.randrange(len(text))
        text = text[:at] + rng.choice("甲乙丙丁戊己庚辛") + text[at + 1:]
    return text


def test_new_passages_are_judged_against_every_indexed_one_as_comparing_all_pairs_would() -> None:
    # An index of many passages, some near-duplicates of each other (both indexed); new passages that
    # repeat indexed ones, each other, or nothing. The incremental rule, checked by brute force: a new
    # passage goes for the first indexed passage (by row), else the first kept new one, that is similar.
    from index.chunk.dedupe import band_keys, collapse_new, dedupe_key

    rng = random.Random(7)
    sources = [NANSHAN, QIXIA, GONGSHU, NANSHAN_TRADITIONAL]
    indexed = [chunk("old", i, edit(rng.choice(sources), rng, rng.choice([1, 3, 25]))) for i in range(60)]
    new = [chunk("new", i, edit(rng.choice(sources + [indexed[5].text]), rng, rng.choice([0, 2, 30])))
           for i in range(25)]
    bands = band_keys([dedupe_key(c.text, fold) for c in indexed])
    asked: list[list[int]] = []

    def read(rows: list[int]) -> list[Chunk]:
        asked.append(rows)
        return [indexed[r] for r in rows]

    kept, dropped, kept_bands = collapse_new(new, bands, read, key=fold)

    expected_kept: list[Chunk] = []
    expected_dropped: dict[str, str] = {}
    for passage in new:
        keeper = next((c for c in [*indexed, *expected_kept]
                       if jaccard(dedupe_key(passage.text, fold), dedupe_key(c.text, fold)) >= 0.8), None)
        if keeper is None:
            expected_kept.append(passage)
        else:
            expected_dropped[passage.chunk_id] = keeper.chunk_id
    assert ids(kept) == ids(expected_kept) and dropped == expected_dropped
    assert len(expected_kept) > 1 and len(expected_dropped) > 5  # both outcomes occur
    assert {r for rows in asked for r in rows} < set(range(60))  # only band-sharing passages were read
    assert (kept_bands == band_keys([dedupe_key(c.text, fold) for c in kept])).all()


def test_a_new_passage_held_by_a_longer_indexed_one_is_dropped_and_no_indexed_one_ever_is() -> None:
    from index.chunk.dedupe import band_keys, collapse_new, dedupe_key

    indexed = [chunk("old", 0, QIXIA), chunk("old", 1, QIXIA + "\n" + NANSHAN)]  # the first is held by the second
    new = [chunk("new", 0, NANSHAN + "\n" + GONGSHU), chunk("new", 1, GONGSHU), chunk("new", 2, NANSHAN)]
    bands = band_keys([dedupe_key(c.text, fold) for c in indexed])

    kept, dropped, _ = collapse_new(new, bands, lambda rows: [indexed[r] for r in rows], key=fold)

    # new:2 shares a band with old:1 (Jaccard about 0.5: LSH finds such a pair with probability 0.64,
    # and does for these texts); held whole by both old:1 and new:0, it goes to the earlier, old:1.
    assert ids(kept) == ["new:0"] and dropped == {"new:1": "new:0", "new:2": "old:1"}
