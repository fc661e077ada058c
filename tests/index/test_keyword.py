"""Keyword search: jieba tokens of folded Chinese text, corpus terms kept whole, BM25 ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.text.clean import fold
from index.keywords import keyword_index as keyword
from index.keywords.keyword_index import KeywordIndex, corpus_terms, keyword_tokens, make_tokenizer, top_rows

PASSAGES = [
    "其中比较典型的是分布于南山区432个快递网点的2万多名快递骑手。",
    "建好红色物业抓服务强保障,全区建立物业行业党委。",
    "为老人供应了门把手套和上门拆卸窗帘的服务。",
]


@pytest.fixture(scope="module")
def keywords() -> KeywordIndex:
    return KeywordIndex.build(PASSAGES, ["南山区", "红色物业", "快递骑手", "五邻营造"])


def test_corpus_terms_hold_place_short_forms_quoted_names_and_glossary_terms() -> None:
    terms = corpus_terms(["南山区"], ["推行“五邻营造”工作法。", "“一”字"])

    assert {"南山区", "南山", "五邻营造", "红色物业"} <= terms
    assert "一" not in terms


def test_corpus_terms_are_single_tokens() -> None:
    tokenizer = make_tokenizer(["五邻营造", "红色物业"])

    tokens = keyword_tokens("五邻营造和红色物业", tokenizer)

    assert "五邻营造" in tokens and "红色物业" in tokens


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("南山区怎么发动快递骑手参与治理", id="simplified"),
        pytest.param("快递骑手有多少", id="question-words"),
    ],
)
def test_question_words_are_dropped_and_topic_words_kept(keywords: KeywordIndex, question: str) -> None:
    tokens = keywords.tokens(question)

    assert "快递骑手" in tokens
    assert not {"怎么", "多少", "有"} & set(tokens)


def test_search_ranks_the_passage_holding_the_terms_first(keywords: KeywordIndex) -> None:
    hits = keywords.search(keywords.tokens("快递骑手"), 3)

    assert hits[0][0] == 0


def test_search_respects_allowed_rows(keywords: KeywordIndex) -> None:
    allowed = np.array([False, True, True])

    hits = keywords.search(keywords.tokens("快递骑手 物业"), 3, allowed)

    assert [row for row, _ in hits] == [1]


def _brute_force_top(corpus: list[list[str]], index: KeywordIndex, query: list[str], k: int,
                     allowed: np.ndarray | None) -> list[int]:
    """Every row's BM25 score from bm25s' own dense scoring, best first, ties by row: what top_rows must give."""
    scores = index.as_bm25s().get_scores(query)
    rows = [r for r in range(len(corpus)) if scores[r] > 0 and (allowed is None or allowed[r])]
    return sorted(rows, key=lambda r: (-scores[r], r))[:k]


@pytest.mark.parametrize("sparse_share", [0, 10**9, 8], ids=["sorted-sum", "dense-sum", "as-chosen"])
def test_top_rows_are_the_best_scored_rows_of_the_whole_corpus(sparse_share: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the query words' postings are read; the result must be what scoring every row gives.
    monkeypatch.setattr(keyword, "_SPARSE_SUM_SHARE", sparse_share)
    rng = np.random.default_rng(7)
    vocabulary = [f"词{i}" for i in range(40)]
    frequency = np.linspace(2, 0.1, len(vocabulary))  # common and rare words, so rows tie and differ
    corpus = [list(rng.choice(vocabulary, size=int(rng.integers(1, 12)), p=frequency / frequency.sum()))
              for _ in range(300)]
    index = KeywordIndex.from_tokens(corpus, [])
    for trial in range(200):
        query = list(rng.choice(vocabulary, size=int(rng.integers(1, 6))))
        allowed = rng.random(len(corpus)) < 0.3 if trial % 2 else None
        reference = index.as_bm25s()
        known = [t for t in query if t in reference.vocab_dict]
        if not known:
            continue
        k = int(rng.choice([3, 10]))
        rows, scores = top_rows(reference.scores, [reference.vocab_dict[t] for t in known], k, allowed)

        assert [int(r) for r in rows] == _brute_force_top(corpus, index, known, k, allowed)
        assert list(scores) == sorted(reference.get_scores(known)[rows], reverse=True)  # bm25s' own, to the bit


def test_unknown_words_find_nothing(keywords: KeywordIndex) -> None:
    assert keywords.search(keywords.tokens("量子计算"), 3) == []


def test_rare_terms_weigh_more_than_common_ones() -> None:
    index = KeywordIndex.build(["物业 快递骑手", "物业 红色", "物业 治理"], [])

    assert index.idf("快递") > index.idf("物业") > 0
    assert index.idf("没有的词") == 0


def test_saved_index_answers_the_same(keywords: KeywordIndex, tmp_path: Path) -> None:
    keywords.save(tmp_path)

    loaded = KeywordIndex.load(tmp_path)

    assert loaded.search(loaded.tokens("红色物业"), 3) == keywords.search(keywords.tokens("红色物业"), 3)


def test_jieba_dictionary_is_cached_where_it_is_told(tmp_path: Path) -> None:
    make_tokenizer(["五邻营造"], cache_dir=tmp_path / "cache")

    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["jieba.cache"]


def test_building_reports_progress_every_few_hundred_passages() -> None:
    heard: list[int] = []

    KeywordIndex.build(["快递骑手参与治理"] * 1200, ["快递骑手"], progress=heard.append)

    assert heard == [500, 1000]


def test_mapped_table_splits_the_corpus_exactly_as_jiebas_own(tmp_path: Path) -> None:
    from index.settings import PROJECT_ROOT

    texts = []
    for path in sorted((PROJECT_ROOT / "corpus").iterdir()):
        if path.suffix in {".txt", ".md"}:
            text = fold(path.read_text(encoding="utf-8"))
            texts += [text[i:i + 200] for i in range(0, len(text), 200)]
    terms = ["红色物业", "快递小哥之家", "南山区"]
    resident = make_tokenizer(terms, tmp_path)
    mapped = make_tokenizer(terms, tmp_path, mapped=True)

    assert len(texts) > 100
    assert [keyword_tokens(t, mapped) for t in texts] == [keyword_tokens(t, resident) for t in texts]
    assert mapped.total == resident.total  # the word count jieba divides by
    assert list(tmp_path.glob("jieba-frequencies-*.npy"))


def test_a_small_build_tokenises_with_the_mapped_table_and_a_large_one_with_jiebas_own() -> None:
    from index.keywords.keyword_index import MAPPED_TOKENIZER_MAX_PASSAGES, MappedFrequencies, build_tokenizer

    small = build_tokenizer(["红色物业"], MAPPED_TOKENIZER_MAX_PASSAGES - 1)
    large = build_tokenizer(["红色物业"], MAPPED_TOKENIZER_MAX_PASSAGES)

    assert isinstance(small.FREQ, MappedFrequencies) and not isinstance(large.FREQ, MappedFrequencies)
    assert keyword_tokens(PASSAGES[1], small) == keyword_tokens(PASSAGES[1], large)


def test_mapped_table_answers_what_jieba_asks_of_its_dict(tmp_path: Path) -> None:
    table = make_tokenizer([], tmp_path, mapped=True).FREQ
    table["新词语"] = 5

    assert ("社区" in table, "社" in table, "中华人" in table, "zzzz" in table, 3 in table) == (True, True, True, False, False)
    assert (table.get("新词语"), table.get("没有这个词", 1), table["社区"] > 0) == (5, 1, True)
    with pytest.raises(KeyError):
        table["没有这个词"]


def test_a_loaded_index_saves_again_as_it_was(keywords: KeywordIndex, tmp_path: Path) -> None:
    keywords.save(tmp_path / "first")
    KeywordIndex.load(tmp_path / "first").save(tmp_path / "second")

    again = KeywordIndex.load(tmp_path / "second")

    assert again.search(again.tokens("红色物业 快递"), 3) == keywords.search(keywords.tokens("红色物业 快递"), 3)
