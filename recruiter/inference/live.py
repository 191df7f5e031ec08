"""`python run_live.py candidate.json` / `recruiter live`: decisions for candidate files.

Inputs (``live.inputs``): candidate JSON files, JSONL files (one candidate a line), folders (their
``*.json`` and ``*.jsonl`` files, sorted) or ``-`` for standard input (a JSON object, a JSON list
or JSONL). With ``live.job`` the job's title and description fill ``role`` and
``job_description`` in candidates that lack them.

Every input is read and validated against ``candidate.schema.json`` *before* the model is
loaded, so bad input fails fast (exit 2, the message names the file, line and JSON path) and no
decision is printed for a batch with a bad member. One candidate prints one JSON document;
several print JSONL (to stdout, or ``live.output``, written atomically). A decision the model
could not produce stays in the output with ``status: null`` and an ``error``, and the exit code
is 3. Every decision is appended to the audit log.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import RecruiterConfig
from ..errors import InputError, ModelError
from ..schemas import errors as schema_errors
from ..schemas import load_and_validate
from ..schemas.inputs import collect
from ..storage import atomic_write_text
from .prompt import job_fields


@dataclass
class Item:
    where: str  # file, file:line or <stdin>[i], for messages
    candidate: dict


def validate_items(found: list[tuple[str, object]], job: dict | None) -> list[Item]:
    """Candidates filled from ``job`` and checked against the candidate schema (all problems)."""
    items, problems = [], []
    for where, value in found:
        if not isinstance(value, dict):
            problems.append(f"{where}: $: expected a JSON object, got {type(value).__name__}")
            continue
        cand = dict(value)
        if job is not None:
            for k, v in job_fields(job).items():
                cand.setdefault(k, v)
        errs = schema_errors(cand, "candidate")
        if errs:
            problems += [f"{where}: {e}" for e in errs[:10]]
            continue
        items.append(Item(where, cand))
    if problems:
        head = f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the input"
        raise InputError(head + "\n  " + "\n  ".join(problems[:30]))
    return items


def run(cfg: RecruiterConfig, stdin=None, stdout=None) -> int:
    """Decide every candidate in ``cfg.live.inputs``; return the exit code (0 ok, 3 model failure)."""
    from .audit import AuditLog
    from .engine import build_engine

    lv = cfg.live
    job = load_and_validate(lv.job, "job") if lv.job else None
    items = validate_items(collect(lv.inputs, lv.max_input_bytes, stdin), job)
    engine = build_engine(cfg)
    audit = AuditLog(cfg.audit.url) if cfg.audit.enabled else None
    records = engine.decide([i.candidate for i in items], audit=audit, channel="cli")

    single = len(items) == 1 and len(lv.inputs) == 1 and not Path(lv.inputs[0]).is_dir()
    if single and not lv.output:
        text = json.dumps(records[0], indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if lv.output:
        atomic_write_text(lv.output, text)
    else:
        (stdout or sys.stdout).write(text)
    failed = [i.where for i, r in zip(items, records, strict=True) if r.get("status") is None]
    if failed:
        raise ModelError(
            f"no valid decision for {len(failed)} of {len(items)} candidates ("
            + ", ".join(failed[:5])
            + (", …" if len(failed) > 5 else "")
            + "); their records carry the error"
        )
    return 0
