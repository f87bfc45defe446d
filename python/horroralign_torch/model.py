"""The HorrorAlign decoder in PyTorch: the same maths and state-dict names as the .NET GptModel
(src/HorrorAlign.ML/Modeling), so weights move between the two unchanged.

token embedding + learned position embedding → dropout → N pre-norm blocks
(x += attn(attn_norm(x)); x += ff(ff_norm(x))) → final RMSNorm → output layer (or the tied token embedding).
"""

import dataclasses
import math
from typing import Optional

import torch
from torch import nn
from torch.nn import functional as F


@dataclasses.dataclass(frozen=True)
class GptConfig:
    """The .NET GptConfig in its snake_case JSON form; defaults are the .NET defaults."""

    vocab_size: int = 50257
    d_model: int = 256
    n_heads: int = 8
    n_layers: int = 4
    mlp_ratio: int = 4
    dropout: float = 0.1
    attention_dropout: Optional[float] = None  # None: use dropout
    context_length: int = 512
    tie_embeddings: bool = False
    fused_attention: bool = False  # the .NET kernel choice; the maths is the same, so it changes nothing here
    copy_head: bool = False
    unseen_token_embedding: bool = False

    @classmethod
    def from_dict(cls, values):
        """Builds a config from the "config" object of the horroralign JSON (missing keys take the defaults)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            # A key we do not know may change the architecture: refuse rather than build a different model.
            raise ValueError(f"unknown model config option(s) {unknown}: this package may be older than the .NET side that wrote them")
        return cls(**values)

    def to_dict(self):
        return dataclasses.asdict(self)

    @property
    def head_dim(self):
        return self.d_model // self.n_heads

    def __post_init__(self):
        for option in ("copy_head", "unseen_token_embedding"):
            if getattr(self, option):
                raise NotImplementedError(
                    f"config option '{option}' is true: this package does not implement the "
                    f"{'copy head' if option == 'copy_head' else 'unseen-token embedding'}; "
                    "train without it (the default) or stay in .NET")
        checks = [
            (self.vocab_size > 0, "vocab_size must be positive"),
            (self.d_model > 0, "d_model must be positive"),
            (self.n_heads > 0 and self.d_model % self.n_heads == 0, "n_heads must be positive and divide d_model"),
            (self.n_layers > 0, "n_layers must be positive"),
            (self.mlp_ratio > 0, "mlp_ratio must be positive"),
            (0 <= self.dropout < 1, "dropout must be in [0, 1)"),
            (self.attention_dropout is None or 0 <= self.attention_dropout < 1, "attention_dropout must be null or in [0, 1)"),
            (self.context_length > 0, "context_length must be positive"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"invalid model config: {message} ({self})")


class RmsNorm(nn.Module):
    """w · x / sqrt(mean(x²) + 1e-5) over the last dimension; no bias."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * x.square().mean(-1, keepdim=True).add(1e-5).rsqrt() * self.weight


class CausalSelfAttention(nn.Module):
    """One fused bias-free qkv Linear (first d outputs q, then k, then v), causal softmax(q kᵀ/√hd) v, bias-free out_proj."""

    def __init__(self, config):
        super().__init__()
        self.n_heads = config.n_heads
        self.head_dim = config.head_dim
        self.dropout = config.dropout if config.attention_dropout is None else config.attention_dropout
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model, bias=False)
        self.out_proj = nn.Linear(config.d_model, config.d_model, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)  # [B,H,T,hd] each
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        probs = scores.masked_fill(future, float("-inf")).softmax(-1)
        probs = F.dropout(probs, self.dropout, self.training)
        return self.out_proj((probs @ v).transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    """Linear(d, ratio·d) → exact (erf) GELU → Linear(ratio·d, d) → dropout, as a Sequential named net (keys net.0, net.2)."""

    def __init__(self, config):
        super().__init__()
        hidden = config.mlp_ratio * config.d_model
        self.net = nn.Sequential(
            nn.Linear(config.d_model, hidden), nn.GELU(), nn.Linear(hidden, config.d_model), nn.Dropout(config.dropout))

    def forward(self, x):
        return self.net(x)


class DecoderBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attn_norm = RmsNorm(config.d_model)
        self.attn = CausalSelfAttention(config)
        self.ff_norm = RmsNorm(config.d_model)
        self.ff = FeedForward(config)

    def forward(self, x):
        x = x + self.attn(self.attn_norm(x))
        return x + self.ff(self.ff_norm(x))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.d_model)
        self.pos_embedding = nn.Embedding(config.context_length, config.d_model)
        self.blocks = nn.ModuleList(DecoderBlock(config) for _ in range(config.n_layers))
        self.final_norm = RmsNorm(config.d_model)
        # Tied: the head reuses token_embedding.weight, and the state dict has no output_layer.weight.
        self.output_layer = None if config.tie_embeddings else nn.Linear(config.d_model, config.vocab_size, bias=False)
        if config.tie_embeddings:
            # As in .NET: N(0, 1/d) rows keep the initial tied logits near unit scale (N(0, 1) would give std √d).
            std = 1 / math.sqrt(config.d_model)
            nn.init.normal_(self.token_embedding.weight, 0.0, std)
            nn.init.normal_(self.pos_embedding.weight, 0.0, std)

    @classmethod
    def from_config(cls, values):
        """A randomly initialised model from the horroralign JSON: either the whole object or its "config" part."""
        if "format" in values:
            values = values["config"]
        return cls(GptConfig.from_dict(values))

    def forward(self, ids, select=None):
        """ids [B,T] int64 → logits [B,T,V]; with select (bool [B,T]) → logits [N,V] at the selected positions only,
        in row-major order (the output layer is most of the cost at a large vocabulary, and losses need few positions)."""
        hidden = self.hidden(ids)
        return self.head(hidden if select is None else hidden[select])

    def hidden(self, ids):
        """Final-normalised hidden states [B,T,D]."""
        t = ids.shape[1]
        if t > self.config.context_length:
            raise ValueError(f"{t} positions exceed the context length {self.config.context_length}")
        positions = torch.arange(t, device=ids.device)
        x = F.dropout(self.token_embedding(ids) + self.pos_embedding(positions), self.config.dropout, self.training)
        for block in self.blocks:
            x = block(x)
        return self.final_norm(x)

    def head(self, hidden):
        """Hidden states [..., D] → logits [..., V]."""
        weight = self.token_embedding.weight if self.output_layer is None else self.output_layer.weight
        return F.linear(hidden, weight)
