"""The browsing side of the engine, apart from answering: passages, reports, places and the practices
named there. Front ends list and open things through it; nothing here searches or embeds."""

from __future__ import annotations

from collections.abc import Sequence

from index.errors import UnknownItemError
from index.places.gazetteer import PlaceGazetteer
from index.store.passages import MemoryRecords, Records, combined_digest
from index.records import Chunk, Document, PlaceDigest, PlaceSummary


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
        """How many reports a place has and the first of them, and the named practices they describe there."""
        names = self._gazetteer.resolve(place)
        if not names:
            raise UnknownItemError(f"报告中没有关于“{place}”的内容。", kind="place", place=place)
        # One place: its digest as the build stored it, the same cost at 70 passages and at 1M. Several
        # (a region, an ambiguous name): their stored digests combined, reading no passage.
        found: PlaceDigest | None = self._records.place_digest(names[0]) if len(names) == 1 else None
        if found is None:
            found = combined_digest(self._records, names)
        label = names[0] if len(names) == 1 else "、".join(names)
        return PlaceSummary(label, found.report_count, found.reports, found.practices, found.within, found.digest)

    def topics(self) -> list[str]:
        """A few named practices the reports describe most, for help texts and abstentions (found at build time)."""
        return self._records.topics()

