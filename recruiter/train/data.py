"""Prepared splits -> TRL prompt/completion examples that fit ``max_length``, with a report.

The train stage reads the JSONL splits written by ``recruiter prepare`` and rebuilds every prompt
with :mod:`recruiter.inference.prompt` from the masked fields, so that a change of the prompt
builder can never leave stale prompts in a dataset. The completion is the decision JSON the
prepare stage serialised (``output``); it is checked to parse and to match the row's label.

Prompts are fitted into the adapter's prompt budget by :func:`recruiter.inference.truncate.
fit_prompt`, the helper the inference engine calls with the same budget, so a record's training
prompt is the prompt served for it (v2: uncited lines go first; never the answer); cuts are
counted in the report.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from ..errors import InputError
from ..inference.evidence import build_sheet
from ..inference.prompt import FIELDS, PROMPT_VERSION, format_answer
from ..inference.truncate import fit_prompt
from .targets import sheet_reasoning

ANSWER_ROOM = 8  # the chat template's end-of-turn tokens after the answer


@dataclass
class FitReport:
    examples: int = 0
    cut: int = 0
    cut_tokens: list[int] = field(default_factory=list)
    cut_fields: dict[str, int] = field(default_factory=dict)
    max_tokens: int = 0

    def as_dict(self) -> dict:
        toks = sorted(self.cut_tokens)
        return {
            "examples": self.examples,
            "cut": self.cut,
            "cut_share": round(self.cut / self.examples, 4) if self.examples else 0.0,
            "cut_tokens_median": toks[len(toks) // 2] if toks else 0,
            "cut_tokens_max": toks[-1] if toks else 0,
            "cut_fields": dict(sorted(self.cut_fields.items())),
            "max_tokens": self.max_tokens,
        }


def answer_of(row: dict, where: str = "") -> str:
    """The completion text; it must be the decision JSON and agree with the row's label."""
    try:
        parsed = json.loads(row["output"])
    except (TypeError, json.JSONDecodeError):
        raise InputError(f"{where}: output is not the decision JSON") from None
    if not isinstance(parsed, dict) or parsed.get("status") != row["label"]:
        raise InputError(f"{where}: output status does not match label {row['label']!r}")
    return row["output"]


def to_examples(
    rows: list[dict],
    tokenizer,
    budget: int,
    split: str = "train",
    version: str = PROMPT_VERSION,
    matcher=None,
    reasoning: str = "recorded",
) -> tuple[list[dict], FitReport]:
    """TRL conversational prompt/completion examples, each prompt fitted into ``budget`` tokens
    exactly as the engine fits it (v2: with the evidence sheet ``matcher`` builds). The completion
    is the recorded answer, or with ``reasoning="sheet"`` (v2) the sheet's facts
    (:func:`recruiter.train.targets.sheet_reasoning`) and the recorded status."""
    if reasoning == "sheet" and version == "v1":
        raise InputError(
            "train.reasoning=sheet needs prompt v2 (v1 prompts have no evidence sheet)"
        )
    report = FitReport()
    examples = []
    for i, row in enumerate(rows):
        answer = answer_of(row, f"{split}[{i}] (id {row.get('id', '?')})")
        fields = {k: row[k] for k in FIELDS}
        sheet = build_sheet(fields, matcher, as_of=row.get("as_of")) if version != "v1" else None
        if reasoning == "sheet":
            answer = format_answer(sheet_reasoning(sheet), row["label"])
        answer_tokens = len(tokenizer(answer, add_special_tokens=False)["input_ids"]) + ANSWER_ROOM
        try:
            fitted = fit_prompt(tokenizer, fields, budget, version, sheet)
        except ValueError as exc:
            raise InputError(f"{split}[{i}]: {exc}; raise train.max_length") from None
        report.examples += 1
        report.max_tokens = max(report.max_tokens, fitted.tokens + answer_tokens)
        if fitted.cut_tokens:
            report.cut += 1
            report.cut_tokens.append(fitted.cut_tokens)
            for f in fitted.cut_fields:
                report.cut_fields[f] = report.cut_fields.get(f, 0) + 1
        examples.append(
            {
                "prompt": fitted.messages,
                "completion": [{"role": "assistant", "content": answer}],
                "label": row["label"],
            }
        )
    return examples, report


def mix_sources(
    sources: list[tuple[str, list[dict], float]], seed: int
) -> tuple[list[dict], dict[str, dict]]:
    """Pool several datasets' rows, each tagged ``dataset`` and drawn ``weight`` times: the whole
    part of the weight repeats every row, the fraction adds a seeded sample (0.5 = half the rows,
    1.5 = all of them and half again). The first source (``train.data``) comes first and unchanged,
    so a run without extra data trains on exactly the rows it did before. Returns the rows and,
    per dataset, how many rows it had, how many examples it gave and its select share."""
    pooled: list[dict] = []
    report: dict[str, dict] = {}
    for k, (name, rows, weight) in enumerate(sources):
        whole, frac = int(weight), weight - int(weight)
        drawn = [r for _ in range(whole) for r in rows]
        if frac > 0:
            pick = random.Random(f"{seed}:{k}:{name}").sample(
                range(len(rows)), round(frac * len(rows))
            )
            drawn += [rows[i] for i in sorted(pick)]
        pooled += [{**r, "dataset": name} for r in drawn]
        report[name] = {
            "rows": len(rows),
            "weight": weight,
            "examples": len(drawn),
            "select_share": round(sum(r["label"] == "select" for r in drawn) / len(drawn), 4)
            if drawn
            else 0.0,
        }
    return pooled, report
