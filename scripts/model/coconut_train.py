"""Coconut curriculum on top of the chain-of-facts model (continuous thoughts, c = 1).

  /usr/bin/python3 scripts/model/coconut_train.py --init scripts/model/runs/main/latest.pt \
      --run-dir scripts/model/runs/coconut --max-latent 6 \
      --stage0-minutes 2 --stage-minutes 6 --final-minutes 16 [--mix-prob 0.3]

Stages 0 .. last (see coconut.py): stage 0 = the chain of facts with the <bot><eot>
markers and no thoughts; stage k replaces the first k facts with k thoughts; the last
stage replaces every fact, with max_latent thoughts (it is max_latent + 1, or max_latent
itself when max_latent >= the task's max hops, since stage max_latent then already
replaces every fact).
Each stage: fresh AdamW (as the paper resets the optimizer), linear warmup then cosine
decay to 0.1 x lr over the stage's time budget (training time, eval excluded).
At the end of each stage: greedy eval on the validation split (answer after the
thoughts), checkpoint `stage_K.pt`; `latest.pt` is rewritten every --save-minutes and at
every stage end. `--start-stage` resumes from a stage (with --init pointing at the
previous stage's checkpoint, which already has the extended vocabulary).
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import count_params, load_checkpoint, save_checkpoint  # noqa: E402
import coconut as C  # noqa: E402
import ontology_task as T  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--init", required=True, help="chain-of-facts checkpoint (or a coconut stage checkpoint)")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--max-latent", type=int, default=6)
    ap.add_argument("--start-stage", type=int, default=0)
    ap.add_argument("--stop-stage", type=int, default=None, help="last stage to train (default: the curriculum's last)")
    ap.add_argument("--stage0-minutes", type=float, default=2)
    ap.add_argument("--stage-minutes", type=float, default=6)
    ap.add_argument("--final-minutes", type=float, default=16)
    ap.add_argument("--save-minutes", type=float, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mix-prob", type=float, default=0.0,
                    help="probability that a batch of stage k >= 1 is drawn from an earlier stage 0..k-1 "
                         "(uniformly), as the paper mixes other stages' data so the model can leave latent "
                         "mode after any number of thoughts")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.run_dir, exist_ok=True)
    model, extra = load_checkpoint(args.init)
    spec = T.TaskSpec(**extra["task"])
    onto = T.Ontology(spec)
    gen = T.TaskGen(onto)
    vocab = C.coconut_vocab(onto)
    if model.cfg.vocab_size == len(vocab) - 2:
        model = C.extend_vocab(model, 2)
    assert model.cfg.vocab_size == len(vocab)
    tok = T.WordTok(vocab)
    bot, eot = C.marker_ids(vocab)
    n_val, n_test = extra["n_val"], extra["n_test"]
    splits, heldout = T.make_splits(gen, n_val, n_test, spec.seed)
    logf = open(os.path.join(args.run_dir, "train.log"), "a")

    def log(obj):
        obj["time"] = time.strftime("%H:%M:%S")
        line = json.dumps(obj)
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    base = {"task": spec.to_json(), "n_val": n_val, "n_test": n_test, "init": args.init,
            "coconut": {"max_latent": args.max_latent, "c_thought": 1, "bot_id": bot, "eot_id": eot,
                        "bot_token": C.BOT_TOKEN, "eot_token": C.EOT_TOKEN},
            "args": vars(args)}
    last_stage = C.last_stage(args.max_latent, spec.max_hops)
    log({"event": "start", "params": count_params(model), "vocab": len(vocab), "stages": list(range(args.start_stage, last_stage + 1)),
         **base})
    history = extra.get("coconut_history", []) if args.start_stage > 0 else []
    total_train = sum(h.get("train_minutes", 0) for h in history) * 60
    stop = last_stage if args.stop_stage is None else min(args.stop_stage, last_stage)
    for stage in range(args.start_stage, stop + 1):
        n_th = C.n_thoughts_of(stage, args.max_latent)
        budget = 60 * (args.stage0_minutes if stage == 0 else args.final_minutes if stage == last_stage else args.stage_minutes)
        rng = random.Random(f"coconut-{args.seed}-stage-{stage}")
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
        log({"event": "stage", "stage": stage, "n_thoughts": n_th, "minutes": budget / 60})
        train_time, step, ema, window = 0.0, 0, None, []
        next_save = args.save_minutes * 60
        while train_time < budget:
            ts = time.time()
            frac = min(train_time / budget, 1.0)
            lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g["lr"] = lr
            model.train()
            batch_stage = stage
            if stage > 0 and rng.random() < args.mix_prob:
                batch_stage = rng.randrange(stage)
            batch = C.make_batch(gen, tok, heldout, rng, args.batch, batch_stage, args.max_latent, bot, eot)
            loss = C.loss_of(model, batch, C.n_thoughts_of(batch_stage, args.max_latent))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            window.append(loss.item())
            train_time += time.time() - ts
            if step % 50 == 0:
                log({"event": "train", "stage": stage, "step": step, "loss": round(sum(window) / len(window), 4),
                     "lr": round(lr, 6), "stage_min": round(train_time / 60, 2)})
                window = []
            if train_time >= next_save:
                save_checkpoint(os.path.join(args.run_dir, "latest.pt"), model,
                                {**base, "stage": stage, "n_thoughts": n_th, "stage_complete": False,
                                 "stage_step": step, "coconut_history": history})
                next_save += args.save_minutes * 60
        te = time.time()
        summary, _ = C.evaluate(model, onto, tok, splits["validation"], n_th, bot, eot)
        total_train += train_time
        rec = {"stage": stage, "n_thoughts": n_th, "steps": step, "train_minutes": round(train_time / 60, 2),
               "loss": round(ema, 4), "validation": summary}
        history.append(rec)
        log({"event": "eval", **rec, "total_train_minutes": round(total_train / 60, 2),
             "eval_seconds": round(time.time() - te, 1)})
        ck = {**base, "stage": stage, "n_thoughts": n_th, "stage_complete": True, "stage_step": step,
              "validation": summary, "coconut_history": history, "total_train_minutes": round(total_train / 60, 2)}
        save_checkpoint(os.path.join(args.run_dir, f"stage_{stage}.pt"), model, ck)
        save_checkpoint(os.path.join(args.run_dir, "latest.pt"), model, ck)
    log({"event": "end", "total_train_minutes": round(total_train / 60, 2)})


if __name__ == "__main__":
    main()
