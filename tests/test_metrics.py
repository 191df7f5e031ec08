"""Metric and fairness functions against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recruiter.eval.fairness import flip_stats, impact_ratios, mcnemar_exact, wilson
from recruiter.eval.report import reliability, roc_points
from recruiter.metrics import decision_metrics, roc_auc, tune_threshold


def test_decision_metrics_hand_computed():
    y = ["select", "select", "select", "reject", "reject"]
    p = ["select", "reject", None, "reject", "select"]
    m = decision_metrics(y, p, [0.9, 0.4, None, 0.2, 0.6])
    # None counts as wrong: tp 1, fn 2 (one of them invalid), tn 1, fp 1
    assert m["confusion"] == {"tp": 1, "fp": 1, "fn": 2, "tn": 1, "invalid": 1}
    assert m["accuracy"] == pytest.approx(2 / 5)
    assert m["precision_select"] == pytest.approx(1 / 2) and m["recall_select"] == pytest.approx(
        1 / 3
    )
    f1_s = 2 * 0.5 * (1 / 3) / (0.5 + 1 / 3)
    f1_r = 2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2)  # reject: precision 1/3, recall 1/2
    assert m["macro_f1"] == pytest.approx((f1_s + f1_r) / 2)
    assert m["valid_rate"] == pytest.approx(4 / 5) and m["n_scored"] == 4
    # AUC over the 4 scored rows: positives 0.9, 0.4 vs negatives 0.2, 0.6 -> 3 of 4 pairs
    assert m["auc"] == pytest.approx(0.75)
    assert m["brier"] == pytest.approx(((0.1) ** 2 + 0.6**2 + 0.2**2 + 0.6**2) / 4)


def test_auc_ties_and_single_class():
    import numpy as np

    assert roc_auc(np.array([1, 0], bool), np.array([0.5, 0.5])) == 0.5
    assert roc_auc(np.array([1, 1], bool), np.array([0.1, 0.2])) is None


def test_threshold_tuning_maximises_macro_f1():
    y = ["reject", "reject", "select", "select"]
    assert tune_threshold(y, [0.1, 0.3, 0.35, 0.9]) == pytest.approx(0.35)
    assert tune_threshold(y, [None] * 4) == 0.5


def test_wilson_and_mcnemar():
    lo, hi = wilson(0, 50)
    assert lo == 0.0 and hi == pytest.approx(0.0713, abs=1e-3)
    lo, hi = wilson(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-3)
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(0, 6) == pytest.approx(2 * 0.5**6)  # all discordant pairs one way


def test_flip_stats_counts_directions_and_skips_invalid():
    s = flip_stats(
        ["select", "select", "reject", None, "reject"],
        ["select", "reject", "select", "select", "reject"],
    )
    assert (s["n"], s["invalid_pairs"], s["flips"]) == (4, 1, 2)
    assert s["select_to_reject"] == 1 and s["reject_to_select"] == 1 and s["flip_rate"] == 0.5


def test_impact_ratios_four_fifths_and_small_groups():
    groups = ["A"] * 50 + ["B"] * 49 + ["C"] * 1
    selected = [True] * 25 + [False] * 25 + [True] * 19 + [False] * 30 + [True]
    table = impact_ratios(groups, selected, n_boot=200)
    assert table["A"]["selection_rate"] == pytest.approx(0.5)
    assert table["B"]["impact_ratio"] == pytest.approx((19 / 49) / 0.5)
    assert table["B"]["flagged"] is True and table["A"]["flagged"] is False
    assert table["C"]["excluded"] is True and "impact_ratio" not in table["C"]  # 1 % of rows
    lo, hi = table["B"]["ci95"]
    assert lo <= table["B"]["impact_ratio"] <= hi


def test_roc_and_reliability_helpers():
    fx, fy = roc_points([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])
    assert list(fx) == [0, 0, 0.5, 0.5, 1.0] and list(fy) == [0, 0.5, 0.5, 1.0, 1.0]
    bins = reliability([1, 0, 1, 1], [0.05, 0.15, 0.95, 0.99])
    assert [b["n"] for b in bins] == [1, 1, 2] and bins[-1]["observed"] == 1.0
    assert math.isclose(bins[0]["mean_p"], 0.05)


def test_bootstrap_intervals_cover_the_point_and_narrow_with_more_records():
    from recruiter.metrics import bootstrap_ci

    rng = np.random.default_rng(1)

    def sample(n):
        y = ["select" if rng.random() < 0.5 else "reject" for _ in range(n)]
        pred = [t if rng.random() < 0.8 else ("reject" if t == "select" else "select") for t in y]
        p = [0.8 if q == "select" else 0.2 for q in pred]
        return y, pred, p

    small, big = sample(100), sample(2000)
    ci_small = bootstrap_ci(*small, n_boot=300)
    ci_big = bootstrap_ci(*big, n_boot=300)
    point = decision_metrics(*big)
    for k in ("accuracy", "macro_f1", "auc"):
        lo, hi = ci_big[k]
        assert lo <= point[k] <= hi
        assert hi - lo < (ci_small[k][1] - ci_small[k][0])
    assert bootstrap_ci(["select"] * 5, ["select"] * 5, [0.9] * 5, n_boot=20)["auc"] is None


def test_wilson_interval_always_contains_the_rate():
    for n in range(1, 80):
        for k in (0, n // 2, n):
            lo, hi = wilson(k, n)
            assert 0.0 <= lo <= k / n <= hi <= 1.0, (k, n, lo, hi)
