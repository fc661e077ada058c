"""Questions behind "more results" buttons, kept on disk so the buttons still work after a restart."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from bot.readers.state import append_private, write_private
from bot.replies.query import Query

logger = logging.getLogger(__name__)

DAY_S = 24 * 3600


def question_key(query: Query, *, secret: bytes, user: str = "") -> str:
    """A short stable key for a reader's query, keyed with the installation's secret: nobody without the
    secret can compute the key of a question to learn whether someone asked it."""
    message = f"{user}\n{query.place or ''}\n{query.question}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:16]  # 64 bits: unguessable, fits callback data


class QuestionStore:
    """Maps keys in callback data back to queries; appends each new query to a JSON-lines file.

    A line holds only what a button needs: key, question, place and the day it was asked. Queries
    older than retention_days are forgotten, as are all but the newest max_entries; the file is
    rewritten with what is kept once it holds twice as many lines, so it never grows unbounded.
    A file or folder that cannot be read or written costs persistence (with a warning), never an
    answer: the store then works in memory, and a damaged line is skipped.
    """

    def __init__(self, path: Path | None, *, secret: bytes, max_entries: int = 10_000, retention_days: float = 30,
                 clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._secret = secret
        self._unsaved = False  # a write failed (a full disk): the next one rewrites the whole file
        self._max = max_entries
        self._retention_s = retention_days * DAY_S
        self._clock = clock
        self._queries: OrderedDict[str, tuple[Query, float]] = OrderedDict()
        self._lines = 0
        self._lock = threading.Lock()
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            self._give_up_file(f"cannot read {path}: {error.strerror or error}")
            return
        oldest = self._clock() - self._retention_s
        damaged = 0
        for raw in data.splitlines():
            self._lines += 1
            try:
                item = json.loads(raw.decode("utf-8"))
                asked = float(item.get("t", self._clock()))
                query = Query(str(item["question"]), item.get("place"))
                key = str(item["key"])
            except (ValueError, KeyError, TypeError, AttributeError):
                damaged += 1
                continue
            if asked >= oldest:
                self._keep(key, query, asked)
        if damaged:
            logger.warning("skipped %d damaged line(s) in %s", damaged, path)

    def _give_up_file(self, reason: str) -> None:
        logger.warning("%s; buttons of earlier answers will not survive a restart", reason)
        self._path = None

    def _keep(self, key: str, query: Query, asked: float) -> None:
        self._queries[key] = (query, asked)
        self._queries.move_to_end(key)
        while len(self._queries) > self._max:
            self._queries.popitem(last=False)

    @staticmethod
    def _record(key: str, query: Query, asked: float) -> str:
        return json.dumps({"key": key, "question": query.question, "place": query.place, "t": int(asked)},
                          ensure_ascii=False)

    def remember(self, query: Query, user: str = "") -> str:
        """The key for a reader's query, recording it first if it is new."""
        key = question_key(query, secret=self._secret, user=user)
        now = self._clock()
        with self._lock:
            known = self._queries.get(key)
            if known is not None and now - known[1] < DAY_S:  # asked today: the stored line still serves
                self._queries.move_to_end(key)
                return key
            self._keep(key, query, now)
            if self._path is None:
                return key
            try:
                self._write(key, query, now)
            except OSError as error:
                if not self._unsaved:
                    logger.warning("cannot write %s (%s); questions are kept in memory and written when it can "
                                   "be", self._path, error.strerror or error)
                self._unsaved = True
            else:
                if self._unsaved:
                    logger.info("questions written to %s again", self._path)
                self._unsaved = False
        return key

    def _write(self, key: str, query: Query, now: float) -> None:
        assert self._path is not None
        if self._unsaved or self._lines + 1 > 2 * self._max:
            # After a failed append the file may end in half a line: rewrite it whole from memory.
            self._forget_expired(now)
            kept = "".join(self._record(k, q, t) + "\n" for k, (q, t) in self._queries.items())
            write_private(self._path, kept.encode("utf-8"))  # atomic: a crash leaves the old file
            self._lines = len(self._queries)
        else:
            append_private(self._path, (self._record(key, query, now) + "\n").encode("utf-8"))
            self._lines += 1

    def _forget_expired(self, now: float) -> None:
        for key in [k for k, (_, t) in self._queries.items() if t < now - self._retention_s]:
            del self._queries[key]

    def recall(self, key: str) -> Query | None:
        """The query stored under key, or None if this store never saw it or it has expired."""
        entry = self._queries.get(key)
        if entry is None or entry[1] < self._clock() - self._retention_s:
            return None
        return entry[0]
