"""Continuous thoughts (Coconut, Hao et al. 2024) for the ontology task: shared pieces.

Sequence layout at curriculum stage k (c = 1 thought per replaced step):

  <bos> question ... ?  <bot>  [t_1 ... t_n]  <eot>  remaining facts ... answer : P is a Z .  <eos>

* stage k <= max_latent: the first min(k, hops) facts are dropped and n = k thoughts are
  inserted (always k, also when the question has fewer than k facts: "pad to max", as in
  the paper's ProsQA setting);
* stage max_latent + 1 (the last): every fact is dropped, n = max_latent thoughts; the model
  emits just the answer sentence after <eot>. (When max_latent >= the task's max hops, stage
  max_latent already drops every fact and is the last: `last_stage`.)

A thought's input embedding is the final hidden state (after the final norm, the vector
the unembedding sees: `last_hidden_state` of the lab export) at the previous position.
`coconut_forward` runs 1 + n + 1 passes with a KV cache (prompt + <bot>; one pass per
thought; <eot> + the language tail), gradients flow through the thoughts and the cache.
The loss covers the tail's predictions only (remaining facts, answer sentence, eos):
not the question, <bot>, the thoughts, nor <eot> itself.
"""
from __future__ import annotations

import os
import random
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "task"))
from decoder import Decoder, DecoderConfig  # noqa: E402
import ontology_task as T  # noqa: E402

BOT_TOKEN, EOT_TOKEN = "<bot>", "<eot>"


def coconut_vocab(onto: T.Ontology) -> list[str]:
    """The chain-of-facts vocabulary plus <bot>, <eot> at the end."""
    return T.vocab_list(onto) + [BOT_TOKEN, EOT_TOKEN]


def marker_ids(vocab: list[str]) -> tuple[int, int]:
    return vocab.index(BOT_TOKEN), vocab.index(EOT_TOKEN)


def extend_vocab(model: Decoder, n_new: int) -> Decoder:
    """A copy of `model` with n_new extra vocabulary rows (embedding, and lm_head if untied),
    initialised to the mean of the existing rows."""
    cfg = DecoderConfig.from_json({**model.cfg.to_json(), "vocab_size": model.cfg.vocab_size + n_new})
    new = Decoder(cfg)
    sd = model.state_dict()
    nsd = new.state_dict()
    for k, v in sd.items():
        if v.shape == nsd[k].shape:
            nsd[k] = v.clone()
        else:  # embed.weight / lm_head.weight: [V, H]
            nsd[k] = torch.cat([v, v.mean(0, keepdim=True).expand(n_new, -1)], 0)
    new.load_state_dict(nsd)
    return new


def stage_plan(stage: int, n_steps: int, max_latent: int) -> tuple[int, int]:
    """(number of leading facts replaced, number of thoughts) for one example."""
    if stage > max_latent:
        return n_steps, max_latent
    return min(stage, n_steps), stage


def last_stage(max_latent: int, max_hops: int) -> int:
    """The stage whose examples have no facts left (every question, every hop count)."""
    return max_latent if max_latent >= max_hops else max_latent + 1


def n_thoughts_of(stage: int, max_latent: int) -> int:
    return stage_plan(stage, 10 ** 6, max_latent)[1]


def example_parts(tok: T.WordTok, q: dict, path: list[str]):
    """prompt ids (with <bos>), fact ids per step, answer sentence ids + <eos>."""
    prompt = tok.encode(T.prompt_text(q))
    facts = [tok.encode(f"every {x} is a {y} .", add_bos=False) for x, y in zip(path, path[1:])]
    answer = tok.encode(f"answer : {q['person']} is a {q['answer']} .", add_bos=False) + [T.EOS]
    return prompt, facts, answer


def tail_ids(facts: list[list[int]], answer: list[int], n_skip: int, eot: int) -> list[int]:
    """<eot> + the language continuation left at this stage."""
    return [eot] + [t for f in facts[n_skip:] for t in f] + answer


def coconut_forward(model: Decoder, prefix: torch.Tensor, n_thoughts: int, tail: torch.Tensor):
    """prefix [B,P] ids (prompt + <bot>, equal lengths); tail [B,S] ids (<eot> + continuation,
    right-padded). Returns (tail logits [B,S,V], thought inputs [B,n,H], tail last hidden [B,S,H])."""
    B, P = prefix.shape
    past = model.empty_past(B)
    pos = torch.arange(P, dtype=torch.int64)[None].expand(B, P)
    _, last, _, past = model.forward_full(model.embed(prefix), torch.ones(B, P, dtype=torch.int64), pos, past)
    h = last[:, -1:]
    thoughts = []
    for i in range(n_thoughts):
        thoughts.append(h)
        T_ = P + i
        pos = torch.full((B, 1), T_, dtype=torch.int64)
        _, last, _, past = model.forward_full(h, torch.ones(B, T_ + 1, dtype=torch.int64), pos, past)
        h = last[:, -1:]
    T_ = P + n_thoughts
    S = tail.shape[1]
    pos = torch.arange(T_, T_ + S, dtype=torch.int64)[None].expand(B, S)
    logits, last, _, _ = model.forward_full(model.embed(tail), torch.ones(B, T_ + S, dtype=torch.int64), pos, past)
    th = torch.cat(thoughts, 1) if thoughts else torch.zeros(B, 0, model.cfg.hidden_size)
    return logits, th, last


def make_batch(gen: T.TaskGen, tok: T.WordTok, heldout: set, rng: random.Random, bs: int,
               stage: int, max_latent: int, bot: int, eot: int):
    prefixes, tails = [], []
    while len(prefixes) < bs:
        q = gen.sample_question(rng)
        if T.key_of(q["start"], q["answer"], q["distractor"]) in heldout:
            continue
        path = gen.sample_path(q, rng)
        prompt, facts, answer = example_parts(tok, q, path)
        n_skip, _ = stage_plan(stage, len(facts), max_latent)
        prefixes.append(prompt + [bot])
        tails.append(tail_ids(facts, answer, n_skip, eot))
    assert len({len(p) for p in prefixes}) == 1, "prompts must have equal lengths"
    S = max(len(t) for t in tails)
    x = torch.full((bs, S), T.PAD, dtype=torch.int64)
    y = torch.full((bs, S), -100, dtype=torch.int64)
    for b, t in enumerate(tails):
        x[b, :len(t)] = torch.tensor(t)
        y[b, :len(t) - 1] = torch.tensor(t[1:])  # position j predicts tail[j+1]; nothing predicts <eot>
    return torch.tensor(prefixes), x, y


def loss_of(model: Decoder, batch, n_thoughts: int):
    prefix, x, y = batch
    logits, _, _ = coconut_forward(model, prefix, n_thoughts, x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)


@torch.no_grad()
def greedy_after_thoughts(model: Decoder, prompts: list[list[int]], n_thoughts: int, bot: int, eot: int,
                          max_new: int, eos: int = T.EOS):
    """prompt + <bot> + n thoughts + <eot>, then greedy. Prompts of equal length.
    Returns generated ids (without eos), finished flags."""
    model.eval()
    B = len(prompts)
    prefix = torch.tensor([p + [bot] for p in prompts], dtype=torch.int64)
    P = prefix.shape[1]
    past = model.empty_past(B)
    pos = torch.arange(P, dtype=torch.int64)[None].expand(B, P)
    _, last, _, past = model.forward_full(model.embed(prefix), torch.ones(B, P, dtype=torch.int64), pos, past)
    h = last[:, -1:]
    n = P
    for _ in range(n_thoughts):
        _, last, _, past = model.forward_full(h, torch.ones(B, n + 1, dtype=torch.int64),
                                              torch.full((B, 1), n, dtype=torch.int64), past)
        h = last[:, -1:]
        n += 1
    nxt = torch.full((B,), eot, dtype=torch.int64)
    out = [[] for _ in range(B)]
    done = [False] * B
    for step in range(max_new):
        logits, _, _, past = model.forward_full(model.embed(nxt[:, None]), torch.ones(B, n + 1, dtype=torch.int64),
                                                torch.full((B, 1), n, dtype=torch.int64), past)
        n += 1
        nxt = logits[:, -1].argmax(-1)
        for b in range(B):
            if not done[b]:
                t = int(nxt[b])
                if t == eos:
                    done[b] = True
                else:
                    out[b].append(t)
        if all(done):
            break
    return out, done


def max_new_tokens(spec: T.TaskSpec) -> int:
    return 6 * spec.max_hops + 7 + 1 + 8


def evaluate(model: Decoder, onto: T.Ontology, tok: T.WordTok, questions: list[dict], n_thoughts: int,
             bot: int, eot: int, batch: int = 100):
    """Greedy answer after the thoughts, scored by the task checker (the continuation may
    start mid-chain, so only correctness / well-formedness are meaningful, not chain_valid)."""
    res = {"n": 0, "correct": 0, "incorrect": 0, "malformed": 0}
    by_hops: dict[int, list[int]] = {}
    details = []
    for i in range(0, len(questions), batch):
        qs = questions[i:i + batch]
        prompts = [tok.encode(T.prompt_text(q)) for q in qs]
        gens, fins = greedy_after_thoughts(model, prompts, n_thoughts, bot, eot, max_new_tokens(onto.spec))
        for q, g, f in zip(qs, gens, fins):
            text = tok.decode(g)
            r = T.check(onto, q, text, f)
            res["n"] += 1
            res[r["status"]] += 1
            by_hops.setdefault(q["hops"], [0, 0])
            by_hops[q["hops"]][0] += int(r["correct"])
            by_hops[q["hops"]][1] += 1
            details.append({"prompt": T.prompt_text(q), "output": text, "finished": f, "status": r["status"],
                            "n_facts": len(r["facts"])})
    n = max(res["n"], 1)
    summary = {
        "n": res["n"],
        "n_thoughts": n_thoughts,
        "accuracy": res["correct"] / n,
        "incorrect_rate": res["incorrect"] / n,
        "malformed_rate": res["malformed"] / n,
        "accuracy_by_hops": {str(h): [c, t] for h, (c, t) in sorted(by_hops.items())},
    }
    return summary, details
