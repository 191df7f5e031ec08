"""Attention for decoding on CPU: one query token per row, written as two matmuls (opt-in).

Measured on this 2-core CPU (torch 2.13, bf16, batch 8, 9 query heads over 3 key/value heads,
1,200 cached tokens): PyTorch's CPU flash-attention kernel takes ~4.4 ms per layer for a single
query token, because it tiles queries in blocks of >= 32 rows and so does the work of a
32-token prefill for one token; ``softmax(q @ K^T) @ V`` with the query heads grouped onto their
key/value head takes ~0.3 ms in bf16. For prefill (hundreds of query tokens) the flash kernel is
the faster one (11 vs 15-28 ms for 1,000 tokens with a blocked matmul version), so it stays.

Precision decides whether it is worth it: with bf16 scores the greedy decisions moved (9 of 64
synthetic test decisions changed against SDPA, mean |delta P(select)| 0.11), so the scores and
softmax are computed in float32 (4 of 64 changed, 0.06; the same order as changing the batch
size), which gives back most of the gain: end to end, per-row prefill + this + batch 16 ran
0.643 decisions/s against 0.618 for the default engine on the same 64 candidates. It is
therefore not the default (``inference.attention: cpu_decode`` turns it on); fp32 models give
the same greedy text as with ``sdpa`` (a test pins it).

:func:`decode_attention` is registered with transformers' ``AttentionInterface`` under
:data:`NAME` (masks are built as for ``sdpa``); every call that is not a single-token CPU
inference step goes to transformers' own SDPA function unchanged.
"""

from __future__ import annotations

import torch
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

NAME = "recruiter_cpu_decode"


def decode_attention(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs,
) -> tuple[torch.Tensor, None]:
    """HF attention-function signature: ``query`` (B, H, q, D), ``key``/``value`` (B, G, kv, D);
    returns (B, q, H, D)."""
    if query.shape[2] != 1 or query.device.type != "cpu" or module.training:
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    batch, heads, _, dim = query.shape
    groups = key.shape[1]
    scale = scaling if scaling is not None else dim**-0.5
    # Query heads g*r .. g*r+r-1 read key/value head g (what repeat_kv expands to), so grouping
    # them avoids copying the cache r times.
    q = query.reshape(batch, groups, heads // groups, dim)
    # float32 matmuls: bf16 scores (rounded to 8 bits of mantissa before the softmax) were
    # measured to change 9 of 64 greedy decisions against SDPA, float32 ones 4 of 64.
    q, key, value = q.float(), key.float(), value.float()
    scores = torch.matmul(q, key.transpose(-1, -2)) * scale  # (B, G, r, kv)
    if attention_mask is not None:
        mask = attention_mask[..., -key.shape[2] :]  # (B, 1, 1, kv), broadcast over heads
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.float()
    probs = torch.softmax(scores, dim=-1)
    out = torch.matmul(probs, value)  # (B, G, r, D)
    return out.reshape(batch, 1, heads, dim).to(query.dtype), None


AttentionInterface.register(NAME, decode_attention)
AttentionMaskInterface.register(NAME, sdpa_mask)
