"""The decision engine's run-time settings, resolved once, each with the reason for its value.

:func:`resolve_decode_settings` turns the configured options (``inference.*`` or the same names
as keyword arguments) into a :class:`DecodeSettings`: every value the engine decodes with, with
``"auto"``/``None`` replaced by what this hardware and this adapter call for, and beside each
value *why* it is what it is. The reasons travel with every decision (``describe()["settings"]``
is the ``engine`` field of each record, audit row and ``eval.json``), so a number can be traced
to the settings that produced it without re-running anything.

What ``auto`` picks, and why:

* precision: on CPU with ``batching: invariant`` (the default) float32, the one precision that
  decodes in batches with the answers it gives alone; otherwise
  (:func:`.loading.resolve_precision`) nf4 on CUDA, bf16 on a CPU where bf16 matmuls measure
  >= 1.5x fp32, else fp32.
* prefill and draft tokens: on CPU in float32 the greedy text is the same for every layout and
  with or without drafts (tests pin both), so there they are ``rows`` and 3 (measured 1.5x the
  padded, draft-free engine at batch 8 and 1.9x at batch 16 on a 2-core Xeon without AMX:
  benchmarks/README.md). In bf16 and nf4 rounding differs between one-token and several-token
  passes and with the batch composition, which moved ~12 % of the shipped adapter's statuses,
  so there they stay ``batch`` and 0: the settings the shipped eval numbers were measured with.
* batching: ``invariant`` (default) keeps every decision independent of the candidates decoded
  beside it: float32 on CPU with rows prefill decodes in batches of ``batch_size`` (its answers
  equal the one-by-one answers: tests/inference/test_batch_invariance.py); any other combination
  decodes each candidate alone (batch size 1), which costs throughput
  (benchmarks/batch_invariance.py). ``variant`` decodes ``batch_size`` prompts together in any
  precision and says so in every record.
* attention: drafts are verified with ``packed`` SDPA on CPU; the CPU attentions
  (:mod:`.attention`) fall back to ``sdpa`` elsewhere.
* prompt version, prompt budget, evidence threshold and decision threshold: the adapter's, as
  it was trained and calibrated (its ``recruiter.json``), else the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..errors import ModelError
from .evidence import DEFAULT_MATCH_THRESHOLD
from .loading import Hardware, ModelMeta, precision_reason, resolve_precision
from .prompt import PROMPT_VERSION, PROMPT_VERSIONS

DEFAULT_PROMPT_BUDGET = 1376  # train.max_length 1536 minus the 160-token answer room
CONFIGURED = "set in the config"

# The options and their defaults (``inference.*`` plus ``merge``, ``mask_pii``, ``reuse_prefix``).
OPTION_DEFAULTS: dict = {
    "precision": "auto",
    "max_new_tokens": 160,
    "retry_max_new_tokens": 320,
    "batch_size": 8,
    "batching": "invariant",
    "prompt_budget": None,
    "mask_pii": True,
    "merge": True,
    "constrained": True,
    "reuse_prefix": True,
    "prefill": "auto",
    "attention": "sdpa",
    "draft_tokens": None,
    "evidence_match_threshold": None,
}
CPU_ATTENTIONS = ("cpu_decode", "packed")  # :mod:`.attention`'s; sdpa on any other device


@dataclass(frozen=True)
class ServedPrompt:
    """How an adapter is prompted and how its answer becomes a status (local and remote alike)."""

    version: str
    budget: int
    evidence_threshold: float
    decision_threshold: float | None
    reasons: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> dict:
        """As recorded (the names :meth:`DecodeSettings.describe` records them under)."""
        return _recorded(
            {
                "prompt_version": self.version,
                "prompt_budget": self.budget,
                "evidence_threshold": self.evidence_threshold,
                "decision_threshold": self.decision_threshold,
            },
            self.reasons,
        )


# recorded names that differ from the field names (the names older records use)
_RECORDED_AS = {"merge": "merged", "evidence_threshold": "evidence_match_threshold"}


def _recorded(values: Mapping, reasons: Mapping[str, str]) -> dict:
    out: dict = {}
    for name, value in values.items():
        key = _RECORDED_AS.get(name, name)
        out[key] = value
        if name in reasons:
            out[f"{key}_reason"] = reasons[name]
    return out


@dataclass(frozen=True)
class DecodeSettings:
    """Every value the engine decides with, resolved; ``reasons[name]`` says why (see module)."""

    device: str
    precision: str
    prefill: str  # "rows" (each prompt prefilled alone) or "batch" (padded into one pass)
    draft_tokens: int  # n-gram drafted tokens verified per step; 0 = no speculative decoding
    attention: str  # "sdpa", or on CPU "cpu_decode" / "packed" (:mod:`.attention`)
    batch_size: int  # prompts decoded together (1 where batch invariance needs it)
    batching: str  # "invariant" (a decision never depends on its batch partners) or "variant"
    max_new_tokens: int
    retry_max_new_tokens: int
    constrained: bool
    reuse_prefix: bool
    merge: bool  # the adapter is merged into the weights (resolved: False without an adapter)
    mask_pii: bool  # the preflight masks own names and contacts (a call can switch it off)
    defences: bool  # the preflight runs at all (only the over-defence eval switches it off)
    prompt_version: str
    prompt_budget: int
    evidence_threshold: float
    decision_threshold: float | None  # P(select) threshold of the status; None = greedy status
    reasons: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> dict:
        """The settings as recorded: each value, and ``<name>_reason`` beside those with one."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "reasons"}
        return _recorded(values, self.reasons)


def served_prompt(
    meta: Mapping, threshold: float | None, adapter_dir: Path | None
) -> tuple[str, float]:
    """(prompt version, evidence match threshold) to serve an adapter with: what it was trained
    on (its ``recruiter.json``); the base model alone gets the current version. An explicit
    ``threshold`` overrides the adapter's only for v1 adapters, whose prompt has no sheet."""
    version = meta.get("prompt_version") or ("v1" if adapter_dir is not None else PROMPT_VERSION)
    if version not in PROMPT_VERSIONS:
        raise ModelError(
            f"adapter {adapter_dir} was trained on prompt {version}; this code serves "
            f"{', '.join(PROMPT_VERSIONS)}: retrain it or install the matching version"
        )
    trained = (meta.get("evidence") or {}).get("match_threshold")
    if version == "v2" and trained is not None:
        return version, float(trained)
    return version, float(threshold if threshold is not None else DEFAULT_MATCH_THRESHOLD)


def resolve_served_prompt(
    trained: Mapping,
    adapter_dir: Path | None,
    prompt_budget: int | None = None,
    evidence_match_threshold: float | None = None,
) -> ServedPrompt:
    """:func:`served_prompt`, the prompt budget and the decision threshold, with reasons, from
    an adapter's ``recruiter.json`` (``trained``) and the configured overrides."""
    version, evidence = served_prompt(trained, evidence_match_threshold, adapter_dir)
    if trained.get("prompt_version"):
        why_version = "the adapter's: the prompt it was trained on"
    elif adapter_dir is not None:
        why_version = "the adapter names no prompt version: v1, the prompt before versions"
    else:
        why_version = "the base model alone: the current prompt"
    if version == "v2" and (trained.get("evidence") or {}).get("match_threshold") is not None:
        why_evidence = "the adapter's: the threshold its evidence sheets were built with"
    elif evidence_match_threshold is not None:
        why_evidence = CONFIGURED
    else:
        why_evidence = "default"
    if prompt_budget:
        budget, why_budget = prompt_budget, CONFIGURED
    elif trained.get("prompt_budget"):
        budget = trained["prompt_budget"]
        why_budget = "the adapter's: its train.max_length minus the answer room, as in training"
    else:
        budget = DEFAULT_PROMPT_BUDGET
        why_budget = "default: train.max_length 1536 minus the 160-token answer room"
    # an adapter calibrated on its validation decisions (train.calibrate) ships the P(select)
    # threshold its status follows; otherwise the greedy status (P(select) >= 0.5)
    decision = trained.get("decision_threshold")
    why_decision = (
        "the adapter's, tuned on its validation decisions"
        if decision is not None
        else "greedy status (P(select) >= 0.5)"
    )
    return ServedPrompt(
        version,
        budget,
        evidence,
        decision,
        {
            "prompt_version": why_version,
            "prompt_budget": why_budget,
            "evidence_threshold": why_evidence,
            "decision_threshold": why_decision,
        },
    )


def resolve_decode_settings(options, hardware: Hardware, meta: ModelMeta) -> DecodeSettings:
    """The engine's settings for ``options`` on ``hardware`` with the model ``meta`` describes.

    ``options``: an :class:`~recruiter.config.InferenceConfig` or a mapping with (some of) the
    keys of :data:`OPTION_DEFAULTS` (``adapter``, a loading option, is ignored); a missing key
    takes its default, an unknown one is an error. Nothing is loaded here except, for
    ``precision="auto"`` on CPU, the cached bf16/fp32 matmul probe.
    """
    given = dict(options.model_dump() if hasattr(options, "model_dump") else options)
    given.pop("adapter", None)
    unknown = sorted(set(given) - set(OPTION_DEFAULTS))
    if unknown:
        raise ModelError(f"unknown engine options: {', '.join(unknown)}")
    o = {**OPTION_DEFAULTS, **given}
    device = hardware.device
    reasons = {"device": hardware.reason}

    batching = o["batching"]
    if batching not in ("invariant", "variant"):
        raise ModelError(f"batching must be invariant or variant, not {batching!r}")
    if o["precision"] == "auto" and device == "cpu" and batching == "invariant":
        # no probe: bf16 answers move with their batch partners, so invariant bf16 decodes one
        # candidate at a time, slower than float32 rows in batches on every CPU measured
        precision = "fp32"
        reasons["precision"] = (
            "auto with batching invariant on CPU: float32 decodes in batches with the answers it "
            "gives alone; bf16 would decode one candidate at a time (benchmarks/batch_invariance.py)"
        )
    else:
        precision = resolve_precision(o["precision"], device)
        reasons["precision"] = precision_reason(o["precision"], device)

    prefill, draft_tokens = o["prefill"], o["draft_tokens"]
    if prefill not in ("auto", "rows", "batch"):
        raise ModelError(f"prefill must be auto, rows or batch, not {prefill!r}")
    exact_cpu = device == "cpu" and precision == "fp32"
    why_auto = (
        "auto: float32 on CPU gives the same greedy text in every layout and with drafts"
        if exact_cpu
        else f"auto: {precision} on {device} rounds differently per layout and with drafts; "
        "the padded, draft-free settings of the reported eval numbers"
    )
    reasons["prefill"] = CONFIGURED if prefill != "auto" else why_auto
    if prefill == "auto":
        prefill = "rows" if exact_cpu else "batch"
    reasons["draft_tokens"] = CONFIGURED if draft_tokens is not None else why_auto
    if draft_tokens is None:
        draft_tokens = 3 if exact_cpu else 0
    if draft_tokens < 0:
        raise ModelError(f"draft_tokens must be >= 0, not {draft_tokens}")

    attention = o["attention"]
    if attention not in ("sdpa", *CPU_ATTENTIONS):
        raise ModelError(f"attention must be sdpa, cpu_decode or packed, not {attention!r}")
    reasons["attention"] = CONFIGURED
    if draft_tokens and attention == "sdpa":
        attention = "packed"
        reasons["attention"] = "draft_tokens > 0: verification passes pack short queries (CPU)"
    if attention in CPU_ATTENTIONS and device != "cpu":  # what transformers would run anyway
        attention = "sdpa"
        reasons["attention"] = f"{o['attention']} attention runs on CPU only: sdpa on {device}"

    batch_size = o["batch_size"]
    if batching == "variant":
        reasons["batching"] = (
            "set in the config: faster, but a decision may depend on the candidates decoded "
            "beside it"
        )
        reasons["batch_size"] = CONFIGURED
    elif exact_cpu and prefill == "rows":
        reasons["batching"] = (
            "default: float32 on CPU with each prompt prefilled alone gives the same answer "
            "alone and in any batch (tests/inference/test_batch_invariance.py)"
        )
        reasons["batch_size"] = CONFIGURED
    else:
        reasons["batching"] = (
            f"default: {precision} on {device} with {prefill} prefill rounds differently with "
            "other candidates in the batch, so each candidate is decoded alone"
        )
        reasons["batch_size"] = f"batching invariant: 1 (configured {batch_size})"
        batch_size = 1

    merge = bool(o["merge"] and meta.adapter_dir is not None and precision != "nf4")
    reasons["merge"] = (
        "no adapter"
        if meta.adapter_dir is None
        else "merge off: the adapter stays switchable (the server also serves the base)"
        if not o["merge"]
        else "nf4: merging would re-quantise the 4-bit weights"
        if precision == "nf4"
        else "merged into the weights: no LoRA overhead per token"
    )
    served = resolve_served_prompt(
        meta.trained, meta.adapter_dir, o["prompt_budget"], o["evidence_match_threshold"]
    )
    return DecodeSettings(
        device=device,
        precision=precision,
        prefill=prefill,
        draft_tokens=draft_tokens,
        attention=attention,
        batch_size=batch_size,
        batching=batching,
        max_new_tokens=o["max_new_tokens"],
        retry_max_new_tokens=o["retry_max_new_tokens"],
        constrained=o["constrained"],
        reuse_prefix=o["reuse_prefix"],
        merge=merge,
        mask_pii=o["mask_pii"],
        defences=True,
        prompt_version=served.version,
        prompt_budget=served.budget,
        evidence_threshold=served.evidence_threshold,
        decision_threshold=served.decision_threshold,
        reasons={**reasons, **served.reasons},
    )
