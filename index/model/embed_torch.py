"""The sentence-transformers runtime (the only torch code): any model by name or path, on CPU or GPU."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

# huggingface_hub and transformers read these once, at import: set them before importing either.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np
import numpy.typing as npt
import torch
from sentence_transformers import SentenceTransformer

from index.errors import ModelMissingError
from index.model.folder import looks_like_path, missing_model_message, model_name, token_batches

logger = logging.getLogger(__name__)

Precision = Literal["auto", "float32", "float16", "bfloat16"]

# Prompt names sentence-transformers models use for the passage side, most specific first.
_PASSAGE_PROMPT_NAMES = ("document", "passage", "corpus")


def resolve_dtype(precision: Precision, device: str) -> torch.dtype:
    """bfloat16 where "auto" finds a CPU whose oneDNN runs it natively (about 1.6x faster per question), else float32."""
    if precision == "bfloat16":
        return torch.bfloat16
    if precision == "float16" or (precision == "auto" and device.startswith("cuda")):
        return torch.float16
    if precision == "auto" and device == "cpu" and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported()):
        return torch.bfloat16
    return torch.float32


def _unit_rows(vectors: torch.Tensor) -> npt.NDArray[np.float32]:
    # Normalise in float32: a bfloat16 norm is only good to about 0.3%.
    rows = torch.nn.functional.normalize(vectors.to(torch.float32), p=2.0, dim=-1)
    return np.ascontiguousarray(rows.numpy(), dtype=np.float32)


class GpuBatches:
    """Embeds many passages on a GPU, keeping it busy: the next batch is tokenised while this one runs.

    sentence-transformers' encode tokenises each batch in the Python thread while the GPU waits, then
    waits for the GPU before tokenising the next, which leaves an H100 idle most of the time (issue 8
    measured 3,400 passages/s). Here a worker thread tokenises batch k+1 with the Rust tokenizer (which
    runs without the GIL) while batch k is on the GPU, batches hold texts of like length, and the
    vectors come back in one copy. The model's own modules (transformer, pooling, normalisation)
    compute each batch, so the vectors are its encode's (benchmarks/gpu_embed.py compares them).
    """

    def __init__(self, model: SentenceTransformer, batch_size: int) -> None:
        self._model = model
        self.batch_size = batch_size

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of texts, special tokens added, cut at the model's length."""
        tokenizer = self._model.tokenizer
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is None:  # a Python tokenizer: its own call
            ids: list[list[int]] = tokenizer(list(texts), add_special_tokens=True, truncation=True,
                                             max_length=self._model.max_seq_length)["input_ids"]
            return ids
        # The Rust tokenizer directly: transformers' wrapper builds offsets and masks nobody reads here.
        # Padding goes too: sentence-transformers' own encode leaves it switched on in the shared tokenizer.
        backend.no_padding()
        backend.enable_truncation(self._model.max_seq_length)
        encode = getattr(backend, "encode_batch_fast", backend.encode_batch)
        return [encoding.ids for encoding in encode(list(texts), add_special_tokens=True)]

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for texts given in full (prompt included), one row per text."""
        device = self._model.device
        pad = self._model.tokenizer.pad_token_id or 0
        # Character length is a good enough proxy for token length to batch texts of like length.
        batches = token_batches([len(text) for text in texts], self.batch_size)
        out = torch.empty((len(texts), self._model.get_embedding_dimension() or 0), dtype=torch.float32, device=device)

        def on_device(array: npt.NDArray[np.int64]) -> torch.Tensor:
            tensor = torch.from_numpy(array)
            if device.type != "cuda":
                return tensor
            return tensor.pin_memory().to(device, non_blocking=True)  # the copy overlaps the GPU's work

        with ThreadPoolExecutor(max_workers=1) as tokenizing, torch.inference_mode():
            pending = tokenizing.submit(self.token_ids, [texts[i] for i in batches[0]]) if batches else None
            for at, rows in enumerate(batches):
                assert pending is not None
                encoded = pending.result()
                if at + 1 < len(batches):
                    pending = tokenizing.submit(self.token_ids, [texts[i] for i in batches[at + 1]])
                lengths = np.fromiter((len(ids) for ids in encoded), dtype=np.int64, count=len(encoded))
                ids = np.full((len(rows), int(lengths.max())), pad, dtype=np.int64)
                for row, tokens in enumerate(encoded):
                    ids[row, :len(tokens)] = tokens
                mask = (np.arange(ids.shape[1])[None, :] < lengths[:, None]).astype(np.int64)
                vectors = self._model({"input_ids": on_device(ids), "attention_mask": on_device(mask)})
                out[torch.tensor(rows, device=device)] = vectors["sentence_embedding"].to(torch.float32)
        return _unit_rows(out.cpu())


class SentenceTransformerEmbedder:
    """Embedder over a sentence-transformers model, using the model's own query/passage prompts."""

    runtime = "torch"

    def __init__(
        self,
        model: str,
        *,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        allow_download: bool = False,
        precision: Precision = "auto",
    ) -> None:
        model_dir = Path(model).expanduser()
        is_local = model_dir.is_dir()
        if not is_local and looks_like_path(model):
            raise ModelMissingError(missing_model_message(model))
        try:
            self._model = SentenceTransformer(
                str(model_dir) if is_local else model,
                device=device,
                local_files_only=is_local or not allow_download,
            )
        except OSError as error:  # huggingface_hub's "not in the local cache" errors are OSErrors
            raise ModelMissingError(missing_model_message(model)) from error
        self.dtype = resolve_dtype(precision, device)
        self._model.to(self.dtype)
        self.precision = str(self.dtype).removeprefix("torch.")
        self.name = model_name(model, model_dir if is_local else None)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"{model} does not say how long its vectors are")
        self.dimension: int = dimension
        prompts = self._model.prompts
        # "" (not None) tells sentence-transformers "no prompt" without falling back to a default one.
        self.query_prompt = query_prompt if query_prompt is not None else prompts.get("query") or ""
        if passage_prompt is None:
            passage_prompt = next((prompts[n] for n in _PASSAGE_PROMPT_NAMES if prompts.get(n)), "")
        self.passage_prompt = passage_prompt
        self.batch_size = batch_size
        # On a GPU, builds run their own batching loop (GpuBatches); a model whose pooling leaves the
        # prompt out needs sentence-transformers' own encode, which knows where the prompt ends.
        pooling_keeps_prompt = all(getattr(module, "include_prompt", True) for module in self._model)
        self._bulk = GpuBatches(self._model, batch_size) if device.startswith("cuda") and pooling_keeps_prompt else None
        logger.info("loaded embedding model %s (%d dims, %s) on %s", self.name, self.dimension, self.dtype, device)

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model, for benchmarks/gpu_embed.py, which times its own encode against ours."""
        return self._model

    @property
    def bulk(self) -> GpuBatches | None:
        """The batching loop of passages on a GPU (None elsewhere), for benchmarks/gpu_embed.py."""
        return self._bulk

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for questions, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode_query(
            list(texts), prompt=self.query_prompt, batch_size=self.batch_size,
            show_progress_bar=False, convert_to_tensor=True,
        )
        return _unit_rows(vectors)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for passages, one row per text; sentence-transformers batches them by length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._bulk is not None:
            return self._bulk([(self.passage_prompt or "") + t for t in texts])
        vectors = self._model.encode_document(
            list(texts), prompt=self.passage_prompt, batch_size=self.batch_size,
            show_progress_bar=False, convert_to_tensor=True,
        )
        return _unit_rows(vectors)
