"""Reasoning facts against the synthetic generator's ground truth."""

import re
import shutil

from recruiter.eval.faithfulness import FACTS, corpus_truth, faithfulness
from recruiter.splits import read_split


def _rows_and_truth(prepared_synth):
    truth, note = corpus_truth(prepared_synth.parent / "synth")
    assert note is None
    rows = [r for s in ("train", "validation", "test") for r in read_split(prepared_synth, s)]
    return rows, truth


def test_the_generators_own_reasoning_states_only_true_facts(prepared_synth):
    rows, truth = _rows_and_truth(prepared_synth)
    records = [{"reasoning": r["reason"], "status": r["label"]} for r in rows]
    f = faithfulness(records, rows, truth)
    assert f["n"] == f["parsed"] >= 40  # spam rows have no rule facts and are left out
    assert all(f[k] == 1.0 for k in FACTS), f
    # the recorded labels are the rule's except the flipped label noise, and the cited facts
    # are true, so both "follows" shares are the same share of unflipped labels
    assert f["status_follows_own_facts"] == f["status_follows_true_facts"] >= 0.9


def test_a_miscounted_skill_and_a_flipped_status_are_caught(prepared_synth):
    rows, truth = _rows_and_truth(prepared_synth)
    records = [{"reasoning": r["reason"], "status": r["label"]} for r in rows]
    base = faithfulness(records, rows, truth)
    i = next(i for i, r in enumerate(records) if re.search(r"Covers \d+/", r["reasoning"]))
    k = int(re.search(r"Covers (\d+)/", records[i]["reasoning"]).group(1))
    records[i]["reasoning"] = records[i]["reasoning"].replace(f"Covers {k}/", f"Covers {k + 1}/", 1)
    records[i + 1]["status"] = "reject" if records[i + 1]["status"] == "select" else "select"
    f = faithfulness(records, rows, truth)
    assert f["skills_count"] == (base["parsed"] - 1) / base["parsed"]
    assert f["years_exact"] == 1.0
    assert f["status_follows_own_facts"] < base["status_follows_own_facts"]


def test_other_data_gets_a_reason_not_numbers(prepared_synth, tmp_path):
    truth, note = corpus_truth(prepared_synth)  # a prepared folder, not a generator's corpus
    assert truth is None and "not a `recruiter prepare synth` folder" in note
    edited = tmp_path / "synth"
    shutil.copytree(prepared_synth.parent / "synth", edited)
    rec = edited / "records.jsonl"
    rec.write_text(rec.read_text().replace("years", "yrs", 1))
    truth, note = corpus_truth(edited)
    assert truth is None and "differs from what the generator makes" in note
