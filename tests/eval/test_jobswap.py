"""eval job-swap: the pairing and the metric arithmetic, with a fake engine and a fake embedder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recruiter import config
from recruiter.eval.jobswap import job_swap, swap_pairs
from recruiter.inference.prompt import format_answer

FAMILIES = {
    "Software Engineer": 0,
    "Senior Software Engineer": 0,
    "Registered Nurse": 1,
    "Truck Driver": 2,
}


def fake_embed(titles):
    out = np.zeros((len(titles), 3))
    for i, t in enumerate(titles):
        out[i, FAMILIES[t]] = 1.0
    return out


def _rows(n_per_role=3, start=0):
    rows = []
    for k, role in enumerate(FAMILIES):
        for j in range(n_per_role):
            label = "select" if j < 2 else "reject"
            rows.append(
                {
                    "id": f"r{start + k * 10 + j}",
                    "source": "a.csv" if k % 2 else "b.csv",
                    "role": role,
                    "job_description": f"We hire a {role}. Must-haves: {role.lower()} work.",
                    "resume": f"Skills: {role.lower()} work\n{role} (2019-01 – 2024-01)",
                    "transcript": f"Interviewer: Tell me about {role.lower()} work?\nCandidate: Yes.",
                    "label": label,
                    "output": format_answer("x" * 50, label),
                }
            )
    return rows


class FakeEngine:
    """Selects exactly when the resume names the role it is shown with."""

    local, batch_size = False, 8

    def describe(self):
        return {"model": "fake"}

    def decide(self, candidates, audit=None, channel="api", *, mask_pii=None, defences=None):
        recs = []
        for c in candidates:
            fit = c["role"].split()[-1].lower() in c["resume"].lower()
            recs.append({"status": "select" if fit else "reject", "p_select": 0.9 if fit else 0.2})
        return recs

    def decide_all(self, candidates, audit=None, channel="batch", label="", **options):
        return self.decide(candidates, **options), 1.0


def test_the_stand_in_is_a_decision_engine():
    from recruiter.inference.decision import DecisionEngine

    assert isinstance(FakeEngine(), DecisionEngine)


def test_pairs_are_selected_candidates_with_a_selecting_job_of_another_family():
    rows = _rows()
    pairs = swap_pairs(rows, 5, seed=3, embed=fake_embed)
    assert len(pairs) == 5
    assert pairs == swap_pairs(rows, 5, seed=3, embed=fake_embed)  # deterministic by seed
    selected_jds = {r["job_description"] for r in rows if r["label"] == "select"}
    for own, sw in pairs:
        assert own["label"] == "select" and sw["label"] == "reject"
        assert FAMILIES[own["role"]] != FAMILIES[sw["role"]]
        assert sw["job_description"] in selected_jds
        assert (sw["resume"], sw["transcript"]) == (own["resume"], own["transcript"])
        assert sw["id"] == own["id"] + "#swap"
    # "Senior Software Engineer" and "Software Engineer" share a title word: never swapped
    assert not any({own["role"], sw["role"]} == set(list(FAMILIES)[:2]) for own, sw in pairs)


def test_metric_arithmetic_with_a_fake_engine(tmp_path):
    data = tmp_path / "prepared"
    data.mkdir()
    for split, rows in (("train", _rows(6, 100)), ("test", _rows())):
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    cfg = config.RecruiterConfig()
    cfg.eval.data, cfg.eval.split = str(data), "test"
    cfg.eval.job_swap.pairs = 4
    out = job_swap(cfg, FakeEngine(), embed=fake_embed)
    m = out["model"]
    assert m == {"n_pairs": 4, "auc": 1.0, "own_select_rate": 1.0, "swapped_reject_rate": 1.0}
    assert len(out["pairs"]) == 4 and all(p["p_own"] == 0.9 for p in out["pairs"])
    assert sum(s["n_pairs"] for s in out["per_source"].values()) == 4
    assert out["TF-IDF + LR"]["n_pairs"] == 4 and out["train_pairs"] > 0
    assert 0.0 <= out["evidence-feature LR"]["auc"] <= 1.0
    role = out["role-line similarity"]  # untrained: an AUC and no rates
    assert role["n_pairs"] == 4 and 0.0 <= role["auc"] <= 1.0 and role["own_select_rate"] is None


def test_one_role_family_gives_no_pairs():
    rows = [r for r in _rows() if FAMILIES[r["role"]] == 0]
    assert swap_pairs(rows, 5, seed=0, embed=fake_embed) == []


@pytest.mark.parametrize("n", [1, 2])
def test_fewer_pairs_than_asked_when_the_data_has_fewer(n):
    assert len(swap_pairs(_rows(), n, seed=1, embed=fake_embed)) == n
