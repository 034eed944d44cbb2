"""Write the task files and the tokenizer of the bundled model.

  /usr/bin/python3 scripts/task/make_task.py --out resources/models/ontology-cot \
      --layers 16 --concepts 32 --children 3 --min-hops 2 --max-hops 8 --task-seed 0

Writes <out>/task/ontology.json, <out>/task/test.jsonl, <out>/tokenizer.json,
<out>/tokenizer_config.json. (task/README.md is written by hand.)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "model"))
import ontology_task as T  # noqa: E402
import tokjson  # noqa: E402


def write_task(out: str, spec: T.TaskSpec, n_val: int = 300, n_test: int = 300):
    onto = T.Ontology(spec)
    gen = T.TaskGen(onto)
    vocab = T.vocab_list(onto)
    tok = T.WordTok(vocab)
    splits, _ = T.make_splits(gen, n_val, n_test, spec.seed)
    os.makedirs(os.path.join(out, "task"), exist_ok=True)
    o = onto.to_json()
    o["names"] = T.NAMES
    o["n_validation"] = n_val
    o["n_test"] = n_test
    with open(os.path.join(out, "task", "ontology.json"), "w") as f:
        json.dump(o, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "task", "test.jsonl"), "w") as f:
        for i, q in enumerate(splits["test"]):
            r = T.test_record(gen, tok, q)
            r["id"] = f"test-{i:04d}"
            f.write(json.dumps(r) + "\n")
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokjson.wordpiece(vocab, T.SPECIALS, unk="<unk>", bos="<bos>"), f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(tokjson.tokenizer_config("<bos>", "<eos>", "<pad>", "<unk>", add_bos=True), f, indent=1)
        f.write("\n")
    return onto, splits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    T.TaskSpec.add_arguments(ap)
    ap.add_argument("--n-val", type=int, default=300)
    ap.add_argument("--n-test", type=int, default=300)
    a = ap.parse_args()
    spec = T.TaskSpec.from_arguments(a)
    write_task(a.out, spec, a.n_val, a.n_test)


if __name__ == "__main__":
    main()
