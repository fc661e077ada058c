"""The milvus backend: passages, vectors and a BM25 full-text field in a Milvus collection (the only pymilvus import).

One collection per index version (named after the version folder that CURRENT points at), so a
build fills the new collection before the switch and readers keep the one they opened. The same
code talks to Milvus Lite (a local .db file, used by the tests) and to a Milvus server or cluster
(an http:// URI). Milvus proposes candidates; the project's own ranking (fusion, places, best
sentences, abstention) runs on them unchanged, behind index/search/protocols.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pymilvus import DataType, Function, FunctionType, MilvusClient, MilvusException

from index.chunk.cut import index_text
from index.text.clean import fold
from index.errors import IndexMissingError, QaError
from index.keywords.keyword_index import STOPWORDS, KeywordIndex
from index.store.folder import REBUILD, StoredIndex
from index.store.vectors import HNSW_EF_CONSTRUCTION, HNSW_LINKS, ef_search

logger = logging.getLogger(__name__)

PREFIX = "passages_"
# Rows per insert call: well under Milvus' 64 MB gRPC message limit with 384-dimensional vectors and
# 400-character passages (about 4 KB a row).
INSERT_BATCH = 2_000
# Longest folded passage text kept in the full-text field, in bytes (UTF-8 Chinese is 3 bytes a character;
# passages are at most a few hundred characters, headings included).
TEXT_BYTES = 8_192
# HNSW parameters are the local index's own (index/store/vectors.py), so both backends trade recall alike.


class MilvusError(QaError):
    """Milvus could not be reached or refused a request."""


def collection_name(version: str) -> str:
    """The collection holding one index version ("v-20261126T…-123" -> "passages_v_20261126T…_123")."""
    return PREFIX + re.sub(r"\W", "_", version)


def analyzer(words: Sequence[str]) -> dict[str, object]:
    """Milvus' jieba analyzer set up as keyword.py's tokenizer: search mode, corpus terms whole, no stopwords."""
    # On a Milvus server a "dict" replaces jieba's own dictionary unless "_default_" is listed, and
    # punctuation comes out as tokens unless "removepunct" drops it. Milvus Lite 3.2 ignores both: it adds
    # the words to jieba's dictionary, and keeps punctuation tokens, which only lengthen every passage alike.
    return {"tokenizer": {"type": "jieba", "mode": "search", "hmm": True, "dict": ["_default_", *sorted(words)]},
            "filter": ["removepunct", {"type": "stop", "stop_words": sorted(STOPWORDS)}]}


class MilvusStore:
    """A connection to Milvus (Lite file or server) that writes and opens index versions."""

    def __init__(self, uri: str) -> None:
        if "://" not in uri:
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        self.uri = uri
        try:
            self._client = MilvusClient(uri)
        except MilvusException as error:
            busy = "" if "://" in uri else (
                "（Milvus Lite 文件同一时间只能由一个进程打开：是否有建索引或机器人正在使用它？）"
                " A Milvus Lite file is open in one process at a time: is a build or the bot using it?")
            raise MilvusError(f"无法连接 Milvus（{uri}）：{error.message}{busy} Cannot reach Milvus at {uri}.") from error

    def close(self) -> None:
        """Closes the connection; a Milvus Lite file is released for other processes."""
        self._client.close()
        if "://" not in self.uri:
            # Milvus Lite runs in this process and holds its file until stopped, not when the client closes.
            from milvus_lite import server_manager_instance

            server_manager_instance.release_server(self.uri)

    def collections(self) -> list[str]:
        """The index versions' collections in this Milvus, by name."""
        return sorted(n for n in self._client.list_collections() if n.startswith(PREFIX))

    def write(self, version: str, stored: StoredIndex, *, exact_max: int) -> str:
        """Stores every passage of a built index (text, vector, BM25 field) as the given version; returns its name."""
        name = collection_name(version)
        if self._client.has_collection(name):
            self._client.drop_collection(name)
        schema = self._client.create_schema(auto_id=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
        schema.add_field("chunk_id", DataType.VARCHAR, max_length=512)
        schema.add_field("text", DataType.VARCHAR, max_length=TEXT_BYTES, enable_analyzer=True,
                         analyzer_params=analyzer(stored.keywords.words))
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=stored.manifest.dimension)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
        indexes = self._client.prepare_index_params()
        if len(stored.chunks) <= exact_max:
            indexes.add_index("vector", index_type="FLAT", metric_type="IP")
        else:
            indexes.add_index("vector", index_type="HNSW", metric_type="IP",
                              params={"M": HNSW_LINKS, "efConstruction": HNSW_EF_CONSTRUCTION})
        indexes.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self._client.create_collection(name, schema=schema, index_params=indexes)
        vectors = stored.vectors.vectors(range(len(stored.chunks)))
        for start in range(0, len(stored.chunks), INSERT_BATCH):
            rows = range(start, min(start + INSERT_BATCH, len(stored.chunks)))
            self._client.insert(name, [
                {"row": row, "doc_id": stored.chunks[row].doc_id, "chunk_id": stored.chunks[row].chunk_id,
                 "text": _clip(fold(index_text(stored.chunks[row]))), "vector": vectors[row].tolist()}
                for row in rows
            ])
        self._client.flush(name)
        self._client.load_collection(name)
        return name

    def publisher(self, *, exact_max: int) -> Callable[[str, StoredIndex], None]:
        """The build's publish step (index/build/builder.py): each new version written here before the switch."""
        def publish(version: str, stored: StoredIndex) -> None:
            self.write(version, stored, exact_max=exact_max)
        return publish

    def keep_only(self, versions: Sequence[str]) -> list[str]:
        """Drops the collections of index versions no longer kept on disk; returns their names."""
        keep = {collection_name(v) for v in versions}
        dropped = [n for n in self.collections() if n not in keep]
        for name in dropped:
            self._client.drop_collection(name)
        return dropped

    def open(self, version: str, keywords: KeywordIndex, *, passages: int) -> tuple[MilvusVectors, MilvusKeywords]:
        """Vector and keyword search over one index version's collection, checked against its passage count."""
        name = collection_name(version)
        if not self._client.has_collection(name):
            raise IndexMissingError(
                f"Milvus（{self.uri}）中没有索引版本 {version} 的集合，请运行 {REBUILD}（backend = \"milvus\"）。"
                f"No Milvus collection for index version {version} at {self.uri}: run {REBUILD} with the milvus backend."
            )
        self._client.load_collection(name)
        count = int(self._client.get_collection_stats(name).get("row_count", -1))
        if count != passages:
            raise IndexMissingError(
                f"Milvus 集合 {name} 有 {count} 条，索引有 {passages} 段，请运行 {REBUILD}。"
                f"The Milvus collection holds {count} passages, the index {passages}: run {REBUILD}."
            )
        return MilvusVectors(self._client, name, passages), MilvusKeywords(self._client, name, keywords)


def _clip(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= TEXT_BYTES else data[:TEXT_BYTES].decode("utf-8", errors="ignore")


def _in_rows(rows: Sequence[int]) -> str:
    return f"row in [{','.join(str(int(r)) for r in rows)}]"


class MilvusVectors:
    """VectorSearch over a collection's dense field: inner product of normalised vectors (cosine)."""

    def __init__(self, client: MilvusClient, name: str, passages: int) -> None:
        self._client = client
        self._name = name
        self._passages = passages

    def __len__(self) -> int:
        return self._passages

    def search(self, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """Top-k (row, cosine) for one normalised query vector."""
        if self._passages == 0:
            return []
        found = self._client.search(
            self._name, data=[query.astype(np.float32).tolist()], anns_field="vector", limit=min(k, self._passages),
            search_params={"metric_type": "IP", "params": {"ef": max(ef_search(self._passages), k)}}, output_fields=[],
        )
        return [(int(hit["row"]), float(hit["distance"])) for hit in found[0]]

    def scores(self, query: npt.NDArray[np.float32], rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """Exact cosine of the query with the given rows (their stored vectors, fetched by key)."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return self.vectors(rows) @ query.astype(np.float32)

    def vectors(self, rows: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored vectors of the given rows, fetched by key."""
        got = self._client.get(self._name, ids=[int(r) for r in rows], output_fields=["vector"])
        by_row = {int(r["row"]): r["vector"] for r in got}
        return np.asarray([by_row[int(r)] for r in rows], dtype=np.float32)


class MilvusKeywords:
    """KeywordSearch whose BM25 ranking is Milvus' full-text search; word statistics come from the local index.

    Milvus' API returns BM25 hits but not per-term document frequencies, and the searcher weighs the
    question's words by them (coverage, abstention), so idf and the tokenizer stay the project's own.
    """

    def __init__(self, client: MilvusClient, name: str, local: KeywordIndex) -> None:
        self._client = client
        self._name = name
        self._local = local

    @property
    def words(self) -> Sequence[str]:
        """Corpus terms kept whole."""
        return self._local.words

    @property
    def romanised(self) -> Mapping[str, Sequence[str]]:
        """Pinyin -> corpus words."""
        return self._local.romanised

    @property
    def english(self) -> Mapping[str, Sequence[str]]:
        """English word stem -> corpus words."""
        return self._local.english

    def tokens(self, folded: str) -> list[str]:
        """The project's tokens of a folded text."""
        return self._local.tokens(folded)

    def idf(self, token: str) -> float:
        """Inverse document frequency in this corpus."""
        return self._local.idf(token)

    def max_idf(self) -> float:
        """The weight of a token in a single passage."""
        return self._local.max_idf()

    def general_idf(self, token: str) -> float:
        """Specificity in Chinese at large."""
        return self._local.general_idf(token)

    def search(self, tokens: Sequence[str], k: int,
               allowed: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """Top-k (row, BM25 score) from Milvus for the query's words, optionally only among allowed rows."""
        known = [t for t in tokens if self._local.idf(t) > 0]
        if not known:
            return []
        rows = None if allowed is None else np.flatnonzero(allowed).tolist()
        if rows is not None and not rows:
            return []
        # Milvus analyses the query text itself; the known words, space-separated, give its jieba the same words.
        found = self._client.search(
            self._name, data=[" ".join(known)], anns_field="sparse", limit=k,
            search_params={"metric_type": "BM25"}, output_fields=[],
            filter="" if rows is None else _in_rows(rows),
        )
        # Best first either way; Milvus Lite 3.2 reports the BM25 score negated (a distance), a Milvus server
        # as it is. Only the order is used by the searcher.
        return [(int(hit["row"]), abs(float(hit["distance"]))) for hit in found[0] if float(hit["distance"]) != 0]
