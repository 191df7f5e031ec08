"""Prepared splits on disk: the one reader of ``recruiter prepare``'s JSONL output.

Train, eval and the benchmarks read ``train/validation/test.jsonl`` through :func:`read_split`,
which checks every row (the prompt fields, a select/reject label, the decision JSON column, a
prompt version this code knows) and names the file and line of the first problem;
:func:`manifest_sha256` is the data's identity that adapters and eval runs record.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import InputError
from .inference.prompt import FIELDS, PROMPT_VERSION, PROMPT_VERSIONS

SPLITS = ("train", "validation", "test")
REQUIRED = (*FIELDS, "label", "output")


TRAINED_ON = "synthetic"  # the name metrics.json and the card give train.data (the embedded corpus)


def dataset_name(data_dir: str | Path, trained_on: str | Path | None = None) -> str:
    """A prepared dataset's name in metrics.json, training.json and the card: ``synthetic`` for
    the data an adapter was trained on (``train.data``), else the folder's name."""
    if trained_on is not None and Path(data_dir).resolve() == Path(trained_on).resolve():
        return TRAINED_ON
    return Path(data_dir).resolve().name


def split_path(data_dir: str | Path, split: str) -> Path:
    return Path(data_dir) / f"{split}.jsonl"


def read_split(data_dir: str | Path, split: str, limit: int | None = None) -> list[dict]:
    """Rows of one prepared split; a missing, empty or malformed split is an :class:`InputError`."""
    path = split_path(data_dir, split)
    if not Path(data_dir).is_dir():
        raise InputError(f"{data_dir}: not a folder (expected a `recruiter prepare` output)")
    if not path.is_file():
        raise InputError(f"{path}: split '{split}' is missing (run `recruiter prepare` first)")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
            missing = [k for k in REQUIRED if k not in row]
            if missing:
                what = "the decision column" if "label" in missing else "column"
                raise InputError(f"{path}:{lineno}: {what} {', '.join(missing)} missing")
            if row["label"] not in ("select", "reject"):
                raise InputError(
                    f"{path}:{lineno}: label {row['label']!r} is not 'select' or 'reject'"
                )
            # prompts are rebuilt from the fields, so any version this code knows will do
            version = row.get("prompt_version", PROMPT_VERSION)
            if version not in PROMPT_VERSIONS:
                raise InputError(
                    f"{path}:{lineno}: prepared with prompt {version}, this code knows "
                    f"{', '.join(PROMPT_VERSIONS)}; run `recruiter prepare` again"
                )
            rows.append(row)
            if limit and len(rows) >= limit:
                break
    if not rows:
        raise InputError(f"{path}: split '{split}' is empty")
    return rows


def manifest_sha256(data_dir: str | Path) -> str:
    """The prepared data's identity: sha256 of its manifest (or of the split files without one)."""
    data_dir = Path(data_dir)
    manifest = data_dir / "manifest.json"
    h = hashlib.sha256()
    if manifest.is_file():
        h.update(manifest.read_bytes())
    else:
        for split in SPLITS:
            path = split_path(data_dir, split)
            if path.is_file():
                h.update(path.read_bytes())
    return h.hexdigest()
