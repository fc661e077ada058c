"""Writes the bundled BERT encoder as ONNX graphs (float32, and int8 weights), for provisioning only.

The graph is built straight from the weights provisioning already holds, so no torch exporter is
involved, and it ends in e5's own pooling: the mean over every token the attention mask keeps, then
L2 normalisation. Its inputs are the tokens' word vectors (looked up by the runtime in the memory-mapped
table, provision.WORD_EMBEDDINGS) and the attention mask; the output "embedding" is [batch, hidden]
unit rows. This is the only module that imports onnx.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

from index.provision import ONNX_INPUTS, ONNX_OUTPUT

OPSET = 17  # LayerNormalization is a single op from 17 on
# An additive mask this negative gives padded tokens exactly zero weight after softmax in float32.
_MASKED = -1e9


class _Graph:
    """Collects nodes and initialisers; each op returns the name of its output."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initialisers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: npt.NDArray[np.generic]) -> str:
        self.initialisers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        self._count += 1
        output = f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], **attributes))
        return output


def _linear(g: _Graph, x: str, weights: Mapping[str, npt.NDArray[np.float32]], module: str) -> str:
    # Hugging Face stores Linear weights as [out, in]; MatMul wants [in, out].
    w = g.const(f"{module}.weight", weights[f"{module}.weight"].T.astype(np.float32))
    b = g.const(f"{module}.bias", weights[f"{module}.bias"].astype(np.float32))
    return g.op("Add", g.op("MatMul", x, w), b)


def _layer_norm(g: _Graph, x: str, weights: Mapping[str, npt.NDArray[np.float32]], module: str, eps: float) -> str:
    scale = g.const(f"{module}.weight", weights[f"{module}.weight"].astype(np.float32))
    bias = g.const(f"{module}.bias", weights[f"{module}.bias"].astype(np.float32))
    return g.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def encoder_model(weights: Mapping[str, npt.NDArray[np.float32]], *, layers: int, heads: int,
                  layer_norm_eps: float) -> onnx.ModelProto:
    """The whole encoder with mean pooling and normalisation, from Hugging Face BertModel weight names."""
    g = _Graph()
    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    head_dim = hidden // heads
    axis1 = g.const("axis1", np.array([1], np.int64))
    split_heads = g.const("split_heads", np.array([0, 0, heads, head_dim], np.int64))
    join_heads = g.const("join_heads", np.array([0, 0, hidden], np.int64))

    words, mask = ONNX_INPUTS
    tokens = g.op("Gather", g.op("Shape", mask), axis1)  # [tokens], 1-D as Slice wants
    positions = g.op("Slice", g.const("position_embeddings", weights["embeddings.position_embeddings.weight"]),
                     g.const("start0", np.array([0], np.int64)), tokens, g.const("axis0", np.array([0], np.int64)))
    # Every token has type 0, so the type embedding is one constant row.
    type_row = g.const("token_type_row", weights["embeddings.token_type_embeddings.weight"][0])
    x = g.op("Add", g.op("Add", words, positions), type_row)
    x = _layer_norm(g, x, weights, "embeddings.LayerNorm", layer_norm_eps)

    keep = g.op("Cast", mask, to=TensorProto.FLOAT)
    # [batch, 1, 1, tokens], built in the order ONNX Runtime's attention fusion recognises:
    # Unsqueeze, Unsqueeze, Cast, 1 - mask, times a large negative number.
    wide = g.op("Unsqueeze", g.op("Unsqueeze", mask, axis1), g.const("axis2_", np.array([2], np.int64)))
    blocked = g.op("Sub", g.const("one_f", np.array(1.0, np.float32)), g.op("Cast", wide, to=TensorProto.FLOAT))
    score_mask = g.op("Mul", blocked, g.const("masked", np.array(_MASKED, np.float32)))
    root_dim = g.const("root_head_dim", np.array(math.sqrt(head_dim), np.float32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), np.float32))
    half = g.const("half", np.array(0.5, np.float32))

    for layer in range(layers):
        prefix = f"encoder.layer.{layer}."

        def heads_of(name: str, perm: list[int], source: str) -> str:
            projected = _linear(g, source, weights, prefix + f"attention.self.{name}")
            return g.op("Transpose", g.op("Reshape", projected, split_heads), perm=perm)

        query = heads_of("query", [0, 2, 1, 3], x)
        key = heads_of("key", [0, 2, 3, 1], x)
        value = heads_of("value", [0, 2, 1, 3], x)
        # Scores divided (not multiplied) by √d: the mask must be the only Mul feeding this Add for the fusion.
        scores = g.op("Add", g.op("Div", g.op("MatMul", query, key), root_dim), score_mask)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), value)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), join_heads)
        attended = _linear(g, context, weights, prefix + "attention.output.dense")
        x = _layer_norm(g, g.op("Add", attended, x), weights, prefix + "attention.output.LayerNorm", layer_norm_eps)
        inner = _linear(g, x, weights, prefix + "intermediate.dense")
        # Exact (erf) GELU in the order ONNX Runtime recognises and fuses: x * (erf(x / √2) + 1) * 0.5.
        gelu = g.op("Mul", g.op("Mul", inner, g.op("Add", g.op("Erf", g.op("Div", inner, sqrt2)),
                                                   g.const(f"one_f_{layer}", np.array(1.0, np.float32)))), half)
        out = _linear(g, gelu, weights, prefix + "output.dense")
        x = _layer_norm(g, g.op("Add", out, x), weights, prefix + "output.LayerNorm", layer_norm_eps)

    # e5 pooling: the mean of every kept token, prompt and specials included.
    kept = g.op("Mul", x, g.op("Unsqueeze", keep, g.const("axis2", np.array([2], np.int64))))
    summed = g.op("ReduceSum", kept, axis1, keepdims=0)
    count = g.op("Max", g.op("ReduceSum", keep, axis1, keepdims=1), g.const("min_count", np.array(1.0, np.float32)))
    mean = g.op("Div", summed, count)
    norm = g.op("Max", g.op("ReduceL2", mean, axes=[-1], keepdims=1), g.const("min_norm", np.array(1e-12, np.float32)))
    g.nodes.append(helper.make_node("Div", [mean, norm], [ONNX_OUTPUT]))

    graph = helper.make_graph(
        g.nodes, "e5_encoder",
        [helper.make_tensor_value_info(words, TensorProto.FLOAT, ["batch", "tokens", hidden]),
         helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info(ONNX_OUTPUT, TensorProto.FLOAT, ["batch", hidden])],
        g.initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="reports-qa")
    model.ir_version = 8  # readable by every onnxruntime >= 1.14
    onnx.checker.check_model(model, full_check=True)
    return model


def write_float32(model: onnx.ModelProto, path: Path, *, heads: int, hidden: int) -> None:
    """Saves the float32 graph with ONNX Runtime's BERT fusions applied (Attention, SkipLayerNorm, BiasGelu).

    Fused, a question embeds in about 14 ms instead of 19 and passages run about 1.3x faster on 2
    cores, with the same vectors (cosine 1.0 to the plain graph, padded batches included).
    """
    from onnxruntime.transformers import optimizer

    plain = path.with_name(f".{path.stem}.plain.onnx")
    onnx.save_model(model, str(plain))
    try:
        with _quiet_onnxruntime_tools():
            fused = optimizer.optimize_model(str(plain), model_type="bert", num_heads=heads, hidden_size=hidden,
                                             opt_level=0)
        fused.save_model_to_file(str(path))
    finally:
        plain.unlink(missing_ok=True)


def write_int8(model: onnx.ModelProto, path: Path) -> None:
    """Quantises every weight matrix of the plain graph to int8; activations are quantised per call.

    Per-channel scales keep the int8 vectors at cosine ≥ 0.995 to float32 on the agreement texts; one
    scale per tensor gave 0.985–0.991. The plain graph, not the fused one: its integer MatMuls ran
    passages 1.5x faster than a quantised fused graph on 2 cores.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet_onnxruntime_tools():
        quantize_dynamic(model, path, weight_type=QuantType.QInt8, per_channel=True)


@contextlib.contextmanager
def _quiet_onnxruntime_tools() -> Iterator[None]:
    # quantize_dynamic warns through logging.warning(), which would install a root handler (basicConfig)
    # in the caller's process, and the optimizer warns that our graph is not a PyTorch export; neither
    # is news to the person provisioning. A handler on the root keeps both out of stderr.
    root = logging.getLogger()
    quiet = logging.NullHandler()
    root.addHandler(quiet)
    try:
        yield
    finally:
        root.removeHandler(quiet)
