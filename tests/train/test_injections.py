"""Training-time injections: varied, seeded, never the robustness eval's attack text."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from recruiter.eval import robustness as R
from recruiter.train.injections import inject_rows, make_injection

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "injection"


def _eval_strings() -> list[str]:
    out = [R.INSTRUCTION, R.FAKE_ANSWER, R.zero_width(R.INSTRUCTION)]
    for path in sorted(SHARED.glob("*.json")) if SHARED.is_dir() else []:
        data = json.loads(path.read_text())
        if isinstance(data, dict):
            out += [s for items in data.values() if isinstance(items, list) for s in items
                    if isinstance(s, str) and len(s) > 20]  # fmt: skip
    return out


def test_injections_vary_and_are_never_the_eval_attacks():
    rng = random.Random(0)
    made = [make_injection(rng) for _ in range(2000)]
    kinds = Counter(k for _, k in made)
    styles = {k.split(":")[0] for k in kinds}
    assert styles == {"plain", "forged", "comment", "spaced", "zero_width"}
    assert {k.split(":")[1] for k in kinds} == {"select", "reject"}
    assert len({t for t, _ in made}) > 100
    texts = [t.lower() for t, _ in made]
    for attack in _eval_strings():
        assert not any(attack.lower() in t or t in attack.lower() for t in texts), attack[:60]
    assert "ignore previous instructions" not in " ".join(texts)


def test_a_share_of_rows_gets_one_instruction_and_keeps_its_answer():
    rows = [
        {"id": str(i), "resume": f"Resume {i}\nline two", "transcript": f"Q: hi\nA: {i}",
         "label": "reject", "output": '{"reasoning": "r", "status": "reject"}'}
        for i in range(400)
    ]  # fmt: skip
    out, counts = inject_rows(rows, 0.1, seed=3)
    changed = [(a, b) for a, b in zip(rows, out, strict=True) if a != b]
    assert 20 <= len(changed) <= 60 and sum(counts.values()) == len(changed)
    for a, b in changed:
        assert (a["label"], a["output"]) == (b["label"], b["output"])
        diff = [k for k in a if a[k] != b[k]]
        assert len(diff) == 1 and diff[0] in ("resume", "transcript")
        assert b[diff[0]].count("\n") == a[diff[0]].count("\n") + 1  # one line added
    assert inject_rows(rows, 0.1, seed=3) == (out, counts)  # seeded
    assert inject_rows(rows, 0.0, seed=3) == (rows, {})
