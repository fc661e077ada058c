"""Each reader's notebook of saved passages, kept on disk with its own copy of each quote so it survives
restarts, rebuilds and edits of the reports."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal

from bot.readers.state import JsonStateFile
from index.records import Chunk, Document

logger = logging.getLogger(__name__)

# A notebook holds the quotes for a piece of writing; 200 is several chapters' worth, and keeps one
# reader's entry in the file (about 1 KB a passage with its copy and report details) small.
MAX_SAVED = 200

Outcome = Literal["saved", "saved_in_memory", "already_saved", "notebook_full"]


def passage_digest(text: str) -> str:
    """A passage's content hash (hex): the same text always gives the same digest, any change another."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved passage: which one, the question it answered, the day it was saved (the access date), and
    the copy of the passage and its report as they were then ({} in notebooks written before copies)."""

    chunk_id: str
    question: str = ""
    saved_on: str = ""  # ISO date
    digest: str = ""  # passage_digest of the saved text
    chunk: dict[str, Any] = dataclasses.field(default_factory=dict)
    document: dict[str, Any] = dataclasses.field(default_factory=dict)


def saved_copy(chunk: Chunk, document: Document, *, question: str, saved_on: str) -> Saved:
    """The notebook entry for a passage: its text and its report's details (not the report's full text)."""
    return Saved(chunk.chunk_id, question, saved_on, passage_digest(chunk.text), _plain(chunk),
                 _plain(dataclasses.replace(document, text="")))


def _plain(record: Chunk | Document) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def saved_chunk(entry: Saved) -> Chunk | None:
    """The passage as it was saved, or None for an entry without a copy (or an unreadable one)."""
    found: Chunk | None = _record(Chunk, entry.chunk)
    return found


def saved_document(entry: Saved) -> Document | None:
    """The report's details as they were when the passage was saved, or None without a copy."""
    found: Document | None = _record(Document, entry.document)
    return found


def _record(kind: type[Any], values: dict[str, Any]) -> Any:
    if not values:
        return None
    known = {f.name: f for f in fields(kind)}
    try:
        # JSON turns tuples into lists; records hold tuples so they stay hashable and comparable.
        return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known})
    except TypeError:
        return None


class NotebookStore:
    """Saved passages per user in one JSON file, rewritten atomically on each change (None: memory only)."""

    def __init__(self, path: Path | None) -> None:
        self._file = JsonStateFile(path, "notebooks")
        self._lock = threading.Lock()
        self._books: dict[str, list[Saved]] = {}
        try:
            table = self._file.read() or {}
            known = {f.name for f in fields(Saved)}
            self._books = {str(user): [Saved(**{k: v for k, v in entry.items() if k in known}) for entry in entries]
                           for user, entries in table.items()}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            self._file.set_aside(error)  # never overwrite a notebook that could not be read

    @property
    def unsaved(self) -> bool:
        """True while changes wait in memory for the disk to take them."""
        return self._file.unsaved

    def entries(self, user: str) -> list[Saved]:
        """A user's saved passages, oldest first."""
        with self._lock:
            return list(self._books.get(user, []))

    def add(self, user: str, entry: Saved) -> Outcome:
        """Save a passage: "saved", "saved_in_memory" (the disk refused it; retried at the next change),
        "already_saved" or "notebook_full"."""
        with self._lock:
            book = self._books.setdefault(user, [])
            if any(saved.chunk_id == entry.chunk_id and saved.digest == entry.digest for saved in book):
                # Tapping "save" again retries a write the disk refused earlier.
                return "already_saved" if not self._file.unsaved or self._save() else "saved_in_memory"
            if len(book) >= MAX_SAVED:
                return "notebook_full"
            book.append(entry)
            return "saved" if self._save() else "saved_in_memory"

    def remove(self, user: str, chunk_id: str) -> bool:
        """Take one passage out of a user's notebook; False when it was not there."""
        with self._lock:
            book = self._books.get(user, [])
            kept = [saved for saved in book if saved.chunk_id != chunk_id]
            if len(kept) == len(book):
                return False
            self._books[user] = kept
            self._save()
            return True

    def clear(self, user: str) -> int:
        """Empty a user's notebook; returns how many passages it held."""
        with self._lock:
            removed = len(self._books.pop(user, []))
            if removed or self._file.unsaved:
                self._save()
            return removed

    def _save(self) -> bool:
        return self._file.write({user: [asdict(s) for s in book] for user, book in self._books.items() if book})
