"""Greedy evaluation of Coconut checkpoints: prompt + <bot> + n thoughts (hidden mode) + <eot>,
then greedy decoding, scored by the task checker.

  /usr/bin/python3 scripts/model/coconut_eval.py --checkpoint scripts/model/runs/coconut/stage_6.pt \
      [--split test|validation] [--thoughts N] [--out results.json]

--thoughts defaults to the checkpoint's stage's thought count. Several checkpoints may be
given (one summary line each).
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
from decoder import load_checkpoint  # noqa: E402
import coconut as C  # noqa: E402
import ontology_task as T  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True, nargs="+")
    ap.add_argument("--split", default="test", choices=["test", "validation"])
    ap.add_argument("--thoughts", type=int)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(1)
    results = []
    for ck in args.checkpoint:
        model, extra = load_checkpoint(ck)
        spec = T.TaskSpec(**extra["task"])
        onto = T.Ontology(spec)
        vocab = C.coconut_vocab(onto)
        tok = T.WordTok(vocab)
        bot, eot = C.marker_ids(vocab)
        splits, _ = T.make_splits(T.TaskGen(onto), extra["n_val"], extra["n_test"], spec.seed)
        n = extra["n_thoughts"] if args.thoughts is None else args.thoughts
        t0 = time.time()
        summary, details = C.evaluate(model, onto, tok, splits[args.split], n, bot, eot)
        summary.update({"checkpoint": ck, "stage": extra["stage"], "split": args.split,
                        "seconds": round(time.time() - t0, 1)})
        print(json.dumps(summary), flush=True)
        results.append({"summary": summary, "details": details})
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
