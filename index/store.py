"""The index folder on disk: manifest, reports, passages, vectors and keyword index.

Layout (format 1):
    manifest.json      format version, model name and dimension, counts, skipped files
    documents.jsonl    one Document per line (with its cleaned text, for surrounding context)
    chunks.jsonl       one Chunk per line, in row order of the vector and keyword indexes
    vectors/           FAISS index (vector.py)
    keywords/          BM25 matrices and corpus terms (keyword.py)
A build writes a sibling folder and swaps it in only when complete, so a reader never sees half an index.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexMismatchError, IndexMissingError
from index.keyword import KeywordIndex
from index.records import Chunk, Document
from index.vector import VectorIndex

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an index folder holds and how it was built."""

    model: str
    dimension: int
    documents: int
    passages: int
    vector_index: str
    built_at: str
    skipped: list[dict[str, str]] = field(default_factory=list)
    duplicates_dropped: int = 0
    embedded_text: str = ""  # how a passage became the text that was embedded; vectors are reused only if equal
    format_version: int = FORMAT_VERSION


@dataclass(slots=True)
class StoredIndex:
    """Everything a loaded index folder holds."""

    manifest: Manifest
    documents: list[Document]
    chunks: list[Chunk]
    vectors: VectorIndex
    keywords: KeywordIndex


def _write_jsonl(path: Path, records: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(dataclasses.asdict(record), ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def save_index(folder: Path, stored: StoredIndex) -> None:
    """Write an index folder atomically: the old folder serves until the new one is complete."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _write_jsonl(staging / "documents.jsonl", stored.documents)
        _write_jsonl(staging / "chunks.jsonl", stored.chunks)
        stored.vectors.save(staging / "vectors")
        stored.keywords.save(staging / "keywords")
        # The manifest goes last: a folder without one is never mistaken for an index.
        manifest = json.dumps(dataclasses.asdict(stored.manifest), ensure_ascii=False, indent=2)
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an index folder, or IndexMissingError saying how to build one."""
    path = folder / MANIFEST
    if not path.is_file():
        raise IndexMissingError(
            f"在 {folder} 没有找到索引。请先运行 `make run` 或 `python -m index build` 建立索引。"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{folder} 的索引格式版本为 {data.get('format_version')}，本程序需要 {FORMAT_VERSION}。"
            "请运行 `python -m index build` 重建索引。"
        )
    return Manifest(**data)


def _documents(folder: Path) -> list[Document]:
    return [Document(**{**d, "places": tuple(d["places"])}) for d in _read_jsonl(folder / "documents.jsonl")]


def _chunks(folder: Path) -> list[Chunk]:
    return [Chunk(**{**c, "places": tuple(c["places"])}) for c in _read_jsonl(folder / "chunks.jsonl")]


def read_documents(folder: Path) -> list[Document]:
    """The reports of an index folder, without loading its search indexes."""
    read_manifest(folder)
    return _documents(folder)


def read_chunks(folder: Path) -> list[Chunk]:
    """The passages of an index folder, in row order, without loading its search indexes."""
    read_manifest(folder)
    return _chunks(folder)


def load_passages(folder: Path, *, model: str | None = None) -> tuple[Manifest, list[Chunk], VectorIndex]:
    """Manifest, passages and their vectors, without the reports or the keyword index (for rebuilds)."""
    manifest = read_manifest(folder)
    if model is not None and manifest.model != model:
        raise IndexMismatchError(
            f"索引是用模型 {manifest.model} 建立的，而当前设置的模型是 {model}。"
            "请运行 `python -m index build` 用当前模型重建索引，或把 embedding_model 改回原来的模型。"
        )
    chunks = _chunks(folder)
    vectors = VectorIndex.load(folder / "vectors")
    if len(vectors) != len(chunks) or vectors.dimension != manifest.dimension:
        raise IndexMismatchError(f"{folder} 的索引文件不完整（向量与段落数目不符），请重建索引。")
    return manifest, chunks, vectors


def load_index(folder: Path, *, model: str | None = None) -> StoredIndex:
    """Load an index folder; with model given, refuse an index built with another model."""
    manifest, chunks, vectors = load_passages(folder, model=model)
    return StoredIndex(manifest, _documents(folder), chunks, vectors, KeywordIndex.load(folder / "keywords"))
