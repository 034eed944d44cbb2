"""Export a Decoder in the Lattice Lab ("lab") ONNX convention.

Model folder layout written by `export_lab_folder`:
  config.json, tokenizer.json (+ tokenizer_config.json), onnx/model.onnx,
  onnx/lens.onnx, embeddings.f32

onnx/model.onnx
  inputs : inputs_embeds f32 [batch, seq, hidden]
           attention_mask int64 [batch, past+seq]   (0 = masked key)
           position_ids int64 [batch, seq]
           past_key_values.{i}.key|value f32 [batch, kv_heads, past, head_dim]
           residual_delta f32 [layers, hidden]      (h = layer_i(h) + residual_delta[i])
           residual_ablate f32 [layers, hidden]     (unit rows u_i, zeros = off: before the delta,
                                                     h = layer_i(h) - (h . u_i) u_i)
  outputs: logits f32 [batch, seq, vocab]
           last_hidden_state f32 [batch, seq, hidden]   (after the final norm)
           hidden_states f32 [layers+1, batch, seq, hidden] (before the final norm)
           present.{i}.key|value f32 [batch, kv_heads, past+seq, head_dim]
onnx/lens.onnx
  input hidden f32 [n, hidden] -> logits f32 [n, vocab]  (unembed(final_norm(hidden)))
embeddings.f32: raw little-endian float32 [vocab, hidden], row-major.

Usage: /usr/bin/python3 -m scripts.model.export_lab --checkpoint ck.pt --out DIR --tokenizer-dir TOKDIR
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decoder import Decoder, load_checkpoint  # noqa: E402

OPSET = 14


class LabWrapper(nn.Module):
    def __init__(self, model: Decoder, ablation: bool = True):
        super().__init__()
        self.model = model
        self.ablation = ablation

    def forward(self, inputs_embeds, attention_mask, position_ids, *rest):
        L = self.model.cfg.num_hidden_layers
        past = [(rest[2 * i], rest[2 * i + 1]) for i in range(L)]
        residual_delta = rest[2 * L]
        residual_ablate = rest[2 * L + 1] if self.ablation else None
        logits, last, hs, presents = self.model.forward_full(
            inputs_embeds, attention_mask, position_ids, past, residual_delta, residual_ablate
        )
        out = [logits, last, hs]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


class LensWrapper(nn.Module):
    def __init__(self, model: Decoder):
        super().__init__()
        self.model = model

    def forward(self, hidden):
        return self.model.lens(hidden)


def lab_names(L: int, ablation: bool = True):
    inputs = ["inputs_embeds", "attention_mask", "position_ids"]
    for i in range(L):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
    inputs += ["residual_delta", "residual_ablate"] if ablation else ["residual_delta"]
    outputs = ["logits", "last_hidden_state", "hidden_states"]
    for i in range(L):
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def export_lab_onnx(model: Decoder, path: str, ablation: bool = True):
    model.eval()
    cfg = model.cfg
    L = cfg.num_hidden_layers
    B, S, P = 2, 3, 2
    embeds = torch.randn(B, S, cfg.hidden_size)
    mask = torch.ones(B, P + S, dtype=torch.int64)
    pos = torch.arange(P, P + S, dtype=torch.int64)[None].expand(B, S).contiguous()
    past = []
    for _ in range(L):
        past += [torch.randn(B, cfg.num_key_value_heads, P, cfg.head_dim) for _ in range(2)]
    delta = torch.zeros(L, cfg.hidden_size)
    # non-zero example values so the tracer cannot treat either input as a constant
    ablate = torch.nn.functional.normalize(torch.randn(L, cfg.hidden_size), dim=-1)
    inputs, outputs = lab_names(L, ablation)
    dyn = {
        "inputs_embeds": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 1: "total"},
        "position_ids": {0: "batch", 1: "seq"},
        "logits": {0: "batch", 1: "seq"},
        "last_hidden_state": {0: "batch", 1: "seq"},
        "hidden_states": {1: "batch", 2: "seq"},
    }
    for i in range(L):
        for kv in ("key", "value"):
            dyn[f"past_key_values.{i}.{kv}"] = {0: "batch", 2: "past"}
            dyn[f"present.{i}.{kv}"] = {0: "batch", 2: "total"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            LabWrapper(model, ablation), (embeds, mask, pos, *past, delta, *([ablate] if ablation else [])), path,
            input_names=inputs, output_names=outputs, dynamic_axes=dyn,
            opset_version=OPSET, do_constant_folding=True,
        )


def export_lens_onnx(model: Decoder, path: str):
    model.eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            LensWrapper(model), (torch.randn(3, model.cfg.hidden_size),), path,
            input_names=["hidden"], output_names=["logits"],
            dynamic_axes={"hidden": {0: "n"}, "logits": {0: "n"}},
            opset_version=OPSET, do_constant_folding=True,
        )


def write_embeddings(model: Decoder, path: str):
    w = model.embed.weight.detach().cpu().numpy().astype("<f4")
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(w).tobytes())


def lab_config(model: Decoder, bos: int, eos: int, pad: int, extra: dict | None = None) -> dict:
    c = model.cfg
    d = {
        "model_type": "lattice-lab",
        "architectures": ["LatticeLabDecoder"],
        "num_hidden_layers": c.num_hidden_layers,
        "num_attention_heads": c.num_attention_heads,
        "num_key_value_heads": c.num_key_value_heads,
        "hidden_size": c.hidden_size,
        "head_dim": c.head_dim,
        "intermediate_size": c.intermediate_size,
        "vocab_size": c.vocab_size,
        "max_position_embeddings": c.max_position_embeddings,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "pad_token_id": pad,
        "position_embedding_type": "learned_absolute" if c.pos_type == "learned" else "rope",
        "tie_word_embeddings": c.tie_word_embeddings,
        "rms_norm_eps": c.rms_norm_eps,
        "torch_dtype": "float32",
        "lattice_lab": {"convention": "lab", "embeddings": "embeddings.f32", "lens": "onnx/lens.onnx"},
        "decoder_config": c.to_json(),
    }
    if extra:
        extra = dict(extra)
        d["lattice_lab"].update(extra.pop("lattice_lab", {}))
        d.update(extra)
    return d


def export_lab_folder(model: Decoder, out: str, bos: int, eos: int, pad: int, extra_config: dict | None = None,
                      ablation: bool = True):
    """ablation=False leaves out the residual_ablate input (a graph as lab exports were before it)."""
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    export_lab_onnx(model, os.path.join(out, "onnx", "model.onnx"), ablation)
    export_lens_onnx(model, os.path.join(out, "onnx", "lens.onnx"))
    write_embeddings(model, os.path.join(out, "embeddings.f32"))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(lab_config(model, bos, eos, pad, extra_config), f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer-dir", help="folder holding tokenizer.json (+ tokenizer_config.json) to copy")
    ap.add_argument("--bos", type=int, required=True)
    ap.add_argument("--eos", type=int, required=True)
    ap.add_argument("--pad", type=int, required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, _ = load_checkpoint(args.checkpoint)
    export_lab_folder(model, args.out, args.bos, args.eos, args.pad)
    if args.tokenizer_dir:
        for fn in ("tokenizer.json", "tokenizer_config.json"):
            p = os.path.join(args.tokenizer_dir, fn)
            if os.path.exists(p):
                shutil.copy(p, os.path.join(args.out, fn))


if __name__ == "__main__":
    main()
