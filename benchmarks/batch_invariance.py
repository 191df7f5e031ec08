"""Does a decision depend on who else is in the batch? Alone / batched / shuffled, per setting.

    .venv/bin/python benchmarks/batch_invariance.py                  # 64 synthetic test candidates
    .venv/bin/python benchmarks/batch_invariance.py --n 16 --only default bf16-batch

For each engine setting the same candidates (the first ``--n`` of the prepared synthetic test
split, shipped adapter) are decided three ways in one process:

* ``alone``: one ``decide([c])`` per candidate (nothing else in the batch);
* ``batched``: one ``decide(all)`` (sorted by length, ``batch_size`` at a time);
* ``shuffled``: the candidates shuffled (seeded) and decided in chunks of 3, 5 and 11.

Printed per setting: how many statuses and reasonings of ``batched`` and ``shuffled`` differ from
``alone``, the largest |Delta P(select)|, and decisions/s alone and batched (the cost of
deciding alone is what batch invariance would cost if the setting needed it). The settings:

* ``default``: ``Engine.build()`` as shipped (whatever ``auto`` resolves to on this machine);
* ``bf16-batch``: bf16, padded batches, no drafts (``inference.batching=variant``: the fast
  setting that is not batch-invariant);
* ``bf16-rows``: bf16, each prompt prefilled alone, decode steps batched, no drafts;
* ``fp32-rows``: float32, each prompt prefilled alone, 3 n-gram drafts, decode steps batched;
* ``fp32-batch``: float32, padded batches, no drafts.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from pathlib import Path

import recruiter  # noqa: F401

REPO = Path(__file__).resolve().parents[1]

SETTINGS = {
    "default": {},
    "bf16-batch": {
        "precision": "bf16",
        "batching": "variant",
        "prefill": "batch",
        "draft_tokens": 0,
    },
    "bf16-rows": {"precision": "bf16", "batching": "variant", "prefill": "rows", "draft_tokens": 0},
    "fp32-rows": {"precision": "fp32", "prefill": "rows", "draft_tokens": 3},
    "fp32-batch": {
        "precision": "fp32",
        "batching": "variant",
        "prefill": "batch",
        "draft_tokens": 0,
    },
}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def compare(ref: list[dict], other: list[dict]) -> tuple[int, int, float]:
    status = sum(a["status"] != b["status"] for a, b in zip(ref, other, strict=True))
    reasoning = sum(a["reasoning"] != b["reasoning"] for a, b in zip(ref, other, strict=True))
    dp = max(
        (
            abs(a["p_select"] - b["p_select"])
            for a, b in zip(ref, other, strict=True)
            if a["p_select"] is not None and b["p_select"] is not None
        ),
        default=0.0,
    )
    return status, reasoning, dp


def run_setting(name: str, options: dict, cands: list[dict], seed: int) -> dict:
    from recruiter.inference.engine import Engine

    engine = Engine.build(**options)
    engine.decide(cands[:2])  # warm-up (grammar, kernels)
    st = engine.settings
    t0 = time.perf_counter()
    alone = [engine.decide([c])[0] for c in cands]
    t_alone = time.perf_counter() - t0
    t0 = time.perf_counter()
    batched = engine.decide(cands)
    t_batched = time.perf_counter() - t0
    order = list(range(len(cands)))
    random.Random(seed).shuffle(order)
    shuffled: list = [None] * len(cands)
    sizes, k, pos = (3, 5, 11), 0, 0
    while pos < len(order):
        chunk = order[pos : pos + sizes[k % 3]]
        for i, rec in zip(chunk, engine.decide([cands[i] for i in chunk]), strict=True):
            shuffled[i] = rec
        pos, k = pos + len(chunk), k + 1
    return {
        "name": name,
        "resolved": f"{st.precision} batching={st.batching} prefill={st.prefill} "
        f"drafts={st.draft_tokens} batch={st.batch_size}",
        "batched": compare(alone, batched),
        "shuffled": compare(alone, shuffled),
        "alone_dps": len(cands) / t_alone,
        "batched_dps": len(cands) / t_batched,
    }


def main() -> None:
    import torch

    from recruiter.splits import read_split

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--prepared", type=Path, default=REPO / "runs" / "prepare" / "synth")
    ap.add_argument("--only", nargs="*", choices=list(SETTINGS), default=list(SETTINGS))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    cands = read_split(args.prepared, "test", args.n)
    print(f"{cpu_name()}, {torch.get_num_threads()} threads, {len(cands)} candidates")
    print(
        f"{'setting':<11} {'resolved':<48} {'batched: st/rs/dP':<22} {'shuffled: st/rs/dP':<22}"
        f" {'alone/s':>8} {'batch/s':>8}"
    )
    for name in args.only:
        r = run_setting(name, SETTINGS[name], cands, args.seed)
        b, s = r["batched"], r["shuffled"]
        print(
            f"{name:<11} {r['resolved']:<48} {b[0]:>3} {b[1]:>3} {b[2]:>10.2e}     "
            f"{s[0]:>3} {s[1]:>3} {s[2]:>10.2e}     {r['alone_dps']:>8.3f} {r['batched_dps']:>8.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
