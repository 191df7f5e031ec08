"""Speculative decoding with n-gram drafts: the drafter's lookups, and greedy answers unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("xgrammar")

from recruiter.inference import prompt  # noqa: E402
from recruiter.inference.speculative import NgramDrafter  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def test_prompt_lookup_drafts_what_followed_the_latest_occurrence():
    d = NgramDrafter(n_max=3)
    row = d.row([5, 6, 7, 8, 1, 5, 6, 9, 4])
    d.extend(row, [5, 6])  # the answer so far ends with 5 6: last seen followed by 9 4 5 6
    assert d.propose(row, 3) == [9, 4, 5]
    assert d.propose(row, 1) == [9]
    assert d.propose(row, 0) == []
    d.extend(row, [2])  # "6 2" and "2" never occurred: nothing to draft
    assert d.propose(row, 4) == []


def test_earlier_answers_feed_the_pool_and_prompts_do_not():
    d = NgramDrafter(n_max=2)
    first = d.row([1, 2, 3])  # prompt
    d.extend(first, [40, 41, 42, 43])  # its answer
    assert (1, 2) not in d.pool and (2,) not in d.pool  # prompt n-grams stay with their row...
    assert d.pool[(2, 3)] == (first.tokens, 3)  # ...those leading into the answer are shared
    other = d.row([7, 8, 3])
    assert d.propose(other, 3) == [40, 41, 42]  # a new row starts from the earlier answer
    d.extend(other, [40, 99])
    assert d.propose(other, 2) == []  # "40 99", "99": nowhere
    longer = d.row([9, 41])
    d.extend(longer, [42])
    assert d.propose(longer, 2) == [43]  # "41 42" matched before "42"
    d.reset()
    assert d.pool == {}


@pytest.fixture(scope="module")
def packed_lm(smollm2_dir):
    """The base model in float32 with the verification attention the engine selects on CPU."""
    from recruiter.inference.constrained import compile_decision_grammar
    from recruiter.inference.loading import load_causal_lm

    model, tok = load_causal_lm(smollm2_dir, "fp32", "cpu", attention="packed")
    return model, tok, compile_decision_grammar(tok, vocab_size=model.config.vocab_size)


def _messages():
    jd = "Need SQL and Python. Three years minimum."
    return [
        prompt.build_messages(
            {
                "role": "Data Analyst",
                "job_description": jd,
                "resume": resume,
                "transcript": "Interviewer: Tell me about SQL.\nCandidate: " + answer,
            },
            "v1",
        )
        for resume, answer in (
            ("SQL expert. Python expert. Eight years.", "I write window functions daily."),
            ("Barista for two years. No programming.", "I have not used it."),
            ("Data analyst, SQL daily, Python for reports, 4 years.", "Mostly joins."),
        )
    ]


@pytest.mark.parametrize("prefill", ["rows", "batch"])
def test_speculative_answers_equal_plain_greedy_in_fp32(packed_lm, prefill):
    from recruiter.inference.constrained import generate_constrained
    from recruiter.inference.layout import build_prefix

    model, tok, compiled = packed_lm
    msgs = _messages()
    ids = tok(
        tok.apply_chat_template(msgs[0], add_generation_prompt=True, tokenize=False),
        add_special_tokens=False,
    )["input_ids"]
    system = build_prefix(model, ids[:100])
    kw = {"max_new_tokens": 40, "compiled": compiled, "prefix": system, "prefill": prefill}
    plain = generate_constrained(model, tok, msgs, **kw)
    drafter, stats = NgramDrafter(), {}
    cold = generate_constrained(
        model, tok, msgs, drafter=drafter, draft_tokens=4, stats=stats, **kw
    )
    warm_stats: dict = {}
    warm = generate_constrained(
        model, tok, msgs, drafter=drafter, draft_tokens=4, stats=warm_stats, **kw
    )
    for res in (cold, warm):
        assert [r.text for r in res] == [r.text for r in plain]
        assert [r.n_tokens for r in res] == [r.n_tokens for r in plain]
        for a, b in zip(plain, res, strict=True):
            assert a.valid == b.valid and (a.p_select is None) == (b.p_select is None)
            if a.p_select is not None:
                assert abs(a.p_select - b.p_select) < 1e-4
    # The second pass drafts from the first pass's answers: fewer, fuller passes.
    assert warm_stats["accepted"] > stats["accepted"]
    assert warm_stats["steps"] < stats["steps"] <= 41  # (at least one token per row and pass)


def test_engine_with_drafts_decides_as_without(smollm2_dir):
    """The shipped adapter in float32 on the example pool: the default (auto) engine, rows
    prefill with drafts, gives the records of the padded draft-free engine; drafts accepted."""
    from recruiter.inference.engine import Engine
    from recruiter.inference.prompt import job_fields

    job = job_fields(json.loads((REPO / "examples" / "job.json").read_text()))
    lines = (REPO / "examples" / "pool.jsonl").read_text().splitlines()[:3]
    cands = [{**json.loads(line), **job} for line in lines]
    kw = {"precision": "fp32", "batch_size": 3}
    padded = Engine.build(prefill="batch", draft_tokens=0, **kw)
    assert padded.drafter is None
    plain = padded.decide(cands)
    spec = Engine.build(**kw)  # auto in float32 on CPU: each prompt prefilled alone, 3 drafts
    assert (spec.settings.prefill, spec.settings.draft_tokens) == ("rows", 3)
    drafted = spec.decide(cands)
    assert [r["reasoning"] for r in drafted] == [r["reasoning"] for r in plain]
    assert [r["status"] for r in drafted] == [r["status"] for r in plain]
    assert all(r["status"] in ("select", "reject") for r in drafted)
    assert spec.spec_stats["accepted"] > 0
    assert spec.model.config._attn_implementation == "recruiter_packed"


def test_auto_keeps_bf16_on_the_padded_draft_free_engine(smollm2_dir):
    """In bf16 the layout and drafts move answers, so auto keeps the eval numbers' settings."""
    from recruiter.inference.engine import Engine

    bf16 = Engine.build(adapter=None, precision="bf16", batch_size=2)
    assert (bf16.settings.prefill, bf16.settings.draft_tokens, bf16.drafter) == ("batch", 0, None)
    chosen = Engine.build(adapter=None, precision="bf16", prefill="rows", draft_tokens=2)
    assert (chosen.settings.prefill, chosen.settings.draft_tokens) == ("rows", 2)
