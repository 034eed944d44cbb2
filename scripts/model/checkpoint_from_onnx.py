"""Rebuild a torch checkpoint from a lab-convention model folder (when the training run's
checkpoint is no longer on the machine).

  /usr/bin/python3 scripts/model/checkpoint_from_onnx.py --model resources/models/ontology-cot \
      --out scripts/model/runs/rebuilt/cot.pt --n-val 300 --n-test 300

torch.onnx.export keeps named parameters (norms, positions) under their module names and
stores each Linear weight transposed as an anonymous `onnx::MatMul_N` initializer, created in
module order (q, k, v, o, fc1, fc2 per block, then the tied unembedding). The rebuilt model is
checked against the folder's reference.json (torch log-probabilities, 1e-4) before it is saved.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import Decoder, DecoderConfig, save_checkpoint  # noqa: E402

LINEARS = ["attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.o_proj", "mlp.fc1", "mlp.fc2"]


def state_dict_from_folder(folder: str, cfg: DecoderConfig) -> dict:
    graph = onnx.load(os.path.join(folder, "onnx", "model.onnx")).graph
    named, matmuls = {}, []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        m = re.fullmatch(r"onnx::MatMul_(\d+)", init.name)
        if m:
            matmuls.append((int(m.group(1)), arr))
        else:
            named[init.name.removeprefix("model.")] = arr
    matmuls.sort(key=lambda t: t[0])
    emb = np.fromfile(os.path.join(folder, "embeddings.f32"), dtype="<f4").reshape(cfg.vocab_size, cfg.hidden_size)
    sd = {"embed.weight": emb}
    for key in ["pos.weight", "norm.weight"]:
        if key in named:
            sd[key] = named[key]
    expected = len(LINEARS) * cfg.num_hidden_layers + (0 if cfg.tie_word_embeddings else 1)
    weights = [a for _, a in matmuls]
    if cfg.tie_word_embeddings and weights and weights[-1].shape == (cfg.hidden_size, cfg.vocab_size):
        weights = weights[:-1]
    if len(weights) != expected:
        raise SystemExit(f"{folder}: expected {expected} MatMul weights, found {len(weights)}")
    it = iter(weights)
    for i in range(cfg.num_hidden_layers):
        sd[f"blocks.{i}.ln1.weight"] = named[f"blocks.{i}.ln1.weight"]
        sd[f"blocks.{i}.ln2.weight"] = named[f"blocks.{i}.ln2.weight"]
        for lin in LINEARS:
            sd[f"blocks.{i}.{lin}.weight"] = next(it).T.copy()
    if not cfg.tie_word_embeddings:
        sd["lm_head.weight"] = next(it).T.copy()
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


@torch.no_grad()
def max_reference_error(model: Decoder, folder: str) -> float:
    with open(os.path.join(folder, "reference.json")) as f:
        ref = json.load(f)
    worst = 0.0
    for ex in ref["examples"]:
        ids = ex["input_ids"]
        lp = torch.log_softmax(model.forward_ids(torch.tensor([ids]))[0][0], -1)
        got = [lp[j, ids[j + 1]].item() for j in range(len(ids) - 1)]
        worst = max(worst, max(abs(a - b) for a, b in zip(got, ex["gold_logprobs"])))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n-val", type=int, default=300)
    ap.add_argument("--n-test", type=int, default=300)
    args = ap.parse_args()
    with open(os.path.join(args.model, "config.json")) as f:
        config = json.load(f)
    cfg = DecoderConfig.from_json(config["decoder_config"])
    model = Decoder(cfg)
    model.load_state_dict(state_dict_from_folder(args.model, cfg))
    model.eval()
    err = max_reference_error(model, args.model)
    if err > 1e-4:
        raise SystemExit(f"rebuilt weights differ from reference.json: max |Δ logprob| = {err:.3g}")
    extra = {"task": config["lattice_lab"]["task"]["spec"], "n_val": args.n_val, "n_test": args.n_test,
             "rebuilt_from": args.model, **config["lattice_lab"].get("training", {})}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    save_checkpoint(args.out, model, extra)
    print(json.dumps({"out": args.out, "max_abs_logprob_error": err}))


if __name__ == "__main__":
    main()
