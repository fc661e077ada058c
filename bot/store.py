"""Questions behind "more results" buttons, kept on disk so the buttons still work after a restart."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path

from bot.query import Query

logger = logging.getLogger(__name__)


def question_key(query: Query) -> str:
    """A short stable key for a query: the same question and place always get the same key."""
    digest = hashlib.sha256(f"{query.place or ''}\n{query.question}".encode()).hexdigest()
    return digest[:12]  # 48 bits: collisions are negligible for one bot's questions


class QuestionStore:
    """Maps keys in callback data back to queries; appends each new query to a JSON-lines file."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._queries: dict[str, Query] = {}
        self._lock = threading.Lock()
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    item = json.loads(line)
                    self._queries[item["key"]] = Query(item["question"], item.get("place"))
                except (ValueError, KeyError, TypeError):
                    logger.warning("skipping a damaged line in %s", path)

    def remember(self, query: Query) -> str:
        """The key for a query, recording it first if it is new."""
        key = question_key(query)
        with self._lock:
            if key not in self._queries:
                self._queries[key] = query
                if self._path is not None:
                    self._path.parent.mkdir(parents=True, exist_ok=True)
                    record = {"key": key, "question": query.question, "place": query.place}
                    with self._path.open("a", encoding="utf-8") as file:
                        file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return key

    def recall(self, key: str) -> Query | None:
        """The query stored under key, or None if this store never saw it."""
        return self._queries.get(key)
