"""TRL's SFTTrainer with a completion-only LM head on every device, and a throughput log.

Why a subclass: the decision JSON is ~70 tokens of a ~1,100-token example, and the loss is on
those tokens only. TRL 1.x computes the loss with a chunked "fused LM head" that on Triton
devices projects only the positions with a label, but everywhere else projects *every* position
through the 49k-word head (to keep shapes static for compilers). On CPU that is a third of the
step (log-softmax over 1,100 x 49,152 logits, forward and backward). :class:`CompactSFTTrainer`
runs the backbone, gathers the hidden states of the labelled positions and projects only those:
the same loss, the same gradients, far fewer FLOPs. Everything else (dataset preparation,
completion masks, collator, logging) is TRL's.
"""

from __future__ import annotations

import resource
import time

import torch
import torch.nn.functional as F
from transformers import TrainerCallback
from trl import SFTTrainer

from ..inference.prompt import STATUS_KEY


def _backbone_and_head(model):
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.get_decoder(), base.get_output_embeddings()


def status_positions(tokenizer, targets: torch.Tensor) -> list[int]:
    """Indices into ``targets`` (one example's answer tokens) of the token that commits the
    status value: the first whose text reaches past ``"status": "`` (one per answer, or none).

    Reasoning is most of an answer's tokens; the decision is one of them. Weighting it
    (``train.status_weight``) trains the label as its own objective, as distilling step-by-step
    does with a separate label loss, while the reasoning is still learnt.
    """
    ids = targets.tolist()
    text = ""
    for k, t in enumerate(ids):
        text += tokenizer.decode([t])
        head, sep, rest = text.partition(STATUS_KEY)
        if sep and rest:
            return [k]
    return []


class CompactSFTTrainer(SFTTrainer):
    """SFTTrainer whose loss projects only completion positions through the LM head, with an
    optional extra weight on the status token (``status_weight``; 1 = TRL's loss exactly)."""

    status_weight: float = 1.0

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if return_outputs:  # logits wanted (compute_metrics): TRL's path builds them
            return super().compute_loss(model, inputs, True, num_items_in_batch)
        mode = "train" if model.training else "eval"
        labels = inputs["labels"]
        backbone, head = _backbone_and_head(self.accelerator.unwrap_model(model))
        kwargs = {k: v for k, v in inputs.items() if k in ("attention_mask", "position_ids")}
        target = labels[:, 1:]
        mask = target != -100
        # Accelerate applies mixed precision by wrapping model.forward, which this bypasses.
        with self.accelerator.autocast():
            hidden = backbone(input_ids=inputs["input_ids"], use_cache=False, **kwargs)
            logits = head(hidden.last_hidden_state[:, :-1][mask])
        targets = target[mask]
        if self.status_weight != 1.0:
            per_token = F.cross_entropy(logits.float(), targets, reduction="none")
            weights = torch.ones_like(per_token)
            offset = 0
            for row in range(target.shape[0]):
                row_targets = target[row][mask[row]]
                for k in status_positions(self.processing_class, row_targets):
                    weights[offset + k] = self.status_weight
                offset += len(row_targets)
            loss_sum = (per_token * weights).sum()
        else:
            loss_sum = F.cross_entropy(logits.float(), targets, reduction="sum")
        n_tokens = mask.sum() if num_items_in_batch is None else num_items_in_batch
        loss = loss_sum / torch.as_tensor(n_tokens, device=loss_sum.device).clamp(min=1)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * self.accelerator.num_processes

        with torch.no_grad():
            n_valid = int(mask.sum())
            correct = int((logits.argmax(-1) == targets).sum()) if n_valid else 0
            self._metrics[mode]["mean_token_accuracy"].append(correct / n_valid if n_valid else 0.0)
            if mode == "train":
                self._total_train_tokens += int(inputs["attention_mask"].sum())
            self._metrics[mode]["num_tokens"] = [self._total_train_tokens]
        return loss


def peak_memory_mb(device: str) -> float:
    """Peak memory of this process: CUDA allocator peak on GPU, max RSS on CPU."""
    if device == "cuda" and torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class ThroughputCallback(TrainerCallback):
    """Adds ``tokens_per_second`` and ``peak_memory_mb`` to the training logs.

    Tokens are all tokens of the steps (prompt included, padding excluded); time is the sum of
    the optimizer steps only, so validation and checkpointing do not dilute the figure.
    """

    def __init__(self, device: str):
        self.device = device
        self.trainer = None  # set after the trainer is built (it owns the token count)
        self.busy = 0.0
        self.started: float | None = None
        self.tokens0: int | None = None
        self.last: dict[str, float] = {}

    def on_step_begin(self, args, state, control, **kwargs):
        if self.tokens0 is None and self.trainer is not None:
            self.tokens0 = self.trainer._total_train_tokens
        self.started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        if self.started is not None:
            self.busy += time.perf_counter() - self.started
            self.started = None

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or self.trainer is None or "loss" not in logs or not self.busy:
            return
        tokens = self.trainer._total_train_tokens - (self.tokens0 or 0)
        logs["tokens_per_second"] = round(tokens / self.busy, 1)
        logs["peak_memory_mb"] = round(peak_memory_mb(self.device), 1)
        self.last = {
            "tokens_per_second": logs["tokens_per_second"],
            "peak_memory_mb": logs["peak_memory_mb"],
            "train_seconds": round(self.busy, 1),
            "train_tokens": tokens,
        }
