"""Fitting a candidate into the model's token budget without ever cutting the answer.

Training and inference share this code, so a long candidate is served exactly the shortened text
the model learnt from. When the chat-formatted prompt (plus the room kept for the answer) is over
budget, the *middle* of the longest document (job description, resume or transcript, by tokens)
is replaced by :data:`CUT_MARK` and the prompt is measured again. The middle goes first because
the start of each document carries its structure (title, summary, skills list, first questions)
and the end carries conclusions (languages, last answers); the answer itself is never touched.

The cut is done on token offsets of the document, so one pass removes about the right amount;
datamarks (one per line) make the count shift a little, hence the loop with a small margin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .prompt import build_messages

CUT_MARK = "[…]"
DOCUMENTS = ("job_description", "resume", "transcript")
_MIN_KEEP = 32  # tokens a document keeps at least; below that the budget is impossible


@dataclass(frozen=True)
class Fitted:
    """The fields as they will be prompted, and how much was cut."""

    fields: dict[str, str]
    tokens: int  # prompt tokens after fitting (answer room excluded)
    cut_tokens: int  # 0 when nothing was cut
    cut_fields: tuple[str, ...]


def prompt_tokens(tokenizer, fields: Mapping[str, str]) -> int:
    """Tokens of the chat-formatted prompt with the generation prompt, as the model reads it."""
    ids = tokenizer.apply_chat_template(
        build_messages(fields), add_generation_prompt=True, tokenize=True
    )
    if isinstance(ids, Mapping):  # transformers >= 5 returns a BatchEncoding
        ids = ids["input_ids"]
    return len(ids)


def _cut_middle(tokenizer, text: str, n_remove: int) -> str:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    n = len(offsets)
    n_remove = min(n_remove, max(0, n - _MIN_KEEP))
    if n_remove <= 0:
        return text
    start = (n - n_remove) // 2
    end = start + n_remove  # tokens [start, end) go
    left = text[: offsets[start][0]].rstrip()
    right = text[offsets[end - 1][1] :].lstrip() if end < n else ""
    return f"{left} {CUT_MARK} {right}".strip()


def fit_fields(
    tokenizer,
    fields: Mapping[str, str],
    budget: int,
    count: Callable[[object, Mapping[str, str]], int] = prompt_tokens,
) -> Fitted:
    """Shorten ``fields`` until the prompt has at most ``budget`` tokens.

    Raises ``ValueError`` when even documents cut to a stub do not fit (a budget smaller than the
    system prompt and role, which is a configuration error).
    """
    current = {k: str(v) for k, v in fields.items()}
    n = count(tokenizer, current)
    if n <= budget:
        return Fitted(current, n, 0, ())
    original = n
    cut_fields: list[str] = []
    for _ in range(12):
        lengths = {
            f: len(tokenizer(current[f], add_special_tokens=False)["input_ids"]) for f in DOCUMENTS
        }
        longest = max(DOCUMENTS, key=lambda f: lengths[f])
        if lengths[longest] <= _MIN_KEEP:
            break
        shorter = _cut_middle(tokenizer, current[longest], n - budget + 4)
        if shorter == current[longest]:
            break
        current[longest] = shorter
        if longest not in cut_fields:
            cut_fields.append(longest)
        n = count(tokenizer, current)
        if n <= budget:
            return Fitted(current, n, original - n, tuple(cut_fields))
    raise ValueError(
        f"prompt of {original} tokens cannot be fitted into {budget} tokens "
        f"(system prompt and role alone are too long for that budget)"
    )
