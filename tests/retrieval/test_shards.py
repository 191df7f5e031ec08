"""The on-disk sharded index returns what the in-memory flat index returns."""

from __future__ import annotations

import numpy as np
import pytest

from recruiter.errors import InputError
from recruiter.retrieval.index import VectorIndex
from recruiter.retrieval.shards import ShardedIndex


def _unit(rng, n, dim):
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_same_top10_as_the_flat_index_on_100k_vectors(tmp_path):
    rng = np.random.default_rng(0)
    n, dim = 100_000, 32
    vecs = _unit(rng, n, dim)
    ids = [f"c{i}" for i in range(n)]
    flat = VectorIndex(dim, kind="flat")
    flat.add(ids, vecs)
    # streamed in uneven batches across shard boundaries
    cuts = [0, 7_000, 41_000, 41_001, 90_000, n]
    batches = ((ids[a:b], vecs[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))
    sharded = ShardedIndex.build(tmp_path / "idx", dim, batches, shard_size=30_000)
    assert len(sharded) == n and [s["n"] for s in sharded.shards] == [
        30_000,
        30_000,
        30_000,
        10_000,
    ]
    queries = _unit(rng, 20, dim)
    want_ids, want_s = flat.search(queries, 10)
    got_ids, got_s = ShardedIndex(tmp_path / "idx").search(queries, 10)
    assert got_ids == want_ids
    np.testing.assert_allclose(got_s, want_s, rtol=1e-5, atol=1e-6)


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="no shards.json"):
        ShardedIndex(tmp_path)
    with pytest.raises(InputError, match="dimension 8"):
        ShardedIndex.build(tmp_path / "x", 8, [(["a"], np.zeros((1, 4)))])
