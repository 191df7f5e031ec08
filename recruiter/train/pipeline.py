"""`recruiter train`: LoRA / QLoRA fine-tuning of the decision model on prepared splits.

What happens, in order:

1. everything that can be wrong with the input is checked before anything is written: the
   prepared folder and its splits and columns, the base model (offline), the LoRA target modules;
2. examples are rebuilt with the shared prompt builder and fitted into ``max_length`` (the middle
   of the longest document goes, never the answer), with a report of what was cut;
3. TRL's SFTTrainer (completion-only loss, :class:`~.trainer.CompactSFTTrainer`) trains a PEFT
   LoRA adapter: cosine schedule with warm-up, validation every epoch (or N steps), early
   stopping and best checkpoint by validation decisions (macro-F1 through the inference engine,
   :mod:`.selection`; ``train.select_by=loss`` for the loss), seeded;
4. the best adapter is saved (bf16 safetensors) with ``recruiter.json`` (base model, prompt
   version and token budget: what the inference engine needs to serve it exactly as trained);
5. the model card is written; with ``evaluate_test`` the ``recruiter train`` command then runs
   :func:`recruiter.eval.trained.evaluate_run` (decisions on the test split through the inference
   engine beside the baselines, into ``metrics.json`` and the card). The eval stage sits above
   this one, so the command, not this function, chains them.

The run folder is not built atomically like the other stages' outputs, because its checkpoints
must survive a crash for ``-o train.resume=RUN_DIR``. Its final artefacts are: ``adapter/``
(renamed into place complete), ``training.json`` and ``metrics.json`` (atomic writes). A folder
without ``adapter/`` is an unfinished run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..config import RecruiterConfig, config_hash, save_resolved, to_dict
from ..errors import InputError, ModelError
from ..inference.evidence import EVIDENCE_VERSION, default_matcher
from ..inference.loading import (
    ADAPTER_META,
    adapter_meta,
    adapter_sha256,
    check_target_modules,
    load_causal_lm,
    resolve_device,
    resolve_precision,
)
from ..inference.prompt import PROMPT_VERSION
from ..models import EMBEDDED, make_portable, resolve_adapter, resolve_llm
from ..splits import dataset_name, manifest_sha256, read_split
from ..storage import atomic_dir, atomic_write_json, new_run_dir, package_versions
from . import data as data_mod
from .injections import inject_rows

PACKAGES = ("recruiter", "torch", "transformers", "trl", "peft", "bitsandbytes", "datasets")


def _console():
    from rich.console import Console

    return Console(stderr=True)


def latest_checkpoint(path: Path) -> Path | None:
    """``path`` itself if it is a checkpoint, else the newest ``checkpoints/checkpoint-N`` in it."""
    if (path / "trainer_state.json").is_file():
        return path
    found = [
        (int(m.group(1)), p)
        for p in (path / "checkpoints").glob("checkpoint-*")
        if (m := re.fullmatch(r"checkpoint-(\d+)", p.name)) and (p / "trainer_state.json").is_file()
    ]
    return max(found)[1] if found else None


def _run_dir(cfg: RecruiterConfig) -> tuple[Path, Path | None]:
    t = cfg.train
    if t.resume:
        resume = Path(t.resume)
        ckpt = latest_checkpoint(resume)
        if ckpt is None:
            raise InputError(f"train.resume={resume}: no checkpoint found to resume from")
        run_dir = resume if ckpt != resume else resume.parent.parent
        return run_dir, ckpt
    out = Path(t.output) if t.output else new_run_dir("train")
    if (out / "adapter").exists():
        raise InputError(f"{out} already holds a finished run; choose another train.output")
    return out, None


def _init_adapter(cfg: RecruiterConfig) -> Path | None:
    """The adapter to start from (``train.init_adapter``), checked against the base model and
    the prompt it will be trained on."""
    name = cfg.train.init_adapter
    if not name:
        return None
    try:
        path = resolve_adapter(name)
    except ModelError as exc:
        raise InputError(f"train.init_adapter: {exc}") from None
    if path is None:
        return None
    meta = adapter_meta(path)
    if meta.get("base_model") and meta["base_model"] != cfg.models.llm:
        raise InputError(
            f"train.init_adapter={name} was trained on {meta['base_model']}, not "
            f"models.llm={cfg.models.llm}"
        )
    want = train_prompt_version(cfg, path)
    if meta.get("prompt_version") and meta["prompt_version"] != want:
        raise InputError(
            f"train.init_adapter={name} was trained on prompt {meta['prompt_version']}, not "
            f"train.prompt_version={want}"
        )
    return path


def train_prompt_version(cfg: RecruiterConfig, init: Path | None) -> str:
    """The prompt version a run trains on: ``train.prompt_version``, else the init adapter's,
    else the current :data:`PROMPT_VERSION`."""
    if cfg.train.prompt_version:
        return cfg.train.prompt_version
    return (adapter_meta(init).get("prompt_version") if init else None) or PROMPT_VERSION


def _to_dataset(examples: list[dict]):
    from datasets import Dataset

    return Dataset.from_list(
        [{"prompt": e["prompt"], "completion": e["completion"]} for e in examples]
    )


def _save_adapter(model, tokenizer, target: Path, meta: dict) -> Path:
    """Adapter weights in bf16 (half the size; LoRA deltas need no more), tokenizer and meta."""
    import torch
    from safetensors.torch import load_file, save_file

    with atomic_dir(target, overwrite=True) as tmp:
        model.save_pretrained(str(tmp), safe_serialization=True)
        weights = tmp / "adapter_model.safetensors"
        tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in load_file(weights).items()}
        save_file(tensors, str(weights), metadata={"format": "pt"})
        tokenizer.save_pretrained(str(tmp))
        make_portable(tmp)  # vLLM images (transformers 4) may read the adapter's tokenizer
        atomic_write_json(tmp / ADAPTER_META, meta)
        # The trainer records the local cache path of the base; name the model instead, so the
        # folder means the same on every machine (vLLM and PEFT take the base separately).
        conf_path = tmp / "adapter_config.json"
        conf = json.loads(conf_path.read_text())
        embedded = EMBEDDED.get(meta["base_model"])
        conf["base_model_name_or_path"] = embedded.hf_id if embedded else meta["base_model"]
        atomic_write_json(conf_path, conf)
    return target


def _final_eval(trainer) -> dict:
    """Validation metrics of the weights being saved. When the last step was evaluated and is the
    best checkpoint (the usual end of a run), those logged numbers are reused: re-evaluating the
    same weights costs ~4 min of CPU per 150 examples for the same loss."""
    state = trainer.state
    logged = [h for h in state.log_history if "eval_loss" in h]
    last = state.global_step
    if logged and logged[-1].get("step") == last and state.best_global_step == last:
        return logged[-1]
    return trainer.evaluate()


def _loss_at(log_history: list[dict], step: int | None) -> float | None:
    """Validation loss logged at ``step`` (the chosen checkpoint's), else the last one logged."""
    losses = [h for h in log_history if "eval_loss" in h]
    at = [h["eval_loss"] for h in losses if h.get("step") == step]
    return at[-1] if at else (losses[-1]["eval_loss"] if losses else None)


def run(cfg: RecruiterConfig, command: str = "recruiter train") -> Path:
    """Train an adapter as configured; return the run folder (``adapter/`` inside)."""
    import torch

    t = cfg.train
    console = _console()
    if t.status_weight != 1.0 and not t.compact_loss:
        raise InputError("train.status_weight needs train.compact_loss=true")
    device = resolve_device(cfg.runtime.device)
    precision = resolve_precision(t.precision, device)
    if cfg.runtime.num_threads:
        torch.set_num_threads(cfg.runtime.num_threads)

    if t.calibrate and (t.reasoning != "sheet" or t.select_by != "decisions"):
        raise InputError(
            "train.calibrate needs train.reasoning=sheet and train.select_by=decisions (the "
            "threshold is tuned on the selection's validation decisions and must not contradict "
            "a verdict in the reasoning)"
        )
    # 1. validate inputs before writing anything
    datasets = [(dataset_name(t.data, t.data), t.data, 1.0)] + [
        (e.name or dataset_name(e.data), e.data, e.weight) for e in t.extra_data
    ]
    if len({name for name, _, _ in datasets}) < len(datasets):
        raise InputError(
            f"train.extra_data: a dataset is named {datasets[0][0]!r} like train.data; give it "
            "another `name`"
        )
    train_rows, sources = data_mod.mix_sources(
        [(name, read_split(d, "train", t.max_train_examples), w) for name, d, w in datasets],
        cfg.seed,
    )
    train_rows, injected = inject_rows(train_rows, t.injection_rate, cfg.seed)
    val_rows = [
        {**r, "dataset": name}
        for name, d, _ in datasets
        for r in read_split(d, "validation", t.max_eval_examples)
    ]
    if t.evaluate_test:
        for _, d, _ in datasets:
            read_split(d, "test", 1)
    base_path = resolve_llm(cfg.models.llm)
    init = _init_adapter(cfg)
    run_dir, checkpoint = _run_dir(cfg)

    # 2. examples
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    budget = t.max_length - cfg.inference.max_new_tokens
    if budget < 128:
        raise InputError(
            f"train.max_length={t.max_length} leaves {budget} prompt tokens after the "
            f"{cfg.inference.max_new_tokens}-token answer room; raise train.max_length"
        )
    version = train_prompt_version(cfg, init)
    threshold = cfg.inference.evidence_match_threshold
    matcher = default_matcher(threshold) if version != "v1" else None
    train_ex, train_fit = data_mod.to_examples(
        train_rows, tokenizer, budget, "train", version, matcher, t.reasoning
    )
    val_ex, val_fit = data_mod.to_examples(
        val_rows, tokenizer, budget, "validation", version, matcher, t.reasoning
    )
    console.print(
        f"[bold]train[/] {len(train_ex)} train / {len(val_ex)} validation examples; "
        f"cut to fit {t.max_length} tokens: {train_fit.cut} train, {val_fit.cut} validation",
        highlight=False,
    )

    # 3. model + trainer
    from peft import PeftModel, get_peft_model, prepare_model_for_kbit_training
    from transformers import EarlyStoppingCallback, set_seed
    from trl import SFTTrainer

    from .builders import to_lora_config, to_sft_config
    from .selection import DecisionEvalCallback
    from .trainer import CompactSFTTrainer, ThroughputCallback

    set_seed(cfg.seed)
    model, _ = load_causal_lm(base_path, precision, device, training=True)
    if init is None:
        check_target_modules(model, t.lora.target_modules)
    if precision == "nf4":
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=t.gradient_checkpointing
        )
    if init is None:
        model = get_peft_model(model, to_lora_config(t))
    else:  # the adapter's own LoRA config; its weights load into the base's (training) dtype
        model = PeftModel.from_pretrained(model, str(init), is_trainable=True)
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    peft_conf = model.peft_config["default"]
    lora_used = {
        "r": peft_conf.r,
        "alpha": peft_conf.lora_alpha,
        "dropout": peft_conf.lora_dropout,
        "target_modules": sorted(peft_conf.target_modules),
    }

    run_dir.mkdir(parents=True, exist_ok=True)
    save_resolved(cfg, run_dir, command)
    args = to_sft_config(
        t,
        run_dir / "checkpoints",
        device=device,
        precision=precision,
        seed=cfg.seed,
    )
    # what the engine needs to serve the adapter as trained (also read by the selection engine)
    meta = {
        "base_model": cfg.models.llm,
        "prompt_version": version,
        "prompt_budget": budget,
        "max_length": t.max_length,
        "precision": precision,
        "device": device,
        "data": str(t.data),
        "data_manifest_sha256": manifest_sha256(t.data),
        "config_sha256": config_hash(cfg),
        "seed": cfg.seed,
        "init_adapter_sha256": adapter_sha256(init),
    }
    if version != "v1":
        meta["evidence"] = {"version": EVIDENCE_VERSION, "match_threshold": threshold}
    meta["reasoning_target"] = t.reasoning
    if t.extra_data:
        meta["extra_data"] = [
            {"name": name, "data": str(d), "weight": w, "manifest_sha256": manifest_sha256(d)}
            for name, d, w in datasets[1:]
        ]
    throughput = ThroughputCallback(device)
    callbacks = [throughput]
    selector = None
    if t.select_by == "decisions":  # before early stopping: it reads the metric this adds
        from ..inference.engine import build_engine

        selector = DecisionEvalCallback(
            val_rows,
            meta,
            lambda adapter_dir: build_engine(cfg, llm=cfg.models.llm, adapter=adapter_dir),
            run_dir,
        )
        callbacks.append(selector)
    if t.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=t.early_stopping_patience))
    trainer_cls = CompactSFTTrainer if t.compact_loss else SFTTrainer
    trainer = trainer_cls(
        model=model,
        args=args,
        train_dataset=_to_dataset(train_ex),
        eval_dataset=_to_dataset(val_ex),
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    throughput.trainer = trainer
    if selector is not None:
        selector.trainer = trainer
    if t.status_weight != 1.0:
        trainer.status_weight = t.status_weight
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final_eval = _final_eval(trainer)

    # 4. the best adapter + its metadata
    _save_adapter(trainer.model, tokenizer, run_dir / "adapter", meta)
    state = trainer.state
    training = {
        "command": command,
        **meta,
        "trainable_parameters": n_trainable,
        "lora": lora_used,
        "examples": {"train": len(train_ex), "validation": len(val_ex)},
        "datasets": {
            name: {
                "data": str(d),
                **sources[name],
                "validation": sum(r["dataset"] == name for r in val_rows),
            }
            for name, d, _ in datasets
        },
        "truncation": {"train": train_fit.as_dict(), "validation": val_fit.as_dict()},
        "injected": {
            "rate": t.injection_rate,
            "records": sum(injected.values()),
            "kinds": injected,
        },
        "steps": state.global_step,
        "epochs": state.epoch,
        "best_checkpoint": state.best_model_checkpoint,
        "selected_by": t.select_by,
        "best_metric": state.best_metric,
        "best_eval_loss": _loss_at(state.log_history, state.best_global_step),
        "selection": selector.history if selector is not None else None,
        "final_eval_loss": final_eval.get("eval_loss"),
        "train_loss": result.training_loss,
        "resumed_from": str(checkpoint) if checkpoint else None,
        "init_adapter": str(init) if init else None,
        **throughput.last,
        "packages": package_versions(PACKAGES),
        "log_history": state.log_history,
        "config": to_dict(cfg),
    }
    atomic_write_json(run_dir / "training.json", training)
    name = "validation decision score" if selector is not None else "eval_loss"
    chosen = f"{name} {state.best_metric:.4f}" if state.best_metric is not None else "(no eval)"
    console.print(
        f"[bold]train[/] best {chosen} after {state.global_step} steps; "
        f"{throughput.last.get('tokens_per_second', 0):.0f} tokens/s -> {run_dir / 'adapter'}",
        highlight=False,
    )
    if t.calibrate and selector is not None:
        from .selection import calibrate

        cal = calibrate(run_dir)
        console.print(
            f"[bold]train[/] P(select) threshold {cal['threshold']:.3f} (validation macro-F1 "
            f"{cal['macro_f1_greedy']:.3f} greedy -> {cal['macro_f1_at_threshold']:.3f})",
            highlight=False,
        )
    from .card import write_card

    write_card(run_dir)  # `recruiter train` then adds the test split's numbers (eval.trained)
    return run_dir
