"""Retrieval quality on a question set: hit@k and MRR per kind, and abstention on out-of-corpus questions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.clean import fold
from index.records import Answer

OUT_OF_CORPUS = "out_of_corpus"


@dataclass(frozen=True, slots=True)
class Question:
    """One question of an evaluation set, with substrings that mark a correct passage."""

    text: str
    gold: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the first correct passage came for one question (0 = not in the list)."""

    question: Question
    rank: int
    abstained: bool


@dataclass(frozen=True, slots=True)
class Scores:
    """Aggregate metrics over answerable questions, and abstention over the rest."""

    count: int
    hit1: float
    hit3: float
    hit5: float
    mrr10: float
    abstained: int = 0
    out_of_corpus: int = 0


def read_questions(path: Path) -> list[Question]:
    """Questions from a JSON-lines file of {"q", "gold", "kind"} objects."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            questions.append(Question(item["q"], tuple(item.get("gold", ())), item.get("kind", "other")))
    return questions


def first_correct_rank(passages: Sequence[str], gold: Iterable[str]) -> int:
    """1-based rank of the first passage whose folded text contains a gold substring, else 0."""
    wanted = [fold(g) for g in gold]
    for rank, text in enumerate(passages, start=1):
        folded = fold(text)
        if any(g in folded for g in wanted):
            return rank
    return 0


class Answering(Protocol):
    """What evaluation needs of an engine."""

    def answer(self, question: str, *, place: str | None = None, offset: int = 0,
               limit: int | None = None) -> Answer: ...


def engine_retriever(engine: Answering) -> Callable[[str], tuple[list[str], bool]]:
    """A retrieve function for run(): the top ten passage texts of an answer, and whether it abstained."""

    def retrieve(question: str) -> tuple[list[str], bool]:
        answer = engine.answer(question, limit=10)
        return [hit.chunk.text for hit in answer.hits], answer.abstained

    return retrieve


def run(questions: Sequence[Question], retrieve: Callable[[str], tuple[list[str], bool]]) -> list[Outcome]:
    """Asks every question; retrieve returns the ranked passage texts and whether it abstained."""
    outcomes = []
    for question in questions:
        passages, abstained = retrieve(question.text)
        rank = 0 if question.kind == OUT_OF_CORPUS else first_correct_rank(passages[:10], question.gold)
        outcomes.append(Outcome(question, rank, abstained))
    return outcomes


def score(outcomes: Sequence[Outcome]) -> Scores:
    """Metrics over a group of outcomes."""
    answerable = [o for o in outcomes if o.question.kind != OUT_OF_CORPUS]
    unanswerable = [o for o in outcomes if o.question.kind == OUT_OF_CORPUS]
    n = len(answerable) or 1

    def hits(k: int) -> float:
        return sum(1 for o in answerable if 0 < o.rank <= k) / n

    mrr = sum(1 / o.rank for o in answerable if 0 < o.rank <= 10) / n
    return Scores(len(answerable), hits(1), hits(3), hits(5), mrr,
                  sum(1 for o in unanswerable if o.abstained), len(unanswerable))


def score_by_kind(outcomes: Sequence[Outcome]) -> dict[str, Scores]:
    """Metrics for all questions ("all") and for each kind."""
    kinds = sorted({o.question.kind for o in outcomes})
    table = {"all": score(outcomes)}
    table.update({kind: score([o for o in outcomes if o.question.kind == kind]) for kind in kinds})
    return table


def format_table(table: dict[str, Scores]) -> str:
    """A Markdown table of the metrics, as printed by `python -m index eval` and kept in the README."""
    lines = ["| kind | n | hit@1 | hit@3 | hit@5 | MRR@10 | abstained |", "|---|---|---|---|---|---|---|"]
    for kind, s in table.items():
        if kind == OUT_OF_CORPUS:
            lines.append(f"| {kind} | {s.out_of_corpus} | | | | | {s.abstained}/{s.out_of_corpus} |")
            continue
        abstained = f"{s.abstained}/{s.out_of_corpus}" if s.out_of_corpus else ""
        lines.append(f"| {kind} | {s.count} | {s.hit1:.3f} | {s.hit3:.3f} | {s.hit5:.3f} | {s.mrr10:.3f} | {abstained} |")
    return "\n".join(lines)
