"""Reading JSON documents the user hands in: files, JSONL, folders of both, or standard input.

Every reader enforces a byte limit before parsing (oversized input is refused with its limit)
and names where a value came from (``file``, ``file:line``, ``<stdin>[i]``) so that schema
problems found later point at the right place. Nothing here validates against a schema: that is
the caller's step (:func:`recruiter.schemas.errors`), after every input has been read.

**One input policy** (:func:`parse_json`, used by these readers and by the server, so that
``recruiter validate``, ``run_live.py`` and the API accept and refuse the same documents): a
UTF-8 byte-order mark before the document is dropped; ``NaN``/``Infinity``, an object with the
same key twice, and strings holding a lone UTF-16 surrogate (``"\\ud800"``, not text) are refused
with the place they occur. Refusing beats repairing here: a silently changed resume is a
different candidate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError


class _Refused(ValueError):
    pass


def _no_constant(name: str):
    raise _Refused(f"{name} is not a JSON number")


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise _Refused(f"key {k!r} appears twice in one object")
        out[k] = v
    return out


def _surrogate_path(value, path: str = "$") -> str | None:
    """The JSON path of the first string (or key) holding a lone surrogate, iteratively."""
    stack = [(value, path)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return at
        elif isinstance(node, dict):
            for k, v in node.items():
                if _surrogate_path(k, at) is not None:
                    return f"{at} (a key)"
                stack.append((v, f"{at}.{k}"))
        elif isinstance(node, list):
            stack += [(v, f"{at}[{i}]") for i, v in enumerate(node)]
    return None


def parse_json(text: str, where: str):
    """``json.loads`` under the input policy above; :class:`InputError` names ``where``."""
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_pairs)
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except _Refused as exc:
        raise InputError(f"{where}: {exc}") from None
    bad = _surrogate_path(value)
    if bad is not None:
        raise InputError(f"{where}: {bad} holds a lone UTF-16 surrogate (not text)")
    return value


def _parse_many(text: str, where: str) -> list[tuple[str, object]]:
    """A JSON object, a JSON list, or JSONL: (location, value) pairs."""
    stripped = text.removeprefix("\ufeff").strip()
    if not stripped:
        raise InputError(f"{where}: empty input")
    lines = [(n, line) for n, line in enumerate(stripped.splitlines(), 1) if line.strip()]
    if len(lines) > 1 and stripped[0] == "{" and lines[0][1].rstrip().endswith("}"):
        try:  # JSONL: one document per line
            json.loads(lines[0][1])
        except (json.JSONDecodeError, RecursionError):
            pass  # a pretty-printed object whose first line happens to end with "}"
        else:
            return [(f"{where}:{n}", parse_json(line, f"{where}:{n}")) for n, line in lines]
    value = parse_json(stripped, where)
    if isinstance(value, list):
        if not value:
            raise InputError(f"{where}: an empty list holds no candidate")
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
