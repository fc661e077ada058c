"""The index folder on disk: one complete version at a time, switched atomically, checked at load.

Layout (format 4):
    CURRENT              name of the version folder in use; replaced in one rename by a build
    .lock                held by the build writing this folder (flock), with its pid
    v-<time>-<pid>/      one version:
        manifest.json      format version, model and dimension, counts, skipped files, size and
                           SHA-256 of every other file
        passages.sqlite    reports (with their cleaned text, for surrounding context) and passages,
                           in row order of the vector and keyword indexes, read on demand
                           (passages.py); the rows about each place and the years each passage
                           mentions; each covered place's digest (format 4); the build's own state
                           for the next build (state.py)
        vectors/           FAISS index (vector.py)
        keywords/          BM25 matrices and corpus terms (keyword.py)
A build writes a new version folder and then points CURRENT at it, so a crash at any moment leaves
CURRENT naming a complete version. Readers resolve CURRENT once and read that folder only; the
version before the current one is kept for readers still loading it, older ones are removed.

Loading checks every file's size, and the SHA-256 of every file up to HASH_AT_LOAD_BYTES; bigger
files (the vectors and passages of a large corpus) are hashed in full by check_index(full=True),
which `python -m bot check` runs: hashing gigabytes would make every start-up as slow as reading them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from index.errors import IndexBusyError, IndexDamagedError, IndexMismatchError, IndexMissingError
from index.keywords.keyword_index import KeywordIndex
from index.store.passages import (
    PASSAGES_FILE, MemoryRecords, Records, RecordsUpdate, SqliteRecords, update_records, write_records,
)
from index.records import Chunk, Document
from index.store.vectors import VectorIndex

FORMAT_VERSION = 5  # 4: place_digests in passages.sqlite; 5: a digest holds a report count and the first reports
# Files up to this size are hashed at every load (SHA-256 runs at about 1 GB/s here, so 0.06 s each);
# larger ones only by size, and in full by check_index(full=True).
HASH_AT_LOAD_BYTES = 64 * 2**20
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = ".lock"
REBUILD = "`reports-qa build`"  # the console script; `python -m index build` is the same command
_VERSION_NAME = re.compile(r"^v-[0-9TZ]+-[0-9]+$")
_LEGACY_FILES = (MANIFEST, "documents.jsonl", "chunks.jsonl", "vectors", "keywords")  # format 1, unversioned
_PARSE_ERRORS = (OSError, ValueError, KeyError, TypeError, RuntimeError, EOFError, IndexError, sqlite3.DatabaseError)


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an index folder holds and how it was built."""

    model: str
    dimension: int
    documents: int
    passages: int
    vector_index: str
    built_at: str
    skipped: list[dict[str, str]] = field(default_factory=list)
    duplicates_dropped: int = 0
    embedded_text: str = ""  # how a passage became the text that was embedded; vectors are reused only if equal
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {"bytes": n, "sha256": hex}
    runtime: str = ""  # what embedded the passages ("onnx", "torch"); "" in indexes older than issue 8
    precision: str = ""  # their weights ("int8", "float32", "float16", "bfloat16"); questions must match
    format_version: int = FORMAT_VERSION


class SideTables(Protocol):
    """Tables another stage keeps in a version's SQLite file (the build's state), written in the records' transaction."""

    @property
    def row_tables(self) -> tuple[str, ...]: ...  # its tables keyed by passage row: renumbered in an update

    def write(self, db: sqlite3.Connection) -> None: ...  # into a new file

    def update(self, db: sqlite3.Connection, kept_rows: int) -> None: ...  # into a changed copy of the previous


@dataclass(slots=True)
class StoredIndex:
    """Everything an index folder holds: what a build writes (lists) or a load reads (on demand)."""

    manifest: Manifest
    documents: Sequence[Document]
    chunks: Sequence[Chunk]
    vectors: VectorIndex
    keywords: KeywordIndex
    records: Records = field(default=None)  # type: ignore[assignment]  # lookups; MemoryRecords of the lists if None
    state: SideTables | None = None  # what the next build reuses (the build's state); written beside the passages
    update: RecordsUpdate | None = None  # records and state as changes to the previous version's (incremental)

    def __post_init__(self) -> None:
        if self.records is None and self.update is None:
            self.records = MemoryRecords(self.documents, self.chunks)


def damaged(folder: Path, problem: str) -> IndexDamagedError:
    """The one-line error for a damaged index: what is wrong and the command that fixes it."""
    return IndexDamagedError(
        f"{folder} 的索引已损坏（{problem}），请运行 {REBUILD} 重建索引。"
        f"The index is damaged ({problem}); run {REBUILD} to rebuild it."
    )


_held: dict[Path, int] = {}  # lock files this process holds, with their nesting depth


@contextlib.contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """Holds the index folder's build lock; a second build gets IndexBusyError naming the first one's pid."""
    folder = folder.resolve()
    if folder in _held:  # build_index holds it and calls save_index, which takes it again
        _held[folder] += 1
        try:
            yield
        finally:
            _held[folder] -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip() or "?"
            raise IndexBusyError(
                f"另一个建索引的进程（pid {holder}）正在写入 {folder}，请等它结束后再运行。"
                f"Another build (pid {holder}) is writing this index; wait for it to finish."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _held[folder] = 1
        try:
            yield
        finally:
            del _held[folder]
    finally:
        os.close(fd)  # closing releases the flock; a killed build's lock goes with its process


def current_version(folder: Path) -> Path:
    """The folder holding the index now in use (CURRENT's version, or a format-1 folder itself)."""
    pointer = folder / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if (folder / MANIFEST).is_file():
            return folder  # format 1: read_manifest reports its version and the command to rebuild
        raise IndexMissingError(
            f"在 {folder} 没有找到索引。请先运行 `make run` 或 {REBUILD} 建立索引。"
            f"No index at {folder}: run {REBUILD} first."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise damaged(folder, f"{CURRENT} unreadable: {type(error).__name__}") from error
    if not _VERSION_NAME.match(name) or not (folder / name).is_dir():
        raise damaged(folder, f"{CURRENT} names a missing version {name[:40]!r}")
    return folder / name


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _file_list(version: Path) -> Iterator[Path]:
    for path in sorted(version.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            yield path


def _checksum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _write_version(version: Path, stored: StoredIndex) -> None:
    state, update = stored.state, stored.update
    if update is not None:  # a copy of the previous file, changed: the kept rows are not written again
        assert state is not None, "an incremental build writes its state"
        update_records(version / PASSAGES_FILE, update, extra=lambda db: state.update(db, len(update.kept_rows)),
                       row_tables=state.row_tables)
    else:
        write_records(version / PASSAGES_FILE, stored.records, extra=state.write if state is not None else None)
    stored.vectors.save(version / "vectors")
    stored.keywords.save(version / "keywords")
    files = {}
    for path in _file_list(version):
        _fsync(path)
        files[path.relative_to(version).as_posix()] = _checksum(path)
    manifest = dataclasses.replace(stored.manifest, files=files, format_version=FORMAT_VERSION)
    # The manifest goes last: a folder without one is never mistaken for an index.
    (version / MANIFEST).write_text(json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=2),
                                    encoding="utf-8")
    _fsync(version / MANIFEST)
    for sub in {version, *(p.parent for p in version.rglob("*"))}:
        _fsync(sub, directory=True)


def save_index(folder: Path, stored: StoredIndex, *, step: Callable[[str], None] | None = None,
               publish: Callable[[str, StoredIndex], None] | None = None) -> None:
    """Write a new version of the index folder and switch to it atomically; the old one serves until then.

    step(name) is called after each file-system step of the switch (tests stop the process there);
    publish(version name, stored), if given, stores the version elsewhere too (a Milvus collection)
    before the switch, so CURRENT never names a version that is not there.
    """
    folder = folder.resolve()
    mark = step or (lambda name: None)
    with build_lock(folder):
        try:
            previous: Path | None = current_version(folder)
        except (IndexMissingError, IndexDamagedError):
            previous = None
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        version = folder / f"v-{stamp}{time.time_ns() % 1_000_000_000:09d}Z-{os.getpid()}"
        version.mkdir()
        mark("version folder made")
        try:
            _write_version(version, stored)
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        mark("version written")
        if publish is not None:
            try:
                publish(version.name, stored)
            except BaseException:
                shutil.rmtree(version, ignore_errors=True)
                raise
            mark("version published")
        pointer = folder / f"{CURRENT}.tmp-{os.getpid()}"
        pointer.write_text(version.name + "\n", encoding="utf-8")
        _fsync(pointer)
        mark("pointer written")
        os.replace(pointer, folder / CURRENT)  # the switch: one rename, atomic on POSIX file systems
        mark("pointer switched")
        _fsync(folder, directory=True)
        mark("folder synced")
        remove_leftovers(folder, keep={version.name, previous.name if previous and previous != folder else ""},
                         step=mark)


def remove_leftovers(folder: Path, *, keep: set[str], step: Callable[[str], None] | None = None) -> list[str]:
    """Delete what crashed or superseded builds left in folder (call under build_lock); returns the names."""
    mark = step or (lambda name: None)
    removed = []
    for entry in sorted(folder.iterdir()):
        stale_version = _VERSION_NAME.match(entry.name) and entry.name not in keep
        stale_pointer = entry.name.startswith(f"{CURRENT}.tmp-")
        legacy = entry.name in _LEGACY_FILES and (folder / CURRENT).is_file()
        if not (stale_version or stale_pointer or legacy):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
        mark(f"removed {entry.name}")
    # Format 1 built beside the folder and renamed twice; a crash left these behind.
    for sibling in folder.parent.glob(f".{folder.name}.*-*"):
        if re.fullmatch(rf"\.{re.escape(folder.name)}\.(?:building|old)-\d+", sibling.name):
            shutil.rmtree(sibling, ignore_errors=True)
            removed.append(sibling.name)
    return removed


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the index in use, or a QaError saying what is wrong and what to run."""
    return _manifest(current_version(folder), folder)


def _manifest(version: Path, folder: Path) -> Manifest:
    try:
        data = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise damaged(folder, f"{MANIFEST} missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise damaged(folder, f"{MANIFEST} unreadable: {type(error).__name__}") from error
    if not isinstance(data, dict):
        raise damaged(folder, f"{MANIFEST} is not a JSON object")
    if data.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{folder} 的索引格式版本为 {data.get('format_version')}，本程序需要 {FORMAT_VERSION}。"
            f"请运行 {REBUILD} 重建索引。The index format is outdated; run {REBUILD}."
        )
    try:
        return Manifest(**data)
    except TypeError as error:
        raise damaged(folder, f"{MANIFEST} fields: {error}") from error


def verify_files(version: Path, manifest: Manifest, folder: Path, *, full: bool = True) -> None:
    """Raise IndexDamagedError naming the first index file that is missing, extra or not as it was written.

    full=False hashes only files up to HASH_AT_LOAD_BYTES and checks the rest by size (start-up).
    """
    if not manifest.files:
        raise damaged(folder, f"{MANIFEST} lists no files")
    present = {p.relative_to(version).as_posix() for p in _file_list(version)}
    for name, expected in sorted(manifest.files.items()):
        if name not in present:
            raise damaged(folder, f"{name} missing")
        path = version / name
        if path.stat().st_size != expected.get("bytes"):
            raise damaged(folder, f"{name} has {path.stat().st_size} bytes, {expected.get('bytes')} were written")
        if (full or path.stat().st_size <= HASH_AT_LOAD_BYTES) and _checksum(path)["sha256"] != expected.get("sha256"):
            raise damaged(folder, f"{name} changed since it was written (checksum)")


def _parsed(folder: Path, name: str, read: Callable[[], Any]) -> Any:
    """read() with any parse failure turned into the one-line damaged-index error naming the file."""
    try:
        return read()
    except IndexDamagedError:
        raise
    except _PARSE_ERRORS as error:
        raise damaged(folder, f"{name} unreadable: {type(error).__name__}") from error


def _checked(folder: Path, *, model: str | None = None, full: bool = False) -> tuple[Path, Manifest]:
    version = current_version(folder)
    manifest = _manifest(version, folder)
    if model is not None and manifest.model != model:
        raise IndexMismatchError(
            f"索引是用模型 {manifest.model} 建立的，而当前设置的模型是 {model}。"
            f"请运行 {REBUILD} 用当前模型重建索引，或把 embedding_model 改回原来的模型。"
        )
    verify_files(version, manifest, folder, full=full)
    return version, manifest


def check_index(folder: Path, *, model: str | None = None, full: bool = False) -> Manifest:
    """The manifest of the index in use once its files are verified (every byte when full); before a slow model load."""
    return _checked(folder, model=model, full=full)[1]


def _records(folder: Path, version: Path, manifest: Manifest) -> SqliteRecords:
    def read() -> SqliteRecords:
        records = SqliteRecords(version / PASSAGES_FILE, documents=manifest.documents, passages=manifest.passages)
        counts = records.count("documents"), records.count("passages")
        if counts != (manifest.documents, manifest.passages):
            records.close()
            raise damaged(folder, f"{PASSAGES_FILE} holds {counts[0]} reports and {counts[1]} passages, "
                                  f"the manifest {manifest.documents} and {manifest.passages}")
        return records

    found: SqliteRecords = _parsed(folder, PASSAGES_FILE, read)
    return found


def read_records(folder: Path) -> SqliteRecords:
    """The reports and passages of an index folder, read on demand, without loading its search indexes."""
    version, manifest = _checked(folder)
    return _records(folder, version, manifest)


def read_documents(folder: Path) -> Sequence[Document]:
    """The reports of an index folder, in corpus order, read on demand."""
    return read_records(folder).documents


def read_chunks(folder: Path) -> Sequence[Chunk]:
    """The passages of an index folder, in row order, read on demand."""
    return read_records(folder).chunks


def _vectors(folder: Path, version: Path, manifest: Manifest) -> VectorIndex:
    vectors: VectorIndex = _parsed(folder, "vectors", lambda: VectorIndex.load(version / "vectors"))
    if len(vectors) != manifest.passages or vectors.dimension != manifest.dimension:
        raise damaged(folder, f"{len(vectors)} vectors of dimension {vectors.dimension} "
                              f"for {manifest.passages} passages")
    return vectors


def load_for_rebuild(folder: Path, *, model: str) -> tuple[Manifest, SqliteRecords, VectorIndex, list[str]]:
    """What a build reuses of the index in use: manifest, records, vectors and corpus terms (no keyword index)."""
    version, manifest = _checked(folder, model=model)
    records = _records(folder, version, manifest)
    vectors = _vectors(folder, version, manifest)
    words: list[str] = _parsed(folder, "keywords/words.json", lambda: KeywordIndex.read_words(version / "keywords"))
    return manifest, records, vectors, words


def load_index(folder: Path, *, model: str | None = None) -> StoredIndex:
    """Load the index in use, its files checked; with model given, refuse an index built with another model.

    Passages and reports stay on disk (SqliteRecords) and are read as they are asked for.
    """
    version, manifest = _checked(folder, model=model)
    records = _records(folder, version, manifest)
    vectors = _vectors(folder, version, manifest)
    keywords: KeywordIndex = _parsed(folder, "keywords", lambda: KeywordIndex.load(version / "keywords"))
    return StoredIndex(manifest, records.documents, records.chunks, vectors, keywords, records)


def kept_versions(folder: Path) -> list[str]:
    """Names of the version folders on disk (the one in use and the one before it, after a build)."""
    return sorted(p.name for p in folder.iterdir() if _VERSION_NAME.match(p.name) and p.is_dir())


def index_version(folder: Path) -> str:
    """A name that changes whenever a build switches the index in use ("" when there is none); for reloads."""
    try:
        return (folder / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
