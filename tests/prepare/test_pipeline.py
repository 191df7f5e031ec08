"""Smoke + end-to-end properties of `recruiter prepare` on a tiny synthetic export."""

import json
import re

import pytest
from typer.testing import CliRunner

from recruiter import config
from recruiter.cli import app
from recruiter.errors import InputError
from recruiter.prepare import run, synth

CANARIES = {
    "name": "Zebediah Quortlebury",
    "email": "zebediah.quortlebury@example.org",
    "phone": "+44 20 7946 0321",
    "url": "linkedin.com/in/zquortlebury",
}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """120 synthetic rows + one row carrying canaries in every text field."""
    corpus = synth.generate(120, seed=3)
    rows = list(corpus.records)
    base = dict(rows[0])
    c = CANARIES
    base.update(
        id="canary",
        candidate_id="cand-canary",
        name=c["name"],
        resume=f"{c['name']}\nEmail: {c['email']} | Phone: {c['phone']} | {c['url']}\n"
        + base["resume"],
        transcript=base["transcript"]
        + f"\nInterviewer: Thanks {c['name'].split()[0]}, reach you at {c['phone']}?\n"
        f"{c['name'].split()[0]}: Yes, or {c['email']}.",
    )
    rows.append(base)
    path = tmp_path_factory.mktemp("export") / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _cfg(tiny_cfg, export, out, **extra):
    prepare = {
        **tiny_cfg.prepare.model_dump(),
        "inputs": [str(export)],
        "output": str(out),
        **extra,
    }
    return tiny_cfg.model_copy(update={"prepare": config.PrepareConfig.model_validate(prepare)})


@pytest.fixture(scope="module")
def prepared(tiny_cfg, export, tmp_path_factory):
    out = tmp_path_factory.mktemp("prep") / "out"
    cfg = _cfg(tiny_cfg, export, out, overwrite=True)
    return cfg, run(cfg)


def test_smoke_outputs(prepared):
    cfg, out = prepared
    for name in (
        "train.jsonl",
        "validation.jsonl",
        "test.jsonl",
        "manifest.json",
        "report.json",
        "report.md",
        "report.png",
        "config.yaml",
        "timings.json",
    ):
        assert (out / name).is_file(), name
    assert (out / "hf" / "dataset_dict.json").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["leakage"]["total_shared"] == 0
    sizes = manifest["splits"]
    total = sum(s["rows"] for s in sizes.values())
    assert 0.6 <= sizes["train"]["rows"] / total <= 0.8
    assert manifest["config_sha256"] == config.config_hash(cfg)
    stages = manifest["stages"]
    assert stages["spam"]["records_out"] < stages["clean"]["records_out"]  # synth plants spam
    assert stages["dedup"]["records_out"] < stages["pii"]["records_out"]  # and duplicates
    assert sum(stages["leak-scrub"]["sentences_removed"].values()) > 0  # and leak phrases


def test_rows_are_training_examples(prepared):
    _, out = prepared
    row = json.loads((out / "train.jsonl").read_text().splitlines()[0])
    answer = json.loads(row["output"])
    assert list(answer) == ["reasoning", "status"] and answer["status"] == row["label"]
    assert len(answer["reasoning"]) >= 40
    assert row["messages"][-1] == {"role": "assistant", "content": row["output"]}
    assert row["prompt_version"]


def test_no_canary_survives(prepared):
    _, out = prepared
    text = "".join((out / f"{s}.jsonl").read_text() for s in ("train", "validation", "test"))
    for kind, value in CANARIES.items():
        assert value not in text, kind
    for token in CANARIES["name"].split():
        assert not re.search(rf"\b{token}\b", text), token


def test_rerun_is_byte_identical(prepared):
    cfg, out = prepared
    before = json.loads((out / "manifest.json").read_text())
    run(cfg)
    after = json.loads((out / "manifest.json").read_text())
    assert before["files_sha256"] == after["files_sha256"]


def test_bad_input_writes_nothing(tiny_cfg, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "1", "role": "x", "resume": "y", "decision": "select"}) + "\n")
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"bad\.jsonl: missing mapped column"):
        run(_cfg(tiny_cfg, bad, out))
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


def test_unknown_label_values_are_named_not_dropped_silently(tiny_cfg, export, tmp_path):
    rows = [json.loads(x) for x in export.read_text().splitlines()[:6]]
    for r in rows[:3]:
        r["decision"] = "Not Progressed"
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"'Not Progressed' \(3 rows\).*prepare.labels"):
        run(_cfg(tiny_cfg, path, out))
    assert not out.exists()
    with pytest.raises(ValueError, match="select"):  # pydantic: a label maps to select or reject
        _cfg(tiny_cfg, path, out, labels={"Not Progressed": "maybe"})


def test_cli_exit_code_2_on_missing_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Name\n1,A\n")
    result = CliRunner().invoke(
        app,
        [
            "prepare",
            "-i",
            str(bad),
            "--output",
            str(tmp_path / "o"),
            "-o",
            "prepare.preset=durgesh",
        ],
    )
    assert result.exit_code == 2
    assert "bad.csv: missing mapped column" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_existing_output_is_refused(prepared, tiny_cfg, export):
    _, out = prepared
    with pytest.raises(InputError, match="already exists"):
        run(_cfg(tiny_cfg, export, out))


def test_unknown_pii_entity_is_a_config_error(tiny_cfg, export, tmp_path):
    from recruiter.errors import ConfigError

    bad = _cfg(tiny_cfg, export, tmp_path / "o")
    bad = bad.model_copy(
        update={
            "prepare": bad.prepare.model_copy(
                update={"pii": bad.prepare.pii.model_copy(update={"entities": ["SSN_NUMBER"]})}
            )
        }
    )
    with pytest.raises(ConfigError, match="prepare.pii.entities"):
        run(bad)
    assert not (tmp_path / "o").exists()


def test_config_default_entities_are_the_maskers():
    # config.py sits below the stages: both take the list from recruiter.pii_entities
    from recruiter.pii import DEFAULT_ENTITIES

    assert config.PiiConfig().entities == list(DEFAULT_ENTITIES)
