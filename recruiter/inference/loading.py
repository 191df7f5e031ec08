"""Loading a causal LM (and a LoRA adapter) at a precision, on a device: shared by train and inference.

Precisions:

* ``fp32``: plain float32 weights.
* ``bf16``: bfloat16 weights (CUDA), or on CPU float32 weights with bf16 autocast for training and
  bfloat16 weights for inference. With AMX (or Arm BF16) a bf16 matmul runs ~4x faster than
  fp32 (measured on 2 cores of an AMX Xeon: 850 vs 207 GFLOP/s); with AVX512-BF16 alone it is
  slower than fp32 (128 vs 219 GFLOP/s on another 2-core Xeon), see :func:`fast_bf16_cpu`.
* ``nf4``: bitsandbytes 4-bit NormalFloat with double quantisation and bf16 compute (QLoRA). It is
  the CUDA default; bitsandbytes >= 0.46 also runs it on CPU, where it saves memory, not time.
* ``auto``: ``nf4`` on CUDA, ``bf16`` on a CPU where bf16 matmuls are fast, else ``fp32``.
"""

from __future__ import annotations

import functools
import json
import platform
from pathlib import Path

from ..errors import InputError, ModelError

PRECISIONS = ("auto", "fp32", "bf16", "nf4")


def resolve_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("runtime.device=cuda but no CUDA device is visible")
    return device


@functools.cache
def fast_bf16_cpu() -> bool:
    """Whether bf16 matmuls beat float32 on this CPU, from its feature flags.

    x86 needs AMX (``amx_bf16``): AVX512-BF16 alone converts and dot-products in vector units,
    and measured slower than float32 on a 2-core Xeon with it and without AMX (a 1,100 x 576 x
    1,536 matmul: 128 vs 219 GFLOP/s; the engine: see benchmarks/README.md). Arm's BF16
    extension (``bf16``) has matrix instructions (BFMMLA) that oneDNN uses.
    """
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.machine() == "arm64"  # Apple silicon M2+ has BF16; older ones are rare
    flags = set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            flags.update(line.split(":", 1)[1].split())
            break
    return bf16_flags_fast(flags)


def bf16_flags_fast(flags: set[str]) -> bool:
    """The rule of :func:`fast_bf16_cpu` on a set of /proc/cpuinfo flags."""
    return bool(flags & {"amx_bf16", "bf16"})


def resolve_precision(precision: str, device: str) -> str:
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if precision != "auto":
        return precision
    if device == "cuda":
        return "nf4"
    return "bf16" if fast_bf16_cpu() else "fp32"


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
    import torch
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
    torch.manual_seed(0)
    return model, tokenizer


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
