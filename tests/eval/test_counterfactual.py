"""Interview-flip pairs: only the answers change and the rule's label flips; the metric arithmetic."""

from __future__ import annotations

import difflib
import json

import pytest

from recruiter import config
from recruiter.eval.counterfactual import (
    interview_flip,
    interview_flip_md,
    interview_flip_plot,
    load_pairs,
)
from recruiter.prepare import synth


@pytest.fixture(scope="module")
def corpus():
    return synth.generate(240, seed=2)


def test_only_the_flipped_answers_change_and_the_rule_label_flips(corpus):
    by_id = {r["id"]: r for r in corpus.records}
    assert len(corpus.counterfactuals) > 40
    for cf in corpus.counterfactuals:
        orig = by_id[cf["of"]]
        assert cf["original_decision"] != cf["decision"]
        assert cf["direction"] == (
            "concrete->vague" if cf["original_decision"] == "select" else "vague->concrete"
        )
        for k in ("role", "job_description", "resume"):
            assert cf[k] == orig[k]
        diff = [
            d for d in difflib.ndiff(orig["transcript"].splitlines(), cf["transcript"].splitlines())
            if d[:1] in "+-"
        ]  # fmt: skip
        assert len(diff) == 2 * len(cf["changed_skills"]), cf["id"]
    directions = {cf["direction"] for cf in corpus.counterfactuals}
    assert directions == {"concrete->vague", "vague->concrete"}


class OracleEngine:
    """Decides by a table of transcripts; ``None`` keeps every decision as the original's."""

    local, batch_size = False, 8

    def __init__(self, table):
        self.table = table

    def describe(self):
        return {"model": "oracle"}

    def decide(self, rows, audit=None, channel="api", *, mask_pii=None, defences=None):
        out = []
        for r in rows:
            status = self.table[r["transcript"]]
            out.append({"status": status, "p_select": 0.8 if status == "select" else 0.2})
        return out

    def decide_all(self, rows, audit=None, channel="batch", label="", **options):
        return self.decide(rows, **options), 0.1


def _setup(corpus, tmp_path):
    folder = tmp_path / "synth"
    synth.write(corpus, folder)
    data = tmp_path / "prepared"
    data.mkdir()
    rows = [
        {"id": f"records.jsonl:{r['id']}", "role": r["role"], "job_description": r["job_description"],
         "resume": r["resume"], "transcript": r["transcript"], "label": lab,
         "output": json.dumps({"reasoning": "x", "status": lab})}
        for r in corpus.records
        if (lab := {"select": "select", "reject": "reject"}.get(r["decision"]))
    ]  # fmt: skip
    for split, part in (("train", rows[:80]), ("test", rows[150:])):
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
    cfg = config.RecruiterConfig()
    cfg.eval.data, cfg.eval.split = str(data), "test"
    cfg.eval.interview_flip.corpus, cfg.eval.interview_flip.pairs = str(folder), 10
    return cfg, rows


def test_metric_arithmetic_with_oracle_and_stubborn_engines(corpus, tmp_path):
    cfg, rows = _setup(corpus, tmp_path)
    pairs = load_pairs(cfg.eval.interview_flip.corpus, rows[150:], 10)
    assert 0 < len(pairs) <= 10 and [o["id"] for o, _ in pairs] == sorted(o["id"] for o, _ in pairs)
    test_ids = {r["id"].split(":")[1] for r in rows[150:]}
    assert all(o["id"] in test_ids for o, _ in pairs)
    oracle = {o["transcript"]: cf["original_decision"] for o, cf in pairs}
    oracle |= {cf["transcript"]: cf["decision"] for _, cf in pairs}
    from recruiter.inference.decision import DecisionEngine

    assert isinstance(OracleEngine(oracle), DecisionEngine)
    out = interview_flip(cfg, OracleEngine(oracle))
    assert out["model"]["all"] == {
        "n": len(pairs),
        "status_moved": 1.0,
        "p_moved": 1.0,
        "both_right": 1.0,
    }
    md = "\n".join(interview_flip_md(out))
    assert f"| model | {len(pairs)} | 1.000 | 1.000 | 1.000 |" in md and "evidence-feature LR" in md
    assert interview_flip_plot(out, tmp_path) == ["interview_flip.png"]
    assert (tmp_path / "interview_flip.png").stat().st_size > 1000
    stubborn = {o["transcript"]: cf["original_decision"] for o, cf in pairs}
    stubborn |= {cf["transcript"]: cf["original_decision"] for _, cf in pairs}
    out = interview_flip(cfg, OracleEngine(stubborn))
    assert out["model"]["all"]["status_moved"] == 0.0 and out["model"]["all"]["p_moved"] == 0.0
    assert 0.0 <= out["TF-IDF + LR"]["all"]["p_moved"] <= 1.0 and len(out["pairs"]) == len(pairs)
