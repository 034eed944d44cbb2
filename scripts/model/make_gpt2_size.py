"""Build a GPT-2-small-size decoder with random weights in the Hugging Face / transformers.js folder layout.

  /usr/bin/python3 scripts/model/make_gpt2_size.py OUT_DIR

12 layers, width 768, 12 heads of 64, MLP 3072, 1024 positions, 50,257 tokens (~650 MB float32): the size of
GPT-2 small, so that benchmarks measure what a real model costs (onnxruntime time, KV bytes, a 50k-wide
vocabulary) without a download. The graph is the one export_hf.py writes for the tiny fixtures
(`onnx/model.onnx`: input_ids, attention_mask, position_ids, past_key_values.N.key|value -> logits, present.*).
The tokenizer is a byte-level BPE whose 50,001 merged tokens are built deterministically from pairs of earlier
tokens, so every id decodes and transformers.js and @huggingface/tokenizers both load it.
Deterministic (seed 0). Written to OUT_DIR.tmp and renamed into place, so an interrupted build leaves nothing.
"""
from __future__ import annotations

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
import tokjson  # noqa: E402

VOCAB = 50257
CFG = DecoderConfig(vocab_size=VOCAB, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                    num_key_value_heads=12, head_dim=64, intermediate_size=3072,
                    max_position_embeddings=1024, pos_type="learned")


def byte_chars() -> list[str]:
    """GPT-2's byte -> printable character table (bytes_to_unicode)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    table = dict(zip(bs, cs))
    return [chr(table[b]) for b in range(256)]


def vocabulary() -> tuple[list[str], list[str]]:
    """256 byte tokens, merged tokens (letters and 'Ġ' first, so text looks like words), then <|endoftext|>."""
    chars = byte_chars()
    vocab = list(chars)
    seen = set(vocab)
    merges: list[str] = []
    letters = [chars[b] for b in list(range(ord("a"), ord("z") + 1)) + [ord(" ")]]
    pool = list(letters)
    i = 0
    while len(vocab) < VOCAB - 1:
        left = pool[i % len(pool)]
        right = letters[(i // len(pool)) % len(letters)]
        i += 1
        token = left + right
        if token in seen or len(token) > 12:
            continue
        seen.add(token)
        vocab.append(token)
        merges.append(f"{left} {right}")
        pool.append(token)
    vocab.append("<|endoftext|>")
    return vocab, merges


def build() -> Decoder:
    torch.manual_seed(0)
    m = Decoder(CFG)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("weight") and p.dim() == 2:
                p.normal_(0.0, 0.02 if name.startswith(("embed", "pos")) else 1.0 / math.sqrt(p.shape[1]))
            elif name.endswith("weight"):
                p.uniform_(0.8, 1.2)
    return m.eval()


def dump(path: str, obj) -> None:
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def main() -> None:
    out = os.path.abspath(sys.argv[1])
    tmp = out + ".tmp"
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    torch.set_num_threads(1)
    vocab, merges = vocabulary()
    eos = VOCAB - 1
    export_hf_onnx(build(), os.path.join(tmp, "onnx", "model.onnx"))
    dump(os.path.join(tmp, "tokenizer.json"), tokjson.bytelevel_bpe(vocab, merges, ["<|endoftext|>"]))
    dump(os.path.join(tmp, "tokenizer_config.json"),
         tokjson.tokenizer_config("<|endoftext|>", "<|endoftext|>", "<|endoftext|>", "<|endoftext|>",
                                  add_bos=False, cls="GPT2Tokenizer"))
    dump(os.path.join(tmp, "config.json"), {
        "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
        "n_layer": CFG.num_hidden_layers, "n_head": CFG.num_attention_heads, "n_embd": CFG.hidden_size,
        "n_positions": CFG.max_position_embeddings, "n_ctx": CFG.max_position_embeddings,
        "vocab_size": VOCAB, "bos_token_id": eos, "eos_token_id": eos, "pad_token_id": eos,
        "lattice_lab_note": "random weights, GPT-2-small size, built by scripts/model/make_gpt2_size.py",
    })
    dump(os.path.join(tmp, "generation_config.json"), {"bos_token_id": eos, "eos_token_id": eos})
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.rename(tmp, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
