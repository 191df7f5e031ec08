"""Smoke test of `recruiter retrieval train` on tiny data; the index; shortlists both ways."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recruiter.retrieval import run
from recruiter.retrieval.index import VectorIndex


@pytest.fixture(scope="module")
def trained(tiny_cfg, prepared_synth, tmp_path_factory):
    out = tmp_path_factory.mktemp("retrieval") / "run"
    cfg = tiny_cfg.model_copy(
        update={
            "retrieval": tiny_cfg.retrieval.model_copy(
                update={"data": str(prepared_synth), "output": str(out)}
            )
        }
    )
    return cfg, run(cfg)


def test_run_writes_model_metrics_report(trained):
    _, out = trained
    for name in (
        "model/towers.pt",
        "model/classifier.pt",
        "model/retriever.json",
        "metrics.json",
        "report.md",
        "report.png",
        "config.yaml",
    ):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    systems = metrics["ranking"]["systems"]
    assert {"retriever (towers)", "BM25", "frozen encoder cosine", "TF-IDF cosine"} <= set(systems)
    for res in systems.values():
        m = res["full_pool"]["ndcg@10"]
        assert 0.0 <= m["ci95"][0] <= m["mean"] <= m["ci95"][1] <= 1.0
    stages = [h["stage"] for h in metrics["history"]["towers"]]
    assert stages == ["phase1", "phase1", "mined"]
    assert [h["shares"] for h in metrics["history"]["towers"]][:2] == [
        [0.2, 0.3, 0.5],
        [0.6, 0.3, 0.1],
    ]
    assert 0.0 <= metrics["classifier"]["threshold"] <= 1.0


def test_shortlist_and_reverse_direction(trained, prepared_synth):
    from recruiter.retrieval.retriever import Retriever

    _, out = trained
    retriever = Retriever.load(out / "model")
    corpus = prepared_synth.parent / "synth"
    cands = [json.loads(x) for x in (corpus / "candidates.jsonl").read_text().splitlines()][:30]
    jobs = [json.loads(x) for x in (corpus / "jobs.jsonl").read_text().splitlines()]
    result = retriever.shortlist(jobs[0], cands, k=5)
    assert result["pool"] == 30 and len(result["ranked"]) <= 5
    assert len(result["excluded"]) + result["passed_filters"] == 30
    scores = [r["score"] for r in result["ranked"]]
    assert scores == sorted(scores, reverse=True)
    for r in result["ranked"]:
        assert r["score"] == pytest.approx(
            0.6 * r["match_probability"] + 0.4 * r["S_base"], abs=1e-4
        )
    for e in result["excluded"]:
        assert e["reasons"]
    ranked_jobs = retriever.jobs_for(cands[0], jobs, k=3)
    assert len(ranked_jobs) <= 3 and all("job_id" in r for r in ranked_jobs)


def test_index_exact_hnsw_persist_and_incremental(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = [f"c{i}" for i in range(600)]
    flat = VectorIndex(16, "auto", hnsw_threshold=500)
    flat.add(ids[:400], x[:400])
    assert not flat.is_hnsw
    flat.add(ids[400:], x[400:])  # crosses the threshold: becomes HNSW, keeps every vector
    assert flat.is_hnsw and len(flat) == 600
    (hits,), scores = flat.search(x[123], 5)
    assert hits[0] == "c123" and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    flat.save(tmp_path / "idx")
    loaded = VectorIndex.load(tmp_path / "idx")
    assert loaded.search(x[7], 3)[0] == flat.search(x[7], 3)[0]
    exact = VectorIndex(16, "flat")
    exact.add(ids, x)
    truth = set(exact.search(x[:50], 10)[0][0])
    assert len(truth & set(loaded.search(x[:50], 10)[0][0])) >= 9


def test_index_shortlist_matches_in_memory_shortlist(trained, prepared_synth):
    from recruiter.retrieval.retriever import Retriever

    _, out = trained
    retriever = Retriever.load(out / "model")
    corpus = prepared_synth.parent / "synth"
    cands = [json.loads(x) for x in (corpus / "candidates.jsonl").read_text().splitlines()][:40]
    job = json.loads((corpus / "jobs.jsonl").read_text().splitlines()[0])
    index = VectorIndex(128, "flat")
    index.add([c["candidate_id"] for c in cands], retriever.candidate_vectors(cands))
    store = {c["candidate_id"]: c for c in cands}
    from_index = retriever.shortlist_index(job, index, store, k=5, oversample=8)  # searches all 40
    in_memory = retriever.shortlist(job, cands, k=5)  # both: the 5 nearest that pass, re-scored
    assert [r["candidate_id"] for r in from_index["ranked"]] == [
        r["candidate_id"] for r in in_memory["ranked"]
    ][:5]


def test_retrieval_eval_of_a_trained_model(trained, tmp_path):
    from recruiter.retrieval.pipeline import evaluate

    cfg, out = trained
    cfg = cfg.model_copy(
        update={"retrieval": cfg.retrieval.model_copy(update={"output": str(tmp_path / "ev")})}
    )
    folder = evaluate(cfg, out / "model")
    metrics = json.loads((folder / "metrics.json").read_text())
    first = json.loads((out / "metrics.json").read_text())
    # the same model on the same split: the same numbers as at the end of training
    assert (
        metrics["ranking"]["systems"]["retriever (towers)"]
        == first["ranking"]["systems"]["retriever (towers)"]
    )
    assert (folder / "report.md").is_file()


def test_job_index_for_the_candidate_direction_matches_the_in_memory_ranking(
    trained, prepared_synth, tmp_path
):
    """`retrieval index --jobs` + `shortlist --candidate C --jobs INDEX` rank what jobs_for ranks."""
    from typer.testing import CliRunner

    from recruiter.cli import app
    from recruiter.retrieval.retriever import Retriever

    _, out = trained
    retriever = Retriever.load(out / "model")
    corpus = prepared_synth.parent / "synth"
    cand = json.loads((corpus / "candidates.jsonl").read_text().splitlines()[0])
    jobs = [json.loads(x) for x in (corpus / "jobs.jsonl").read_text().splitlines()]
    (tmp_path / "cand.json").write_text(json.dumps(cand))
    runner = CliRunner()
    model = ["-o", f"retrieval.model={out / 'model'}"]
    r = runner.invoke(
        app,
        ["retrieval", "index", "--jobs", str(corpus / "jobs.jsonl"), "--output",
         str(tmp_path / "jidx"), *model],
    )  # fmt: skip
    assert r.exit_code == 0 and f"{len(jobs)} jobs" in r.output, r.output
    r = runner.invoke(
        app,
        ["retrieval", "shortlist", "--candidate", str(tmp_path / "cand.json"), "--jobs",
         str(tmp_path / "jidx"), "--top-k", "3", *model],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    from_index = json.loads(r.stdout)
    in_memory = retriever.jobs_for(cand, jobs, k=3)
    assert [x["job_id"] for x in from_index["ranked"]] == [x["job_id"] for x in in_memory]
    bad = runner.invoke(app, ["retrieval", "index", "--output", str(tmp_path / "x"), *model])
    assert bad.exit_code == 2
