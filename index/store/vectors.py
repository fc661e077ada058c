"""Dense passage search for the retriever: FAISS inner product over L2-normalised vectors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

import faiss
import numpy as np
import numpy.typing as npt

VectorKind = Literal["exact", "hnsw", "hnsw_sq8"]
KINDS: tuple[VectorKind, ...] = get_args(VectorKind)

# Tuned constants, measured by `python benchmarks/vector_recall.py` (tables in docs/scaling.md): e5-small
# vectors of synthetic passages (4,000 real embeddings, the rest calibrated mixtures of them), the 334
# eval questions as queries, 50 rows asked per query as the searcher does, recall@10 against exact
# search; shared 2-core AMD EPYC, 2026-11-26.
#   passages  kind      efConstruction  efSearch  recall@10  p50 ms
#   100k      hnsw      80              128       0.885      0.4   (the old setting)
#   100k      hnsw_sq8  80              512       0.979      1.3
#   100k      hnsw_sq8  200             256       0.970      0.7
#   100k      hnsw_sq8  200             512       0.990      1.3
#   1M        hnsw_sq8  200             512       0.954      2.0
#   1M        hnsw_sq8  200             1024      0.983      3.9   (exact scan: 297 ms)
# hnsw and hnsw_sq8 recall the same at 100k (0.885/0.881, 0.947/0.946 at efSearch 128/256): the graph
# limits recall, not the 8-bit codes, since candidates are re-scored exactly. efConstruction 200
# builds 2.4x slower than 80 (74 s against 31 s at 100k; 23 min at 1M on a loaded machine) for +0.011.
HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 512  # below QUANTISE_FROM: 0.990 at 100k
HNSW_EF_SEARCH_LARGE = 1024  # from QUANTISE_FROM: 0.983 at 1M, still under 5 ms
# From here the vectors inside HNSW are 8-bit and the candidates are re-scored from float16 copies:
# the graph plus codes are 0.6 GB at 1M instead of 1.7 GB with float32, for the same recall. Below it
# float32 vectors are under 0.5 GB and one file is simpler (no training, no float16 copy).
QUANTISE_FROM = 300_000
# An 8-bit HNSW search fetches at least this many candidates before the exact re-scoring keeps k.
RESCORE_AT_LEAST = 50

INDEX_FILE = "vectors.faiss"
EXACT_FILE = "vectors.f16.npy"  # float16 copies of the vectors of a quantised index, for exact scores


def choose_kind(passages: int, *, exact_max: int, requested: str = "auto") -> VectorKind:
    """The vector index kind for a corpus of this size: the requested one, or by size when "auto"."""
    if requested != "auto":
        if requested not in KINDS:
            raise ValueError(f"unknown vector index kind {requested!r}: use auto or one of {', '.join(KINDS)}")
        return requested
    if passages <= exact_max:
        return "exact"
    return "hnsw" if passages < QUANTISE_FROM else "hnsw_sq8"


def ef_search(passages: int) -> int:
    """HNSW's search breadth for an index of this many passages (see the table above)."""
    return HNSW_EF_SEARCH if passages < QUANTISE_FROM else HNSW_EF_SEARCH_LARGE


class VectorIndex:
    """Exact search for small corpora, HNSW past a size where a linear scan gets slow, 8-bit HNSW past that."""

    def __init__(self, index: faiss.Index, exact: npt.NDArray[np.float16] | None = None) -> None:
        self._index = index
        self._exact = exact  # float16 rows of a quantised index; None where the index itself holds float32
        hnsw = getattr(index, "hnsw", None)
        if hnsw is not None:
            hnsw.efSearch = ef_search(int(index.ntotal))

    @classmethod
    def build(cls, vectors: npt.NDArray[np.float32], *, exact_max: int, kind: str = "auto",
              links: int = HNSW_LINKS, ef_construction: int = HNSW_EF_CONSTRUCTION) -> VectorIndex:
        """Index rows of vectors with the kind choose_kind() picks for their number.

        links and ef_construction (HNSW's M and efConstruction) differ from the defaults only in
        benchmarks/vector_recall.py, which measures them.
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dimension = vectors.shape[1]
        chosen = choose_kind(len(vectors), exact_max=exact_max, requested=kind)
        exact = None
        if chosen == "exact":
            index: faiss.Index = faiss.IndexFlatIP(dimension)
        elif chosen == "hnsw":
            index = faiss.IndexHNSWFlat(dimension, links, faiss.METRIC_INNER_PRODUCT)
        else:
            # faiss's stubs type the quantiser argument as a ScalarQuantizer; SWIG takes its QuantizerType int.
            index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit,  # type: ignore[arg-type]
                                      links, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)  # per-dimension ranges of the 8-bit codes
            exact = vectors.astype(np.float16)
        hnsw = getattr(index, "hnsw", None)
        if hnsw is not None:
            hnsw.efConstruction = ef_construction
        index.add(vectors)
        return cls(index, exact)

    def extended(self, vectors: npt.NDArray[np.float32]) -> VectorIndex:
        """A copy of this index with rows appended after its own, for incremental builds (same kind, same parameters)."""
        # A loaded index is a read-only view of its version's file (clone_index would keep the view): a copy
        # through serialisation owns its memory and can grow.
        index = faiss.deserialize_index(faiss.serialize_index(self._index))
        added = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(added):
            index.add(added)
        exact = None if self._exact is None else np.concatenate([np.asarray(self._exact), added.astype(np.float16)])
        return VectorIndex(index, exact)

    @property
    def kind(self) -> VectorKind:
        """Which of KINDS this is, for the manifest and the build summary."""
        if isinstance(self._index, faiss.IndexHNSWSQ):
            return "hnsw_sq8"
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "exact"

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def set_ef_search(self, ef: int) -> None:
        """HNSW's search breadth in place of ef_search()'s, for benchmarks/vector_recall.py; exact indexes ignore it."""
        hnsw = getattr(self._index, "hnsw", None)
        if hnsw is not None:
            hnsw.efSearch = ef

    def search(self, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """Top-k (row, cosine) for one normalised query vector."""
        if len(self) == 0:
            return []
        fetch = min(len(self), k if self._exact is None else max(k, RESCORE_AT_LEAST))
        scores, rows = self._index.search(query.reshape(1, -1).astype(np.float32), fetch)
        found = [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
        if self._exact is None:
            return found
        # 8-bit codes blur cosines by about 0.005; the exact ones reorder the candidates.
        candidates = [r for r, _ in found]
        exact = self.scores(query, candidates)
        order = np.argsort(-exact, kind="stable")[:k]
        return [(candidates[i], float(exact[i])) for i in order]

    def scores(self, query: npt.NDArray[np.float32], rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """Exact cosine of the query with the given rows, for filtered search and re-scoring."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return self.vectors(rows) @ query.astype(np.float32)

    def vectors(self, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored vectors of the given rows (float16-exact for a quantised index)."""
        keys = np.asarray(rows, dtype=np.int64)
        if self._exact is not None:
            return np.asarray(self._exact[keys], dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write the FAISS index (and a quantised index's float16 vectors) into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(folder / INDEX_FILE))
        if self._exact is not None:
            np.save(folder / EXACT_FILE, self._exact)

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        """Read an index written by save(), memory-mapped: pages are read from disk as searches touch them."""
        # IO_FLAG_MMAP_IFC maps the file's vectors and links in place (faiss >= 1.10): nothing is copied
        # into the process, and the kernel may drop pages under pressure.
        _read_ahead(folder / INDEX_FILE)
        index = faiss.read_index(str(folder / INDEX_FILE), faiss.IO_FLAG_MMAP_IFC)
        exact = None
        if (folder / EXACT_FILE).exists():
            exact = np.load(folder / EXACT_FILE, mmap_mode="r")
            if exact.shape != (index.ntotal, index.d) or exact.dtype != np.float16:
                raise ValueError(f"{EXACT_FILE} holds {exact.shape} {exact.dtype}, the index {index.ntotal} rows")
        return cls(index, exact)


def _read_ahead(path: Path) -> None:
    """Reads a whole file once, in large sequential reads, so that it sits in the kernel's page cache.

    faiss reads an index file through page faults a few pages at a time: from a cold disk the 1M
    benchmark's 656 MB HNSW file took 3.5 s to load, where the disk reads it whole in 1.2 s (553 MB/s).
    """
    buffer = bytearray(8 << 20)
    with path.open("rb", buffering=0) as file:
        while file.readinto(buffer):
            pass
