"""Torch references for steering and ablation on a lab-convention model folder.

  /usr/bin/python3 scripts/model/steer_reference.py --model resources/models/ontology-cot \
      --out test/fixtures/steering/ontology-cot.json

The weights are rebuilt from the folder's graph (checkpoint_from_onnx.py), so no training checkpoint is needed.
Writes one JSON file: a direction made the lab's way (mean residual after layer L at the last prompt token,
positive prompts minus negative prompts; prompts about test example 0's distractor vs its answer), and, for
three test prompts, torch greedy continuations steered with scale x that direction (every position, full pass,
no cache) with each chosen token's log-probability; plus an ablation example (full-pass log-probabilities
with the direction's unit vectors removed) and the hidden states' components along them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import Decoder, DecoderConfig  # noqa: E402
from checkpoint_from_onnx import state_dict_from_folder  # noqa: E402
import ontology_task as T  # noqa: E402

LAYERS = [2, 3]
SCALE = 0.5
N_PROMPTS = 3
MAX_NEW = 60


def load(folder: str):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    model = Decoder(DecoderConfig.from_json(config["decoder_config"]))
    model.load_state_dict(state_dict_from_folder(folder, model.cfg))
    model.eval()
    with open(os.path.join(folder, "tokenizer.json")) as f:
        vocab_map = json.load(f)["model"]["vocab"]
    vocab = [w for w, _ in sorted(vocab_map.items(), key=lambda kv: kv[1])]
    return model, T.WordTok(vocab)


@torch.no_grad()
def last_residuals(model, ids, layers):
    _, _, hs, _ = model.forward_ids(torch.tensor([ids]))
    return [hs[l, 0, -1] for l in layers]


@torch.no_grad()
def make_direction(model, tok, positive, negative, layers):
    sums = [torch.zeros(model.cfg.hidden_size, dtype=torch.float64) for _ in layers]
    for prompts, sign in ((positive, 1.0), (negative, -1.0)):
        for p in prompts:
            for k, r in enumerate(last_residuals(model, tok.encode(p), layers)):
                sums[k] += sign * r.double() / len(prompts)
    return [s.float() for s in sums]


def delta_of(model, vectors, layers, scale):
    d = torch.zeros(model.cfg.num_hidden_layers, model.cfg.hidden_size)
    for v, l in zip(vectors, layers):
        d[l - 1] += scale * v
    return d


@torch.no_grad()
def steered_greedy(model, ids, delta):
    ids = list(ids)
    out = []
    for _ in range(MAX_NEW):
        logits = model.forward_ids(torch.tensor([ids]), residual_delta=delta)[0][0, -1]
        lp = torch.log_softmax(logits, -1)
        t = int(lp.argmax())
        out.append({"token": t, "logprob": float(lp[t])})
        ids.append(t)
        if t == T.EOS:
            break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, tok = load(args.model)
    with open(os.path.join(args.model, "task", "test.jsonl")) as f:
        records = [json.loads(l) for l in f if l.strip()][:N_PROMPTS]
    r0 = records[0]
    positive = [f"{n} is a {r0['distractor']}" for n in T.NAMES[:8]]
    negative = [f"{n} is a {r0['answer']}" for n in T.NAMES[:8]]
    vectors = make_direction(model, tok, positive, negative, LAYERS)
    name = os.path.basename(os.path.normpath(args.model))
    direction = {
        "format": "lattice-lab-direction", "version": 1, "model": name, "hiddenSize": model.cfg.hidden_size,
        "layers": {str(l): v.tolist() for l, v in zip(LAYERS, vectors)},
        "note": f"torch reference: mean residual at the last prompt token, '<name> is a {r0['distractor']}' minus "
                f"'<name> is a {r0['answer']}' over 8 names (steer_reference.py)",
    }
    delta = delta_of(model, vectors, LAYERS, SCALE)
    steered = []
    for r in records:
        plain = steered_greedy(model, r["prompt_ids"], None)
        steered.append({"id": r["id"], "prompt": r["prompt"], "prompt_ids": r["prompt_ids"],
                        "plain": plain, "steered": steered_greedy(model, r["prompt_ids"], delta)})
    # ablation: unit rows at LAYERS, full pass over example 0's prompt + gold target
    ablate = torch.zeros(model.cfg.num_hidden_layers, model.cfg.hidden_size)
    for v, l in zip(vectors, LAYERS):
        ablate[l - 1] = v / v.norm()
    ids = r0["prompt_ids"] + r0["target_ids"]
    with torch.no_grad():
        logits, _, hs, _ = model.forward_ids(torch.tensor([ids]), residual_ablate=ablate)
    lp = torch.log_softmax(logits[0], -1)
    components = {str(l): (hs[l, 0] @ ablate[l - 1]).abs().max().item() for l in range(1, model.cfg.num_hidden_layers + 1)
                  if ablate[l - 1].abs().sum() > 0}
    out = {
        "description": __doc__.strip().splitlines()[-5:],
        "direction": direction,
        "positive": positive,
        "negative": negative,
        "scale": SCALE,
        "layers": LAYERS,
        "greedy": steered,
        "ablation": {"input_ids": ids, "gold_logprobs": [lp[j, ids[j + 1]].item() for j in range(len(ids) - 1)],
                     "max_abs_component": components},
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f)
        f.write("\n")
    os.replace(tmp, args.out)
    for s in steered:
        print(s["id"], "plain  :", tok.decode([x["token"] for x in s["plain"]]))
        print(s["id"], "steered:", tok.decode([x["token"] for x in s["steered"]]))
    print("ablation components", components)


if __name__ == "__main__":
    main()
