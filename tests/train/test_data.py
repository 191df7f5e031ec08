"""Prepared splits -> fitted prompt/completion examples; the assistant-only mask with TRL."""

from __future__ import annotations

import json

import pytest

from recruiter.errors import InputError
from recruiter.inference.prompt import build_messages, format_answer
from recruiter.inference.truncate import CUT_MARK, fit_fields, prompt_tokens
from recruiter.splits import read_split
from recruiter.train import data as data_mod

ANSWER = format_answer(
    "Covers 4/5 required skills; 6 years vs 3 required; answered concretely; no red flags.",
    "select",
)


@pytest.fixture(scope="module")
def tokenizer(smollm2_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(smollm2_dir)


def _fields(n_words: int = 20) -> dict:
    return {
        "role": "Data Engineer",
        "job_description": "We need SQL, Python and Airflow. " * 3,
        "resume": "SKILLS\nSQL, Python\n"
        + " ".join(f"word{i}" for i in range(n_words))
        + "\nLANGUAGES\nEnglish (C1)",
        "transcript": "Interviewer: Tell me about Airflow.\nCandidate: I built DAGs for ten pipelines.",
    }


def test_short_prompt_is_not_touched(tokenizer):
    fields = _fields()
    fitted = fit_fields(tokenizer, fields, 4000)
    assert fitted.fields == fields and fitted.cut_tokens == 0 and fitted.cut_fields == ()


def test_long_prompt_loses_the_middle_of_the_longest_document_only(tokenizer):
    fields = _fields(3000)
    before = prompt_tokens(tokenizer, fields, "v1")
    fitted = fit_fields(tokenizer, fields, 1000)
    assert fitted.tokens <= 1000 < before
    assert fitted.cut_fields == ("resume",)
    resume = fitted.fields["resume"]
    assert CUT_MARK in resume
    assert resume.startswith("SKILLS\nSQL, Python") and resume.endswith("LANGUAGES\nEnglish (C1)")
    for other in ("role", "job_description", "transcript"):
        assert fitted.fields[other] == fields[other]
    # the cut is close to what was needed, not the whole document
    assert before - fitted.tokens < (before - 1000) + 40


def test_impossible_budget_is_a_clear_error(tokenizer):
    with pytest.raises(ValueError, match="cannot be fitted"):
        fit_fields(tokenizer, _fields(3000), 150)


def _write_split(folder, split, rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _row(label="select", **extra):
    return {**_fields(), "label": label, "output": format_answer("x" * 50, label), **extra}


def test_read_split_errors_name_the_file_and_problem(tmp_path):
    with pytest.raises(InputError, match="split 'train' is missing"):
        read_split(tmp_path, "train")
    _write_split(tmp_path, "train", [])
    with pytest.raises(InputError, match="split 'train' is empty"):
        read_split(tmp_path, "train")
    row = _row()
    del row["label"]
    _write_split(tmp_path, "train", [row])
    with pytest.raises(InputError, match=r"train.jsonl:1: the decision column label missing"):
        read_split(tmp_path, "train")
    _write_split(tmp_path, "train", [_row(prompt_version="v0")])
    with pytest.raises(InputError, match="prepared with prompt v0"):
        read_split(tmp_path, "train")


def test_answer_must_agree_with_label(tokenizer):
    row = _row(label="reject")
    row["output"] = format_answer("y" * 50, "select")
    with pytest.raises(InputError, match="does not match label"):
        data_mod.to_examples([row], tokenizer, 1000)


def test_examples_report_what_was_cut(tokenizer):
    rows = [_row(), _row(resume="SKILLS\n" + "filler " * 4000)]
    examples, report = data_mod.to_examples(rows, tokenizer, 1200, version="v1")
    assert len(examples) == 2 and report.cut == 1 and report.cut_fields == {"resume": 1}
    assert examples[1]["completion"] == [{"role": "assistant", "content": rows[1]["output"]}]
    assert report.as_dict()["cut_tokens_max"] > 2000


def _one_example_trainer(tokenizer, smollm2_dir, tmp_path):
    """(example, fp32 SmolLM2, CompactSFTTrainer) for one v1 prompt + :data:`ANSWER`."""
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM

    from recruiter.config import TrainConfig
    from recruiter.train.builders import to_sft_config
    from recruiter.train.trainer import CompactSFTTrainer

    example = {
        "prompt": build_messages(_fields(), "v1"),
        "completion": [{"role": "assistant", "content": ANSWER}],
    }
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32)
    args = to_sft_config(TrainConfig(max_steps=1), tmp_path, device="cpu", precision="fp32", seed=0)
    trainer = CompactSFTTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list([example]),
        eval_dataset=Dataset.from_list([example]),
        processing_class=tokenizer,
    )
    return example, model, trainer


def test_assistant_only_mask_with_real_tokenizer_and_trl(tokenizer, smollm2_dir, tmp_path):
    """Every prompt token is ignored (-100), every completion token is trained, and the trained
    tokens decode to the decision JSON (plus the chat template's end-of-turn)."""
    example, _model, trainer = _one_example_trainer(tokenizer, smollm2_dir, tmp_path)
    batch = trainer.data_collator([trainer.train_dataset[0]])
    ids, labels = batch["input_ids"][0], batch["labels"][0]
    prompt_ids = tokenizer.apply_chat_template(
        example["prompt"], add_generation_prompt=True, tokenize=True
    )
    prompt_ids = prompt_ids["input_ids"] if hasattr(prompt_ids, "keys") else prompt_ids
    n_prompt = len(prompt_ids)
    assert ids[:n_prompt].tolist() == list(prompt_ids)
    assert (labels[:n_prompt] == -100).all()
    trained = labels[n_prompt:]
    assert (trained != -100).all() and len(trained) == len(ids) - n_prompt
    text = tokenizer.decode(trained)
    assert text.startswith(ANSWER)
    assert text[len(ANSWER) :].strip() == tokenizer.eos_token  # <|im_end|>, so it learns to stop
    assert json.loads(tokenizer.decode(trained, skip_special_tokens=True).strip()) == json.loads(
        ANSWER
    )


def test_compact_loss_equals_trl_loss(tokenizer, smollm2_dir, tmp_path):
    """Projecting only labelled positions gives TRL's loss and gradients (fp32)."""
    import torch
    from datasets import Dataset
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM
    from trl import SFTTrainer

    from recruiter.config import TrainConfig
    from recruiter.train.builders import to_lora_config, to_sft_config
    from recruiter.train.trainer import CompactSFTTrainer

    t = TrainConfig(max_steps=1)
    examples = [
        {
            "prompt": build_messages(_fields(n), "v1"),
            "completion": [{"role": "assistant", "content": ANSWER}],
        }
        for n in (10, 60)
    ]
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32)
    model = get_peft_model(model, to_lora_config(t))
    torch.manual_seed(0)
    for name, p in model.named_parameters():  # non-zero B so LoRA gradients reach A too
        if "lora_B" in name:
            p.data.normal_(0, 0.01)
    args = to_sft_config(t, tmp_path, device="cpu", precision="fp32", seed=0)
    results = []
    for cls in (SFTTrainer, CompactSFTTrainer):
        trainer = cls(
            model=model,
            args=args,
            train_dataset=Dataset.from_list(examples),
            eval_dataset=Dataset.from_list(examples),
            processing_class=tokenizer,
        )
        batch = trainer.data_collator([trainer.train_dataset[i] for i in range(2)])
        model.zero_grad()
        loss = trainer.compute_loss(model, batch)
        loss.backward()
        grad = next(p.grad.clone() for n, p in model.named_parameters() if "lora_A" in n)
        results.append((float(loss.detach()), grad))
    (trl_loss, trl_grad), (our_loss, our_grad) = results
    assert our_loss == pytest.approx(trl_loss, rel=1e-4)
    assert torch.allclose(our_grad, trl_grad, rtol=1e-3, atol=1e-6)


def test_training_prompts_are_the_prompts_served(tokenizer, prepared_synth):
    """One helper fits both sides with the same budget: a record's v2 training prompt is
    byte-identical to what the engine builds for it, cut or not (the answer is not taken off
    the budget a second time)."""
    from recruiter.inference.decision import prepare_candidate
    from recruiter.inference.evidence import default_matcher

    rows = read_split(prepared_synth, "test")
    matcher = default_matcher()
    for budget in (1400, 600):
        examples, report = data_mod.to_examples(rows, tokenizer, budget, "test", "v2", matcher)
        for row, ex in zip(rows, examples, strict=True):
            # the fixture was prepared without PII masking, so the serving mask is off too: this
            # compares the fitting both sides share, not the two maskers (issue: serving)
            served, _, cut, sheet = prepare_candidate(
                tokenizer, row, budget, mask_pii=False, version="v2", matcher=matcher
            )
            assert served == ex["prompt"], row["id"]
            assert sheet.render() in served[1]["content"].replace("\n^", "\n")
        if budget == 600:
            assert report.cut == len(rows)  # every synthetic prompt is longer than 600


def test_v2_fitting_drops_uncited_lines_first(tokenizer):
    from recruiter.inference.evidence import SkillMatcher, build_sheet
    from recruiter.inference.truncate import fit_prompt

    fields = {
        "role": "Data Engineer",
        "job_description": "Acme builds data tools.\n"
        + "We like coffee. " * 60
        + "\nMust-haves: SQL, Python and Airflow; a minimum of 3 years of experience.",
        "resume": "SUMMARY\n" + "I like data. " * 80 + "\nSKILLS\nSQL, Python\nEXPERIENCE\n"
        "Engineer, X (2020-01 – 2024-01)",
        "transcript": "Interviewer: Tell me about Airflow.\nCandidate: I built DAGs for ten pipelines.",
    }
    sheet = build_sheet(fields, SkillMatcher(None), as_of="2025-06")
    full = fit_prompt(tokenizer, fields, 4000, "v2", sheet)
    fitted = fit_prompt(tokenizer, fields, full.tokens - 200, "v2", sheet)
    assert fitted.tokens <= full.tokens - 200 and fitted.cut_fields == ("job_description",)
    assert "Must-haves: SQL, Python and Airflow" in fitted.fields["job_description"]
    assert CUT_MARK in fitted.fields["job_description"]
    small = fit_prompt(tokenizer, fields, full.tokens - 500, "v2", sheet)
    assert small.cut_fields == ("job_description", "resume")
    assert "SQL, Python" in small.fields["resume"] and "2020-01 – 2024-01" in small.fields["resume"]
    assert small.fields["transcript"] == fields["transcript"]


def test_status_weight_scales_only_the_status_token(tokenizer, smollm2_dir, tmp_path):
    """Weight 1 is the plain loss; weight w adds (w - 1) x the status token's loss (over the same
    token count), and the status token is the one that commits select/reject."""
    import torch

    from recruiter.train.trainer import status_positions

    _example, model, trainer = _one_example_trainer(tokenizer, smollm2_dir, tmp_path)
    batch = trainer.data_collator([trainer.train_dataset[0]])
    target = batch["labels"][0, 1:]
    answer = target[target != -100]
    (k,) = status_positions(tokenizer, answer)
    before = tokenizer.decode(answer[:k])
    assert before.endswith('"status": "') or tokenizer.decode(answer[: k + 1]).endswith(
        '"status": "s'
    )
    assert tokenizer.decode(answer[: k + 1]).rstrip().endswith(("s", "select", '"select'))
    losses = {}
    with torch.no_grad():
        for w in (1.0, 3.0):
            trainer.status_weight = w
            losses[w] = float(trainer.compute_loss(model, batch))
        trainer.status_weight = 1.0
        hidden = model.get_decoder()(input_ids=batch["input_ids"]).last_hidden_state[0, :-1]
        logits = model.get_output_embeddings()(hidden[target != -100])
        per_token = torch.nn.functional.cross_entropy(logits, answer, reduction="none")
    n = len(answer)
    assert losses[1.0] == pytest.approx(float(per_token.mean()), rel=1e-5)
    assert losses[3.0] - losses[1.0] == pytest.approx(2 * float(per_token[k]) / n, rel=1e-4)


def test_mix_sources_weights_each_dataset_and_keeps_the_main_one_first():
    main = [{"id": f"m{i}", "label": "select" if i % 2 else "reject"} for i in range(4)]
    team = [{"id": f"t{i}", "label": "select"} for i in range(10)]
    rows, report = data_mod.mix_sources([("synthetic", main, 1.0), ("team", team, 1.5)], seed=3)
    # the main dataset first and unchanged (a run without extra data trains on the same rows)
    assert [r["id"] for r in rows[:4]] == ["m0", "m1", "m2", "m3"]
    team_ids = [r["id"] for r in rows[4:]]
    assert len(team_ids) == 15 and team_ids[:10] == [f"t{i}" for i in range(10)]
    assert len(set(team_ids[10:])) == 5  # the half: a sample without repeats
    assert {r["dataset"] for r in rows[:4]} == {"synthetic"} and rows[-1]["dataset"] == "team"
    assert report == {
        "synthetic": {"rows": 4, "weight": 1.0, "examples": 4, "select_share": 0.5},
        "team": {"rows": 10, "weight": 1.5, "examples": 15, "select_share": 1.0},
    }
    again, _ = data_mod.mix_sources([("synthetic", main, 1.0), ("team", team, 1.5)], seed=3)
    assert again == rows  # seeded
    other, _ = data_mod.mix_sources([("synthetic", main, 1.0), ("team", team, 0.5)], seed=3)
    assert len(other) == 4 + 5
