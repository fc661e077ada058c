"""Retrieval quality on a question set: hit@k and MRR per kind, abstention, and near misses flagged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.text.clean import fold
from index.records import Answer, Understanding

OUT_OF_CORPUS = "out_of_corpus"
# Near misses: a place no report covers, a year none mentions, a topic the named place's reports never
# treat. Handled right when the answer abstains or says so (Understanding); citing passages as if they
# answered is wrong.
NEAR_MISSES = ("other_place", "other_year", "off_topic_place")
UNANSWERABLE = (OUT_OF_CORPUS, *NEAR_MISSES)


@dataclass(frozen=True, slots=True)
class Question:
    """One question of an evaluation set, with substrings that mark a correct passage."""

    text: str
    gold: tuple[str, ...]
    kind: str

    @property
    def answerable(self) -> bool:
        """Whether some passage answers it (otherwise the right outcome is to abstain or flag)."""
        return self.kind not in UNANSWERABLE


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the first correct passage came for one question (0 = not in the list)."""

    question: Question
    rank: int
    abstained: bool
    flagged: bool = False  # the answer said the place, year or topic asked about is not covered
    noticed: bool = False  # the answer said the named place's reports seem not to treat the topic


@dataclass(frozen=True, slots=True)
class Scores:
    """Aggregate metrics over answerable questions, and abstention over the rest."""

    count: int
    hit1: float
    hit3: float
    hit5: float
    mrr10: float
    abstained: int = 0  # unanswerable questions abstained on (or flagged, for near misses)
    out_of_corpus: int = 0  # unanswerable questions
    mrr5: float = 0.0
    refused: int = 0  # answerable questions abstained on
    false_notices: int = 0  # answerable questions whose answer said their topic seems untreated


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


Retrieved = tuple[list[str], bool, Understanding]
Retrieve = Callable[[str], Retrieved]


def engine_retriever(engine: Answering) -> Retrieve:
    """A retrieve function for run(): the top ten passage texts, whether it abstained, what it understood."""

    def retrieve(question: str) -> Retrieved:
        answer = engine.answer(question, limit=10)
        return [hit.chunk.text for hit in answer.hits], answer.abstained, answer.understood

    return retrieve


def flags(kind: str, understood: Understanding) -> bool:
    """Whether an answer says what a near-miss question of this kind needs said."""
    if kind == "other_place":
        return bool(understood.places_not_covered)
    if kind == "other_year":
        return bool(understood.years_not_covered)
    if kind == "off_topic_place":
        return bool(understood.topic_not_covered)
    if kind == OUT_OF_CORPUS:  # naming a covered place, it is answered under a notice, never refused
        return bool(understood.topic_not_covered)
    return False


def run(questions: Sequence[Question], retrieve: Retrieve) -> list[Outcome]:
    """Asks every question; retrieve returns the ranked passage texts, abstention and understanding."""
    outcomes = []
    for question in questions:
        passages, abstained, understood = retrieve(question.text)
        rank = first_correct_rank(passages[:10], question.gold) if question.answerable else 0
        outcomes.append(Outcome(question, rank, abstained, abstained or flags(question.kind, understood),
                                bool(understood.topic_not_covered)))
    return outcomes


def score(outcomes: Sequence[Outcome]) -> Scores:
    """Metrics over a group of outcomes."""
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    n = len(answerable) or 1

    def hits(k: int) -> float:
        return sum(1 for o in answerable if 0 < o.rank <= k) / n

    def mrr(k: int) -> float:
        return sum(1 / o.rank for o in answerable if 0 < o.rank <= k) / n

    handled = sum(1 for o in unanswerable if o.flagged)
    return Scores(len(answerable), hits(1), hits(3), hits(5), mrr(10), handled, len(unanswerable), mrr(5),
                  sum(1 for o in answerable if o.abstained), sum(1 for o in answerable if o.noticed))


def score_by_kind(outcomes: Sequence[Outcome]) -> dict[str, Scores]:
    """Metrics for all questions ("all") and for each kind."""
    kinds = sorted({o.question.kind for o in outcomes})
    table = {"all": score(outcomes)}
    table.update({kind: score([o for o in outcomes if o.question.kind == kind]) for kind in kinds})
    return table


def format_table(table: dict[str, Scores]) -> str:
    """A Markdown table of the metrics, as printed by `python -m index eval` and kept in docs/quality.md."""
    lines = ["| kind | n | hit@1 | hit@3 | hit@5 | MRR@5 | MRR@10 | refused | false notices | abstained or flagged |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for kind, s in table.items():
        if kind in UNANSWERABLE:
            lines.append(f"| {kind} | {s.out_of_corpus} | | | | | | | | {s.abstained}/{s.out_of_corpus} |")
            continue
        handled = f"{s.abstained}/{s.out_of_corpus}" if s.out_of_corpus else ""
        refused = f"{s.refused}/{s.count}" if s.count else ""
        noticed = f"{s.false_notices}/{s.count}" if s.count else ""
        lines.append(f"| {kind} | {s.count} | {s.hit1:.3f} | {s.hit3:.3f} | {s.hit5:.3f} | {s.mrr5:.3f} "
                     f"| {s.mrr10:.3f} | {refused} | {noticed} | {handled} |")
    return "\n".join(lines)
