"""Reading JSON documents the user hands in: files, JSONL, folders of both, or standard input.

Every reader enforces a byte limit before parsing (oversized input is refused with its limit)
and names where a value came from (``file``, ``file:line``, ``<stdin>[i]``) so that schema
problems found later point at the right place. Nothing here validates against a schema: that is
the caller's step (:func:`recruiter.schemas.errors`), after every input has been read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError


def _loads(text: str, where: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def _parse_many(text: str, where: str) -> list[tuple[str, object]]:
    """A JSON object, a JSON list, or JSONL: (location, value) pairs."""
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{where}: empty input")
    lines = [(n, line) for n, line in enumerate(stripped.splitlines(), 1) if line.strip()]
    if len(lines) > 1 and stripped[0] == "{" and lines[0][1].rstrip().endswith("}"):
        try:  # JSONL: one document per line
            return [(f"{where}:{n}", json.loads(line)) for n, line in lines]
        except (json.JSONDecodeError, RecursionError):
            pass  # a pretty-printed object whose first line happens to end with "}"
    value = _loads(stripped, where)
    if isinstance(value, list):
        return [(f"{where}[{i}]", v) for i, v in enumerate(value)]
    return [(where, value)]


def _read(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {size:,} bytes, over the input limit of {max_bytes:,} bytes")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def collect(inputs: list[str], max_bytes: int, stdin=None) -> list[tuple[str, object]]:
    """Every candidate value in ``inputs`` with where it came from (not validated yet)."""
    if not inputs:
        raise InputError("no input: give candidate JSON files, a folder, or - for stdin")
    found: list[tuple[str, object]] = []
    for raw in inputs:
        if raw == "-":
            data = (stdin or sys.stdin).read(max_bytes + 1)
            if len(data.encode("utf-8", "surrogatepass")) > max_bytes:
                raise InputError(f"<stdin>: over the input limit of {max_bytes:,} bytes")
            found += _parse_many(data, "<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix in (".json", ".jsonl") and p.is_file()
            )
            if not files:
                raise InputError(f"{path}: folder has no .json or .jsonl files")
        elif path.is_file():
            files = [path]
        else:
            raise InputError(f"{path}: no such file or folder")
        for f in files:
            found += _parse_many(_read(f, max_bytes), str(f))
    return found
