"""Write the tiny test fixture models under test/fixtures/models/ (deterministic).

  /usr/bin/python3 scripts/model/make_fixtures.py [--out test/fixtures/models]

Folders: lab-tiny, hf-gpt2-tiny, hf-llama-tiny, hf-merged-tiny, lab-bigram-tiny,
bad-signature. Every good fixture has reference.json with torch log-softmax over
a full (no cache) pass for 3 fixed token sequences.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from decoder import Decoder, DecoderConfig  # noqa: E402
from export_hf import export_hf_onnx  # noqa: E402
from export_lab import export_lab_folder  # noqa: E402
import tokjson  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

SEQS = [  # fixed token sequences (ids < 8), lengths 4..6
    [1, 4, 2, 7],
    [0, 3, 3, 5, 6],
    [2, 5, 1, 6, 0, 4],
]


def build(cfg: DecoderConfig, seed: int, emb_scale: float, bigram: bool = False) -> Decoder:
    torch.manual_seed(seed)
    m = Decoder(cfg)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("weight") and p.dim() == 2:
                if name.startswith("embed"):
                    p.normal_(0.0, emb_scale)
                elif name.startswith("pos"):
                    p.normal_(0.0, 0.5)
                else:
                    p.normal_(0.0, 1.0 / math.sqrt(p.shape[1]))
            elif name.endswith("weight"):  # norms
                p.uniform_(0.8, 1.2)
        if bigram:
            # attention output is zeroed: each position sees only its own token
            # (positions enter only through RoPE inside attention, so they vanish too)
            for blk in m.blocks:
                blk.attn.o_proj.weight.zero_()
    m.eval()
    return m


def entropy_stats(m: Decoder):
    ents = []
    with torch.no_grad():
        for s in SEQS:
            lp = torch.log_softmax(m.forward_ids(torch.tensor([s]))[0][0], -1)
            ents += (-(lp.exp() * lp).sum(-1)).tolist()
    return min(ents), sum(ents) / len(ents), max(ents)


def reference(m: Decoder, lab: bool) -> dict:
    out = {"description": "torch log_softmax(logits) of a full pass (no cache), positions 0..n-1; "
                          "position_ids 0..n-1, attention_mask all ones",
           "sequences": []}
    with torch.no_grad():
        for s in SEQS:
            logits, last, hs, _ = m.forward_ids(torch.tensor([s]))
            e = {"input_ids": s, "logprobs": torch.log_softmax(logits[0], -1).tolist()}
            if lab:
                e["last_hidden_state_last"] = last[0, -1].tolist()
            out["sequences"].append(e)
        if lab:
            g = torch.Generator().manual_seed(123)
            L, H = m.cfg.num_hidden_layers, m.cfg.hidden_size
            delta = torch.randn(L, H, generator=g) * 0.5
            s = SEQS[2]
            logits, last, _, _ = m.forward_ids(torch.tensor([s]), residual_delta=delta)
            out["residual_delta_example"] = {
                "input_ids": s, "residual_delta": delta.tolist(),
                "logprobs": torch.log_softmax(logits[0], -1).tolist(),
                "last_hidden_state_last": last[0, -1].tolist(),
            }
    return out


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def round_floats(obj, nd=7):
    if isinstance(obj, float):
        return float(f"{obj:.{nd}g}")
    if isinstance(obj, list):
        return [round_floats(x, nd) for x in obj]
    if isinstance(obj, dict):
        return {k: round_floats(v, nd) for k, v in obj.items()}
    return obj


def fresh(d):
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)


def report(name, m):
    lo, mean, hi = entropy_stats(m)
    print(f"{name}: entropy min/mean/max {lo:.3f}/{mean:.3f}/{hi:.3f} nats (uniform {math.log(8):.3f})")


def lab_fixture(out, name, cfg, seed, scale, bigram=False):
    d = os.path.join(out, name)
    fresh(d)
    m = build(cfg, seed, scale, bigram)
    report(name, m)
    vocab = ["<eos>", "a", "b", "c", "d", "e", "f", "g"]
    # the lab fixtures keep the signature from before residual_ablate: the engine must still read such folders
    # (and say "not supported by this graph" for ablation); the bundled models carry the input
    export_lab_folder(m, d, bos=0, eos=0, pad=0, extra_config={"fixture": name}, ablation=False)
    dump(os.path.join(d, "tokenizer.json"), tokjson.wordpiece(vocab, ["<eos>"], unk="<eos>"))
    dump(os.path.join(d, "tokenizer_config.json"),
         tokjson.tokenizer_config("<eos>", "<eos>", "<eos>", "<eos>", add_bos=False))
    dump(os.path.join(d, "reference.json"), round_floats(reference(m, lab=True)))
    return m


def gpt2_files(d, m, cfg):
    vocab = ["<|endoftext|>", "a", "b", "\u00c3", "\u00a9", "\u0120", "\u0120a", "ab"]
    # 'Ã' = byte 0xC3 and '©' = byte 0xA9: "é" encodes as [3, 4]; neither alone is valid UTF-8
    merges = ["\u0120 a", "a b"]
    dump(os.path.join(d, "tokenizer.json"), tokjson.bytelevel_bpe(vocab, merges, ["<|endoftext|>"]))
    dump(os.path.join(d, "tokenizer_config.json"),
         tokjson.tokenizer_config("<|endoftext|>", "<|endoftext|>", "<|endoftext|>", "<|endoftext|>",
                                  add_bos=False, cls="GPT2Tokenizer"))
    dump(os.path.join(d, "config.json"), {
        "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
        "n_layer": cfg.num_hidden_layers, "n_head": cfg.num_attention_heads, "n_embd": cfg.hidden_size,
        "n_positions": cfg.max_position_embeddings, "n_ctx": cfg.max_position_embeddings,
        "vocab_size": cfg.vocab_size, "bos_token_id": 0, "eos_token_id": 0, "pad_token_id": 0,
    })
    dump(os.path.join(d, "reference.json"), round_floats(reference(m, lab=False)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "test", "fixtures", "models"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = args.out
    os.makedirs(out, exist_ok=True)

    # 1. lab-tiny
    cfg = DecoderConfig(vocab_size=8, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        num_key_value_heads=2, head_dim=8, intermediate_size=32,
                        max_position_embeddings=64, pos_type="learned")
    lab_fixture(out, "lab-tiny", cfg, seed=1, scale=0.35)

    # 2. hf-gpt2-tiny
    d = os.path.join(out, "hf-gpt2-tiny")
    fresh(d)
    m = build(cfg, seed=2, emb_scale=0.4)
    report("hf-gpt2-tiny", m)
    export_hf_onnx(m, os.path.join(d, "onnx", "model.onnx"))
    gpt2_files(d, m, cfg)

    # 3. hf-llama-tiny (GQA 4 heads / 2 kv heads, head_dim 8 != hidden/heads, RoPE, untied)
    lcfg = DecoderConfig(vocab_size=8, hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, head_dim=8, intermediate_size=32,
                         max_position_embeddings=64, pos_type="rope", tie_word_embeddings=False)
    d = os.path.join(out, "hf-llama-tiny")
    fresh(d)
    m = build(lcfg, seed=3, emb_scale=0.4)
    with torch.no_grad():
        m.lm_head.weight.normal_(0.0, 0.4)
    report("hf-llama-tiny", m)
    export_hf_onnx(m, os.path.join(d, "onnx", "model.onnx"))
    vocab = ["<unk>", "<s>", "</s>", "<0xC3>", "<0xA9>", "\u2581", "a", "\u2581a"]
    dump(os.path.join(d, "tokenizer.json"),
         tokjson.llama_bpe(vocab, ["\u2581 a"], ["<unk>", "<s>", "</s>"], unk="<unk>", bos="<s>"))
    dump(os.path.join(d, "tokenizer_config.json"),
         tokjson.tokenizer_config("<s>", "</s>", None, "<unk>", add_bos=True, cls="LlamaTokenizer"))
    dump(os.path.join(d, "config.json"), {
        "model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "num_hidden_layers": lcfg.num_hidden_layers, "num_attention_heads": lcfg.num_attention_heads,
        "num_key_value_heads": lcfg.num_key_value_heads, "hidden_size": lcfg.hidden_size,
        "head_dim": lcfg.head_dim, "intermediate_size": lcfg.intermediate_size,
        "max_position_embeddings": lcfg.max_position_embeddings, "vocab_size": lcfg.vocab_size,
        "rope_theta": lcfg.rope_theta, "rms_norm_eps": lcfg.rms_norm_eps, "tie_word_embeddings": False,
        "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
    })
    dump(os.path.join(d, "reference.json"), round_floats(reference(m, lab=False)))

    # 4. hf-merged-tiny (older Optimum layout, GPT-2 style)
    d = os.path.join(out, "hf-merged-tiny")
    fresh(d)
    m = build(cfg, seed=4, emb_scale=0.4)
    report("hf-merged-tiny", m)
    export_hf_onnx(m, os.path.join(d, "decoder_model_merged.onnx"), merged=True)
    gpt2_files(d, m, cfg)

    # 5. lab-bigram-tiny (next token depends only on the last token)
    bcfg = DecoderConfig(**{**cfg.to_json(), "pos_type": "rope"})
    lab_fixture(out, "lab-bigram-tiny", bcfg, seed=5, scale=0.4, bigram=True)

    # 6. bad-signature
    import onnx
    from onnx import TensorProto, helper
    d = os.path.join(out, "bad-signature")
    fresh(d)
    os.makedirs(os.path.join(d, "onnx"))
    g = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "bad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])],
    )
    mp = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)], producer_name="lattice-lab")
    mp.ir_version = 8
    onnx.checker.check_model(mp)
    onnx.save(mp, os.path.join(d, "onnx", "model.onnx"))
    for fn in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(out, "lab-tiny", fn), os.path.join(d, fn))
    with open(os.path.join(out, "lab-tiny", "config.json")) as f:
        c = json.load(f)
    for k in ("lattice_lab", "decoder_config", "fixture"):
        c.pop(k, None)
    c["model_type"] = "llama"
    c["architectures"] = ["LlamaForCausalLM"]
    dump(os.path.join(d, "config.json"), c)


if __name__ == "__main__":
    main()
