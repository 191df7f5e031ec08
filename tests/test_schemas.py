import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from recruiter import schemas
from recruiter.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_schemas_are_valid_2020_12(name):
    schema = schemas.load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_examples_are_valid():
    schemas.load_and_validate(EXAMPLES / "candidate.json", "candidate")
    schemas.load_and_validate(EXAMPLES / "job.json", "job")


def _candidate(**extra):
    base = json.loads((EXAMPLES / "candidate.json").read_text())
    base.update(extra)
    return base


def test_error_names_json_path_and_rule():
    cand = _candidate(
        languages=[{"name": "English", "level": "C1"}, {"name": "German", "level": "B5"}]
    )
    problems = schemas.errors(cand, "candidate")
    assert problems == [
        "$.languages[1].level: 'B5' is not one of ['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'native']"
    ]


def test_missing_required_and_blank_fields():
    cand = _candidate(resume="   \n ")
    del cand["transcript"]
    problems = schemas.errors(cand, "candidate")
    assert "$: 'transcript' is a required property" in problems
    assert "$.resume: must contain non-whitespace text" in problems


def test_oversized_text_is_refused_with_its_limit_and_not_echoed():
    cand = _candidate(resume="x" * 30_001)
    (problem,) = schemas.errors(cand, "candidate")
    assert problem == "$.resume: 30,001 characters, over the limit of 30,000"


def test_unknown_field_is_refused():
    (problem,) = schemas.errors(_candidate(transcipt="typo"), "candidate")
    assert problem.startswith("$: Additional properties are not allowed ('transcipt'")


def test_decision_schema_rules():
    ok = {
        "reasoning": "Covers all required skills and answered the Kubernetes question concretely.",
        "status": "select",
    }
    assert schemas.is_valid(ok, "decision")
    assert list(schemas.load_schema("decision")["properties"])[:2] == ["reasoning", "status"]
    short = schemas.errors({"reasoning": "too short", "status": "select"}, "decision")
    assert short == ["$.reasoning: 9 characters, under the minimum of 40"]
    assert not schemas.is_valid({**ok, "status": "maybe"}, "decision")
    assert not schemas.is_valid({**ok, "score": 1}, "decision")
    assert schemas.is_valid(
        {**ok, "evidence": [{"source": "resume", "quote": "5 years"}]}, "decision"
    )
    assert not schemas.is_valid(
        {**ok, "evidence": [{"source": "linkedin", "quote": "x"}]}, "decision"
    )


def test_validate_raises_input_error_naming_source():
    with pytest.raises(InputError, match=r"^cand\.json: not a valid candidate \(1 problem\)"):
        schemas.validate(_candidate(years_experience=-1), "candidate", source="cand.json")


def test_read_json_errors_name_file_and_position(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"role": "x",\n  oops}')
    with pytest.raises(InputError, match=r"bad\.json: not valid JSON \(line 2, column 3"):
        schemas.read_json(bad)
    with pytest.raises(InputError, match="file not found"):
        schemas.read_json(tmp_path / "missing.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Jos\xe9"}'.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        schemas.read_json(latin)
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"resume": "x" * 200}))
    with pytest.raises(InputError, match="over the input limit of 100 bytes"):
        schemas.read_json(big, max_bytes=100)


def test_one_input_policy_for_files_stdin_and_the_api(tmp_path):
    """BOM dropped; NaN, duplicate keys, lone surrogates, [] and invisible-only text refused,
    each naming where (the server's body goes through the same parse_json)."""
    import io

    from recruiter.schemas.inputs import collect, parse_json

    cand = _candidate()
    bom = tmp_path / "bom.json"
    bom.write_text("\ufeff" + json.dumps(cand), encoding="utf-8")
    assert schemas.load_and_validate(bom, "candidate")["role"] == cand["role"]
    assert collect([str(bom)], 10**6)[0][1] == cand
    bad = {
        "nan.json": (json.dumps(cand)[:-1] + ', "x": NaN}', "NaN is not a JSON number"),
        "dup.json": ('{"role": "a", "role": "b"}', "key 'role' appears twice"),
        "sur.json": ('{"candidate_id": "ab\\ud800", "role": "x"}', "$.candidate_id holds a lone"),
        "empty.json": ("[]", "empty list holds no candidate"),
    }
    for name, (text, message) in bad.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=re.escape(message)) as exc:
            collect([str(path)], 10**6)
        assert name in str(exc.value)
        if name != "empty.json":
            with pytest.raises(InputError, match=re.escape(message)):
                schemas.load_and_validate(path, "candidate")
    with pytest.raises(InputError, match=r"<stdin>:2: key 'a' appears twice"):
        collect(["-"], 10**6, io.StringIO('{"a": 1}\n{"a": 1, "a": 2}\n'))
    with pytest.raises(InputError, match="body: NaN"):
        parse_json('{"seed": NaN}', "body")
    invisible = _candidate(role="\u200b\u200d\u2060")
    assert schemas.errors(invisible, "candidate") == ["$.role: holds only invisible characters"]
    assert schemas.errors(_candidate(role="Nurse\u200b"), "candidate") == []
