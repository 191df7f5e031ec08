"""`recruiter train merge`: base + LoRA adapter -> one plain HF model folder.

For runtimes that prefer a single model (llama.cpp conversion, ONNX export, a vLLM deployment
without ``--enable-lora``). The merge happens in float32, so the merged weights equal
``W + (alpha / r) * B @ A`` without rounding the base; ``dtype`` picks what is saved. The folder
loads in the inference engine as ``models.llm=<folder>`` with ``inference.adapter=null``, and
keeps ``recruiter.json`` (prompt version and budget) so it is served exactly as trained.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..inference.loading import ADAPTER_META
from ..models import resolve_adapter, resolve_llm
from ..storage import atomic_dir, atomic_write_json


def merge(
    adapter: str | Path, output: str | Path, dtype: str = "bf16", overwrite: bool = False
) -> Path:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter_dir = resolve_adapter(str(adapter))
    if adapter_dir is None:
        raise InputError("merge needs an adapter folder")
    if dtype not in ("bf16", "fp32"):
        raise InputError(f"dtype must be bf16 or fp32, not {dtype!r}")
    meta_path = adapter_dir / ADAPTER_META
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    base = resolve_llm(meta.get("base_model", "smollm2-135m-instruct"))
    output = Path(output)
    if output.exists() and not overwrite:
        raise InputError(f"{output} already exists (pass --overwrite to replace it)")
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    model = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    if dtype == "bf16":
        model = model.to(torch.bfloat16)
    tokenizer = AutoTokenizer.from_pretrained(adapter_dir)
    with atomic_dir(output, overwrite=overwrite) as tmp:
        model.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))
        atomic_write_json(
            tmp / ADAPTER_META, {**meta, "merged_from": str(adapter_dir), "dtype": dtype}
        )
    return output
