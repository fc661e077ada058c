"""What the front ends need from index.answer.engine.AnswerEngine, as a protocol so tests can pass a fake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from index.records import Answer, Chunk, Document, PlaceSummary


class Engine(Protocol):
    """The answering and browsing calls the Telegram bot and the terminal chat make."""

    def answer(self, question: str, *, place: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        ...

    def chunk(self, chunk_id: str) -> Chunk:
        ...

    def neighbours(self, chunk_id: str, *, radius: int = 1) -> list[Chunk]:
        ...

    def document(self, doc_id: str) -> Document:
        ...

    def documents(self) -> Sequence[Document]:
        ...

    def places(self) -> list[tuple[str, int]]:
        ...

    def place_summary(self, place: str) -> PlaceSummary:
        ...

    def topics(self) -> list[str]:
        ...


def suggestions(engine: Engine) -> tuple[list[str], list[str]]:
    """Topics and place names to suggest when the reports do not answer a question."""
    return engine.topics(), [name for name, _ in engine.places()[:12]]
