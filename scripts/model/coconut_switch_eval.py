"""Can a continuous-thought checkpoint leave latent mode after any k thoughts?

  /usr/bin/python3 scripts/model/coconut_switch_eval.py --checkpoint scripts/model/runs/coconut-mix/stage_6.pt \
      [--split test] [--max-k 6] [--out switch.json]

For k = 0..max_k: prompt + <bot> + k thoughts + forced <eot>, then greedy decoding, scored by the
task checker (correct / malformed), plus whether the written continuation is the rest of a valid
chain: its first fact starts at a concept reachable from the start in exactly min(k, hops) steps,
every fact is an ontology edge, facts are consecutive and the last one ends at the answered concept
(with no facts expected once k >= hops, where the continuation must be the answer alone).
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
from decoder import load_checkpoint  # noqa: E402
import coconut as C  # noqa: E402
import ontology_task as T  # noqa: E402


def continuation_valid(onto: T.Ontology, q: dict, k: int, verdict: dict) -> bool:
    if verdict["status"] == "malformed":
        return False
    facts, z = verdict["facts"], verdict["answer"]
    if k >= q["hops"]:
        return not facts
    if not facts:
        return False
    frontier = onto.frontiers(q["start"])[k]
    ok = facts[0][0] in frontier and facts[-1][1] == z
    ok = ok and all((x, y) in onto.edges for x, y in facts)
    return ok and all(facts[j][1] == facts[j + 1][0] for j in range(len(facts) - 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--split", default="test", choices=["test", "validation"])
    ap.add_argument("--max-k", type=int, default=6)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, extra = load_checkpoint(args.checkpoint)
    spec = T.TaskSpec(**extra["task"])
    onto = T.Ontology(spec)
    vocab = C.coconut_vocab(onto)
    tok = T.WordTok(vocab)
    bot, eot = C.marker_ids(vocab)
    splits, _ = T.make_splits(T.TaskGen(onto), extra["n_val"], extra["n_test"], spec.seed)
    questions = splits[args.split]
    rows = []
    for k in range(args.max_k + 1):
        summary, details = C.evaluate(model, onto, tok, questions, k, bot, eot)
        valid = 0
        for q, d in zip(questions, details):
            verdict = T.check(onto, q, d["output"], d["finished"])
            valid += continuation_valid(onto, q, k, verdict)
        row = {"k": k, "n": summary["n"], "accuracy": summary["accuracy"],
               "well_formed": 1 - summary["malformed_rate"], "continuation_valid": valid / summary["n"],
               "accuracy_by_hops": summary["accuracy_by_hops"]}
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.out:
        with open(args.out + ".tmp", "w") as f:
            json.dump({"checkpoint": os.path.basename(args.checkpoint), "split": args.split, "rows": rows}, f, indent=1)
            f.write("\n")
        os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
