"""Reading raw hiring exports into canonical records.

Accepted inputs: CSV, XLSX (first sheet, openpyxl), JSONL, Parquet, or a folder saved with
``datasets.Dataset.save_to_disk``; one or many paths (a plain folder is searched for those files).
Columns are mapped to our field names by a preset plus per-field overrides:

* ``durgesh`` — the public export with ID, Name, Role, Transcript, Resume, decision,
  Reason for decision, Job Description;
* ``canonical`` — our own field names (what ``recruiter prepare synth`` writes).

A canonical record is a dict with ``id, source, row, name, role, job_description, resume,
transcript, label, reason`` (+ ``job_id``/``candidate_id``/``as_of`` when mapped; ``as_of`` is
the date the documents were written, which "present" in a resume means). ``source`` is the file
name, kept so that evaluation can report per source. Labels are normalised to select/reject;
anything else is counted per raw value and dropped, never guessed.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

REQUIRED = ("role", "job_description", "resume", "transcript", "label")
OPTIONAL = ("id", "name", "reason", "job_id", "candidate_id", "as_of")

PRESETS: dict[str, dict[str, str]] = {
    "durgesh": {
        "id": "ID",
        "name": "Name",
        "role": "Role",
        "transcript": "Transcript",
        "resume": "Resume",
        "label": "decision",
        "reason": "Reason for decision",
        "job_description": "Job Description",
    },
    "canonical": {
        "id": "id",
        "name": "name",
        "role": "role",
        "transcript": "transcript",
        "resume": "resume",
        "label": "decision",
        "reason": "reason",
        "job_description": "job_description",
        "job_id": "job_id",
        "candidate_id": "candidate_id",
        "as_of": "as_of",
    },
}

_LABELS = {
    "select": (
        "select",
        "selected",
        "hire",
        "hired",
        "yes",
        "1",
        "accept",
        "accepted",
        "pass",
        "true",
    ),
    "reject": (
        "reject",
        "rejected",
        "no hire",
        "no-hire",
        "nohire",
        "no",
        "0",
        "decline",
        "declined",
        "fail",
        "false",
        "not selected",
        "not hired",
        "unsuccessful",
    ),
}
LABEL_MAP = {raw: norm for norm, raws in _LABELS.items() for raw in raws}
SUFFIXES = (".csv", ".xlsx", ".jsonl", ".parquet")


def _label_key(value: object) -> str:
    return " ".join(str(value).strip().lower().replace("_", " ").split())


def normalise_label(value: object, labels: Mapping[str, str] | None = None) -> str | None:
    """select/selected/hire/yes/1 -> select; reject/rejected/no hire/not selected/no/0 -> reject;
    ``labels`` (raw value -> select|reject, case-insensitive) first; else None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if labels:
        own = {_label_key(k): v for k, v in labels.items()}
        if _label_key(value) in own:
            return own[_label_key(value)]
    if isinstance(value, bool):
        return "select" if value else "reject"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return LABEL_MAP.get(_label_key(value))


@dataclass
class ReadReport:
    files: dict[str, int] = field(default_factory=dict)  # rows read per source
    bad_labels: Counter = field(default_factory=Counter)  # raw label value -> rows dropped

    def as_dict(self) -> dict:
        return {"rows_per_file": self.files, "dropped_unknown_label": dict(self.bad_labels)}


def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders expand to the supported files inside (or are a saved HF dataset)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if (
            path.is_dir()
            and not (path / "dataset_info.json").is_file()
            and not (path / "dataset_dict.json").is_file()
        ):
            inner = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
            if not inner:
                raise InputError(f"{path}: folder holds no {', '.join(SUFFIXES)} files")
            found.extend(inner)
        elif path.exists():
            found.append(path)
        else:
            raise InputError(f"{path}: file not found")
    if not found:
        raise InputError("no input files given (prepare.inputs is empty)")
    return found


def read_table(path: Path) -> list[dict]:
    """Rows of one export as dicts of column -> value (raw, not yet mapped)."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if path.is_dir():
            from datasets import load_from_disk

            ds = load_from_disk(str(path))
            if hasattr(ds, "keys") and not hasattr(ds, "column_names"):  # DatasetDict: all splits
                return [row for split in ds.keys() for row in ds[split]]
            return list(ds)
        if path.stat().st_size == 0:
            raise InputError(f"{path}: file is empty")
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix == ".jsonl":
            return _read_jsonl(path)
        else:
            raise InputError(
                f"{path}: unsupported file type {suffix!r} (use {', '.join(SUFFIXES)})"
            )
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); re-export as UTF-8"
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: file is empty") from None
    except Exception as exc:  # parser errors of pandas/openpyxl/pyarrow/datasets
        raise InputError(
            f"{path}: cannot be read as {suffix or 'dataset'}: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    if frame.empty:
        raise InputError(f"{path}: no data rows")
    return frame.to_dict(orient="records")


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {n} is not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}: line {n} is not a JSON object")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no data rows")
    return rows


def column_map(preset: str, overrides: Mapping[str, str]) -> dict[str, str]:
    if preset not in PRESETS:
        raise InputError(f"unknown column preset {preset!r}; known: {', '.join(PRESETS)}")
    unknown = set(overrides) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise InputError(
            f"prepare.columns: unknown field(s) {sorted(unknown)}; fields are {REQUIRED + OPTIONAL}"
        )
    return {**PRESETS[preset], **overrides}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def read_records(
    paths: Iterable[str | Path],
    preset: str = "canonical",
    columns: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> tuple[list[dict], ReadReport]:
    """All rows of all inputs as canonical records, with what was dropped and why (``labels``:
    the export's own label values -> select|reject, before the built-in spellings)."""
    bad = {k: v for k, v in (labels or {}).items() if v not in ("select", "reject")}
    if bad:
        raise InputError(f"prepare.labels: values must be select or reject, not {bad}")
    mapping = column_map(preset, columns or {})
    report = ReadReport()
    records: list[dict] = []
    seen_ids: set[str] = set()
    for path in expand_inputs(paths):
        rows = read_table(path)
        present = set(rows[0])
        missing = [f"{f} (column {mapping[f]!r})" for f in REQUIRED if mapping[f] not in present]
        if missing:
            raise InputError(
                f"{path}: missing mapped column(s): {', '.join(missing)}; the file has {sorted(present)}"
            )
        source = path.name
        report.files[source] = len(rows)
        for i, row in enumerate(rows):
            label = normalise_label(row.get(mapping["label"]), labels)
            if label is None:
                report.bad_labels[_text(row.get(mapping["label"])) or "<empty>"] += 1
                continue
            rec = {f: _text(row.get(mapping[f])) for f in REQUIRED if f != "label"}
            rec.update(
                {
                    f: _text(row.get(mapping[f]))
                    for f in OPTIONAL
                    if f in mapping and mapping[f] in present
                }
            )
            rid = f"{source}:{rec.get('id') or i}"
            if rid in seen_ids:  # exports do repeat IDs; keep every row addressable
                rid = f"{rid}#{i}"
            seen_ids.add(rid)
            rec.update(id=rid, source=source, row=i, label=label)
            rec.setdefault("name", "")
            rec.setdefault("reason", "")
            records.append(rec)
    return records, report
