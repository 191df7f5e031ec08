"""`RemoteEngine`: the decision engine over an OpenAI-compatible server (vLLM on a GPU).

It does everything the local :class:`~.engine.Engine` does except run the model: the same
preflight, the same fitting into the token budget (a tokenizer is loaded for counting, no
weights), the same prompt; then it asks the server for a chat completion with
``response_format={"type": "json_schema", ...}`` (vLLM compiles it with xgrammar, the grammar
engine used locally), ``temperature=0`` and ``top_logprobs``, validates the answer with
jsonschema, retries once with a larger budget and otherwise returns an error record.

``p_select`` comes from the returned log-probabilities at the token that commits the status
value, with the local engine's formula (two-way softmax between the best ``select``-starting
and the best ``reject``-starting token among the alternatives the server returned). vLLM
returns log-probabilities before its structured-output mask, as our own server does.

The same class is tested against our own server (``recruiter serve``), so the code path to vLLM
runs over real HTTP in the test suite.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import ModelError
from ..models import resolve_adapter, resolve_llm
from ..schemas import is_valid, load_schema
from .constrained import _status_branch
from .decision import call_identity, decision_record, masker_name, prepare_candidate, thresholded
from .evidence import default_matcher
from .loading import adapter_meta, adapter_sha256
from .settings import resolve_served_prompt

TOP_LOGPROBS = 20  # vLLM's default cap (--max-logprobs); fewer alternatives widen the bound below


def p_select_from_logprobs(content: Sequence[Mapping]) -> float | None:
    """P(select) from OpenAI-style ``logprobs.content`` of a decision answer."""
    text = b""
    for entry in content:
        before = text
        text += entry["token"].encode("utf-8")
        if _status_branch(text) is None:
            continue
        best = {"select": -math.inf, "reject": -math.inf}
        alts = [entry, *entry.get("top_logprobs", [])]
        for alt in alts:
            branch = _status_branch(before + alt["token"].encode("utf-8"))
            if branch:
                best[branch] = max(best[branch], alt["logprob"])
        # a branch missing from the top-k is at most as likely as the least likely token
        # returned: P(select) is then bounded by that, not 0 or 1 (which no model means)
        floor = min(alt["logprob"] for alt in alts)
        s = best["select"] if best["select"] > -math.inf else floor
        r = best["reject"] if best["reject"] > -math.inf else floor
        return 1.0 / (1.0 + math.exp(r - s))
    return None


class RemoteEngine:
    """A :class:`~.decision.DecisionEngine` whose model runs on an OpenAI-compatible server."""

    local = False  # the server's chat route relays to the remote server instead

    def __init__(
        self,
        base_url: str,
        model: str = "recruiter",
        api_key: str | None = None,
        llm: str = "smollm2-135m-instruct",
        adapter: str | None = None,
        max_new_tokens: int = 160,
        retry_max_new_tokens: int = 320,
        batch_size: int = 8,
        prompt_budget: int | None = None,
        timeout_s: float = 300.0,
        mask_pii: bool = True,
        evidence_match_threshold: float | None = None,
        masker=None,
    ):
        from openai import OpenAI
        from transformers import AutoTokenizer

        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "none", timeout=timeout_s, max_retries=2
        )
        self.remote_model = model
        self.llm = llm
        local_adapter = None
        if adapter and (adapter == "default" or Path(adapter).exists()):
            try:
                local_adapter = resolve_adapter(adapter)
            except ModelError:
                local_adapter = None
        self.adapter_sha256 = adapter_sha256(local_adapter)
        self.model_id = f"remote:{model}"
        # prompt version, budget and thresholds as the local Engine resolves them
        self.served = resolve_served_prompt(
            adapter_meta(local_adapter), local_adapter, prompt_budget, evidence_match_threshold
        )
        self.prompt_budget, self.prompt_version = self.served.budget, self.served.version
        self.matcher = default_matcher(self.served.evidence_threshold)
        self.decision_threshold = self.served.decision_threshold
        self.tokenizer = AutoTokenizer.from_pretrained(resolve_llm(llm))
        self.max_new_tokens = max_new_tokens
        self.retry_max_new_tokens = retry_max_new_tokens
        self.batch_size = batch_size
        self.mask_pii, self.masker = mask_pii, masker
        self.schema = load_schema("decision")

    def describe(self) -> dict:
        """Identity, and the settings this side resolves (decoding is the server's)."""
        return {
            "model": self.model_id,
            "base_model": self.llm,
            "adapter_sha256": self.adapter_sha256,
            "prompt_version": self.prompt_version,
            "precision": "remote",
            "device": str(self.client.base_url),
            "settings": {
                "precision": "remote",
                "device": str(self.client.base_url),
                "batch_size": self.batch_size,  # concurrent requests
                "batching": "remote",
                "batching_reason": "the server batches concurrent requests as it schedules them "
                "(vLLM: continuous batching); this side cannot promise batch invariance",
                "max_new_tokens": self.max_new_tokens,
                "retry_max_new_tokens": self.retry_max_new_tokens,
                "mask_pii": self.mask_pii,
                "pii_masker": masker_name(self.masker),
                "defences": True,
                **self.served.describe(),
            },
        }

    def _ask(self, messages: list[dict], max_tokens: int) -> tuple[dict | None, float | None]:
        response = self.client.chat.completions.create(
            model=self.remote_model,
            messages=messages,
            temperature=0,
            max_tokens=max_tokens,
            seed=0,
            logprobs=True,
            top_logprobs=TOP_LOGPROBS,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "decision", "schema": self.schema, "strict": True},
            },
        )
        choice = response.choices[0]
        try:
            parsed = json.loads(choice.message.content or "")
        except ValueError:
            parsed = None
        if not (isinstance(parsed, dict) and is_valid(parsed, "decision")):
            parsed = None
        content = choice.logprobs.content if choice.logprobs and choice.logprobs.content else []
        p = p_select_from_logprobs([c.model_dump() for c in content]) if content else None
        return parsed, p

    def _one(
        self, cand: Mapping, mask_pii: bool | None, defences: bool | None, identity: dict
    ) -> dict:
        messages, flags, _, sheet = prepare_candidate(
            self.tokenizer,
            cand,
            self.prompt_budget,
            self.mask_pii if mask_pii is None else mask_pii,
            True if defences is None else defences,
            version=self.prompt_version,
            matcher=self.matcher,
            masker=self.masker,
        )
        t0 = time.perf_counter()
        try:
            parsed, p = self._ask(messages, self.max_new_tokens)
            if parsed is None:
                flags.append("retried")
                parsed, p = self._ask(messages, self.retry_max_new_tokens)
        except Exception as exc:  # the server is down or answered an error: no decision
            raise ModelError(
                f"remote model {self.client.base_url}: {type(exc).__name__}: {exc}"
            ) from None
        error = "the remote model did not produce a schema-valid decision (after one retry)"
        ms = (time.perf_counter() - t0) * 1000
        parsed = thresholded(parsed, p, self.decision_threshold)
        return decision_record(cand, parsed, p, ms, flags, identity, error, sheet)

    def decide(
        self,
        candidates: Sequence[Mapping],
        audit=None,
        channel: str = "api",
        *,
        mask_pii: bool | None = None,
        defences: bool | None = None,
    ) -> list[dict]:
        """As :meth:`.engine.Engine.decide`, with up to ``batch_size`` requests at a time."""
        identity = call_identity(self, mask_pii, defences)
        with ThreadPoolExecutor(max_workers=self.batch_size) as pool:
            records = list(
                pool.map(lambda c: self._one(c, mask_pii, defences, identity), candidates)
            )
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
        start = time.perf_counter()
        records = self.decide(
            candidates, audit=audit, channel=channel, mask_pii=mask_pii, defences=defences
        )
        return records, time.perf_counter() - start


def remote_from_config(cfg) -> RemoteEngine:
    from ..pii import serving_masker

    s, i = cfg.serve, cfg.inference
    if not s.remote_url:
        raise ModelError("serve.engine=remote needs serve.remote_url (e.g. http://vllm:8000/v1)")
    return RemoteEngine(
        base_url=s.remote_url,
        model=s.remote_model,
        api_key=s.remote_api_key,
        llm=cfg.models.llm,
        adapter=i.adapter,
        max_new_tokens=i.max_new_tokens,
        retry_max_new_tokens=i.retry_max_new_tokens,
        batch_size=i.batch_size,
        prompt_budget=i.prompt_budget,
        timeout_s=s.request_timeout_s,
        evidence_match_threshold=i.evidence_match_threshold,
        masker=serving_masker(),
    )
