"""The engine every front end calls: a question in, ranked passages with citations out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from index.answer.browse import Browser
from index.text.chinese import HAN
from index.answer.cite import display_title, shown_date
from index.errors import EmptyQuestionError, QuestionTooLongError
from index.places.gazetteer import PlaceGazetteer
from index.store.passages import Records
from index.records import Answer, Chunk, Citation, Document, Hit, Understanding
from index.search.searcher import Searcher
from index.search.calibration import Calibration
from index.search.protocols import KeywordSearch, QueryEncoder, VectorSearch
from index.settings import IndexSettings

if TYPE_CHECKING:  # index.model.embed imports torch: only the types are needed here
    from index.model.embed import Embedder
    from index.store.folder import StoredIndex

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


class AnswerEngine(Browser):
    """Turns a question into an Answer whose citations point at retrieved passages; browsing is Browser's."""

    def __init__(self, searcher: Searcher, records: Records | Sequence[Document],
                 chunks: Sequence[Chunk] = (), *, top_k: int = 5, max_question_chars: int = 2000,
                 gazetteer: PlaceGazetteer | None = None) -> None:
        super().__init__(records, chunks, gazetteer=gazetteer)
        self._searcher = searcher
        self._top_k = top_k
        self._max_chars = max_question_chars

    @property
    def searcher(self) -> Searcher:
        """What finds the passages, for benchmarks that time its stages."""
        return self._searcher

    def answer(self, question: str, *, place: str | None = None, offset: int = 0,
               limit: int | None = None) -> Answer:
        """Ranked passages for a question (page offset..offset+limit), or an abstention."""
        question = question.strip()
        if not _MEANINGFUL.search(question):
            raise EmptyQuestionError("请输入具体的问题，例如“南山区怎么发动快递骑手参与治理”。")
        if len(question) > self._max_chars:
            raise QuestionTooLongError(f"问题太长（{len(question)} 字），请精简到 {self._max_chars} 字以内。",
                                       chars=len(question), limit=self._max_chars)
        limit = limit or self._top_k
        result = self._searcher.search(question, k=offset + limit, place=place)
        documents = {h.chunk.doc_id: self.document(h.chunk.doc_id) for h in result.hits}
        return compose_answer(question, result.hits, documents, offset=max(0, offset), limit=limit,
                              abstained=result.abstained, understood=result.understood)

    def close(self) -> None:
        """Closes the index files this engine reads; the bot calls it once a reload has replaced the engine."""
        close = getattr(self._records, "close", None)
        if callable(close):
            close()


def engine_from(stored: StoredIndex, encoder: QueryEncoder, *, top_k: int = 5, max_question_chars: int = 2000,
                calibration: Calibration = Calibration(),
                backend: tuple[VectorSearch, KeywordSearch] | None = None) -> AnswerEngine:
    """An engine over a loaded index: one place gazetteer shared by search and browsing.

    backend, if given, proposes the candidates instead of the index's own FAISS and bm25s (a Milvus collection).
    """
    from index.search.searcher import HybridSearcher

    gazetteer = PlaceGazetteer(stored.records.covered_places())  # worked out at build time
    vectors, keywords = backend or (stored.vectors, stored.keywords)
    searcher = HybridSearcher(stored.records, vectors, keywords, encoder, gazetteer=gazetteer, calibration=calibration)
    return AnswerEngine(searcher, stored.records, top_k=top_k,
                        max_question_chars=max_question_chars, gazetteer=gazetteer)


def open_engine(settings: IndexSettings, *, embedder: Embedder | None = None) -> AnswerEngine:
    """Loads the built index and its model into an engine (the model only if an index exists).

    A reload passes the embedder it already has, so the model is not loaded twice.
    """
    from index.model.embed import check_compatible, load_embedder
    from index.store.folder import check_index, current_version, load_index

    # Fails fast, before the model load, if the index is missing or damaged; its manifest says which
    # weights embedded the passages, so questions get the same ones.
    manifest = check_index(settings.index_dir)
    if embedder is None:
        embedder = load_embedder(settings, indexed=(manifest.runtime, manifest.precision))
    check_compatible(manifest.runtime, manifest.precision, embedder, settings.index_dir)
    stored = load_index(settings.index_dir, model=embedder.name)
    backend = None
    if settings.backend == "milvus":
        from index.store.milvus_store import MilvusStore

        backend = MilvusStore(settings.milvus_uri).open(current_version(settings.index_dir).name, stored.keywords,
                                                        passages=len(stored.chunks))
    engine = engine_from(stored, embedder, top_k=settings.top_k, max_question_chars=settings.max_question_chars,
                         calibration=Calibration(candidates=settings.candidates), backend=backend)
    # The first run of a model allocates its buffers and picks kernels; do it now, not on a user's question.
    embedder.encode_queries(["党建引领基层治理"])
    return engine
