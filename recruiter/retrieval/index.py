"""A FAISS vector index with an id map: exact for small pools, HNSW above a size.

Vectors are L2-normalised tower outputs, so inner product is cosine similarity. ``kind="auto"``
builds an exact ``IndexFlatIP`` below ``hnsw_threshold`` vectors (exact search over 50k 128-d
vectors is a few milliseconds) and an ``IndexHNSWFlat`` (inner-product metric) above it, where
exact search grows linearly. External string ids are kept beside the index; ``add`` appends
incrementally (an HNSW index converts itself when a flat one outgrows the threshold).
``save``/``load`` persist the index and the id map side by side (atomic writes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..storage import atomic_write_bytes, atomic_write_json


class VectorIndex:
    def __init__(
        self,
        dim: int,
        kind: str = "auto",
        hnsw_threshold: int = 50_000,
        hnsw_m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 128,
    ):
        if kind not in ("auto", "flat", "hnsw"):
            raise InputError(f"index kind must be auto, flat or hnsw, not {kind!r}")
        self.dim, self.kind = dim, kind
        self.hnsw_threshold, self.hnsw_m = hnsw_threshold, hnsw_m
        self.ef_construction, self.ef_search = ef_construction, ef_search
        self.ids: list[str] = []
        self._pos: dict[str, int] = {}
        self.index = self._new("hnsw" if kind == "hnsw" else "flat")

    def _new(self, kind: str):
        import faiss

        if kind == "flat":
            return faiss.IndexFlatIP(self.dim)
        index = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        index.hnsw.efSearch = self.ef_search
        return index

    @property
    def is_hnsw(self) -> bool:
        return hasattr(self.index, "hnsw")

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(ids) != len(vectors):
            raise InputError(
                f"expected {len(ids)} vectors of dimension {self.dim}, got {vectors.shape}"
            )
        if self.kind == "auto" and not self.is_hnsw and len(self) + len(ids) > self.hnsw_threshold:
            old = (
                self.index.reconstruct_n(0, len(self))
                if len(self)
                else np.zeros((0, self.dim), np.float32)
            )
            self.index = self._new("hnsw")
            if len(old):
                self.index.add(old)
        self.index.add(vectors)
        self.ids.extend(ids)

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids`` (flat and HNSW-flat indexes keep them exactly)."""
        if len(self._pos) != len(self.ids):
            self._pos = {cid: i for i, cid in enumerate(self.ids)}
        return (
            np.stack([self.index.reconstruct(self._pos[c]) for c in ids])
            if ids
            else np.zeros((0, self.dim), np.float32)
        )

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = min(k, len(self))
        if k == 0:
            return [[] for _ in queries], np.zeros((len(queries), 0), np.float32)
        scores, idx = self.index.search(queries, k)
        return [[self.ids[i] for i in row if i >= 0] for row in idx], scores

    def save(self, folder: str | Path) -> Path:
        import faiss

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / "index.faiss", faiss.serialize_index(self.index).tobytes())
        atomic_write_json(
            folder / "index.json",
            {
                "dim": self.dim,
                "kind": self.kind,
                "hnsw": self.is_hnsw,
                "hnsw_threshold": self.hnsw_threshold,
                "hnsw_m": self.hnsw_m,
                "ef_construction": self.ef_construction,
                "ef_search": self.ef_search,
                "ids": self.ids,
            },
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> VectorIndex:
        import faiss

        folder = Path(folder)
        meta_path = folder / "index.json"
        if not meta_path.is_file():
            raise InputError(
                f"{folder}: no index.json (build one with `recruiter retrieval index`)"
            )
        meta = json.loads(meta_path.read_text())
        self = cls(
            meta["dim"],
            meta["kind"],
            meta["hnsw_threshold"],
            meta["hnsw_m"],
            meta["ef_construction"],
            meta["ef_search"],
        )
        self.index = faiss.deserialize_index(
            np.frombuffer((folder / "index.faiss").read_bytes(), dtype=np.uint8)
        )
        if self.is_hnsw:
            self.index.hnsw.efSearch = self.ef_search
        self.ids = list(meta["ids"])
        return self
