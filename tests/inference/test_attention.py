"""The CPU decode attention against PyTorch/transformers' SDPA path."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from recruiter.inference import attention, prompt  # noqa: E402


class _Module(torch.nn.Module):
    num_key_value_groups = 3
    is_causal = True


def _sdpa(query, key, value, mask):
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    return sdpa_attention_forward(_Module().eval(), query, key, value, mask)[0]


@pytest.mark.parametrize("masked", [False, True])
def test_single_token_step_matches_sdpa(masked):
    g = torch.Generator().manual_seed(0)
    batch, heads, groups, kv, dim = 3, 9, 3, 37, 64
    q = torch.randn(batch, heads, 1, dim, generator=g)
    k = torch.randn(batch, groups, kv, dim, generator=g)
    v = torch.randn(batch, groups, kv, dim, generator=g)
    mask = None
    if masked:  # rows laid out [prefix][padding][suffix]: a padding gap per row
        mask = torch.ones(batch, 1, 1, kv, dtype=torch.bool)
        mask[0, ..., 5:9] = False
        mask[2, ..., 5:20] = False
    ours, _ = attention.decode_attention(_Module().eval(), q, k, v, mask)
    ref = _sdpa(q, k, v, mask)
    assert ours.shape == ref.shape == (batch, 1, heads, dim)
    assert torch.allclose(ours, ref, atol=1e-5)


def test_prefill_and_training_calls_go_to_sdpa():
    g = torch.Generator().manual_seed(1)
    q = torch.randn(1, 9, 6, 64, generator=g)
    k = torch.randn(1, 3, 6, 64, generator=g)
    v = torch.randn(1, 3, 6, 64, generator=g)
    ours, _ = attention.decode_attention(_Module().eval(), q, k, v, None)
    assert torch.equal(ours, _sdpa(q, k, v, None))
    train = _Module().train()
    q1 = q[:, :, :1]
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    assert torch.equal(
        attention.decode_attention(train, q1, k, v, None)[0],
        sdpa_attention_forward(train, q1, k, v, None)[0],
    )


def test_loading_uses_it_only_when_asked_for_cpu_inference(smollm2_dir):
    from recruiter.inference.loading import attention_implementation, load_causal_lm

    assert attention_implementation("cpu_decode", "cpu", training=False) == attention.NAME
    assert attention_implementation("cpu_decode", "cpu", training=True) == "sdpa"
    assert attention_implementation("cpu_decode", "cuda", training=False) == "sdpa"
    assert attention_implementation("sdpa", "cpu", training=False) == "sdpa"
    model, _ = load_causal_lm(smollm2_dir, "fp32", "cpu", attention="cpu_decode")
    assert model.config._attn_implementation == attention.NAME
    model, _ = load_causal_lm(smollm2_dir, "fp32", "cpu")
    assert model.config._attn_implementation == "sdpa"


def test_greedy_text_is_unchanged_in_fp32(smollm2_dir):
    """Padded batch of two, fp32: same greedy tokens and near-identical logits as with SDPA."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    tok.padding_side = "left"
    msgs = [
        prompt.build_messages(
            {
                "role": "Nurse",
                "job_description": "ICU nurse, 3 years.",
                "resume": r,
                "transcript": t,
            }
        )
        for r, t in (
            ("ICU nurse for six years at a city hospital.", "Interviewer: Hi.\nCandidate: Hello."),
            ("Barista.", "Interviewer: Why nursing?\nCandidate: I like people and want to help."),
        )
    ]
    texts = [tok.apply_chat_template(m, add_generation_prompt=True, tokenize=False) for m in msgs]
    enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    outs = {}
    for impl in ("sdpa", attention.NAME):
        model = AutoModelForCausalLM.from_pretrained(
            smollm2_dir, dtype=torch.float32, attn_implementation=impl
        ).eval()
        with torch.inference_mode():
            outs[impl] = model.generate(
                **enc,
                max_new_tokens=20,
                do_sample=False,
                pad_token_id=tok.pad_token_id or tok.eos_token_id,
                return_dict_in_generate=True,
                output_logits=True,
            )
    a, b = outs["sdpa"], outs[attention.NAME]
    assert torch.equal(a.sequences, b.sequences)
    for la, lb in zip(a.logits, b.logits, strict=True):
        assert torch.allclose(la, lb, atol=1e-3)
