"""Speculative decoding with n-gram drafts, verified greedily under the decision grammar (opt-in).

Decoding spends one forward pass of the whole model per generated token. On a CPU a pass over
a batch of 16 rows costs about as much for a few tokens per row as for one (the weights and the
KV cache are read once either way), so guessing the next few tokens and checking them in one
pass saves passes whenever the guesses are right. The guesses come from no second model:

* **prompt lookup**: the last ``n`` tokens (``n_max`` down to 1) are looked up in the row's own
  prompt and answer so far, and the tokens that followed their latest occurrence are the draft
  (skill names, years and languages are copied from the documents);
* **earlier answers**: the same lookup in the answers this engine has already produced, rows of
  the same batch included as they are written. A fine-tuned recruiter writes its reasoning in a
  stable pattern ("Covers 3/5 required skills incl. ... ; 4.2 years vs 3 required; ..."), which
  the prompt does not contain.

Verification keeps the answer greedy: for each row, the grammar-masked argmax is taken at the
row's last token and after each draft token in turn; drafts are accepted while they equal that
argmax, and the first disagreement contributes the model's own token instead. Every step
therefore emits at least one token, and the emitted tokens are exactly those greedy decoding
would produce from the same logits. Rejected draft columns stay in the KV cache but are masked
out for good (each row keeps its own position ids), so rows that accept different numbers of
tokens stay in one batch without moving any cache. In float32 the text equals plain
``generate`` (a test pins it); in bf16 a pass over several tokens rounds a little differently
from a pass over one, so, as with a different batch size, an occasional answer changes.

Only the decision engine's first attempt uses it: the retry decodes with a repetition penalty,
which plain ``generate`` applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .layout import preallocate

_MAX_POOL = 400_000  # n-gram entries from earlier answers before the pool starts afresh


@dataclass
class DraftRow:
    """One row's tokens (prompt, then answer) and the index of its n-grams."""

    tokens: list[int]
    start: int  # where the answer begins
    index: dict = field(default_factory=dict)  # (n-gram) -> position of the token after it
    indexed: int = 1  # continuation positions indexed so far


class NgramDrafter:
    """Drafts the next tokens of a row from its own text and from earlier answers.

    ``n_max`` is the longest n-gram looked up (longer matches are tried first, the row's own text
    before the pool at each length). The pool lives as long as the drafter (one per engine), so a
    long-running server or a screening run drafts better as it goes; :meth:`reset` empties it.
    """

    def __init__(self, n_max: int = 4):
        self.n_max = n_max
        self.pool: dict[tuple[int, ...], tuple[list[int], int]] = {}

    def reset(self) -> None:
        self.pool.clear()

    def row(self, prompt_ids: list[int]) -> DraftRow:
        row = DraftRow(list(prompt_ids), len(prompt_ids))
        self._index(row)
        return row

    def _index(self, row: DraftRow) -> None:
        """Index the n-grams followed by a token not indexed yet; answer n-grams go to the pool."""
        toks, n_max = row.tokens, self.n_max
        if len(self.pool) > _MAX_POOL:
            self.pool.clear()
        for c in range(row.indexed, len(toks)):  # c = position of the token that follows
            for n in range(1, min(n_max, c) + 1):
                key = tuple(toks[c - n : c])
                row.index[key] = c
                if c >= row.start:
                    self.pool[key] = (toks, c)
        row.indexed = max(row.indexed, len(toks))

    def extend(self, row: DraftRow, tokens: list[int]) -> None:
        row.tokens.extend(tokens)
        self._index(row)

    def propose(self, row: DraftRow, k: int) -> list[int]:
        """Up to ``k`` draft tokens after the row's current end (may be empty)."""
        if k <= 0:
            return []
        toks = row.tokens
        for n in range(min(self.n_max, len(toks)), 0, -1):
            key = tuple(toks[-n:])
            c = row.index.get(key)
            if c is not None:
                return toks[c : c + k]
            hit = self.pool.get(key)
            if hit is not None:
                seq, c = hit
                draft = seq[c : c + k]
                if draft:
                    return draft
        return []


@torch.inference_mode()
def decode_speculative(
    model,
    inputs: dict,
    prompt_ids: list[list[int]],
    choose,
    drafter: NgramDrafter,
    max_new_tokens: int,
    eos: int,
    pad: int,
    draft_tokens: int,
    cache_kwarg: str,
) -> tuple[list[list[int]], dict]:
    """Greedy answers (token ids, EOS included when reached) for a laid-out batch.

    ``inputs`` is what :mod:`.layout` lays out for ``generate``
    (``input_ids``/``attention_mask`` with the cache of all but the uncached tail).
    ``choose(row, logits, step_done)`` returns the row's greedy token from 1-D logits and
    whether the row has finished (grammar terminated); it is called in order, once per emitted
    token. Returns the tokens per row and counters (steps, drafted, accepted tokens).
    """
    device = model.device
    ids, mask = inputs["input_ids"], inputs["attention_mask"]
    cache = inputs.get(cache_kwarg)
    batch = ids.shape[0]
    cached = 0 if cache is None else cache.get_seq_length()
    if cache is None:
        from transformers import DynamicCache

        cache = DynamicCache()
    # First pass: the uncached tail of every prompt (one token per row after a per-row prefill).
    positions = (mask.long().cumsum(-1) - 1).clamp(min=0)
    first = (
        model(
            input_ids=ids[:, cached:],
            attention_mask=mask,
            position_ids=positions[:, cached:],
            use_cache=True,
            logits_to_keep=1,
            **{cache_kwarg: cache},
        )
        .logits[:, -1]
        .float()
    )
    preallocate(cache, room=2 * max_new_tokens + draft_tokens + 1)
    pos = positions[:, -1].tolist()  # position of each row's last fed token
    rows = [drafter.row(x) for x in prompt_ids]
    out: list[list[int]] = [[] for _ in range(batch)]
    done = [False] * batch
    last = [0] * batch
    for r in range(batch):
        token, finished = choose(r, first[r])
        out[r].append(token)
        last[r] = token
        drafter.extend(rows[r], [token])
        done[r] = finished or token == eos or max_new_tokens <= 1
    stats = {"steps": 1, "drafted": 0, "accepted": 0}
    mask = mask.to(torch.long)
    alive = [r for r in range(batch) if not done[r]]  # rows still decoding, in cache order
    if len(alive) < batch:
        mask = _compact(cache, mask, alive)
    while alive:
        drafts = []
        for r in alive:  # (finished rows wait, masked, until the batch is compacted)
            room = max_new_tokens - len(out[r]) - 1
            drafts.append([] if done[r] else drafter.propose(rows[r], min(draft_tokens, room)))
        width = 1 + max(len(d) for d in drafts)
        step_ids = [
            [pad if done[r] else last[r], *d] + [pad] * (width - 1 - len(d))
            for r, d in zip(alive, drafts, strict=True)
        ]
        step_pos = [[pos[r] + 1 + i for i in range(width)] for r in alive]
        n = len(alive)
        mask = torch.cat([mask, torch.ones(n, width, dtype=torch.long, device=device)], 1)
        logits = model(
            input_ids=torch.tensor(step_ids, device=device),
            attention_mask=mask,
            position_ids=torch.tensor(step_pos, device=device),
            use_cache=True,
            **{cache_kwarg: cache},
        ).logits.float()
        keep = torch.zeros(n, width, dtype=torch.long, device=device)
        for i, (r, draft) in enumerate(zip(alive, drafts, strict=True)):
            if done[r]:
                continue
            emitted: list[int] = []
            for j in range(len(draft) + 1):
                token, finished = choose(r, logits[i, j])
                emitted.append(token)
                hit = j < len(draft) and token == draft[j]
                stats["accepted"] += hit
                if finished or token == eos or len(out[r]) + len(emitted) >= max_new_tokens:
                    done[r] = True
                    break
                if not hit:
                    break
            # Columns 0..len(emitted)-1 (the last token and the accepted drafts) are now valid
            # context; the rest were rejected guesses or padding and stay masked from now on.
            keep[i, : len(emitted)] = 1
            pos[r] += len(emitted)
            last[r] = emitted[-1]
            out[r].extend(emitted)
            drafter.extend(rows[r], emitted)
            stats["drafted"] += len(draft)
        mask[:, -width:] = keep
        stats["steps"] += 1
        finished_rows = [i for i, r in enumerate(alive) if done[r]]
        # Finished rows leave the batch once they are a quarter of it: a step's cost grows with
        # the rows it carries, and copying the cache of the others costs less than half a step.
        if finished_rows and len(finished_rows) * 4 >= n or len(finished_rows) == n:
            keep_idx = [i for i in range(n) if not done[alive[i]]]
            alive = [alive[i] for i in keep_idx]
            if alive:
                mask = _compact(cache, mask, keep_idx)
    return out, stats


def _compact(cache, mask: torch.Tensor, keep: list[int]) -> torch.Tensor:
    """Keep only rows ``keep`` of a preallocated cache (in place) and of the attention mask."""
    idx = torch.tensor(keep, device=mask.device)
    for layer in cache.layers:
        layer.select_rows(idx)
    return mask.index_select(0, idx)
