"""Attention on CPU for inference: decode steps as matmuls, verification passes packed, and
prefill after a cached prefix without a materialised mask (all opt-in).

Three transformers attention implementations live here; training and CUDA use SDPA unchanged.

* :data:`NAME` (``inference.attention=cpu_decode``): single-token decode steps as float32
  matmuls (:func:`decode_attention`, below);
* :data:`PACKED` (selected by the engine with speculative decoding, ``inference.draft_tokens``):
  the few tokens per row of a verification pass packed onto their key/value heads
  (:func:`packed_attention`), bitwise the same logits as SDPA and ~2.5x cheaper at batch 16;
* both: a prompt prefilled after a cached prefix (the system prompt, a shared job description)
  runs as two flash-attention calls merged by log-sum-exp (:func:`_suffix_prefill`) instead of
  one call with the whole causal mask materialised (~12 % of a 1,000-token prefill here).

Decode steps (``cpu_decode``):

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

The functions are registered with transformers' ``AttentionInterface``, and :func:`causal_mask`
(transformers' SDPA mask, but ``None`` for new tokens closing an unpadded cache) with its
``AttentionMaskInterface``; every call these functions do not handle goes to transformers' own
SDPA function unchanged.
"""

from __future__ import annotations

import torch
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, causal_mask_function, sdpa_mask

NAME = "recruiter_cpu_decode"
PACKED = "recruiter_packed"  # SDPA with short multi-token queries packed onto their KV heads
_PACK_ROWS = 64  # packed query rows (heads per KV head x tokens) up to which packing is used


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
        return packed_attention(
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


def packed_attention(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs,
) -> tuple[torch.Tensor, None]:
    """SDPA for a few query tokens per row (speculative verification), without ``repeat_kv``.

    For ``1 < q`` tokens with a padding mask, transformers' SDPA path copies every key/value
    head ``r`` times (``repeat_kv``) and runs 9 heads of ``q`` queries. Here the ``r`` query heads
    of each key/value head are stacked along the query axis (``r*q`` rows, the mask repeated to
    match), so the same CPU kernel runs on 3 heads with the cache read once. Each query row's
    softmax is unchanged, so the output equals SDPA's (measured bitwise equal logits in bf16 on
    SmolLM2, batch 8 and 16, 5 and 9 tokens); a verification step of 9 tokens at batch 16 went
    from ~620 ms to ~250 ms on this CPU. Everything else goes to transformers' SDPA unchanged.
    """
    batch, heads, q_len, dim = query.shape
    groups = key.shape[1]
    rep = heads // groups
    if attention_mask is None and 1 < q_len < key.shape[2] and q_len * rep > _PACK_ROWS:
        return _suffix_prefill(query, key, value, scaling)
    if (
        q_len == 1
        or rep == 1
        or q_len * rep > _PACK_ROWS
        or query.device.type != "cpu"
        or module.training
        or (attention_mask is not None and attention_mask.shape[1] != 1)
    ):
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    packed = query.reshape(batch, groups, rep * q_len, dim)  # head g*rep+j -> KV head g
    mask = attention_mask
    if mask is not None:
        kv = mask.shape[-1]
        mask = mask[:, :, None].expand(batch, 1, rep, q_len, kv).reshape(batch, 1, rep * q_len, kv)
    else:  # no padding (see causal_mask): the new tokens' causal pattern must be spelled out
        kv = key.shape[2]
        rows = torch.arange(q_len, device=query.device) + (kv - q_len)
        mask = (torch.arange(kv, device=query.device)[None, :] <= rows[:, None]).repeat(rep, 1)
    out = torch.nn.functional.scaled_dot_product_attention(
        packed, key, value, attn_mask=mask, scale=scaling
    )
    return out.reshape(batch, heads, q_len, dim).transpose(1, 2).contiguous(), None


def _suffix_prefill(query, key, value, scaling):
    """Causal attention of ``q`` new tokens that follow ``kv - q`` cached ones, no padding.

    Computed as two flash-attention calls, the cached head without a mask and the new tokens
    causally (``is_causal``, aligned because they are as many queries as keys), merged by their
    log-sum-exp. With the whole lower-right causal mask materialised instead, the CPU kernel
    does the masked upper triangle too and transformers copies every key/value head 3 times:
    for 980 new tokens after 120 cached ones in bf16, 22 vs 26 ms per layer here (the copies
    were another ~2 ms). Same result up to float rounding: both halves and their merge are
    computed in float32 and rounded to the model dtype once.
    """
    flash = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu
    head = key.shape[2] - query.shape[2]
    dtype = query.dtype
    # The CPU flash kernel is slower in bf16 than in float32 (it converts every block): on a
    # 2-core Xeon without AMX, 980 tokens after 120 cached, 9 heads over 3, this function took
    # 20-23 ms per layer in bf16 and 16-17 ms with these casts (batch 1, 1,100 causal tokens:
    # 18 ms in bf16, 11 ms in float32).
    query, key, value = query.float(), key.float(), value.float()
    o1, l1 = flash(query, key[:, :, :head], value[:, :, :head], 0.0, False, scale=scaling)[:2]
    o2, l2 = flash(query, key[:, :, head:], value[:, :, head:], 0.0, True, scale=scaling)[:2]
    total = torch.logaddexp(l1, l2)
    out = o1 * torch.exp(l1 - total).unsqueeze(-1)
    out += o2 * torch.exp(l2 - total).unsqueeze(-1)
    return out.to(dtype).transpose(1, 2).contiguous(), None


def causal_mask(
    batch_size: int,
    q_length: int,
    kv_length: int,
    mask_function=causal_mask_function,
    attention_mask: torch.Tensor | None = None,
    local_size: int | None = None,
    **kwargs,
):
    """transformers' SDPA mask, except that new tokens after a cache without padding get
    ``None`` (not a materialised lower-right causal mask): this module's functions then compute
    that case without a mask (:func:`_suffix_prefill`, or an explicit small mask when packed)."""
    q_offset, kv_offset = kwargs.get("q_offset", 0), kwargs.get("kv_offset", 0)
    if (
        1 < q_length < kv_length
        and kwargs.get("allow_is_causal_skip", True)
        and mask_function is causal_mask_function
        and local_size is None
        and isinstance(q_offset, int)
        and kv_offset == 0
        and q_offset + q_length == kv_length  # the new tokens close the cache
        and (attention_mask is None or bool(attention_mask.all()))
    ):
        return None
    return sdpa_mask(
        batch_size,
        q_length,
        kv_length,
        mask_function=mask_function,
        attention_mask=attention_mask,
        local_size=local_size,
        **kwargs,
    )


AttentionInterface.register(NAME, decode_attention)
AttentionMaskInterface.register(NAME, causal_mask)
AttentionInterface.register(PACKED, packed_attention)
AttentionMaskInterface.register(PACKED, causal_mask)
