"""run_live.py / `recruiter live`: inputs, exit codes, fuzzed files, audit rows."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recruiter.errors import InputError
from recruiter.inference.live import collect, validate_items

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "candidate.json"
runner = CliRunner()


def _live(*args, input=None):
    from recruiter.cli import app

    return runner.invoke(app, ["live", *map(str, args)], input=input)


def _cand() -> dict:
    return json.loads(EXAMPLE.read_text())


@pytest.mark.parametrize(
    "content, expected",
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ('{"role": "x"}', "$: 'job_description' is a required property"),
        ("[1, 2]", "$: expected a JSON object"),
        ("", "empty input"),
    ],
)
def test_bad_files_exit_2_with_file_and_path(tmp_path, content, expected):
    f = tmp_path / "c.json"
    f.write_text(content)
    r = _live(f)
    assert r.exit_code == 2, r.output
    assert expected in r.output and str(f) in r.output and "Traceback" not in r.output


def test_schema_error_names_the_json_path(tmp_path):
    cand = _cand()
    cand["languages"][1]["level"] = "B5"
    f = tmp_path / "c.json"
    f.write_text(json.dumps(cand))
    r = _live(f)
    assert r.exit_code == 2 and "$.languages[1].level: 'B5' is not one of" in r.output


def test_oversized_input_is_refused_with_its_limit(tmp_path):
    f = tmp_path / "big.json"
    f.write_text(json.dumps({**_cand(), "resume": "x" * 2_100_000}))
    r = _live(f)
    assert r.exit_code == 2 and "over the input limit of 2,000,000 bytes" in r.output
    cand = {**_cand(), "resume": "y" * 30_001}
    f.write_text(json.dumps(cand))
    r = _live(f)
    assert r.exit_code == 2 and "$.resume: 30,001 characters, over the limit of 30,000" in r.output
    assert "yyyy" not in r.output  # the value is never echoed back


def test_missing_file_and_empty_folder(tmp_path):
    assert "no such file or folder" in _live(tmp_path / "nope.json").output
    r = _live(tmp_path)
    assert r.exit_code == 2 and "no .json or .jsonl files" in r.output


def test_job_fills_role_and_description(tmp_path):
    cand = _cand()
    del cand["role"], cand["job_description"]
    (items,) = validate_items([("c", cand)], json.loads((REPO / "examples/job.json").read_text()))
    assert items.candidate["role"] == "Backend Software Engineer (Python)"
    with pytest.raises(InputError, match="'role' is a required property"):
        validate_items([("c", cand)], None)


def test_stdin_accepts_object_list_and_jsonl():
    import io

    one = json.dumps(_cand())
    assert len(collect(["-"], 10**6, io.StringIO(one))) == 1
    assert len(collect(["-"], 10**6, io.StringIO(f"[{one}, {one}]"))) == 2
    assert len(collect(["-"], 10**6, io.StringIO(f"{one}\n{one}\n"))) == 2


def _mutations(rng: random.Random, base: dict):
    """Malformed candidate files: broken JSON, wrong types, bad enums, junk bytes, deep nesting."""
    text = json.dumps(base)
    kinds = [
        lambda: text[: rng.randrange(1, len(text))],  # truncated
        lambda: text.replace('"', "'", rng.randint(1, 5)),
        lambda: json.dumps(
            {**base, rng.choice(list(base)): rng.choice([None, 1, [], {}, True, -3.5])}
        ),
        lambda: json.dumps(
            {**base, "languages": [{"name": "X", "level": rng.choice(["B9", "", 3])}]}
        ),
        lambda: json.dumps({**base, "years_experience": rng.choice([-1, 500, "ten", None])}),
        lambda: json.dumps(
            {
                k: v
                for k, v in base.items()
                if k != rng.choice(["role", "resume", "transcript", "job_description"])
            }
        ),
        lambda: json.dumps({**base, "unexpected": 1}),
        lambda: "".join(chr(rng.randrange(0, 0x2FFF)) for _ in range(rng.randint(1, 200))),
        lambda: "[" * rng.randint(1, 3000),
        lambda: json.dumps({**base, "location": {"lat": rng.choice([91, "x", None])}}),
        lambda: json.dumps({**base, "resume": "   \n\t "}),
        lambda: json.dumps(rng.choice([[], 0, "text", None])),
    ]
    return rng.choice(kinds)()


def test_200_fuzzed_files_give_clean_errors_and_no_tracebacks(tmp_path):
    rng = random.Random(0)
    base = _cand()
    clean, valid, crashes = 0, 0, []
    for i in range(200):
        f = tmp_path / f"fuzz{i:03d}.json"
        data = _mutations(rng, base)
        (
            f.write_bytes(data)
            if isinstance(data, bytes)
            else f.write_text(data, errors="surrogatepass")
        )
        try:
            validate_items(collect([str(f)], 2_000_000), None)
            valid += 1  # some mutations stay valid (an optional field set to a legal value)
        except InputError:
            clean += 1
        except Exception as exc:  # noqa: BLE001 - exactly what this test must never see
            crashes.append((f.name, repr(exc)))
    assert crashes == [], crashes[:5]
    assert clean + valid == 200 and clean >= 170
    # and through the command line, as a user runs it
    shown = 0
    for i in range(200):
        f = tmp_path / f"fuzz{i:03d}.json"
        try:
            validate_items(collect([str(f)], 2_000_000), None)
            continue  # a valid file would load the model: not what this loop is about
        except InputError:
            pass
        r = _live(f)
        assert r.exit_code == 2 and "Traceback" not in r.output and "internal error" not in r.output
        shown += 1
        if shown == 12:
            break


def test_run_live_script_exit_code_2(tmp_path):
    f = tmp_path / "c.json"
    f.write_text('{"role": 1}')
    p = subprocess.run(
        [sys.executable, str(REPO / "run_live.py"), str(f)], capture_output=True, text=True
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr and "$.role" in p.stderr


def test_model_failure_exits_3_with_an_error_record_and_audit_row(tiny_cfg):
    from recruiter.inference.audit import AuditLog

    before = AuditLog().count()
    r = _live(
        EXAMPLE,
        "-c",
        REPO / "configs" / "tiny.yaml",
        "-o",
        "inference.max_new_tokens=8",
        "-o",
        "inference.retry_max_new_tokens=8",
    )
    assert r.exit_code == 3, r.output
    rec = json.loads(r.stdout[: r.stdout.rindex("}") + 1])
    assert rec["status"] is None and "schema-valid" in rec["error"] and rec["advisory"] is True
    assert "retried" in rec["flags"]
    rows = AuditLog().rows()
    assert len(rows) == before + 1 and rows[-1]["status"] is None and rows[-1]["channel"] == "cli"
