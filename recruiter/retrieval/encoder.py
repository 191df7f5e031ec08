"""The frozen sentence encoder and its on-disk embedding cache.

The encoder never trains (CACL's design: a frozen encoder, a small trainable projection), so an
embedding depends only on (encoder, text) and is cached on disk under
``$RECRUITER_HOME/embeddings/<encoder id>.sqlite``, keyed by the SHA-256 of the text. Training
epochs, evaluation runs and re-indexing then pay for the transformer once; the projection head
runs fresh on every batch so its gradients flow. SQLite keeps the cache one file, safe for
several processes, and cheap to look up in bulk.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence

import numpy as np

from ..models import resolve_encoder
from ..storage import home


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FrozenEncoder:
    def __init__(
        self,
        name: str = "all-minilm-l6-v2",
        device: str = "cpu",
        batch_size: int = 64,
        cache: bool = True,
    ):
        self.name = name
        self.device = device
        self.batch_size = batch_size
        self._model = None
        path = resolve_encoder(name)
        self.id = hashlib.sha256(f"{name}|{path.name}".encode()).hexdigest()[:16]
        self.db = None
        if cache:
            root = home() / "embeddings"
            root.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(
                str(root / f"{self.id}.sqlite"), timeout=30, check_same_thread=False
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
            )
        self._path = path
        self.hits = 0
        self.misses = 0

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self._path), device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text (cached)."""
        keys = [_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        if self.db is not None and keys:
            unique = list(dict.fromkeys(keys))
            for i in range(0, len(unique), 900):
                part = unique[i : i + 900]
                marks = ",".join("?" * len(part))
                for k, blob in self.db.execute(
                    f"SELECT key, vec FROM emb WHERE key IN ({marks})", part
                ):
                    found[k] = np.frombuffer(blob, dtype=np.float32)
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        self.hits += len(keys) - sum(k in todo for k in keys)
        if todo:
            by_key = {k: t for k, t in zip(keys, texts, strict=True)}
            vecs = self.model.encode(
                [by_key[k] for k in todo],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            ).astype(np.float32)
            self.misses += len(todo)
            for k, v in zip(todo, vecs, strict=True):
                found[k] = v
            if self.db is not None:
                with self.db:
                    self.db.executemany(
                        "INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)",
                        [(k, v.tobytes()) for k, v in zip(todo, vecs, strict=True)],
                    )
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])
