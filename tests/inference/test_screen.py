"""`recruiter screen`: filters -> shipped retriever shortlist -> LLM decisions -> ranked report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]


def _screen(app, pool, args):
    """`recruiter screen` on the example job and ``pool`` with extra CLI ``args``."""
    job = str(REPO / "examples/job.json")
    return CliRunner().invoke(app, ["screen", "--job", job, "--pool", str(pool), *args])


def test_screen_example_pool_with_the_shipped_retriever(tmp_path):
    from recruiter.cli import app
    from recruiter.inference.audit import AuditLog

    before = AuditLog().count()
    out = tmp_path / "report"
    r = _screen(
        app,
        REPO / "examples/pool.jsonl",
        [
            "--top-k",
            "5",
            "--output",
            str(out),
            "-c",
            str(REPO / "configs/tiny.yaml"),
            "-o",
            "retrieval.model=default",
            "-o",
            "screen.shortlist_k=2",
        ],
    )
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    c = report["counts"]
    assert c["pool"] == 12 and c["pool"] == c["excluded"] + c["passed_filters"]
    assert c["shortlisted"] == min(2, c["passed_filters"]) == len(report["all_decisions"])
    for rec in report["all_decisions"]:
        assert rec["advisory"] is True and "S_base" in rec["retrieval"] and rec["filters"]["passed"]
    for e in report["excluded"]:
        assert e["reasons"]
    md = (out / "report.md").read_text()
    assert "Advisory only" in md and "Excluded by hard filters" in md or not report["excluded"]
    assert (out / "report.png").stat().st_size > 1000 and (out / "config.yaml").is_file()
    assert AuditLog().count() == before + c["shortlisted"]


def test_screen_refuses_a_bad_pool(tmp_path):
    from recruiter.cli import app

    pool = tmp_path / "pool.jsonl"
    pool.write_text('{"resume": "x"}\n{"candidate_id": 5}\n')
    r = _screen(
        app,
        pool,
        [
            "--output",
            str(tmp_path / "o"),
        ],
    )
    assert r.exit_code == 2 and "pool.jsonl:1" in r.output and "pool.jsonl:2" in r.output
    assert not (tmp_path / "o").exists()
