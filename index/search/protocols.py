"""What search needs of its heavy parts: a question encoder, a vector index, a keyword index.

The local backends (index/model/embed.py, index/store/vectors.py, index/keywords/keyword_index.py) satisfy these; tests use
the fakes in tests/fakes.py, and another backend only has to provide the same methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt


class QueryEncoder(Protocol):
    """Turns questions into L2-normalised float32 rows."""

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class VectorSearch(Protocol):
    """Inner-product search over the passages' vectors, by row number."""

    def search(self, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]: ...

    def scores(self, query: npt.NDArray[np.float32], rows: Sequence[int]) -> npt.NDArray[np.float32]: ...

    def vectors(self, rows: Sequence[int]) -> npt.NDArray[np.float32]: ...  # the stored rows, float32


class KeywordSearch(Protocol):
    """BM25 over the passages' folded text, by row number, with the corpus's word statistics."""

    @property
    def words(self) -> Sequence[str]: ...  # corpus terms kept whole (places, named practices, glossary terms)

    @property
    def romanised(self) -> Mapping[str, Sequence[str]]: ...  # pinyin -> corpus words, for names in English

    @property
    def english(self) -> Mapping[str, Sequence[str]]: ...  # English word stem -> corpus words (CC-CEDICT senses)

    def tokens(self, folded: str) -> list[str]: ...

    def idf(self, token: str) -> float: ...  # 0 for a word no passage holds

    def max_idf(self) -> float: ...

    def general_idf(self, token: str) -> float: ...  # specificity in the language at large, not this corpus

    def search(self, tokens: Sequence[str], k: int,
               allowed: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]: ...
