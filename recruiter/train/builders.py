"""Config -> library objects: the only place the train section meets PEFT, TRL and bitsandbytes.

Every other train module takes plain arguments; these builders are small on purpose, so what a
YAML value does is readable in one line.
"""

from __future__ import annotations

from pathlib import Path

from ..config import TrainConfig

# The quantisation builder lives with the loader, since inference loads 4-bit models too.
from ..inference.loading import to_quant_config  # noqa: F401  (re-exported: train's builder set)


def to_lora_config(t: TrainConfig):
    from peft import LoraConfig

    return LoraConfig(
        r=t.lora.r,
        lora_alpha=t.lora.alpha,
        lora_dropout=t.lora.dropout,
        target_modules=t.lora.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )


def to_sft_config(t: TrainConfig, output_dir: Path, *, device: str, precision: str, seed: int):
    """TRL SFTConfig from the train section."""
    from trl import SFTConfig

    from .selection import SCORE_KEY

    by_decisions = t.select_by == "decisions"

    by_steps = t.eval_steps > 0
    return SFTConfig(
        output_dir=str(output_dir),
        seed=seed,
        data_seed=seed,
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.grad_accum,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler,
        warmup_steps=t.warmup_ratio,  # a float < 1 is a share of the total steps
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        optim="adamw_torch",
        bf16=precision in ("bf16", "nf4"),
        fp16=False,
        use_cpu=device == "cpu",
        activation_checkpointing=t.gradient_checkpointing,
        use_liger_kernel=t.liger and device == "cuda",
        eval_strategy="steps" if by_steps else "epoch",
        eval_steps=t.eval_steps if by_steps else None,
        save_strategy="steps" if by_steps else "epoch",
        save_steps=t.eval_steps if by_steps else None,
        save_total_limit=t.save_total_limit,
        load_best_model_at_end=True,
        metric_for_best_model=f"eval_{SCORE_KEY}" if by_decisions else "eval_loss",
        greater_is_better=by_decisions,
        prediction_loss_only=True,
        logging_steps=t.logging_steps,
        logging_first_step=True,
        report_to="none",
        disable_tqdm=False,
        dataloader_num_workers=t.num_workers,
        train_sampling_strategy="group_by_length" if t.group_by_length else "random",
        # Examples are fitted to max_length by our own truncation, which never cuts the answer;
        # TRL's would cut from the end, i.e. the answer first.
        max_length=None,
        completion_only_loss=True,
        packing=False,
    )
