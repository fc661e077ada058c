"""Each reader's notebook of saved passages, kept on disk so it survives restarts."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.readers.state import JsonStateFile

# A notebook holds the quotes for a piece of writing; 200 is several chapters' worth, and keeps one
# reader's entry in the file (about 100 bytes a passage) small.
MAX_SAVED = 200


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved passage: which one, the question it answered, and the day it was saved (the access date)."""

    chunk_id: str
    question: str = ""
    saved_on: str = ""  # ISO date


class NotebookStore:
    """Saved passages per user in one JSON file, rewritten atomically on each change (None: memory only)."""

    def __init__(self, path: Path | None) -> None:
        self._file = JsonStateFile(path, "notebooks")
        self._lock = threading.Lock()
        self._books: dict[str, list[Saved]] = {}
        try:
            table = self._file.read() or {}
            self._books = {str(user): [Saved(**entry) for entry in entries] for user, entries in table.items()}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            self._file.set_aside(error)  # never overwrite a notebook that could not be read

    def entries(self, user: str) -> list[Saved]:
        """A user's saved passages, oldest first."""
        with self._lock:
            return list(self._books.get(user, []))

    def add(self, user: str, entry: Saved) -> bool:
        """Save a passage; False when it was already in the notebook or the notebook is full."""
        with self._lock:
            book = self._books.setdefault(user, [])
            if any(saved.chunk_id == entry.chunk_id for saved in book) or len(book) >= MAX_SAVED:
                return False
            book.append(entry)
            self._save()
            return True

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
            if removed:
                self._save()
            return removed

    def _save(self) -> None:
        self._file.write({user: [asdict(s) for s in book] for user, book in self._books.items() if book})
