"""Turning split records into training examples and writing them, with a manifest.

Each output row keeps the masked fields (for retrieval, baselines and eval), the label and
source, and the example in every form the trainer may use (instruction/input/output, chat
``messages``, TRL ``prompt``/``completion``), all built by :mod:`recruiter.inference.prompt`.

Outputs are byte-identical for the same input and config: rows are written in split order,
JSON with fixed key order, and the HF datasets are built from those JSONL files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from ..inference.evidence import build_sheet, default_matcher
from ..inference.prompt import PROMPT_VERSION, build_example
from ..storage import atomic_write_json, atomic_write_text, sha256_file
from ..storage import package_versions as _versions

SPLITS = ("train", "validation", "test")
KEEP = (
    "id",
    "source",
    "role",
    "job_description",
    "resume",
    "transcript",
    "label",
    "reason",
    "as_of",
)
PACKAGES = (
    "recruiter",
    "presidio-analyzer",
    "spacy",
    "datasketch",
    "datasets",
    "transformers",
    "pandas",
)


def reasoning_text(reason: str, label: str) -> str:
    """The reasoning the model learns to write, from the export's reason column.

    Exports often give a terse reason ("Lacked technical skills."); the decision schema wants
    40+ characters, so short reasons are framed by a sentence that states the outcome. The
    outcome is stated *after* the evidence-bearing reason, never instead of it.
    """
    text = " ".join(str(reason or "").split())
    text = re.sub(r"^(reason( for decision)?|decision)\s*[:\-]\s*", "", text, flags=re.IGNORECASE)
    if text and text[-1] not in ".!?":
        text += "."
    verdict = (
        "The evidence supports selecting the candidate."
        if label == "select"
        else "The evidence does not support selecting the candidate."
    )
    if not text:
        return verdict + " No further reason was recorded in the export."
    if len(text) < 60:
        return f"{text} {verdict}"
    return text[:1900]


def to_row(record: Mapping, matcher=None) -> dict:
    """A split row: the kept fields plus the example columns in the current prompt version
    (unfitted: `recruiter train` fits them to its budget; v2 carries the evidence sheet)."""
    row = {k: record.get(k, "") for k in KEEP}
    sheet = build_sheet(record, matcher, as_of=record.get("as_of"))
    example = build_example(
        record,
        reasoning_text(record.get("reason", ""), record["label"]),
        record["label"],
        PROMPT_VERSION,
        sheet.render(),
    )
    row.update(example)
    return row


def write_splits(splits: Mapping[str, list[dict]], out: Path) -> dict[str, dict]:
    """Write ``<split>.jsonl`` and an HF ``DatasetDict`` under ``out/hf``; return per-split stats."""
    from datasets import Dataset, DatasetDict

    matcher = default_matcher()
    stats, hf = {}, {}
    for name in SPLITS:
        rows = [to_row(r, matcher) for r in splits.get(name, [])]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        atomic_write_text(out / f"{name}.jsonl", text)
        stats[name] = {
            "rows": len(rows),
            "labels": dict(sorted(Counter(r["label"] for r in rows).items())),
        }
        if rows:
            # datasets' default fingerprint is random for in-memory data; the content hash of the
            # split is a truer fingerprint and keeps reruns byte-identical.
            fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
            hf[name] = Dataset.from_list(rows).remove_columns([], new_fingerprint=fingerprint)
    DatasetDict(hf).save_to_disk(str(out / "hf"))
    return stats


def package_versions(names=PACKAGES) -> dict[str, str]:
    return _versions(names)


def file_hashes(out: Path, skip: tuple[str, ...] = ("manifest.json",)) -> dict[str, str]:
    """sha256 of every output file, by path relative to ``out`` (sorted)."""
    return {
        str(p.relative_to(out)): sha256_file(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in skip and not p.name.startswith(".")
    }


def write_manifest(
    out: Path,
    *,
    stages: Mapping,
    split_stats: Mapping,
    config_hash: str,
    inputs: Mapping[str, str],
    leakage: Mapping,
) -> Path:
    manifest = {
        "prompt_version": PROMPT_VERSION,
        "config_sha256": config_hash,
        "inputs_sha256": dict(inputs),
        "stages": stages,
        "splits": split_stats,
        "leakage": leakage,
        "packages": package_versions(),
        "files_sha256": file_hashes(out),
    }
    return atomic_write_json(out / "manifest.json", manifest)
