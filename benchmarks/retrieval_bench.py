"""Retrieval speed: encoder throughput, exact vs HNSW search at 100k and 1M, end-to-end shortlist.

    .venv/bin/python benchmarks/retrieval_bench.py                  # 100k and 1M vectors
    .venv/bin/python benchmarks/retrieval_bench.py --sizes 100000

* Encoder: candidate texts per second through the frozen MiniLM (cache off), then the towers.
* Index: two synthetic sets of unit vectors (d = 128, the towers' output) — the index does not
  care where vectors come from, but HNSW recall depends on their intrinsic dimension:
  ``isotropic`` (standard normal: the worst case, every direction equally spread) and
  ``spectrum`` (normal with the mean and covariance of the shipped towers' embeddings of the
  corpus candidates: the eigen spectrum of real embeddings, a million of them). For each size:
  build time, memory, single-query latency p50/p99 of exact (``IndexFlatIP``) and HNSW (M 32,
  efConstruction 200) at efSearch 64..512, and HNSW recall@10 against exact search on 200
  queries drawn from the same distribution.
* End to end at each size: ``Retriever.shortlist_index`` — encode the job (frozen encoder +
  tower), HNSW search of 200 neighbours (configured efSearch 128), hard filters on them,
  re-score of the top 20 with the match classifier and ``S_base`` — over 50 jobs from the
  synthetic corpus, against a store that returns each id's candidate dict (synthetic candidates
  cycled over the million ids).
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
    ap.add_argument("--data", nargs="*", default=["isotropic", "spectrum"])
    ap.add_argument("--ef-search", type=int, nargs="*", default=[64, 128, 256, 512])
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

    real = retriever.candidate_vectors(cands)  # cached frozen embeddings -> towers
    mean, cov = real.mean(0), np.cov(real, rowvar=False)
    eig = np.clip(np.linalg.eigvalsh(cov)[::-1], 0, None)
    print(
        f"towers' embeddings of {len(real)} candidates: participation ratio "
        f"{eig.sum() ** 2 / (eig**2).sum():.1f} of 128 dims (isotropic: 128)"
    )
    rng = np.random.default_rng(0)

    def sample(kind: str, n: int) -> np.ndarray:
        if kind == "isotropic":
            x = rng.standard_normal((n, 128), dtype=np.float32)
        else:
            x = rng.multivariate_normal(mean, cov, size=n, method="eigh").astype(np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    rows = []
    for data in args.data:
        for n in args.sizes:
            x, q = sample(data, n), sample(data, args.queries)
            ids = [str(i) for i in range(n)]
            result = {"data": data, "n": n}
            for kind in ("flat", "hnsw"):
                before = rss_mb()
                t0 = time.perf_counter()
                index = VectorIndex(128, kind)
                for s in range(0, n, 100_000):
                    index.add(ids[s : s + 100_000], x[s : s + 100_000])
                result[f"{kind}_build_s"] = time.perf_counter() - t0
                result[f"{kind}_mb"] = rss_mb() - before
                efs = args.ef_search if kind == "hnsw" else [0]
                for ef in efs:
                    if ef:
                        index.index.hnsw.efSearch = ef
                    lat = []
                    for v in q:
                        t1 = time.perf_counter()
                        index.index.search(v[None, :], 10)
                        lat.append((time.perf_counter() - t1) * 1000)
                    _, found = index.index.search(q, 10)
                    result[(kind, ef)] = (*np.percentile(lat, [50, 99]), found)
                if kind == "hnsw" and data == args.data[-1]:
                    index.index.hnsw.efSearch = index.ef_search
                    store = CycledStore(cands)
                    e2e = []
                    for job in jobs[:51]:
                        t1 = time.perf_counter()
                        retriever.shortlist_index(job, index, store, k=20, oversample=10)
                        e2e.append((time.perf_counter() - t1) * 1000)
                    result["e2e"] = np.percentile(e2e[1:], [50, 99])
                del index
            rows.append(result)
            del x

    print(
        f"\n{'data':>9} {'vectors':>9} {'efSearch':>8} {'exact p50':>9} {'HNSW p50':>9} {'HNSW p99':>9} "
        f"{'x faster':>8} {'recall@10':>9} {'build s':>8} {'HNSW MB':>8}"
    )
    for r in rows:
        f50, f99, exact = r[("flat", 0)]
        for ef in args.ef_search:
            h50, h99, approx = r[("hnsw", ef)]
            recall = np.mean(
                [len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)]
            )
            print(
                f"{r['data']:>9} {r['n']:>9,} {ef:>8} {f50:>8.2f}m {h50:>8.3f}m {h99:>8.3f}m "
                f"{f50 / h50:>8.1f} {recall:>9.3f} {r['hnsw_build_s']:>8.1f} {r['hnsw_mb']:>8.0f}"
            )
    print("\nend to end shortlist (encode job + HNSW search + filters + re-score of 20):")
    for r in rows:
        if "e2e" in r:
            print(f"{r['n']:>9,} vectors: p50 {r['e2e'][0]:.1f} ms, p99 {r['e2e'][1]:.1f} ms")
    print(f"(m = milliseconds; exact = IndexFlatIP; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
