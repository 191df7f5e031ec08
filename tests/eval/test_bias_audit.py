"""Bias audit: the impact-ratio arithmetic on a hand-computed case, the 2 % rule, intersections,
historical beside model decisions, and the worked example on the synthetic applicant table."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from recruiter import config
from recruiter.errors import InputError
from recruiter.eval.bias_audit import bias_audit
from recruiter.prepare import synth


def _cfg(tmp_path, **audit):
    cfg = config.load(None, ["eval.bootstrap=50"])
    return cfg.model_copy(
        update={"eval": cfg.eval.model_copy(update={"bias_audit": config.BiasAuditConfig(**audit)})}
    )


def _table(tmp_path) -> str:
    # sex F: 40 rows, 10 selected (0.25); M: 58 rows, 29 selected (0.5); X: 2 rows (2 % -> kept
    # only at >= 2 %: 2/100 is exactly 2 %, kept); race A/B split evenly inside each sex
    rows = []
    for i in range(100):
        sex = "F" if i < 40 else "M" if i < 98 else "X"
        sel = (i < 10) or (40 <= i < 69) or i == 98
        rows.append({"id": f"rec-{i}", "sex": sex, "race": "A" if i % 2 else "B",
                     "decision": "Selected" if sel else "Not selected"})  # fmt: skip
    path = tmp_path / "applicants.csv"
    path.write_text(
        "id,sex,race,decision\n"
        + "".join(f"{r['id']},{r['sex']},{r['race']},{r['decision']}\n" for r in rows)
    )
    return str(path)


def test_impact_ratios_match_a_hand_computed_case(tmp_path):
    cfg = _cfg(tmp_path, applicants=_table(tmp_path), columns=["sex", "race"])
    r = bias_audit(cfg)
    sex = r["historical"]["tables"]["sex"]
    assert sex["F"]["selection_rate"] == 0.25 and sex["M"]["selection_rate"] == 0.5
    # X: 1 of 2 selected (0.5), share exactly 2 %: kept; the top rate is 0.5
    assert sex["F"]["impact_ratio"] == pytest.approx(0.5) and sex["F"]["flagged"] is True
    assert sex["M"]["impact_ratio"] == 1.0 and sex["M"]["flagged"] is False
    assert sex["X"]["excluded"] is False and sex["X"]["share"] == 0.02
    lo, hi = sex["F"]["ci95"]
    assert lo <= 0.5 <= hi
    inter = r["historical"]["tables"]["sex × race"]
    assert set(inter) == {"F × A", "F × B", "M × A", "M × B", "X × A", "X × B"}
    assert inter["X × A"]["excluded"] and inter["X × A"]["n"] == 1  # 1 % < 2 %


def test_model_decisions_are_audited_beside_the_same_applicants_history(tmp_path):
    table = _table(tmp_path)
    preds = tmp_path / "predictions.jsonl"
    # the model selects every second applicant whatever their sex, for the first 80 ids
    preds.write_text(
        "".join(
            json.dumps({"id": f"records.jsonl:rec-{i}", "status": "select" if i % 2 else "reject"})
            + "\n"
            for i in range(80)
        )
    )
    r = bias_audit(_cfg(tmp_path, applicants=table, columns=["sex"], predictions=str(tmp_path)))
    m = r["model"]
    assert m["n"] == 80 and m["selection_rate"] == 0.5
    assert m["tables"]["sex"]["F"]["impact_ratio"] == pytest.approx(1.0)
    assert m["historical_same_rows"]["sex"]["F"]["selection_rate"] == 0.25
    with pytest.raises(InputError, match="no column 'gender'"):
        bias_audit(_cfg(tmp_path, applicants=table, columns=["gender"]))


def test_worked_example_on_the_synthetic_applicants_via_cli(tmp_path):
    from recruiter.cli import app

    paths = synth.write(synth.generate(300, seed=3), tmp_path / "synth")
    rows = [json.loads(x) for x in paths["applicants"].read_text().splitlines()]
    assert rows and set(rows[0]) == {"id", "nationality", "native_language", "decision"}
    out = tmp_path / "audit"
    r = CliRunner().invoke(
        app,
        ["eval", "bias-audit", "-o", f"eval.bias_audit.applicants={paths['applicants']}",
         "-o", "eval.bias_audit.columns=[nationality, native_language]",
         "-o", "eval.bootstrap=50", "-o", f"eval.output={out}"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    report = (out / "report.md").read_text()
    assert "Bias audit" in report and "nationality × native_language" in report
    assert (out / "bias_audit.png").is_file()
    result = json.loads((out / "eval.json").read_text())["bias_audit"]
    assert result["n"] == len(rows)
