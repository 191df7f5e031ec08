"""The decision engine: base LLM (+ LoRA adapter) -> schema-valid, audited, advisory decisions.

One :class:`Engine` is loaded per process and serves ``run_live.py``, batch screening, the HTTP
server and evaluation alike. For each candidate it

1. runs the preflight (:mod:`.preflight`): invisible characters out, own name and contacts
   masked as in training, instruction-like text addressed to the model removed and flagged;
2. fits the prompt into the adapter's token budget (:mod:`.truncate`, the same cut as training);
3. decodes greedily under the decision grammar, in batches of similar length (:mod:`.constrained`;
   optionally each prompt prefilled alone, decode steps through :mod:`.attention`, and
   speculative decoding with n-gram drafts, :mod:`.speculative`);
4. validates the JSON with jsonschema; an invalid answer (the budget ran out before the JSON
   closed) gets **one** retry with a larger budget and a mild repetition penalty, and then an
   error record: a decision is never made up.

Loading: fp32/bf16 models get the adapter merged into the weights (no LoRA overhead per token);
nf4 keeps it unmerged, since merging into 4-bit weights would re-quantise them.
"""

from __future__ import annotations

import json
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..errors import ModelError
from ..models import resolve_adapter, resolve_llm, weights_sha256
from ..storage import sha256_file
from .constrained import compile_decision_grammar, generate_constrained
from .evidence import DEFAULT_MATCH_THRESHOLD, EVIDENCE_VERSION, build_sheet, default_matcher
from .layout import build_prefix, common_prefix_length
from .loading import load_causal_lm, precision_reason, resolve_device, resolve_precision
from .preflight import Preflight, preflight
from .prompt import FIELDS, PROMPT_VERSION, PROMPT_VERSIONS, build_messages
from .speculative import NgramDrafter
from .truncate import fit_prompt

ADAPTER_META = "recruiter.json"  # written beside every adapter by the train stage
DEFAULT_PROMPT_BUDGET = 1376  # train.max_length 1536 minus the 160-token answer room


def adapter_sha256(adapter_dir: Path | None) -> str | None:
    if adapter_dir is None:
        return None
    weights = adapter_dir / "adapter_model.safetensors"
    return sha256_file(weights) if weights.is_file() else None


def adapter_meta(adapter_dir: Path | None) -> dict:
    if adapter_dir is None or not (adapter_dir / ADAPTER_META).is_file():
        return {}
    return json.loads((adapter_dir / ADAPTER_META).read_text())


def prepare_candidate(
    tokenizer,
    candidate: Mapping,
    budget: int,
    mask_pii: bool = True,
    defences: bool = True,
    version: str = "v1",
    matcher=None,
) -> tuple[list[dict], list[str], int, object]:
    """Messages, flags, cut tokens and evidence sheet for one candidate: preflight, the sheet
    (on the text the model reads), then fitting to ``budget`` (:func:`.truncate.fit_prompt`, the
    helper training calls too).

    ``defences=False`` skips the preflight (no stripping, masking or flags): only the eval's
    over-defence check uses it, to compare clean decisions with and without the defences.
    """
    if defences:
        checked = preflight(candidate, mask=mask_pii)
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
        rec["engine"] = identity["settings"]  # the resolved settings that decided
    return rec


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


class Engine:
    """A loaded model that turns candidate dicts into decision records (see module docstring)."""

    def __init__(
        self,
        llm: str = "smollm2-135m-instruct",
        adapter: str | None = "default",
        precision: str = "auto",
        device: str = "auto",
        max_new_tokens: int = 160,
        retry_max_new_tokens: int = 320,
        batch_size: int = 8,
        prompt_budget: int | None = None,
        mask_pii: bool = True,
        merge: bool = True,
        constrained: bool = True,
        reuse_prefix: bool = True,
        prefill: str = "auto",
        attention: str = "sdpa",
        draft_tokens: int | None = None,
        evidence_match_threshold: float | None = None,
    ):
        """``merge=False`` keeps the LoRA adapter separate (the server needs that to also serve
        the base model); merged weights decode faster.

        ``prefill``: ``batch`` pads prompts into one forward pass; ``rows`` prefills each prompt
        alone (no compute on padding, and a prompt's prefill does not depend on its batch
        partners). ``attention="cpu_decode"`` runs decode steps through :mod:`.attention` on
        CPU. ``draft_tokens > 0`` decodes speculatively with n-gram drafts of up to that many
        tokens (:mod:`.speculative`; on CPU the verification passes use the ``packed``
        attention).

        ``prefill="auto"`` and ``draft_tokens=None`` choose by whether the choice can change an
        answer: on CPU in float32 the greedy text is the same for every layout and with or
        without drafts (tests pin both), so there they are ``rows`` and 3 (measured 1.5x the padded,
        draft-free engine at batch 8 and 1.9x at batch 16 on a 2-core Xeon without AMX:
        benchmarks/README.md). In bf16
        and nf4 rounding differs between one-token and several-token passes and with the batch
        composition, which moved ~12 % of the shipped adapter's statuses, so there they stay
        ``batch`` and 0: the settings the shipped eval numbers were measured with.
        """
        import torch

        self.device = resolve_device(device)
        self.precision = resolve_precision(precision, self.device)
        self.adapter_dir = resolve_adapter(adapter)
        base_path = resolve_llm(llm)
        # A merged model (`recruiter train merge`) carries the adapter's metadata itself.
        meta = adapter_meta(self.adapter_dir) or adapter_meta(base_path)
        self.prompt_version, self.evidence_threshold = served_prompt(
            meta, evidence_match_threshold, self.adapter_dir
        )
        self.llm = llm
        self.model_id = llm if self.adapter_dir is None else f"{llm}+{self.adapter_dir.name}"
        self.adapter_sha256 = adapter_sha256(self.adapter_dir)
        self.base_sha256 = weights_sha256(base_path)
        self.prompt_budget = prompt_budget or meta.get("prompt_budget", DEFAULT_PROMPT_BUDGET)
        # an adapter calibrated on its validation decisions (train.calibrate) ships the P(select)
        # threshold its status follows; otherwise the greedy status (P(select) >= 0.5)
        self.decision_threshold = meta.get("decision_threshold")
        self.matcher = default_matcher(self.evidence_threshold)
        self.max_new_tokens = max_new_tokens
        self.retry_max_new_tokens = retry_max_new_tokens
        self.batch_size = batch_size
        self.mask_pii = mask_pii
        self.defences = True
        self.constrained = constrained
        if prefill not in ("auto", "rows", "batch"):
            raise ModelError(f"prefill must be auto, rows or batch, not {prefill!r}")
        exact_cpu = self.device == "cpu" and self.precision == "fp32"
        self.prefill = prefill if prefill != "auto" else ("rows" if exact_cpu else "batch")
        why_layout = (
            "set in the config"
            if prefill != "auto" and draft_tokens is not None
            else "auto: float32 on CPU gives the same greedy text in every layout"
            if exact_cpu
            else f"auto: {self.precision} on {self.device} rounds differently per layout; the "
            "padded, draft-free settings of the reported eval numbers"
        )
        if draft_tokens is None:
            draft_tokens = 3 if exact_cpu else 0
        if draft_tokens < 0:
            raise ModelError(f"draft_tokens must be >= 0, not {draft_tokens}")
        self.draft_tokens = draft_tokens
        self.drafter = NgramDrafter() if draft_tokens else None
        self.spec_stats: dict = {}  # speculative steps / drafted / accepted tokens so far
        if draft_tokens and attention == "sdpa":
            attention = "packed"
        # every value resolved at run time, with the reason (eval.json and training record it)
        self.settings = {
            "precision": self.precision,
            "precision_reason": precision_reason(precision, self.device),
            "prefill": self.prefill,
            "draft_tokens": self.draft_tokens,
            "layout_reason": why_layout,
            "attention": attention,
            "batch_size": batch_size,
            "max_new_tokens": max_new_tokens,
            "constrained": constrained,
            "merged": bool(merge and self.adapter_dir is not None and self.precision != "nf4"),
            "decision_threshold": self.decision_threshold,
            "threshold_reason": "the adapter's, tuned on its validation decisions"
            if self.decision_threshold is not None
            else "greedy status (P(select) >= 0.5)",
        }
        model, tokenizer = load_causal_lm(
            base_path, self.precision, self.device, attention=attention
        )
        if self.adapter_dir is not None:
            from peft import PeftModel

            with warnings.catch_warnings():  # PEFT calls a transformers API deprecated in v5
                warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
                model = PeftModel.from_pretrained(model, str(self.adapter_dir))
            if merge and self.precision != "nf4":
                model = model.merge_and_unload()
            model.eval()
        self.model, self.tokenizer = model, tokenizer
        self.compiled = compile_decision_grammar(tokenizer, vocab_size=model.config.vocab_size)
        self.prefix = self._system_prefix() if reuse_prefix else None
        self._torch = torch

    def _system_prefix(self):
        """KV cache of the tokens every prompt starts with (chat template + system prompt)."""
        tok = self.tokenizer
        dummies = [
            build_messages(
                {"role": r, "job_description": "j", "resume": "r", "transcript": "t"},
                self.prompt_version,
                "e",
            )
            for r in ("a", "b")
        ]
        ids = [
            tok(
                tok.apply_chat_template(m, add_generation_prompt=True, tokenize=False),
                add_special_tokens=False,
            )["input_ids"]
            for m in dummies
        ]
        n = common_prefix_length(ids)
        return build_prefix(self.model, ids[0][:n]) if n >= 16 else None

    # ----------------------------------------------------------------------------- decisions

    def describe(self) -> dict:
        return {
            "model": self.model_id,
            "base_model": self.llm,
            "base_sha256": self.base_sha256,
            "adapter_sha256": self.adapter_sha256,
            "prompt_version": self.prompt_version,
            "evidence_version": EVIDENCE_VERSION,
            "evidence_match_threshold": self.evidence_threshold,
            "precision": self.precision,
            "device": self.device,
            "settings": self.settings,
        }

    def prepare(self, candidate: Mapping) -> tuple[list[dict], list[str], int, object]:
        """Messages, flags, cut tokens and evidence sheet for one candidate."""
        return prepare_candidate(
            self.tokenizer,
            candidate,
            self.prompt_budget,
            self.mask_pii,
            self.defences,
            self.prompt_version,
            self.matcher,
        )

    def generate(
        self,
        messages: Sequence[list[dict]],
        max_new_tokens: int,
        penalty: float = 1.0,
        progress: Callable[[int, int], None] | None = None,
    ):
        """Constrained generation for prompts in batches of similar length; results in input order.

        ``progress(done_in_batch, total)`` is called after each batch."""
        order = sorted(
            range(len(messages)), key=lambda i: sum(len(m["content"]) for m in messages[i])
        )
        results: list = [None] * len(messages)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            t0 = time.perf_counter()
            out = generate_constrained(
                self.model,
                self.tokenizer,
                [messages[i] for i in chunk],
                max_new_tokens=max_new_tokens,
                compiled=self.compiled,
                repetition_penalty=penalty,
                constrained=self.constrained,
                prefix=self.prefix,
                prefill=self.prefill,
                drafter=self.drafter,
                draft_tokens=self.draft_tokens,
                stats=self.spec_stats,
            )
            ms = (time.perf_counter() - t0) * 1000
            for i, res in zip(chunk, out, strict=True):
                results[i] = (res, ms)
            if progress is not None:
                progress(len(chunk), len(order))
        return results

    def decide(
        self,
        candidates: Sequence[Mapping],
        audit=None,
        channel: str = "api",
        progress: Callable[[int, int], None] | None = None,
    ) -> list[dict]:
        """Decision records for ``candidates`` (dicts with the candidate-schema prompt fields).

        Each record holds the decision JSON's fields, ``p_select``, ``flags``, model identity,
        ``latency_ms`` (the time its batch took) and ``advisory: true``; a candidate whose answer
        stayed invalid after the retry gets ``status: null`` and an ``error``. With ``audit``
        (an :class:`~recruiter.inference.audit.AuditLog`) every record is appended to it.
        """
        prepared = [self.prepare(c) for c in candidates]
        # Identical prompts (a resubmitted candidate, or counterfactual variants that the
        # preflight makes identical again) are decoded once; greedy decoding would give the
        # same answer anyway.
        keys = [json.dumps(p[0], ensure_ascii=False) for p in prepared]
        unique = list(dict.fromkeys(keys))
        where = {k: i for i, k in enumerate(unique)}
        messages = [json.loads(k) for k in unique]
        results = [
            (res, ms, [])
            for res, ms in self.generate(messages, self.max_new_tokens, progress=progress)
        ]
        retry = [i for i, (res, _, _) in enumerate(results) if not res.valid]
        if retry:
            again = self.generate(
                [messages[i] for i in retry], self.retry_max_new_tokens, penalty=1.15
            )
            for i, (res, ms) in zip(retry, again, strict=True):
                results[i] = (res, results[i][1] + ms, ["retried"])
        records = []
        for cand, (_msgs, flags, _cut, sheet), key in zip(candidates, prepared, keys, strict=True):
            res, ms, extra = results[where[key]]
            records.append(self._record(cand, res, ms, flags + extra, sheet))
        if audit is not None:
            audit.append_many(candidates, records, channel=channel)
        return records

    def decide_all(
        self,
        candidates: Sequence[Mapping],
        audit=None,
        channel: str = "batch",
        label: str = "decisions",
    ) -> tuple[list[dict], float]:
        """:meth:`decide` over many candidates with a progress bar; returns (records, seconds)."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        # One decide() over everything (not chunk by chunk) so that identical prompts anywhere
        # in the list are decoded once and get one answer: in bf16 a prompt's greedy answer can
        # depend on its batch partners, and chunking made identical counterfactual variants
        # (names masked back to [NAME]) land in different batches and disagree.
        start = time.perf_counter()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=len(candidates))

            def advance(n: int, total: int) -> None:
                bar.update(task, total=total, advance=n)

            records = self.decide(candidates, audit=audit, channel=channel, progress=advance)
        return records, time.perf_counter() - start

    def _record(self, cand: Mapping, res, ms: float, flags: list[str], sheet=None) -> dict:
        error = (
            f"the model did not produce a schema-valid decision within "
            f"{self.retry_max_new_tokens} tokens (after one retry)"
        )
        parsed = res.parsed if res.valid else None
        t = self.decision_threshold
        if parsed is not None and t is not None and res.p_select is not None:
            parsed = {**parsed, "status": "select" if res.p_select >= t else "reject"}
        return decision_record(cand, parsed, res.p_select, ms, flags, self.describe(), error, sheet)


def from_config(
    cfg, merge: bool = True, llm: str | None = None, adapter: str | None = None
) -> Engine:
    """The engine for a :class:`~recruiter.config.RecruiterConfig` (models + runtime +
    inference); ``llm``/``adapter`` override the configured ones (evaluating a new run)."""
    i = cfg.inference
    if cfg.runtime.num_threads:
        import torch

        torch.set_num_threads(cfg.runtime.num_threads)
    return Engine(
        llm=llm or cfg.models.llm,
        adapter=adapter if adapter is not None else i.adapter,
        precision=i.precision,
        device=cfg.runtime.device,
        max_new_tokens=i.max_new_tokens,
        retry_max_new_tokens=i.retry_max_new_tokens,
        batch_size=i.batch_size,
        prompt_budget=i.prompt_budget,
        merge=merge,
        constrained=i.constrained,
        prefill=i.prefill,
        attention=i.attention,
        draft_tokens=i.draft_tokens,
        evidence_match_threshold=i.evidence_match_threshold,
    )
