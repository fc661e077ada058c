"""Hits worth listing: near-duplicates once; and which passages describe something done, for broad questions (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of a text, for near-duplicate checks."""
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two sets, 0 when both are empty."""
    if not a and not b:
        return 0.0
    shared = len(a & b)  # CPython walks the smaller set whichever comes first
    return shared / (len(a) + len(b) - shared)  # the union's size without building it


def distinct_rows(ranked: Sequence[int], shape_of: Callable[[int], frozenset[str]], *, threshold: float,
                  limit: int) -> list[int]:
    """Rows in rank order, skipping any whose bigrams (shape_of) near-duplicate those of one already kept."""
    kept: list[int] = []
    shapes: list[frozenset[str]] = []
    for row in ranked:
        shape = shape_of(row)
        if any(jaccard(shape, other) >= threshold for other in shapes):
            continue
        kept.append(row)
        shapes.append(shape)
        if len(kept) >= limit:
            break
    return kept


# A practice a report names ("红色物业", "一小区一专员"): a short quoted term with no sentence punctuation
# inside; and a figure with its unit ("1063个网格", "95%"). Preambles quoting a leader's sentence hold neither.
_NAMED_PRACTICE = re.compile(r"[“\"「]([^“”\"「」，,。；;：:！!？?\s]{2,12})[”\"」]")
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|个|名|家|项|支|户|人|万|条|场|次|期|类|套|所|处|栋)")


def bears_practice(text: str) -> bool:
    """Whether a passage describes something done: it names a practice or gives a figure (for broad questions)."""
    return bool(_NAMED_PRACTICE.search(text) or _FIGURE.search(text))
