"""The ONNX export: the float32 graph over 4-bit blocks, and which input channels the int8 graph keeps in float."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from index.model.onnx_graphs import four_bit_matmuls, outlier_channels, q4_0_blocks, split_outliers


def test_one_massive_channel_is_an_outlier() -> None:
    largest = np.full(384, 1.0, np.float32)
    largest[:8] = [2.0, 1.5, 1.5, 1.5, 1.4, 1.3, 1.2, 1.1]
    largest[778 % 384] = 60.0

    assert outlier_channels(largest) == [778 % 384]


def test_channels_of_like_size_hold_no_outlier() -> None:
    largest = np.linspace(0.5, 1.6, 1536).astype(np.float32)

    assert outlier_channels(largest) == []


def test_outliers_are_the_largest_first_and_at_most_four() -> None:
    largest = np.ones(1536, np.float32)
    largest[[5, 9, 40, 41, 300]] = [20.0, 50.0, 30.0, 40.0, 10.0]

    assert outlier_channels(largest) == [9, 41, 40, 5]


def one_matmul(weights: np.ndarray) -> onnx.ModelProto:
    """x [batch, tokens, in] times weights [in, out], the MatMul named "layer" as the export names its linears."""
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="layer")], "one",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", weights.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", weights.shape[1]])],
        [numpy_helper.from_array(weights, "w")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(["y"], {"x": x})[0])


@pytest.mark.parametrize("channels", [pytest.param([3], id="one"), pytest.param([7, 0], id="two")])
def test_splitting_outlier_channels_off_gives_the_same_product(channels: list[int]) -> None:
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((8, 5)).astype(np.float32)
    x = rng.standard_normal((2, 3, 8)).astype(np.float32)
    x[..., channels] *= 50.0

    split = split_outliers(one_matmul(weights), {"layer": channels})

    assert run(split, x) == pytest.approx(run(one_matmul(weights), x), rel=1e-5, abs=1e-4)
    assert [n.name for n in split.graph.node if n.op_type == "MatMul"] == ["layer", "layer.outliers"]


def q4_0_matrix(rng: np.random.Generator, rows_in: int, cols_out: int) -> np.ndarray:
    """A [in, out] matrix whose blocks of 32 along `in` are Q4_0: (level - 8) * scale, each block's widest weight at level 0."""
    levels = rng.integers(-8, 8, size=(cols_out, rows_in // 32, 32)).astype(np.float32)
    levels[..., 5] = -8.0  # the block's largest magnitude, as Q4_0 quantisation leaves it
    levels[..., 6] = np.minimum(levels[..., 6], 7.0)
    scales = rng.uniform(0.001, 0.05, size=(cols_out, rows_in // 32, 1)).astype(np.float16).astype(np.float32)
    return np.ascontiguousarray((levels * scales).reshape(cols_out, rows_in).T)


def test_q4_0_weights_run_as_four_bit_blocks_with_the_same_product() -> None:
    rng = np.random.default_rng(1)
    weights = q4_0_matrix(rng, 64, 5)
    x = rng.standard_normal((2, 3, 64)).astype(np.float32)

    four_bit = four_bit_matmuls(one_matmul(weights))

    assert [n.op_type for n in four_bit.graph.node] == ["MatMulNBits"]
    assert not any(i.name == "w" for i in four_bit.graph.initializer)  # the float copy is gone
    assert run(four_bit, x) == pytest.approx(run(one_matmul(weights), x), rel=1e-5, abs=1e-5)


def test_q4_0_blocks_pack_two_levels_a_byte_low_nibble_first() -> None:
    weights = np.zeros((32, 1), np.float32)
    weights[:, 0] = (np.arange(32) % 16 - 8) * 0.5  # levels 0..15, 0..15; weight 0 is -4.0, the widest

    packed, scales = q4_0_blocks(weights) or (None, None)

    assert scales is not None and scales.tolist() == [0.5]
    assert packed is not None and packed.shape == (1, 1, 16)
    assert packed[0, 0, :8].tolist() == [0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE]


@pytest.mark.parametrize("weights", [
    pytest.param(np.random.default_rng(2).standard_normal((64, 4)).astype(np.float32), id="float weights"),
    pytest.param(np.ones((48, 4), np.float32), id="rows not a whole number of blocks"),
])
def test_other_matrices_stay_float32(weights: np.ndarray) -> None:
    assert q4_0_blocks(weights) is None
    assert [n.op_type for n in four_bit_matmuls(one_matmul(weights)).graph.node] == ["MatMul"]
