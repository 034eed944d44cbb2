"""Train a tuned lens for a bundled lab model (Belrose et al., 2023, "Eliciting Latent Predictions from
Transformers with the Tuned Lens") and write it beside the model as tuned-lens.json.

  /usr/bin/python3 scripts/model/tuned_lens.py --model resources/models/ontology-cot
  /usr/bin/python3 scripts/model/tuned_lens.py --model resources/models/ontology-coconut

Per residual stream l (0 = input embedding, ..., L-1; the last stream L needs none) an affine translator
h -> W_l h + b_l, initialised to the identity, trained so that the model's own final norm + unembedding of the
translated stream matches the model's final next-token distribution: loss = KL(final || lens). The hidden states
are the model's own on task sequences drawn like training data (never a validation or test question):

* chain of facts: prompt + a sampled gold chain + answer, teacher-forced;
* continuous thoughts (config lattice_lab.thoughts): prompt + <bot>, k thoughts (k uniform in 0..count, each fed the
  previous final hidden state), then <eot> + the facts after the first k + answer (Coconut's stage-k format).

Every position is used. Prints and stores the held-out KL per stream (test-split sequences) for the logit lens and
the tuned lens. One torch thread; a few minutes on CPU.

File: {"format": "lattice-lab-tuned-lens", "version": 1, "hiddenSize", "streams" (= layers + 1),
"embeddingsSha256" (of the folder's embeddings.f32: the weights the lens was trained for),
"translators": [{"layer", "weight": base64 float32 LE [hidden x hidden] row-major (out x in), "bias": base64 [hidden]}],
"heldOutKl": {"logit": [...], "tuned": [...]} (nats per stream), "training": {...}}.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
import ontology_task as T  # noqa: E402
from frontier_reference import load_folder, thought_states, vocab_of  # noqa: E402


def sequences(model, config, tok_vocab, questions, rng, thoughts):
    """Yield (streams [L+1, S, H], last hidden [S, H]) per question: every position of the sequence."""
    words = {w: i for w, i in tok_vocab.items()}
    enc = lambda text: [words[w] for w in text.split()]  # noqa: E731
    for q, path in questions:
        prompt = [words["<bos>"]] + enc(T.prompt_text(q))
        target = enc(T.target_text(q, path)) + [words["<eos>"]]
        if not thoughts:
            _, last, hs, _ = model.forward_ids(torch.tensor([prompt + target]))
            yield hs[:, 0], last[0]
            continue
        bot, eot = words[thoughts["begin_token"]], words[thoughts["end_token"]]
        k = rng.randint(0, min(thoughts.get("count", 6), len(path) - 1))
        streams, lasts = [], []
        _, last, hs, past = model.forward_ids(torch.tensor([prompt + [bot]]))
        streams.append(hs[:, 0])
        lasts.append(last[0])
        pos = len(prompt) + 1
        for _ in range(k):
            _, last, hs, past = model.forward_full(last[:, -1:], torch.ones(1, pos + 1, dtype=torch.int64), torch.tensor([[pos]]), past)
            streams.append(hs[:, 0])
            lasts.append(last[0])
            pos += 1
        tail = [eot] + target[6 * k:]
        _, last, hs, _ = model.forward_full(model.embed(torch.tensor([tail])), torch.ones(1, pos + len(tail), dtype=torch.int64),
                                            torch.arange(pos, pos + len(tail))[None], past)
        streams.append(hs[:, 0])
        lasts.append(last[0])
        yield torch.cat(streams, 1), torch.cat(lasts, 0)


@torch.no_grad()
def collect(model, config, vocab, questions, rng, thoughts):
    xs, ys = [], []
    for streams, last in sequences(model, config, vocab, questions, rng, thoughts):
        xs.append(streams)
        ys.append(last)
    return torch.cat(xs, 1), torch.cat(ys, 0)  # [L+1, N, H], [N, H]


def lens_logprobs(model, h):
    return torch.log_softmax(model.unembed(model.norm(h)), -1)


def kl(final_lp, lens_lp):
    return (final_lp.exp() * (final_lp - lens_lp)).sum(-1)


def embeddings_sha256(folder: str, config: dict) -> str:
    with open(os.path.join(folder, config["lattice_lab"]["embeddings"]), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def b64(t: torch.Tensor) -> str:
    return base64.b64encode(t.detach().numpy().astype("<f4").tobytes()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--questions", type=int, default=800, help="training sequences")
    ap.add_argument("--heldout", type=int, default=100, help="test-split sequences for the held-out KL")
    ap.add_argument("--steps", type=int, default=300, help="optimiser steps per stream")
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    started = time.time()
    model, config = load_folder(args.model)
    for p in model.parameters():
        p.requires_grad_(False)
    thoughts = config["lattice_lab"].get("thoughts")
    vocab = vocab_of(args.model)
    spec = T.TaskSpec(**config["lattice_lab"]["task"]["spec"])
    gen = T.TaskGen(T.Ontology(spec))
    n_val = config["lattice_lab"].get("training", {}).get("n_val", 300)
    splits, heldout = T.make_splits(gen, n_val, 300, spec.seed)
    rng = random.Random(f"tuned-lens-{args.seed}")
    train = []
    while len(train) < args.questions:
        q = gen.sample_question(rng)
        if T.key_of(q["start"], q["answer"], q["distractor"]) in heldout:
            continue
        train.append((q, gen.sample_path(q, rng)))
    test = [(q, q["chain"]) for q in splits["test"][: args.heldout]]
    x, last = collect(model, config, vocab, train, rng, thoughts)
    tx, tlast = collect(model, config, vocab, test, random.Random("tuned-lens-test"), thoughts)
    streams, n, hidden = x.shape
    with torch.no_grad():
        # `last` is already after the final norm: the model's own output is its unembedding
        final = torch.log_softmax(model.unembed(last), -1)
        tfinal = torch.log_softmax(model.unembed(tlast), -1)
    print(json.dumps({"positions": n, "heldOutPositions": tx.shape[1], "streams": streams, "collectSeconds": round(time.time() - started, 1)}), flush=True)

    translators, held_logit, held_tuned = [], [], []
    g = torch.Generator().manual_seed(args.seed)
    for layer in range(streams):
        with torch.no_grad():
            held_logit.append(kl(tfinal, lens_logprobs(model, tx[layer])).mean().item())
        if layer == streams - 1:  # the last stream is the model's own output: identity
            held_tuned.append(held_logit[-1])
            continue
        lin = torch.nn.Linear(hidden, hidden)
        with torch.no_grad():
            lin.weight.copy_(torch.eye(hidden))
            lin.bias.zero_()
        opt = torch.optim.Adam(lin.parameters(), lr=args.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.steps)
        for _ in range(args.steps):
            idx = torch.randint(0, n, (args.batch,), generator=g)
            loss = kl(final[idx], lens_logprobs(model, lin(x[layer, idx]))).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            held_tuned.append(kl(tfinal, lens_logprobs(model, lin(tx[layer]))).mean().item())
        translators.append({"layer": layer, "weight": b64(lin.weight), "bias": b64(lin.bias)})
        print(json.dumps({"stream": layer, "heldOutKlLogit": round(held_logit[-1], 4), "heldOutKlTuned": round(held_tuned[-1], 4)}), flush=True)

    out = {
        "format": "lattice-lab-tuned-lens",
        "version": 1,
        "hiddenSize": hidden,
        "streams": streams,
        # the lens belongs to these weights: the engine ignores it when the folder's embeddings change (a retrain)
        "embeddingsSha256": embeddings_sha256(args.model, config),
        "translators": translators,
        "heldOutKl": {"logit": held_logit, "tuned": held_tuned},
        "training": {"script": "scripts/model/tuned_lens.py", "questions": args.questions, "positions": n,
                     "steps": args.steps, "batch": args.batch, "lr": args.lr, "seed": args.seed,
                     "heldOut": f"the first {args.heldout} test-split sequences", "seconds": round(time.time() - started, 1)},
    }
    path = os.path.join(args.model, "tuned-lens.json")
    with open(path + ".tmp", "w") as f:
        json.dump(out, f)
    os.replace(path + ".tmp", path)
    print(json.dumps({"wrote": path, "heldOutKl": out["heldOutKl"], "seconds": out["training"]["seconds"]}))


if __name__ == "__main__":
    main()
