"""Torch reference for the lab's latent-search analysis (`npm run lab -- frontier`).

  /usr/bin/python3 scripts/model/frontier_reference.py --model resources/models/ontology-coconut
  /usr/bin/python3 scripts/model/frontier_reference.py --model resources/models/ontology-cot

Rebuilds the torch model from the folder (checkpoint_from_onnx.state_dict_from_folder, checked against the folder's
reference.json), then for 3 test questions (the first of 2, 4 and 6 hops) and every k < hops (k <= the thought count
for a continuous-thought model) reads the distribution where the subject X of fact k+1 ("every X is a Y") is written:

* continuous thoughts (config lattice_lab.thoughts): prompt + <bot>, k thoughts (each fed the previous position's
  final hidden state), then <eot> "every" as tokens;
* chain of facts: prompt + the first k facts of the gold target + "every".

Writes <model>/frontier_reference.json: per question and k, the probability of every frontier concept at the model's
output and through the logit lens (final norm + unembedding) of every residual stream. The TS test
test/main/engine/analysis/frontier.test.ts compares the engine with it (1e-4).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checkpoint_from_onnx import max_reference_error, state_dict_from_folder  # noqa: E402
from decoder import Decoder, DecoderConfig  # noqa: E402


def load_folder(folder: str) -> tuple[Decoder, dict]:
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    cfg = DecoderConfig.from_json(config["decoder_config"])
    model = Decoder(cfg)
    model.load_state_dict(state_dict_from_folder(folder, cfg))
    model.eval()
    thoughts = config["lattice_lab"].get("thoughts")
    err = coconut_reference_error(model, folder) if thoughts else max_reference_error(model, folder)
    if err > 1e-4:
        raise SystemExit(f"{folder}: rebuilt weights differ from reference.json by {err:.3g}")
    return model, config


def thought_states(model: Decoder, prompt: list[int], bot: int, n: int):
    """Prompt + <bot> then n thoughts, each fed the previous final hidden state: (past, next position)."""
    _, last, _, past = model.forward_ids(torch.tensor([prompt + [bot]]))
    pos = len(prompt) + 1
    for _ in range(n):
        _, last, _, past = model.forward_full(last[:, -1:], torch.ones(1, pos + 1, dtype=torch.int64), torch.tensor([[pos]]), past)
        pos += 1
    return past, pos


@torch.no_grad()
def coconut_reference_error(model: Decoder, folder: str) -> float:
    """The rebuilt weights against a continuous-thought folder's reference.json (the training code's log-probabilities)."""
    with open(os.path.join(folder, "reference.json")) as f:
        ref = json.load(f)
    worst = 0.0
    for ex in ref["examples"]:
        past, pos = thought_states(model, ex["prompt_ids"], ref["bot_id"], ref["n_thoughts"])
        ids = [ref["eot_id"]] + ex["continuation_ids"]
        logits = model.forward_full(model.embed(torch.tensor([ids])), torch.ones(1, pos + len(ids), dtype=torch.int64),
                                    torch.arange(pos, pos + len(ids))[None], past)[0]
        lp = torch.log_softmax(logits[0], -1)
        got = [lp[j, c].item() for j, c in enumerate(ex["continuation_ids"])]
        worst = max(worst, max(abs(a - b) for a, b in zip(got, ex["continuation_logprobs"])))
    return worst


def vocab_of(folder: str) -> dict[str, int]:
    with open(os.path.join(folder, "tokenizer.json")) as f:
        tok = json.load(f)
    vocab = dict(tok["model"]["vocab"])
    for added in tok.get("added_tokens", []):
        vocab[added["content"]] = added["id"]
    return vocab


def pick_questions(records: list[dict]) -> list[int]:
    out = []
    for hops in (2, 4, 6):
        out.append(next(i for i, r in enumerate(records) if r["hops"] == hops))
    return out


@torch.no_grad()
def readouts(model: Decoder, record: dict, vocab: dict[str, int], thoughts: dict | None) -> list[tuple[int, torch.Tensor, torch.Tensor]]:
    """(k, log-probabilities at the output [V], logit-lens log-probabilities per stream [L+1, V]) for each k."""
    every = vocab["every"]
    prompt = record["prompt_ids"]
    out = []

    def lens(hs_last: torch.Tensor) -> torch.Tensor:  # [L+1, H] -> [L+1, V]
        return torch.log_softmax(model.unembed(model.norm(hs_last)), -1)

    if thoughts:
        bot, eot = vocab[thoughts["begin_token"]], vocab[thoughts["end_token"]]
        last_k = min(thoughts.get("count", 6), record["hops"] - 1)
        for k in range(last_k + 1):
            # each k from scratch: the same function as one cached run, and independent of the engine's caching
            past, pos = thought_states(model, prompt, bot, k)
            ids = torch.tensor([[eot, every]])
            logits, _, hs, _ = model.forward_full(model.embed(ids), torch.ones(1, pos + 2, dtype=torch.int64),
                                                  torch.tensor([[pos, pos + 1]]), past)
            out.append((k, torch.log_softmax(logits[0, -1], -1), lens(hs[:, 0, -1])))
    else:
        target = record["target_ids"]
        for k in range(record["hops"]):
            logits, _, hs, _ = model.forward_ids(torch.tensor([prompt + target[: 6 * k] + [every]]))
            out.append((k, torch.log_softmax(logits[0, -1], -1), lens(hs[:, 0, -1])))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, config = load_folder(args.model)
    vocab = vocab_of(args.model)
    thoughts = config["lattice_lab"].get("thoughts")
    with open(os.path.join(args.model, "task", "test.jsonl")) as f:
        records = [json.loads(line) for line in f if line.strip()]
    questions = []
    for index in pick_questions(records):
        record = records[index]
        steps = []
        for k, output, layers in readouts(model, record, vocab, thoughts):
            frontier = record["steps"][k]["frontier"]
            ids = [vocab[c] for c in frontier]
            steps.append({
                "k": k,
                "frontier": frontier,
                "values": [output[i].exp().item() for i in ids],
                "layer_values": [[layer[i].exp().item() for i in ids] for layer in layers],
            })
        questions.append({"index": index, "hops": record["hops"], "steps": steps})
    out = {"note": "scripts/model/frontier_reference.py: torch values of the frontier concepts at the subject of fact k+1",
           "mode": "latent" if thoughts else "language", "questions": questions}
    path = os.path.join(args.model, "frontier_reference.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1)
    os.replace(tmp, path)
    print(json.dumps({"wrote": path, "questions": [q["index"] for q in questions],
                      "steps": sum(len(q["steps"]) for q in questions)}))


if __name__ == "__main__":
    main()
