"""BM25 scores as a closed-form function of term counts (pure numpy), so a build never re-counts unchanged passages.

bm25s' own `index()` counts every passage's tokens again in Python (7 s at 100k passages). Here the
counts of a passage are kept (TermCounts, saved beside the keyword index), an incremental build
gathers the unchanged passages' counts by array operations and counts only the new ones, and the
score matrix is computed in one vectorised pass. The scores are those bm25s computes (Lucene BM25,
float32, the same operations in the same precision); tests/index/test_bm25.py holds them to
bm25s' own to the bit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# bm25s' defaults, which every index so far was built with: term-frequency saturation and length
# normalisation of Lucene's BM25 (Kamphuis et al., ECIR 2020). Changing them changes every score.
K1 = 1.5
B = 0.75
EMPTY = ""  # the token of a passage with no keyword token (bm25s' convention: such a passage scores 0)
_BATCH_ROWS = 100_000  # passages counted per batch: bounds the flat token list of a million-passage build


@dataclass(frozen=True, slots=True)
class TermCounts:
    """How often each term occurs in each passage, by term (CSC): the input BM25 is computed from.

    terms[j] is column j (sorted when made here, each in some passage); the entries of column j are
    rows[indptr[j]:indptr[j+1]] (ascending) with counts[indptr[j]:indptr[j+1]] occurrences.
    """

    terms: list[str]
    indptr: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int32]
    counts: npt.NDArray[np.unsignedinteger]
    passages: int

    def document_frequencies(self) -> npt.NDArray[np.int64]:
        """Passages holding each term."""
        return np.diff(self.indptr)

    def lengths(self) -> npt.NDArray[np.int64]:
        """Tokens in each passage."""
        return np.bincount(self.rows, weights=self.counts, minlength=self.passages).astype(np.int64)

    def columns(self) -> npt.NDArray[np.int64]:
        """The column of each entry."""
        return np.repeat(np.arange(len(self.terms), dtype=np.int64), self.document_frequencies())


def count_terms(corpus: Sequence[Sequence[str]]) -> TermCounts:
    """Term counts of tokenised passages (row i is corpus[i]); a passage without tokens holds EMPTY once."""
    parts = [_count_batch(corpus[start:start + _BATCH_ROWS], start)
             for start in range(0, len(corpus), _BATCH_ROWS)]
    return _assemble(parts, len(corpus))


def _count_batch(corpus: Sequence[Sequence[str]], first_row: int) -> tuple[list[str], npt.NDArray[np.int64],
                                                                           npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    flat = list(itertools.chain.from_iterable(tokens or (EMPTY,) for tokens in corpus))
    terms = sorted(set(flat))
    column = {term: j for j, term in enumerate(terms)}
    cols = np.fromiter(map(column.__getitem__, flat), dtype=np.int64, count=len(flat))
    lengths = np.fromiter((len(tokens) or 1 for tokens in corpus), dtype=np.int64, count=len(corpus))
    rows = np.repeat(np.arange(len(corpus), dtype=np.int64), lengths)
    keys, counts = np.unique(cols * max(len(corpus), 1) + rows, return_counts=True)
    return terms, keys % max(len(corpus), 1) + first_row, keys // max(len(corpus), 1), counts


def merge_counts(parts: Iterable[tuple[TermCounts, npt.NDArray[np.int64]]], passages: int) -> TermCounts:
    """Term counts of `passages` rows gathered from parts: row r of a part becomes row placed[r] (-1: left out).

    Each output row must come from exactly one part. Terms left in no passage are dropped, so the
    result is what count_terms gives for the same passages.
    """
    gathered = []
    for counts, placed in parts:
        placed = np.asarray(placed, dtype=np.int64)
        rows = placed[counts.rows]
        keep = rows >= 0
        gathered.append((counts.terms, rows[keep], counts.columns()[keep], counts.counts[keep]))
    return _assemble(gathered, passages)


def _used(columns: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.int64]:
    """The columns that hold an entry, ascending (a count, not a sort: millions of entries)."""
    return np.flatnonzero(np.bincount(columns, minlength=width))


def _assemble(parts: Sequence[tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any]]],
              passages: int) -> TermCounts:
    """One TermCounts from entries (terms, rows, columns into terms, counts) of disjoint rows."""
    used = [_used(cols, len(terms)) for terms, _, cols, _ in parts]
    terms = sorted(set().union(*({own[j] for j in found.tolist()} for (own, _, _, _), found in zip(parts, used))))
    index = {term: j for j, term in enumerate(terms)}
    rows, cols, counts = [], [], []
    for (own, part_rows, part_cols, part_counts), found in zip(parts, used):
        # Each part's column numbers translated to the merged sorted terms (a few hundred thousand lookups).
        to_merged = np.full(len(own), -1, dtype=np.int64)
        to_merged[found] = [index[own[j]] for j in found.tolist()]
        rows.append(part_rows)
        cols.append(to_merged[part_cols])
        counts.append(part_counts)
    all_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    all_cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    all_counts = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    # Sorted by term, then row. Each part is in that order already (terms sorted, rows placed in order),
    # so the stable sort (timsort) only merges a few runs.
    order = np.argsort(all_cols * max(passages, 1) + all_rows, kind="stable")
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_cols, minlength=len(terms)), out=indptr[1:])
    biggest = int(all_counts.max(initial=0))
    dtype = np.uint16 if biggest <= np.iinfo(np.uint16).max else np.uint32
    return TermCounts(terms, indptr, all_rows[order].astype(np.int32), all_counts[order].astype(dtype), passages)


def lucene_idf(document_frequency: int, passages: int) -> float:
    """Lucene's inverse document frequency of a term held by that many passages; 0 for a term in none."""
    if document_frequency == 0:
        return 0.0
    return math.log(1 + (passages - document_frequency + 0.5) / (document_frequency + 0.5))


def idf_values(document_frequencies: npt.NDArray[np.int64], passages: int) -> npt.NDArray[np.float32]:
    """Lucene's inverse document frequency of each term, in float32 as bm25s stores it."""
    unique, inverse = np.unique(document_frequencies, return_inverse=True)
    # math.log per distinct frequency (a few thousand), as bm25s computes it: np.log may differ in the last bit.
    values = np.array([lucene_idf(df, passages) for df in unique.tolist()], dtype=np.float32)
    return values[inverse.reshape(-1)]


def score_matrix(counts: TermCounts, k1: float = K1, b: float = B) -> npt.NDArray[np.float32]:
    """BM25 score of each entry of counts (same order): idf(term) * tf / (tf + k1 * (1 - b + b * length / average))."""
    lengths = counts.lengths()
    average = lengths.mean() if counts.passages else np.float64(1.0)
    # Per passage, in float64 and in bm25s' order of operations; the product is rounded to float32 once.
    norm = k1 * ((1 - b) + b * lengths.astype(np.float64) / average)
    tf = counts.counts.astype(np.float32).astype(np.float64)
    idf = idf_values(counts.document_frequencies(), counts.passages)
    scores: npt.NDArray[np.float32] = (idf[counts.columns()].astype(np.float64) * (tf / (norm[counts.rows] + tf))
                                       ).astype(np.float32)
    return scores
