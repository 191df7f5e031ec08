"""The sheet-written reasoning target: the sheet's facts in the words the faithfulness check reads."""

from __future__ import annotations

import json

import pytest

from recruiter.errors import InputError
from recruiter.eval.faithfulness import _COVERS, _YEARS
from recruiter.inference.evidence import build_sheet, default_matcher
from recruiter.train import data as data_mod
from recruiter.train.targets import sheet_reasoning

ROW = {
    "id": "t:1",
    "role": "Data Engineer",
    "job_description": (
        "Requirements\n- SQL\n- Python\n- Apache Airflow\n- 4+ years of experience\n"
        "Required languages: German at C1 level or above."
    ),
    "resume": (
        "Skills\n- SQL\n- Python\n\nExperience\n- Data Engineer, Acme (2019-01 – 2024-01): "
        "pipelines.\n\nLanguages\nGerman (B2), English (C2)"
    ),
    "transcript": (
        "Interviewer: How have you used Python in production?\nCandidate: I wrote the ingestion service in Python "
        "and cut its runtime by half.\nInterviewer: Thanks.\nCandidate: Thank you."
    ),
    "label": "reject",
    "as_of": "2025-06",
}


@pytest.fixture(scope="module")
def sheet():
    return build_sheet(ROW, default_matcher(embed=False), as_of="2025-06")


def test_the_reasoning_states_the_sheets_facts_and_no_verdict(sheet):
    text = sheet_reasoning(sheet)
    assert text.startswith("Covers 2/3 required skills (missing Apache Airflow)")
    covers, years = _COVERS.search(text), _YEARS.search(text)
    assert (int(covers[1]), int(covers[2])) == (sheet.found, len(sheet.required)) == (2, 3)
    assert (float(years[1]), float(years[2])) == (sheet.years, sheet.min_years) == (5.0, 4.0)
    assert "German B2 below the required C1" in text
    assert "interview answers on Python" in text
    for verdict in ("select", "reject", "hire", "fit", "recommend"):
        assert verdict not in text.lower()


def test_examples_take_the_sheet_reasoning_and_the_recorded_status(smollm2_dir, sheet):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    row = {**ROW, "output": json.dumps({"reasoning": "Not a fit. Weak.", "status": "reject"})}
    matcher = default_matcher(embed=False)
    (ex,), _ = data_mod.to_examples([row], tok, 700, "train", "v2", matcher, "sheet")
    answer = json.loads(ex["completion"][0]["content"])
    assert answer == {"reasoning": sheet_reasoning(sheet), "status": "reject"}
    (rec,), _ = data_mod.to_examples([row], tok, 700, "train", "v2", matcher)
    assert json.loads(rec["completion"][0]["content"])["reasoning"] == "Not a fit. Weak."
    assert rec["prompt"] == ex["prompt"]  # the target never changes what the model reads
    with pytest.raises(InputError, match="needs prompt v2"):
        data_mod.to_examples([row], tok, 700, "train", "v1", None, "sheet")
