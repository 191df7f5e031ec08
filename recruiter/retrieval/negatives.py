"""Negative jobs for each anchor: ontology-distance buckets, a curriculum, and mined runner-ups.

Distance of a candidate to a job is ``1 - ontology_set_similarity(candidate skills, job required
skills)`` in [0, 1]. Each anchor's pool is every *other* unique job of the training set, split
into buckets: hard ``d <= 0.3``, medium ``d <= 0.6``, easy otherwise. Up to ``k`` (7) negatives
are drawn per epoch with bucket shares that move linearly from 20/30/50 % (hard/medium/easy) in
the first epoch to 60/30/10 % in the last (curriculum: easy lessons first). A bucket that runs
short is filled from the others; an anchor without skill URIs gets random negatives.

Round 2 (ConFit): the trained model ranks all jobs for each anchor, and negatives are drawn from a
percentile band of the most similar *non-matching* jobs (3–4 % by default) — not the very top,
which on real data holds unlabelled true matches.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

HARD, MEDIUM = 0.3, 0.6


def bucket_of(distance: float | None, hard: float = HARD, medium: float = MEDIUM) -> str:
    if distance is None:
        return "random"
    return "hard" if distance <= hard else "medium" if distance <= medium else "easy"


def curriculum(
    epoch: int, epochs: int, start=(0.2, 0.3, 0.5), end=(0.6, 0.3, 0.1)
) -> tuple[float, float, float]:
    """Hard/medium/easy shares at ``epoch`` (0-based) of ``epochs``, linear from start to end."""
    t = 0.0 if epochs <= 1 else epoch / (epochs - 1)
    return tuple(round(s + (e - s) * t, 6) for s, e in zip(start, end, strict=True))  # type: ignore[return-value]


def quota(k: int, shares: Sequence[float]) -> list[int]:
    """Split ``k`` draws by ``shares`` (largest remainder), summing to ``k``."""
    raw = [k * s for s in shares]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[
        : k - sum(counts)
    ]:
        counts[i] += 1
    return counts


def draw(
    buckets: dict[str, list[int]],
    k: int,
    shares: Sequence[float],
    rng: random.Random,
) -> list[int]:
    """Up to ``k`` job indices from the hard/medium/easy buckets by ``shares``, topped up from
    whatever is left (then from ``buckets['random']``)."""
    picked: list[int] = []
    for name, n in zip(("hard", "medium", "easy"), quota(k, shares), strict=True):
        pool = buckets.get(name, [])
        picked += rng.sample(pool, min(n, len(pool)))
    if len(picked) < k:
        rest = [
            i
            for name in ("hard", "medium", "easy", "random")
            for i in buckets.get(name, [])
            if i not in picked
        ]
        picked += rng.sample(rest, min(k - len(picked), len(rest)))
    return picked


def mined_band(
    scores: np.ndarray, exclude: set[int], band: tuple[float, float], k: int, rng: random.Random
) -> list[int]:
    """``k`` indices from the ``band`` percentile range (e.g. 0.03–0.04) of the highest-scoring
    items outside ``exclude``."""
    order = [int(i) for i in np.argsort(-scores) if int(i) not in exclude]
    if not order:
        return []
    lo = int(len(order) * band[0])
    hi = max(lo + k, int(np.ceil(len(order) * band[1])))
    pool = order[lo:hi]
    return rng.sample(pool, min(k, len(pool)))
