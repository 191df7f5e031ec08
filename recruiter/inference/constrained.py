"""Grammar-constrained greedy decoding of the decision JSON, with P(select) read off the logits.

The model must answer ``{"reasoning": ..., "status": "select"|"reject"}`` (the ``decision``
schema). xgrammar compiles that schema into a token-level grammar; at every decoding step a
:class:`GrammarProcessor` masks every token that would leave the grammar, so the output is
always a prefix of a schema-valid document, and a complete one whenever generation reaches the
end-of-sequence token before ``max_new_tokens``.

Trade-offs and choices:

* **Compact format.** The grammar is compiled with ``any_whitespace=False`` and the default
  separators of ``json.dumps`` without indent (``", "`` and ``": "``), so the output is byte for
  byte :func:`recruiter.inference.prompt.format_answer` – the model is served at inference the
  exact serialisation it was fine-tuned on. Allowing arbitrary whitespace would let a small model
  waste tokens on newlines and drift away from its training distribution.
* **Own logits processor instead of ``xgrammar.contrib.hf.LogitsProcessor``.** Same masking logic,
  but it also snapshots the *unmasked* logits at the status decision, which is where
  ``p_select`` comes from; the contrib class would throw that information away.
* **Greedy only.** Decisions must be reproducible (audits, retries, A/B comparison), so decoding is
  ``do_sample=False``; on CPU in float32 the same input gives the same text.
* **Batching.** Rows are laid out ``[shared prefix][padding][own suffix]`` so all prompts end at
  the same column and ``generate`` appends to every row at once; finished rows are padded with
  EOS. The shared prefix (system prompt, and the job description when a pool is screened for
  one job) is computed once. The suffixes are prefilled either together (``prefill="batch"``,
  one padded forward pass: best on a GPU) or one row at a time (``"rows"``: no compute on
  padding and the fast unmasked causal kernel, ~10 % faster on this CPU, and a row's prefill does
  not depend on its batch partners). Decoding steps are batched either way. In float32 the
  greedy text is the same for every layout (tests pin it); in bf16 rounding differs with the
  batch composition, so a long answer's wording (rarely its status) can change with the other
  prompts in the batch.
* **Truncation.** ``reasoning`` may be up to 2000 characters, far more than a typical
  ``max_new_tokens``; if generation stops before the JSON closes, the result has ``valid=False``
  and ``parsed=None`` and the caller decides whether to retry with a larger budget.

How ``p_select`` is computed: the *decision step* is the step whose chosen token commits the first
character of the status value (the token after ``"status": "``, or a merged token such as
``"select`` if the tokenizer has one). At that step every grammar-allowed token either commits to
``select``, commits to ``reject`` or commits to neither (only possible for merged-token splits).
``p_select = softmax(max_select_logit, max_reject_logit)[0]``: the two-way softmax between the
best token that starts ``select`` and the best token that starts ``reject`` (for SmolLM2 e.g.
``select`` vs the best of ``r``/``re``/``reject``/...). Because greedy decoding picks the overall best
allowed token, ``p_select >= 0.5`` exactly when the status is ``select`` (ties aside). The
alternative – summing the renormalised mass of all tokens of each side – is the exact marginal of
the first step but can disagree with the greedy choice when one side's mass is split over many
partial tokens, which makes it a worse score to threshold. Logits come from the model before the
grammar mask (the mask only removes tokens outside both branches, so the two logits are
unchanged by it).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import torch
import xgrammar as xgr
from transformers import LogitsProcessor, LogitsProcessorList
from transformers.cache_utils import DynamicLayer

from ..schemas import is_valid, load_schema

__all__ = [
    "GenerationResult",
    "GrammarProcessor",
    "compile_decision_grammar",
    "compile_grammar",
    "generate_constrained",
]

_STATUS_KEY = b'"status": "'
_CACHE: dict[tuple, xgr.CompiledGrammar] = {}
# Newer transformers renamed generate's `past_key_values` to `cache` (the old name warns).
try:
    from transformers.generation.utils import ALL_CACHE_NAMES  # noqa: F401

    _CACHE_KWARG = "cache"
except ImportError:  # older releases
    _CACHE_KWARG = "past_key_values"
_VOCAB: dict[int, tuple] = {}  # id(compiled) -> (compiled, decoded vocab, stop token ids)


@dataclass
class GenerationResult:
    """One decoded answer. ``parsed`` is None when the text is not complete JSON."""

    text: str
    parsed: dict[str, Any] | None
    valid: bool
    n_tokens: int
    p_select: float | None


def compile_grammar(
    tokenizer, schema: dict | str | None = None, vocab_size: int | None = None
) -> xgr.CompiledGrammar:
    """Compile a JSON schema (default: the decision schema; ``"json_object"``: any JSON) for
    ``tokenizer``, cached.

    ``vocab_size`` must be the model's ``config.vocab_size`` (the width of the logits) when it
    differs from the tokenizer's; the bitmask is built for that width. The cache key is the
    tokenizer's name/path and size, the vocab size and the canonical schema text, so the
    (tens of milliseconds to seconds) compilation runs once per process and schema.
    """
    schema = load_schema("decision") if schema is None else schema
    vocab_size = vocab_size or len(tokenizer)
    schema_text = schema if isinstance(schema, str) else json.dumps(schema, sort_keys=True)
    key = (getattr(tokenizer, "name_or_path", ""), len(tokenizer), vocab_size, schema_text)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        compiler = xgr.GrammarCompiler(info)
        if schema == "json_object":
            _CACHE[key] = compiler.compile_builtin_json_grammar()
        else:
            # separators (", ", ": ") without indent are json.dumps' defaults (see module doc).
            _CACHE[key] = compiler.compile_json_schema(
                json.dumps(schema), any_whitespace=False, separators=(", ", ": ")
            )
    return _CACHE[key]


def compile_decision_grammar(
    tokenizer, schema: dict | None = None, vocab_size: int | None = None
) -> xgr.CompiledGrammar:
    """The decision schema's grammar (see :func:`compile_grammar`)."""
    return compile_grammar(tokenizer, schema, vocab_size)


def _status_branch(text: bytes) -> str | None:
    """'select'/'reject' once ``text`` has committed the status value's first character."""
    head, sep, rest = text.partition(_STATUS_KEY)
    if not sep or not rest:
        return None
    return {ord("s"): "select", ord("r"): "reject"}.get(rest[0])


class GrammarProcessor(LogitsProcessor):
    """Grammar mask for a batch plus the logits snapshot at each row's status decision.

    Single use: one instance per ``generate`` call (the matchers hold the per-row parse state).
    """

    def __init__(self, compiled: xgr.CompiledGrammar, batch_size: int):
        info = compiled.tokenizer_info
        entry = _VOCAB.get(id(compiled))
        if entry is None or entry[0] is not compiled:  # the FFI vocab decode costs ~0.1 s
            if len(_VOCAB) > 8:
                _VOCAB.clear()
            entry = (compiled, list(info.decoded_vocab), frozenset(info.stop_token_ids))
            _VOCAB[id(compiled)] = entry
        _, self.vocab, self.stops = entry
        self.vocab_size = info.vocab_size
        self.matchers = [xgr.GrammarMatcher(compiled) for _ in range(batch_size)]
        self.bitmask = xgr.allocate_token_bitmask(batch_size, self.vocab_size)
        self.text = [b""] * batch_size  # bytes emitted so far, per row
        self.pending: list[dict | None] = [None] * batch_size  # (select, reject) logits per step
        self.p_select: list[float | None] = [None] * batch_size
        self.started = False

    def _accept(self, row: int, token: int) -> None:
        matcher = self.matchers[row]
        if matcher.is_terminated():
            return
        if not matcher.accept_token(token):  # cannot happen under the mask; fail loudly
            raise RuntimeError(f"grammar rejected token {token} in row {row}")
        if token < len(self.vocab) and token not in self.stops:
            self.text[row] += self.vocab[token]
        pending = self.pending[row]
        if pending is not None and self.p_select[row] is None and _status_branch(self.text[row]):
            s, r = pending["select"], pending["reject"]
            self.p_select[row] = 1.0 / (1.0 + math.exp(r - s)) if s > -math.inf else 0.0

    def _snapshot(self, row: int, raw: torch.Tensor, masked: torch.Tensor) -> None:
        """Best raw logit of the tokens that would commit each status, if any can here."""
        self.pending[row] = None
        if self.p_select[row] is not None:
            return
        allowed = torch.isfinite(masked).nonzero().flatten().tolist()
        if len(allowed) > 512:  # still inside the reasoning string: nothing to decide yet
            return
        best = {"select": -math.inf, "reject": -math.inf}
        for token in allowed:
            if token >= len(self.vocab):
                continue
            branch = _status_branch(self.text[row] + self.vocab[token])
            if branch:
                best[branch] = max(best[branch], float(raw[token]))
        if best["select"] > -math.inf or best["reject"] > -math.inf:
            self.pending[row] = best

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor):
        if self.started:
            for row, token in enumerate(input_ids[:, -1].tolist()):
                self._accept(row, token)
        self.started = True
        for row, matcher in enumerate(self.matchers):
            if not matcher.is_terminated():
                matcher.fill_next_token_bitmask(self.bitmask, row)
        raw = scores.float().cpu()
        masked = raw[:, : self.vocab_size].clone()
        xgr.apply_token_bitmask_inplace(masked, self.bitmask)
        for row, matcher in enumerate(self.matchers):
            if not matcher.is_terminated() and self.p_select[row] is None:
                self._snapshot(row, raw[row], masked[row])
        out = torch.full_like(scores, -math.inf)
        out[:, : self.vocab_size] = masked.to(scores.device, scores.dtype)
        return out

    def finish(self, sequences: torch.Tensor) -> None:
        """Accept the last sampled tokens (generate does not call the processor after them)."""
        if self.started:
            for row, token in enumerate(sequences[:, -1].tolist()):
                self._accept(row, token)


def _parse(text: str) -> dict | None:
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


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
    from transformers import DynamicCache

    cache = DynamicCache()
    model(
        input_ids=torch.tensor([ids], device=model.device), use_cache=True, **{_CACHE_KWARG: cache}
    )
    return SharedPrefix(list(ids), cache)


def _prefix_cache(model, head: list[int], prefix: SharedPrefix | None):
    """A batch-1 KV cache of ``head``, starting from a copy of ``prefix`` where it applies."""
    import copy

    from transformers import DynamicCache

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
            **{_CACHE_KWARG: cache},
        )
    return cache


class _PreallocatedLayer(DynamicLayer):
    """A ``DynamicLayer`` whose keys/values are views of a buffer with spare room: an append
    writes in place; only outgrowing the buffer reallocates (by concatenation)."""

    def __init__(self, kbuf: torch.Tensor, vbuf: torch.Tensor, length: int):
        super().__init__()
        self.kbuf, self.vbuf, self.length = kbuf, vbuf, length
        self.device = kbuf.device
        self.keys, self.values = kbuf[:, :, :length], vbuf[:, :, :length]
        self.is_initialized = True

    def update(self, key_states, value_states, *args, **kwargs):
        end = self.length + key_states.shape[-2]
        if end > self.kbuf.shape[-2]:
            self.kbuf = torch.cat([self.keys, key_states], dim=-2)
            self.vbuf = torch.cat([self.values, value_states], dim=-2)
        else:
            self.kbuf[:, :, self.length : end] = key_states
            self.vbuf[:, :, self.length : end] = value_states
        self.length = end
        self.keys, self.values = self.kbuf[:, :, :end], self.vbuf[:, :, :end]
        return self.keys, self.values


def _layout_rows(
    model, ids: list[list[int]], pad: int, prefix: SharedPrefix | None, room: int = 0
) -> dict:
    """Like :func:`_layout`, but each row's suffix is prefilled on its own (batch 1, no padding).

    The caches are then stacked into the same ``[shared prefix][padding][suffix]`` layout, leaving
    each row's last token for ``generate``. Two gains: no compute is spent on padding and
    batch-1 attention needs no mask (the fast causal kernel), and a row's prefill no longer
    depends on which other prompts share its batch, so in bf16 a candidate's answer does not
    change with its batch partners' lengths (decode is still batched).
    """
    from transformers import DynamicCache

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
                **{_CACHE_KWARG: cache},
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
        out.layers.append(_PreallocatedLayer(kbuf, vbuf, cached))
    return {**_middle_padded(ids, shared, pad, device), _CACHE_KWARG: out}


def _middle_padded(ids: list[list[int]], shared: int, pad: int, device) -> dict:
    """``input_ids``/``attention_mask`` laid out ``[shared prefix][padding][rest of the row]``."""
    width = max(len(x) - shared for x in ids)
    input_ids = [ids[0][:shared] + [pad] * (width - (len(x) - shared)) + x[shared:] for x in ids]
    mask = [[1] * shared + [0] * (width - (len(x) - shared)) + [1] * (len(x) - shared) for x in ids]
    return {
        "input_ids": torch.tensor(input_ids, device=device),
        "attention_mask": torch.tensor(mask, device=device),
    }


def _layout(
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
    return {**_middle_padded(ids, shared, pad, device), _CACHE_KWARG: cache}


@torch.inference_mode()
def generate_constrained(
    model,
    tokenizer,
    messages_batch: list[list[dict]],
    max_new_tokens: int = 256,
    compiled: xgr.CompiledGrammar | None = None,
    repetition_penalty: float = 1.0,
    constrained: bool = True,
    prefix: SharedPrefix | None = None,
    prefill: str = "batch",
) -> list[GenerationResult]:
    """Greedy, grammar-constrained answers for a batch of chat prompts (left padded).

    ``compiled=None`` compiles (or reuses) the decision grammar for ``tokenizer`` and the model's
    vocab size. ``n_tokens`` counts generated tokens including the closing EOS. ``p_select`` is
    None only when generation stopped before the status was decided.
    """
    if not messages_batch:
        return []
    vocab_size = getattr(model.config, "vocab_size", None) or len(tokenizer)
    compiled = compiled or compile_decision_grammar(tokenizer, vocab_size=vocab_size)
    prompts = [
        tokenizer.apply_chat_template(m, add_generation_prompt=True, tokenize=False)
        for m in messages_batch
    ]
    ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    if prefill == "rows":
        inputs = _layout_rows(model, ids, pad, prefix, room=max_new_tokens)
    else:
        inputs = _layout(model, ids, pad, prefix)
    # constrained=False decodes freely (an ablation: what the grammar costs and buys); the
    # answer is then parsed afterwards and has no p_select.
    processor = GrammarProcessor(compiled, len(prompts)) if constrained else None
    out = model.generate(
        **inputs,
        max_new_tokens=max_new_tokens,
        do_sample=False,
        num_beams=1,
        repetition_penalty=repetition_penalty,
        logits_processor=LogitsProcessorList([processor] if processor else []),
        eos_token_id=eos,
        pad_token_id=pad,
    )
    new = out[:, inputs["input_ids"].shape[1] :]
    if processor is not None:
        processor.finish(out)
    results = []
    for row, ids in enumerate(new.tolist()):
        n = ids.index(eos) + 1 if eos in ids else len(ids)
        text = tokenizer.decode(ids[:n], skip_special_tokens=True)
        done = processor.matchers[row].is_terminated() if processor is not None else True
        parsed = _parse(text.strip()) if done else None
        valid = parsed is not None and is_valid(parsed, "decision")
        p_select = processor.p_select[row] if processor is not None else None
        results.append(GenerationResult(text, parsed, valid, n, p_select))
    return results
