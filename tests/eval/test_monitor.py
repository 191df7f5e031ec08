"""Monitoring: PSI arithmetic, a drifted stream is flagged and a stable one is not, the CLI's exit."""

from __future__ import annotations

import json
import math
import random

import pytest
from typer.testing import CliRunner

from recruiter import config
from recruiter.eval.monitor import DRIFT_EXIT, monitor, psi, window_start
from recruiter.inference.audit import AuditLog


def _decision(rng: random.Random, shift: float = 0.0, flag_rate: float = 0.02) -> dict:
    p = min(1.0, max(0.0, rng.betavariate(2, 2) + shift))
    return {
        "p_select": round(p, 4),
        "status": "select" if p >= 0.5 else "reject",
        "flags": ["resume:ignore_instructions"] if rng.random() < flag_rate else [],
        "evidence": [{"kind": "required_skill", "status": "found"}, {"kind": "years", "value": 4}],
    }


def _stream(days: int, per_day: int, seed: int, drift_from: int | None = None) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for d in range(days):
        drifted = drift_from is not None and d >= drift_from
        for i in range(per_day):
            rec = _decision(rng, 0.35 if drifted else 0.0, 0.3 if drifted else 0.02)
            rows.append({**rec, "created_at": f"2026-11-{d + 1:02d}T{8 + i % 10:02d}:15:00+00:00"})
    return rows


def test_psi_matches_a_hand_computed_case():
    ref = [0.05] * 50 + [0.95] * 50  # half in the first bin, half in the last
    cur = [0.05] * 80 + [0.95] * 20
    want = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert psi(ref, cur, smooth=0) == pytest.approx(want, rel=1e-9)
    assert psi(ref, ref) == 0.0
    assert math.isfinite(psi([0.05] * 10, [0.95] * 10))  # disjoint samples: large, not infinite


def test_window_starts():
    assert window_start("2026-11-04T13:45:10+00:00", "hour") == "2026-11-04T13:00+00:00"
    assert window_start("2026-11-04T13:45:10+00:00", "day") == "2026-11-04T00:00+00:00"
    assert window_start("2026-11-04T13:45:10+00:00", "week") == "2026-11-02T00:00+00:00"  # Monday


def test_the_drifted_days_are_flagged_and_the_stable_ones_are_not():
    m = config.MonitorConfig()
    reference = _stream(3, 100, seed=1)
    stable = monitor(_stream(4, 60, seed=2), reference, m)
    assert stable["alerts"] == 0
    # what a stable 60-decision window reads is sampling noise, of the size psi_noise says
    assert all(w["psi"] < w["psi_noise"] for w in stable["windows"])
    drifted = monitor(_stream(4, 60, seed=3, drift_from=2), reference, m)
    flagged = [w["start"][:10] for w in drifted["windows"] if w["alerts"]]
    assert flagged == ["2026-11-03", "2026-11-04"]
    alerts = " ".join(drifted["windows"][2]["alerts"])
    assert "PSI" in alerts and "select_rate" in alerts and "flag_rate" in alerts
    # a window too small to judge is listed, not judged
    small = monitor(_stream(1, 5, seed=4, drift_from=0), reference, m)
    assert small["alerts"] == 0 and small["windows"][0]["judged"] is False


def test_cli_exits_5_on_drift_and_writes_the_report(tmp_path, monkeypatch):
    from recruiter.cli import app

    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    rng = random.Random(0)
    ref = tmp_path / "reference.jsonl"
    ref.write_text("".join(json.dumps(_decision(rng)) + "\n" for _ in range(300)))
    cand = {"candidate_id": "c", "role": "r"}

    def log(shift: float) -> None:
        recs = [
            {**_decision(rng, shift), "request_id": f"r{i}", "model": "m", "prompt_version": "v2"}
            for i in range(60)
        ]
        AuditLog(url).append_many([cand] * len(recs), recs, channel="batch")

    runner = CliRunner()
    args = ["monitor", "-o", f"audit.url={url}", "-o", f"monitor.reference={ref}"]
    log(0.0)
    ok = runner.invoke(app, [*args, "-o", f"monitor.output={tmp_path / 'm1'}"])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "m1" / "monitor.png").is_file()
    assert "No alerts" in (tmp_path / "m1" / "report.md").read_text()
    log(0.4)  # the same day: the window now mixes both halves and has shifted
    bad = runner.invoke(app, [*args, "-o", f"monitor.output={tmp_path / 'm2'}"])
    assert bad.exit_code == DRIFT_EXIT and "alert" in bad.stderr
    report = json.loads((tmp_path / "m2" / "report.json").read_text())
    assert report["alerts"] >= 1 and report["windows"][-1]["n"] == 120
    # with no reference the log's first decisions are it; too few is a clear error
    few = runner.invoke(app, ["monitor", "-o", f"audit.url={url}"])
    assert few.exit_code == 2 and "monitor.reference" in few.stderr
