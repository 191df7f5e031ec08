from pathlib import Path

from typer.testing import CliRunner

from recruiter.cli import app

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("config", "models", "validate"):
        assert command in result.output


def test_config_check_all_shipped_configs():
    files = [str(p) for p in sorted((REPO / "configs").glob("*.yaml"))]
    result = runner.invoke(app, ["config", "check", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok") == len(files)


def test_config_show_applies_overrides():
    result = runner.invoke(
        app, ["config", "show", "-c", str(REPO / "configs/tiny.yaml"), "-o", "seed=5"]
    )
    assert result.exit_code == 0
    assert "seed: 5" in result.output


def test_unknown_key_exits_2_with_suggestion_and_no_traceback(tmp_path):
    result = runner.invoke(app, ["config", "show", "-o", "runtime.num_thread=2"])
    assert result.exit_code == 2
    assert "did you mean 'runtime.num_threads'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()  # nothing written


def test_validate_invalid_candidate_exits_2_naming_path(tmp_path):
    bad = tmp_path / "cand.json"
    bad.write_text(
        '{"role": "Nurse", "job_description": "ICU", "resume": "RN", "transcript": "ok", "languages": [{"name": "en", "level": "B5"}]}'
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "$.languages[0].level: 'B5' is not one of" in result.output
    assert "Traceback" not in result.output


def test_validate_missing_file_and_bad_schema_name(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "file not found" in result.output
    result = runner.invoke(app, ["validate", "-s", "resume", str(REPO / "examples/candidate.json")])
    assert result.exit_code == 2 and "--schema must be one of" in result.output


def test_validate_examples():
    assert runner.invoke(app, ["validate", str(REPO / "examples/candidate.json")]).exit_code == 0
    assert (
        runner.invoke(app, ["validate", "-s", "job", str(REPO / "examples/job.json")]).exit_code
        == 0
    )


def test_models_list():
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0
    assert "smollm2-135m-instruct" in result.output and "all-minilm-l6-v2" in result.output


def test_internal_errors_hide_the_traceback(monkeypatch):
    import recruiter.models

    def broken():
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(recruiter.models, "list_models", broken)
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 1
    assert "internal error: ZeroDivisionError: bug" in result.output
    assert "Traceback" not in result.output


def test_printed_paths_are_not_wrapped_through_a_pipe(tmp_path):
    import os
    import subprocess
    import sys

    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / ("and-another-one-" * 4) / "corpus"
    env = {**os.environ, "RECRUITER_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "recruiter.cli", "prepare", "synth",
         "-o", "prepare.synth.n_records=10", "-o", f"prepare.synth.output={deep}"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(str(deep)) > 150 and proc.stdout.strip().splitlines() == [str(deep)]
