"""Builds an index folder from a corpus folder: ingest → clean → chunk → de-duplicate → embed → store."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.chunk import chunk_document, index_text
from index.clean import fold
from index.dedupe import collapse_near_duplicates
from index.embed import Embedder
from index.errors import IndexMismatchError, IndexMissingError, QaError
from index.ingest import ReadLimits, read_corpus
from index.keyword import KeywordIndex, corpus_terms
from index.meta import documents_from_source
from index.places import main_places, passage_places
from index.gazetteer import romanise
from index.records import Chunk, Document, Skipped
from index.store import Manifest, StoredIndex, build_lock, load_passages, save_index
from index.vector import VectorIndex

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


FURNITURE_ONLY = "all text removed as site furniture (navigation, credits, spam)"


def prepare_documents(corpus_dir: Path, progress: Callable[[int], None] | None = None,
                      limits: ReadLimits | None = None) -> tuple[list[Document], list[Skipped]]:
    """Reads and cleans every report; a file that fails is skipped with its reason, the rest go on."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for done, item in enumerate(read_corpus(corpus_dir, limits), 1):
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
# Passages handed to the embedder per call: one progress step, about 10 s on 2 CPU cores.
PASSAGES_PER_CALL = 256


def chunk_corpus(documents: Sequence[Document], *, max_chars: int, min_chars: int,
                 progress: Callable[[int], None] | None = None) -> list[Chunk]:
    """Passages of all reports, each knowing the places it and its report are about."""
    chunks = []
    for done, document in enumerate(documents, 1):
        for chunk in chunk_document(document, max_chars=max_chars, min_chars=min_chars):
            chunks.append(dataclasses.replace(chunk, places=passage_places(chunk, document.places)))
        if progress:
            progress(done)
    return chunks


def _previous_vectors(index_dir: Path, embedder: Embedder) -> dict[str, npt.NDArray[np.float32]]:
    """Vectors of the index being replaced, by passage text, so an unchanged passage is not re-embedded."""
    try:
        manifest, chunks, stored = load_passages(index_dir, model=embedder.name)
    except (IndexMissingError, IndexMismatchError):
        return {}
    except QaError as error:  # damaged: the new build replaces it, only re-embedding costs more
        logger.warning("not reusing vectors: %s", error)
        return {}
    except Exception:  # a damaged old index only costs re-embedding
        logger.warning("could not reuse vectors of %s", index_dir, exc_info=True)
        return {}
    if manifest.embedded_text != EMBEDDED_TEXT or manifest.precision != embedder.precision:
        return {}
    vectors = stored.vectors(range(len(chunks)))
    return {index_text(c): vectors[i] for i, c in enumerate(chunks)}


def embed_passages(embedder: Embedder, texts: Sequence[str], reuse: dict[str, npt.NDArray[np.float32]],
                   progress: Callable[[int, int], None] | None = None) -> tuple[npt.NDArray[np.float32], int]:
    """Vectors for all texts, taking unchanged ones from reuse; returns them and how many were reused.

    The rest go to the embedder longest first, a few batches per call, so every batch holds passages
    of about one length (little padding) and progress(done, total) is heard every few batches.
    """
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    todo = []
    for i, text in enumerate(texts):
        if text in reuse and reuse[text].shape == (embedder.dimension,):
            vectors[i] = reuse[text]
        else:
            todo.append(i)
    todo.sort(key=lambda i: -len(texts[i]))
    per_call = max(PASSAGES_PER_CALL, 4 * embedder.batch_size)
    for done in range(0, len(todo), per_call):
        rows = todo[done:done + per_call]
        vectors[rows] = embedder.encode_passages([texts[i] for i in rows])
        if progress:
            progress(min(done + per_call, len(todo)), len(todo))
    return vectors, len(texts) - len(todo)


def build_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, max_chars: int, min_chars: int,
                exact_search_max: int, vector_kind: str = "auto", progress: Progress | None = None,
                limits: ReadLimits | None = None, publish: Publish | None = None) -> BuildReport:
    """Builds and atomically installs the index; the previous index keeps serving until then.

    progress, if given, hears the start, steps and end of every stage in STAGES; publish, if given,
    also stores the new version in another backend before the switch (see save_index).
    """
    with build_lock(index_dir):  # a second build exits with a message instead of racing this one
        return _build(corpus_dir, index_dir, embedder, max_chars=max_chars, min_chars=min_chars,
                      exact_search_max=exact_search_max, vector_kind=vector_kind, progress=progress,
                      limits=limits, publish=publish)


def _build(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, max_chars: int, min_chars: int,
           exact_search_max: int, vector_kind: str, progress: Progress | None, limits: ReadLimits | None,
           publish: Publish | None) -> BuildReport:
    started = time.perf_counter()
    if not corpus_dir.is_dir():
        raise EmptyCorpusError(f"corpus folder {corpus_dir} does not exist")
    stage = _Stage(progress, "read", 0)
    documents, skipped = prepare_documents(corpus_dir, stage.step, limits)
    documents = [dataclasses.replace(d, places=main_places(d)) for d in documents]
    stage.end()
    if not documents:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped) or "no files"
        raise EmptyCorpusError(f"no readable report in {corpus_dir} ({reasons})")
    stage = _Stage(progress, "chunk", len(documents))
    passages = chunk_corpus(documents, max_chars=max_chars, min_chars=min_chars, progress=stage.step)
    stage.end()
    stage = _Stage(progress, "de-duplicate", len(passages))
    chunks, dropped = collapse_near_duplicates(passages, key=fold)
    stage.end()
    texts = [index_text(c) for c in chunks]
    stage = _Stage(progress, "embed", len(texts))
    vectors, reused = embed_passages(embedder, texts, _previous_vectors(index_dir, embedder),
                                     lambda done, total: stage.step(done, total))
    stage.end(len(texts) - reused)
    stage = _Stage(progress, "vector index", len(chunks))
    vector_index = VectorIndex.build(vectors, exact_max=exact_search_max, kind=vector_kind)
    stage.end()
    stage = _Stage(progress, "keyword index", len(chunks))
    folded = [fold(t) for t in texts]
    vocabulary = corpus_terms([*(p for d in documents for p in d.places), *(p for c in chunks for p in c.places)],
                              (fold(c.text) for c in chunks))
    keywords = KeywordIndex.build(folded, vocabulary, romanise=romanise, progress=stage.step)
    stage.end()
    stage = _Stage(progress, "save", len(chunks))
    manifest = Manifest(
        model=embedder.name, dimension=embedder.dimension, documents=len(documents), passages=len(chunks),
        vector_index=vector_index.kind, built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        skipped=[{"path": s.path, "reason": s.reason} for s in skipped], duplicates_dropped=len(dropped),
        embedded_text=EMBEDDED_TEXT, runtime=embedder.runtime, precision=embedder.precision,
    )
    save_index(index_dir, StoredIndex(manifest, documents, chunks, vector_index, keywords), publish=publish)
    stage.end()
    return BuildReport(index_dir, len(documents), len(chunks), tuple(skipped), len(dropped), reused,
                       vector_index.kind, time.perf_counter() - started)
