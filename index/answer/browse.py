"""The browsing side of the engine, apart from answering: passages, reports, places and the practices
named there. Front ends list and open things through it; nothing here searches or embeds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from index.text.practices import DIGEST_PRACTICES, is_listable, names_practice, practice_names, sentence_naming
from index.text.clean import fold
from index.errors import UnknownItemError
from index.places.gazetteer import PlaceGazetteer, ancestors
from index.places.finder import STREET, place_aliases, place_level
from index.store.passages import MemoryRecords, Records
from index.records import Chunk, Document, PlaceSummary, Practice


class Browser:
    """Reports and passages of a loaded index by id, in order, and by place, read as they are asked for."""

    def __init__(self, records: Records | Sequence[Document], chunks: Sequence[Chunk] = (), *,
                 gazetteer: PlaceGazetteer | None = None) -> None:
        self._records = records if isinstance(records, Records) else MemoryRecords(records, chunks)
        # One gazetteer for search and browsing: every place a passage mentions counts as covered.
        self._gazetteer = gazetteer or PlaceGazetteer(self._records.covered_places())

    def chunk(self, chunk_id: str) -> Chunk:
        """One passage by id."""
        row = self._records.row_of(chunk_id)
        if row is None:
            raise UnknownItemError("找不到这段文字，索引可能已经更新，请重新提问。", kind="passage", item=chunk_id)
        return self._records.chunks[row]

    def neighbours(self, chunk_id: str, *, radius: int = 1) -> list[Chunk]:
        """The passage with up to radius passages before and after it in its report."""
        chunk = self.chunk(chunk_id)
        siblings = self._records.rows_of(chunk.doc_id)
        at = siblings.index(self._records.row_of(chunk_id))  # type: ignore[arg-type]  # chunk() found it
        return [self._records.chunks[r] for r in siblings[max(0, at - radius): at + radius + 1]]

    def document(self, doc_id: str) -> Document:
        """One report by id."""
        found = self._records.document(doc_id)
        if found is None:
            raise UnknownItemError("找不到这份报告，索引可能已经更新。", kind="report", item=doc_id)
        return found

    def documents(self) -> Sequence[Document]:
        """All reports, in corpus order (read as they are iterated)."""
        return self._records.documents

    def passages(self, doc_id: str) -> list[Chunk]:
        """The passages of one report, in order."""
        self.document(doc_id)
        return [self._records.chunks[r] for r in self._records.rows_of(doc_id)]

    def places(self) -> list[tuple[str, int]]:
        """Each place the reports are about, with how many reports, most first."""
        return self._records.place_counts()

    def place_summary(self, place: str) -> PlaceSummary:
        """The reports about a place and the named practices they describe there."""
        names = self._gazetteer.resolve(place)
        if not names:
            raise UnknownItemError(f"报告中没有关于“{place}”的内容。", kind="place", place=place)
        # A report counts when it is about the place or any of its passages mentions it (a street of a district).
        rows = sorted({int(r) for name in names for r in self._records.rows_about(name)})
        passages = [self._records.chunks[r] for r in rows]
        about = self._records.documents_about(names)
        documents = tuple(self._records.in_order(about | {c.doc_id for c in passages}))
        passages = [c for d in documents if d.doc_id in about for c in self.passages(d.doc_id)] or passages
        label = names[0] if len(names) == 1 else "、".join(names)
        practices = tuple(practice_names(passages, limit=20))
        return PlaceSummary(label, documents, practices, places_within(names, passages), digest(practices, passages))

    def topics(self) -> list[str]:
        """A few named practices the reports describe most, for help texts and abstentions (found at build time)."""
        return self._records.topics()




def digest(names: Sequence[str], passages: Sequence[Chunk]) -> tuple[Practice, ...]:
    """The listable practices among names, most mentioned first, each with the first of the place's passages
    that quotes it and the sentence there: read from passages already at hand, no search per name."""
    found = []
    folded = [fold(c.text) for c in passages]  # once, not once per name
    for name in filter(is_listable, names):
        key = fold(name)
        chunk = next((c for c, text in zip(passages, folded) if names_practice(text, key)), None)
        if chunk is not None:
            found.append(Practice(name, chunk.chunk_id, sentence_naming(chunk.text, name)))
        if len(found) == DIGEST_PRACTICES:
            break
    return tuple(found)


def places_within(places: Sequence[str], passages: Iterable[Chunk]) -> tuple[str, ...]:
    """Places inside the given ones that their passages mention, largest first.

    A district or city counts when the national gazetteer puts it under them; a street or community
    (which the gazetteer does not list) when the passage naming it also names one of them in its text
    ("汉阳区江堤街江欣苑社区"), so a guest's community mentioned at a forum is not filed under the host.
    """
    wanted = set(places)
    level = min(place_level(p) for p in places)
    forms = [fold(a) for p in places for a in place_aliases(p) if len(a) >= 2]
    found: set[str] = set()
    for chunk in passages:
        text = fold(chunk.text)
        for place in chunk.places:
            if place in wanted or place_level(place) <= level:
                continue
            inside = wanted & set(ancestors(place)) if place_level(place) < STREET else _anchored(text, place, forms)
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
