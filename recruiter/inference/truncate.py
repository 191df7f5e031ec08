"""Fitting a candidate into the model's token budget without ever cutting the answer.

Training and inference call the same helper, :func:`fit_prompt`, with the same budget (the
adapter's ``prompt_budget``), so a record's training prompt is byte-identical to the prompt served
for it. When the chat-formatted prompt is over budget:

* **v1**: the *middle* of the longest document (job description, resume or transcript, by tokens)
  is replaced by :data:`CUT_MARK` and the prompt is measured again. The middle goes first because
  the start of each document carries its structure (title, summary, skills list, first questions)
  and the end carries conclusions (languages, last answers).
* **v2**: what the decision needs least goes first, from the middle of each document outwards:
  lines the evidence sheet does not rest on in the job description (company blurb, benefits)
  and the resume (contacts, summary, education); then the interview answers the sheet quotes in
  full (they stay, next to the answer, in the sheet); then the lines whose facts the sheet
  states (requirements; skills, dated roles, languages); the transcript's other lines
  (behavioural answers, where red flags show, which no sheet field covers) go last. Each run of
  dropped lines becomes one :data:`CUT_MARK` line. Only if that is not enough is the middle of
  the longest document cut as in v1.

The cut is done on token offsets of the document, so one pass removes about the right amount;
datamarks (one per line) make the count shift a little, hence the loop with a small margin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .prompt import FIELDS, PROMPT_VERSION, build_messages

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


def prompt_tokens(
    tokenizer, fields: Mapping[str, str], version: str = "v1", evidence: str | None = None
) -> int:
    """Tokens of the chat-formatted prompt with the generation prompt, as the model reads it."""
    ids = tokenizer.apply_chat_template(
        build_messages(fields, version, evidence), add_generation_prompt=True, tokenize=True
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
    count: Callable[[object, Mapping[str, str]], int] = prompt_tokens,  # v1 by default
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


@dataclass(frozen=True)
class FittedPrompt:
    """The messages as the model reads them, and how much was cut to fit."""

    messages: list[dict]
    tokens: int  # prompt tokens after fitting
    cut_tokens: int  # 0 when nothing was cut
    cut_fields: tuple[str, ...]
    fields: dict[str, str]  # the documents as prompted


def _drop_lines(lines: list[str], drop: set[int]) -> str:
    """The text without the ``drop`` lines, each run of them (blank lines between included)
    replaced by one :data:`CUT_MARK` line, and runs of blank lines collapsed."""
    out: list[str] = []
    cutting = False
    for i, line in enumerate(lines):
        if i in drop:
            if not cutting:
                out.append(CUT_MARK)
                cutting = True
            continue
        if cutting and not line.strip():
            continue
        cutting = False
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out).strip()


def fit_prompt(
    tokenizer,
    fields: Mapping[str, str],
    budget: int,
    version: str = PROMPT_VERSION,
    sheet=None,
) -> FittedPrompt:
    """Messages for ``fields`` within ``budget`` tokens (see the module docstring); v2 needs the
    candidate's evidence ``sheet`` (:class:`recruiter.inference.evidence.Sheet`)."""
    current = {k: str(fields.get(k) or "") for k in FIELDS}
    if version == "v1":
        fitted = fit_fields(tokenizer, current, budget)
        messages = build_messages(fitted.fields, "v1")
        return FittedPrompt(
            messages, fitted.tokens, fitted.cut_tokens, fitted.cut_fields, fitted.fields
        )
    if sheet is None:
        raise ValueError(f"prompt {version} needs the evidence sheet")
    try:
        return _fit_v2(tokenizer, dict(current), budget, version, sheet, sheet.render())
    except ValueError:  # a sheet too long for the budget: without its answer quotes
        evidence = sheet.render(answer_words=0)
        return _fit_v2(tokenizer, dict(current), budget, version, sheet, evidence)


def _fit_v2(tokenizer, current, budget, version, sheet, evidence) -> FittedPrompt:
    def count(tok, f):
        return prompt_tokens(tok, f, version, evidence)

    n = original = count(tokenizer, current)
    cut_fields: list[str] = []
    if n > budget:
        keep, quoted = sheet.cited_lines(), sheet.quoted_lines()
        phases = (  # what the sheet does not need, then what it restates, then the rest
            ("job_description", lambda i: i not in keep["job_description"]),
            ("resume", lambda i: i not in keep["resume"]),
            ("transcript", lambda i: i in quoted),  # answers the sheet quotes in full
            ("job_description", lambda i: True),  # requirements: the sheet lists each
            ("resume", lambda i: True),  # skills, dated roles, languages: the sheet states them
            ("transcript", lambda i: i not in keep["transcript"]),
        )
        dropped: dict[str, set[int]] = {name: set() for name in DOCUMENTS}
        originals = {name: current[name].splitlines() for name in DOCUMENTS}
        for name, droppable in phases:
            lines = originals[name]
            middle = (len(lines) - 1) / 2
            todo = [
                i
                for i, ln in enumerate(lines)
                if ln.strip() and i not in dropped[name] and droppable(i + 1)
            ]
            removed, excess = 0, n - budget + 4
            for i in sorted(todo, key=lambda i: (abs(i - middle), i)):
                if removed >= excess:
                    break
                dropped[name].add(i)
                removed += len(tokenizer(lines[i], add_special_tokens=False)["input_ids"]) + 1
            if removed:
                current[name] = _drop_lines(lines, dropped[name])
                if name not in cut_fields:
                    cut_fields.append(name)
                n = count(tokenizer, current)
                if n <= budget:
                    break
    if n > budget:
        fitted = fit_fields(tokenizer, current, budget, count)
        current, n = fitted.fields, fitted.tokens
        cut_fields += [f for f in fitted.cut_fields if f not in cut_fields]
    messages = build_messages(current, version, evidence)
    return FittedPrompt(messages, n, original - n, tuple(cut_fields), current)
