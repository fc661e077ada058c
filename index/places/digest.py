"""A place's digest from its passages: the practices listed, each with the passage naming it, and the places
within it (pure). A build works it out per place and stores it (store/passages.py); /place reads it back."""

from __future__ import annotations

from collections.abc import Sequence

from index.places.finder import STREET, place_aliases, place_level
from index.places.gazetteer import ancestors
from index.records import Chunk, Practice
from index.text.clean import fold
from index.text.practices import DIGEST_PRACTICES, is_listable, names_practice, sentence_naming


def digest(names: Sequence[str], passages: Sequence[Chunk], folded: Sequence[str] | None = None) -> tuple[Practice, ...]:
    """The listable practices among names, most mentioned first, each with the first of the place's passages
    that quotes it and the sentence there: read from passages already at hand, no search per name.

    folded: fold(c.text) of each passage, when the caller has them (a build folds each passage once).
    """
    found = []
    texts = [fold(c.text) for c in passages] if folded is None else folded  # once, not once per name
    for name in filter(is_listable, names):
        key = fold(name)
        chunk = next((c for c, text in zip(passages, texts) if names_practice(text, key)), None)
        if chunk is not None:
            found.append(Practice(name, chunk.chunk_id, sentence_naming(chunk.text, name)))
        if len(found) == DIGEST_PRACTICES:
            break
    return tuple(found)


def places_within(places: Sequence[str], passages: Sequence[Chunk], folded: Sequence[str] | None = None) -> tuple[str, ...]:
    """Places inside the given ones that their passages mention, largest first.

    A district or city counts when the national gazetteer puts it under them; a street or community
    (which the gazetteer does not list) when the passage naming it also names one of them in its text
    ("汉阳区江堤街江欣苑社区"), so a guest's community mentioned at a forum is not filed under the host.
    folded: fold(c.text) of each passage, as for digest.
    """
    wanted = set(places)
    level = min(place_level(p) for p in places)
    forms = [fold(a) for p in places for a in place_aliases(p) if len(a) >= 2]
    found: set[str] = set()
    for at, chunk in enumerate(passages):
        for place in chunk.places:
            if place in wanted or place_level(place) <= level or place in found:
                continue
            if place_level(place) < STREET:
                inside = bool(wanted & set(ancestors(place)))
            else:
                inside = _anchored(fold(chunk.text) if folded is None else folded[at], place, forms)
            if inside:
                found.add(place)
    return tuple(sorted(found, key=lambda p: (place_level(p), p)))


_ANCHOR_CHARS = 12  # "汉阳区江堤街江欣苑社区": the larger place is named just before the smaller one


def _anchored(text: str, place: str, forms: Sequence[str]) -> bool:
    """Whether the text names one of the forms right before the place (as an address does)."""
    name = fold(place)
    start = text.find(name)
    while start >= 0:
        if any(f in text[max(0, start - _ANCHOR_CHARS):start] for f in forms):
            return True
        start = text.find(name, start + 1)
    return False
