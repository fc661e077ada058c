"""The ONNX export's int8 graph: which input channels count as outliers, and that splitting them off changes nothing in float32."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from index.export import outlier_channels, split_outliers


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
