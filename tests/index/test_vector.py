"""VectorIndex: exact and HNSW search over normalised vectors, saved and loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.vector import VectorIndex


def clustered_vectors(n: int, dimension: int = 32, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dimension))
    vectors = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, dimension))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_small_corpus_gets_exact_search_and_finds_itself() -> None:
    vectors = clustered_vectors(200)

    index = VectorIndex.build(vectors, exact_max=1000)

    assert index.kind == "exact"
    assert index.search(vectors[17], 1)[0][0] == 17
    assert index.search(vectors[17], 1)[0][1] == pytest.approx(1.0, abs=1e-5)


def test_large_corpus_gets_hnsw_with_high_recall_against_exact() -> None:
    vectors = clustered_vectors(3000)
    queries = clustered_vectors(100, seed=11)
    exact = VectorIndex.build(vectors, exact_max=10_000)

    approximate = VectorIndex.build(vectors, exact_max=1000)

    assert approximate.kind == "hnsw"
    found = sum(
        len({r for r, _ in exact.search(q, 10)} & {r for r, _ in approximate.search(q, 10)}) for q in queries
    )
    assert found / (10 * len(queries)) >= 0.95


def test_scores_of_chosen_rows_are_exact_cosines() -> None:
    vectors = clustered_vectors(50)
    index = VectorIndex.build(vectors, exact_max=1000)

    scores = index.scores(vectors[3], [3, 4, 5])

    assert scores.tolist() == np.asarray(vectors[[3, 4, 5]] @ vectors[3]).tolist()


def test_saved_index_loads_with_the_same_answers(tmp_path: Path) -> None:
    vectors = clustered_vectors(100)
    index = VectorIndex.build(vectors, exact_max=1000)

    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)

    assert loaded.search(vectors[5], 3) == index.search(vectors[5], 3)
    assert len(loaded) == 100 and loaded.dimension == 32
