"""Specs for BM25 from term counts: bm25s' own scores to the bit, and merged counts equal to counting afresh."""

from __future__ import annotations

import random
from pathlib import Path

import bm25s
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index.keywords.bm25 import TermCounts, count_terms, merge_counts, score_matrix
from index.keywords.keyword_index import KeywordIndex


def random_corpus(seed: int, passages: int = 400) -> list[list[str]]:
    """Passages of a skewed vocabulary (some words everywhere, most rare), some empty, words repeated."""
    rng = random.Random(seed)
    words = [f"词{i}" for i in range(600)]
    return [[words[min(int(rng.expovariate(0.02)), 599)] for _ in range(rng.choice([0, 1, 5, 40, 120]))]
            for _ in range(passages)]


def entries(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, terms: list[str]) -> dict[tuple[int, str], float]:
    """(row, term) -> value of a CSC matrix by term."""
    found = {}
    for column, term in enumerate(terms):
        for at in range(int(indptr[column]), int(indptr[column + 1])):
            found[int(indices[at]), term] = data[at]
    return found


def test_scores_equal_those_bm25s_computes_to_the_bit() -> None:
    corpus = random_corpus(1)
    reference = bm25s.BM25()
    reference.index([tokens or [""] for tokens in corpus], show_progress=False)
    counts = count_terms(corpus)

    scores = score_matrix(counts)

    expected = entries(reference.scores["data"], reference.scores["indices"], reference.scores["indptr"],
                       sorted(reference.vocab_dict, key=reference.vocab_dict.__getitem__))
    mine = entries(scores, counts.rows, counts.indptr, counts.terms)
    assert mine.keys() == expected.keys()
    assert all(mine[key] == expected[key] for key in expected)  # equal float32 values, not merely close
    assert scores.dtype == np.float32


def test_a_saved_index_loads_in_bm25s_and_ranks_as_bm25s_own_index(tmp_path: Path) -> None:
    corpus = random_corpus(2)
    reference = bm25s.BM25()
    reference.index([tokens or [""] for tokens in corpus], show_progress=False)
    KeywordIndex.from_tokens(corpus, []).save(tmp_path)
    loaded = bm25s.BM25.load(str(tmp_path), mmap=True, show_progress=False, verbosity=0)

    for query in (["词0"], ["词3", "词17"], ["词1", "词1", "词250"], ["词599", "词2", "词40"]):
        rows, scores = loaded.retrieve([query], k=20, show_progress=False, n_threads=0)
        want_rows, want_scores = reference.retrieve([query], k=20, show_progress=False, n_threads=0)
        assert np.array_equal(scores, want_scores)
        assert sorted(zip(rows[0], scores[0])) == sorted(zip(want_rows[0], want_scores[0]))


def test_counts_read_back_are_the_counts_saved(tmp_path: Path) -> None:
    counts = count_terms(random_corpus(3))
    KeywordIndex.from_counts(counts, []).save(tmp_path)

    read = KeywordIndex.read_counts(tmp_path)

    assert read.terms == counts.terms and read.passages == counts.passages
    assert np.array_equal(read.indptr, counts.indptr) and np.array_equal(read.rows, counts.rows)
    assert np.array_equal(read.counts, counts.counts)


def same(left: TermCounts, right: TermCounts) -> bool:
    return (left.terms == right.terms and left.passages == right.passages and np.array_equal(left.indptr, right.indptr)
            and np.array_equal(left.rows, right.rows) and np.array_equal(left.counts, right.counts))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), removed=st.sets(st.integers(0, 59), max_size=20),
       rewritten=st.sets(st.integers(0, 59), max_size=5), added=st.integers(0, 8))
def test_merged_counts_equal_counting_the_result_afresh(seed: int, removed: set[int], rewritten: set[int],
                                                         added: int) -> None:
    # An incremental build: rows of deleted reports go, some kept rows are tokenised again, new rows follow.
    before = random_corpus(seed, passages=60)
    later = random_corpus(seed + 1, passages=len(rewritten) + added)
    kept = [row for row in range(60) if row not in removed]
    again = sorted(set(kept) & rewritten)
    after = [before[row] for row in kept]
    placed = np.full(60, -1, dtype=np.int64)
    placed[kept] = np.arange(len(kept))
    for i, row in enumerate(again):
        after[int(placed[row])] = later[i]
    fresh = later[len(again):len(again) + added]
    after += fresh
    old_part = placed.copy()
    old_part[again] = -1

    merged = merge_counts([(count_terms(before), old_part),
                           (count_terms(later[:len(again)]), placed[again]),
                           (count_terms(fresh), np.arange(len(kept), len(kept) + len(fresh)))], len(after))

    assert same(merged, count_terms(after))
    assert np.array_equal(score_matrix(merged), score_matrix(count_terms(after)))
