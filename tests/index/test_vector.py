"""VectorIndex: exact and HNSW search over normalised vectors, saved and loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.store.vectors import QUANTISE_FROM, VectorIndex, choose_kind, ef_search


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


@pytest.mark.parametrize(("passages", "expected"), [(0, "exact"), (100, "exact"), (101, "hnsw"),
                                                     (QUANTISE_FROM - 1, "hnsw"), (QUANTISE_FROM, "hnsw_sq8")])
def test_auto_kind_follows_corpus_size(passages: int, expected: str) -> None:
    assert choose_kind(passages, exact_max=100) == expected


def test_requested_kind_overrides_size() -> None:
    assert choose_kind(10, exact_max=100, requested="hnsw_sq8") == "hnsw_sq8"
    assert choose_kind(10**7, exact_max=100, requested="exact") == "exact"
    with pytest.raises(ValueError, match="unknown vector index kind 'ivf'"):
        choose_kind(10, exact_max=100, requested="ivf")


def test_quantised_index_keeps_recall_and_exact_scores(tmp_path: Path) -> None:
    vectors = clustered_vectors(3000)
    queries = clustered_vectors(100, seed=11)
    exact = VectorIndex.build(vectors, exact_max=10_000)

    quantised = VectorIndex.build(vectors, exact_max=100, kind="hnsw_sq8")
    quantised.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)

    assert quantised.kind == loaded.kind == "hnsw_sq8"
    found = sum(len({r for r, _ in exact.search(q, 10)} & {r for r, _ in loaded.search(q, 10)}) for q in queries)
    assert found / (10 * len(queries)) >= 0.95
    rows = [r for r, _ in loaded.search(queries[0], 5)]
    # Re-scored from float16 copies: cosines within float16 rounding of the exact ones, best first.
    assert [s for _, s in loaded.search(queries[0], 5)] == pytest.approx(exact.scores(queries[0], rows), abs=2e-3)
    assert loaded.scores(queries[0], rows).tolist() == sorted(loaded.scores(queries[0], rows).tolist(), reverse=True)


def test_setting_forces_the_kind_of_a_small_build(tmp_path: Path) -> None:
    from index.build.builder import build_index
    from index.store.folder import load_index
    from tests.conftest import DATA
    from tests.fakes import FakeEmbedder

    build_index(DATA / "corpus", tmp_path / "index", FakeEmbedder(), max_chars=360, min_chars=120,
                exact_search_max=50_000, vector_kind="hnsw")

    stored = load_index(tmp_path / "index")
    assert stored.manifest.vector_index == stored.vectors.kind == "hnsw"


def test_larger_indexes_search_wider() -> None:
    assert ef_search(QUANTISE_FROM - 1) < ef_search(QUANTISE_FROM)
    vectors = clustered_vectors(300)
    assert VectorIndex.build(vectors, exact_max=100)._index.hnsw.efSearch == ef_search(300)
