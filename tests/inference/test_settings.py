"""What the engine's settings resolve to, and the reason recorded for each (no model loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiter.errors import ModelError
from recruiter.inference.loading import Hardware, ModelMeta
from recruiter.inference.settings import (
    CONFIGURED,
    DEFAULT_PROMPT_BUDGET,
    OPTION_DEFAULTS,
    resolve_decode_settings,
)

CPU = Hardware("cpu", "auto: no CUDA device is visible")
CUDA = Hardware("cuda", "auto: a CUDA device is visible")


def _meta(adapter: bool = True, **trained) -> ModelMeta:
    return ModelMeta(
        llm="smollm2-135m-instruct",
        base_path=Path("base"),
        adapter_dir=Path("adapters/run") if adapter else None,
        trained=trained,
        base_sha256="b",
        adapter_sha256="a" if adapter else None,
    )


@pytest.fixture(autouse=True)
def _no_probe(monkeypatch):
    monkeypatch.setenv("RECRUITER_CPU_BF16", "0")  # precision auto on CPU: fp32, not measured


def test_float32_on_cpu_decodes_rows_with_drafts_and_says_why():
    st = resolve_decode_settings({}, CPU, _meta(prompt_version="v1"))
    assert (st.precision, st.prefill, st.draft_tokens, st.attention) == (
        "fp32",
        "rows",
        3,
        "packed",
    )
    assert "batching invariant on CPU" in st.reasons["precision"]
    assert "float32 on CPU" in st.reasons["prefill"] == st.reasons["draft_tokens"]
    assert "draft_tokens > 0" in st.reasons["attention"]
    assert st.merge and st.reasons["device"] == CPU.reason


def test_bf16_and_cuda_keep_the_padded_draft_free_settings_of_the_eval_numbers():
    bf16 = resolve_decode_settings({"precision": "bf16"}, CPU, _meta())
    assert (bf16.prefill, bf16.draft_tokens, bf16.attention) == ("batch", 0, "sdpa")
    assert "bf16 on cpu" in bf16.reasons["prefill"] and bf16.reasons["precision"] == CONFIGURED
    gpu = resolve_decode_settings({"attention": "cpu_decode", "draft_tokens": 2}, CUDA, _meta())
    assert gpu.precision == "nf4" and not gpu.merge and "nf4" in gpu.reasons["merge"]
    # the CPU attentions are not what runs on CUDA: the settings record what does
    assert gpu.attention == "sdpa" and "CPU only" in gpu.reasons["attention"]
    assert gpu.draft_tokens == 2 and gpu.reasons["draft_tokens"] == CONFIGURED


def test_configured_values_win_and_say_so():
    options = {"precision": "fp32", "prefill": "batch", "draft_tokens": 0, "batch_size": 16}
    options["batching"] = "variant"
    st = resolve_decode_settings(options, CPU, _meta(prompt_budget=900))
    assert (st.prefill, st.draft_tokens, st.attention, st.batch_size) == ("batch", 0, "sdpa", 16)
    assert all(st.reasons[k] == CONFIGURED for k in ("prefill", "draft_tokens", "batch_size"))
    assert "may depend on the candidates decoded beside it" in st.reasons["batching"]
    assert st.prompt_budget == 900 and "adapter's" in st.reasons["prompt_budget"]
    assert resolve_decode_settings({"prompt_budget": 500}, CPU, _meta()).prompt_budget == 500


def test_batch_invariance_is_the_default_and_says_what_it_costs():
    """Float32 rows decode in batches (the same answers: test_batch_invariance.py); any setting
    that rounds with its batch partners decodes each candidate alone unless variant is asked."""
    fp32 = resolve_decode_settings({"batch_size": 16}, CPU, _meta())
    assert (fp32.batching, fp32.prefill, fp32.batch_size) == ("invariant", "rows", 16)
    assert "same answer alone and in any batch" in fp32.reasons["batching"]
    for options in ({"precision": "bf16"}, {"precision": "fp32", "prefill": "batch"}):
        st = resolve_decode_settings({**options, "batch_size": 16}, CPU, _meta())
        assert (st.batching, st.batch_size) == ("invariant", 1)
        assert "decoded alone" in st.reasons["batching"]
        assert st.reasons["batch_size"] == "batching invariant: 1 (configured 16)"
    gpu = resolve_decode_settings({}, CUDA, _meta())
    assert gpu.batch_size == 1 and "nf4 on cuda" in gpu.reasons["batching"]
    fast = resolve_decode_settings({"precision": "bf16", "batching": "variant"}, CPU, _meta())
    assert (fast.batching, fast.batch_size) == ("variant", OPTION_DEFAULTS["batch_size"])


def test_auto_precision_probes_bf16_only_where_batches_may_vary(monkeypatch):
    monkeypatch.setenv("RECRUITER_CPU_BF16", "1")  # the probe would pick bf16 here
    invariant = resolve_decode_settings({}, CPU, _meta())
    assert (invariant.precision, invariant.prefill, invariant.batch_size) == ("fp32", "rows", 8)
    variant = resolve_decode_settings({"batching": "variant"}, CPU, _meta())
    assert (variant.precision, variant.prefill, variant.batch_size) == ("bf16", "batch", 8)
    assert variant.reasons["precision"] == "auto: RECRUITER_CPU_BF16=1"


def test_the_adapter_decides_prompt_budget_and_thresholds():
    trained = {"prompt_version": "v2", "decision_threshold": 0.4}
    trained["evidence"] = {"match_threshold": 0.65}
    st = resolve_decode_settings({"evidence_match_threshold": 0.7}, CPU, _meta(**trained))
    assert (st.prompt_version, st.evidence_threshold, st.decision_threshold) == ("v2", 0.65, 0.4)
    assert "validation" in st.reasons["decision_threshold"]
    base = resolve_decode_settings({}, CPU, _meta(adapter=False))
    assert base.prompt_budget == DEFAULT_PROMPT_BUDGET and base.decision_threshold is None
    assert not base.merge and base.reasons["merge"] == "no adapter"
    assert "base model alone" in base.reasons["prompt_version"]


def test_recorded_settings_carry_a_reason_beside_every_resolved_value():
    recorded = resolve_decode_settings({}, CPU, _meta()).describe()
    for name in (
        "device",
        "precision",
        "prefill",
        "draft_tokens",
        "attention",
        "batch_size",
        "batching",
    ):
        assert name in recorded and recorded[f"{name}_reason"], name
    for name in ("prompt_version", "prompt_budget", "merged", "decision_threshold"):
        assert f"{name}_reason" in recorded, name
    assert recorded["evidence_match_threshold_reason"] == "default"
    assert recorded["mask_pii"] is True and recorded["defences"] is True


def test_a_config_section_resolves_like_its_keywords():
    from recruiter.config import InferenceConfig

    cfg = InferenceConfig(precision="fp32", batch_size=4)
    as_config = resolve_decode_settings(cfg, CPU, _meta())
    keywords = {k: v for k, v in cfg.model_dump().items() if k in OPTION_DEFAULTS}
    assert as_config == resolve_decode_settings(keywords, CPU, _meta())


@pytest.mark.parametrize(
    "options, message",
    [
        ({"prefil": "rows"}, "unknown engine options: prefil"),
        ({"prefill": "columns"}, "prefill must be"),
        ({"draft_tokens": -1}, "draft_tokens must be >= 0"),
        ({"attention": "flash"}, "attention must be"),
        ({"batching": "sometimes"}, "batching must be invariant or variant"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ModelError, match=message):
        resolve_decode_settings(options, CPU, _meta())


def test_build_engine_loads_with_the_settings_it_resolved(monkeypatch, tiny_cfg):
    """The config reaches the resolver whole, and the loader gets the resolved values."""
    from recruiter.inference import engine as E

    loaded = {}

    def load(meta, precision, device, attention, merge):
        loaded.update(precision=precision, device=device, attention=attention, merge=merge)
        return "model", "tokenizer", meta

    def init(self, model, tokenizer, settings, meta, masker=None):
        self.model, self.tokenizer, self.settings, self.meta = model, tokenizer, settings, meta
        self.masker = masker

    monkeypatch.setattr(E, "model_meta", lambda llm, adapter: _meta(prompt_version="v1"))
    monkeypatch.setattr(E, "detect_hardware", lambda device: CPU)
    monkeypatch.setattr(E, "load_decision_model", load)
    monkeypatch.setattr(E.Engine, "__init__", init)
    cfg = tiny_cfg.model_copy(
        update={"inference": tiny_cfg.inference.model_copy(update={"precision": "fp32"})}
    )
    engine = E.build_engine(cfg, merge=False)
    st = engine.settings
    assert loaded == {"precision": "fp32", "device": "cpu", "attention": "packed", "merge": False}
    assert (st.batch_size, st.max_new_tokens) == (
        cfg.inference.batch_size,
        cfg.inference.max_new_tokens,
    )
    assert "merge off" in st.reasons["merge"] and engine.describe()["settings"]["merged"] is False
