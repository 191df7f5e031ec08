"""Batch layout for decoding: the shared-prefix KV cache, and prompts laid out to end together.

Rows are laid out ``[shared prefix][padding][own suffix]`` so all prompts end at
the same column and ``generate`` appends to every row at once; finished rows are padded with
EOS. The shared prefix (system prompt, and the job description when a pool is screened for
one job) is computed once. The suffixes are prefilled either together (``prefill="batch"``,
one padded forward pass: best on a GPU) or one row at a time (``"rows"``: no compute on
padding and the fast unmasked causal kernel, ~10 % faster on this CPU, and a row's prefill does
not depend on its batch partners). Decoding steps are batched either way. In float32 the
greedy text is the same for every layout (tests pin it); in bf16 rounding differs with the
batch composition, so a long answer's wording (rarely its status) can change with the other
prompts in the batch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

# Newer transformers renamed generate's `past_key_values` to `cache` (the old name warns).
try:
    from transformers.generation.utils import ALL_CACHE_NAMES  # noqa: F401

    CACHE_KWARG = "cache"
except ImportError:  # older releases
    CACHE_KWARG = "past_key_values"


@dataclass
class SharedPrefix:
    """The KV cache of token ids every prompt starts with (system prompt and template), computed
    once per engine and copied into each batch."""

    ids: list[int]
    cache: object  # transformers DynamicCache for batch size 1


def common_prefix_length(ids: list[list[int]]) -> int:
    """Length of the longest token prefix shared by every row, leaving each row >= 1 token."""
    limit = min(len(x) for x in ids) - 1
    n = 0
    while n < limit and all(x[n] == ids[0][n] for x in ids):
        n += 1
    return n


@torch.inference_mode()
def build_prefix(model, ids: list[int]) -> SharedPrefix:
    cache = DynamicCache()
    # (logits_to_keep=1: only the cache is wanted; the LM head over every prompt token would be
    # ~10 % of a prefill here)
    model(
        input_ids=torch.tensor([ids], device=model.device),
        use_cache=True,
        logits_to_keep=1,
        **{CACHE_KWARG: cache},
    )
    return SharedPrefix(list(ids), cache)


def _prefix_cache(model, head: list[int], prefix: SharedPrefix | None):
    """A batch-1 KV cache of ``head``, starting from a copy of ``prefix`` where it applies."""
    if (
        prefix is not None
        and len(prefix.ids) <= len(head)
        and head[: len(prefix.ids)] == prefix.ids
    ):
        cache, start = copy.deepcopy(prefix.cache), len(prefix.ids)
    else:
        cache, start = DynamicCache(), 0
    if start < len(head):
        model(
            input_ids=torch.tensor([head[start:]], device=model.device),
            use_cache=True,
            logits_to_keep=1,
            **{CACHE_KWARG: cache},
        )
    return cache


class PreallocatedLayer(DynamicLayer):
    """A ``DynamicLayer`` whose keys/values are views of a buffer with spare room: an append
    writes in place; only outgrowing the buffer reallocates (half as large again)."""

    def __init__(self, kbuf: torch.Tensor, vbuf: torch.Tensor, length: int):
        super().__init__()
        self.kbuf, self.vbuf, self.length = kbuf, vbuf, length
        self.device = kbuf.device
        self.keys, self.values = kbuf[:, :, :length], vbuf[:, :, :length]
        self.is_initialized = True

    @classmethod
    def of(cls, layer, room: int) -> PreallocatedLayer:
        """A copy of a plain layer's keys/values with ``room`` spare columns."""
        k, v = layer.keys, layer.values
        n = k.shape[-2]
        kbuf = k.new_empty(*k.shape[:-2], n + room, k.shape[-1])
        vbuf = v.new_empty(*v.shape[:-2], n + room, v.shape[-1])
        kbuf[:, :, :n] = k
        vbuf[:, :, :n] = v
        return cls(kbuf, vbuf, n)

    def select_rows(self, idx: torch.Tensor) -> None:
        """Keep only the batch rows ``idx`` (in that order)."""
        self.kbuf = self.kbuf.index_select(0, idx)
        self.vbuf = self.vbuf.index_select(0, idx)
        self.keys, self.values = self.kbuf[:, :, : self.length], self.vbuf[:, :, : self.length]

    def update(self, key_states, value_states, *args, **kwargs):
        end = self.length + key_states.shape[-2]
        if end > self.kbuf.shape[-2]:  # grow by half again, so appends stay amortised O(1)
            cap = max(end, self.kbuf.shape[-2] * 3 // 2)
            kbuf = self.kbuf.new_empty(*self.kbuf.shape[:-2], cap, self.kbuf.shape[-1])
            vbuf = self.vbuf.new_empty(*self.vbuf.shape[:-2], cap, self.vbuf.shape[-1])
            kbuf[:, :, : self.length] = self.keys
            vbuf[:, :, : self.length] = self.values
            self.kbuf, self.vbuf = kbuf, vbuf
        self.kbuf[:, :, self.length : end] = key_states
        self.vbuf[:, :, self.length : end] = value_states
        self.length = end
        self.keys, self.values = self.kbuf[:, :, :end], self.vbuf[:, :, :end]
        return self.keys, self.values


def preallocate(cache, room: int):
    """``cache`` (in place) with every layer a :class:`PreallocatedLayer` with at least ``room``
    spare columns where it had to be converted (a batch-prefilled cache is a plain one)."""
    cache.layers = [
        layer if isinstance(layer, PreallocatedLayer) else PreallocatedLayer.of(layer, room)
        for layer in cache.layers
    ]
    return cache


def layout_rows(
    model, ids: list[list[int]], pad: int, prefix: SharedPrefix | None, room: int = 0
) -> dict:
    """Like :func:`layout_padded`, but each row's suffix is prefilled on its own (batch 1, no padding).

    The caches are then stacked into the same ``[shared prefix][padding][suffix]`` layout, leaving
    each row's last token for ``generate``. Two gains: no compute is spent on padding and
    batch-1 attention needs no mask (the fast causal kernel), and a row's prefill no longer
    depends on which other prompts share its batch, so in bf16 a candidate's answer does not
    change with its batch partners' lengths (decode is still batched).
    """
    device = model.device
    shared = common_prefix_length(ids) if len(ids) > 1 else len(ids[0]) - 1
    if shared == 0:
        head_cache = None
    else:
        head_cache = _prefix_cache(model, ids[0][:shared], prefix)
    rows = []
    for x in ids:
        rest = x[shared:-1]
        if head_cache is None:
            cache = DynamicCache()
        else:
            # (DynamicCache copies these on construction; the head cache stays untouched)
            cache = DynamicCache([(layer.keys, layer.values) for layer in head_cache.layers])
        if rest:
            model(
                input_ids=torch.tensor([rest], device=device),
                use_cache=True,
                logits_to_keep=1,
                **{CACHE_KWARG: cache},
            )
        rows.append(cache)
    width = max(len(x) - shared for x in ids)  # suffix columns incl. the last token
    cached = shared + width - 1  # every row's last token is left for generate
    out = DynamicCache()
    out.layers = []
    for layer in range(len(rows[0].layers)):
        k0, v0 = rows[0].layers[layer].keys, rows[0].layers[layer].values
        # Room for the answer: decode steps then write in place instead of re-concatenating the
        # whole batch cache per layer and step (~15 % of a step here).
        kbuf = k0.new_zeros(len(ids), k0.shape[1], cached + room, k0.shape[3])
        vbuf = v0.new_zeros(len(ids), v0.shape[1], cached + room, v0.shape[3])
        for r, (x, cache) in enumerate(zip(ids, rows, strict=True)):
            k, v = cache.layers[layer].keys, cache.layers[layer].values
            own = len(x) - shared - 1  # this row's cached suffix tokens
            kbuf[r, :, :shared] = k[0, :, :shared]
            vbuf[r, :, :shared] = v[0, :, :shared]
            if own:
                kbuf[r, :, cached - own : cached] = k[0, :, shared:]
                vbuf[r, :, cached - own : cached] = v[0, :, shared:]
        out.layers.append(PreallocatedLayer(kbuf, vbuf, cached))
    return {**_middle_padded(ids, shared, pad, device), CACHE_KWARG: out}


def _middle_padded(ids: list[list[int]], shared: int, pad: int, device) -> dict:
    """``input_ids``/``attention_mask`` laid out ``[shared prefix][padding][rest of the row]``."""
    width = max(len(x) - shared for x in ids)
    input_ids = [ids[0][:shared] + [pad] * (width - (len(x) - shared)) + x[shared:] for x in ids]
    mask = [[1] * shared + [0] * (width - (len(x) - shared)) + [1] * (len(x) - shared) for x in ids]
    return {
        "input_ids": torch.tensor(input_ids, device=device),
        "attention_mask": torch.tensor(mask, device=device),
    }


def layout_padded(
    model, ids: list[list[int]], pad: int, prefix: SharedPrefix | None, min_shared: int = 16
) -> dict:
    """Generation inputs with the shared prefix computed once.

    Rows are laid out ``[shared prefix][padding][rest of the row]`` with the padding masked, so
    the prefix's keys/values are identical for every row and are computed once (or copied from
    ``prefix``, which covers the system prompt across calls) and repeated over the batch; the
    model then only reads each row's own suffix. Position ids follow the attention mask, so
    every real token keeps its position. Without a long enough shared prefix this is plain
    left padding. The greedy output is the same either way (tests pin it).
    """
    device = model.device
    shared = common_prefix_length(ids) if len(ids) > 1 else len(ids[0]) - 1
    if shared < min_shared:
        width = max(map(len, ids))
        input_ids = [[pad] * (width - len(x)) + x for x in ids]
        mask = [[0] * (width - len(x)) + [1] * len(x) for x in ids]
        return {
            "input_ids": torch.tensor(input_ids, device=device),
            "attention_mask": torch.tensor(mask, device=device),
        }
    cache = _prefix_cache(model, ids[0][:shared], prefix)
    if len(ids) > 1:
        cache.batch_repeat_interleave(len(ids))
    return {**_middle_padded(ids, shared, pad, device), CACHE_KWARG: cache}
