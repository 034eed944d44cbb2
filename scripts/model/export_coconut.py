"""Export a Coconut (continuous-thought) checkpoint as a lab model folder.

  /usr/bin/python3 scripts/model/export_coconut.py --checkpoint scripts/model/runs/coconut/latest.pt \
      --out resources/models/ontology-coconut [--cot-dir resources/models/ontology-cot]

Writes: config.json (lab config + lattice_lab.thoughts), tokenizer.json (the chain-of-facts
vocabulary + <bot>, <eot> as special tokens), tokenizer_config.json, onnx/model.onnx,
onnx/lens.onnx, embeddings.f32, task/ontology.json, task/test.jsonl (regenerated from the
checkpoint's task spec: identical to the chain-of-facts folder's; with --cot-dir they are
compared byte for byte and its task/README.md is copied), reference.json (see
`reference`), task/eval_coconut.json (Python greedy answer after the thoughts on the test
split, scored by the Python checker). README.md is written by hand.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import count_params, load_checkpoint  # noqa: E402
from export_lab import export_lab_folder  # noqa: E402
import coconut as C  # noqa: E402
import ontology_task as T  # noqa: E402
import tokjson  # noqa: E402
from make_task import write_task  # noqa: E402


def r7(x):
    if isinstance(x, float):
        return float(f"{x:.7g}")
    if isinstance(x, list):
        return [r7(v) for v in x]
    return x


def pick_examples(records: list[dict], spec: T.TaskSpec) -> list[dict]:
    """The first test record of the shortest, a middle and the longest hop count."""
    out = []
    for h in (spec.min_hops, (spec.min_hops + spec.max_hops) // 2, spec.max_hops):
        out.append(next(r for r in records if r["hops"] == h))
    return out


@torch.no_grad()
def reference(model, records, spec, tok, stage, max_latent, n_thoughts, bot, eot):
    out = {
        "description": (
            "Coconut hidden mode, computed by scripts/model/coconut.py (coconut_forward: KV-cached passes, "
            "batch 1, position_ids = sequence index, attention_mask all ones, residual_delta zeros). "
            "Sequence: prompt_ids (with <bos>) + [bot_id] + n_thoughts continuous thoughts + [eot_id] + "
            "continuation_ids. Thought i's input embedding is last_hidden_state (after the final norm) at the "
            "previous position (thought_inputs[i]; thought_inputs[0] is last_hidden_state at <bot>). "
            "continuation_logprobs[j] = log p(continuation_ids[j] | everything before it), teacher forced "
            "(j = 0 is predicted at the <eot> position). greedy_ids: Python greedy continuation after <eot> "
            "(eos included if generated)."),
        "bot_id": bot,
        "eot_id": eot,
        "n_thoughts": n_thoughts,
        "stage": stage,
        "examples": [],
    }
    for r in records:
        q = {k: r[k] for k in ("person", "start", "options", "answer", "distractor", "hops")}
        prompt, facts, answer = C.example_parts(tok, q, r["chain"])
        assert prompt == r["prompt_ids"]
        n_skip, n = C.stage_plan(stage, len(facts), max_latent)
        assert n == n_thoughts
        tail = C.tail_ids(facts, answer, n_skip, eot)
        logits, thoughts, _ = C.coconut_forward(model, torch.tensor([prompt + [bot]]), n, torch.tensor([tail]))
        lp = torch.log_softmax(logits[0], -1)
        cont = tail[1:]
        gens, fins = C.greedy_after_thoughts(model, [prompt], n, bot, eot, C.max_new_tokens(spec))
        out["examples"].append({
            "id": r["id"],
            "prompt": r["prompt"],
            "hops": r["hops"],
            "prompt_ids": prompt,
            "continuation_ids": cont,
            "continuation_text": tok.decode(cont),
            "continuation_logprobs": r7([lp[j, cont[j]].item() for j in range(len(cont))]),
            "eot_logprobs": r7(lp[0].tolist()),
            "thought_inputs": r7(thoughts[0].tolist()),
            "greedy_ids": gens[0] + ([T.EOS] if fins[0] else []),
        })
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cot-dir", help="the chain-of-facts model folder, to check task/ files against")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, extra = load_checkpoint(args.checkpoint)
    spec = T.TaskSpec(**extra["task"])
    cc = extra["coconut"]
    stage, n_thoughts, max_latent = extra["stage"], extra["n_thoughts"], cc["max_latent"]
    final = stage == C.last_stage(max_latent, spec.max_hops)
    onto, splits = write_task(args.out, spec, extra["n_val"], extra["n_test"])
    vocab = C.coconut_vocab(onto)
    assert len(vocab) == model.cfg.vocab_size
    tok = T.WordTok(vocab)
    bot, eot = C.marker_ids(vocab)
    assert (bot, eot) == (cc["bot_id"], cc["eot_id"])
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        json.dump(tokjson.wordpiece(vocab, T.SPECIALS + [C.BOT_TOKEN, C.EOT_TOKEN], unk="<unk>", bos="<bos>"), f, indent=1)
        f.write("\n")
    if args.cot_dir:
        for rel in ("task/ontology.json", "task/test.jsonl"):
            a, b = os.path.join(args.out, rel), os.path.join(args.cot_dir, rel)
            if os.path.exists(b):
                assert filecmp.cmp(a, b, shallow=False), f"{rel} differs from {b}"
                print(f"{rel}: identical to {b}")
        readme = os.path.join(args.cot_dir, "task", "README.md")
        if os.path.exists(readme):
            shutil.copy(readme, os.path.join(args.out, "task", "README.md"))
    history = extra.get("coconut_history", [])
    training = {
        "checkpoint": os.path.basename(args.checkpoint),
        "init": os.path.basename(os.path.dirname(extra.get("init", ""))) + "/" + os.path.basename(extra.get("init", "")),
        "stage": stage,
        "final_stage": final,
        "stage_complete": extra.get("stage_complete"),
        "max_latent": max_latent,
        "c_thought": cc["c_thought"],
        "total_train_minutes": extra.get("total_train_minutes"),
        "stages": [{k: h[k] for k in ("stage", "n_thoughts", "steps", "train_minutes")} |
                   {"validation_accuracy": h["validation"]["accuracy"]} for h in history],
        "params": count_params(model),
    }
    export_lab_folder(model, args.out, bos=T.BOS, eos=T.EOS, pad=T.PAD, extra_config={
        "lattice_lab": {
            "task": {"name": "ontology-coconut", "ontology": "task/ontology.json", "test": "task/test.jsonl",
                     "spec": spec.to_json()},
            "tokenizer_adds_bos": True,
            "thoughts": {"begin_token": C.BOT_TOKEN, "end_token": C.EOT_TOKEN, "count": n_thoughts, "mode": "hidden"},
            "training": training,
        },
    })
    with open(os.path.join(args.out, "task", "test.jsonl")) as f:
        records = [json.loads(l) for l in f if l.strip()]
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference(model, pick_examples(records, spec), spec, tok, stage, max_latent, n_thoughts, bot, eot), f)
        f.write("\n")
    summary, details = C.evaluate(model, onto, tok, records, n_thoughts, bot, eot)
    for d, r in zip(details, records):
        d["id"] = r["id"]
    with open(os.path.join(args.out, "task", "eval_coconut.json"), "w") as f:
        json.dump({"checkpoint": training, "summary": summary, "details": details}, f, indent=0)
        f.write("\n")
    print(json.dumps({"training": training, "test": summary}, indent=1))


if __name__ == "__main__":
    main()
