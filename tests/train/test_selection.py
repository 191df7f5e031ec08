"""Checkpoint selection by decisions: the score, and what the callback adds to an evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from recruiter.train.selection import SCORE_KEY, DecisionEvalCallback, selection_score


def test_score_orders_by_macro_f1_and_breaks_ties_by_auc():
    assert selection_score(0.80, 0.50) > selection_score(0.79, 0.99)
    assert selection_score(0.8001, 0.90) > selection_score(0.8004, 0.85)  # a tie at 3 places
    assert selection_score(0.7, None) == 0.7


class _Saveable:
    training = True

    def save_pretrained(self, path, **kwargs):
        self.saved_to = path

    def train(self):
        self.training = True


class _Engine:
    """Stands in for the inference engine: answers from a table keyed by record id."""

    local, batch_size = False, 8

    def __init__(self, answers, seen):
        self.answers = answers
        seen.append(self)

    def decide(self, rows, audit=None, channel="eval", *, mask_pii=None, defences=None):
        return [dict(zip(("status", "p_select"), self.answers[r["id"]], strict=True)) for r in rows]

    def decide_all(self, rows, audit=None, channel="batch", label="", **options):
        return self.decide(rows, **options), 0.0

    def describe(self):
        return {"precision": "fp32", "device": "cpu", "prompt_version": "v2"}


def test_callback_adds_decision_metrics_before_the_trainer_compares(tmp_path):
    rows = [{"id": str(i), "label": lab} for i, lab in enumerate(["select", "reject"] * 3)]
    answers = {
        "0": ("select", 0.9),
        "1": ("reject", 0.2),
        "2": ("select", 0.7),
        "3": ("select", 0.6),
        "4": ("reject", 0.4),
        "5": ("reject", 0.1),
    }
    engines, adapters = [], []

    def make_engine(adapter_dir):
        adapters.append(json.loads((Path(adapter_dir) / "recruiter.json").read_text()))
        return _Engine(answers, engines)

    from recruiter.inference.decision import DecisionEngine

    assert isinstance(_Engine(answers, []), DecisionEngine)

    cb = DecisionEvalCallback(rows, {"prompt_version": "v2"}, make_engine, tmp_path)
    model = _Saveable()
    cb.trainer = SimpleNamespace(model=model, processing_class=_Saveable())
    state = SimpleNamespace(global_step=7, epoch=0.5, log_history=[])
    metrics = {"eval_loss": 0.4}
    cb.on_evaluate(None, state, None, metrics=metrics)

    # 2 of 3 selects found, 2 of 3 rejects: macro-F1 2/3; p_select ranks 8 of 9 pairs right
    assert abs(metrics["eval_macro_f1"] - 2 / 3) < 1e-9
    assert abs(metrics["eval_auc"] - 8 / 9) < 1e-9
    assert metrics[f"eval_{SCORE_KEY}"] == selection_score(2 / 3, 8 / 9)
    assert adapters == [{"prompt_version": "v2"}]  # the engine read the meta it will ship with
    assert model.training
    saved = json.loads((tmp_path / "selection.json").read_text())["evaluations"]
    assert saved[0]["step"] == 7 and saved[0]["eval_loss"] == 0.4 and saved[0]["n"] == 6
    assert (tmp_path / "selection" / "step-7.jsonl").read_text().count("\n") == 6
    assert state.log_history[-1]["eval_macro_f1"] == metrics["eval_macro_f1"]


def test_the_trainer_chooses_by_the_decision_score_unless_told_loss(tiny_cfg, tmp_path):
    from recruiter.train.builders import to_sft_config

    args = to_sft_config(tiny_cfg.train, tmp_path, device="cpu", precision="fp32", seed=0)
    assert args.metric_for_best_model == f"eval_{SCORE_KEY}" and args.greater_is_better
    by_loss = tiny_cfg.train.model_copy(update={"select_by": "loss"})
    args = to_sft_config(by_loss, tmp_path, device="cpu", precision="fp32", seed=0)
    assert args.metric_for_best_model == "eval_loss" and not args.greater_is_better


def test_calibrate_tunes_the_threshold_on_the_chosen_step_and_ships_it(tmp_path):
    from recruiter.train.selection import calibrate

    (tmp_path / "selection").mkdir()
    (tmp_path / "adapter").mkdir()
    # step 2 was chosen; its model ranks perfectly but says select for nobody at 0.5
    rows = [{"label": "select", "p_select": 0.3 + i / 100} for i in range(5)]
    rows += [{"label": "reject", "p_select": 0.05 + i / 100} for i in range(5)]
    (tmp_path / "selection" / "step-2.jsonl").write_text(
        "".join(
            json.dumps({"id": str(i), "status": "reject", **r}) + "\n" for i, r in enumerate(rows)
        )
    )
    history = [
        {"step": 1, "macro_f1": 0.2, "decision_score": 0.2},
        {"step": 2, "macro_f1": 0.333, "decision_score": 0.334},
    ]
    (tmp_path / "selection.json").write_text(json.dumps({"evaluations": history}))
    meta = tmp_path / "adapter" / "recruiter.json"
    meta.write_text(json.dumps({"prompt_version": "v2", "reasoning_target": "sheet"}))
    (tmp_path / "training.json").write_text("{}")
    cal = calibrate(tmp_path)
    assert cal["step"] == 2 and cal["macro_f1_at_threshold"] == 1.0
    assert 0.09 < cal["threshold"] <= 0.3  # between the highest reject and the lowest select
    assert json.loads(meta.read_text())["decision_threshold"] == cal["threshold"]
    assert json.loads((tmp_path / "training.json").read_text())["calibration"] == cal
    meta.write_text(json.dumps({"prompt_version": "v2", "reasoning_target": "recorded"}))
    with pytest.raises(ValueError, match="reasoning=sheet"):
        calibrate(tmp_path)
