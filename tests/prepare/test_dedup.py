"""dedup: exact and MinHash-LSH near-duplicate removal, clusters, label conflicts."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash

from recruiter.errors import InputError
from recruiter.prepare.dedup import (
    cluster_members,
    deduplicate,
    jaccard,
    minhash,
    near_duplicate_pairs,
    normalize_text,
    shingles,
)

VOCAB = ["".join(random.Random(i).choices("abcdefghijklmnopqrstuvwxyz", k=7)) for i in range(5000)]


def words(seed: int, n: int = 400) -> list[str]:
    return random.Random(seed).choices(VOCAB, k=n)


def mutate(ws: list[str], target: float, seed: int) -> list[str]:
    """Replace m words, >= 5 apart, so the 5-gram Jaccard lands near ``target``.

    Each replaced word changes 5 shingles: J = (S - 5m) / (S + 5m), S = len - 4.
    """
    s = len(ws) - 4
    m = round(s * (1 - target) / (5 * (1 + target)))
    out = list(ws)
    rng = random.Random(seed)
    for pos in range(4, 4 + 6 * m, 6)[:m]:
        out[pos] = "zz" + "".join(rng.choices("abcdefghij", k=6))
    return out


def rec(rid: str, resume: str, transcript: str = "", label: str = "select") -> dict:
    return {
        "id": rid,
        "source": "t",
        "name": rid,
        "role": "dev",
        "job_description": "jd",
        "resume": resume,
        "transcript": transcript,
        "label": label,
        "reason": "",
    }


def test_normalize_text():
    assert normalize_text("  Hello,   WORLD!\n**Python**  ") == "hello world python"
    assert normalize_text(None) == "" and normalize_text(float("nan")) == ""


def test_exact_dups_found_through_case_punctuation_and_spacing():
    base = " ".join(words(1))
    recs = [
        rec("a", base, "Yes, I did."),
        rec("b", " ".join(words(2))),
        rec("c", base.upper().replace(" ", "  \n"), "yes i did"),  # same text, re-formatted
        rec("d", base + " extra words here to differ", "yes i did"),
    ]
    res = deduplicate(recs, near=False)
    assert res.report["n_exact_dups"] == 1 and res.report["n_near_dups"] == 0
    assert [r["id"] for r in res.records] == ["a", "b", "d"]
    assert res.records[0]["dup_cluster"] == ["c"]
    assert res.cluster_of["c"] == res.cluster_of["a"] == "a"


def test_near_dups_at_09_found_and_at_05_not():
    base = words(10)
    near, far = mutate(base, 0.9, 1), mutate(base, 0.5, 2)
    assert (
        0.87
        <= jaccard(shingles(rec("x", " ".join(base))), shingles(rec("y", " ".join(near))))
        <= 0.93
    )
    assert (
        0.45
        <= jaccard(shingles(rec("x", " ".join(base))), shingles(rec("y", " ".join(far))))
        <= 0.55
    )
    recs = [rec("base", " ".join(base)), rec("near", " ".join(near)), rec("far", " ".join(far))]
    recs += [rec(f"other{i}", " ".join(words(100 + i))) for i in range(20)]
    res = deduplicate(recs)
    kept = [r["id"] for r in res.records]
    assert "near" not in kept and "base" in kept and "far" in kept
    assert res.report["n_near_dups"] == 1 and res.report["n_exact_dups"] == 0
    (pair,) = res.report["example_pairs"]
    assert (pair["a"], pair["b"]) == ("base", "near") and 0.87 <= pair["jaccard"] <= 0.93


def test_cluster_keeps_one_and_lists_removed_siblings():
    base = words(20)
    recs = [rec("r0", " ".join(words(21)))]
    recs += [rec(f"d{i}", " ".join(mutate(base, 0.92, i))) for i in range(4)]
    res = deduplicate(recs)
    assert [r["id"] for r in res.records] == ["r0", "d0"]  # the first by input order
    assert res.records[1]["dup_cluster"] == ["d1", "d2", "d3"]
    assert res.records[1]["cluster_id"] == "d0"
    assert cluster_members(res.cluster_of)["d0"] == ["d0", "d1", "d2", "d3"]
    assert res.report["n_clusters"] == 1 and res.report["largest_clusters"] == [4]
    assert res.report["n_input"] - res.report["n_kept"] == res.report["n_near_dups"] == 3


def test_deterministic():
    base = words(30)
    recs = [
        rec(f"r{i}", " ".join(mutate(base, 0.85, i)), label="select" if i % 2 else "reject")
        for i in range(6)
    ]
    recs += [rec(f"o{i}", " ".join(words(40 + i))) for i in range(30)]
    a, b = deduplicate(recs), deduplicate(recs)
    assert a.records == b.records and a.cluster_of == b.cluster_of
    assert a.report["example_pairs"] == b.report["example_pairs"]
    assert np.array_equal(
        minhash(shingles(recs[0])).hashvalues, minhash(shingles(recs[0])).hashvalues
    )


def test_minhash_equals_datasketch_update_batch():
    sh = shingles(rec("x", " ".join(words(5))))
    ref = MinHash(num_perm=128, seed=1, hashfunc=lambda x: x)
    ref.update_batch(
        ((sh ^ (sh >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32).tolist()
    )
    assert np.array_equal(minhash(sh).hashvalues, ref.hashvalues)


def test_lsh_at_the_decision_threshold_misses_true_pairs():
    # 60 pairs of sets at exact Jaccard 0.82 (>= 0.8). An LSH tuned at 0.8 (b=9, r=13) finds
    # each with p ~ 1-(1-0.82^13)^9 ~ 0.5; indexing at 0.5 (b=25, r=5) and verifying exactly
    # finds all of them. Seeded MinHash: the counts are fixed.
    rng = np.random.default_rng(0)
    sigs = []
    for _ in range(60):
        a = rng.choice(2**62, size=1000, replace=False).astype(np.uint64)
        b = a.copy()
        b[:99] = rng.choice(2**62, size=99, replace=False).astype(np.uint64)  # 901/1099 = 0.82
        sigs += [np.unique(a), np.unique(b)]
    truth = {(2 * i, 2 * i + 1) for i in range(60)}
    two_stage, _ = near_duplicate_pairs(sigs, threshold=0.8, lsh_threshold=0.5)
    lsh_only, _ = near_duplicate_pairs(sigs, threshold=0.8, lsh_threshold=None)
    assert {(i, j) for i, j, _ in two_stage} == truth
    assert all(0.81 < j < 0.83 for *_, j in two_stage)
    assert len(lsh_only) <= 0.8 * len(truth)  # ~half are missed


@pytest.mark.parametrize(
    ("labels", "policy", "kept", "label"),
    [
        (["select", "reject", "reject"], "majority", "b", "reject"),  # first of the majority
        (["select", "reject"], "majority", None, None),  # tie -> cluster dropped
        (["select", "reject", "reject"], "drop", None, None),
        (["select", "reject", "reject"], "first", "a", "select"),
    ],
)
def test_conflicting_labels(labels, policy, kept, label):
    text = " ".join(words(50))
    recs = [rec(rid, text, label=lab) for rid, lab in zip("abc", labels, strict=False)]
    recs.append(rec("z", " ".join(words(51))))
    res = deduplicate(recs, on_conflict=policy)
    assert res.report["n_label_conflict_clusters"] == 1
    ids = [r["id"] for r in res.records]
    if kept is None:
        assert ids == ["z"] and res.report["n_conflict_clusters_dropped"] == 1
    else:
        assert ids == [kept, "z"] and res.records[0]["label"] == label
        assert res.cluster_of[kept] == "a"
    # the report names the cluster, its labels and what was kept
    (named,) = res.report["clusters"]
    assert named["cluster"] == "a" and named["size"] == len(labels) and named["conflict"]
    assert named["members"] == list("abc")[: len(labels)] and named["kept"] == kept
    assert sum(named["labels"].values()) == len(labels)


def test_empty_records_are_not_clustered_and_ids_must_be_unique():
    res = deduplicate([rec("a", ""), rec("b", "  "), rec("c", " ".join(words(60)))])
    assert res.report["n_empty"] == 2 and res.report["n_kept"] == 3
    with pytest.raises(InputError):
        deduplicate([rec("a", "x"), rec("a", "y")])


def test_fields_are_configurable():
    recs = [rec("a", "same resume text here", "one"), rec("b", "same resume text here", "two")]
    assert deduplicate(recs).report["n_kept"] == 2
    assert deduplicate(recs, fields=("resume",)).report["n_kept"] == 1
