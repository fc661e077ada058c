"""The engine the bot serves from, swapped for a freshly loaded one when the index is rebuilt."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from bot.replies.engine import Engine
from index.errors import QaError
from index.records import Answer, Chunk, Document, PlaceSummary

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """What /stats tells about the index in use."""

    version: str  # the index folder's CURRENT version name; changes with every build
    documents: int
    passages: int
    built_at: str  # ISO time from the manifest


Loader = Callable[[], tuple[Engine, IndexInfo]]


def close_engine(engine: object) -> None:
    """Frees what an engine holds open (its index files), for engines that have anything to free."""
    close = getattr(engine, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # a failing close must not take the serving engine down with it
            logger.exception("closing a replaced engine failed")


@dataclass(slots=True)
class _Lease:
    """An engine with the calls now running on it; a replaced one is closed when its last call ends."""

    engine: Engine
    calls: int = 0
    retired: bool = False


class LiveEngine:
    """An Engine whose index can be reloaded while questions are answered.

    Each call reads the current engine once, so a question in flight finishes on the index it began
    with; the switch is one attribute assignment. Reloads run one at a time.
    """

    def __init__(self, load: Loader, version: Callable[[], str]) -> None:
        self._load = load
        self._version = version
        self._reloading = threading.Lock()
        self._leases = threading.Lock()
        self._failed_version = ""
        engine, self._info = load()
        self._current = _Lease(engine)

    @contextlib.contextmanager
    def _engine(self) -> Iterator[Engine]:
        with self._leases:
            lease = self._current
            lease.calls += 1
        try:
            yield lease.engine
        finally:
            with self._leases:
                lease.calls -= 1
                done = lease.retired and lease.calls == 0
            if done:
                close_engine(lease.engine)

    def _replace(self, engine: Engine) -> None:
        with self._leases:
            old, self._current = self._current, _Lease(engine)
            old.retired = True
            idle = old.calls == 0
        if idle:  # else the last call in flight on it closes it
            close_engine(old.engine)

    def close(self) -> None:
        """Closes the engine in use (at shutdown, or after a health check)."""
        self._replace(cast(Engine, _Closed()))

    @property
    def current(self) -> Engine:
        """The engine answering now (for tests and diagnostics; calls go through the methods below)."""
        return self._current.engine

    @property
    def info(self) -> IndexInfo:
        """The index now answering."""
        return self._info

    def has_new_index(self) -> bool:
        """True when a build has switched the index since it was loaded (and that version has not failed)."""
        version = self._version()
        return bool(version) and version != self._info.version and version != self._failed_version

    def reload(self) -> IndexInfo:
        """Loads the index in use now and switches to it; the old one serves until then, and on failure."""
        with self._reloading:
            version = self._version()
            try:
                engine, info = self._load()
            except QaError:
                self._failed_version = version
                raise
            self._replace(engine)
            self._info = info
            self._failed_version = ""
        logger.info("index reloaded: version %s, %d reports, %d passages", info.version, info.documents,
                    info.passages)
        return info

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        """Engine.answer on the index in use."""
        with self._engine() as engine:
            return engine.answer(question, place=place, offset=offset, limit=limit)

    def chunk(self, chunk_id: str) -> Chunk:
        """Engine.chunk on the index in use."""
        with self._engine() as engine:
            return engine.chunk(chunk_id)

    def neighbours(self, chunk_id: str, *, radius: int = 1) -> list[Chunk]:
        """Engine.neighbours on the index in use."""
        with self._engine() as engine:
            return engine.neighbours(chunk_id, radius=radius)

    def document(self, doc_id: str) -> Document:
        """Engine.document on the index in use."""
        with self._engine() as engine:
            return engine.document(doc_id)

    def documents(self) -> Sequence[Document]:
        """Engine.documents on the index in use."""
        with self._engine() as engine:
            return engine.documents()

    def places(self) -> list[tuple[str, int]]:
        """Engine.places on the index in use."""
        with self._engine() as engine:
            return engine.places()

    def place_summary(self, place: str) -> PlaceSummary:
        """Engine.place_summary on the index in use."""
        with self._engine() as engine:
            return engine.place_summary(place)

    def topics(self) -> list[str]:
        """Engine.topics on the index in use."""
        with self._engine() as engine:
            return engine.topics()


class _Closed:
    """What a closed LiveEngine answers with: an error saying the bot is shutting down."""

    def __getattr__(self, name: str) -> Callable[..., object]:
        def closed(*args: object, **kwargs: object) -> object:
            raise QaError("服务正在关闭，请稍后再试。The assistant is shutting down; please try again shortly.")
        return closed


async def watch_index(live: LiveEngine, *, interval_s: float) -> None:
    """Reloads the engine whenever a build switches the index; runs until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            if await asyncio.to_thread(live.has_new_index):
                await asyncio.to_thread(live.reload)
        except QaError as error:
            logger.warning("the rebuilt index was not loaded, the previous one keeps serving: %s", error)
        except Exception:  # the watcher must outlive any surprise; the bot keeps serving
            logger.exception("index watcher error")
