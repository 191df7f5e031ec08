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
* **Batching.** Prompts are laid out so that every row ends at the same column and shares
  the KV cache of their common prefix (:mod:`.layout`); finished rows are padded with EOS.
* **Speculative decoding (opt-in).** With a drafter, :mod:`.speculative`'s loop replaces
  ``generate``; :meth:`GrammarProcessor.choose` is the same mask + greedy choice, row by row.
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

from ..schemas import is_valid, load_schema
from .layout import CACHE_KWARG, SharedPrefix, layout_padded, layout_rows
from .prompt import STATUS_KEY

__all__ = [
    "GenerationResult",
    "GrammarProcessor",
    "compile_decision_grammar",
    "compile_grammar",
    "generate_constrained",
]

_STATUS_KEY = STATUS_KEY.encode()
_CACHE: dict[tuple, xgr.CompiledGrammar] = {}
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
        finite = torch.isfinite(masked)
        if int(finite.sum()) > 512:  # still inside the reasoning string: nothing to decide yet
            return  # (counted before listing: listing ~49k allowed ids per step cost ~1 ms)
        allowed = finite.nonzero().flatten().tolist()
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

    def choose(self, row: int, logits: torch.Tensor) -> tuple[int, bool]:
        """Greedy token of ``row`` from its 1-D raw ``logits`` under the grammar, accepted into
        the row's state (the p_select snapshot included); and whether the row is now finished.
        The same steps as :meth:`__call__` + greedy argmax, one row at a time (speculative
        verification calls it once per emitted token)."""
        self.started = True
        matcher = self.matchers[row]
        matcher.fill_next_token_bitmask(self.bitmask, row)
        raw = logits.float().cpu()
        masked = raw[: self.vocab_size].clone().unsqueeze(0)
        xgr.apply_token_bitmask_inplace(masked, self.bitmask[row : row + 1])
        masked = masked[0]
        if self.p_select[row] is None:
            self._snapshot(row, raw, masked)
        token = int(masked.argmax())
        self._accept(row, token)
        return token, matcher.is_terminated()

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
    drafter=None,
    draft_tokens: int = 0,
    stats: dict | None = None,
) -> list[GenerationResult]:
    """Greedy, grammar-constrained answers for a batch of chat prompts (left padded).

    ``compiled=None`` compiles (or reuses) the decision grammar for ``tokenizer`` and the model's
    vocab size. ``n_tokens`` counts generated tokens including the closing EOS. ``p_select`` is
    None only when generation stopped before the status was decided. With a ``drafter``
    (:class:`~.speculative.NgramDrafter`) and ``draft_tokens > 0`` the answer is decoded
    speculatively (:mod:`.speculative`; not with a repetition penalty), and ``stats`` (a dict)
    is updated with its steps, drafted and accepted tokens.
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
        inputs = layout_rows(model, ids, pad, prefix, room=max_new_tokens)
    else:
        inputs = layout_padded(model, ids, pad, prefix)
    # constrained=False decodes freely (an ablation: what the grammar costs and buys); the
    # answer is then parsed afterwards and has no p_select.
    processor = GrammarProcessor(compiled, len(prompts)) if constrained else None
    if drafter is not None and draft_tokens > 0 and repetition_penalty == 1.0:
        from .speculative import decode_speculative

        def choose(row: int, logits: torch.Tensor) -> tuple[int, bool]:
            if processor is not None:
                return processor.choose(row, logits)
            token = int(logits.argmax())
            return token, token == eos

        new, counts = decode_speculative(
            model,
            inputs,
            ids,
            choose,
            drafter,
            max_new_tokens,
            eos,
            pad,
            draft_tokens,
            CACHE_KWARG,
        )
        if stats is not None:
            for k, v in counts.items():
                stats[k] = stats.get(k, 0) + v
        return _results(tokenizer, new, processor, eos)
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
    return _results(tokenizer, new.tolist(), processor, eos)


def _results(tokenizer, new: list[list[int]], processor, eos: int) -> list[GenerationResult]:
    results = []
    for row, ids in enumerate(new):
        n = ids.index(eos) + 1 if eos in ids else len(ids)
        text = tokenizer.decode(ids[:n], skip_special_tokens=True)
        done = processor.matchers[row].is_terminated() if processor is not None else True
        parsed = _parse(text.strip()) if done else None
        valid = parsed is not None and is_valid(parsed, "decision")
        p_select = processor.p_select[row] if processor is not None else None
        results.append(GenerationResult(text, parsed, valid, n, p_select))
    return results
