"""Export a Decoder in the HF / Optimum / transformers.js ONNX convention.

onnx/model.onnx
  inputs : input_ids int64 [batch, seq]
           attention_mask int64 [batch, past+seq]
           position_ids int64 [batch, seq]
           past_key_values.{i}.key|value f32 [batch, kv_heads, past, head_dim]
  outputs: logits f32 [batch, seq, vocab]
           present.{i}.key|value f32 [batch, kv_heads, past+seq, head_dim]

`merged=True` writes the older Optimum layout instead (decoder_model_merged.onnx):
the same plus a boolean input `use_cache_branch` [1]. Here it is consumed by a
Where that selects between two identical tensors, so it never changes results.
"""
from __future__ import annotations

import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decoder import Decoder  # noqa: E402

OPSET = 14


class HFWrapper(nn.Module):
    def __init__(self, model: Decoder, merged: bool):
        super().__init__()
        self.model = model
        self.merged = merged

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        L = self.model.cfg.num_hidden_layers
        past = [(rest[2 * i], rest[2 * i + 1]) for i in range(L)]
        logits, _, _, presents = self.model.forward_full(
            self.model.embed(input_ids), attention_mask, position_ids, past, None
        )
        if self.merged:
            use_cache_branch = rest[2 * L]
            # a real consumer of the input that has no effect on the result
            logits = torch.where(use_cache_branch, logits, logits * 1.0)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def hf_names(L: int, merged: bool):
    inputs = ["input_ids", "attention_mask", "position_ids"]
    for i in range(L):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
    if merged:
        inputs.append("use_cache_branch")
    outputs = ["logits"]
    for i in range(L):
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def export_hf_onnx(model: Decoder, path: str, merged: bool = False):
    model.eval()
    cfg = model.cfg
    L = cfg.num_hidden_layers
    B, S, P = 2, 3, 2
    ids = torch.randint(0, cfg.vocab_size, (B, S), dtype=torch.int64)
    mask = torch.ones(B, P + S, dtype=torch.int64)
    pos = torch.arange(P, P + S, dtype=torch.int64)[None].expand(B, S).contiguous()
    past = []
    for _ in range(L):
        past += [torch.randn(B, cfg.num_key_value_heads, P, cfg.head_dim) for _ in range(2)]
    args = [ids, mask, pos, *past]
    if merged:
        args.append(torch.tensor([True]))
    inputs, outputs = hf_names(L, merged)
    dyn = {
        "input_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 1: "total"},
        "position_ids": {0: "batch", 1: "seq"},
        "logits": {0: "batch", 1: "seq"},
    }
    for i in range(L):
        for kv in ("key", "value"):
            dyn[f"past_key_values.{i}.{kv}"] = {0: "batch", 2: "past"}
            dyn[f"present.{i}.{kv}"] = {0: "batch", 2: "total"}
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            HFWrapper(model, merged), tuple(args), path,
            input_names=inputs, output_names=outputs, dynamic_axes=dyn,
            opset_version=OPSET, do_constant_folding=True,
        )
