"""The default runtime for the bundled model (the only onnxruntime and tokenizers code): no torch in the process."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from tokenizers import Tokenizer

from index.embed import missing_model_message, model_name, read_prompts
from index.errors import ModelMissingError
from index.provision import ONNX_GRAPHS, ONNX_INPUTS, ONNX_OUTPUT, WORD_EMBEDDINGS

logger = logging.getLogger(__name__)

# Tokens per text when the folder does not say (sentence_bert_config.json's max_seq_length).
_DEFAULT_MAX_TOKENS = 512


def token_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Row indexes grouped into batches of similar length, longest first, so little padding is computed.

    A worked example: lengths [5, 300, 7, 290] in batches of 2 give [[1, 3], [2, 0]]; in corpus order
    each batch would pad a 5-token text to 300.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


class OnnxEmbedder:
    """Embedder over the provisioned ONNX graph of the bundled model, tokenised by the tokenizers library."""

    runtime = "onnx"

    def __init__(self, model_dir: Path, *, precision: str = "int8", query_prompt: str | None = None,
                 passage_prompt: str | None = None, batch_size: int = 32, threads: int = 0) -> None:
        graph = model_dir / ONNX_GRAPHS.get(precision, ONNX_GRAPHS["float32"])
        needed = (graph, model_dir / WORD_EMBEDDINGS, model_dir / "tokenizer.json")
        if precision not in ONNX_GRAPHS or not all(path.is_file() for path in needed):
            raise ModelMissingError(missing_model_message(str(model_dir)))
        # Memory-mapped: only the rows of tokens actually seen become resident.
        self._word_vectors = np.load(model_dir / WORD_EMBEDDINGS, mmap_mode="r")
        self.name = model_name(str(model_dir), model_dir)
        self.precision = precision
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # batches are padded here, after sorting by length
        self._tokenizer.enable_truncation(_max_tokens(model_dir))
        pad = self._tokenizer.token_to_id("<pad>")
        self._pad_id = 1 if pad is None else pad
        options = ort.SessionOptions()
        # 0 lets ONNX Runtime use one thread per physical core, which is what a build wants.
        options.intra_op_num_threads = threads
        options.log_severity_level = 3  # its shape-merge notices are not for people running the assistant
        self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.dimension = int(self._session.get_outputs()[0].shape[1])
        prompts = read_prompts(model_dir)
        self.query_prompt = query_prompt if query_prompt is not None else prompts.get("query", "")
        if passage_prompt is None:
            passage_prompt = prompts.get("document") or prompts.get("passage") or prompts.get("corpus") or ""
        self.passage_prompt = passage_prompt
        logger.info("loaded %s (%d dims) on ONNX Runtime, %s weights, %d threads",
                    self.name, self.dimension, precision, threads or os.cpu_count() or 1)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for questions, one row per text."""
        return self._encode([self.query_prompt + t for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for passages, one row per text."""
        return self._encode([self.passage_prompt + t for t in texts])

    def _encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=True)
        for rows in token_batches([len(e.ids) for e in encodings], self.batch_size):
            width = max(len(encodings[r].ids) for r in rows)
            ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for at, row in enumerate(rows):
                tokens = encodings[row].ids
                ids[at, :len(tokens)] = tokens
                mask[at, :len(tokens)] = 1
            words = np.asarray(self._word_vectors[ids], dtype=np.float32)
            vectors[rows] = self._session.run([ONNX_OUTPUT], dict(zip(ONNX_INPUTS, (words, mask))))[0]
        return vectors


def _max_tokens(model_dir: Path) -> int:
    try:
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or _DEFAULT_MAX_TOKENS)
    except (OSError, ValueError, TypeError):
        return _DEFAULT_MAX_TOKENS
