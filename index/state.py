"""What a build keeps for the next one, so adding a report costs that report: file digests, phrases, near-duplicates.

Stored in the version's passages.sqlite beside the records (tables sources, passage_state, dropped,
build_state). The next build re-reads only files whose digest changed, and takes every unchanged
report's documents, passages, MinHash bands and vectors from the version it replaces, and its
passages' keyword term counts from the keyword index (keywords/counts.npy, index/bm25.py).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.passages import chunk_record, record_json
from index.records import Chunk

SEPARATOR = "\x1f"  # between the phrases of one passage: folded text never holds it
# The modules whose code decides how a file becomes documents, passages and tokens: when any of them
# changes, the next build reads every file again (a cached result would be one the code no longer gives).
PIPELINE_MODULES = (
    "ingest.py", "encoding.py", "webpage.py", "formats.py", "clean.py", "furniture.py", "meta.py", "places.py",
    "chunk.py", "chinese.py", "dedupe.py", "keyword.py", "bm25.py", "glossary.py", "state.py",
)


def pipeline_key(*settings: object) -> str:
    """A digest of the reading code and of the settings that change its results (passage sizes, embedded text)."""
    digest = hashlib.sha256(json.dumps([str(s) for s in settings]).encode())
    here = Path(__file__).parent
    for name in PIPELINE_MODULES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Source:
    """One corpus file that gave reports: its digest (bytes and sidecar) and the ids of its reports."""

    path: str
    digest: str
    doc_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PassageState:
    """What the next build reuses of one indexed passage instead of working it out again."""

    phrases: tuple[str, ...]  # quoted phrases of its folded text: corpus terms the tokenizer keeps whole
    folded: str  # fold(index_text(passage)): checked for corpus terms added or removed since
    bands: bytes  # its MinHash band keys (dedupe.band_keys), for near-duplicates among later reports


@dataclass(slots=True)
class BuildState:
    """The state written with an index version: per file, per passage row, and passages dropped as near-duplicates."""

    pipeline: str
    sources: list[Source]
    passages: Sequence[PassageState]  # in row order
    dropped: list[tuple[Chunk, str]] = field(default_factory=list)  # (dropped passage, chunk_id of its keeper)


def write_state(db: sqlite3.Connection, state: BuildState) -> None:
    """Write the state's tables into a version's SQLite file (inside write_records' transaction)."""
    db.executescript(
        """
        CREATE TABLE build_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources (ord INTEGER PRIMARY KEY, path TEXT NOT NULL, digest TEXT NOT NULL,
                              doc_ids TEXT NOT NULL);
        CREATE TABLE passage_state (row INTEGER PRIMARY KEY, phrases TEXT NOT NULL, folded TEXT NOT NULL,
                                    bands BLOB NOT NULL);
        CREATE TABLE dropped (ord INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, kept_as TEXT NOT NULL,
                              record TEXT NOT NULL);
        """
    )
    db.execute("INSERT INTO build_state VALUES ('pipeline', ?)", (state.pipeline,))
    db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?)",
                   ((i, s.path, s.digest, json.dumps(s.doc_ids, ensure_ascii=False))
                    for i, s in enumerate(state.sources)))
    db.executemany("INSERT INTO passage_state VALUES (?, ?, ?, ?)",
                   ((row, SEPARATOR.join(p.phrases), p.folded, p.bands)
                    for row, p in enumerate(state.passages)))
    db.executemany("INSERT INTO dropped VALUES (?, ?, ?, ?)",
                   ((i, c.doc_id, kept_as, record_json(c))
                    for i, (c, kept_as) in enumerate(state.dropped)))


@dataclass(slots=True)
class PreviousState:
    """The state of the version a build replaces, read from its SQLite file."""

    pipeline: str
    sources: dict[str, Source]
    dropped: list[tuple[Chunk, str]]
    _db: sqlite3.Connection

    def passages(self, rows: Iterable[int]) -> list[PassageState]:
        """The stored state of these rows, in the order given."""
        wanted = list(rows)
        found: dict[int, PassageState] = {}
        for row, phrases, folded, bands in self._db.execute("SELECT row, phrases, folded, bands FROM passage_state"):
            found[row] = PassageState(_split(phrases), folded, bands)
        return [found[r] for r in wanted]

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
    sources = {path: Source(path, digest, tuple(json.loads(ids)))
               for path, digest, ids in db.execute("SELECT path, digest, doc_ids FROM sources ORDER BY ord")}
    dropped = [(chunk_record(json.loads(record)), kept_as)
               for record, kept_as in db.execute("SELECT record, kept_as FROM dropped ORDER BY ord")]
    return PreviousState(pipeline[0] if pipeline else "", sources, dropped, db)


def bands_array(passages: Sequence[PassageState], width: int) -> npt.NDArray[np.uint64]:
    """The MinHash band keys of passages as one (len, width) array."""
    if not passages:
        return np.zeros((0, width), dtype=np.uint64)
    return np.frombuffer(b"".join(p.bands for p in passages), dtype=np.uint64).reshape(len(passages), width)
