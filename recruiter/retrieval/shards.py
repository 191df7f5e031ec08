"""An exact vector index on disk, in shards, for candidate pools larger than memory.

:class:`~.index.VectorIndex` holds every vector in RAM: 10M 128-d float32 vectors are 5.1 GB
before HNSW's graph. :class:`ShardedIndex` writes the vectors as ``.npy`` shards of
``shard_size`` rows while they stream in (one shard in memory at a time) and searches each shard
memory-mapped with ``faiss.knn`` (exact inner product), merging the per-shard top-k. Memory at
search time is one shard's pages the OS chose to keep plus ``queries x k`` results; the scan
reads every shard, so a query costs what a flat search costs (add an IVF index per shard when
latency matters more than exactness). Ids live beside each shard; the manifest names the shards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..storage import atomic_write_json

MANIFEST = "shards.json"


class ShardedIndex:
    def __init__(self, folder: str | Path):
        folder = Path(folder)
        path = folder / MANIFEST
        if not path.is_file():
            raise InputError(f"{folder}: no {MANIFEST} (build with ShardedIndex.build)")
        meta = json.loads(path.read_text())
        self.folder, self.dim, self.shards = folder, int(meta["dim"]), meta["shards"]

    def __len__(self) -> int:
        return sum(s["n"] for s in self.shards)

    @classmethod
    def build(
        cls,
        folder: str | Path,
        dim: int,
        batches: Iterable[tuple[Sequence[str], np.ndarray]],
        shard_size: int = 1_000_000,
    ) -> ShardedIndex:
        """Write ``batches`` of (ids, L2-normalised vectors) into shards of ``shard_size`` rows."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        shards: list[dict] = []
        buf_ids: list[str] = []
        buf_vecs: list[np.ndarray] = []

        def flush() -> None:
            if not buf_ids:
                return
            name = f"shard-{len(shards):05d}"
            vecs = np.concatenate(buf_vecs).astype(np.float32, copy=False)
            np.save(folder / f"{name}.npy", vecs)
            (folder / f"{name}.ids.json").write_text(json.dumps(buf_ids))
            shards.append({"name": name, "n": len(buf_ids)})
            buf_ids.clear()
            buf_vecs.clear()

        for ids, vectors in batches:
            vectors = np.asarray(vectors, dtype=np.float32)
            if vectors.ndim != 2 or vectors.shape[1] != dim or len(ids) != len(vectors):
                raise InputError(
                    f"expected {len(ids)} vectors of dimension {dim}, got {vectors.shape}"
                )
            start = 0
            while start < len(ids):
                room = shard_size - len(buf_ids)
                buf_ids.extend(ids[start : start + room])
                buf_vecs.append(vectors[start : start + room])
                start += room
                if len(buf_ids) >= shard_size:
                    flush()
        flush()
        atomic_write_json(
            folder / MANIFEST, {"dim": dim, "shard_size": shard_size, "shards": shards}
        )
        return cls(folder)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Exact top-``k`` by inner product over every shard (ids, scores), best first."""
        import faiss

        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = min(k, len(self))
        best_s = np.full((len(queries), 0), -np.inf, np.float32)
        best_i: list[list[str]] = [[] for _ in queries]
        if k == 0:
            return best_i, best_s
        for shard in self.shards:
            vecs = np.load(self.folder / f"{shard['name']}.npy", mmap_mode="r")
            ids = json.loads((self.folder / f"{shard['name']}.ids.json").read_text())
            kk = min(k, len(ids))
            scores, idx = faiss.knn(
                queries, np.ascontiguousarray(vecs), kk, faiss.METRIC_INNER_PRODUCT
            )
            merged_s = np.concatenate([best_s, scores], axis=1)
            merged_i = [b + [ids[j] for j in row] for b, row in zip(best_i, idx, strict=True)]
            order = np.argsort(-merged_s, axis=1, kind="stable")[:, :k]
            best_s = np.take_along_axis(merged_s, order, axis=1)
            best_i = [[row[j] for j in o] for row, o in zip(merged_i, order, strict=True)]
        return best_i, best_s
