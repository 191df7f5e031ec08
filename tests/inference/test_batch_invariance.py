"""A hiring decision must not depend on the other applicants in the queue.

The shipped adapter decides candidates alone, all in one call (sorted by length, batched) and
shuffled into chunks of 3, 5 and 11: statuses and reasonings equal, P(select) within 1e-3.
``default`` is what ``Engine.build()`` resolves to on CPU (float32, each prompt prefilled
alone, decode steps in batches of 8, n-gram drafts); ``bf16`` (asked for) decodes each candidate
alone. What these cost beside the batch-variant settings: benchmarks/batch_invariance.py.
"""

from __future__ import annotations

import random

import pytest

pytestmark = pytest.mark.usefixtures("smollm2_dir")


def _shuffled(engine, cands: list[dict]) -> list[dict]:
    order = list(range(len(cands)))
    random.Random(7).shuffle(order)
    out: list = [None] * len(cands)
    pos, sizes = 0, (3, 5, 11)
    for k in range(len(cands)):
        chunk = order[pos : pos + sizes[k % 3]]
        if not chunk:
            break
        for i, rec in zip(chunk, engine.decide([cands[i] for i in chunk]), strict=True):
            out[i] = rec
        pos += len(chunk)
    return out


@pytest.mark.parametrize(
    "options, n", [({}, 16), ({"precision": "bf16"}, 6)], ids=["default", "bf16"]
)
def test_a_decision_is_the_same_alone_and_in_any_batch(prepared_synth, options, n):
    from recruiter.inference.engine import Engine
    from recruiter.splits import read_split

    cands = read_split(prepared_synth, "train", n)
    engine = Engine.build(**options)
    st = engine.settings
    assert st.batching == "invariant"
    assert engine.describe()["settings"]["batching"] == "invariant"
    if options:  # bf16 answers move with their batch partners: decoded one at a time
        assert st.batch_size == 1
    else:  # float32, each prompt prefilled alone, decode steps batched
        assert (st.precision, st.prefill, st.batch_size) == ("fp32", "rows", 8)
    alone = [engine.decide([c])[0] for c in cands]
    for other in (engine.decide(cands), _shuffled(engine, cands)):
        for a, b in zip(alone, other, strict=True):
            assert a["status"] in ("select", "reject")
            assert (a["status"], a["reasoning"]) == (b["status"], b["reasoning"])
            assert abs(a["p_select"] - b["p_select"]) < 1e-3


def test_the_batch_variant_setting_says_so_in_every_decision(prepared_synth):
    from recruiter.inference.engine import Engine
    from recruiter.splits import read_split

    engine = Engine.build(precision="bf16", batching="variant", batch_size=4)
    record = engine.decide(read_split(prepared_synth, "train", 2))[0]
    settings = record["engine"]
    assert (settings["batching"], settings["batch_size"]) == ("variant", 4)
    assert "may depend on the candidates decoded beside it" in settings["batching_reason"]
