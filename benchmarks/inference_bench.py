"""Decision throughput and latency: a naive generate loop against the engine, same inputs, same run.

    .venv/bin/python benchmarks/inference_bench.py                 # 32 synthetic test candidates
    .venv/bin/python benchmarks/inference_bench.py --n 16 --only naive engine-bf16
    .venv/bin/python benchmarks/inference_bench.py --scenario pool --n 24

Each configuration runs in its own process (peak memory is its own) on the same candidates
from the prepared synthetic test split, with the shipped adapter; ``--scenario mixed`` (default)
takes the first ``--n`` test candidates, each with its own job description, ``--scenario pool``
the candidates of one job (as ``recruiter screen`` sees them: the job description is a prefix
they share):

* ``naive``: what a first script does: base + adapter (PEFT, unmerged) in fp32, one
  ``model.generate`` per candidate, greedy, no grammar, 160 new tokens; JSON parsed afterwards.
* ``engine-auto``: the inference engine as configured by default (``Engine.build()``): adapter
  merged, the precision, prefill and drafts that ``auto`` picks on this machine (fp32 + rows +
  3 drafts on a CPU without fast bf16, bf16 + padded batches + no drafts with AMX), batches of
  8 sorted by length, the system prompt's KV cache reused, grammar-constrained decoding,
  validation + retry.
* ``engine-bf16``, ``engine-fp32``: the same at a fixed precision, padded batches, no drafts.
* ``engine-bf16-fast``: the opt-in CPU options: batches of 16, each prompt prefilled alone
  (``inference.prefill=rows``), decode steps through :mod:`recruiter.inference.attention`
  (``inference.attention=cpu_decode``).
* ``engine-bf16-spec``: batches of 16, each prompt prefilled alone, and speculative decoding
  with n-gram drafts of up to 3 tokens (``inference.draft_tokens=3``,
  :mod:`recruiter.inference.speculative`), from a cold n-gram pool (reset after the warm-up).
* ``engine-bf16-free``: the default engine without the grammar (its cost and what it buys).
* ``engine-nf4``: bitsandbytes 4-bit, adapter unmerged; ``engine-fp32-spec`` etc.: any
  precision with the ``-fast``/``-spec``/``-free`` options.
* ``…-v2`` (any engine row): the same engine and weights served prompt v2 (documents fitted to
  ``--v2-budget`` tokens around the evidence sheet) instead of the adapter's v1: a speed
  comparison of the two prompt formats only (the shipped weights were trained on v1, so their
  v2 statuses mean nothing until an adapter is trained on v2).

Printed: decisions/s, ratio to naive, p50/p95 latency per decision (the wall time of the call
that produced it: a batch for the engine), schema-valid share, peak memory, and how many
statuses equal the default engine's (an option that is faster but changes decisions is not free).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import recruiter  # noqa: F401  (quiets bitsandbytes' hub-kernel warning before torch loads it)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]


def rows(n: int, prepared: Path, scenario: str = "mixed") -> list[dict]:
    """``mixed``: the first ``n`` test candidates (each with its own job description);
    ``pool``: up to ``n`` test candidates of the job with the most of them (one job description,
    as ``recruiter screen`` sees a pool)."""
    from collections import Counter

    from recruiter.splits import read_split

    if scenario == "mixed":
        return read_split(prepared, "test", n)
    test = read_split(prepared, "test")
    job = Counter(r["job_description"] for r in test).most_common(1)[0][0]
    return [r for r in test if r["job_description"] == job][:n]


def child(name: str, n: int, prepared: Path, batch: int, scenario: str, v2_budget: int) -> dict:
    import numpy as np
    import torch

    from recruiter.schemas import is_valid

    torch.set_num_threads(os.cpu_count() or 2)
    cands = rows(n, prepared, scenario)
    lat, valid, statuses = [], 0, []
    if name == "naive":
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from recruiter.inference.prompt import build_messages
        from recruiter.models import resolve_adapter, resolve_llm

        path = resolve_llm("smollm2-135m-instruct")
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
        model = PeftModel.from_pretrained(model, str(resolve_adapter("default"))).eval()
        start = time.perf_counter()
        for c in cands:
            t0 = time.perf_counter()
            msgs = build_messages(
                {k: c[k] for k in ("role", "job_description", "resume", "transcript")}, "v1"
            )
            ids = tok.apply_chat_template(
                msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            with torch.inference_mode():
                out = model.generate(**ids, max_new_tokens=160, do_sample=False)
            text = tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
            try:
                valid += is_valid(json.loads(text), "decision")
            except ValueError:
                pass
            lat.append((time.perf_counter() - t0) * 1000)
            try:
                statuses.append(json.loads(text).get("status"))
            except (ValueError, AttributeError):
                statuses.append(None)
        seconds = time.perf_counter() - start
    else:
        from recruiter.inference.engine import Engine

        # engine-auto: Engine.build() as configured by default; engine-<precision>[-fast|-spec|-free]:
        # bf16, fp32 or nf4, then the option set; a -v2 suffix serves prompt v2
        v2 = name.endswith("-v2")
        name = name.removesuffix("-v2")
        precision = name.split("-")[1]
        if precision not in ("auto", "bf16", "fp32", "nf4"):
            raise SystemExit(f"unknown config {name!r}")
        fast = name.endswith("-fast")  # the opt-in CPU options
        spec = name.endswith("-spec")
        if name == "engine-auto":
            engine = Engine.build(adapter="default", batch_size=batch)
        else:
            engine = Engine.build(
                adapter="default",
                precision=precision,
                batch_size=16 if fast or spec else batch,
                constrained=not name.endswith("-free"),
                prefill="rows" if fast or spec else "batch",
                attention="cpu_decode" if fast else "sdpa",
                draft_tokens=3 if spec else 0,
            )
        if v2:  # the same weights and settings, served prompt v2 at --v2-budget
            settings = replace(engine.settings, prompt_version="v2", prompt_budget=v2_budget)
            engine = Engine(engine.model, engine.tokenizer, settings, engine.meta)
        engine.decide(cands[:1])  # warm-up: grammar compile, first-call allocations
        if engine.drafter is not None:  # measured from a cold n-gram pool, as a fresh process
            engine.drafter.reset()
            engine.spec_stats.clear()
        start = time.perf_counter()
        records = engine.decide(cands)
        seconds = time.perf_counter() - start
        lat = [r["latency_ms"] for r in records]
        valid = sum(r.get("status") is not None and "retried" not in r["flags"] for r in records)
        statuses = [r.get("status") for r in records]
        name += "-v2" if v2 else ""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "speculative": engine.spec_stats if name != "naive" else {},
        "config": name,
        "decisions_per_s": len(cands) / seconds,
        "p50_ms": float(np.percentile(lat, 50)),
        "p95_ms": float(np.percentile(lat, 95)),
        "valid_first_try": valid / len(cands),
        "peak_mb": peak,
        "n": len(cands),
        "statuses": statuses,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--prepared", type=Path, default=REPO / "runs" / "prepare" / "synth")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--scenario", choices=["mixed", "pool"], default="mixed")
    ap.add_argument("--child", default=None)
    ap.add_argument("--v2-budget", type=int, default=704, help="prompt tokens for -v2 rows")
    args = ap.parse_args()
    if args.child:
        result = child(args.child, args.n, args.prepared, args.batch, args.scenario, args.v2_budget)
        print("RESULT " + json.dumps(result))
        return
    names = args.only or [
        "naive",
        "engine-auto",
        "engine-bf16",
        "engine-bf16-fast",
        "engine-bf16-spec",
        "engine-bf16-free",
        "engine-fp32",
        "engine-nf4",
    ]
    results = []
    for name in names:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            name,
            "--n",
            str(args.n),
            "--batch",
            str(args.batch),
            "--prepared",
            str(args.prepared),
            "--scenario",
            args.scenario,
            "--v2-budget",
            str(args.v2_budget),
        ]
        p = subprocess.run(cmd, capture_output=True, text=True)
        line = next((x for x in p.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"{name}: failed\n{p.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(line[7:]))
    # `--only naive ... naive` runs the baseline first and last: on a shared machine the speed
    # drifts over a run, and the ratio is then against the mean of the two.
    naive = [r["decisions_per_s"] for r in results if r["config"] == "naive"]
    base = {"decisions_per_s": sum(naive) / len(naive)} if naive else None
    # Whether an option changes decisions, not only speed: statuses equal to those of the first
    # engine row of the run (put the reference configuration first).
    ref = next((r for r in results if r["config"] != "naive"), None)
    if ref:
        print(f"same status: as {ref['config']}")
    print(
        f"\n{'config':<18} {'decisions/s':>11} {'x naive':>8} {'p50 ms':>8} {'p95 ms':>8} {'valid 1st':>9} {'peak MB':>8} {'same status':>11}"
    )
    for r in results:
        ratio = r["decisions_per_s"] / base["decisions_per_s"] if base else float("nan")
        same = (
            f"{sum(a == b for a, b in zip(r['statuses'], ref['statuses'], strict=True))}/{r['n']}"
            if ref
            else "-"
        )
        print(
            f"{r['config']:<18} {r['decisions_per_s']:>11.3f} {ratio:>8.2f} {r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f} {r['valid_first_try']:>9.2f} {r['peak_mb']:>8.0f} {same:>11}"
        )

    for r in results:
        st = r.get("speculative") or {}
        if st.get("steps"):
            print(
                f"{r['config']}: {st['steps']} decoding passes, {st['accepted']} of "
                f"{st['drafted']} drafted tokens accepted ({st['accepted'] / st['drafted']:.0%})"
            )


if __name__ == "__main__":
    main()
