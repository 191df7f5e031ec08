"""Audit log: what a row holds (and never holds), exports, concurrent writers."""

from __future__ import annotations

import json
import threading

from typer.testing import CliRunner

from recruiter.inference.audit import AuditLog, input_sha256
from recruiter.storage import sha256_text

CAND = {
    "candidate_id": "ann.lee@example.org",
    "name": "Ann Lee",
    "role": "Nurse",
    "job_description": "Ward nurse, NMC registration required.",
    "resume": "Ann Lee, RN, 7 years on a cardiac ward. Phone +44 20 7946 0321.",
    "transcript": "Interviewer: Welcome.\nAnn Lee: Thanks.",
}


def _record(i: int = 0) -> dict:
    return {
        "request_id": f"req-{i}",
        "reasoning": "Seven years on a cardiac ward meet the requirement; registration to be checked.",
        "status": "select",
        "p_select": 0.91,
        "flags": ["resume:ignore_instructions"],
        "model": "smollm2-135m-instruct+smollm2-135m-recruiter",
        "adapter_sha256": "ab" * 32,
        "prompt_version": "v1",
        "latency_ms": 812.5,
        "advisory": True,
    }


def test_row_holds_identity_hashes_and_decision_but_no_raw_text(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    log.append_many([CAND], [_record()], channel="cli")
    (row,) = log.rows()
    assert row["input_sha256"] == input_sha256(CAND) == input_sha256(dict(reversed(CAND.items())))
    assert row["candidate_ref"] == sha256_text(CAND["candidate_id"])
    assert row["decision"]["status"] == "select" and row["flags"] == ["resume:ignore_instructions"]
    assert (
        row["channel"] == "cli" and row["advisory"] is True and row["created_at"].endswith("+00:00")
    )
    text = json.dumps(row)
    for secret in ("Ann Lee", "ann.lee@example.org", "7946", "cardiac ward. Phone"):
        assert secret not in text


def test_export_jsonl_and_csv_via_cli(tmp_path):
    from recruiter.cli import app

    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    AuditLog(url).append_many([CAND, CAND], [_record(1), _record(2)], channel="batch")
    runner = CliRunner()
    for name in ("out.jsonl", "out.csv"):
        r = runner.invoke(app, ["audit", "export", str(tmp_path / name), "-o", f"audit.url={url}"])
        assert r.exit_code == 0 and "2 rows" in r.output
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(x)["request_id"] for x in lines] == ["req-1", "req-2"]
    assert (tmp_path / "out.csv").read_text().splitlines()[0].startswith("id,request_id,")
    bad = runner.invoke(
        app, ["audit", "export", str(tmp_path / "out.txt"), "-o", f"audit.url={url}"]
    )
    assert bad.exit_code == 2


def test_concurrent_writers_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    AuditLog(url)  # create the table once

    def write(k):
        log = AuditLog(url)
        for i in range(20):
            log.append_many([CAND], [_record(k * 100 + i)])

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert AuditLog(url).count() == 80
