"""The engine every front end calls: a question in, ranked passages with citations out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from index.chinese import HAN
from index.cite import display_title, shown_date
from index.clean import fold
from index.errors import EmptyQuestionError, QuestionTooLongError, UnknownItemError
from index.chinese import quoted_phrases
from index.gazetteer import PlaceGazetteer
from index.records import Answer, Chunk, Citation, Document, Hit, PlaceSummary, Understanding
from index.search.searcher import Searcher
from index.search.calibration import Calibration
from index.search.protocols import QueryEncoder
from index.settings import IndexSettings

if TYPE_CHECKING:  # index.embed imports torch: only the types are needed here
    from index.embed import Embedder
    from index.store import StoredIndex

_MEANINGFUL = re.compile(rf"[\w{HAN}]")


def cite(number: int, chunk: Chunk, document: Document) -> Citation:
    """The citation a reader sees for a passage: report title, source, date and section."""
    return Citation(number, document.doc_id, chunk.chunk_id, display_title(document), document.source or document.site,
                    shown_date(document), chunk.section, document.path)


def compose_answer(question: str, hits: Sequence[Hit], documents: dict[str, Document], *, offset: int = 0,
                   limit: int, abstained: bool = False, understood: Understanding = Understanding()) -> Answer:
    """One page of hits, numbered from offset + 1, each with the citation of its own report."""
    page = tuple(hits[offset:offset + limit])
    citations = tuple(cite(offset + i + 1, h.chunk, documents[h.chunk.doc_id]) for i, h in enumerate(page))
    return Answer(question, page, citations, abstained, understood.places, offset, 0 if abstained else len(hits),
                  understood)


class AnswerEngine:
    """Turns a question into an Answer whose citations point at retrieved passages; also browses the corpus."""

    def __init__(self, searcher: Searcher, documents: Sequence[Document], chunks: Sequence[Chunk], *,
                 top_k: int = 5, max_question_chars: int = 2000, gazetteer: PlaceGazetteer | None = None) -> None:
        self._searcher = searcher
        self._top_k = top_k
        self._max_chars = max_question_chars
        self._documents = {d.doc_id: d for d in documents}
        self._chunks = {c.chunk_id: c for c in chunks}
        self._by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._by_doc.setdefault(chunk.doc_id, []).append(chunk)
        for siblings in self._by_doc.values():
            siblings.sort(key=lambda c: c.position)
        # One gazetteer for search and browsing: every place a passage mentions counts as covered.
        self._gazetteer = gazetteer or PlaceGazetteer(p for c in chunks for p in c.places)

    def answer(self, question: str, *, place: str | None = None, offset: int = 0,
               limit: int | None = None) -> Answer:
        """Ranked passages for a question (page offset..offset+limit), or an abstention."""
        question = question.strip()
        if not _MEANINGFUL.search(question):
            raise EmptyQuestionError("请输入具体的问题，例如“南山区怎么发动快递骑手参与治理”。Please type a question.")
        if len(question) > self._max_chars:
            raise QuestionTooLongError(
                f"问题太长（{len(question)} 字），请精简到 {self._max_chars} 字以内。"
                f"The question is too long ({len(question)} characters); please keep it under {self._max_chars}."
            )
        limit = limit or self._top_k
        result = self._searcher.search(question, k=offset + limit, place=place)
        return compose_answer(question, result.hits, self._documents, offset=max(0, offset), limit=limit,
                              abstained=result.abstained, understood=result.understood)

    def chunk(self, chunk_id: str) -> Chunk:
        """One passage by id."""
        try:
            return self._chunks[chunk_id]
        except KeyError:
            raise UnknownItemError("找不到这段文字，索引可能已经更新，请重新提问。") from None

    def neighbours(self, chunk_id: str, *, radius: int = 1) -> list[Chunk]:
        """The passage with up to radius passages before and after it in its report."""
        chunk = self.chunk(chunk_id)
        siblings = self._by_doc[chunk.doc_id]
        at = siblings.index(chunk)
        return siblings[max(0, at - radius): at + radius + 1]

    def document(self, doc_id: str) -> Document:
        """One report by id."""
        try:
            return self._documents[doc_id]
        except KeyError:
            raise UnknownItemError("找不到这份报告，索引可能已经更新。") from None

    def documents(self) -> list[Document]:
        """All reports, in corpus order."""
        return list(self._documents.values())

    def passages(self, doc_id: str) -> list[Chunk]:
        """The passages of one report, in order."""
        self.document(doc_id)
        return list(self._by_doc.get(doc_id, []))

    def places(self) -> list[tuple[str, int]]:
        """Each place the reports are about, with how many reports, most first."""
        counts = Counter(p for d in self._documents.values() for p in d.places)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def place_summary(self, place: str) -> PlaceSummary:
        """The reports about a place and the named practices they describe there."""
        names = self._gazetteer.resolve(place)
        if not names:
            raise UnknownItemError(f"报告中没有关于“{place}”的内容。发送 /places 查看报告涉及的地方。")
        wanted = set(names)
        # A report counts when it is about the place or any of its passages mentions it (a street of a district).
        passages = [c for c in self._chunks.values() if wanted & set(c.places)]
        about = {d.doc_id for d in self._documents.values() if wanted & set(d.places)}
        mentioned = about | {c.doc_id for c in passages}
        documents = tuple(d for d in self._documents.values() if d.doc_id in mentioned)
        passages = [c for d in documents if d.doc_id in about for c in self._by_doc.get(d.doc_id, [])] or passages
        label = names[0] if len(names) == 1 else "、".join(names)
        return PlaceSummary(label, documents, tuple(practice_names(passages, limit=20)))

    def topics(self) -> list[str]:
        """A few named practices the reports describe most, for help texts and abstentions."""
        return practice_names(self._chunks.values(), limit=8)


# Words that mark a quoted phrase as the name of a practice rather than a slogan or metaphor.
_PRACTICE_WORDS = re.compile(
    r"机制|制度|工程|行动|计划|课堂|服务|党建|物业|网格|联盟|品牌|工作法|模式|体系|中心|驿站|学院|议事|共治|协同|"
    r"联建|专员|支部|书记|志愿|值日|菜单|示范|清单|工作室|平台|治理|营造|[0-9+]"
)


def practice_names(chunks: Iterable[Chunk], *, limit: int) -> list[str]:
    """Quoted practice names in passages, most mentioned first; one entry per name whatever its script."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for chunk in chunks:
        for name in quoted_phrases(chunk.text):
            key = fold(name)
            if len(key) < 3 or not _PRACTICE_WORDS.search(key):
                continue
            counts[key] += 1
            shown.setdefault(key, name)
    return [shown[key] for key, _ in counts.most_common(limit)]


def engine_from(stored: StoredIndex, encoder: QueryEncoder, *, top_k: int = 5, max_question_chars: int = 2000,
                calibration: Calibration = Calibration()) -> AnswerEngine:
    """An engine over a loaded index: one place gazetteer shared by search and browsing."""
    from index.search.searcher import HybridSearcher

    gazetteer = PlaceGazetteer(p for c in stored.chunks for p in c.places)
    searcher = HybridSearcher.over(stored, encoder, gazetteer=gazetteer, calibration=calibration)
    return AnswerEngine(searcher, stored.documents, stored.chunks, top_k=top_k,
                        max_question_chars=max_question_chars, gazetteer=gazetteer)


def open_engine(settings: IndexSettings, *, embedder: Embedder | None = None) -> AnswerEngine:
    """Loads the built index and its model into an engine (the model only if an index exists).

    A reload passes the embedder it already has, so the model is not loaded twice.
    """
    from index.embed import check_compatible, load_embedder
    from index.store import check_index, load_index

    # Fails fast, before the model load, if the index is missing or damaged; its manifest says which
    # weights embedded the passages, so questions get the same ones.
    manifest = check_index(settings.index_dir)
    if embedder is None:
        embedder = load_embedder(settings, indexed=(manifest.runtime, manifest.precision))
    check_compatible(manifest.runtime, manifest.precision, embedder, settings.index_dir)
    stored = load_index(settings.index_dir, model=embedder.name)
    engine = engine_from(stored, embedder, top_k=settings.top_k, max_question_chars=settings.max_question_chars,
                         calibration=Calibration(candidates=settings.candidates))
    # The first run of a model allocates its buffers and picks kernels; do it now, not on a user's question.
    embedder.encode_queries(["党建引领基层治理"])
    return engine
