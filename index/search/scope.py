"""Which places and years the reports cover, and what a question about others is offered instead (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.places.gazetteer import PlaceGazetteer
from index.search.question import Query



def missing_years(asked: Sequence[int], mentioned: Iterable[frozenset[int]]) -> tuple[int, ...]:
    """The asked years that none of the given passages (or report dates) mentions."""
    seen = frozenset().union(*mentioned)
    return tuple(y for y in asked if y not in seen)


@dataclass(frozen=True, slots=True)
class PlaceScope:
    """Where to look for a question: places to favour, or the nearest covered places to offer instead."""

    boost: tuple[str, ...]  # covered places the question names: their passages are favoured
    not_covered: tuple[str, ...]  # places named that no passage mentions
    nearest: tuple[str, ...] = ()  # covered places sharing a region with the uncovered ones: search only them
    region: str = ""  # that region (深圳市 for 福田区 → 南山区)

    @property
    def dead_end(self) -> bool:
        """Only uncovered places were named, and no covered place lies in the same city or province."""
        return bool(self.not_covered) and not self.boost and not self.nearest


def place_scope(query: Query, gazetteer: PlaceGazetteer) -> PlaceScope:
    """Favour the covered places a question names; for uncovered ones alone, offer the nearest covered places."""
    if query.places or not query.places_not_covered:
        return PlaceScope(query.places, query.places_not_covered)
    nearest: list[str] = []
    regions: list[str] = []
    for place in query.places_not_covered:
        found, region = gazetteer.nearest(place)
        nearest.extend(found)
        if region:
            regions.append(region)
    return PlaceScope((), query.places_not_covered, tuple(dict.fromkeys(nearest)), "、".join(dict.fromkeys(regions)))
