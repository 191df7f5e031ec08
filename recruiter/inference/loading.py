"""Loading a causal LM (and a LoRA adapter) at a precision, on a device: shared by train and inference.

Precisions:

* ``fp32``: plain float32 weights.
* ``bf16``: bfloat16 weights (CUDA), or on CPU float32 weights with bf16 autocast for training and
  bfloat16 weights for inference. On some CPUs a bf16 matmul runs ~4x faster than fp32, on
  others slower, whatever the flags say (measured: :func:`fast_bf16_cpu`).
* ``nf4``: bitsandbytes 4-bit NormalFloat with double quantisation and bf16 compute (QLoRA). It is
  the CUDA default; bitsandbytes >= 0.46 also runs it on CPU, where it saves memory, not time.
* ``auto``: ``nf4`` on CUDA, ``bf16`` on a CPU where bf16 matmuls measure >= 1.5x fp32, else
  ``fp32``.

The decision model is loaded in two steps so that the decoding settings can be resolved in
between without loading weights: :func:`model_meta` finds the files and reads the adapter's
``recruiter.json`` (prompt version, budget, threshold: what :mod:`.settings` needs), then
:func:`load_decision_model` loads base + adapter at the resolved precision.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InputError, ModelError
from ..models import resolve_adapter, resolve_llm, weights_sha256
from ..storage import sha256_file

PRECISIONS = ("auto", "fp32", "bf16", "nf4")
ADAPTER_META = "recruiter.json"  # written beside every adapter by the train stage


def resolve_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("runtime.device=cuda but no CUDA device is visible")
    return device


@dataclass(frozen=True)
class Hardware:
    """Where the model runs, and why there: what ``auto`` settings are resolved against."""

    device: str
    reason: str


def detect_hardware(device: str = "auto") -> Hardware:
    """:func:`resolve_device` with the reason (recorded beside the resolved settings)."""
    resolved = resolve_device(device)
    if device != "auto":
        return Hardware(resolved, "set in the config")
    why = "a CUDA device is visible" if resolved == "cuda" else "no CUDA device is visible"
    return Hardware(resolved, f"auto: {why}")


# bf16 only where it is clearly faster: it rounds differently from float32, so a switch must pay
BF16_MIN_SPEEDUP = 1.5
_RATES: dict[str, dict] = {}


def fast_bf16_cpu() -> bool:
    """Whether bf16 matmuls beat float32 on this CPU by :data:`BF16_MIN_SPEEDUP`: measured.

    CPU flags do not tell. With AVX512-BF16 and no AMX, a 1,100 x 576 x 1,536 matmul on 2 cores
    ran at 128 (bf16) vs 219 (fp32) GFLOP/s on a Xeon, and at 872 vs 180 on an AMD EPYC (Zen 5,
    full-width bf16 dot products) with the same flag; 850 vs 207 on an AMX Xeon. So a ~0.1 s
    probe of a SmolLM2-sized matmul runs once per CPU model, flags, thread count and torch version,
    cached in ``$RECRUITER_HOME/cache/cpu_matmul.json``. ``RECRUITER_CPU_BF16=1`` or ``0`` forces it.
    """
    forced = os.environ.get("RECRUITER_CPU_BF16", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    rates = cpu_matmul_rates()
    return bf16_pays(rates["fp32_gflops"], rates["bf16_gflops"])


def bf16_pays(fp32_gflops: float, bf16_gflops: float) -> bool:
    return bf16_gflops >= BF16_MIN_SPEEDUP * fp32_gflops


def cpu_matmul_rates() -> dict:
    """fp32 and bf16 matmul GFLOP/s on this CPU, from the cache or measured now."""
    import torch

    from ..storage import atomic_write_json, home

    key = f"{_cpu_identity()}|threads={torch.get_num_threads()}|torch={torch.__version__}"
    if key in _RATES:  # once per process, whichever RECRUITER_HOME (tests switch it)
        return _RATES[key]
    path = home() / "cache" / "cpu_matmul.json"
    try:
        cache = json.loads(path.read_text())
    except (OSError, ValueError):
        cache = {}
    if not isinstance(cache, dict):
        cache = {}
    hit = cache.get(key)
    if not (isinstance(hit, dict) and {"fp32_gflops", "bf16_gflops"} <= hit.keys()):
        hit = cache[key] = measure_matmul_rates()
        try:
            atomic_write_json(path, cache)
        except OSError:  # a read-only home still gets the answer, measured again next process
            pass
    _RATES[key] = hit
    return hit


def measure_matmul_rates(rows: int = 512, reps: int = 5) -> dict:
    """Best-of-``reps`` GFLOP/s of a (rows x 576) @ (576 x 1,536) matmul (SmolLM2's MLP shape)
    in float32 and bfloat16, interleaved so that a busy machine slows both alike."""
    import time

    import torch

    g = torch.Generator().manual_seed(0)
    a = torch.randn(rows, 576, generator=g)
    b = torch.randn(576, 1536, generator=g)
    pairs = {"fp32_gflops": (a, b), "bf16_gflops": (a.bfloat16(), b.bfloat16())}
    best = dict.fromkeys(pairs, float("inf"))
    with torch.inference_mode():
        for x, y in pairs.values():  # warm-up: oneDNN picks and caches its kernels
            x @ y
        for _ in range(reps):
            for name, (x, y) in pairs.items():
                t = time.perf_counter()
                x @ y
                best[name] = min(best[name], time.perf_counter() - t)
    flops = 2 * rows * 576 * 1536
    return {name: round(flops / max(s, 1e-9) / 1e9, 1) for name, s in best.items()}


@functools.cache  # the CPU does not change under a process; resolve_precision asks often
def _cpu_identity() -> str:
    import hashlib

    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return f"{platform.machine()}|{platform.processor()}"
    model, flags = "", ""
    for line in text.splitlines():
        if not model and line.startswith(("model name", "CPU part")):
            model = line.split(":", 1)[1].strip()
        elif not flags and line.startswith(("flags", "Features")):
            flags = " ".join(sorted(line.split(":", 1)[1].split()))
        if model and flags:
            break
    return f"{platform.machine()}|{model}|{hashlib.sha256(flags.encode()).hexdigest()[:12]}"


def resolve_precision(precision: str, device: str) -> str:
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if precision != "auto":
        return precision
    if device == "cuda":
        return "nf4"
    return "bf16" if fast_bf16_cpu() else "fp32"


def precision_reason(precision: str, device: str) -> str:
    """Why :func:`resolve_precision` gives what it gives (recorded beside the resolved value)."""
    if precision != "auto":
        return "set in the config"
    if device == "cuda":
        return "auto on CUDA: nf4 QLoRA weights, bf16 compute"
    forced = os.environ.get("RECRUITER_CPU_BF16", "").strip()
    if forced in ("0", "1"):
        return f"auto: RECRUITER_CPU_BF16={forced}"
    r = cpu_matmul_rates()
    ratio = r["bf16_gflops"] / max(r["fp32_gflops"], 1e-9)
    return (
        f"auto: bf16 matmuls {r['bf16_gflops']:g} vs fp32 {r['fp32_gflops']:g} GFLOP/s on this "
        f"CPU ({ratio:.2f}x; bf16 from {BF16_MIN_SPEEDUP:g}x)"
    )


def to_quant_config(precision: str):
    """The bitsandbytes config for ``nf4`` (None otherwise): NF4, double quantisation, bf16 compute."""
    if precision != "nf4":
        return None
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
        bnb_4bit_quant_storage=torch.bfloat16,
    )


def weight_dtype(precision: str, device: str, training: bool):
    import torch

    if precision == "bf16" and (device == "cuda" or not training):
        return torch.bfloat16
    if precision == "nf4":
        return torch.bfloat16
    return torch.float32


def attention_implementation(attention: str, device: str, training: bool) -> str:
    """The transformers attention implementation: ``sdpa``, or on CPU inference one of
    :mod:`.attention`'s: ``cpu_decode`` (single-token decode steps as matmuls) or ``packed``
    (SDPA with short multi-token queries packed onto their KV heads: speculative verification);
    prefill is SDPA in every case."""
    if attention in ("cpu_decode", "packed") and device == "cpu" and not training:
        from .attention import NAME, PACKED

        return NAME if attention == "cpu_decode" else PACKED
    return "sdpa"


def load_causal_lm(
    path: str | Path,
    precision: str,
    device: str,
    training: bool = False,
    attention: str = "sdpa",
):
    """``(model, tokenizer)`` from a local HF folder at a resolved precision."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quant = to_quant_config(precision)
    kwargs = {"dtype": weight_dtype(precision, device, training)}
    if quant is not None:
        kwargs["quantization_config"] = quant
        kwargs["device_map"] = {"": 0 if device == "cuda" else "cpu"}
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a 1-second "Loading weights" bar is noise on a CLI
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(
            path,
            attn_implementation=attention_implementation(attention, device, training),
            **kwargs,
        )
    except OSError as exc:
        raise ModelError(f"cannot load model from {path}: {str(exc)[:300]}") from None
    finally:
        hf_logging.enable_progress_bar()
    if quant is None:
        model.to(device)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if not training:
        model.eval()
    return model, tokenizer


def adapter_sha256(adapter_dir: Path | None) -> str | None:
    if adapter_dir is None:
        return None
    weights = adapter_dir / "adapter_model.safetensors"
    return sha256_file(weights) if weights.is_file() else None


def adapter_meta(adapter_dir: Path | None) -> dict:
    """An adapter's (or merged model's) ``recruiter.json``; ``{}`` when it has none."""
    if adapter_dir is None or not (adapter_dir / ADAPTER_META).is_file():
        return {}
    return json.loads((adapter_dir / ADAPTER_META).read_text())


@dataclass(frozen=True)
class ModelMeta:
    """What a decision model is, read without loading weights: its files, the metadata its
    training wrote (``recruiter.json``) and the weights' identities that every record carries.
    ``merged`` is set by :func:`load_decision_model` (whether the adapter was merged in)."""

    llm: str  # the configured base model name (or folder)
    base_path: Path
    adapter_dir: Path | None
    trained: dict  # recruiter.json: prompt_version, prompt_budget, decision_threshold, evidence
    base_sha256: str | None
    adapter_sha256: str | None
    merged: bool = False

    @property
    def model_id(self) -> str:
        return self.llm if self.adapter_dir is None else f"{self.llm}+{self.adapter_dir.name}"


def model_meta(llm: str = "smollm2-135m-instruct", adapter: str | None = "default") -> ModelMeta:
    """Find the base model and adapter and read their metadata (no weights are loaded)."""
    adapter_dir = resolve_adapter(adapter)
    base_path = resolve_llm(llm)
    return ModelMeta(
        llm=llm,
        base_path=base_path,
        adapter_dir=adapter_dir,
        # a merged model (`recruiter train merge`) carries the adapter's metadata itself
        trained=adapter_meta(adapter_dir) or adapter_meta(base_path),
        base_sha256=weights_sha256(base_path),
        adapter_sha256=adapter_sha256(adapter_dir),
    )


def load_decision_model(
    meta: ModelMeta, precision: str, device: str, attention: str = "sdpa", merge: bool = True
):
    """``(model, tokenizer, meta)``: the base model of ``meta`` at a resolved precision on a
    resolved device, with its LoRA adapter (if any) applied, in eval mode; the returned meta
    says whether the adapter was merged.

    fp32/bf16 models get the adapter merged into the weights (no LoRA overhead per token);
    nf4 keeps it unmerged, since merging into 4-bit weights would re-quantise them.
    ``merge=False`` keeps it separate anyway (the server needs that to also serve the base
    model with the adapter switched off)."""
    model, tokenizer = load_causal_lm(meta.base_path, precision, device, attention=attention)
    merged = False
    if meta.adapter_dir is not None:
        from peft import PeftModel

        with warnings.catch_warnings():  # PEFT calls a transformers API deprecated in v5
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
            model = PeftModel.from_pretrained(model, str(meta.adapter_dir))
        merged = merge and precision != "nf4"
        if merged:
            model = model.merge_and_unload()
        model.eval()
    return model, tokenizer, replace(meta, merged=merged)


def adapter_info(adapter_dir: str | Path) -> dict:
    """The adapter's PEFT config as a dict; a folder that is not a PEFT adapter is an error."""
    path = Path(adapter_dir) / "adapter_config.json"
    if not path.is_file():
        raise InputError(f"{adapter_dir}: not a LoRA adapter folder (no adapter_config.json)")
    return json.loads(path.read_text())


def check_target_modules(model, target_modules: str | list[str]) -> None:
    """Fail early, with the names that do exist, if LoRA targets modules the base lacks."""
    if isinstance(target_modules, str):
        return  # "all-linear" or a regex: PEFT resolves it
    import torch

    names = {
        n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)
    }
    names |= {
        n.rsplit(".", 1)[-1]
        for n, m in model.named_modules()
        if type(m).__name__ in ("Linear4bit", "Linear8bitLt")
    }
    missing = [t for t in target_modules if t not in names]
    if missing:
        raise InputError(
            f"LoRA target modules {missing} are not in the base model; its linear layers are: "
            + ", ".join(sorted(names))
        )
