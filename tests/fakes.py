"""Deterministic stand-ins at the project's seams, shared by the tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


class FakeEmbedder:
    """Embeds text as normalised hashed character bigrams, so texts sharing words are close."""

    name = "fake-bigram-64"
    dimension = 64

    def _encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                bucket = hashlib.blake2b((a + b).encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(bucket, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts)
