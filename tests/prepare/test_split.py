"""split: group-aware stratified 70/15/15 split, leakage report, real-data check."""

from __future__ import annotations

import random

import pytest

from recruiter.prepare.split import (
    DEFAULT_RATIOS,
    candidate_key,
    candidate_keys,
    extract_email,
    group_key_fns,
    job_key,
    leakage_report,
    split_records,
)

RATIOS = DEFAULT_RATIOS


def synthetic(n: int = 1000, seed: int = 7) -> list[dict]:
    """~1000 records in disjoint "families" of 1-6 records sharing one job description; inside
    a family some records repeat a candidate and some share a dedup cluster. ~40 % select."""
    rng = random.Random(seed)
    out: list[dict] = []
    fam = 0
    while len(out) < n:
        size = min(rng.choice([1, 1, 1, 2, 2, 3, 4, 6]), n - len(out))
        for j in range(size):
            cand = f"cand{fam}-{j // 2}"  # pairs of records share a candidate
            out.append(
                {
                    "id": f"r{len(out)}",
                    "source": "synthetic",
                    "name": cand,
                    "candidate_key": candidate_key(cand, f"{cand}@example.org"),
                    "cluster_id": f"c{fam}" if j in (0, 3) else f"r{len(out)}",
                    "job_description": f"Job {fam}: build things.",
                    "label": "select" if rng.random() < 0.4 else "reject",
                }
            )
        fam += 1
    return out


def frac(recs, label="select"):
    return sum(r["label"] == label for r in recs) / len(recs)


def test_sizes_labels_and_zero_leakage_on_synthetic_groups():
    recs = synthetic()
    splits, rep = split_records(recs, seed=0)
    assert sum(len(v) for v in splits.values()) == len(recs)
    assert sorted(r["id"] for v in splits.values() for r in v) == sorted(r["id"] for r in recs)
    overall = frac(recs)
    for name, ratio in RATIOS.items():
        assert abs(len(splits[name]) / len(recs) - ratio) <= 0.02, rep["sizes"]
        assert abs(frac(splits[name]) - overall) <= 0.03, rep["label_fraction"]
    assert rep["relaxed_job_keys"]["n_keys"] == 0 and rep["oversized_groups"] == []
    assert rep["leakage"]["total_shared"] == 0
    assert set(rep["leakage"]["keys"]) == {"id", "candidate", "cluster", "job"}
    # Independently of the report: no candidate / cluster / JD appears in two splits.
    for field in ("candidate_key", "cluster_id", "job_description"):
        seen = [{r[field] for r in v} for v in splits.values()]
        assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2]), field


def test_same_seed_same_split_different_seed_different_split():
    recs = synthetic(300)
    ids = lambda s: {k: [r["id"] for r in v] for k, v in s.items()}  # noqa: E731
    a, b, c = (split_records(recs, seed=s)[0] for s in (1, 1, 2))
    assert ids(a) == ids(b)
    assert ids(a) != ids(c)


def test_huge_job_group_is_relaxed_and_reported():
    recs = synthetic(600)
    for r in recs[:200]:  # one generic JD shared by 200 records: bigger than val's target (90)
        r["job_description"] = "Generic   JOB description!"
    splits, rep = split_records(recs, seed=3)
    relaxed = rep["relaxed_job_keys"]
    assert relaxed["n_keys"] == 1 and relaxed["n_records"] == 200
    assert relaxed["keys"] == [job_key("generic job description")]
    assert rep["leakage"]["total_shared"] == 0  # enforced keys only
    for name, ratio in RATIOS.items():
        assert abs(len(splits[name]) / len(recs) - ratio) <= 0.02
    # Without the exclusion, the generic JD is (knowingly) shared across splits.
    raw = leakage_report(splits, group_key_fns())
    assert raw["keys"]["job"]["n_shared"] == 1 and raw["keys"]["candidate"]["n_shared"] == 0
    # Not grouping by job at all: no job key in the report.
    _, rep2 = split_records(recs, seed=3, group_by_job=False)
    assert "job" not in rep2["leakage"]["keys"] and rep2["relaxed_job_keys"]["n_keys"] == 0


def test_leakage_report_counts_shared_keys():
    splits = {
        "train": [{"id": "1", "candidate_key": ["k1", "k2"]}, {"id": "2", "candidate_key": "k3"}],
        "test": [{"id": "3", "candidate_key": "k2"}, {"id": "4", "candidate_key": None}],
    }
    rep = leakage_report(
        splits, {"candidate": lambda r: r["candidate_key"], "id": lambda r: r["id"]}
    )
    assert rep["keys"]["candidate"]["n_shared"] == 1 and rep["keys"]["candidate"]["n_keys"] == 3
    assert rep["keys"]["candidate"]["examples"] == [("k2", ["test", "train"])]
    assert rep["keys"]["id"]["n_shared"] == 0 and rep["total_shared"] == 1


def test_candidate_key_helpers():
    assert candidate_key("Dr. Jane  O'Neil", None) == candidate_key("jane o neil", "")
    assert candidate_key("Jane", "JANE@x.org ") == candidate_key("Someone Else", "jane@x.org")
    assert candidate_key(None, None) is None and candidate_key("  ", None) is None
    assert len(candidate_keys("Jane", "jane@x.org")) == 2
    text = "* Email: [alice.smith@email.com](mailto:alice.smith@email.com)"
    assert extract_email(text) == "alice.smith@email.com"
    assert extract_email("no address here") is None


def test_bad_ratios_rejected():
    with pytest.raises(ValueError):
        split_records(synthetic(10), ratios={"train": 0.8, "test": 0.3})


def test_real_hiring_data_has_no_leakage(shared_data):
    pd = pytest.importorskip("pandas")
    from recruiter.prepare.dedup import deduplicate

    path = shared_data("hiring", "durgesh_dataset5.csv")
    recs = []
    for row in pd.read_csv(path).to_dict("records"):
        decision = str(row["decision"]).strip().lower()
        recs.append(
            {
                "id": str(row["ID"]),
                "source": path.name,
                "name": row["Name"],
                "role": row["Role"],
                "job_description": row["Job Description"],
                "resume": row["Resume"],
                "transcript": row["Transcript"],
                "reason": row["Reason for decision"],
                "label": "select" if decision.startswith("select") else "reject",
                "candidate_key": candidate_key(row["Name"], extract_email(str(row["Resume"]))),
            }
        )
    dd = deduplicate(recs)
    splits, rep = split_records(dd.records, seed=0)
    assert rep["leakage"]["total_shared"] == 0
    assert sum(rep["sizes"].values()) == dd.report["n_kept"]
    for name, ratio in RATIOS.items():
        assert abs(rep["sizes"][name] / dd.report["n_kept"] - ratio) <= 0.03
