"""Builds an index folder from a corpus folder: ingest → clean → chunk → de-duplicate → embed → store."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.keywords.bm25 import TermCounts, count_terms, merge_counts
from index.text.chinese import quoted_phrases
from index.chunk.cut import chunk_document, folded_index_text, index_text
from index.text.clean import fold
from index.text.dictionary import corpus_senses
from index.chunk.dedupe import band_keys, collapse_near_duplicates, collapse_new, keyed_form
from index.model.embed import Embedder, embed_passages
from index.errors import IndexMismatchError, IndexMissingError, QaError
from index.places.gazetteer import romanise
from index.ingest.corpus import ReadLimits, corpus_files, read_corpus, source_digest, source_stamp
from index.keywords.keyword_index import KeywordIndex, build_tokenizer, corpus_terms, tokenize_passages
from index.ingest.meta import documents_from_source
from index.store.passages import PASSAGES_FILE, LazySequence, MemoryRecords, RecordsUpdate, SqliteRecords, passage_years
from index.places.finder import passage_places
from index.records import Chunk, Document, Skipped
from index.build.state import BuildState, PassageState, PreviousState, Source, pipeline_key, read_state
from index.store.folder import Manifest, StoredIndex, build_lock, current_version, load_for_rebuild, save_index
from index.store.vectors import VectorIndex, choose_kind

logger = logging.getLogger(__name__)


class EmptyCorpusError(QaError):
    """The corpus folder holds no readable report."""


@dataclass(frozen=True, slots=True)
class StageProgress:
    """Where a build stands, for progress displays and benchmarks: done of total units in one stage.

    Every stage reports done=0 when it starts and finished=True when it ends; total is 0 while
    unknown (files are counted as they are read).
    """

    stage: str
    done: int
    total: int
    unit: str
    finished: bool = False


Progress = Callable[[StageProgress], None]
Publish = Callable[[str, StoredIndex], None]  # (version name, index) -> stored in another backend too

# The stages of a build, in order, with the unit each counts.
STAGES = (
    ("read", "files"), ("chunk", "reports"), ("de-duplicate", "passages"), ("embed", "passages"),
    ("vector index", "passages"), ("keyword index", "passages"), ("save", "passages"),
)
_UNITS = dict(STAGES)


class _Stage:
    """Reports one stage's start, steps and end to a Progress callback (or to nobody)."""

    def __init__(self, progress: Progress | None, name: str, total: int) -> None:
        self._progress = progress
        self.name = name
        self.total = total
        self.done = 0
        self.step(0)

    def step(self, done: int, total: int | None = None, *, finished: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self._progress is not None:
            self._progress(StageProgress(self.name, done, self.total, _UNITS[self.name], finished))

    def end(self, total: int | None = None) -> None:
        """Reports the stage complete: total given, else the known total, else the units counted."""
        final = total if total is not None else (self.total or self.done)
        self.step(final, final, finished=True)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the summary the CLI prints."""

    index_dir: Path
    documents: int
    passages: int
    skipped: tuple[Skipped, ...]
    duplicates_dropped: int
    vectors_reused: int
    vector_index: str
    seconds: float
    reports_reused: int = 0  # files whose reports, passages, tokens and vectors came from the previous version
    reports_new: int = 0  # files read for the first time
    reports_changed: int = 0  # files read again because their bytes or sidecar changed
    reports_deleted: int = 0  # files of the previous version no longer in the corpus (or now unreadable)
    vectors_appended: bool = False  # the vector index grew by the new rows instead of being built again


FURNITURE_ONLY = "all text removed as site furniture (navigation, credits, spam)"


def prepare_documents(corpus_dir: Path, progress: Callable[[int], None] | None = None,
                      limits: ReadLimits | None = None,
                      only: Container[str] | None = None) -> tuple[list[Document], list[Skipped]]:
    """Reads and cleans every report (or only those named); a file that fails is skipped with its reason."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for done, item in enumerate(read_corpus(corpus_dir, limits, only), 1):
        if progress:
            progress(done)
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        try:
            found = documents_from_source(item)
        except Exception as error:  # one odd file must not stop the corpus
            logger.warning("skipped %s: %s", item.path, error, exc_info=True)
            skipped.append(Skipped(item.path, f"could not be cleaned: {error}"))
            continue
        if not any(d.text.strip() for d in found):
            skipped.append(Skipped(item.path, FURNITURE_ONLY))
            continue
        documents.extend(found)
    return documents, skipped


EMBEDDED_TEXT = "section+text"  # recorded in the manifest; change it whenever index_text() changes
def chunk_corpus(documents: Sequence[Document], *, max_chars: int, min_chars: int,
                 progress: Callable[[int], None] | None = None) -> tuple[list[Chunk], dict[str, str]]:
    """Passages of all reports, each knowing the places it and its report are about, and fold(text) of each
    by chunk id: folded once here for its places, de-duplication, keywords and the place digests."""
    chunks = []
    folded: dict[str, str] = {}
    for done, document in enumerate(documents, 1):
        for chunk in chunk_document(document, max_chars=max_chars, min_chars=min_chars):
            folded[chunk.chunk_id] = text = fold(chunk.text)
            chunks.append(dataclasses.replace(chunk, places=passage_places(chunk, document.places, text)))
        if progress:
            progress(done)
    return chunks, folded


@dataclass(slots=True)
class _Previous:
    """The version a build replaces, as far as it can be reused."""

    records: SqliteRecords
    vectors: VectorIndex
    words: list[str]  # its corpus terms
    state: PreviousState | None  # None: written without build state (a benchmark), only vectors by text
    same_pipeline: bool  # read, chunked and tokenised by the same code and settings: files can be reused
    counts: TermCounts | None = None  # its passages' keyword term counts (with state)
    pinyin: dict[str, str] | None = None  # its words' pinyin (with state)

    def close(self) -> None:
        self.records.close()
        if self.state is not None:
            self.state.close()


def _previous(index_dir: Path, embedder: Embedder, pipeline: str) -> _Previous | None:
    """The index being replaced, when its vectors can be reused (same model, precision and embedded text)."""
    try:
        manifest, records, vectors, words = load_for_rebuild(index_dir, model=embedder.name)
    except (IndexMissingError, IndexMismatchError):
        return None
    except QaError as error:  # damaged: the new build replaces it, only re-reading costs more
        logger.warning("not reusing the previous index: %s", error)
        return None
    except Exception:  # a damaged old index only costs re-reading and re-embedding
        logger.warning("could not reuse the previous index in %s", index_dir, exc_info=True)
        return None
    if manifest.embedded_text != EMBEDDED_TEXT or manifest.precision != embedder.precision:
        records.close()
        return None
    try:
        version = current_version(index_dir)
        state = read_state(version / PASSAGES_FILE)
        same = state is not None and state.pipeline == pipeline  # else its state and counts are of other code
        counts = KeywordIndex.read_counts(version / "keywords") if same else None
        pinyin = KeywordIndex.read_pinyin(version / "keywords") if same else None
    except Exception:  # unreadable state: vectors are still reused by text
        logger.warning("not reusing the previous build's state", exc_info=True)
        state, same, counts, pinyin = None, False, None, None
    return _Previous(records, vectors, words, state, same, counts, pinyin)


def build_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, max_chars: int, min_chars: int,
                exact_search_max: int, vector_kind: str = "auto", progress: Progress | None = None,
                limits: ReadLimits | None = None, publish: Publish | None = None, full: bool = False) -> BuildReport:
    """Builds and atomically installs the index; the previous index keeps serving until then.

    Files whose bytes (and sidecar) are unchanged since the previous build keep their reports,
    passages, tokens and vectors; full=True reads, chunks and de-duplicates everything again (vectors
    of unchanged passage texts are still reused). progress, if given, hears the start, steps and end
    of every stage in STAGES; publish, if given, also stores the new version in another backend
    before the switch (see save_index).
    """
    with build_lock(index_dir):  # a second build exits with a message instead of racing this one
        limits = limits or ReadLimits()
        pipeline = pipeline_key(max_chars, min_chars, EMBEDDED_TEXT, limits)
        previous = _previous(index_dir, embedder, pipeline)
        try:
            return _build(corpus_dir, index_dir, embedder, max_chars=max_chars, min_chars=min_chars,
                          exact_search_max=exact_search_max, vector_kind=vector_kind, progress=progress,
                          limits=limits, publish=publish, pipeline=pipeline, previous=previous, full=full)
        finally:
            if previous is not None:
                previous.close()


@dataclass(slots=True)
class _Plan:
    """Which files are read again and which reports and passages come from the previous version."""

    doc_ids: list[str]  # every report, corpus order
    documents: list[Document]  # the reports read by this build (every one in a full build), corpus order
    sources: list[Source]
    fresh: list[Chunk]  # passages needing de-duplication (new and changed reports, orphaned duplicates)
    folded: dict[str, str]  # fold(text) of each fresh passage, by chunk id
    kept_rows: list[int]  # previous rows that stay, in their order
    dropped_kept: int  # previous near-duplicates whose report and keeper stay: they stay dropped
    skipped: list[Skipped]
    reused: int
    new: int
    changed: int
    deleted: int


def _plan(corpus_dir: Path, previous: _Previous | None, stage: _Stage, limits: ReadLimits, *,
          max_chars: int, min_chars: int, incremental: bool) -> _Plan:
    listed = corpus_files(corpus_dir)
    state = previous.state if previous is not None and incremental else None
    before = state.sources if state is not None else {}
    now = time.time_ns()
    stamps = {shown: source_stamp(path, now) for shown, path in listed}
    digests = {shown: before[shown].digest if stamps[shown] and shown in before and before[shown].stamp == stamps[shown]
               else source_digest(path, limits) for shown, path in listed}
    unchanged = {shown for shown, digest in digests.items() if digest and before.get(shown, None) is not None
                 and before[shown].digest == digest}
    read, skipped = prepare_documents(corpus_dir, stage.step, limits, only=set(digests) - unchanged)
    by_path: dict[str, list[Document]] = {}
    for document in read:
        by_path.setdefault(document.path, []).append(document)
    records = previous.records if previous is not None and state is not None else None
    stored = records.doc_ids() if records else set()
    doc_ids: list[str] = []
    documents: list[Document] = []
    sources: list[Source] = []
    for shown, _ in listed:
        if shown in unchanged and records is not None:
            ids = tuple(doc_id for doc_id in before[shown].doc_ids if doc_id in stored)
        else:
            documents.extend(by_path.get(shown, []))
            ids = tuple(d.doc_id for d in by_path.get(shown, []))
        doc_ids.extend(ids)
        if ids:
            sources.append(Source(shown, digests[shown], ids, stamps[shown]))
    reused_ids = set(doc_ids) - {d.doc_id for d in documents}
    fresh, folded = chunk_corpus(documents, max_chars=max_chars, min_chars=min_chars)
    kept_rows: list[int] = []
    dropped_kept = 0
    if state is not None and records is not None:
        rows = records.passage_owners()
        kept_rows = [row for row, doc_id, _ in rows if doc_id in reused_ids]
        keepers = {chunk_id for _, doc_id, chunk_id in rows if doc_id in reused_ids} if len(kept_rows) != len(rows) \
            else None
        again = []
        for at, doc_id, keeper in state.dropped:
            if doc_id not in reused_ids:
                continue
            if keepers is None or keeper in keepers:
                dropped_kept += 1
            else:  # its keeper went with a deleted or changed report: it is judged again, as new
                again.append(at)
        orphans = state.dropped_chunks(again)
        fresh.extend(orphans)
        folded.update((c.chunk_id, fold(c.text)) for c in orphans)
        order = {doc_id: i for i, doc_id in enumerate(doc_ids)}
        fresh.sort(key=lambda c: (order[c.doc_id], c.position))
    indexed = {s.path for s in sources}
    return _Plan(doc_ids, documents, sources, fresh, folded, kept_rows, dropped_kept, skipped, reused=len(unchanged),
                 new=sum(1 for shown in indexed if shown not in before),
                 changed=sum(1 for shown in indexed if shown in before and shown not in unchanged),
                 deleted=sum(1 for shown in before if shown not in indexed))


def _build(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, max_chars: int, min_chars: int,
           exact_search_max: int, vector_kind: str, progress: Progress | None, limits: ReadLimits,
           publish: Publish | None, pipeline: str, previous: _Previous | None, full: bool) -> BuildReport:
    started = time.perf_counter()
    if not corpus_dir.is_dir():
        raise EmptyCorpusError(f"corpus folder {corpus_dir} does not exist")
    incremental = not full and previous is not None and previous.same_pipeline
    stage = _Stage(progress, "read", 0)
    plan = _plan(corpus_dir, previous, stage, limits, max_chars=max_chars, min_chars=min_chars,
                 incremental=incremental)
    stage.end()
    if not plan.doc_ids:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in plan.skipped) or "no files"
        raise EmptyCorpusError(f"no readable report in {corpus_dir} ({reasons})")
    stage = _Stage(progress, "chunk", len(plan.doc_ids))
    stage.end()
    stage = _Stage(progress, "de-duplicate", len(plan.fresh))
    kept_rows = plan.kept_rows
    keys = [keyed_form(plan.folded[c.chunk_id]) for c in plan.fresh]  # dedupe_key(c.text, fold)
    if incremental:
        assert previous is not None and previous.state is not None
        records = previous.records
        added, mapping, added_bands = collapse_new(plan.fresh, previous.state.bands(kept_rows),
                                                   lambda found: records.chunks_at([kept_rows[i] for i in found]),
                                                   key=fold, keys=keys)
    else:
        all_bands = band_keys(keys)
        added, mapping = collapse_near_duplicates(plan.fresh, key=fold, bands=all_bands, keys=keys)
        kept_ids = {c.chunk_id for c in added}
        added_bands = all_bands[[i for i, c in enumerate(plan.fresh) if c.chunk_id in kept_ids]]
    by_id = {c.chunk_id: c for c in plan.fresh}
    dropped = [(by_id[d], k) for d, k in mapping.items()]
    passages = len(kept_rows) + len(added)
    stage.end()

    texts = [index_text(c) for c in added]
    stage = _Stage(progress, "embed", len(texts))
    appended = False
    if incremental and previous is not None:
        old = previous.vectors
        reuse = _vectors_by_text(previous, {c.doc_id for c in added})
        new_vectors, reused = embed_passages(embedder, texts, reuse, lambda done, total: stage.step(done, total))
        stage.end(len(texts) - reused)
        reused += len(kept_rows)
        stage = _Stage(progress, "vector index", passages)
        # Rows are appended only while every old row stays and the index stays of the kind its size calls for.
        appended = (len(kept_rows) == len(old)
                    and choose_kind(passages, exact_max=exact_search_max, requested=vector_kind) == old.kind)
        if appended:
            vector_index = old.extended(new_vectors)
        else:
            vectors = np.concatenate([old.vectors(kept_rows), new_vectors]) if kept_rows else new_vectors
            vector_index = VectorIndex.build(vectors, exact_max=exact_search_max, kind=vector_kind)
    else:
        reuse = _vectors_by_text(previous, None) if previous is not None else {}
        new_vectors, reused = embed_passages(embedder, texts, reuse, lambda done, total: stage.step(done, total))
        stage.end(len(texts) - reused)
        stage = _Stage(progress, "vector index", passages)
        vector_index = VectorIndex.build(new_vectors, exact_max=exact_search_max, kind=vector_kind)
    stage.end()

    stage = _Stage(progress, "keyword index", passages)
    texts_added = [plan.folded[c.chunk_id] for c in added]  # quoted phrases here, the place digests when saved
    folded_added = [folded_index_text(c, t) for c, t in zip(added, texts_added)]  # fold(index_text(c))
    phrases_added = [tuple(quoted_phrases(t)) for t in texts_added]
    places = [*(p for d in plan.documents for p in d.places), *(p for c in added for p in c.places)]
    phrases = [p for ps in phrases_added for p in ps]
    if incremental and previous is not None and previous.state is not None:
        kept_docs = set(plan.doc_ids) - {d.doc_id for d in plan.documents}
        places += _kept_places(previous.records, kept_rows, kept_docs)
        phrases += previous.state.phrases(kept_rows)
    words = sorted(corpus_terms(places, phrases=phrases))
    tokenizer = build_tokenizer(words, len(folded_added))  # one for everything below
    tokens_added = tokenize_passages(folded_added, words, progress=stage.step, tokenizer=tokenizer)
    if incremental and previous is not None and previous.state is not None and previous.counts is not None:
        # A kept passage holding a corpus term that came or went with the changed reports is tokenised
        # again: the tokenizer now keeps that term whole, or no longer does (see make_tokenizer).
        stale = previous.state.holding(set(words) ^ set(previous.words), kept_rows)
        tokens_stale = tokenize_passages(list(stale.values()), words, tokenizer=tokenizer)
        counts = counts_after(previous.counts, kept_rows, dict(zip(stale, tokens_stale)), tokens_added)
        keywords = KeywordIndex.from_counts(counts, words, romanise, tokenizer=tokenizer, known_pinyin=previous.pinyin,
                                            translate=corpus_senses)
    else:
        keywords = KeywordIndex.from_tokens(tokens_added, words, romanise, tokenizer=tokenizer, translate=corpus_senses)
    stage.end()

    stage = _Stage(progress, "save", passages)
    added_state = [PassageState(p, f, b.tobytes()) for p, f, b in zip(phrases_added, folded_added, added_bands)]
    state = BuildState(pipeline, plan.sources, added_state, dropped)
    manifest = Manifest(
        model=embedder.name, dimension=embedder.dimension, documents=len(plan.doc_ids), passages=passages,
        vector_index=vector_index.kind, built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        skipped=[{"path": s.path, "reason": s.reason} for s in plan.skipped],
        duplicates_dropped=plan.dropped_kept + len(dropped),
        embedded_text=EMBEDDED_TEXT, runtime=embedder.runtime, precision=embedder.precision,
    )
    if incremental and previous is not None:
        records = previous.records
        read = {d.doc_id: d for d in plan.documents}

        def owner(doc_id: str) -> Document:
            found = read.get(doc_id) or records.document(doc_id)
            assert found is not None, "a kept report is in the previous version"
            return found

        def document(i: int) -> Document:
            return owner(plan.doc_ids[i])

        years = [passage_years(c, owner(c.doc_id), f) for c, f in zip(added, folded_added)]
        update = RecordsUpdate(current_version(index_dir) / PASSAGES_FILE, kept_rows, plan.doc_ids, plan.documents,
                               added, years)

        def chunk(i: int) -> Chunk:
            return records.chunks[kept_rows[i]] if i < len(kept_rows) else added[i - len(kept_rows)]

        stored = StoredIndex(manifest, LazySequence(len(plan.doc_ids), document), LazySequence(passages, chunk), vector_index,
                             keywords, state=state, update=update)
    else:
        memory = MemoryRecords(plan.documents, added, folded=folded_added, folded_texts=texts_added)
        stored = StoredIndex(manifest, plan.documents, added, vector_index, keywords, memory, state)
    save_index(index_dir, stored, publish=publish)
    stage.end()
    return BuildReport(index_dir, len(plan.doc_ids), passages, tuple(plan.skipped), manifest.duplicates_dropped,
                       reused, vector_index.kind, time.perf_counter() - started, reports_reused=plan.reused,
                       reports_new=plan.new, reports_changed=plan.changed, reports_deleted=plan.deleted,
                       vectors_appended=appended)


def _kept_places(records: SqliteRecords, kept_rows: Sequence[int], kept_docs: set[str]) -> list[str]:
    """Places of the kept reports and of the kept passages, from the previous version's tables."""
    kept = np.zeros(len(records.chunks), dtype=bool)
    kept[np.asarray(kept_rows, dtype=np.int64)] = True
    return sorted(records.places_of(kept_docs, kept))


def counts_after(counts: TermCounts, kept_rows: Sequence[int], again: dict[int, Sequence[str]],
                 added: Sequence[Sequence[str]]) -> TermCounts:
    """Term counts of an incremental build: the kept rows' previous counts, except those tokenised again, then the added.

    again: new tokens of kept passages by their position among the kept rows.
    """
    kept = np.asarray(kept_rows, dtype=np.int64)
    placed = np.full(counts.passages, -1, dtype=np.int64)
    placed[kept] = np.arange(len(kept))
    positions = np.asarray(sorted(again), dtype=np.int64)
    placed[kept[positions]] = -1
    return merge_counts([(counts, placed), (count_terms([again[int(i)] for i in positions]), positions),
                         (count_terms(added), np.arange(len(kept), len(kept) + len(added)))], len(kept) + len(added))


def _vectors_by_text(previous: _Previous, doc_ids: set[str] | None) -> dict[str, npt.NDArray[np.float32]]:
    """Vectors of the previous version by embedded text (of these reports' passages, or of all), for reuse."""
    records = previous.records
    if doc_ids is None:  # every passage: read a page at a time
        chunks = list(records.chunks)
        rows = list(range(len(chunks)))
    else:
        rows = sorted(r for d in doc_ids for r in records.rows_of(d))
        chunks = [records.chunks[r] for r in rows]
    if not rows:
        return {}
    vectors = previous.vectors.vectors(rows)
    return {index_text(c): vectors[i] for i, c in enumerate(chunks)}
