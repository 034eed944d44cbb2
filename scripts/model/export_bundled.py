"""Export a trained checkpoint as the bundled model folder.

  /usr/bin/python3 scripts/model/export_bundled.py --checkpoint scripts/model/runs/main/ck_036min.pt \
      --out resources/models/ontology-cot

Writes: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
onnx/lens.onnx, embeddings.f32, task/ontology.json, task/test.jsonl,
reference.json (torch, full pass) and task/eval_greedy.json (Python greedy on the
test split, scored by the Python checker). README files are written by hand.
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
from decoder import count_params, load_checkpoint  # noqa: E402
from export_lab import export_lab_folder  # noqa: E402
from task_eval import evaluate, greedy_batch, max_new_tokens  # noqa: E402
import ontology_task as T  # noqa: E402
from make_task import write_task  # noqa: E402

N_REF = 4


def r7(x):
    if isinstance(x, float):
        return float(f"{x:.7g}")
    if isinstance(x, list):
        return [r7(v) for v in x]
    return x


@torch.no_grad()
def reference(model, records, spec):
    out = {
        "description": (
            "torch full pass (no cache), batch 1, position_ids 0..n-1, attention_mask all ones, "
            "residual_delta zeros unless given. input_ids = prompt_ids + target_ids (gold chain, answer, eos). "
            "gold_logprobs[j] = log p(input_ids[j+1] | input_ids[..j]) for j = 0..n-2. "
            "full_logprobs: {position: log_softmax over the whole vocabulary}. "
            "greedy_ids: torch greedy continuation of prompt_ids (eos included if generated)."),
        "examples": [],
    }
    for r in records:
        ids = r["prompt_ids"] + r["target_ids"]
        logits, last, hs, _ = model.forward_ids(torch.tensor([ids]))
        lp = torch.log_softmax(logits[0], -1)
        P = len(r["prompt_ids"])
        gens, fins = greedy_batch(model, [r["prompt_ids"]], max_new_tokens(spec))
        out["examples"].append({
            "id": r["id"],
            "input_ids": ids,
            "prompt_length": P,
            "gold_logprobs": r7([lp[j, ids[j + 1]].item() for j in range(len(ids) - 1)]),
            "full_logprobs": {str(P - 1): r7(lp[P - 1].tolist()), str(len(ids) - 2): r7(lp[len(ids) - 2].tolist())},
            "last_hidden_state_last": r7(last[0, -1].tolist()),
            "greedy_ids": gens[0] + ([T.EOS] if fins[0] else []),
        })
    # residual_delta example: a fixed random direction on the first example's prompt
    g = torch.Generator().manual_seed(7)
    L, H = model.cfg.num_hidden_layers, model.cfg.hidden_size
    delta = (torch.randn(L, H, generator=g) * 0.5)
    r = records[0]
    ids = r["prompt_ids"] + r["target_ids"]
    logits, last, _, _ = model.forward_ids(torch.tensor([ids]), residual_delta=delta)
    lp = torch.log_softmax(logits[0], -1)
    out["residual_delta_example"] = {
        "input_ids": ids,
        "residual_delta": r7(delta.tolist()),
        "gold_logprobs": r7([lp[j, ids[j + 1]].item() for j in range(len(ids) - 1)]),
        "full_logprobs": {str(len(r["prompt_ids"]) - 1): r7(lp[len(r["prompt_ids"]) - 1].tolist())},
        "last_hidden_state_last": r7(last[0, -1].tolist()),
    }
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, extra = load_checkpoint(args.checkpoint)
    spec = T.TaskSpec(**extra["task"])
    onto, splits = write_task(args.out, spec, extra["n_val"], extra["n_test"])
    tok = T.WordTok(T.vocab_list(onto))
    assert len(tok.vocab) == model.cfg.vocab_size
    if "rebuilt_from" in extra:
        # checkpoint_from_onnx.py copied the original training block: re-exporting must not rename the run
        keys = ("checkpoint", "train_minutes", "steps", "examples", "validation_greedy", "params")
        training = {k: extra.get(k) for k in keys}
    else:
        training = {
            "checkpoint": os.path.basename(args.checkpoint),
            "train_minutes": extra.get("train_minutes"),
            "steps": extra.get("step"),
            "examples": extra.get("examples"),
            "validation_greedy": extra.get("validation"),
            "params": count_params(model),
        }
    export_lab_folder(model, args.out, bos=T.BOS, eos=T.EOS, pad=T.PAD, extra_config={
        "lattice_lab": {
            "task": {"name": "ontology-cot", "ontology": "task/ontology.json", "test": "task/test.jsonl",
                     "spec": spec.to_json()},
            "tokenizer_adds_bos": True,
            "training": training,
        },
    })
    with open(os.path.join(args.out, "task", "test.jsonl")) as f:
        records = [json.loads(l) for l in f if l.strip()]
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference(model, records[:N_REF], spec), f)
        f.write("\n")
    summary, details = evaluate(model, onto, tok, records)
    for d, r in zip(details, records):
        d["id"] = r["id"]
    with open(os.path.join(args.out, "task", "eval_greedy.json"), "w") as f:
        json.dump({"checkpoint": training, "summary": summary, "details": details}, f, indent=0)
        f.write("\n")
    print(json.dumps({"training": training, "test_greedy": summary}, indent=1))


if __name__ == "__main__":
    main()
