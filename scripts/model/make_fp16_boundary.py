"""A float16-boundary copy of a fixture model: every float32 graph input and output (KV cache, logits, embeddings,
hidden states) becomes float16 at the boundary through Cast nodes, the computation inside stays float32. This is
what a transformers.js `onnx/model_fp16.onnx` looks like from outside, small enough to commit as a test fixture.

    /usr/bin/python3 scripts/model/make_fp16_boundary.py test/fixtures/models/hf-gpt2-tiny test/fixtures/models/hf-gpt2-tiny-fp16
"""
import os
import shutil
import sys

import onnx
from onnx import TensorProto, helper

GRAPH_NAMES = ["onnx/model.onnx", "onnx/decoder_model_merged.onnx", "decoder_model_merged.onnx", "model.onnx"]


def to_fp16_boundary(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    casts_in = []
    for value in graph.input:
        tensor = value.type.tensor_type
        if tensor.elem_type != TensorProto.FLOAT:
            continue
        inner = value.name + "_f32"
        for node in graph.node:
            node.input[:] = [inner if name == value.name else name for name in node.input]
        casts_in.append(helper.make_node("Cast", [value.name], [inner], to=TensorProto.FLOAT, name="fp16_in_" + value.name))
        tensor.elem_type = TensorProto.FLOAT16
    casts_out = []
    for value in graph.output:
        tensor = value.type.tensor_type
        if tensor.elem_type != TensorProto.FLOAT:
            continue
        inner = value.name + "_f32"
        for node in graph.node:
            node.output[:] = [inner if name == value.name else name for name in node.output]
            node.input[:] = [inner if name == value.name else name for name in node.input]
        casts_out.append(helper.make_node("Cast", [inner], [value.name], to=TensorProto.FLOAT16, name="fp16_out_" + value.name))
        tensor.elem_type = TensorProto.FLOAT16
    nodes = casts_in + list(graph.node) + casts_out
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model


def main(source: str, target: str) -> None:
    graph_name = next(name for name in GRAPH_NAMES if os.path.exists(os.path.join(source, name)))
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.onnx", "decoder_model_merged.onnx", "reference.json"))
    model = to_fp16_boundary(onnx.load(os.path.join(source, graph_name)))
    os.makedirs(os.path.join(target, "onnx"), exist_ok=True)
    onnx.save(model, os.path.join(target, "onnx", "model_fp16.onnx"))
    # the lens graph (lab models) keeps float32: it reads float32 hidden states the engine converts
    lens = os.path.join(source, "onnx", "lens.onnx")
    if os.path.exists(lens):
        shutil.copy(lens, os.path.join(target, "onnx", "lens.onnx"))
    print(f"wrote {target}/onnx/model_fp16.onnx from {graph_name}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
