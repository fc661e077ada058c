"""Reciprocal-rank fusion of the candidate rankings, then boosts for place, named phrase and year (pure)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from index.search.calibration import RRF_K, Fusion


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[int]], *, weights: Mapping[str, float],
                           k: int = RRF_K) -> dict[int, float]:
    """Fuses ranked lists of row numbers: each list adds weight / (k + rank) to its rows."""
    fused: dict[int, float] = {}
    for name, rows in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, row in enumerate(rows, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank)
    return fused


def fuse(rankings: Mapping[str, Sequence[int]], fusion: Fusion, *, in_place: Collection[int] = (),
         phrased: Collection[int] = (), in_year: Collection[int] = (),
         english: bool = False) -> tuple[list[int], dict[int, float]]:
    """Rows best first with their fused scores: fused ranks, multiplied by each boost a row earns."""
    weights = fusion.english_weights if english else fusion.weights
    fused = reciprocal_rank_fusion(rankings, weights=weights, k=fusion.rrf_k)
    for row in fused:
        if row in in_place:
            fused[row] *= fusion.place_boost
        if row in phrased:
            fused[row] *= fusion.phrase_boost
        if row in in_year:
            fused[row] *= fusion.year_boost
    return sorted(fused, key=lambda r: (-fused[r], r)), fused


def above_floor(ranked: Sequence[int], fused: Mapping[int, float], floor: float) -> list[int]:
    """The ranked rows scoring at least floor times the best one (paging stops past them)."""
    if not ranked:
        return []
    least = floor * fused[ranked[0]]
    return [row for row in ranked if fused[row] >= least]
