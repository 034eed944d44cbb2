"""Train the bundled model on the ontology task (time-budgeted, one torch thread).

  /usr/bin/python3 scripts/model/train.py --layers 16 --concepts 32 --children 3 \
      --min-hops 2 --max-hops 8 --task-seed 0 --seed 0 --minutes 50 \
      --ckpt-dir scripts/model/runs/main --log scripts/model/runs/main/train.log

Data are generated on the fly (questions whose (start, answer, distractor) is in
the validation or test split are skipped). The loss covers the target only (chain,
answer sentence, eos). Learning rate: linear warmup then cosine decay over the time
budget. Every --eval-minutes: greedy eval on the validation split (accuracy,
malformed rate), logged as JSON lines and saved as a checkpoint; `latest.pt` is
rewritten at every checkpoint and at the end.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import Decoder, DecoderConfig, count_params, save_checkpoint  # noqa: E402
from task_eval import evaluate  # noqa: E402
import ontology_task as T  # noqa: E402


def make_batch(gen: T.TaskGen, tok: T.WordTok, heldout: set, rng: random.Random, bs: int):
    seqs, starts = [], []
    while len(seqs) < bs:
        q = gen.sample_question(rng)
        if T.key_of(q["start"], q["answer"], q["distractor"]) in heldout:
            continue
        path = gen.sample_path(q, rng)
        p = tok.encode(T.prompt_text(q))
        t = tok.encode(T.target_text(q, path), add_bos=False) + [T.EOS]
        seqs.append(p + t)
        starts.append(len(p))
    L = max(len(s) for s in seqs)
    x = torch.full((bs, L), T.PAD, dtype=torch.int64)
    y = torch.full((bs, L), -100, dtype=torch.int64)
    for b, (s, st) in enumerate(zip(seqs, starts)):
        x[b, :len(s)] = torch.tensor(s)
        # predict token j+1 from position j, only for target tokens
        for j in range(st - 1, len(s) - 1):
            y[b, j] = s[j + 1]
    return x, y


def main():
    ap = argparse.ArgumentParser()
    T.TaskSpec.add_arguments(ap)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--minutes", type=float, default=50)
    ap.add_argument("--ckpt-dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--n-layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--eval-minutes", type=float, default=4)
    ap.add_argument("--n-val", type=int, default=300)
    ap.add_argument("--n-test", type=int, default=300)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.ckpt_dir, exist_ok=True)
    spec = T.TaskSpec.from_arguments(args)
    onto = T.Ontology(spec)
    gen = T.TaskGen(onto)
    vocab = T.vocab_list(onto)
    tok = T.WordTok(vocab)
    splits, heldout = T.make_splits(gen, args.n_val, args.n_test, spec.seed)
    cfg = DecoderConfig(vocab_size=len(vocab), hidden_size=args.hidden, num_hidden_layers=args.n_layers,
                        num_attention_heads=args.heads, num_key_value_heads=args.heads,
                        head_dim=args.hidden // args.heads, intermediate_size=4 * args.hidden,
                        max_position_embeddings=128, pos_type="learned", tie_word_embeddings=True)
    model = Decoder(cfg)
    with torch.no_grad():  # GPT-2 style init
        for n, p in model.named_parameters():
            if p.dim() == 2:
                p.normal_(0.0, 0.02)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    rng = random.Random(f"train-{args.seed}")
    logf = open(args.log, "a")

    def log(obj):
        obj["time"] = time.strftime("%H:%M:%S")
        line = json.dumps(obj)
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    extra_base = {"task": spec.to_json(), "n_val": args.n_val, "n_test": args.n_test, "args": vars(args)}
    log({"event": "start", "params": count_params(model), "vocab": len(vocab), **extra_base})
    budget = args.minutes * 60
    t0 = time.time()
    train_time = 0.0  # excludes eval time
    next_eval = args.eval_minutes * 60
    step = 0
    seen = 0
    ema = None
    while True:
        ts = time.time()
        frac = min(train_time / budget, 1.0)
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        x, y = make_batch(gen, tok, heldout, rng, args.batch)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += args.batch
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        train_time += time.time() - ts
        if step % 100 == 0:
            log({"event": "train", "step": step, "examples": seen, "loss": round(ema, 4), "lr": round(lr, 6),
                 "train_min": round(train_time / 60, 2)})
        final = train_time >= budget
        if train_time >= next_eval or final:
            te = time.time()
            summary, _ = evaluate(model, onto, tok, splits["validation"])
            minutes = round(train_time / 60, 2)
            log({"event": "eval", "step": step, "examples": seen, "train_min": minutes, "loss": round(ema, 4),
                 "eval_seconds": round(time.time() - te, 1), **summary})
            extra = {**extra_base, "step": step, "examples": seen, "train_minutes": minutes, "validation": summary}
            save_checkpoint(os.path.join(args.ckpt_dir, f"ck_{int(round(minutes)):03d}min.pt"), model, extra)
            save_checkpoint(os.path.join(args.ckpt_dir, "latest.pt"), model, extra)
            next_eval += args.eval_minutes * 60
        if final:
            break
    log({"event": "end", "step": step, "examples": seen, "train_min": round(train_time / 60, 2),
         "wall_min": round((time.time() - t0) / 60, 2)})


if __name__ == "__main__":
    main()
