"""Constrained decoding with the real SmolLM2-135M-Instruct on CPU (model loaded once per module)."""

from __future__ import annotations

import json
import time

import pytest

torch = pytest.importorskip("torch")
xgr = pytest.importorskip("xgrammar")

from recruiter.inference import prompt  # noqa: E402
from recruiter.inference.constrained import (  # noqa: E402
    compile_decision_grammar,
    generate_constrained,
)
from recruiter.schemas import is_valid, load_schema  # noqa: E402

STRONG = {
    "role": "Data Analyst",
    "job_description": "Need SQL and Python. Three years minimum.",
    "resume": "SQL expert. Python expert. Eight years.",
    "transcript": "Interviewer: Why this job?\nCandidate: I love data work.",
}
WEAK = {
    "role": "Data Analyst",
    "job_description": "Need SQL and Python. Three years minimum.",
    "resume": "Barista for two years. No programming.",
    "transcript": "Interviewer: Tell me about SQL.\nCandidate: I have not used it.",
}
# The untuned base model loops on many prompts (then valid=False); these two close their JSON.
MAX_NEW = 96


@pytest.fixture(scope="module")
def lm(smollm2_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32).eval()
    compiled = compile_decision_grammar(tok, vocab_size=model.config.vocab_size)
    return model, tok, compiled


@pytest.fixture(scope="module")
def batch(lm):
    model, tok, compiled = lm
    msgs = [prompt.build_messages(STRONG, "v1"), prompt.build_messages(WEAK, "v1")]
    start = time.perf_counter()
    results = generate_constrained(model, tok, msgs, max_new_tokens=MAX_NEW, compiled=compiled)
    seconds = time.perf_counter() - start
    n = sum(r.n_tokens for r in results)
    print(f"\nconstrained batch 2: {seconds:.2f} s, {n} tokens, {n / seconds:.1f} tok/s")
    return results


def test_grammar_format_is_format_answer_and_xgrammar_defaults(lm):
    _, tok, compiled = lm
    assert compile_decision_grammar(tok, vocab_size=len(tok)) is compiled  # cached
    answer = prompt.format_answer(
        "Six years of SQL and Python, more than the three required.", "select"
    )
    defaults = xgr.GrammarCompiler(compiled.tokenizer_info).compile_json_schema(
        json.dumps(load_schema("decision")), any_whitespace=False
    )
    for grammar in (compiled, defaults):  # xgrammar's default separators are ours
        matcher = xgr.GrammarMatcher(grammar)
        assert matcher.accept_string(answer) and matcher.is_completed()
    compact = answer.replace('", "', '","').replace('": "', '":"')
    assert not xgr.GrammarMatcher(compiled).accept_string(compact)
    assert not xgr.GrammarMatcher(compiled).accept_string('{"status": "select"')  # order


def test_constrained_answers_are_schema_valid(batch):
    assert len(batch) == 2
    for r in batch:
        obj = json.loads(r.text)
        assert obj == r.parsed and r.valid and is_valid(obj, "decision")
        assert list(obj) == ["reasoning", "status"]
        assert 0 < r.n_tokens <= MAX_NEW
        # byte for byte the training serialisation (format_answer collapses whitespace runs)
        if " ".join(obj["reasoning"].split()) == obj["reasoning"]:
            assert r.text == prompt.format_answer(obj["reasoning"], obj["status"])


def test_p_select_agrees_with_greedy_status(batch):
    for r in batch:
        assert r.p_select is not None and 0.0 <= r.p_select <= 1.0
        assert (r.p_select >= 0.5) == (r.parsed["status"] == "select")


def test_greedy_is_deterministic_and_batch_independent(lm, batch):
    model, tok, compiled = lm
    start = time.perf_counter()
    (again,) = generate_constrained(
        model, tok, [prompt.build_messages(WEAK, "v1")], max_new_tokens=MAX_NEW, compiled=compiled
    )
    seconds = time.perf_counter() - start
    print(f"\nconstrained batch 1: {seconds:.2f} s, {again.n_tokens / seconds:.1f} tok/s")
    assert again.text == batch[1].text
    assert again.p_select == pytest.approx(batch[1].p_select, abs=1e-3)


def test_truncated_generation_is_invalid(lm):
    model, tok, compiled = lm
    (r,) = generate_constrained(
        model, tok, [prompt.build_messages(STRONG, "v1")], max_new_tokens=6, compiled=compiled
    )
    assert r.text.startswith('{"reasoning": "') and r.n_tokens == 6
    assert (r.parsed, r.valid, r.p_select) == (None, False, None)


def test_unconstrained_baseline_is_recorded_not_required(lm, record_property):
    model, tok, _ = lm
    enc = tok.apply_chat_template(
        prompt.build_messages(WEAK, "v1"),
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    start = time.perf_counter()
    out = model.generate(**enc, max_new_tokens=32, do_sample=False, pad_token_id=tok.eos_token_id)
    seconds = time.perf_counter() - start
    new = out[0, enc["input_ids"].shape[1] :]
    text = tok.decode(new, skip_special_tokens=True)
    record_property("unconstrained_text", text)
    print(f"\nunconstrained: {len(new) / seconds:.1f} tok/s: {text!r}")
    assert isinstance(text, str)  # free text; usually not JSON at all for the base model


def test_shared_prefix_reuse_gives_the_same_greedy_answers(lm):
    """Prompts laid out [shared prefix][pad][suffix] with the prefix computed once (and the
    system prompt's KV reused across calls) decode exactly as plain left padding does."""
    from recruiter.inference.layout import build_prefix, common_prefix_length

    model, tok, compiled = lm
    same_jd = dict(WEAK, resume="Data analyst, SQL daily, Python for reports, 4 years.")
    msgs = [
        prompt.build_messages(STRONG, "v1"),
        prompt.build_messages(WEAK, "v1"),
        prompt.build_messages(same_jd, "v1"),
    ]
    ids = [
        tok(
            tok.apply_chat_template(m, add_generation_prompt=True, tokenize=False),
            add_special_tokens=False,
        )["input_ids"]
        for m in msgs
    ]
    system = build_prefix(model, ids[0][: common_prefix_length(ids)])
    assert len(system.ids) > 100  # template + system prompt + the role line's start
    plain = generate_constrained(
        model, tok, msgs, max_new_tokens=24, compiled=compiled, prefix=None
    )
    reused = generate_constrained(
        model, tok, msgs, max_new_tokens=24, compiled=compiled, prefix=system
    )
    single = generate_constrained(
        model, tok, msgs[:1], max_new_tokens=24, compiled=compiled, prefix=system
    )
    rows = generate_constrained(
        model, tok, msgs, max_new_tokens=24, compiled=compiled, prefix=system, prefill="rows"
    )
    rows_alone = generate_constrained(
        model, tok, msgs[:1], max_new_tokens=24, compiled=compiled, prefix=None, prefill="rows"
    )
    assert [r.text for r in reused] == [r.text for r in plain]
    assert [r.text for r in rows] == [r.text for r in plain]  # per-row prefill, same answers
    assert single[0].text == plain[0].text == rows_alone[0].text
    for a, b in zip(plain, rows, strict=True):
        if a.p_select is not None:
            assert abs(a.p_select - b.p_select) < 1e-4
    for a, b in zip(plain, reused, strict=True):
        assert (a.p_select is None) == (b.p_select is None)
        if a.p_select is not None:
            assert abs(a.p_select - b.p_select) < 1e-4
