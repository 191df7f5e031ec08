"""Fairness statistics: counterfactual flip rates and NYC Local Law 144-style impact ratios.

* **Flip rate** of a swap: the share of records whose decision changes when only the swapped
  attribute changes, with a Wilson 95 % interval, and McNemar's exact test on the discordant
  pairs (``b`` select -> reject, ``c`` reject -> select: a systematic direction shows as a small
  p-value even when the flip rate is low). Pairs where either answer is invalid are counted
  apart, not as flips.
* **Impact ratio** (LL144): each group's selection rate divided by the highest group's, flagged
  below 0.80 (the four-fifths rule). Groups under 2 % of the rows are reported but excluded from
  the ratios, as the rule allows. Intervals come from a bootstrap over *records* (all of a
  record's counterfactual rows are drawn together, so the pairing is kept). Selection rates by
  group are computed with fairlearn's ``MetricFrame``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # rounding can leave the bound a hair inside the rate (4 of 4: 0.9999999999999999)
    return (min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value (binomial test of b against b + c at 1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(min(b, c), n, 0.5).pvalue)


def flip_stats(before: Sequence[str | None], after: Sequence[str | None]) -> dict:
    pairs = [
        (x, y)
        for x, y in zip(before, after, strict=True)
        if x in ("select", "reject") and y in ("select", "reject")
    ]
    b = sum(x == "select" and y == "reject" for x, y in pairs)
    c = sum(x == "reject" and y == "select" for x, y in pairs)
    n = len(pairs)
    lo, hi = wilson(b + c, n)
    return {
        "n": n,
        "invalid_pairs": len(before) - n,
        "flips": b + c,
        "select_to_reject": b,
        "reject_to_select": c,
        "flip_rate": (b + c) / n if n else float("nan"),
        "ci95": [lo, hi],
        "mcnemar_p": mcnemar_exact(b, c),
    }


def selection_rates(groups: Sequence[str], selected: Sequence[bool]) -> dict[str, float]:
    from fairlearn.metrics import MetricFrame, selection_rate

    y = np.asarray(selected, dtype=int)
    frame = MetricFrame(
        metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=np.asarray(groups)
    )
    return {str(k): float(v) for k, v in frame.by_group.items()}


def impact_ratios(
    groups: Sequence[str],
    selected: Sequence[bool],
    records: Sequence[int] | None = None,
    min_share: float = 0.02,
    threshold: float = 0.8,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """Per group: n, share, selection rate, impact ratio (CI), flagged, excluded."""
    groups = list(groups)
    selected = np.asarray(selected, dtype=float)
    records = np.arange(len(groups)) if records is None else np.asarray(records)
    names = sorted(set(groups))
    g = np.asarray(groups)
    share = {n: float((g == n).mean()) for n in names}
    kept = [n for n in names if share[n] >= min_share]
    rates = selection_rates(groups, selected > 0.5)

    def ratios(sel: np.ndarray, grp: np.ndarray) -> dict[str, float]:
        r = {n: float(sel[grp == n].mean()) if (grp == n).any() else float("nan") for n in kept}
        top = max((v for v in r.values() if not math.isnan(v)), default=0.0)
        return {n: (v / top if top > 0 else float("nan")) for n, v in r.items()}

    point = ratios(selected, g)
    rng = np.random.default_rng(seed)
    unique = np.unique(records)
    by_record = {r: np.flatnonzero(records == r) for r in unique}
    boots = {n: [] for n in kept}
    for _ in range(n_boot):
        pick = rng.choice(unique, size=len(unique), replace=True)
        idx = np.concatenate([by_record[r] for r in pick])
        for n, v in ratios(selected[idx], g[idx]).items():
            boots[n].append(v)
    out = {}
    for n in names:
        row = {
            "n": int((g == n).sum()),
            "share": share[n],
            "selection_rate": rates[n],
            "excluded": n not in kept,
        }
        if n in kept:
            vals = np.asarray(boots[n], dtype=float)
            vals = vals[~np.isnan(vals)]
            row.update(
                impact_ratio=point[n],
                ci95=[float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))]
                if len(vals)
                else [float("nan")] * 2,
                flagged=bool(point[n] < threshold),
            )
        out[n] = row
    return out
