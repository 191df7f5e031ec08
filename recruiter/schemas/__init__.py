"""JSON Schemas (2020-12) for candidates, jobs and decisions, and validation with clear errors.

Every error names the JSON path and the rule, e.g.
``$.languages[1].level: 'B5' is not one of ['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'native']``.
Long values are never echoed back in full (a 40 kB resume in an error message helps nobody).
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..errors import InputError

SchemaName = Literal["candidate", "job", "decision"]
SCHEMA_NAMES: tuple[str, ...] = ("candidate", "job", "decision")


@cache
def load_schema(name: str) -> dict[str, Any]:
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; expected one of {SCHEMA_NAMES}")
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "…" + text[-3:]


def _describe(err: ValidationError) -> str:
    rule, inst, val = err.validator, err.instance, err.validator_value
    if rule == "maxLength":
        return f"{len(inst):,} characters, over the limit of {val:,}"
    if rule == "minLength":
        return (
            "must not be empty"
            if val == 1
            else f"{len(inst)} characters, under the minimum of {val}"
        )
    if rule == "pattern" and val == "\\S":
        return "must contain non-whitespace text"
    if rule == "maxItems":
        return f"{len(inst)} items, over the limit of {val}"
    if rule in ("additionalProperties", "required", "enum", "type", "minimum", "maximum", "const"):
        if rule == "enum":
            return f"{_short(inst)} is not one of {val}"
        if rule == "type":
            return f"{_short(inst)} is not of type {val!r}"
        return err.message if len(err.message) < 300 else err.message[:300] + "…"
    if rule == "anyOf":
        return f"{_short(inst)} matches none of the allowed forms"
    return f"{_short(inst)}: fails {rule!r} ({_short(val, 80)})"


# text fields that must say something: all-invisible text (zero-width, bidi, BOM, tag
# characters: Unicode category Cf, and separators) would pass ``pattern: \\S`` and reach the model
# as nothing
_TEXT_FIELDS = {
    "candidate": ("role", "job_description", "resume", "transcript"),
    "job": ("title", "description"),
}


def _visible(text: str) -> bool:
    return any(not ch.isspace() and unicodedata.category(ch)[0] not in "CZ" for ch in text)


def errors(instance: Any, name: str) -> list[str]:
    """All violations of schema ``name`` as ``$.path: rule`` strings, in document order."""
    found = sorted(
        _validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))
    )
    out = [f"{e.json_path}: {_describe(e)}" for e in found]
    if isinstance(instance, dict):
        for key in _TEXT_FIELDS.get(name, ()):
            value = instance.get(key)
            if isinstance(value, str) and value.strip() and not _visible(value):
                out.append(f"$.{key}: holds only invisible characters")
    return out


def is_valid(instance: Any, name: str) -> bool:
    return _validator(name).is_valid(instance)


def validate(instance: Any, name: str, source: str = "") -> Any:
    """Return ``instance`` unchanged if valid, else raise :class:`InputError` listing every problem."""
    problems = errors(instance, name)
    if problems:
        where = f"{source}: " if source else ""
        head = (
            f"{where}not a valid {name} ({len(problems)} problem{'s' if len(problems) > 1 else ''})"
        )
        raise InputError(head + "\n  " + "\n  ".join(problems[:20]))
    return instance


def read_json(path: str | Path, max_bytes: int = 2_000_000) -> Any:
    """Read one JSON document with errors that name the file (and line/column for syntax errors)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {size:,} bytes, over the input limit of {max_bytes:,} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    from .inputs import parse_json

    return parse_json(text, str(path))


def load_and_validate(path: str | Path, name: str) -> Any:
    return validate(read_json(path), name, source=str(path))
