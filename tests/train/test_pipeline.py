"""Smoke test of `recruiter train` (3 steps on tiny data) and its refusals of bad input."""

from __future__ import annotations

import json

import pytest

from recruiter import config
from recruiter.errors import InputError, ModelError
from recruiter.eval.trained import evaluate_run
from recruiter.train import run


def _cfg(tiny_cfg, **train):
    return tiny_cfg.model_copy(update={"train": tiny_cfg.train.model_copy(update=train)}, deep=True)


@pytest.fixture(scope="module")
def trained(tiny_cfg, prepared_synth, tmp_path_factory):
    out = tmp_path_factory.mktemp("train") / "run"
    cfg = _cfg(tiny_cfg, data=str(prepared_synth), output=str(out))
    run_dir = run(cfg)
    evaluate_run(run_dir, cfg)  # what `recruiter train` chains after run() with evaluate_test
    return cfg, run_dir


def test_three_steps_change_lora_weights_and_write_everything(trained):
    from safetensors.torch import load_file

    cfg, run_dir = trained
    adapter = run_dir / "adapter"
    for name in ("adapter_model.safetensors", "adapter_config.json", "recruiter.json", "README.md"):
        assert (adapter / name).is_file(), name
    assert (run_dir / "config.yaml").read_text().startswith("# ")
    tensors = load_file(adapter / "adapter_model.safetensors")
    lora_b = [v for k, v in tensors.items() if "lora_B" in k]
    assert lora_b and all(str(v.dtype) == "torch.bfloat16" for v in tensors.values())
    # PEFT initialises B to zero; three optimizer steps must have moved it
    assert sum(float(v.float().abs().sum()) for v in lora_b) > 0
    training = json.loads((run_dir / "training.json").read_text())
    assert training["steps"] == 3
    assert training["tokens_per_second"] > 0 and training["peak_memory_mb"] > 0
    assert training["data_manifest_sha256"] and training["packages"]["trl"] != "not installed"
    meta = json.loads((adapter / "recruiter.json").read_text())
    assert meta["prompt_budget"] == cfg.train.max_length - cfg.inference.max_new_tokens
    # the checkpoint was chosen by validation decisions through the engine, loss logged beside
    assert training["selected_by"] == "decisions"
    assert training["injected"] == {"rate": 0.0, "records": 0, "kinds": {}}
    (chosen,) = training["selection"]
    assert chosen["n"] == cfg.train.max_eval_examples and chosen["step"] == 3
    step_file = run_dir / "selection" / "step-3.jsonl"
    assert step_file.read_text().count("\n") == cfg.train.max_eval_examples
    assert chosen["eval_loss"] == training["best_eval_loss"] is not None
    assert training["best_metric"] == chosen["decision_score"]
    assert json.loads((run_dir / "selection.json").read_text())["evaluations"] == [chosen]
    assert "Chosen by validation decisions" in (adapter / "README.md").read_text()


def test_test_metrics_beside_baselines_in_metrics_and_card(trained):
    _, run_dir = trained
    metrics = json.loads((run_dir / "metrics.json").read_text())
    d = metrics["datasets"]["synthetic"]
    for system in ("model", "tfidf_logreg", "majority"):
        assert d[system]["n"] == 2
        assert 0.0 <= d[system]["accuracy"] <= 1.0
    assert d["engine"]["adapter_sha256"]
    assert (run_dir / "predictions-synthetic.jsonl").read_text().count("\n") == 2
    card = (run_dir / "adapter" / "README.md").read_text()
    assert "TF-IDF + LR" in card and "evidence-feature LR" in card and "advisory" in card


def test_merged_model_loads_as_a_plain_folder(trained, tmp_path):
    from recruiter.inference.engine import Engine
    from recruiter.train.merge import merge

    _, run_dir = trained
    merged = merge(run_dir / "adapter", tmp_path / "merged", dtype="fp32")
    assert (merged / "config.json").is_file() and (merged / "recruiter.json").is_file()
    engine = Engine.build(llm=str(merged), adapter=None, precision="fp32", max_new_tokens=8)
    assert (
        engine.prompt_budget == json.loads((merged / "recruiter.json").read_text())["prompt_budget"]
    )


def test_resume_needs_a_checkpoint(tiny_cfg, prepared_synth, tmp_path):
    cfg = _cfg(tiny_cfg, data=str(prepared_synth), resume=str(tmp_path))
    with pytest.raises(InputError, match="no checkpoint found"):
        run(cfg)


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"data": "/nonexistent/prepared"}, InputError, "not a folder"),
        (
            {"lora": config.LoraSection(target_modules=["qkv_proj"])},
            InputError,
            "not in the base model",
        ),
    ],
)
def test_bad_input_exits_cleanly_and_writes_nothing(
    tiny_cfg, prepared_synth, tmp_path, change, error, message
):
    out = tmp_path / "run"
    cfg = _cfg(tiny_cfg, **{"data": str(prepared_synth), "output": str(out), **change})
    with pytest.raises(error, match=message):
        run(cfg)
    assert not out.exists()


def test_unknown_base_model_offline_is_a_model_error(tiny_cfg, prepared_synth, tmp_path):
    out = tmp_path / "run"
    cfg = _cfg(tiny_cfg, data=str(prepared_synth), output=str(out))
    cfg = cfg.model_copy(update={"models": cfg.models.model_copy(update={"llm": "acme/nope-7b"})})
    with pytest.raises(ModelError, match="not in the local"):
        run(cfg)
    assert not out.exists()


def test_resume_continues_from_the_latest_checkpoint(tiny_cfg, prepared_synth, tmp_path):
    out = tmp_path / "run"
    first = _cfg(
        tiny_cfg,
        data=str(prepared_synth),
        output=str(out),
        max_steps=2,
        eval_steps=2,
        evaluate_test=False,
    )
    run(first)
    assert (out / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file()
    (out / "adapter").rename(out / "adapter-first")  # as if the first run had been cut off here
    again = _cfg(
        tiny_cfg,
        data=str(prepared_synth),
        resume=str(out),
        max_steps=3,
        eval_steps=2,
        evaluate_test=False,
    )
    assert run(again) == out
    training = json.loads((out / "training.json").read_text())
    assert training["resumed_from"].endswith("checkpoint-2") and training["steps"] == 3


def test_init_adapter_continues_from_an_existing_adapter(trained, tmp_path, monkeypatch):
    import peft
    from safetensors.torch import load_file

    from recruiter.inference.loading import adapter_sha256

    cfg, run_dir = trained
    start = run_dir / "adapter"
    loaded = {}
    real = peft.PeftModel.from_pretrained

    def spy(model, path, **kw):  # the weights the continued run starts from, before any step
        m = real(model, path, **kw)
        if not loaded:  # later loads are the selection engine's, after the step
            loaded.update({k: v.detach().clone() for k, v in m.named_parameters() if "lora_B" in k})
        return m

    monkeypatch.setattr(peft.PeftModel, "from_pretrained", spy)
    out = tmp_path / "continued"
    cont = _cfg(
        cfg,
        output=str(out),
        init_adapter=str(start),
        max_steps=1,
        warmup_ratio=0.0,
        evaluate_test=False,
    )
    run(cont)
    before = load_file(start / "adapter_model.safetensors")
    b_start = {k: v for k, v in before.items() if "lora_B" in k}
    assert len(loaded) == len(b_start) > 0
    # the continued run began at the first run's trained weights, not at PEFT's zero init
    assert sum(float(v.abs().sum()) for v in loaded.values()) > 0
    start_sum = sum(float(v.float().abs().sum()) for v in b_start.values())
    assert abs(sum(float(v.abs().sum()) for v in loaded.values()) - start_sum) < 1e-2 * start_sum
    after = load_file(out / "adapter" / "adapter_model.safetensors")
    assert any(not (after[k] == v).all() for k, v in before.items())  # and one step moved them
    training = json.loads((out / "training.json").read_text())
    assert training["init_adapter"] == str(start.resolve())
    assert training["init_adapter_sha256"] == adapter_sha256(start)


def test_init_adapter_must_exist_and_match_the_base(trained, tmp_path):
    cfg, run_dir = trained
    out = tmp_path / "run"
    with pytest.raises(InputError, match="train.init_adapter: .*no adapter_config.json"):
        run(_cfg(cfg, output=str(out), init_adapter=str(tmp_path)))
    other = tmp_path / "other"
    other.mkdir()
    for f in (run_dir / "adapter").iterdir():
        (other / f.name).write_bytes(f.read_bytes())
    meta = json.loads((other / "recruiter.json").read_text())
    (other / "recruiter.json").write_text(json.dumps({**meta, "base_model": "acme/other-7b"}))
    with pytest.raises(InputError, match="was trained on acme/other-7b"):
        run(_cfg(cfg, output=str(out), init_adapter=str(other)))
    assert not out.exists()


def test_final_eval_reuses_the_logged_eval_of_the_best_last_step():
    from types import SimpleNamespace

    from recruiter.train.pipeline import _final_eval

    class Trainer:
        def __init__(self, best, history):
            self.state = SimpleNamespace(global_step=10, best_global_step=best, log_history=history)
            self.calls = 0

        def evaluate(self):
            self.calls += 1
            return {"eval_loss": 9.0}

    logged = [{"loss": 1.0, "step": 5}, {"eval_loss": 0.3, "step": 10}]
    t = Trainer(10, logged)
    assert _final_eval(t) == {"eval_loss": 0.3, "step": 10} and t.calls == 0
    # an earlier checkpoint was best, or the last step was not evaluated: evaluate the weights
    t = Trainer(5, logged)
    assert _final_eval(t)["eval_loss"] == 9.0 and t.calls == 1
    t = Trainer(10, [{"eval_loss": 0.3, "step": 8}])
    assert _final_eval(t)["eval_loss"] == 9.0 and t.calls == 1


def test_extra_data_is_pooled_validated_and_evaluated_per_dataset(trained, tmp_path):
    import shutil

    from recruiter.eval.trained import evaluate_trained

    cfg, run_dir = trained
    team = tmp_path / "team"  # a second prepared dataset: the same records under another name
    shutil.copytree(cfg.train.data, team)
    out = tmp_path / "pooled"
    pooled = _cfg(
        cfg,
        output=str(out),
        max_steps=1,
        warmup_ratio=0.0,
        extra_data=[config.ExtraData(data=str(team), weight=0.5)],
    )
    run(pooled)
    results = evaluate_trained(out, pooled)
    training = json.loads((out / "training.json").read_text())
    main = training["datasets"]["synthetic"]
    assert training["datasets"]["team"]["examples"] == round(0.5 * main["rows"])
    assert training["examples"]["train"] == main["rows"] + round(0.5 * main["rows"])
    (chosen,) = training["selection"]
    n = cfg.train.max_eval_examples
    assert chosen["n"] == 2 * n and set(chosen["by_dataset"]) == {"synthetic", "team"}
    assert all(b["n"] == n for b in chosen["by_dataset"].values())
    assert set(results) == {"synthetic", "team"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["datasets"]) == {"synthetic", "team"}
    meta = json.loads((out / "adapter" / "recruiter.json").read_text())
    assert meta["extra_data"][0]["name"] == "team" and meta["extra_data"][0]["weight"] == 0.5
    card = (out / "adapter" / "README.md").read_text()
    assert "Datasets pooled" in card and "team (" in card
