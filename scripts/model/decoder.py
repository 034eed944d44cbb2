"""A small pre-norm decoder-only transformer used for the test fixtures and the
bundled model.

Pre-norm blocks (RMSNorm -> causal self-attention with optional grouped-query
kv heads -> residual; RMSNorm -> GELU MLP -> residual), learned absolute position
embeddings or RoPE, tied or untied unembedding, a final RMSNorm.

`Decoder.forward_full` is the single implementation of the forward pass with a
KV cache, an attention mask, position ids and a per-layer residual delta; both
ONNX conventions (export_lab.py, export_hf.py) are thin wrappers around it, so the
torch references and the exported graphs compute the same function.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class DecoderConfig:
    vocab_size: int = 8
    hidden_size: int = 16
    num_hidden_layers: int = 2
    num_attention_heads: int = 2
    num_key_value_heads: int = 2
    head_dim: int = 8
    intermediate_size: int = 32
    max_position_embeddings: int = 64
    pos_type: str = "learned"  # "learned" | "rope"
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True
    rms_norm_eps: float = 1e-5

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> "DecoderConfig":
        keys = DecoderConfig.__dataclass_fields__.keys()
        return DecoderConfig(**{k: v for k, v in d.items() if k in keys})


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = (x * x).mean(-1, keepdim=True)
        return x * torch.rsqrt(var + self.eps) * self.weight


def rope_cos_sin(position_ids, head_dim: int, theta: float):
    # position_ids [B, S] int64 -> cos, sin [B, 1, S, head_dim]
    half = head_dim // 2
    inv_freq = 1.0 / (theta ** (torch.arange(0, half, dtype=torch.float32) / half))
    ang = position_ids.to(torch.float32)[:, :, None] * inv_freq[None, None, :]
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos()[:, None], ang.sin()[:, None]


def rotate_half(x):
    half = x.shape[-1] // 2
    x1 = x[..., :half]
    x2 = x[..., half:]
    return torch.cat([-x2, x1], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        h, nh, kvh, hd = cfg.hidden_size, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        assert nh % kvh == 0
        self.q_proj = nn.Linear(h, nh * hd, bias=False)
        self.k_proj = nn.Linear(h, kvh * hd, bias=False)
        self.v_proj = nn.Linear(h, kvh * hd, bias=False)
        self.o_proj = nn.Linear(nh * hd, h, bias=False)

    def forward(self, x, past_k, past_v, allowed, cos_sin):
        # x [B,S,H]; past_k/v [B,kvh,P,hd]; allowed bool [B,1,1,S,P+S]
        cfg = self.cfg
        B, S = x.shape[0], x.shape[1]
        nh, kvh, hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        rep = nh // kvh
        q = self.q_proj(x).view(B, S, nh, hd).transpose(1, 2)  # [B,nh,S,hd]
        k = self.k_proj(x).view(B, S, kvh, hd).transpose(1, 2)  # [B,kvh,S,hd]
        v = self.v_proj(x).view(B, S, kvh, hd).transpose(1, 2)
        if cos_sin is not None:
            cos, sin = cos_sin
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        k_all = torch.cat([past_k, k], dim=2)  # [B,kvh,T,hd]
        v_all = torch.cat([past_v, v], dim=2)
        # grouped-query attention by broadcasting: q as [B,kvh,rep,S,hd]
        qg = q.reshape(B, kvh, rep, S, hd)
        scores = torch.matmul(qg, k_all[:, :, None].transpose(-1, -2)) / math.sqrt(hd)  # [B,kvh,rep,S,T]
        scores = torch.where(allowed, scores, torch.full_like(scores, -1e9))
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v_all[:, :, None])  # [B,kvh,rep,S,hd]
        out = out.reshape(B, nh, S, hd).transpose(1, 2).reshape(B, S, nh * hd)
        return self.o_proj(out), k_all, v_all


class MLP(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.ln1 = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.attn = Attention(cfg)
        self.ln2 = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)

    def forward(self, h, past_k, past_v, allowed, cos_sin):
        a, k, v = self.attn(self.ln1(h), past_k, past_v, allowed, cos_sin)
        h = h + a
        h = h + self.mlp(self.ln2(h))
        return h, k, v


class Decoder(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        if cfg.pos_type == "learned":
            self.pos = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        else:
            self.pos = None
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        if cfg.tie_word_embeddings:
            self.lm_head = None
        else:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    # ---- pieces -----------------------------------------------------------
    def unembed(self, x):
        if self.lm_head is None:
            return torch.matmul(x, self.embed.weight.t())
        return self.lm_head(x)

    def lens(self, hidden):
        """Logit lens: unembedding(final_norm(hidden))."""
        return self.unembed(self.norm(hidden))

    def empty_past(self, batch: int):
        c = self.cfg
        z = torch.zeros(batch, c.num_key_value_heads, 0, c.head_dim)
        return [(z, z) for _ in range(c.num_hidden_layers)]

    # ---- the one forward pass ----------------------------------------------
    def forward_full(self, inputs_embeds, attention_mask, position_ids, past, residual_delta=None,
                     residual_ablate=None):
        """inputs_embeds [B,S,H] f32; attention_mask [B,P+S] int64 (0 = masked key);
        position_ids [B,S] int64; past: list of (k, v) [B,kvh,P,hd];
        residual_delta [L,H] or None; residual_ablate [L,H] or None: after layer i the
        stream loses its component along the unit vector u = residual_ablate[i]
        (h - (h.u) u; a zero row is an exact no-op), then residual_delta[i] is added.
        Returns logits [B,S,V], last_hidden [B,S,H], hidden_states [L+1,B,S,H],
        presents list of (k, v) [B,kvh,P+S,hd]."""
        cfg = self.cfg
        S = inputs_embeds.shape[1]
        P = past[0][0].shape[2]
        T = attention_mask.shape[1]
        # causal over cache slots: query i sits at slot P+i, may see slots j <= P+i
        q_slot = torch.arange(S, dtype=torch.int64)[:, None] + P
        k_slot = torch.arange(T, dtype=torch.int64)[None, :]
        causal = k_slot <= q_slot  # [S,T]
        allowed = causal[None, None, None] & (attention_mask[:, None, None, None, :] > 0)  # [B,1,1,S,T]
        h = inputs_embeds
        if self.pos is not None:
            h = h + self.pos(position_ids)
            cos_sin = None
        else:
            cos_sin = rope_cos_sin(position_ids, cfg.head_dim, cfg.rope_theta)
        hs = [h]
        presents = []
        for i, blk in enumerate(self.blocks):
            h, k, v = blk(h, past[i][0], past[i][1], allowed, cos_sin)
            if residual_ablate is not None:
                u = residual_ablate[i]
                h = h - torch.matmul(h, u)[..., None] * u
            if residual_delta is not None:
                h = h + residual_delta[i]
            hs.append(h)
            presents.append((k, v))
        last = self.norm(h)
        logits = self.unembed(last)
        return logits, last, torch.stack(hs, dim=0), presents

    def forward_ids(self, input_ids, attention_mask=None, position_ids=None, past=None, residual_delta=None,
                    residual_ablate=None):
        B, S = input_ids.shape
        if past is None:
            past = self.empty_past(B)
        P = past[0][0].shape[2]
        if attention_mask is None:
            attention_mask = torch.ones(B, P + S, dtype=torch.int64)
        if position_ids is None:
            position_ids = torch.arange(P, P + S, dtype=torch.int64)[None].expand(B, S)
        return self.forward_full(self.embed(input_ids), attention_mask, position_ids, past, residual_delta,
                                 residual_ablate)

    def forward(self, input_ids):  # training convenience: logits only
        return self.forward_ids(input_ids)[0]


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def save_checkpoint(path, model: Decoder, extra: dict | None = None):
    torch.save({"config": model.cfg.to_json(), "state_dict": model.state_dict(), "extra": extra or {}}, path)


def load_checkpoint(path) -> tuple[Decoder, dict]:
    ck = torch.load(path, map_location="cpu")
    model = Decoder(DecoderConfig.from_json(ck["config"]))
    model.load_state_dict(ck["state_dict"])
    model.eval()
    return model, ck.get("extra", {})
