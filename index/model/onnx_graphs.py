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
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

from index.model.folder import ONNX_INPUTS, ONNX_OUTPUT, PASSAGE_PROMPT, Q4_0_BLOCK, QUERY_PROMPT

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

    def op(self, op_type: str, *inputs: str, name: str = "", **attributes: Any) -> str:
        self._count += 1
        output = f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], name=name, **attributes))
        return output


def _linear(g: _Graph, x: str, weights: Mapping[str, npt.NDArray[np.float32]], module: str) -> str:
    # Hugging Face stores Linear weights as [out, in]; MatMul wants [in, out].
    w = g.const(f"{module}.weight", weights[f"{module}.weight"].T.astype(np.float32))
    b = g.const(f"{module}.bias", weights[f"{module}.bias"].astype(np.float32))
    # The MatMul is named after its module, so quantisation can single it out (write_int8).
    return g.op("Add", g.op("MatMul", x, w, name=module), b)


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
    # [batch, 1, 1, tokens]: 1 - mask, times a large negative number, added to the attention scores.
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
        scores = g.op("Add", g.op("Div", g.op("MatMul", query, key), root_dim), score_mask)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), value)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), join_heads)
        attended = _linear(g, context, weights, prefix + "attention.output.dense")
        x = _layer_norm(g, g.op("Add", attended, x), weights, prefix + "attention.output.LayerNorm", layer_norm_eps)
        inner = _linear(g, x, weights, prefix + "intermediate.dense")
        # Exact (erf) GELU, in the order ONNX Runtime fuses into one op at load: x * (erf(x / √2) + 1) * 0.5.
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


def write_float32(model: onnx.ModelProto, path: Path, *, int8_arithmetic: bool = False) -> None:
    """Saves the graph with its weight matrices kept as the model's own 4-bit blocks (four_bit_matmuls).

    float32 arithmetic (passages, and questions when asked for): measured on 2 cores against the
    float32 graph with ONNX Runtime's BERT fusions (Attention, SkipLayerNorm, BiasGelu), which
    provisioning wrote until format 6, in one run: a question 5.3 ms against 6.0 (two texts in one
    batch 6.8 against 8.9), passages 31.5-32.2/s against 26.4-29.0, the same vectors (cosine 1.00000 on
    the 97 questions and 300 passages), 14 MB on disk against 86. Fusing the 4-bit graph as well was no
    faster (questions 5.3 / 7.9 ms, passages 26.8-29.6/s).

    int8_arithmetic, for questions: each block of 32 activations is rounded to int8 with a scale of its
    own (ONNX Runtime's accuracy_level 4), so a text's vector does not depend on its batch-mates
    (unlike dynamic int8, write_int8) and stays far closer to float32: over the 334 eval questions,
    cosine 0.99987 at worst against dynamic int8's 0.99907, and the same best passage by cosine for 328
    against 304. Passages run slower this way than in float32 (22-26/s against 29-31), so it serves
    questions alone; docs/model.md, "Precision", has its tables.
    """
    onnx.save_model(four_bit_matmuls(model, int8_arithmetic=int8_arithmetic), str(path))


# ONNX Runtime's MatMulNBits stores a weight matrix column by column in blocks of 32 along its input
# dimension, two 4-bit levels a byte (element 2i in the low nibble), an fp32 scale a block and zero
# point 8: exactly what the bundled model's Q4_0 blocks are (value = (level - 8) * scale): Q4_0_BLOCK.


def q4_0_blocks(w: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]] | None:
    """MatMulNBits' packed levels and scales of a [in, out] matrix, or None unless it is exactly Q4_0 blocks.

    A Q4_0 block's scale is its largest-magnitude weight over -8 (that weight is level 0), so the
    blocks can be read back from the float weights; the check that levels * scale gives every weight
    back to the bit is what makes the 4-bit graph compute the float32 graph's function.
    """
    k, n = w.shape
    if k % Q4_0_BLOCK:
        return None
    blocks = np.ascontiguousarray(w.T).reshape(n, k // Q4_0_BLOCK, Q4_0_BLOCK)
    widest = np.take_along_axis(blocks, np.abs(blocks).argmax(axis=-1)[..., None], axis=-1)
    scales = (widest / np.float32(-8.0)).astype(np.float32)
    safe = np.where(scales == 0, np.float32(1.0), scales)
    levels = np.rint(blocks / safe)
    if levels.min() < -8 or levels.max() > 7 or not np.array_equal(levels * scales, blocks):
        return None
    unsigned = (levels + 8).astype(np.uint8)
    packed = unsigned[..., 0::2] | (unsigned[..., 1::2] << 4)
    return np.ascontiguousarray(packed), np.ascontiguousarray(scales[..., 0].reshape(-1))


def four_bit_matmuls(model: onnx.ModelProto, *, int8_arithmetic: bool = False) -> onnx.ModelProto:
    """The same function with every weight MatMul whose weights are Q4_0 blocks run as MatMulNBits.

    For the bundled 4-bit model this is every linear layer: the graph holds a sixth of the float32
    graph's bytes, and the kernel expands a block as it multiplies, which is faster than reading the
    expanded float32 matrix (see write_float32).
    """
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    initialisers = {i.name: i for i in graph.initializer}
    nodes, replaced = [], set()
    for node in graph.node:
        weight = initialisers.get(node.input[1]) if node.op_type == "MatMul" else None
        blocks = q4_0_blocks(numpy_helper.to_array(weight)) if weight is not None and len(weight.dims) == 2 else None
        if weight is None or blocks is None:
            nodes.append(node)
            continue
        k, n = weight.dims
        packed, scales = blocks
        graph.initializer.extend([numpy_helper.from_array(packed, f"{weight.name}.q4"),
                                  numpy_helper.from_array(scales, f"{weight.name}.q4_scales")])
        replaced.add(weight.name)
        # accuracy_level 0: float32 arithmetic; 4: activations rounded to int8 a block at a time.
        nodes.append(helper.make_node("MatMulNBits", [node.input[0], f"{weight.name}.q4", f"{weight.name}.q4_scales"],
                                      list(node.output), name=node.name, domain="com.microsoft",
                                      K=k, N=n, bits=4, block_size=Q4_0_BLOCK, accuracy_level=4 if int8_arithmetic else 0))
    kept = [i for i in graph.initializer if i.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    out.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return out


# Dynamic int8 quantises each matrix's input with one scale per call, set by its largest value. A few
# input channels of this model carry values 10-60x the others' (channel 778 before layer 4's
# feed-forward output reaches 60 where the rest stay under 5): one scale for all then leaves the
# ordinary channels a handful of levels. That alone cost more than half of int8's difference from
# float32 (1 - cosine over the eval corpus's 176 passages: 0.0030 with every matrix quantised, 0.0014 of
# it layer 4's feed-forward output); the int8 weights themselves cost 0.0001. So each such channel is
# taken out of the int8 product and multiplied in float32 beside it (as LLM.int8() does), leaving
# 0.0005. A channel is an outlier when its largest |value| over CALIBRATION_TEXTS exceeds
# OUTLIER_RATIO times the 99th percentile of all channels' largest values: 3 takes the one massive
# channel of the matrices that have one (ratios 3.3-14 on the corpus's passages) and no channel of the
# others (the next largest sit at 1.0-1.6); 2 takes 25 more channels for 0.0001 less.
OUTLIER_RATIO = 3.0
MAX_OUTLIERS = 4  # per matrix; the massive channels come one per matrix, four leaves room for another model
# Texts the float32 graph runs to find the outlier channels: passages and questions like the reports',
# written for this purpose (the massive channels show on any text; the corpus's 48 first passages and
# a quarter of the eval questions pick the same channels as these).
CALIBRATION_TEXTS = (
    *(PASSAGE_PROMPT + text for text in (
        "街道党工委把党支部建在小区里，组织党员、物业和业委会每月坐在一起商量停车、加装电梯等难题。",
        "2023年以来，区里为快递员、外卖骑手设立了十二个爱心驿站，提供饮水、充电和休息的地方，"
        "并请他们在送件途中留意独居老人和安全隐患。",
        "社区把辖区划成若干网格，每个网格配一名网格员，居民通过小程序反映的问题在二十四小时内有人回应。",
        "過去幾年，該區推動志願服務常態化，退休教師和大學生每週到社區為孩子輔導功課。",
        "The district set up a council where residents, the property company and the neighbourhood "
        "committee settle disputes over fees and repairs.",
    )),
    *(QUERY_PROMPT + text for text in (
        "老旧小区改造有哪些经验可以借鉴？", "社區如何調解物業糾紛", "How do delivery riders help with community governance?",
    )),
)


def linear_input_ranges(model: onnx.ModelProto, word_vectors: npt.NDArray[np.float32],
                        mask: npt.NDArray[np.int64]) -> dict[str, npt.NDArray[np.float32]]:
    """Largest |value| of each input channel of every named weight MatMul, over the kept tokens of a batch."""
    import onnxruntime as ort

    probed = onnx.ModelProto()
    probed.CopyFrom(model)
    inputs = {node.name: node.input[0] for node in probed.graph.node if node.op_type == "MatMul" and node.name}
    for tensor in dict.fromkeys(inputs.values()):
        probed.graph.output.append(helper.make_tensor_value_info(tensor, TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(probed.SerializeToString(), options, providers=["CPUExecutionProvider"])
    tensors = list(dict.fromkeys(inputs.values()))
    values = session.run(tensors, dict(zip(ONNX_INPUTS, (word_vectors, mask))))
    kept = mask.astype(bool)
    largest = {t: np.abs(v[kept]).max(axis=0) for t, v in zip(tensors, values)}
    return {name: largest[tensor] for name, tensor in inputs.items()}


def outlier_channels(largest: npt.NDArray[np.float32], *, ratio: float = OUTLIER_RATIO,
                     most: int = MAX_OUTLIERS) -> list[int]:
    """Input channels whose largest |value| dwarfs the rest's (see OUTLIER_RATIO), largest first."""
    bar = ratio * float(np.quantile(largest, 0.99))
    return [int(c) for c in np.argsort(-largest, kind="stable")[:most] if largest[c] > bar]


def split_outliers(model: onnx.ModelProto, outliers: Mapping[str, Sequence[int]]) -> onnx.ModelProto:
    """The same function with each named MatMul x·W written as (x·keep)·W + x[:, c]·W[c]: outlier channels c apart.

    keep is 1 except 0 at the outliers, so the first product's quantisation range ignores them; the
    second product (named "<module>.outliers") is the one to keep in float32.
    """
    split = onnx.ModelProto()
    split.CopyFrom(model)
    graph = split.graph
    initialisers = {i.name: i for i in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        channels = list(outliers.get(node.name, ())) if node.op_type == "MatMul" else []
        if not channels:
            nodes.append(node)
            continue
        module, (x, w_name) = node.name, node.input
        w = numpy_helper.to_array(initialisers[w_name])
        keep = np.ones(w.shape[0], np.float32)
        keep[channels] = 0.0
        graph.initializer.extend([
            numpy_helper.from_array(keep, f"{module}.inlier_mask"),
            numpy_helper.from_array(np.array(channels, np.int64), f"{module}.outlier_channels"),
            numpy_helper.from_array(np.ascontiguousarray(w[channels]), f"{module}.outlier_rows"),
        ])
        nodes += [
            helper.make_node("Mul", [x, f"{module}.inlier_mask"], [f"{module}.inliers"], name=f"{module}.mask"),
            helper.make_node("MatMul", [f"{module}.inliers", w_name], [f"{module}.main"], name=module),
            helper.make_node("Gather", [x, f"{module}.outlier_channels"], [f"{module}.outlier_x"], axis=-1,
                             name=f"{module}.gather"),
            helper.make_node("MatMul", [f"{module}.outlier_x", f"{module}.outlier_rows"], [f"{module}.side"],
                             name=f"{module}.outliers"),
            helper.make_node("Add", [f"{module}.main", f"{module}.side"], list(node.output), name=f"{module}.join"),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(split, full_check=True)
    return split


def write_int8(model: onnx.ModelProto, path: Path, outliers: Mapping[str, Sequence[int]]) -> None:
    """Quantises every weight matrix of the plain graph to int8, outlier input channels apart (see OUTLIER_RATIO).

    Activations are quantised per call. Per-channel weight scales: one scale per tensor gave cosine
    0.985-0.991 to float32 on the agreement texts. The plain graph, not the fused one: its integer
    MatMuls ran passages 1.5x faster than a quantised fused graph on 2 cores.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    split = split_outliers(model, outliers)
    in_float = [node.name for node in split.graph.node if node.name.endswith(".outliers")]
    with _quiet_onnxruntime_tools():
        quantize_dynamic(split, path, weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=in_float)


@contextlib.contextmanager
def _quiet_onnxruntime_tools() -> Iterator[None]:
    # quantize_dynamic warns through logging.warning() ("Please consider to run pre-processing before
    # quantization"), about nothing the person provisioning can act on. A handler on the root keeps that
    # call from installing one of its own (basicConfig); a filter on the root logger drops the record where
    # the CLI has configured a root handler. Logger filters see only records logged on that logger itself,
    # so the project's own named loggers still reach the handlers.
    root = logging.getLogger()
    quiet = logging.NullHandler()
    root.addHandler(quiet)
    root.addFilter(_drop_record)
    try:
        yield
    finally:
        root.removeFilter(_drop_record)
        root.removeHandler(quiet)


def _drop_record(record: logging.LogRecord) -> bool:
    return False
