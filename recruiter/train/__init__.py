"""train: LoRA / QLoRA fine-tuning of the decision model (``run(cfg)``) and adapter merging."""

from .pipeline import run

__all__ = ["run"]
