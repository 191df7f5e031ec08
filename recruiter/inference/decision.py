"""What every decision engine shares: the interface, the prompt preparation and the record.

Two engines implement :class:`DecisionEngine`: the local :class:`~.engine.Engine` (the model in
this process) and :class:`~.remote.RemoteEngine` (an OpenAI-compatible server such as vLLM);
the evaluations take anything that does, so the tests drive them with small stand-ins. Both
prepare a candidate with :func:`prepare_candidate` (preflight, evidence sheet, fitting to the
token budget: the same helper training calls) and return :func:`decision_record`'s record.

This module loads no model and imports no torch, so the remote engine and the callers' type
hints do not pay for the local engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from ..errors import ModelError
from .evidence import build_sheet
from .preflight import Preflight, preflight
from .prompt import FIELDS, PROMPT_VERSION
from .truncate import fit_prompt


@runtime_checkable
class DecisionEngine(Protocol):
    """Candidate dicts in, advisory decision records out (see :func:`decision_record`).

    ``local``: whether the model runs in this process (so the server can also run chat
    completions on it and switch its adapter off); False for an engine that asks a server.
    ``mask_pii`` / ``defences`` (keyword-only; ``None`` = the engine's setting) change one call
    only, never the engine that other callers share: the fairness eval decides with the name
    mask off, the over-defence eval without the preflight.
    """

    local: bool
    batch_size: int

    def describe(self) -> dict: ...

    def decide(
        self,
        candidates: Sequence[Mapping],
        audit=None,
        channel: str = "api",
        *,
        mask_pii: bool | None = None,
        defences: bool | None = None,
    ) -> list[dict]: ...

    def decide_all(
        self,
        candidates: Sequence[Mapping],
        audit=None,
        channel: str = "batch",
        label: str = "decisions",
        *,
        mask_pii: bool | None = None,
        defences: bool | None = None,
    ) -> tuple[list[dict], float]: ...


def call_identity(engine: DecisionEngine, mask_pii: bool | None, defences: bool | None) -> dict:
    """``engine.describe()`` with this call's ``mask_pii``/``defences`` overrides (None: the
    engine's own) in its settings, so each record says what was applied to it."""
    identity = engine.describe()
    applied = {"mask_pii": mask_pii, "defences": defences}
    identity["settings"].update({k: v for k, v in applied.items() if v is not None})
    return identity


def masker_name(masker) -> str:
    """How a record's documents were masked (its ``engine.pii_masker``)."""
    if masker is None:
        return "regex: own name, e-mail, URL, phone"
    entities = ",".join(sorted(getattr(masker, "entities", ()))) or type(masker).__name__
    return f"recruiter.pii ({entities}) + regex net, as prepare masked training data"


def prepare_candidate(
    tokenizer,
    candidate: Mapping,
    budget: int,
    mask_pii: bool = True,
    defences: bool = True,
    version: str = "v1",
    matcher=None,
    masker=None,
) -> tuple[list[dict], list[str], int, object]:
    """Messages, flags, cut tokens and evidence sheet for one candidate: preflight, the sheet
    (on the text the model reads), then fitting to ``budget`` (:func:`.truncate.fit_prompt`, the
    helper training calls too).

    ``defences=False`` skips the preflight (no stripping, masking or flags): only the eval's
    over-defence check uses it, to compare clean decisions with and without the defences.
    """
    if defences:
        checked = preflight(candidate, mask=mask_pii, masker=masker)
    else:
        checked = Preflight({k: str(candidate.get(k) or "") for k in FIELDS})
    sheet = build_sheet(checked.fields, matcher, as_of=candidate.get("as_of"))
    try:
        fitted = fit_prompt(tokenizer, checked.fields, budget, version, sheet)
    except ValueError as exc:
        raise ModelError(f"prompt does not fit: {exc}") from None
    flags = list(checked.flags)
    if fitted.cut_tokens:
        flags.append(f"truncated:{fitted.cut_tokens}_tokens")
    return fitted.messages, flags, fitted.cut_tokens, sheet


def thresholded(parsed: dict | None, p_select: float | None, threshold: float | None):
    """The decision with its status set by ``threshold`` on P(select), when the adapter ships
    one (calibrated on its validation decisions); otherwise the greedy status as decoded."""
    if parsed is None or threshold is None or p_select is None:
        return parsed
    return {**parsed, "status": "select" if p_select >= threshold else "reject"}


def decision_record(
    cand: Mapping,
    parsed: dict | None,
    p_select: float | None,
    ms: float,
    flags: list[str],
    identity: dict,
    error: str,
    sheet=None,
) -> dict:
    """The record every channel returns and audits: decision fields + identity + advisory, and
    the evidence sheet's items (verbatim quotes with source and line of the text the model read;
    the audit log keeps them without the quotes)."""
    rec: dict = {"request_id": uuid.uuid4().hex}
    if cand.get("candidate_id"):
        rec["candidate_id"] = cand["candidate_id"]
    if parsed is not None:
        rec.update(parsed)
    else:
        rec.update(reasoning=None, status=None, error=error)
    if sheet is not None:
        rec["evidence"] = sheet.items()
    rec.update(
        p_select=None if p_select is None else round(p_select, 6),
        flags=flags,
        model=identity["model"],
        base_sha256=identity.get("base_sha256"),
        adapter_sha256=identity["adapter_sha256"],
        prompt_version=identity.get("prompt_version", PROMPT_VERSION),
        latency_ms=round(ms, 1),
        advisory=True,
        human_review="required",
    )
    if identity.get("settings"):
        rec["engine"] = identity["settings"]  # the resolved settings that decided, and why
    return rec
