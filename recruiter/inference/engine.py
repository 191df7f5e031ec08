"""The decision engine: base LLM (+ LoRA adapter) -> schema-valid, audited, advisory decisions.

One :class:`Engine` is loaded per process and serves ``run_live.py``, batch screening, the HTTP
server and evaluation alike. For each candidate it

1. runs the preflight (:mod:`.preflight`): invisible characters out, own name and contacts
   masked as in training, instruction-like text addressed to the model removed and flagged;
2. fits the prompt into the adapter's token budget (:mod:`.truncate`, the same cut as training);
3. decodes greedily under the decision grammar, in batches of similar length where that is
   batch-invariant, else one candidate at a time (``batching``, :mod:`.settings`; :mod:`.constrained`;
   optionally each prompt prefilled alone, decode steps through :mod:`.attention`, and
   speculative decoding with n-gram drafts, :mod:`.speculative`);
4. validates the JSON with jsonschema; an invalid answer (the budget ran out before the JSON
   closed) gets **one** retry with a larger budget and a mild repetition penalty, and then an
   error record: a decision is never made up.

Building one is three steps, each usable alone (tests and benchmarks build engines from parts):
:func:`.loading.model_meta` finds the model and reads its adapter's metadata,
:func:`.settings.resolve_decode_settings` resolves every ``auto`` option against the hardware
and that metadata (with the reason for each value), :func:`.loading.load_decision_model` loads
the weights. :meth:`Engine.build` runs the three from options, :func:`build_engine` from a config.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence

from .constrained import compile_decision_grammar, generate_constrained
from .decision import call_identity, decision_record, masker_name, prepare_candidate, thresholded
from .evidence import EVIDENCE_VERSION, default_matcher
from .layout import build_prefix, common_prefix_length
from .loading import ModelMeta, detect_hardware, load_decision_model, model_meta
from .prompt import build_messages
from .settings import DecodeSettings, resolve_decode_settings
from .speculative import NgramDrafter


class Engine:
    """A loaded model that turns candidate dicts into decision records (see module docstring).

    ``Engine(model, tokenizer, settings, meta, masker)`` wraps a model loaded with ``settings``
    (a :class:`~.settings.DecodeSettings`); ``meta`` (:class:`~.loading.ModelMeta`) is the
    identity every record carries; ``masker`` (:class:`recruiter.pii.PiiMasker`, what
    :meth:`build` passes) masks personal data as prepare did for training, else only the
    preflight's own-name and contact regexes run. :meth:`build` loads one from options.
    """

    local = True  # the model runs in this process (:class:`~.decision.DecisionEngine`)

    def __init__(self, model, tokenizer, settings: DecodeSettings, meta: ModelMeta, masker=None):
        self.model, self.tokenizer = model, tokenizer
        self.settings, self.meta, self.masker = settings, meta, masker
        self.matcher = default_matcher(settings.evidence_threshold)
        # the n-gram pool persists across calls: later batches draft from earlier answers
        self.drafter = NgramDrafter() if settings.draft_tokens else None
        self.spec_stats: dict = {}  # speculative steps / drafted / accepted tokens so far
        self.compiled = compile_decision_grammar(tokenizer, vocab_size=model.config.vocab_size)
        self.prefix = self._system_prefix() if settings.reuse_prefix else None

    @classmethod
    def build(
        cls,
        llm: str = "smollm2-135m-instruct",
        adapter: str | None = "default",
        device: str = "auto",
        **options,
    ) -> Engine:
        """Find, resolve and load: ``options`` are :data:`.settings.OPTION_DEFAULTS`' names
        (``precision``, ``batch_size``, ``prefill``, ``draft_tokens``, ``merge`` ...)."""
        from ..pii import serving_masker  # Presidio + spaCy: loaded only for a real engine

        meta = model_meta(llm, adapter)
        settings = resolve_decode_settings(options, detect_hardware(device), meta)
        model, tokenizer, meta = load_decision_model(
            meta, settings.precision, settings.device, settings.attention, settings.merge
        )
        return cls(model, tokenizer, settings, meta, serving_masker())

    # what callers read: the settings and identity under the names they had before
    @property
    def batch_size(self) -> int:
        return self.settings.batch_size

    @property
    def prompt_version(self) -> str:
        return self.settings.prompt_version

    @property
    def prompt_budget(self) -> int:
        return self.settings.prompt_budget

    @property
    def llm(self) -> str:
        return self.meta.llm

    @property
    def adapter_dir(self):
        return self.meta.adapter_dir

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
        """Identity + the resolved settings with their reasons (every record's ``engine``)."""
        st = self.settings
        return {
            "model": self.meta.model_id,
            "base_model": self.meta.llm,
            "base_sha256": self.meta.base_sha256,
            "adapter_sha256": self.meta.adapter_sha256,
            "prompt_version": st.prompt_version,
            "evidence_version": EVIDENCE_VERSION,
            "evidence_match_threshold": st.evidence_threshold,
            "precision": st.precision,
            "device": st.device,
            "settings": {**st.describe(), "pii_masker": masker_name(self.masker)},
        }

    def prepare(
        self, candidate: Mapping, mask_pii: bool | None = None, defences: bool | None = None
    ) -> tuple[list[dict], list[str], int, object]:
        """Messages, flags, cut tokens and evidence sheet for one candidate."""
        st = self.settings
        return prepare_candidate(
            self.tokenizer,
            candidate,
            st.prompt_budget,
            st.mask_pii if mask_pii is None else mask_pii,
            st.defences if defences is None else defences,
            st.prompt_version,
            self.matcher,
            self.masker,
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
        st = self.settings
        order = sorted(
            range(len(messages)), key=lambda i: sum(len(m["content"]) for m in messages[i])
        )
        results: list = [None] * len(messages)
        for start in range(0, len(order), st.batch_size):
            chunk = order[start : start + st.batch_size]
            t0 = time.perf_counter()
            out = generate_constrained(
                self.model,
                self.tokenizer,
                [messages[i] for i in chunk],
                max_new_tokens=max_new_tokens,
                compiled=self.compiled,
                repetition_penalty=penalty,
                constrained=st.constrained,
                prefix=self.prefix,
                prefill=st.prefill,
                drafter=self.drafter,
                draft_tokens=st.draft_tokens,
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
        *,
        mask_pii: bool | None = None,
        defences: bool | None = None,
    ) -> list[dict]:
        """Decision records for ``candidates`` (dicts with the candidate-schema prompt fields).

        Each record holds the decision JSON's fields, ``p_select``, ``flags``, model identity,
        ``latency_ms`` (the time its batch took) and ``advisory: true``; a candidate whose answer
        stayed invalid after the retry gets ``status: null`` and an ``error``. With ``audit``
        (an :class:`~recruiter.inference.audit.AuditLog`) every record is appended to it.
        ``mask_pii`` / ``defences`` override the engine's settings for this call only (None:
        the engine's); the records' ``engine`` settings say what was applied.
        """
        prepared = [self.prepare(c, mask_pii, defences) for c in candidates]
        # Identical prompts (a resubmitted candidate, or counterfactual variants that the
        # preflight makes identical again) are decoded once; greedy decoding would give the
        # same answer anyway.
        keys = [json.dumps(p[0], ensure_ascii=False) for p in prepared]
        unique = list(dict.fromkeys(keys))
        where = {k: i for i, k in enumerate(unique)}
        messages = [json.loads(k) for k in unique]
        st = self.settings
        results = [
            (res, ms, [])
            for res, ms in self.generate(messages, st.max_new_tokens, progress=progress)
        ]
        retry = [i for i, (res, _, _) in enumerate(results) if not res.valid]
        if retry:
            again = self.generate(
                [messages[i] for i in retry], st.retry_max_new_tokens, penalty=1.15
            )
            for i, (res, ms) in zip(retry, again, strict=True):
                results[i] = (res, results[i][1] + ms, ["retried"])
        identity = call_identity(self, mask_pii, defences)
        records = []
        for cand, (_msgs, flags, _cut, sheet), key in zip(candidates, prepared, keys, strict=True):
            res, ms, extra = results[where[key]]
            records.append(self._record(cand, res, ms, flags + extra, sheet, identity))
        if audit is not None:
            audit.append_many(candidates, records, channel=channel)
        return records

    def decide_all(
        self,
        candidates: Sequence[Mapping],
        audit=None,
        channel: str = "batch",
        label: str = "decisions",
        *,
        mask_pii: bool | None = None,
        defences: bool | None = None,
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

            records = self.decide(
                candidates,
                audit=audit,
                channel=channel,
                progress=advance,
                mask_pii=mask_pii,
                defences=defences,
            )
        return records, time.perf_counter() - start

    def _record(
        self, cand: Mapping, res, ms: float, flags: list[str], sheet, identity: dict
    ) -> dict:
        error = (
            f"the model did not produce a schema-valid decision within "
            f"{self.settings.retry_max_new_tokens} tokens (after one retry)"
        )
        parsed = res.parsed if res.valid else None
        parsed = thresholded(parsed, res.p_select, self.settings.decision_threshold)
        return decision_record(cand, parsed, res.p_select, ms, flags, identity, error, sheet)


def build_engine(
    cfg, merge: bool = True, llm: str | None = None, adapter: str | None = None
) -> Engine:
    """The engine for a :class:`~recruiter.config.RecruiterConfig` (models + runtime +
    inference); ``llm``/``adapter`` override the configured ones (evaluating a new run)."""
    i = cfg.inference
    if cfg.runtime.num_threads:
        import torch

        torch.set_num_threads(cfg.runtime.num_threads)
    return Engine.build(
        llm=llm or cfg.models.llm,
        adapter=adapter if adapter is not None else i.adapter,
        device=cfg.runtime.device,
        **i.model_dump(exclude={"adapter"}),
        merge=merge,
    )
