"""Doubtful wording: garbled or machine-reworded passages are told apart from clean ones by their text alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.text.doubtful import GARBLED, REWORDED, doubtful_wording

CLEAN = "南山區持續推動治理中心從街道社區延伸到小區,通過小區黨支部“全覆蓋”解決“空心”問題。"


@pytest.mark.parametrize("text", [
    "杭州市拱墅區結合區域?qū嶋H情況,通過理念創新",  # a lost character glued to Latin letters
    "以小區黨建引領小區治理效能提升,小區qū治理",  # a pinyin gloss that lost its brackets
    "杭州市拱墅區委常委、組織部部長 施甜甜\n目前,小區治理主體主要是居民委員會",  # a byline caption first
    "黨建引領\ufffd社區治理",
])
def test_garbled_text_is_marked(text: str) -> None:
    assert doubtful_wording(text) == GARBLED


def test_clean_text_is_not_marked_whatever_its_punctuation_or_latin() -> None:
    assert doubtful_wording(CLEAN) == ""
    assert doubtful_wording("打造“15分钟生活圈”,开通App和微信群,覆盖5G网络。") == ""
    assert doubtful_wording("引自《人民论坛》2022年第3期?") == ""


def test_a_sharing_site_copy_is_marked_reworded_unless_garbled_too() -> None:
    assert doubtful_wording(CLEAN, document_kind="shared") == REWORDED
    assert doubtful_wording("小區qū治理", document_kind="shared") == GARBLED
    assert doubtful_wording(CLEAN, document_kind="journal") == ""


@pytest.mark.slow
def test_on_the_corpus_only_003_and_the_damaged_part_of_002_are_marked(real_engine) -> None:  # type: ignore[no-untyped-def]
    from index.settings import PROJECT_ROOT

    records = real_engine._searcher._records  # the engine's own records: what answers are built from
    marked = {c.chunk_id for c in records.chunks
              if doubtful_wording(c.text, document_kind=records.document(c.doc_id).kind)}
    by_report = {Path(p.name).stem.split("_")[0] for p in (PROJECT_ROOT / "corpus").glob("*.txt")}
    assert by_report == {"000", "001", "002", "003", "004"}
    assert not any(m.startswith(("000", "001", "004")) for m in marked)
    assert all(c.chunk_id in marked for c in records.chunks if c.doc_id.startswith("003"))
    damaged_002 = {m for m in marked if m.startswith("002")}
    assert damaged_002 and len(damaged_002) < len([c for c in records.chunks if c.doc_id.startswith("002")])
