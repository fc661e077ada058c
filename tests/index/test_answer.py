"""AnswerEngine: validation, citations that point at retrieved passages, paging, browsing."""

from __future__ import annotations

import pytest

from index.answer.engine import AnswerEngine, compose_answer
from index.errors import EmptyQuestionError, QuestionTooLongError, UnknownItemError
from index.records import Chunk, Document, Hit
from index.search.question import Query
from index.search.searcher import SearchResult
from index.store.passages import report_heading

DOCS = [
    Document("a", "a.txt", "南山报告", "正文一\n正文二", source="人民论坛", date="2021-07", places=("南山区",)),
    Document("b", "b.txt", "栖霞报告", "正文三", places=("栖霞区",)),
]
CHUNKS = [
    Chunk("a:0", "a", 0, "一", "正文一", 0, 3, ("南山区",)),
    Chunk("a:1", "a", 1, "二", "正文二", 4, 7, ("南山区",)),
    Chunk("b:0", "b", 0, "", "“红色物业”正文三", 0, 3, ("栖霞区",)),
]


class StubSearcher:
    """Returns fixed hits for every question and records what it was asked."""

    def __init__(self, hits: list[Hit], abstained: bool = False) -> None:
        self.hits, self.abstained = hits, abstained
        self.asked: list[tuple[str, int, str | None]] = []

    def search(self, question: str, *, k: int, place: str | None = None) -> SearchResult:
        self.asked.append((question, k, place))
        query = Query(question, question, False, (), (), ())
        return SearchResult(query, () if self.abstained else tuple(self.hits), self.abstained)


def engine_with(hits: list[Hit], abstained: bool = False) -> AnswerEngine:
    return AnswerEngine(StubSearcher(hits, abstained), DOCS, CHUNKS, top_k=2, max_question_chars=50)


def test_every_citation_points_at_its_own_retrieved_passage() -> None:
    hits = [Hit(CHUNKS[2], 0.9), Hit(CHUNKS[0], 0.8)]

    answer = engine_with(hits).answer("红色物业")

    assert [(c.number, c.chunk_id, c.doc_id, c.title) for c in answer.citations] == [
        (1, "b:0", "b", "栖霞报告"), (2, "a:0", "a", "南山报告")]
    assert str(answer.citations[1]) == "[2] 《南山报告》，人民论坛，2021-07，一"


def test_pages_continue_numbering_and_report_the_total() -> None:
    hits = [Hit(c, 1.0) for c in CHUNKS]

    answer = engine_with(hits).answer("正文", offset=2)

    assert [c.number for c in answer.citations] == [3]
    assert (answer.offset, answer.total) == (2, 3)


@pytest.mark.parametrize("question", [pytest.param("", id="empty"), pytest.param("  ？？ ", id="punctuation")])
def test_blank_question_gets_friendly_error(question: str) -> None:
    with pytest.raises(EmptyQuestionError, match="请输入"):
        engine_with([]).answer(question)


def test_overlong_question_is_refused_with_its_length() -> None:
    with pytest.raises(QuestionTooLongError, match="60"):
        engine_with([]).answer("问" * 60)


def test_abstention_has_no_hits_and_no_total() -> None:
    answer = engine_with([], abstained=True).answer("量子计算")

    assert answer.abstained and answer.hits == () and answer.total == 0


def test_compose_answer_is_pure_over_its_inputs() -> None:
    documents = {d.doc_id: d for d in DOCS}

    answer = compose_answer("问", [Hit(CHUNKS[1], 0.5)], documents, limit=5)

    assert answer.hits == (Hit(CHUNKS[1], 0.5),) and answer.citations[0].section == "二"


def test_neighbours_are_the_surrounding_passages_of_the_same_report() -> None:
    assert [c.chunk_id for c in engine_with([]).neighbours("a:1")] == ["a:0", "a:1"]


def test_unknown_passage_is_a_friendly_error() -> None:
    with pytest.raises(UnknownItemError):
        engine_with([]).chunk("zzz:9")


def test_place_summary_accepts_short_and_traditional_names() -> None:
    engine = engine_with([])

    assert engine.place_summary("栖霞").reports == (report_heading(DOCS[1]),)
    assert engine.place_summary("棲霞區").practices == ("红色物业",)


def test_places_are_counted_by_report() -> None:
    assert engine_with([]).places() == [("南山区", 1), ("栖霞区", 1)]
