"""One chat completion with the options an OpenAI-compatible endpoint offers.

The decision engine always decodes greedily under the decision grammar (:mod:`.constrained`);
the HTTP server also answers general chat requests: free text or JSON constrained by a
client's schema, greedy (``temperature=0``) or sampled with a seed, streamed or not, with
log-probabilities. :func:`generate_chat` does one such request with ``model.generate``:

* the grammar mask is the same :class:`~.constrained.GrammarProcessor`, so a ``json_schema``
  response is schema-valid by construction (a complete document whenever it ends before
  ``max_tokens``);
* ``streamer`` (a ``TextIteratorStreamer``) receives the text as it is produced; joining its
  pieces gives exactly ``text`` (the streamer decodes whole words, never half a character);
* log-probabilities are those of the model *before* the grammar mask and sampling, like vLLM's
  default, so ``top_logprobs`` also shows what the grammar ruled out.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import torch
from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from .constrained import GrammarProcessor


@dataclass
class ChatResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length"
    logprobs: list[dict] | None = None  # [{"token", "logprob", "top_logprobs": [...]}]
    p_select: float | None = None
    extra: dict = field(default_factory=dict)


class CancelOnEvent(StoppingCriteria):
    """Stops generation when ``event`` is set (request timed out or client went away)."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs):
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)


def _token_text(tokenizer, token_id: int) -> str:
    return tokenizer.decode([token_id], skip_special_tokens=False)


@torch.inference_mode()
def generate_chat(
    model,
    tokenizer,
    messages: list[dict],
    *,
    grammar=None,
    max_new_tokens: int = 256,
    temperature: float = 1.0,
    top_p: float = 1.0,
    seed: int | None = None,
    stop: list[str] | None = None,
    streamer=None,
    top_logprobs: int | None = None,
    cancel: threading.Event | None = None,
) -> ChatResult:
    """Generate one assistant turn for ``messages`` (see module docstring)."""
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    enc = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
    n_prompt = int(enc["input_ids"].shape[1])
    eos = tokenizer.eos_token_id
    processors = LogitsProcessorList()
    processor = None
    if grammar is not None:
        processor = GrammarProcessor(grammar, 1)
        processors.append(processor)
    criteria = StoppingCriteriaList([CancelOnEvent(cancel)]) if cancel is not None else None
    sample = temperature > 0
    if sample and seed is not None:
        torch.manual_seed(seed)
    kwargs = {}
    if sample:
        kwargs.update(do_sample=True, temperature=temperature, top_p=top_p, top_k=0)
    else:
        kwargs.update(do_sample=False)
    out = model.generate(
        **enc,
        max_new_tokens=max_new_tokens,
        num_beams=1,
        logits_processor=processors,
        stopping_criteria=criteria,
        stop_strings=stop or None,
        tokenizer=tokenizer if stop else None,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos,
        streamer=streamer,
        return_dict_in_generate=True,
        output_logits=top_logprobs is not None,
        **kwargs,
    )
    new = out.sequences[0, n_prompt:].tolist()
    if processor is not None:
        processor.finish(out.sequences)
    ended = eos in new
    n = new.index(eos) + 1 if ended else len(new)
    text = tokenizer.decode(new[:n], skip_special_tokens=True)
    stopped_by_string = False
    if stop and not ended:
        for s in stop:
            if s in text:
                text = text[: text.index(s)]
                stopped_by_string = True
                break
    grammar_done = processor is not None and processor.matchers[0].is_terminated()
    finish = "stop" if (ended or stopped_by_string or grammar_done) else "length"
    logprobs = None
    if top_logprobs is not None:
        logprobs = []
        for step, token in enumerate(new[:n]):
            lp = torch.log_softmax(out.logits[step][0].float(), dim=-1)
            entry = {"token": _token_text(tokenizer, token), "logprob": float(lp[token])}
            if top_logprobs:
                values, ids = lp.topk(top_logprobs)
                entry["top_logprobs"] = [
                    {"token": _token_text(tokenizer, int(i)), "logprob": float(v)}
                    for v, i in zip(values.tolist(), ids.tolist(), strict=True)
                ]
            else:
                entry["top_logprobs"] = []
            logprobs.append(entry)
    p_select = processor.p_select[0] if processor is not None else None
    if p_select is not None and math.isnan(p_select):
        p_select = None
    return ChatResult(text, n_prompt, n, finish, logprobs, p_select)
