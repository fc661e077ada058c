"""Questions behind "more results" buttons, kept on disk so the buttons still work after a restart."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from pathlib import Path

from bot.query import Query

logger = logging.getLogger(__name__)


def question_key(query: Query) -> str:
    """A short stable key for a query: the same question and place always get the same key."""
    digest = hashlib.sha256(f"{query.place or ''}\n{query.question}".encode()).hexdigest()
    return digest[:12]  # 48 bits: collisions are negligible for one bot's questions


class QuestionStore:
    """Maps keys in callback data back to queries; appends each new query to a JSON-lines file.

    Only the newest max_entries queries are kept (buttons of older answers say they expired), and the
    file is rewritten with just those once it holds twice as many lines, so it never grows unbounded.
    """

    def __init__(self, path: Path | None, *, max_entries: int = 10_000) -> None:
        self._path = path
        self._max = max_entries
        self._queries: OrderedDict[str, Query] = OrderedDict()
        self._lines = 0
        self._lock = threading.Lock()
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                self._lines += 1
                try:
                    item = json.loads(line)
                    self._keep(item["key"], Query(item["question"], item.get("place")))
                except (ValueError, KeyError, TypeError):
                    logger.warning("skipping a damaged line in %s", path)

    def _keep(self, key: str, query: Query) -> None:
        self._queries[key] = query
        self._queries.move_to_end(key)
        while len(self._queries) > self._max:
            self._queries.popitem(last=False)

    @staticmethod
    def _record(key: str, query: Query) -> str:
        return json.dumps({"key": key, "question": query.question, "place": query.place}, ensure_ascii=False)

    def remember(self, query: Query) -> str:
        """The key for a query, recording it first if it is new."""
        key = question_key(query)
        with self._lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                return key
            self._keep(key, query)
            if self._path is None:
                return key
            self._path.parent.mkdir(parents=True, exist_ok=True)
            if self._lines + 1 > 2 * self._max:
                kept = "".join(self._record(k, q) + "\n" for k, q in self._queries.items())
                self._path.write_text(kept, encoding="utf-8")
                self._lines = len(self._queries)
            else:
                with self._path.open("a", encoding="utf-8") as file:
                    file.write(self._record(key, query) + "\n")
                self._lines += 1
        return key

    def recall(self, key: str) -> Query | None:
        """The query stored under key, or None if this store never saw it."""
        return self._queries.get(key)
