"""Writes the bundled model's Unigram tokenizer (tokenizer.json) as a SentencePiece model file, for provisioning.

Why: the `tokenizers` library takes about 0.6 s and 230 MB to load this 250,002-piece vocabulary; the
`sentencepiece` library loads the same pieces, scores and normalisation table in about 0.3 s and 70 MB,
which is most of what a one-shot `ask` and an answering process spend on tokenising. Piece ids are
kept as in tokenizer.json, so ids need no mapping. The file is a protobuf `ModelProto` (fields from
sentencepiece_model.proto), written here by hand: it is a few fields, and no protobuf package is needed.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping, Sequence
from typing import Any

# sentencepiece_model.proto: SentencePiece.Type and TrainerSpec.ModelType values.
_NORMAL, _UNKNOWN, _CONTROL, _USER_DEFINED = 1, 2, 3, 4
_UNIGRAM = 1
# tokenizer.json's special tokens for XLM-R-style models, and the type SentencePiece gives each.
_SPECIAL_TYPES = {"<s>": _CONTROL, "<pad>": _CONTROL, "</s>": _CONTROL, "<unk>": _UNKNOWN, "<mask>": _USER_DEFINED}


class UnsupportedTokenizer(ValueError):
    """tokenizer.json describes something this converter does not reproduce exactly."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _tag(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _bytes(field: int, payload: bytes) -> bytes:
    return _tag(field, 2) + _varint(len(payload)) + payload


def _int(field: int, value: int) -> bytes:
    return _tag(field, 0) + _varint(value)


def _float(field: int, value: float) -> bytes:
    return _tag(field, 5) + struct.pack("<f", value)


def _piece(text: str, score: float) -> bytes:
    kind = _SPECIAL_TYPES.get(text, _NORMAL)
    return _bytes(1, text.encode("utf-8")) + _float(2, score) + (_int(3, kind) if kind != _NORMAL else b"")


def sentencepiece_model(tokenizer: Mapping[str, Any]) -> bytes:
    """The SentencePiece ModelProto bytes for a tokenizer.json of an XLM-R-style Unigram tokenizer."""
    model = tokenizer.get("model") or {}
    vocab: Sequence[Sequence[Any]] = model.get("vocab") or []
    if model.get("type") != "Unigram" or not vocab:
        raise UnsupportedTokenizer("not a Unigram tokenizer with a vocabulary")
    ids = {str(piece): i for i, (piece, _) in enumerate(vocab)}
    wanted = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    if any(ids.get(token) != at for token, at in wanted.items()) or model.get("unk_id") != 3:
        raise UnsupportedTokenizer("special tokens are not <s> <pad> </s> <unk> at ids 0-3")
    normalizers = (tokenizer.get("normalizer") or {}).get("normalizers") or []
    charsmap = next((n.get("precompiled_charsmap") for n in normalizers if n.get("type") == "Precompiled"), None)
    pre = tokenizer.get("pre_tokenizer") or {}
    if not charsmap or pre.get("type") != "Metaspace" or pre.get("replacement") != "▁":
        raise UnsupportedTokenizer("normalizer or pre-tokenizer is not Precompiled + Metaspace")
    pieces = b"".join(_bytes(1, _piece(str(text), float(score))) for text, score in vocab)
    trainer = _int(3, _UNIGRAM) + _int(40, 3) + _int(41, 0) + _int(42, 2) + _int(43, 1)  # unk, bos, eos, pad ids
    # nmt_nfkc's table as tokenizer.json has it; add_dummy_prefix, remove_extra_whitespaces and
    # escape_whitespaces on, as tokenizer.json's Metaspace (prepend "▁") and Replace (" {2,}" -> " ") do.
    normalizer = (_bytes(1, b"nmt_nfkc") + _bytes(2, base64.b64decode(charsmap))
                  + _int(3, 1) + _int(4, 1) + _int(5, 1))
    return pieces + _bytes(2, trainer) + _bytes(3, normalizer)
