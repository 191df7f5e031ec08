"""Audit log: what a row holds (and never holds), exports, concurrent writers."""

from __future__ import annotations

import json
import threading

import pytest
from typer.testing import CliRunner

from recruiter.errors import InputError
from recruiter.inference.audit import AuditLog, candidate_ref, input_sha256
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
    # a keyed hash: the installation's secret is needed to link a row to an id
    assert row["candidate_ref"] == candidate_ref(CAND["candidate_id"])
    assert row["candidate_ref"] != sha256_text(CAND["candidate_id"])
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
    log = AuditLog(url)
    assert log.count() == 80
    result = log.verify()  # every writer linked to the row before it, none to the same one
    assert result["ok"] and result["checked"] == 80


def _raw(url: str, sql: str) -> None:
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute(sql)


@pytest.mark.parametrize(
    "tamper,row,reason",
    [
        ("UPDATE decisions SET status='reject' WHERE id=3", 3, "hash mismatch"),
        ("UPDATE decisions SET p_select=0.2 WHERE id=2", 2, "hash mismatch"),
        ("DELETE FROM decisions WHERE id=2", 3, "link broken"),
        # two rows' places swapped (their contents exchanged under the same ids)
        (
            "UPDATE decisions SET id=CASE id WHEN 2 THEN 99 WHEN 3 THEN 2 END WHERE id IN (2,3);"
            "UPDATE decisions SET id=3 WHERE id=99",
            2,
            "link broken",
        ),
        ("DELETE FROM decisions WHERE id=4", 4, "rows at the end were deleted"),
    ],
)
def test_verify_names_the_first_tampered_row(tmp_path, tamper, row, reason):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    log = AuditLog(url)
    log.append_many([CAND] * 4, [_record(i) for i in range(4)])
    assert log.verify()["ok"]
    for stmt in tamper.split(";"):
        _raw(url, stmt)
    result = AuditLog(url).verify()
    assert not result["ok"]
    assert result["broken"]["table"] == "decisions" and result["broken"]["id"] == row
    assert reason in result["broken"]["reason"]


def test_verify_and_review_via_cli(tmp_path):
    from recruiter.cli import app

    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    AuditLog(url).append_many([CAND, CAND], [_record(1), _record(2)], channel="batch")
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "-o", f"audit.url={url}"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["checked"] == 2
    r = runner.invoke(
        app,
        ["audit", "review", "req-2", "--verdict", "override", "--status", "reject",
         "--by", "J. Doe", "--note", "licence not verified", "-o", f"audit.url={url}"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = AuditLog(url).rows()
    assert rows[0]["review"] is None
    assert (
        rows[1]["review"]["final_status"] == "reject" and rows[1]["review"]["reviewer"] == "J. Doe"
    )
    assert AuditLog(url).verify()["head"]["reviews"]["id"] == 1
    _raw(url, "UPDATE reviews SET final_status='select'")
    bad = runner.invoke(app, ["audit", "verify", "-o", f"audit.url={url}"])
    assert bad.exit_code == 4 and "reviews row 1" in bad.stderr


def test_review_rejects_what_it_cannot_record(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'a.sqlite'}")
    log.append_many([CAND], [_record(1)])
    with pytest.raises(InputError, match="no such decision"):
        log.review("req-9", "agree", "J. Doe")
    with pytest.raises(InputError, match="already is 'select'"):
        log.review("req-1", "override", "J. Doe", status="select")
    with pytest.raises(InputError, match="verdict"):
        log.review("req-1", "maybe", "J. Doe")
    with pytest.raises(InputError, match="reviewer"):
        log.review("req-1", "agree", " ")
    assert log.review("req-1", "agree", "J. Doe")["final_status"] == "select"


def test_a_log_from_before_the_chain_is_upgraded_and_counted_unchained(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # the columns of the previous version
        conn.execute(
            "CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL,"
            " created_at TEXT NOT NULL, channel TEXT NOT NULL, model TEXT NOT NULL,"
            " adapter_sha256 TEXT, prompt_version TEXT NOT NULL, input_sha256 TEXT NOT NULL,"
            " candidate_ref TEXT, status TEXT, p_select FLOAT, decision_json TEXT NOT NULL,"
            " flags_json TEXT NOT NULL, latency_ms FLOAT, advisory BOOLEAN NOT NULL)"
        )
        conn.execute(
            "INSERT INTO decisions (request_id, created_at, channel, model, prompt_version,"
            " input_sha256, decision_json, flags_json, advisory) VALUES"
            " ('old-1', '2026-01-01', 'cli', 'm', 'v1', 'x', '{}', '[]', 1)"
        )
    log = AuditLog(f"sqlite:///{path}")
    log.append_many([CAND], [_record(1)])
    result = log.verify()
    assert result["ok"] and result["unchained"] == 1 and result["checked"] == 1
