"""Builds an index folder from a corpus folder: ingest → clean → chunk → de-duplicate → embed → store."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Sequence
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
from index.glossary import GLOSSARY
from index.ingest import read_corpus
from index.keyword import KeywordIndex
from index.meta import documents_from_source
from index.places import find_places, place_aliases
from index.query import quoted_phrases, romanise
from index.records import Chunk, Document, Skipped
from index.store import Manifest, StoredIndex, load_passages, save_index
from index.vector import VectorIndex

logger = logging.getLogger(__name__)


class EmptyCorpusError(QaError):
    """The corpus folder holds no readable report."""


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


def prepare_documents(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    """Reads and cleans every report; a file that fails is skipped with its reason, the rest go on."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for item in read_corpus(corpus_dir):
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
            skipped.append(Skipped(item.path, "no text left after removing site navigation and spam"))
            continue
        documents.extend(found)
    return documents, skipped


def main_places(document: Document) -> tuple[str, ...]:
    """The places a report is about, not every place it mentions in passing.

    A place counts when the title names it or the text names it often: at least twice and at least a
    quarter as often as the most-named place. 000's forum in 天府新区 names 杭州市 once, as a guest's home.
    """
    heading = fold(f"{document.title} {document.subtitle}")
    body = fold(document.text)
    mentions = {p: max(body.count(fold(a)) for a in place_aliases(p) if len(a) >= 2) for p in document.places}
    if not any(mentions.values()):
        return document.places  # given by a sidecar, not found in the text: trust it
    floor = max(2, max(mentions.values()) / 4)
    return tuple(
        p for p in document.places
        if mentions[p] >= floor or any(fold(a) in heading for a in place_aliases(p) if len(a) >= 2)
    )


EMBEDDED_TEXT = "section+text"  # recorded in the manifest; change it whenever index_text() changes


def chunk_corpus(documents: Sequence[Document], *, max_chars: int, min_chars: int) -> list[Chunk]:
    """Passages of all reports, each knowing the places it and its report are about."""
    chunks = []
    for document in documents:
        for chunk in chunk_document(document, max_chars=max_chars, min_chars=min_chars):
            own = find_places(f"{chunk.section}\n{chunk.text}")
            places = tuple(dict.fromkeys((*own, *document.places)))
            chunks.append(dataclasses.replace(chunk, places=places))
    return chunks


def corpus_terms(documents: Iterable[Document], chunks: Iterable[Chunk]) -> set[str]:
    """Words jieba must keep whole: places and their short forms, quoted practice names, glossary terms."""
    terms: set[str] = set()
    for place in {p for d in documents for p in d.places} | {p for c in chunks for p in c.places}:
        terms.update(fold(alias) for alias in place_aliases(place))
    for chunk in chunks:
        terms.update(quoted_phrases(fold(chunk.text)))
    for chinese in GLOSSARY.values():
        terms.update(chinese)
    return {t for t in terms if 2 <= len(t) <= 12}


def _previous_vectors(index_dir: Path, model: str) -> dict[str, npt.NDArray[np.float32]]:
    """Vectors of the index being replaced, by passage text, so an unchanged passage is not re-embedded."""
    try:
        manifest, chunks, stored = load_passages(index_dir, model=model)
    except (IndexMissingError, IndexMismatchError):
        return {}
    except Exception:  # a damaged old index only costs re-embedding
        logger.warning("could not reuse vectors of %s", index_dir, exc_info=True)
        return {}
    if manifest.embedded_text != EMBEDDED_TEXT:
        return {}
    vectors = stored.vectors(range(len(chunks)))
    return {index_text(c): vectors[i] for i, c in enumerate(chunks)}


def embed_passages(embedder: Embedder, texts: Sequence[str], reuse: dict[str, npt.NDArray[np.float32]],
                   progress: Callable[[int, int], None] | None = None,
                   batch: int = 256) -> tuple[npt.NDArray[np.float32], int]:
    """Vectors for all texts, taking unchanged ones from reuse; returns them and how many were reused."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    todo = []
    for i, text in enumerate(texts):
        if text in reuse and reuse[text].shape == (embedder.dimension,):
            vectors[i] = reuse[text]
        else:
            todo.append(i)
    for done in range(0, len(todo), batch):
        rows = todo[done:done + batch]
        vectors[rows] = embedder.encode_passages([texts[i] for i in rows])
        if progress:
            progress(min(done + batch, len(todo)), len(todo))
    return vectors, len(texts) - len(todo)


def build_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, max_chars: int, min_chars: int,
                exact_search_max: int, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Builds and atomically installs the index; the previous index keeps serving until then."""
    started = time.perf_counter()
    if not corpus_dir.is_dir():
        raise EmptyCorpusError(f"corpus folder {corpus_dir} does not exist")
    documents, skipped = prepare_documents(corpus_dir)
    documents = [dataclasses.replace(d, places=main_places(d)) for d in documents]
    if not documents:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped) or "no files"
        raise EmptyCorpusError(f"no readable report in {corpus_dir} ({reasons})")
    chunks, dropped = collapse_near_duplicates(
        chunk_corpus(documents, max_chars=max_chars, min_chars=min_chars), key=fold
    )
    vectors, reused = embed_passages(embedder, [index_text(c) for c in chunks],
                                     _previous_vectors(index_dir, embedder.name), progress)
    vector_index = VectorIndex.build(vectors, exact_max=exact_search_max)
    keywords = KeywordIndex.build([fold(index_text(c)) for c in chunks], corpus_terms(documents, chunks),
                                  romanise=romanise)
    manifest = Manifest(
        model=embedder.name, dimension=embedder.dimension, documents=len(documents), passages=len(chunks),
        vector_index=vector_index.kind, built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        skipped=[{"path": s.path, "reason": s.reason} for s in skipped], duplicates_dropped=len(dropped),
        embedded_text=EMBEDDED_TEXT,
    )
    save_index(index_dir, StoredIndex(manifest, documents, chunks, vector_index, keywords))
    return BuildReport(index_dir, len(documents), len(chunks), tuple(skipped), len(dropped), reused,
                       vector_index.kind, time.perf_counter() - started)
