"""The default runtime for the bundled model (the only onnxruntime and sentencepiece code): no torch in the process."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import sentencepiece

from index.errors import ModelMissingError
from index.model.folder import (
    ONNX_GRAPHS,
    ONNX_INPUTS,
    ONNX_OUTPUT,
    QUESTION_INT8_GRAPH,
    SENTENCEPIECE_MODEL,
    WORD_EMBEDDINGS,
    missing_model_message,
    model_name,
    read_prompts,
    token_batches,
)

logger = logging.getLogger(__name__)

# Tokens per text when the folder does not say (sentence_bert_config.json's max_seq_length).
_DEFAULT_MAX_TOKENS = 512


class PieceTokenizer:
    """The bundled model's tokenizer on the sentencepiece library, giving exactly tokenizer.json's ids.

    One difference needs mending: tokenizer.json keeps a "▁" token for whitespace that ends a text
    ("社区 " -> 社区 ▁), where SentencePiece strips it; the test against tokenizers on the corpus checks it.
    """

    def __init__(self, path: Path, max_tokens: int) -> None:
        self._pieces = sentencepiece.SentencePieceProcessor(model_file=str(path))
        self.pad_id = self._pieces.piece_to_id("<pad>")
        self._bos, self._eos = self._pieces.bos_id(), self._pieces.eos_id()
        self._space = self._pieces.piece_to_id("▁")
        self._max_content = max_tokens - 2  # <s> and </s> count towards the model's limit

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text with <s> and </s>, truncated to the model's length."""
        # Its thread pool pays off for a build's batches. A list, even of one text and with one thread,
        # costs 0.15-0.3 ms of set-up; one string at a time costs 2 µs each (a question's 1-3 texts).
        if len(texts) < 64:
            rows = [self._pieces.encode(text) for text in texts]
        else:
            rows = self._pieces.encode(list(texts), num_threads=-1)
        out = []
        for text, ids in zip(texts, rows):
            # Normalising "a" + text + "a" shows whether text ends in whitespace after normalisation
            # (full-width spaces, line ends and zero-width marks all count), without stripping it.
            if text and self._pieces.normalize("a" + text + "a").endswith("▁a"):
                ids.append(self._space)
            out.append([self._bos, *ids[:self._max_content], self._eos])
        return out


class WordTable:
    """Rows of the provisioned word-embedding table (a float32 .npy), read from the file as they are needed.

    Memory-mapped, the table left an answering process resident in 267 MB of it after the 97 grown-set
    questions: every page fault maps the neighbouring pages too (the kernel's read-ahead and
    fault-around), so a few rows cost 64 KB or more each. os.pread copies just the rows asked for out of
    the page cache: a question's 20 tokens take about 35 µs, 32 passages' 4,800 about 9 ms (against
    about a second to embed them).
    """

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            version = np.lib.format.read_magic(file)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = read_header(file)
            self._offset = file.tell()
        if len(shape) != 2 or fortran_order or dtype != np.dtype("<f4"):
            raise ValueError(f"{path}: expected a 2-D little-endian float32 table, found {dtype} {shape}")
        self.rows, self.width = int(shape[0]), int(shape[1])
        self._row_bytes = self.width * 4
        if path.stat().st_size < self._offset + self.rows * self._row_bytes:
            raise ValueError(f"{path} is shorter than its {self.rows} x {self.width} table: the file is damaged")
        self._fd = os.open(path, os.O_RDONLY)

    def __getitem__(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """The rows of ids, shaped [*ids.shape, width]."""
        unique, inverse = np.unique(ids, return_inverse=True)
        found = np.empty((len(unique), self.width), dtype=np.float32)
        for at, token in enumerate(unique.tolist()):
            if not 0 <= token < self.rows:
                raise IndexError(f"token id {token} outside the word table's {self.rows} rows")
            found[at] = np.frombuffer(os.pread(self._fd, self._row_bytes, self._offset + token * self._row_bytes),
                                      dtype="<f4")
        return found[inverse.reshape(-1)].reshape(*ids.shape, self.width)

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)


class OnnxEmbedder:
    """Embedder over the provisioned ONNX graphs of the bundled model, tokenised by sentencepiece.

    Passages run through the precision's graph; questions too, except that against float32 passages
    they run with int8 arithmetic over the same 4-bit weights unless question_arithmetic is "float32"
    (index/model/onnx_graphs.py, write_float32). Each graph is loaded when first used, so an answering process
    never holds the passages' graph.
    """

    runtime = "onnx"

    def __init__(self, model_dir: Path, *, precision: str = "int8", query_prompt: str | None = None,
                 passage_prompt: str | None = None, batch_size: int = 16, threads: int = 0,
                 question_arithmetic: str = "float32") -> None:
        if precision not in ONNX_GRAPHS:
            raise ModelMissingError(missing_model_message(str(model_dir)))
        passage_graph = model_dir / ONNX_GRAPHS[precision]
        int8_questions = precision == "float32" and question_arithmetic == "int8"
        question_graph = model_dir / QUESTION_INT8_GRAPH if int8_questions else passage_graph
        needed = (passage_graph, question_graph, model_dir / WORD_EMBEDDINGS, model_dir / SENTENCEPIECE_MODEL)
        if not all(path.is_file() for path in needed):
            raise ModelMissingError(missing_model_message(str(model_dir)))
        self._graphs = {"passage": passage_graph, "question": question_graph}
        self._sessions: dict[Path, ort.InferenceSession] = {}
        try:
            self._word_vectors = WordTable(model_dir / WORD_EMBEDDINGS)
        except ValueError as damaged:
            raise ModelMissingError(f"{damaged}. 请运行 `reports-qa provision --force` 重新生成模型文件夹。") from damaged
        self.name = model_name(str(model_dir), model_dir)
        self.precision = precision
        self.question_arithmetic = "int8" if precision == "int8" or int8_questions else "float32"
        self.batch_size = batch_size
        self._threads = threads
        self._tokenizer = PieceTokenizer(model_dir / SENTENCEPIECE_MODEL, _max_tokens(model_dir))
        self.dimension = self._word_vectors.width  # e5 pools the last hidden states: the word vectors' width
        prompts = read_prompts(model_dir)
        self.query_prompt = query_prompt if query_prompt is not None else prompts.get("query", "")
        if passage_prompt is None:
            passage_prompt = prompts.get("document") or prompts.get("passage") or prompts.get("corpus") or ""
        self.passage_prompt = passage_prompt
        logger.info("loaded %s (%d dims) on ONNX Runtime, %s weights, %s arithmetic for questions, %d threads",
                    self.name, self.dimension, precision, self.question_arithmetic, threads or os.cpu_count() or 1)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for questions, one row per text."""
        return self._encode(self._session("question"), [self.query_prompt + t for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for passages, one row per text."""
        return self._encode(self._session("passage"), [self.passage_prompt + t for t in texts])

    def _session(self, side: str) -> ort.InferenceSession:
        graph = self._graphs[side]
        if graph not in self._sessions:
            options = ort.SessionOptions()
            # 0 lets ONNX Runtime use one thread per physical core, which is what a build wants.
            options.intra_op_num_threads = self._threads
            options.log_severity_level = 3  # its shape-merge notices are not for people running the assistant
            self._sessions[graph] = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        return self._sessions[graph]

    def _encode(self, session: ort.InferenceSession, texts: list[str]) -> npt.NDArray[np.float32]:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        encodings = self._tokenizer.encode(texts)
        for rows in token_batches([len(e) for e in encodings], self.batch_size):
            ids, mask = padded([encodings[r] for r in rows], self._tokenizer.pad_id)
            words = self._word_vectors[ids]
            vectors[rows] = session.run([ONNX_OUTPUT], dict(zip(ONNX_INPUTS, (words, mask))))[0]
        return vectors


def padded(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Token ids of a batch padded to its longest row, and its attention mask (the graphs' inputs, ids not yet looked up)."""
    width = max(len(row) for row in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for at, row in enumerate(rows):
        ids[at, :len(row)] = row
        mask[at, :len(row)] = 1
    return ids, mask


def _max_tokens(model_dir: Path) -> int:
    try:
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or _DEFAULT_MAX_TOKENS)
    except (OSError, ValueError, TypeError):
        return _DEFAULT_MAX_TOKENS
