"""Decision metrics, shared by retrieval (AUC), training (checkpoint selection) and evaluation.

Conventions: the positive class is ``select``. A prediction of ``None`` (the model produced no
valid decision) counts as *wrong* for accuracy/F1 (it is neither select nor reject, so it is
scored as the opposite of the truth) and is reported separately as the invalid rate: a model
cannot improve its scores by failing to answer. AUC and Brier use ``p_select`` where present;
rows without one are left out of those two and counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

LABELS = ("select", "reject")


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def decision_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    p_select: Sequence[float | None] | None = None,
) -> dict:
    """Accuracy, precision/recall/F1 for select, macro-F1, AUC, Brier, confusion, validity."""
    n = len(y_true)
    if n == 0 or len(y_pred) != n:
        raise ValueError("y_true and y_pred must be non-empty and of the same length")
    pred = [
        p if p in LABELS else ("reject" if t == "select" else "select")
        for t, p in zip(y_true, y_pred, strict=True)
    ]
    valid = sum(p in LABELS for p in y_pred)
    tp = sum(t == "select" and p == "select" for t, p in zip(y_true, pred, strict=True))
    fp = sum(t == "reject" and p == "select" for t, p in zip(y_true, pred, strict=True))
    fn = sum(t == "select" and p == "reject" for t, p in zip(y_true, pred, strict=True))
    tn = sum(t == "reject" and p == "reject" for t, p in zip(y_true, pred, strict=True))
    prec_s = tp / (tp + fp) if tp + fp else 0.0
    rec_s = tp / (tp + fn) if tp + fn else 0.0
    prec_r = tn / (tn + fn) if tn + fn else 0.0
    rec_r = tn / (tn + fp) if tn + fp else 0.0
    f1_s, f1_r = _f1(prec_s, rec_s), _f1(prec_r, rec_r)
    out = {
        "n": n,
        "accuracy": (tp + tn) / n,
        "precision_select": prec_s,
        "recall_select": rec_s,
        "f1_select": f1_s,
        "f1_reject": f1_r,
        "macro_f1": (f1_s + f1_r) / 2,
        "valid_rate": valid / n,
        "select_rate": sum(p == "select" for p in y_pred) / n,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "invalid": n - valid},
        "auc": None,
        "brier": None,
        "n_scored": 0,
    }
    if p_select is not None:
        pairs = [
            (t, p)
            for t, p in zip(y_true, p_select, strict=True)
            if p is not None and not math.isnan(p)
        ]
        out["n_scored"] = len(pairs)
        if pairs:
            y = np.array([t == "select" for t, _ in pairs], dtype=float)
            s = np.array([p for _, p in pairs], dtype=float)
            out["brier"] = float(np.mean((s - y) ** 2))
            out["auc"] = roc_auc(y, s)
    return out


def bootstrap_ci(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    p_select: Sequence[float | None] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    keys: Sequence[str] = ("accuracy", "macro_f1", "auc"),
) -> dict[str, list[float] | None]:
    """Percentile 95 % intervals of ``keys`` over ``n_boot`` resamples of the records (the
    same resamples for every key; AUC resamples with one class only are skipped)."""
    rng = np.random.default_rng(seed)
    n = len(y_true)
    draws: dict[str, list[float]] = {k: [] for k in keys}
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        m = decision_metrics(
            [y_true[i] for i in idx],
            [y_pred[i] for i in idx],
            None if p_select is None else [p_select[i] for i in idx],
        )
        for k in keys:
            if m.get(k) is not None:
                draws[k].append(m[k])
    return {
        k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] if v else None
        for k, v in draws.items()
    }


def with_ci(
    metrics: dict, y_true, y_pred, p_select=None, n_boot: int = 1000, seed: int = 0
) -> dict:
    """``metrics`` with ``ci95`` (:func:`bootstrap_ci`) added; ``n_boot=0`` adds nothing."""
    if n_boot:
        metrics["ci95"] = bootstrap_ci(y_true, y_pred, p_select, n_boot, seed)
    return metrics


def roc_auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Mann-Whitney AUC with ties counted half; None when only one class is present."""
    y = np.asarray(y, dtype=bool)
    pos, neg = score[y], score[~y]
    if len(pos) == 0 or len(neg) == 0:
        return None
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([pos, neg]))
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def tune_threshold(y_true: Sequence[str], p_select: Sequence[float | None]) -> float:
    """The P(select) threshold maximising macro-F1 on (validation) data; 0.5 without scores."""
    pairs = [(t, p) for t, p in zip(y_true, p_select, strict=True) if p is not None]
    if not pairs:
        return 0.5
    candidates = sorted({0.5, *(p for _, p in pairs)})
    best, best_f1 = 0.5, -1.0
    for th in candidates:
        f1 = decision_metrics(
            [t for t, _ in pairs], ["select" if p >= th else "reject" for _, p in pairs]
        )["macro_f1"]
        if f1 > best_f1 + 1e-12:
            best, best_f1 = th, f1
    return float(best)


def by_group(
    groups: Sequence[str],
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    p_select: Sequence[float | None] | None = None,
) -> dict[str, dict]:
    """:func:`decision_metrics` per group value (e.g. per source file or role), sorted by name."""
    out = {}
    for g in sorted(set(groups)):
        idx = [i for i, x in enumerate(groups) if x == g]
        out[g] = decision_metrics(
            [y_true[i] for i in idx],
            [y_pred[i] for i in idx],
            None if p_select is None else [p_select[i] for i in idx],
        )
    return out


def headline(m: dict) -> dict:
    """The few numbers a table shows, rounded."""
    keys = (
        "n",
        "accuracy",
        "precision_select",
        "recall_select",
        "f1_select",
        "macro_f1",
        "auc",
        "valid_rate",
    )
    return {k: (round(m[k], 4) if isinstance(m.get(k), float) else m.get(k)) for k in keys}
