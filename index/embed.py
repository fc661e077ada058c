"""Embedder protocol and its sentence-transformers implementation: text in, unit vectors out, for build and search."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

# huggingface_hub and transformers read these once, at import: set them before importing either.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np
import numpy.typing as npt
import torch
from sentence_transformers import SentenceTransformer

from index.errors import ModelMissingError
from index.provision import DEFAULT_MODEL_NAME, read_provenance
from index.settings import IndexSettings

logger = logging.getLogger(__name__)

Precision = Literal["auto", "float32", "bfloat16"]

# Prompt names sentence-transformers models use for the passage side, most specific first.
_PASSAGE_PROMPT_NAMES = ("document", "passage", "corpus")


class Embedder(Protocol):
    """Turns questions and passages into L2-normalised float32 rows; what the index and searcher depend on."""

    name: str  # recorded in the index manifest; an index is refused under another name
    dimension: int

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def looks_like_path(model: str) -> bool:
    """True when the model setting names a folder rather than a hub id such as "BAAI/bge-m3"."""
    return Path(model).is_absolute() or model.startswith((".", "~")) or model.count("/") > 1 or "\\" in model


def missing_model_message(model: str) -> str:
    """Tells the person running the assistant how to get the model they configured."""
    if Path(model).name == DEFAULT_MODEL_NAME:
        return f"找不到向量模型 {model}：请先运行 `make run` 或 `python -m index provision`。"
    return f"找不到向量模型 {model}：请先下载它，或在设置中给出本地路径。"


def model_name(model: str, model_dir: Path | None) -> str:
    """The stable name an index records: the provisioned name, a folder's name, or the hub id."""
    if model_dir is not None:
        recorded = read_provenance(model_dir)
        if recorded is not None and isinstance(recorded.get("name"), str):
            return str(recorded["name"])
        return model_dir.name
    return model


def resolve_dtype(precision: Precision, device: str) -> torch.dtype:
    """bfloat16 where "auto" finds a CPU whose oneDNN runs it natively (about 1.6x faster per question), else float32."""
    if precision == "bfloat16":
        return torch.bfloat16
    if precision == "auto" and device == "cpu" and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported()):
        return torch.bfloat16
    return torch.float32


def _unit_rows(vectors: torch.Tensor) -> npt.NDArray[np.float32]:
    # Normalise in float32: a bfloat16 norm is only good to about 0.3%.
    rows = torch.nn.functional.normalize(vectors.to(torch.float32), p=2.0, dim=-1)
    return np.ascontiguousarray(rows.numpy(), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Embedder over a local sentence-transformers model, using the model's own query/passage prompts."""

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
        logger.info("loaded embedding model %s (%d dims, %s) on %s", self.name, self.dimension, self.dtype, device)

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
        vectors = self._model.encode_document(
            list(texts), prompt=self.passage_prompt, batch_size=self.batch_size,
            show_progress_bar=False, convert_to_tensor=True,
        )
        return _unit_rows(vectors)


def load_embedder(settings: IndexSettings, *, allow_download: bool = False) -> SentenceTransformerEmbedder:
    """The embedder the settings describe; only the build command may pass allow_download=True."""
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        device=settings.device,
        batch_size=settings.batch_size,
        allow_download=allow_download,
    )
