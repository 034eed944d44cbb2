"""Greedy evaluation of a checkpoint on the ontology task.

  /usr/bin/python3 scripts/model/task_eval.py --checkpoint CK.pt [--split test|validation]
      [--task-file resources/models/ontology-cot/task/test.jsonl] [--out results.json]

Greedy decoding with a KV cache, all prompts in one batch (every prompt has the
same number of tokens), up to eos or the token limit, scored by the Python checker.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import Decoder, load_checkpoint  # noqa: E402
import ontology_task as T  # noqa: E402


def max_new_tokens(spec: T.TaskSpec) -> int:
    return 6 * spec.max_hops + 7 + 1 + 8  # facts + answer sentence + eos + slack


@torch.no_grad()
def greedy_batch(model: Decoder, prompts: list[list[int]], max_new: int, eos: int = T.EOS):
    """prompts must all have the same length. Returns generated ids (without eos) and finished flags."""
    model.eval()
    B = len(prompts)
    ids = torch.tensor(prompts, dtype=torch.int64)
    logits, _, _, past = model.forward_ids(ids)
    P = ids.shape[1]
    out = [[] for _ in range(B)]
    done = [False] * B
    for step in range(max_new):
        nxt = logits[:, -1].argmax(-1)
        for b in range(B):
            if not done[b]:
                t = int(nxt[b])
                if t == eos:
                    done[b] = True
                else:
                    out[b].append(t)
        if all(done) or step == max_new - 1:
            break
        logits, _, _, past = model.forward_ids(nxt[:, None], past=past)
        P += 1
    return out, done


def evaluate(model: Decoder, onto: T.Ontology, tok: T.WordTok, questions: list[dict], batch: int = 100):
    spec = onto.spec
    res = {"n": 0, "correct": 0, "incorrect": 0, "malformed": 0, "chain_valid": 0, "correct_valid": 0, "off_option": 0}
    by_hops: dict[int, list[int]] = {}
    details = []
    for i in range(0, len(questions), batch):
        qs = questions[i:i + batch]
        prompts = [tok.encode(T.prompt_text(q)) for q in qs]
        gens, fins = greedy_batch(model, prompts, max_new_tokens(spec))
        for q, g, f in zip(qs, gens, fins):
            text = tok.decode(g)
            r = T.check(onto, q, text, f)
            res["n"] += 1
            res[r["status"]] += 1
            res["chain_valid"] += int(r["chain_valid"])
            res["correct_valid"] += int(r["chain_valid"] and r["correct"])
            res["off_option"] += int(r["status"] == "incorrect" and not r["answer_in_options"])
            by_hops.setdefault(q["hops"], [0, 0])
            by_hops[q["hops"]][0] += int(r["correct"])
            by_hops[q["hops"]][1] += 1
            details.append({"prompt": T.prompt_text(q), "output": text, "finished": f, **{k: r[k] for k in ("status", "chain_valid")}})
    n = max(res["n"], 1)
    summary = {
        "n": res["n"],
        "accuracy": res["correct"] / n,
        "incorrect_rate": res["incorrect"] / n,
        "malformed_rate": res["malformed"] / n,
        "well_formed_rate": 1 - res["malformed"] / n,
        "chain_valid_rate": res["chain_valid"] / n,
        "correct_and_chain_valid_rate": res["correct_valid"] / n,
        "incorrect_off_option_rate": res["off_option"] / n,
        "accuracy_by_hops": {str(h): [c, t] for h, (c, t) in sorted(by_hops.items())},
    }
    return summary, details


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--split", default="test", choices=["test", "validation"])
    ap.add_argument("--task-file", help="a test.jsonl; default: regenerate the split from the checkpoint's task spec")
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, extra = load_checkpoint(args.checkpoint)
    spec = T.TaskSpec(**extra["task"])
    onto = T.Ontology(spec)
    tok = T.WordTok(T.vocab_list(onto))
    if args.task_file:
        with open(args.task_file) as f:
            qs = [json.loads(l) for l in f if l.strip()]
    else:
        splits, _ = T.make_splits(T.TaskGen(onto), extra["n_val"], extra["n_test"], spec.seed)
        qs = splits[args.split]
    t0 = time.time()
    summary, details = evaluate(model, onto, tok, qs)
    summary["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(summary, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "details": details}, f, indent=1)


if __name__ == "__main__":
    main()
