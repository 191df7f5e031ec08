"""Retrieval speed: encoder throughput, exact vs HNSW search at 100k and 1M, end-to-end shortlist.

    .venv/bin/python benchmarks/retrieval_bench.py                  # 100k and 1M vectors
    .venv/bin/python benchmarks/retrieval_bench.py --sizes 100000

* Encoder: candidate texts per second through the frozen MiniLM (cache off), then the towers.
* Index: synthetic unit vectors (d = 128, the towers' output) — the index does not care where
  vectors come from. For each size: build time, memory, single-query latency p50/p99 of exact
  (``IndexFlatIP``) and HNSW (M 32, efConstruction 200, efSearch 128), and HNSW recall@10
  against exact search on 200 queries.
* End to end at each size: ``Retriever.shortlist_index`` — encode the job (frozen encoder +
  tower), HNSW search of 200 neighbours, hard filters on them, re-score of the top 20 with the
  match classifier and ``S_base`` — over 50 jobs from the synthetic corpus, against a store
  that returns each id's candidate dict (synthetic candidates cycled over the million ids).
Targets on 2 cores: HNSW p50 <= 1 ms at recall@10 >= 0.95; end-to-end p50 <= 50 ms at 1M.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import numpy as np

import recruiter  # noqa: F401

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CycledStore:
    """id -> candidate dict for a million ids from a few thousand real synthetic candidates."""

    def __init__(self, cands: list[dict]):
        self.cands = cands

    def __getitem__(self, cid: str) -> dict:
        return {**self.cands[int(cid) % len(self.cands)], "candidate_id": cid}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--corpus", type=Path, default=REPO / "runs" / "synth" / "default")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()

    import faiss
    import torch

    from recruiter.retrieval.encoder import FrozenEncoder
    from recruiter.retrieval.index import VectorIndex
    from recruiter.retrieval.retriever import Retriever, shipped_retriever_dir
    from recruiter.retrieval.text import candidate_text

    torch.set_num_threads(os.cpu_count() or 2)
    faiss.omp_set_num_threads(os.cpu_count() or 2)
    cands = [json.loads(x) for x in (args.corpus / "candidates.jsonl").read_text().splitlines()]
    jobs = [json.loads(x) for x in (args.corpus / "jobs.jsonl").read_text().splitlines()]
    enc = FrozenEncoder(cache=False)
    texts = [candidate_text(c) for c in cands[:256]]
    enc.encode(texts[:8])
    t0 = time.perf_counter()
    enc.encode(texts)
    enc_rate = len(texts) / (time.perf_counter() - t0)
    retriever = Retriever.load(shipped_retriever_dir(), encoder=FrozenEncoder())
    print(
        f"encoder: {enc_rate:.0f} candidate texts/s (MiniLM, cache off, batch 64, {os.cpu_count()} cores)"
    )

    rng = np.random.default_rng(0)
    rows = []
    for n in args.sizes:
        x = rng.standard_normal((n, 128)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q = rng.standard_normal((args.queries, 128)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        ids = [str(i) for i in range(n)]
        result = {"n": n}
        for kind in ("flat", "hnsw"):
            before = rss_mb()
            t0 = time.perf_counter()
            index = VectorIndex(128, kind)
            for s in range(0, n, 100_000):
                index.add(ids[s : s + 100_000], x[s : s + 100_000])
            result[f"{kind}_build_s"] = time.perf_counter() - t0
            result[f"{kind}_mb"] = rss_mb() - before
            lat = []
            for v in q:
                t1 = time.perf_counter()
                index.index.search(v[None, :], 10)
                lat.append((time.perf_counter() - t1) * 1000)
            result[f"{kind}_p50_ms"], result[f"{kind}_p99_ms"] = np.percentile(lat, [50, 99])
            _, found = index.index.search(q, 10)
            result[f"{kind}_found"] = found
            if kind == "hnsw":
                store = CycledStore(cands)
                e2e = []
                for job in jobs[:51]:
                    t1 = time.perf_counter()
                    retriever.shortlist_index(job, index, store, k=20, oversample=10)
                    e2e.append((time.perf_counter() - t1) * 1000)
                result["e2e_p50_ms"], result["e2e_p99_ms"] = np.percentile(e2e[1:], [50, 99])
            del index
        exact, approx = result.pop("flat_found"), result.pop("hnsw_found")
        result["hnsw_recall@10"] = float(
            np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])
        )
        rows.append(result)
        del x

    print(
        f"\n{'vectors':>9} {'exact p50':>10} {'exact p99':>10} {'HNSW p50':>9} {'HNSW p99':>9} {'x faster':>9} {'recall@10':>9} {'HNSW build s':>12} {'HNSW MB':>8} {'e2e p50':>8} {'e2e p99':>8}"
    )
    for r in rows:
        print(
            f"{r['n']:>9,} {r['flat_p50_ms']:>9.2f}m {r['flat_p99_ms']:>9.2f}m {r['hnsw_p50_ms']:>8.3f}m {r['hnsw_p99_ms']:>8.3f}m "
            f"{r['flat_p50_ms'] / r['hnsw_p50_ms']:>9.1f} {r['hnsw_recall@10']:>9.3f} {r['hnsw_build_s']:>12.1f} {r['hnsw_mb']:>8.0f} "
            f"{r['e2e_p50_ms']:>7.1f}m {r['e2e_p99_ms']:>7.1f}m"
        )
    print("(m = milliseconds; e2e = encode job + HNSW search + filters + re-score of 20)")


if __name__ == "__main__":
    main()
