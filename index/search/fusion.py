"""Score fusion of the candidates' evidence, then boosts for place, named phrase and year (pure).

Each kind of evidence (cosine, BM25, the best sentence's share of the question) is scaled to 0..1 over
the candidates and the scaled scores are added with fitted weights: a convex combination, which keeps
how far ahead a passage is, where reciprocal-rank fusion keeps only its place. On every question set
together, reciprocal ranks put the answering passage first for 77% of answerable questions and
scaled scores for 80% (docs/quality.md): with ranks, a passage first in the dense and keyword rankings
lost to one a little behind in both but first in a third.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from index.search.calibration import Fusion

# The kinds of evidence that count the question's words, as against the dense match of its meaning.
LEXICAL = ("keyword", "sentence")
# What a candidate scores with no evidence at all, so that boosts (multiplicative) still order such rows.
BASE_SCORE = 0.01


def normalised(scores: Mapping[int, float], rows: Sequence[int]) -> dict[int, float]:
    """Each row's score scaled to 0..1 over the rows, the lowest 0; a row without a score counts as the lowest."""
    values = [scores[r] for r in rows if r in scores]
    if not values:
        return dict.fromkeys(rows, 0.0)
    low = min(values) if len(values) == len(rows) else min(min(values), 0.0)
    span = max(values) - low
    if span <= 0:
        return dict.fromkeys(rows, 0.0)
    return {r: (scores[r] - low) / span if r in scores else 0.0 for r in rows}


def combine(evidence: Mapping[str, Mapping[int, float]], weights: Mapping[str, float]) -> dict[int, float]:
    """Every candidate row's weighted sum of its scaled scores (a weight missing from weights counts 1)."""
    rows = _rows(evidence.values())
    fused = dict.fromkeys(rows, BASE_SCORE)
    for name, scores in evidence.items():
        weight = weights.get(name, 1.0)
        if weight:
            for row, value in normalised(scores, rows).items():
                fused[row] += weight * value
    return fused


def fuse(evidence: Mapping[str, Mapping[int, float]], fusion: Fusion, *, in_place: Collection[int] = (),
         phrased: Collection[int] = (), in_year: Collection[int] = (), practiced: Collection[int] = (),
         lexical: float = 1.0, english: bool = False) -> tuple[list[int], dict[int, float]]:
    """Rows best first with their fused scores: combined evidence, multiplied by each boost a row earns.

    lexical (0..1): how much of the question's topic the best candidate holds word for word; the keyword
    and best-sentence evidence weigh that much of their weight, so where the question's words are not the
    reports' (an everyday paraphrase), passages matching its generic words do not outrank the dense match.
    """
    weights = dict(fusion.english_weights if english else fusion.weights)
    for name in LEXICAL:
        weights[name] = weights.get(name, 1.0) * lexical
    fused = combine(evidence, weights)
    for row in fused:
        if row in in_place:
            fused[row] *= fusion.place_boost
        if row in phrased:
            fused[row] *= fusion.phrase_boost
        if row in in_year:
            fused[row] *= fusion.year_boost
        if row in practiced:
            fused[row] *= fusion.practice_boost
    return sorted(fused, key=lambda r: (-fused[r], r)), fused


def above_floor(ranked: Sequence[int], fused: Mapping[int, float], floor: float) -> list[int]:
    """The ranked rows scoring at least floor times the best one (paging stops past them)."""
    if not ranked:
        return []
    least = floor * fused[ranked[0]]
    return [row for row in ranked if fused[row] >= least]


def _rows(scores: Iterable[Mapping[int, float]]) -> list[int]:
    return list(dict.fromkeys(row for table in scores for row in table))
