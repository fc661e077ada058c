"""The reports and passages of an index, read by row or id when asked: from SQLite on disk, or from lists.

A loaded index does not parse its passages at start-up: the searcher, the browser and the CLI ask a
Records object for the rows they touch, and what every question needs about all passages (the rows
about a place, the years mentioned, the places covered, the practices named most, each place's
digest) was worked out when the index was built and is read through SQLite's own indexes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import shutil
import sqlite3
import threading
import weakref
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

from index.chunk.cut import index_text
from index.text.clean import fold
from index.places.digest import digest, places_within
from index.places.finder import STREET, place_level
from index.places.gazetteer import ancestors
from index.records import Chunk, Document, PlaceDigest, Practice, ReportHeading
from index.text.chinese import years_in
from index.text.practices import DIGEST_PRACTICES, is_listable, most_mentioned, practice_mentions, practice_names

T = TypeVar("T")

PASSAGES_FILE = "passages.sqlite"
TOPICS = 8  # named practices kept for help texts and abstentions (Browser.topics)
PLACE_PRACTICES = 20  # practice names a place's summary keeps, most mentioned first
# Reports a place's summary names, the first in corpus order: about one phone screen (every place of the
# corpus has fewer); /sources lists them all. A summary costs the same however many reports a place has.
PLACE_REPORTS = 10
_CACHED_ROWS = 20_000  # passages kept parsed: a few hundred questions' candidates, about 20 MB


def passage_years(chunk: Chunk, document: Document, folded: str | None = None) -> frozenset[int]:
    """Years a passage mentions, with its report's publication year: what year questions are checked against.

    folded: fold(index_text(chunk)), when the caller has it (folding is most of the cost).
    """
    return years_in(fold(index_text(chunk)) if folded is None else folded) | years_in(document.date[:4])


def document_record(data: dict[str, Any]) -> Document:
    """A Document from its stored JSON fields."""
    return Document(**{**data, "places": tuple(data["places"])})


def chunk_record(data: dict[str, Any]) -> Chunk:
    """A Chunk from its stored JSON fields."""
    return Chunk(**{**data, "places": tuple(data["places"])})


def report_heading(document: Document) -> ReportHeading:
    """What a list of reports shows of one report."""
    return ReportHeading(document.doc_id, document.path, document.title, document.source, document.date,
                         document.places, document.site, document.posted, document.year_estimated, document.part)


def digest_json(found: PlaceDigest) -> str:
    """A place's digest as stored: one JSON object (reports as objects of their fields, practices as
    [name, chunk_id, sentence])."""
    return json.dumps({"report_count": found.report_count,
                       "reports": [{f.name: getattr(r, f.name) for f in dataclasses.fields(r)} for r in found.reports],
                       "practices": found.practices, "within": found.within,
                       "digest": [[p.name, p.chunk_id, p.sentence] for p in found.digest], "about": found.about},
                      ensure_ascii=False)


def digest_record(data: dict[str, Any]) -> PlaceDigest:
    """A PlaceDigest from its stored JSON fields."""
    return PlaceDigest(data["report_count"], tuple(ReportHeading(**{**r, "places": tuple(r["places"])}) for r in data["reports"]),
                       tuple(data["practices"]), tuple(data["within"]), tuple(Practice(*p) for p in data["digest"]),
                       data["about"])


def record_json(record: Document | Chunk) -> str:
    """A Document or Chunk as stored: its fields as one JSON object (places as a list)."""
    # Not dataclasses.asdict: it deep-copies every value, most of a large build's save time.
    return json.dumps({f.name: getattr(record, f.name) for f in dataclasses.fields(record)}, ensure_ascii=False)


class Records(ABC):
    """Reports (corpus order) and passages (row order) of one index, with the lookups search and browsing need."""

    chunks: Sequence[Chunk]
    documents: Sequence[Document]

    @abstractmethod
    def document(self, doc_id: str) -> Document | None:
        """One report by id, None when there is none."""

    @abstractmethod
    def in_order(self, doc_ids: Iterable[str]) -> list[Document]:
        """The reports with these ids, in corpus order."""

    @abstractmethod
    def row_of(self, chunk_id: str) -> int | None:
        """The row of a passage by id, None when there is none."""

    @abstractmethod
    def rows_of(self, doc_id: str) -> list[int]:
        """Rows of one report's passages, in their order in the report."""

    @abstractmethod
    def rows_about(self, place: str) -> npt.NDArray[np.int64]:
        """Rows of the passages about a place (their own or their report's), ascending."""

    @abstractmethod
    def documents_about(self, places: Iterable[str]) -> set[str]:
        """Ids of the reports whose own places include one of these."""

    @abstractmethod
    def years_mentioned(self, years: Iterable[int], places: Sequence[str] = ()) -> frozenset[int]:
        """Those of the years that a passage about one of the places (any passage, when none) or its report's date mentions."""

    @abstractmethod
    def passage_years(self) -> Sequence[frozenset[int]]:
        """Years each passage (row order) or its report's date mentions; for writing the index."""

    @abstractmethod
    def covered_places(self) -> frozenset[str]:
        """Every place some passage is about: what the gazetteer counts as covered."""

    @abstractmethod
    def place_counts(self) -> list[tuple[str, int]]:
        """Each place reports are about, with how many reports, most first."""

    @abstractmethod
    def topics(self) -> list[str]:
        """The named practices passages mention most (TOPICS of them)."""

    @abstractmethod
    def place_digest(self, place: str) -> PlaceDigest | None:
        """One covered place's digest as the build worked it out (None for a place no passage covers)."""

    @abstractmethod
    def place_reports(self, places: Sequence[str]) -> list[str]:
        """Ids of the reports about these places or with a passage mentioning one, corpus order."""

    @abstractmethod
    def practice_mentions(self, places: Sequence[str], *, about: bool) -> list[tuple[str, str]]:
        """(folded name, name as written) of each practice name quoted in the passages of the reports about
        these places, in corpus order (about), else in the passages mentioning them, in row order."""

    @abstractmethod
    def places_mentioned(self, places: Sequence[str], *, about: bool) -> set[str]:
        """The places of the passages of the reports about these places (about), else of the passages mentioning them."""


def place_digest(records: Records, names: Sequence[str],
                 folded: Callable[[int], str] | None = None) -> PlaceDigest:
    """The digest of one or more places from their passages: what a build stores per place, and what a
    summary of several places at once (a region, an ambiguous name) is read from.

    A report counts when it is about a place or any of its passages mentions it (a street of a district);
    practices are read from the passages of the reports about the places, else from those mentioning them.
    folded(row): fold of that passage's text, when the caller keeps them (a build folds each passage once).
    """
    rows = sorted({int(r) for name in names for r in records.rows_about(name)})
    about = records.documents_about(names)
    documents = records.in_order(about | {records.chunks[r].doc_id for r in rows})
    rows = [r for d in documents if d.doc_id in about for r in records.rows_of(d.doc_id)] or rows
    passages = [records.chunks[r] for r in rows]
    texts = [folded(r) for r in rows] if folded is not None else [fold(c.text) for c in passages]
    practices = tuple(practice_names(passages, limit=PLACE_PRACTICES))
    return PlaceDigest(len(documents), tuple(report_heading(d) for d in documents[:PLACE_REPORTS]), practices,
                       places_within(names, passages, texts), digest(practices, passages, texts), bool(about))


def combined_digest(records: Records, names: Sequence[str]) -> PlaceDigest:
    """The digest of several places at once (a region, an ambiguous name) from their stored digests and the
    index's lookup tables: no passage is read.

    Reports and practices come out as place_digest reads them from the passages (the reports by id, the
    practices counted from the practice names stored per passage, the districts and cities within from the
    places stored per passage). A listed practice takes the earliest of the passages the places' own digests
    give for it, and a practice no place's digest lists is left out; a street or community counts as within
    when a place's own digest has it. So a digest can list fewer practices, or fewer streets within, than
    reading the passages of all the places would find.
    """
    stored = [found for found in map(records.place_digest, names) if found is not None]
    about = any(found.about for found in stored)
    chosen = [found for found in stored if found.about or not about]  # as place_digest: reports about them first
    doc_ids = records.place_reports(names)
    headings = {r.doc_id: r for found in stored for r in found.reports}
    practices = tuple(most_mentioned(records.practice_mentions(names, about=about), limit=PLACE_PRACTICES))
    order = {doc_id: at for at, doc_id in enumerate(doc_ids)}

    def passage_order(chunk_id: str) -> tuple[int, int]:
        if not about:
            return (records.row_of(chunk_id) or 0, 0)
        doc_id, _, position = chunk_id.rpartition(":")  # Chunk.chunk_id is f"{doc_id}:{position}"
        return (order.get(doc_id, len(order)), int(position))

    given: dict[str, list[Practice]] = {}
    for found in chosen:
        for practice in found.digest:
            given.setdefault(fold(practice.name), []).append(practice)
    listed = []
    for name in filter(is_listable, practices):
        if candidates := given.get(fold(name)):
            first = min(candidates, key=lambda p: passage_order(p.chunk_id))
            listed.append(Practice(name, first.chunk_id, first.sentence))
        if len(listed) == DIGEST_PRACTICES:
            break
    # As places_within: a district or city inside one of the places by the gazetteer; a street or community
    # when one of the places' own digests found it named after that place in a passage ("江堤街江欣苑社区").
    level = min(place_level(name) for name in names)
    anchored = {p for found in chosen for p in found.within}
    within = {p for p in records.places_mentioned(names, about=about) if p not in names and place_level(p) > level
              and (not set(names).isdisjoint(ancestors(p)) if place_level(p) < STREET else p in anchored)}
    return PlaceDigest(len(doc_ids), tuple(headings[d] for d in doc_ids[:PLACE_REPORTS]), practices,
                       tuple(sorted(within, key=lambda p: (place_level(p), p))), tuple(listed), about)


def folded_texts(records: Records) -> Callable[[int], str]:
    """fold(text) of a passage by row, each folded once however many places' digests read it."""
    return functools.lru_cache(maxsize=None)(lambda row: fold(records.chunks[row].text))


class MemoryRecords(Records):
    """Records held as lists: what a build writes, and small indexes in tests."""

    def __init__(self, documents: Sequence[Document], chunks: Sequence[Chunk],
                 folded: Sequence[str] | None = None, folded_texts: Sequence[str] | None = None) -> None:
        """folded: fold(index_text(c)) of each chunk, and folded_texts: fold(c.text), when a build has them already."""
        self.documents = list(documents)
        self.chunks = list(chunks)
        self._folded = folded
        self._folded_texts = folded_texts
        self._documents = {d.doc_id: d for d in self.documents}
        self._rows = {c.chunk_id: row for row, c in enumerate(self.chunks)}
        self._by_doc: dict[str, list[int]] = {}
        self._by_place: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            self._by_doc.setdefault(chunk.doc_id, []).append(row)
            for place in chunk.places:
                self._by_place.setdefault(place, []).append(row)
        for rows in self._by_doc.values():
            rows.sort(key=lambda r: self.chunks[r].position)

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def in_order(self, doc_ids: Iterable[str]) -> list[Document]:
        wanted = set(doc_ids)
        return [d for d in self.documents if d.doc_id in wanted]

    def row_of(self, chunk_id: str) -> int | None:
        return self._rows.get(chunk_id)

    def rows_of(self, doc_id: str) -> list[int]:
        return list(self._by_doc.get(doc_id, []))

    def rows_about(self, place: str) -> npt.NDArray[np.int64]:
        return np.asarray(self._by_place.get(place, []), dtype=np.int64)

    def documents_about(self, places: Iterable[str]) -> set[str]:
        wanted = set(places)
        return {d.doc_id for d in self.documents if wanted & set(d.places)}

    @functools.cached_property
    def _years(self) -> list[frozenset[int]]:
        empty = Document("", "", "", "")
        folded = self._folded if self._folded is not None else [None] * len(self.chunks)
        return [passage_years(c, self._documents.get(c.doc_id, empty), f) for c, f in zip(self.chunks, folded)]

    def passage_years(self) -> Sequence[frozenset[int]]:
        return self._years

    def years_mentioned(self, years: Iterable[int], places: Sequence[str] = ()) -> frozenset[int]:
        chosen = range(len(self.chunks)) if not places else sorted({r for p in places for r in self._by_place.get(p, [])})
        return frozenset(years) & frozenset().union(*(self._years[r] for r in chosen))

    def covered_places(self) -> frozenset[str]:
        return frozenset(self._by_place)

    def place_counts(self) -> list[tuple[str, int]]:
        counts = Counter(p for d in self.documents for p in d.places)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def topics(self) -> list[str]:
        return practice_names(self.chunks, limit=TOPICS)

    def place_digest(self, place: str) -> PlaceDigest | None:
        if place not in self._by_place:
            return None
        if place not in self._digests:  # worked out when first asked: a build asks for every place once
            self._digests[place] = place_digest(self, [place], self._folded_text)
        return self._digests[place]

    @functools.cached_property
    def _digests(self) -> dict[str, PlaceDigest]:
        return {}

    def place_reports(self, places: Sequence[str]) -> list[str]:
        mentioned = {self.chunks[r].doc_id for p in places for r in self._by_place.get(p, [])}
        return [d.doc_id for d in self.in_order(self.documents_about(places) | mentioned)]

    def practice_mentions(self, places: Sequence[str], *, about: bool) -> list[tuple[str, str]]:
        if about:
            rows = [r for d in self.in_order(self.documents_about(places)) for r in self._by_doc.get(d.doc_id, [])]
        else:
            rows = sorted({r for p in places for r in self._by_place.get(p, [])})
        return [mention for r in rows for mention in practice_mentions(self.chunks[r].text)]

    def places_mentioned(self, places: Sequence[str], *, about: bool) -> set[str]:
        if about:
            rows: Iterable[int] = [r for d in self.documents_about(places) for r in self._by_doc.get(d, [])]
        else:
            rows = {r for p in places for r in self._by_place.get(p, [])}
        return {p for r in rows for p in self.chunks[r].places}

    @functools.cached_property
    def _folded_text(self) -> Callable[[int], str]:
        given = self._folded_texts
        return folded_texts(self) if given is None else given.__getitem__


_TABLES = """
    CREATE TABLE documents (ord INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, record TEXT NOT NULL);
    CREATE TABLE document_places (place TEXT NOT NULL, doc_id TEXT NOT NULL);
    CREATE TABLE passages (row INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, doc_id TEXT NOT NULL,
                           position INTEGER NOT NULL, record TEXT NOT NULL);
    CREATE TABLE passage_places (place TEXT NOT NULL, row INTEGER NOT NULL);
    CREATE TABLE passage_years (year INTEGER NOT NULL, row INTEGER NOT NULL);
    CREATE TABLE passage_names (key TEXT NOT NULL, shown TEXT NOT NULL, row INTEGER NOT NULL, at INTEGER NOT NULL);
    CREATE TABLE summary (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE place_digests (place TEXT PRIMARY KEY, digest TEXT NOT NULL);
"""
_INDEXES = """
    CREATE UNIQUE INDEX documents_by_id ON documents (doc_id);
    CREATE INDEX document_places_by_place ON document_places (place);
    CREATE UNIQUE INDEX passages_by_id ON passages (chunk_id);
    CREATE INDEX passages_by_doc ON passages (doc_id, position);
    CREATE INDEX passage_places_by_place ON passage_places (place, row);
    CREATE INDEX passage_years_by_year ON passage_years (year, row);
"""
ROW_TABLES = ("passages", "passage_places", "passage_years", "passage_names")  # keyed by passage row


def _insert_documents(db: sqlite3.Connection, documents: Iterable[tuple[int, Document]]) -> None:
    rows = list(documents)
    db.executemany("INSERT INTO documents VALUES (?, ?, ?)", ((i, d.doc_id, record_json(d)) for i, d in rows))
    db.executemany("INSERT INTO document_places VALUES (?, ?)", ((p, d.doc_id) for _, d in rows for p in set(d.places)))


def _insert_passages(db: sqlite3.Connection, first: int, chunks: Sequence[Chunk],
                     years: Sequence[frozenset[int]]) -> None:
    numbered = list(enumerate(chunks, first))
    db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?)",
                   ((row, c.chunk_id, c.doc_id, c.position, record_json(c)) for row, c in numbered))
    db.executemany("INSERT INTO passage_places VALUES (?, ?)", ((p, row) for row, c in numbered for p in set(c.places)))
    db.executemany("INSERT INTO passage_years VALUES (?, ?)",
                   ((year, row) for (row, _), found in zip(numbered, years) for year in sorted(found)))
    db.executemany("INSERT INTO passage_names VALUES (?, ?, ?, ?)",
                   ((key, shown, row, at) for row, c in numbered
                    for at, (key, shown) in enumerate(practice_mentions(c.text))))


def _write_summary(db: sqlite3.Connection) -> None:
    """What every question needs about all passages, from the tables: the same whichever way they were written."""
    places = [p for (p,) in db.execute("SELECT DISTINCT place FROM passage_places ORDER BY place")]
    counts = [[p, n] for p, n in db.execute(
        "SELECT place, count(DISTINCT doc_id) AS n FROM document_places GROUP BY place ORDER BY n DESC, place")]
    # As practice_names counts them, over the passages in corpus order (an incremental build's rows are not).
    topics = most_mentioned(db.execute(
        """SELECT n.key, n.shown FROM passage_names AS n JOIN passages AS p ON p.row = n.row
           JOIN documents AS d ON d.doc_id = p.doc_id ORDER BY d.ord, p.position, n.at"""), limit=TOPICS)
    db.execute("DELETE FROM summary")
    db.executemany("INSERT INTO summary VALUES (?, ?)",
                   ((key, json.dumps(value, ensure_ascii=False))
                    for key, value in (("places", places), ("place_counts", counts), ("topics", topics))))


# Values bound in one statement, below SQLite's limit on bound parameters (999 in older builds).
PARAMETERS_PER_QUERY = 500


def rows_where_in(run: Callable[[str, Sequence[Any]], list[Any]], sql: str, values: Sequence[Any]) -> list[Any]:
    """Rows of sql whose "{marks}" stands for the placeholders of values, run a few hundred values at a time.

    run(sql, parameters) executes one statement: SqliteRecords.query, or a build's own connection.
    """
    found: list[Any] = []
    for start in range(0, len(values), PARAMETERS_PER_QUERY):
        part = list(values[start:start + PARAMETERS_PER_QUERY])
        found += run(sql.format(marks=",".join("?" * len(part))), part)
    return found


def write_records(path: Path, records: Records, extra: Callable[[sqlite3.Connection], None] | None = None) -> None:
    """Write reports, passages and the lookups over them into a new SQLite file (at build time).

    extra(db) writes further tables in the same transaction (the build's own state, see index/build/state.py).
    """
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _TABLES)
        _insert_documents(db, enumerate(records.documents))
        _insert_passages(db, 0, records.chunks, records.passage_years())
        if extra is not None:
            extra(db)
        db.executescript(_INDEXES)
        _write_summary(db)
        _write_digests(db, {place: records.place_digest(place) for place in sorted(records.covered_places())})
        db.commit()
    finally:
        db.close()


def _write_digests(db: sqlite3.Connection, digests: dict[str, PlaceDigest | None]) -> None:
    """Replace the stored digests of these places (None: the place is no longer covered)."""
    db.executemany("DELETE FROM place_digests WHERE place = ?", ((p,) for p in digests))
    db.executemany("INSERT INTO place_digests VALUES (?, ?)",
                   ((p, digest_json(found)) for p, found in digests.items() if found is not None))


def _changed_places(db: sqlite3.Connection, update: RecordsUpdate) -> set[str]:
    """Places whose passages or reports an update removes or adds: the digests it works out again.

    A passage carries its report's places (finder.passage_places), so a report about a place that gains
    or loses a passage is caught through that passage.
    """
    kept = set(update.kept_rows)
    places = {p for p, row in db.execute("SELECT place, row FROM passage_places") if row not in kept}
    kept_docs = {doc_id for (doc_id,) in db.execute("SELECT doc_id FROM kept_documents")}
    places.update(p for p, doc_id in db.execute("SELECT place, doc_id FROM document_places") if doc_id not in kept_docs)
    places.update(p for c in update.added for p in c.places)
    places.update(p for d in update.documents for p in d.places)
    return places


@dataclass(frozen=True, slots=True)
class RecordsUpdate:
    """A version's reports and passages as changes to the previous version's file (incremental builds).

    The kept passage rows (ascending) become rows 0..len-1 in their order, the added passages follow;
    the kept reports keep their records and take their place in doc_ids (every report, corpus order)
    beside the reports read by this build.
    """

    previous: Path  # the previous version's passages.sqlite
    kept_rows: Sequence[int]
    doc_ids: Sequence[str]
    documents: Sequence[Document]  # the reports read by this build (in doc_ids; every other id is kept)
    added: Sequence[Chunk]
    years: Sequence[frozenset[int]]  # passage_years of each added passage


def update_records(path: Path, update: RecordsUpdate, extra: Callable[[sqlite3.Connection], None] | None = None,
                   row_tables: Sequence[str] = ()) -> None:
    """Write a version's SQLite file as a copy of the previous one with rows deleted, renumbered and added.

    A file copy and a few SQL statements instead of writing every row again from Python; the result
    holds what write_records would write for the same reports and passages. extra(db) changes further
    tables in the same transaction; row_tables (its tables keyed by passage row) are renumbered too.
    """
    shutil.copyfile(update.previous, path)
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")
        read = {d.doc_id: d for d in update.documents}
        db.execute("CREATE TEMP TABLE kept_documents (doc_id TEXT PRIMARY KEY, ord INTEGER NOT NULL)")
        db.executemany("INSERT INTO kept_documents VALUES (?, ?)",
                       ((doc_id, i) for i, doc_id in enumerate(update.doc_ids) if doc_id not in read))
        changed = _changed_places(db, update)
        db.execute("DELETE FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM kept_documents)")
        db.execute("DELETE FROM document_places WHERE doc_id NOT IN (SELECT doc_id FROM kept_documents)")
        # Through negative numbers, so no new number meets an old one still in place (ord is the key).
        db.execute("UPDATE documents SET ord = -1 - (SELECT ord FROM kept_documents AS k WHERE k.doc_id = documents.doc_id)")
        db.execute("UPDATE documents SET ord = -1 - ord")
        _insert_documents(db, ((i, read[d]) for i, d in enumerate(update.doc_ids) if d in read))
        _renumber_rows(db, update.kept_rows, (*ROW_TABLES, *row_tables))
        if extra is not None:  # before the added passages: it sees the kept ones alone
            extra(db)
        _insert_passages(db, len(update.kept_rows), update.added, update.years)
        _write_summary(db)
        db.commit()
        # The other places' passages and reports are as before, so are their digests (rows renumbered
        # keep their order; a digest names passages by chunk id).
        documents, passages = (int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in ("documents", "passages"))
        records = SqliteRecords(path, documents=documents, passages=passages)
        try:
            covered = records.covered_places()
            folded = folded_texts(records)
            digests = {p: place_digest(records, [p], folded) if p in covered else None for p in sorted(changed)}
        finally:
            records.close()
        _write_digests(db, digests)
        db.commit()
    finally:
        db.close()


def _renumber_rows(db: sqlite3.Connection, kept_rows: Sequence[int], tables: Sequence[str]) -> None:
    """Delete the rows not kept from tables keyed by passage row, and number the kept ones 0, 1, …"""
    if list(kept_rows) == list(range(len(kept_rows))):  # no row moves: at most the last ones go
        for table in tables:
            db.execute(f"DELETE FROM {table} WHERE row >= ?", (len(kept_rows),))
        return
    db.execute("CREATE TEMP TABLE kept_rows (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    db.executemany("INSERT INTO kept_rows VALUES (?, ?)", ((old, new) for new, old in enumerate(kept_rows)))
    for table in tables:
        db.execute(f"DELETE FROM {table} WHERE row NOT IN (SELECT old FROM kept_rows)")
        db.execute(f"UPDATE {table} SET row = -1 - (SELECT new FROM kept_rows AS k WHERE k.old = {table}.row)")
        db.execute(f"UPDATE {table} SET row = -1 - row")


class LazySequence(Sequence[T]):
    """A sequence of known length whose items are fetched when asked (SQLite rows; an incremental build's records)."""

    def __init__(self, length: int, item: Callable[[int], T]) -> None:
        self._length, self._item = length, item

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return self._item(index)


class _Rows(LazySequence[Any]):
    """A read-only sequence over one SQLite table, parsed when indexed and kept in a bounded cache."""

    def __init__(self, owner: SqliteRecords, table: str, key: str, count: int, parse: Any) -> None:
        self._owner = owner
        self._one = f"SELECT record FROM {table} WHERE {key} = ?"
        self._page = f"SELECT record FROM {table} WHERE {key} >= ? ORDER BY {key} LIMIT ?"
        self._parse = parse
        super().__init__(count, functools.lru_cache(maxsize=_CACHED_ROWS)(self._read))

    def _read(self, position: int) -> Any:
        found = self._owner.query(self._one, (position,))
        if not found:
            raise IndexError(position)
        return self._parse(json.loads(found[0][0]))

    def __iter__(self) -> Iterator[Any]:
        # Whole-table reads (`index chunks`, the Milvus publisher, builds) go a page at a time.
        page = 2_000
        for start in range(0, self._length, page):
            for (record,) in self._owner.query(self._page, (start, page)):
                yield self._parse(json.loads(record))


class SqliteRecords(Records):
    """Records read from an index version's SQLite file, row by row as they are asked for."""

    def __init__(self, path: Path, *, documents: int, passages: int) -> None:
        # immutable: a version folder is never written after its build, so SQLite need not lock or
        # look for a journal; one connection shared by the bot's worker threads, behind a lock.
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                   check_same_thread=False)
        # An engine is dropped, not closed, when the bot reloads a rebuilt index; the file closes with it
        # (Python 3.13 warns about a connection left to the garbage collector).
        weakref.finalize(self, self._db.close)
        self._lock = threading.Lock()
        summary = dict(self.query("SELECT key, value FROM summary", ()))
        self._summary = {key: json.loads(value) for key, value in summary.items()}
        self.documents: Sequence[Document] = _Rows(self, "documents", "ord", documents, document_record)
        self.chunks: Sequence[Chunk] = _Rows(self, "passages", "row", passages, chunk_record)
        self._about = functools.lru_cache(maxsize=1024)(self._rows_about)

    def query(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        """Rows of one SQL query, for this module's readers."""
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def count(self, table: str) -> int:
        """Rows in one of the tables (damage checks compare them with the manifest)."""
        return int(self.query(f"SELECT count(*) FROM {table}", ())[0][0])

    def close(self) -> None:
        """Close the SQLite file."""
        self._db.close()

    def doc_ids(self) -> set[str]:
        """The ids of every report stored (an incremental build checks its previous state against them)."""
        return {doc_id for (doc_id,) in self.query("SELECT doc_id FROM documents", ())}

    def passage_owners(self) -> list[tuple[int, str, str]]:
        """(row, doc_id, chunk_id) of every passage in row order, without reading the passages themselves."""
        return [(int(row), doc_id, chunk_id) for row, doc_id, chunk_id
                in self.query("SELECT row, doc_id, chunk_id FROM passages ORDER BY row", ())]

    def places_of(self, doc_ids: set[str], rows: npt.NDArray[np.bool_]) -> set[str]:
        """Places of the given reports and of the passages whose rows are True (what an incremental build keeps)."""
        places = {p for p, doc_id in self.query("SELECT place, doc_id FROM document_places", ()) if doc_id in doc_ids}
        places.update(p for p, row in self.query("SELECT place, row FROM passage_places", ()) if rows[row])
        return places

    def document(self, doc_id: str) -> Document | None:
        found = self.query("SELECT ord FROM documents WHERE doc_id = ?", (doc_id,))
        return self.documents[found[0][0]] if found else None

    def in_order(self, doc_ids: Iterable[str]) -> list[Document]:
        found = rows_where_in(self.query, "SELECT ord FROM documents WHERE doc_id IN ({marks})", sorted(set(doc_ids)))
        return [self.documents[o] for (o,) in sorted(found)]

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The passages of these rows, in that order, read in a few queries (a build reads thousands)."""
        found = dict(rows_where_in(self.query, "SELECT row, record FROM passages WHERE row IN ({marks})", rows))
        return [chunk_record(json.loads(found[r])) for r in rows]

    def row_of(self, chunk_id: str) -> int | None:
        found = self.query("SELECT row FROM passages WHERE chunk_id = ?", (chunk_id,))
        return int(found[0][0]) if found else None

    def rows_of(self, doc_id: str) -> list[int]:
        return [r for (r,) in self.query("SELECT row FROM passages WHERE doc_id = ? ORDER BY position", (doc_id,))]

    def _rows_about(self, place: str) -> npt.NDArray[np.int64]:
        rows = self.query("SELECT row FROM passage_places WHERE place = ? ORDER BY row", (place,))
        found = np.fromiter((r for (r,) in rows), dtype=np.int64, count=len(rows))
        found.setflags(write=False)
        return found

    def rows_about(self, place: str) -> npt.NDArray[np.int64]:
        return self._about(place)

    def documents_about(self, places: Iterable[str]) -> set[str]:
        wanted = sorted(set(places))
        marks = ",".join("?" * len(wanted))
        return {d for (d,) in self.query(f"SELECT doc_id FROM document_places WHERE place IN ({marks})", wanted)}

    def years_mentioned(self, years: Iterable[int], places: Sequence[str] = ()) -> frozenset[int]:
        asked = sorted(set(years))
        if not asked:
            return frozenset()
        wanted = sorted(set(places))
        sql = f"SELECT DISTINCT year FROM passage_years WHERE year IN ({','.join('?' * len(asked))})"
        if wanted:
            sql += (" AND row IN (SELECT row FROM passage_places"
                    f" WHERE place IN ({','.join('?' * len(wanted))}))")
        return frozenset(y for (y,) in self.query(sql, [*asked, *wanted]))

    def passage_years(self) -> Sequence[frozenset[int]]:
        years: list[set[int]] = [set() for _ in range(len(self.chunks))]
        for row, year in self.query("SELECT row, year FROM passage_years", ()):
            years[row].add(year)
        return [frozenset(y) for y in years]

    def covered_places(self) -> frozenset[str]:
        return frozenset(self._summary["places"])

    def place_counts(self) -> list[tuple[str, int]]:
        return [(place, int(n)) for place, n in self._summary["place_counts"]]

    def topics(self) -> list[str]:
        return list(self._summary["topics"])

    def place_digest(self, place: str) -> PlaceDigest | None:
        found = self.query("SELECT digest FROM place_digests WHERE place = ?", (place,))
        return digest_record(json.loads(found[0][0])) if found else None

    def place_reports(self, places: Sequence[str]) -> list[str]:
        wanted = sorted(set(places))
        marks = ",".join("?" * len(wanted))
        return [d for (d,) in self.query(
            f"""SELECT doc_id FROM documents WHERE doc_id IN (
                    SELECT doc_id FROM document_places WHERE place IN ({marks})
                    UNION SELECT p.doc_id FROM passage_places AS pp JOIN passages AS p ON p.row = pp.row
                          WHERE pp.place IN ({marks}))
                ORDER BY ord""", [*wanted, *wanted])]

    def practice_mentions(self, places: Sequence[str], *, about: bool) -> list[tuple[str, str]]:
        wanted = sorted(set(places))
        marks = ",".join("?" * len(wanted))
        if about:
            sql = f"""SELECT n.key, n.shown FROM passage_names AS n JOIN passages AS p ON p.row = n.row
                      JOIN documents AS d ON d.doc_id = p.doc_id
                      WHERE p.doc_id IN (SELECT doc_id FROM document_places WHERE place IN ({marks}))
                      ORDER BY d.ord, p.position, n.at"""
        else:
            sql = f"""SELECT key, shown FROM passage_names
                      WHERE row IN (SELECT row FROM passage_places WHERE place IN ({marks})) ORDER BY row, at"""
        return [(key, shown) for key, shown in self.query(sql, wanted)]

    def places_mentioned(self, places: Sequence[str], *, about: bool) -> set[str]:
        wanted = sorted(set(places))
        marks = ",".join("?" * len(wanted))
        if about:
            sql = f"""SELECT DISTINCT pp.place FROM passage_places AS pp JOIN passages AS p ON p.row = pp.row
                      WHERE p.doc_id IN (SELECT doc_id FROM document_places WHERE place IN ({marks}))"""
        else:
            sql = f"""SELECT DISTINCT place FROM passage_places
                      WHERE row IN (SELECT row FROM passage_places WHERE place IN ({marks}))"""
        return {place for (place,) in self.query(sql, wanted)}
