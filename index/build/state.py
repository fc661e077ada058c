"""What a build keeps for the next one, so adding a report costs that report: file digests, phrases, near-duplicates.

Stored in the version's passages.sqlite beside the records (tables sources, passage_state, dropped,
build_state). The next build re-reads only files whose digest changed, and takes every unchanged
report's documents, passages, MinHash bands and vectors from the version it replaces, and its
passages' keyword term counts from the keyword index (keywords/counts.npy, index/keywords/bm25.py).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.chunk.dedupe import BANDS
from index.store.passages import PARAMETERS_PER_QUERY, chunk_record, record_json, rows_where_in
from index.records import Chunk

SEPARATOR = "\x1f"  # between the phrases of one passage: folded text never holds it
# The folders whose code decides how a file becomes documents, passages and tokens, and this module:
# when any file in them changes, the next build reads every file again (a cached result would be one
# the code no longer gives). Folders, not a module list, so a module added to one is tracked too.
PIPELINE_FOLDERS = ("text", "places", "ingest", "chunk", "keywords")
INDEX_ROOT = Path(__file__).resolve().parents[1]


def pipeline_files() -> list[Path]:
    """The source files pipeline_key digests, in a stable order."""
    files = [f for folder in PIPELINE_FOLDERS for f in sorted((INDEX_ROOT / folder).rglob("*.py"))]
    return [*files, Path(__file__).resolve()]


def pipeline_key(*settings: object) -> str:
    """A digest of the reading code and of the settings that change its results (passage sizes, embedded text)."""
    digest = hashlib.sha256(json.dumps([str(s) for s in settings]).encode())
    for path in pipeline_files():
        digest.update(path.relative_to(INDEX_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Source:
    """One corpus file that gave reports: its digest (bytes and sidecar), the ids of its reports, its stat stamp."""

    path: str
    digest: str
    doc_ids: tuple[str, ...]
    stamp: str = ""  # ingest.source_stamp when the digest was taken: while equal, the digest is reused


@dataclass(frozen=True, slots=True)
class PassageState:
    """What the next build reuses of one indexed passage instead of working it out again."""

    phrases: tuple[str, ...]  # quoted phrases of its folded text: corpus terms the tokenizer keeps whole
    folded: str  # fold(index_text(passage)): checked for corpus terms added or removed since
    bands: bytes  # its MinHash band keys (dedupe.band_keys), for near-duplicates among later reports


STATE_ROW_TABLES = ("passage_state",)  # the state's tables keyed by passage row


@dataclass(slots=True)
class BuildState:
    """The state written with an index version: per file, per passage row, and passages dropped as near-duplicates."""

    pipeline: str
    sources: list[Source]
    passages: Sequence[PassageState]  # in row order (in an update: of the added rows)
    dropped: list[tuple[Chunk, str]] = field(default_factory=list)  # (dropped passage, chunk_id of its keeper)
    row_tables: ClassVar[tuple[str, ...]] = STATE_ROW_TABLES

    def write(self, db: sqlite3.Connection) -> None:
        """The store's hook for a new version's SQLite file."""
        write_state(db, self)

    def update(self, db: sqlite3.Connection, kept_rows: int) -> None:
        """The store's hook for an incremental version's copied SQLite file."""
        update_state(db, self, kept_rows)


def write_state(db: sqlite3.Connection, state: BuildState) -> None:
    """Write the state's tables into a version's SQLite file (inside write_records' transaction)."""
    db.executescript(
        """
        CREATE TABLE build_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources (ord INTEGER PRIMARY KEY, path TEXT NOT NULL, digest TEXT NOT NULL,
                              doc_ids TEXT NOT NULL, stamp TEXT NOT NULL);
        CREATE TABLE passage_state (row INTEGER PRIMARY KEY, phrases TEXT NOT NULL, folded TEXT NOT NULL,
                                    bands BLOB NOT NULL);
        CREATE TABLE dropped (ord INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, kept_as TEXT NOT NULL,
                              record TEXT NOT NULL);
        """
    )
    db.execute("INSERT INTO build_state VALUES ('pipeline', ?)", (state.pipeline,))
    _insert_sources(db, state.sources)
    _insert_passages(db, state.passages, first_row=0)
    _insert_dropped(db, state.dropped, first_ord=0)


def _insert_sources(db: sqlite3.Connection, sources: Sequence[Source]) -> None:
    db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?)",
                   ((i, s.path, s.digest, json.dumps(s.doc_ids, ensure_ascii=False), s.stamp)
                    for i, s in enumerate(sources)))


def _insert_passages(db: sqlite3.Connection, passages: Sequence[PassageState], *, first_row: int) -> None:
    db.executemany("INSERT INTO passage_state VALUES (?, ?, ?, ?)",
                   ((row, SEPARATOR.join(p.phrases), p.folded, p.bands) for row, p in enumerate(passages, first_row)))


def _insert_dropped(db: sqlite3.Connection, dropped: Sequence[tuple[Chunk, str]], *, first_ord: int) -> None:
    db.executemany("INSERT INTO dropped VALUES (?, ?, ?, ?)",
                   ((i, c.doc_id, kept_as, record_json(c)) for i, (c, kept_as) in enumerate(dropped, first_ord)))


def update_state(db: sqlite3.Connection, state: BuildState, kept_rows: int) -> None:
    """Change a copied version's state tables into this build's (inside update_records' transaction).

    state holds every source, the added rows' passages and the newly dropped passages. Dropped
    passages stay while their report and their keeper do (the table passages holds the kept rows
    alone when this runs; the temporary table kept_documents the kept reports).
    """
    db.execute("UPDATE build_state SET value = ? WHERE key = 'pipeline'", (state.pipeline,))
    db.execute("DELETE FROM sources")
    _insert_sources(db, state.sources)
    _insert_passages(db, state.passages, first_row=kept_rows)
    db.execute("DELETE FROM dropped WHERE doc_id NOT IN (SELECT doc_id FROM kept_documents)"
               " OR kept_as NOT IN (SELECT chunk_id FROM passages)")
    first = db.execute("SELECT coalesce(max(ord), -1) + 1 FROM dropped").fetchone()[0]
    _insert_dropped(db, state.dropped, first_ord=first)


@dataclass(slots=True)
class PreviousState:
    """The state of the version a build replaces, read from its SQLite file as the build asks."""

    pipeline: str
    sources: dict[str, Source]
    dropped: list[tuple[int, str, str]]  # (ord, doc_id of the dropped passage, chunk_id of its keeper)
    _db: sqlite3.Connection

    def dropped_chunks(self, ords: Sequence[int]) -> list[Chunk]:
        """The dropped passages with these ords, in that order."""
        found = dict(rows_where_in(lambda sql, part: self._db.execute(sql, part).fetchall(),
                                   "SELECT ord, record FROM dropped WHERE ord IN ({marks})", ords))
        return [chunk_record(json.loads(found[o])) for o in ords]

    def bands(self, rows: Sequence[int]) -> npt.NDArray[np.uint64]:
        """The MinHash band keys of these rows (ascending) as one (len, BANDS) array."""
        blobs = [b for (b,) in self._db.execute("SELECT bands FROM passage_state ORDER BY row")]
        every = np.frombuffer(b"".join(blobs), dtype=np.uint64).reshape(len(blobs), BANDS)
        return every[np.asarray(rows, dtype=np.int64)]

    def phrases(self, rows: Sequence[int]) -> list[str]:
        """The quoted phrases of these rows' passages (each passage's once)."""
        wanted = set(rows)
        return [p for row, joined in self._db.execute("SELECT row, phrases FROM passage_state WHERE phrases != ''")
                if row in wanted for p in _split(joined)]

    def holding(self, terms: set[str], rows: Sequence[int]) -> dict[int, str]:
        """Folded text of the passages among rows that hold one of the terms, by position in rows."""
        position = {row: i for i, row in enumerate(rows)}
        found: dict[int, str] = {}
        ordered = sorted(terms)
        for start in range(0, len(ordered), PARAMETERS_PER_QUERY):
            part = ordered[start:start + PARAMETERS_PER_QUERY]
            where = " OR ".join("instr(folded, ?) > 0" for _ in part)
            for row, folded in self._db.execute(f"SELECT row, folded FROM passage_state WHERE {where}", part):
                if row in position:
                    found[position[row]] = folded
        return dict(sorted(found.items()))

    def close(self) -> None:
        """Close the SQLite file."""
        self._db.close()


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(SEPARATOR)) if joined else ()


def read_state(path: Path) -> PreviousState | None:
    """The build state in a version's SQLite file, or None when it holds none (written by a benchmark)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        pipeline = db.execute("SELECT value FROM build_state WHERE key = 'pipeline'").fetchone()
    except sqlite3.OperationalError:  # no such table
        db.close()
        return None
    sources = {path: Source(path, digest, tuple(json.loads(ids)), stamp) for path, digest, ids, stamp
               in db.execute("SELECT path, digest, doc_ids, stamp FROM sources ORDER BY ord")}
    dropped = db.execute("SELECT ord, doc_id, kept_as FROM dropped ORDER BY ord").fetchall()
    return PreviousState(pipeline[0] if pipeline else "", sources, dropped, db)
