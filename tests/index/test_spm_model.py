"""The sentencepiece tokenizer written by provisioning gives exactly tokenizer.json's ids."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from index.model.embed_onnx import PieceTokenizer
from index.model.provision import provision_default_model
from index.model.folder import SENTENCEPIECE_MODEL
from index.settings import DEFAULT_MODEL_DIR, PROJECT_ROOT
from index.model.spm_model import UnsupportedTokenizer, sentencepiece_model

EDGES = ["", " ", "\n", "社区 ", " 社区", "社区\u3000", "社区\u200b", "a  b", "黨建引領", "ＡＢＣ①Ⅷﬁ", "😀 emoji",
         "南山 " * 400]


def corpus_texts() -> list[str]:
    """Every question of eval/, and the reports of corpus/ cut in 300-character pieces."""
    texts = []
    for path in sorted((PROJECT_ROOT / "eval").glob("*.jsonl")):
        texts += [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    for path in sorted((PROJECT_ROOT / "corpus").iterdir()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        texts += [text[i:i + 300] for i in range(0, len(text), 300)]
    return texts


def random_texts(count: int) -> list[str]:
    """Short strings of ASCII, CJK, full-width forms and odd spaces, in a fixed order."""
    alphabet = [chr(c) for c in (*range(32, 127), *range(0x3000, 0x3020), *range(0x4E00, 0x4E80),
                                 *range(0xFF01, 0xFF5E))] + ["\t", "\n", "\u00a0", "\u200b", "é"]
    pick = random.Random(7)
    return ["".join(pick.choice(alphabet) for _ in range(pick.randint(0, 30))) for _ in range(count)]


@pytest.mark.slow
def test_sentencepiece_ids_equal_tokenizer_json_ids() -> None:
    from tokenizers import Tokenizer  # the reference; answering never imports it

    folder = provision_default_model(DEFAULT_MODEL_DIR)
    ours = PieceTokenizer(folder / SENTENCEPIECE_MODEL, max_tokens=512)
    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    reference.enable_truncation(512)
    texts = [*EDGES, *corpus_texts(), *random_texts(3000)]

    differing = [t for t, ids in zip(texts, ours.encode(texts)) if ids != reference.encode(t).ids]
    one_by_one = [t for t in texts[:400] if ours.encode([t])[0] != reference.encode(t).ids]  # a question's path

    assert len(texts) > 3100
    assert differing == []
    assert one_by_one == []


def test_other_tokenizers_are_refused() -> None:
    bpe = {"model": {"type": "BPE", "vocab": {"a": 0}}}
    shifted = {"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["<s>", 0.0]]}}

    for tokenizer, problem in ((bpe, "not a Unigram"), (shifted, "special tokens")):
        with pytest.raises(UnsupportedTokenizer, match=problem):
            sentencepiece_model(tokenizer)


def test_written_model_loads_with_its_pieces_in_order(tmp_path: Path) -> None:
    import sentencepiece

    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["▁", -2.0], ["社区", -3.0],
             ["▁社区", -2.5], ["治理", -3.0], ["<mask>", 0.0]]
    tokenizer = {
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab},
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": ""}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁"},
    }
    with pytest.raises(UnsupportedTokenizer, match="Precompiled"):
        sentencepiece_model(tokenizer)  # an empty table is not nmt_nfkc
    genuine = json.loads((provision_default_model(DEFAULT_MODEL_DIR) / "tokenizer.json").read_text(encoding="utf-8"))
    tokenizer["normalizer"] = genuine["normalizer"]
    (tmp_path / "tiny.model").write_bytes(sentencepiece_model(tokenizer))

    pieces = sentencepiece.SentencePieceProcessor(model_file=str(tmp_path / "tiny.model"))

    assert [pieces.id_to_piece(i) for i in range(pieces.get_piece_size())] == [p for p, _ in vocab]
    assert pieces.encode("社区治理") == [6, 7]
