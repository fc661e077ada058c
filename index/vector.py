"""Dense passage search for the retriever: FAISS inner product over L2-normalised vectors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

# HNSW parameters. M=32 links per node and efSearch=128 keep recall@10 near 0.99 against exact
# search on 384-dimensional e5 vectors (benchmarks/vector_recall.py measures it) at a few ms a query.
HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
INDEX_FILE = "vectors.faiss"


class VectorIndex:
    """Exact search for small corpora, HNSW past a size where a linear scan gets slow."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = HNSW_EF_SEARCH

    @classmethod
    def build(cls, vectors: npt.NDArray[np.float32], *, exact_max: int) -> VectorIndex:
        """Index rows of vectors; exact when there are at most exact_max rows, else HNSW."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dimension = vectors.shape[1]
        if len(vectors) <= exact_max:
            index: faiss.Index = faiss.IndexFlatIP(dimension)
        else:
            index = faiss.IndexHNSWFlat(dimension, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
        return cls(index)

    @property
    def kind(self) -> str:
        """"exact" or "hnsw", for the manifest and the build summary."""
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "exact"

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """Top-k (row, cosine) for one normalised query vector."""
        if len(self) == 0:
            return []
        scores, rows = self._index.search(query.reshape(1, -1).astype(np.float32), min(k, len(self)))
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def scores(self, query: npt.NDArray[np.float32], rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """Exact cosine of the query with the given rows, for filtered search and re-scoring."""
        if not rows:
            return np.zeros(0, dtype=np.float32)
        return self.vectors(rows) @ query.astype(np.float32)

    def vectors(self, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored vectors of the given rows."""
        keys = np.asarray(rows, dtype=np.int64)
        return np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write the FAISS index into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(folder / INDEX_FILE))

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        """Read an index written by save()."""
        return cls(faiss.read_index(str(folder / INDEX_FILE)))
