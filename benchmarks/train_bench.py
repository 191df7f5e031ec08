"""Training throughput: naive TRL defaults against the configured path, same examples, same run.

    .venv/bin/python benchmarks/train_bench.py                    # CPU: naive, ours (bf16), fp32, nf4
    .venv/bin/python benchmarks/train_bench.py --steps 4 --only ours

Each configuration runs in its own process (so peak memory is its own) on the same prepared
synthetic examples, for ``--steps`` optimizer steps after one warm-up step that is not timed.
Tokens/s counts every non-padding token a step processes (prompt included).

* ``naive``: what a first TRL script does: ``SFTConfig()`` defaults (gradient checkpointing on,
  batch 8, ``max_length=1024`` with TRL's truncation — which here cuts the decision JSON off
  most examples, reported as ``answers cut``), bf16, TRL's LM head (every position projected off
  GPU), PEFT LoRA r=16 alpha=32 dropout 0.05 on all linear layers.
* ``ours``: the train stage's path: examples fitted without cutting the answer, batch 1,
  dropout 0, no checkpointing, bf16 autocast on this CPU, the completion-only compact loss.
* ``ours-fp32`` and ``ours-nf4``: the same at other precisions (nf4 = bitsandbytes 4-bit).
* On CUDA (when present): ``gpu-bf16`` (LoRA) and ``gpu-qlora`` (nf4), batch 16.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]


def examples(n: int, prepared: Path | None):
    from transformers import AutoTokenizer

    from recruiter.models import resolve_llm
    from recruiter.splits import read_split

    tok = AutoTokenizer.from_pretrained(resolve_llm("smollm2-135m-instruct"))
    if prepared is None:
        prepared = REPO / "runs" / "prepare" / "synth"
    rows = read_split(prepared, "train", n)
    return rows, tok


def child(name: str, steps: int, n: int, prepared: Path | None) -> dict:
    import torch
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from recruiter.config import TrainConfig
    from recruiter.inference.loading import load_causal_lm
    from recruiter.inference.prompt import build_messages
    from recruiter.models import resolve_llm
    from recruiter.train import data
    from recruiter.train.builders import to_lora_config, to_sft_config
    from recruiter.train.trainer import CompactSFTTrainer

    torch.set_num_threads(os.cpu_count() or 2)
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    rows, tok = examples(n, prepared)
    path = resolve_llm("smollm2-135m-instruct")
    out = Path(os.environ.get("BENCH_TMP", "/tmp")) / f"train_bench_{name}"
    precision = {
        "naive": "bf16",
        "ours": "bf16",
        "ours-fp32": "fp32",
        "ours-nf4": "nf4",
        "gpu-bf16": "bf16",
        "gpu-qlora": "nf4",
    }[name]

    class Timer(TrainerCallback):
        def __init__(self):
            self.t = None
            self.tokens0 = 0
            self.trainer = None

        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 1:
                self.t = time.perf_counter()
                self.tokens0 = self.trainer._total_train_tokens

    if name == "naive":
        ds = Dataset.from_list(
            [
                {
                    "prompt": build_messages({k: r[k] for k in data.FIELDS}, "v1"),
                    "completion": [{"role": "assistant", "content": r["output"]}],
                    "idx": i,
                }
                for i, r in enumerate(rows)
            ]
        )
        model, _ = load_causal_lm(path, "bf16", device, training=True)
        model = get_peft_model(
            model,
            LoraConfig(
                r=16,
                lora_alpha=32,
                lora_dropout=0.05,
                target_modules="all-linear",
                task_type="CAUSAL_LM",
            ),
        )
        args = SFTConfig(
            output_dir=str(out),
            max_steps=steps + 1,
            report_to="none",
            use_cpu=not cuda,
            save_strategy="no",
            logging_steps=1000,
            disable_tqdm=True,
        )
        trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok)
        # TRL truncates to max_length from the end, and drops examples left without any
        # completion token: both count as answers cut (aligned by the row index column).
        answers = [len(tok(r["output"], add_special_tokens=False)["input_ids"]) for r in rows]
        kept = [0] * len(rows)
        for ex in trainer.train_dataset:
            if "completion_mask" in ex:
                kept[ex["idx"]] = sum(ex["completion_mask"])
            elif "labels" in ex:
                kept[ex["idx"]] = sum(1 for x in ex["labels"] if x != -100)
            else:
                kept[ex["idx"]] = len(ex["input_ids"])
        cut = sum(k < a for k, a in zip(kept, answers, strict=True))
    else:
        t = TrainConfig(
            max_steps=steps + 1,
            batch_size=16 if cuda else 1,
            grad_accum=1,
            logging_steps=1000,
            early_stopping_patience=0,
        )
        budget = t.max_length - 160
        ex, report = data.to_examples(rows, tok, budget, version="v1")
        ds = Dataset.from_list([{"prompt": e["prompt"], "completion": e["completion"]} for e in ex])
        model, _ = load_causal_lm(path, precision, device, training=True)
        if precision == "nf4":
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
        model = get_peft_model(model, to_lora_config(t))
        args = to_sft_config(t, out, device=device, precision=precision, seed=0)
        args.eval_strategy = "no"
        args.save_strategy = "no"
        args.load_best_model_at_end = False
        args.disable_tqdm = True
        trainer = CompactSFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok)
        cut = 0
    timer = Timer()
    timer.trainer = trainer
    trainer.add_callback(timer)
    trainer.train()
    elapsed = time.perf_counter() - timer.t
    tokens = trainer._total_train_tokens - timer.tokens0
    peak = (
        torch.cuda.max_memory_allocated() / 2**20
        if cuda
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    return {
        "config": name,
        "tokens_per_s": tokens / elapsed,
        "seconds": elapsed,
        "tokens": tokens,
        "peak_mb": peak,
        "answers_cut": cut,
        "examples": len(rows),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--steps", type=int, default=4, help="timed optimizer steps per configuration")
    ap.add_argument("--examples", type=int, default=32)
    ap.add_argument("--prepared", type=Path, default=None)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--child", default=None)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.steps, args.examples, args.prepared)))
        return
    import torch

    names = (
        ["naive", "gpu-bf16", "gpu-qlora"]
        if torch.cuda.is_available()
        else ["naive", "ours", "ours-fp32", "ours-nf4"]
    )
    names = args.only or names
    results = []
    for name in names:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            name,
            "--steps",
            str(args.steps),
            "--examples",
            str(args.examples),
        ]
        if args.prepared:
            cmd += ["--prepared", str(args.prepared)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        line = next((x for x in p.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"{name}: failed\n{p.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(line[7:]))
    base = next((r for r in results if r["config"] == "naive"), None)
    print(f"\n{'config':<12} {'tokens/s':>10} {'x naive':>8} {'peak MB':>9} {'answers cut':>12}")
    for r in results:
        ratio = r["tokens_per_s"] / base["tokens_per_s"] if base else float("nan")
        cut = f"{r['answers_cut']}/{r['examples']}" if r["answers_cut"] is not None else "–"
        print(
            f"{r['config']:<12} {r['tokens_per_s']:>10.1f} {ratio:>8.2f} {r['peak_mb']:>9.0f} {cut:>12}"
        )


if __name__ == "__main__":
    main()
