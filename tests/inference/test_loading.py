"""Which precision ``auto`` picks (recruiter/inference/loading.py)."""

from __future__ import annotations

import json

import pytest

from recruiter.errors import InputError
from recruiter.inference import loading


def test_bf16_is_used_only_where_it_measures_clearly_faster():
    # measured ratios (benchmarks/README.md): AMX Xeon 850/207, Zen 5 EPYC 872/180, a Xeon with
    # AVX512-BF16 and no AMX 128/219
    assert loading.bf16_pays(207, 850)
    assert loading.bf16_pays(180, 872)
    assert not loading.bf16_pays(219, 128)
    assert not loading.bf16_pays(200, 250)  # a small gain does not pay for bf16's rounding


def test_matmul_probe_is_measured_once_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("RECRUITER_HOME", str(tmp_path))
    monkeypatch.setattr(loading, "_RATES", {})
    calls = []
    real = loading.measure_matmul_rates

    def counting(**kw):
        calls.append(1)
        return real(rows=64, reps=2)

    monkeypatch.setattr(loading, "measure_matmul_rates", counting)
    rates = loading.cpu_matmul_rates()
    assert rates["fp32_gflops"] > 0 and rates["bf16_gflops"] > 0
    cached = json.loads((tmp_path / "cache" / "cpu_matmul.json").read_text())
    assert list(cached.values()) == [rates]
    monkeypatch.setattr(loading, "_RATES", {})  # a new process: reads the file, no new probe
    assert loading.cpu_matmul_rates() == rates
    assert len(calls) == 1


@pytest.mark.parametrize("forced", ["0", "1"])
def test_env_forces_the_cpu_precision(monkeypatch, forced):
    monkeypatch.setenv("RECRUITER_CPU_BF16", forced)
    assert loading.fast_bf16_cpu() is (forced == "1")
    assert loading.resolve_precision("auto", "cpu") == ("bf16" if forced == "1" else "fp32")


def test_resolve_precision():
    assert loading.resolve_precision("auto", "cuda") == "nf4"
    assert loading.resolve_precision("auto", "cpu") in ("bf16", "fp32")
    assert loading.resolve_precision("bf16", "cpu") == "bf16"
    with pytest.raises(InputError, match="precision must be one of"):
        loading.resolve_precision("int4", "cpu")


def test_loading_leaves_the_seed_alone_so_lora_init_follows_it(smollm2_dir):
    """No global seed reset inside the loader: the LoRA initialisation is the configured seed's
    (two seeds differ, one seed repeats)."""
    from peft import get_peft_model
    from transformers import set_seed

    from recruiter.config import TrainConfig
    from recruiter.inference.loading import load_causal_lm
    from recruiter.train.builders import to_lora_config

    def lora_a(seed: int):
        set_seed(seed)
        model, _ = load_causal_lm(smollm2_dir, "fp32", "cpu", training=True)
        model = get_peft_model(model, to_lora_config(TrainConfig()))
        return next(p.detach().clone() for n, p in model.named_parameters() if "lora_A" in n)

    a1, a1_again, a2 = lora_a(1), lora_a(1), lora_a(2)
    assert (a1 == a1_again).all()
    assert not (a1 == a2).all()


def test_precision_reason_names_what_chose_it(monkeypatch):
    from recruiter.inference.loading import precision_reason

    assert precision_reason("fp32", "cpu") == "set in the config"
    assert "nf4" in precision_reason("auto", "cuda")
    monkeypatch.setenv("RECRUITER_CPU_BF16", "0")
    assert precision_reason("auto", "cpu") == "auto: RECRUITER_CPU_BF16=0"
    monkeypatch.delenv("RECRUITER_CPU_BF16")
    assert "GFLOP/s" in precision_reason("auto", "cpu")
