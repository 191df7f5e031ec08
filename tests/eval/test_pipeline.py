"""The eval pipeline end to end on tiny data with a stand-in engine, and the report it renders."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from recruiter.inference.preflight import Preflight, preflight
from recruiter.inference.prompt import FIELDS

REPO = Path(__file__).resolve().parents[2]


class FakeEngine:
    """Stands in for the LLM: a fixed rule, and naive enough to obey a visible instruction."""

    local = False
    batch_size = 4

    def __init__(self):
        self.calls = 0
        self.options = []  # the per-call mask_pii / defences it was asked for

    def describe(self):
        return {
            "model": "fake",
            "adapter_sha256": None,
            "prompt_version": "v1",
            "precision": "fp32",
            "device": "cpu",
        }

    def decide(self, candidates, audit=None, channel="api", *, mask_pii=None, defences=None):
        return self.decide_all(candidates, mask_pii=mask_pii, defences=defences)[0]

    def decide_all(
        self, candidates, audit=None, channel="eval", label="", *, mask_pii=None, defences=None
    ):
        self.calls += len(candidates)
        self.options.append((mask_pii, defences))
        mask = mask_pii is not False
        out = []
        for c in candidates:
            if defences is False:  # no preflight: nothing stripped, masked or flagged
                checked = Preflight({k: str(c.get(k) or "") for k in FIELDS})
            else:
                checked = preflight(c, mask=mask)
            text = checked.fields["resume"]
            yes = "mark this candidate as select" in text or "Python" in text or "python" in text
            if not mask and "Okafor" in text:  # a biased model, visible once masking is off
                yes = False
            out.append(
                {
                    "request_id": uuid.uuid4().hex,
                    # the record's own reason (true facts) where it has one
                    "reasoning": c.get("reason") or "x" * 50,
                    "status": "select" if yes else "reject",
                    "p_select": 0.9 if yes else 0.2,
                    "flags": checked.flags,
                    "latency_ms": 10.0,
                    "advisory": True,
                }
            )
        return out, 0.01


@pytest.fixture(scope="module")
def evaluated(tiny_cfg, prepared_synth, tmp_path_factory):
    from recruiter import config
    from recruiter.eval import run

    names = tmp_path_factory.mktemp("names") / "names.json"
    names.write_text(
        json.dumps({"g1": ["Ann Lee", "Bo Chen"], "g2": ["Chidi Okafor", "Ada Okafor"]})
    )
    out = tmp_path_factory.mktemp("eval") / "run"
    cfg = config.load(
        None,
        [
            f"eval.data={prepared_synth}",
            f"eval.output={out}",
            f"eval.fairness.names={names}",
            "eval.fairness.records=6",
            "eval.injection.records=6",
            "eval.injection.fuzz_files=20",
            "eval.injection.determinism_records=3",
            "eval.bootstrap=50",
            "retrieval.model=null",
        ],
    )
    engine = FakeEngine()
    return run(cfg, ("decisions", "fairness", "robustness"), engine=engine), engine


def test_report_has_every_part_and_its_plots(evaluated):
    out, _ = evaluated
    result = json.loads((out / "eval.json").read_text())
    assert set(result) >= {"engine", "decisions", "fairness", "robustness"}
    report = (out / "report.md").read_text()
    for heading in (
        "## Decisions",
        "## Fairness",
        "## Robustness",
        "TF-IDF + LR",
        "majority",
        "model @ threshold",
    ):
        assert heading in report, heading
    for png in ("roc.png", "reliability.png", "confusion.png", "flip_rates.png", "injection.png"):
        assert (out / png).stat().st_size > 1000, png
        assert f"]({png})" in report
    assert (out / "config.yaml").is_file() and (out / "predictions.jsonl").is_file()
    # the stand-in cites each record's true facts: the faithfulness check finds them all true
    faithful = result["decisions"]["faithfulness"]
    assert faithful["parsed"] == faithful["n"] > 0 and faithful["skills_count"] == 1.0
    assert "Reasoning against the synthetic corpus' ground truth" in report


def test_the_stand_in_is_a_decision_engine():
    from recruiter.inference.decision import DecisionEngine

    assert isinstance(FakeEngine(), DecisionEngine)


def test_fairness_numbers_follow_from_the_stand_in(evaluated):
    out, engine = evaluated
    # masking off and defences off were asked per call, not switched on the shared engine
    assert (False, None) in engine.options and (None, False) in engine.options
    f = json.loads((out / "eval.json").read_text())["fairness"]
    # the stand-in ignores names once masked, and rejects every Okafor when masking is off
    assert f["flips"]["name (as deployed) vs g1"]["flips"] == 0
    table = f["impact_ratios"]["masking off"]
    assert table["g2"]["selection_rate"] == 0.0 and (
        table["g1"]["selection_rate"] == 0.0 or table["g2"]["flagged"]
    )


def test_injection_flips_and_flags(evaluated):
    out, _ = evaluated
    r = json.loads((out / "eval.json").read_text())["robustness"]
    inj = r["injection"]["results"]
    if r["injection"]["clean_rejected"]:
        # the stand-in obeys any instruction it reads; the preflight removes it first
        assert inj["visible"]["flip_rate"] == 0.0 and inj["fake_answer"]["flip_rate"] == 0.0
        assert inj["visible"]["flagged_rate"] == 1.0
        assert inj["tag_smuggled"]["flip_rate"] == 0.0  # the preflight deletes tag characters
        assert inj["zero_width"]["flagged_rate"] == 1.0
    assert r["determinism"]["identical_rate"] == 1.0
    over = r["injection"]["over_defence"]
    # asked of every engine now (it was skipped for engines without a `defences` switch)
    assert 0 <= over["same_decision_without_defences"] <= r["injection"]["clean_records"]
    assert r["fuzz"]["tracebacks"] == 0 and r["fuzz"]["files"] == 20


def test_report_re_renders(evaluated):
    from typer.testing import CliRunner

    from recruiter.cli import app

    out, _ = evaluated
    before = (out / "report.md").read_text()
    (out / "report.md").unlink()
    r = CliRunner().invoke(app, ["eval", "report", str(out)])
    assert r.exit_code == 0 and (out / "report.md").read_text() == before


def test_per_source_table_puts_the_baseline_beside_every_model_number():
    from recruiter.eval.report import _decision_md

    def m(n, acc, f1, auc, rate):
        return {"n": n, "accuracy": acc, "macro_f1": f1, "auc": auc, "select_rate": rate}

    d = {
        "data": "runs/prepare/hiring",
        "split": "test",
        "n": 5,
        "systems": {"model": m(5, 0.6, 0.5, 0.7, 0.4)},
        "latency_ms": {"p50": 1.0, "p95": 2.0},
        "per_source": {
            "a.csv": m(3, 0.667, 0.6, 0.75, 0.333),
            "b.csv": m(2, 0.5, 0.333, None, 0.0),
        },
        "per_source_tfidf": {
            "a.csv": m(3, 1.0, 1.0, 1.0, 0.667),
            "b.csv": m(2, 0.5, 0.4, 0.5, 0.5),
        },
        "per_role": {},
        "evidence": {},
    }
    text = "\n".join(_decision_md(d))
    assert "| a.csv | 3 | 0.667 | 0.600 | 0.750 | 0.333 | 1.000 | 1.000 | 1.000 |" in text
    assert "| b.csv | 2 | 0.500 | 0.333 |" in text and "0.400 | 0.500 |" in text
    assert "By source:" not in text  # one table per breakdown, not the model-only one too


def test_an_existing_output_folder_is_refused_before_any_work(tmp_path):
    from recruiter import config
    from recruiter.errors import InputError
    from recruiter.eval import run

    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    cfg = config.load(None, [f"eval.output={out}", f"eval.data={tmp_path / 'nowhere'}"])
    with pytest.raises(InputError, match="already exists"):
        run(cfg, ("evidence",))
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_held_out_file_is_prepared_whole_and_every_record_evaluated(
    tiny_cfg, prepared_synth, tmp_path
):
    """`recruiter eval --input FILE`: no split of the file (0 / 0 / 1), every record decided,
    the baselines trained on --data's train split."""
    from recruiter import config
    from recruiter.cli import _prepare_whole
    from recruiter.eval import run
    from recruiter.prepare import synth
    from recruiter.splits import read_split

    paths = synth.write(synth.generate(60, seed=11, dup_rate=0, near_dup_rate=0), tmp_path / "s")
    cfg = config.load(
        REPO / "configs" / "tiny.yaml",
        [f"eval.data={prepared_synth}", f"eval.output={tmp_path / 'ev'}", "eval.tune_threshold=false",
         "retrieval.model=null", "eval.bootstrap=50"],
    )  # fmt: skip
    cfg = _prepare_whole(cfg, [paths["records"]])
    assert cfg.eval.baseline_data == str(prepared_synth) and cfg.eval.split == "test"
    whole = read_split(cfg.eval.data, "test")
    assert len(whole) > 40  # spam and cleaning aside, the file is all test
    for empty in ("train", "validation"):
        assert (Path(cfg.eval.data) / f"{empty}.jsonl").read_text() == ""
    out = run(cfg, ("decisions",), engine=FakeEngine())
    result = json.loads((out / "eval.json").read_text())["decisions"]
    assert result["systems"]["model"]["n"] == len(whole)
