"""Counterfactual swaps change exactly what they should and nothing else."""

from __future__ import annotations

import json

from recruiter.eval import swaps

REC = {
    "id": "r1",
    "label": "reject",
    "role": "Nurse",
    "job_description": "Ward nurse; he or she must hold a licence.",
    "resume": "[NAME]\nMr. [NAME] worked 5 years; he led his team.\nBSc Nursing, Leeds (2012)\nWorked 2012-2017 at St Mary's.",
    "transcript": "[PERSON]: Welcome [NAME].\n[NAME]: Thanks. My wife and I moved; 200 ms pings are fine.",
}


def test_name_swap_fills_placeholders_and_sets_name_only():
    out = swaps.swap_name(REC, "Amara Okafor")
    assert "[NAME]" not in out["resume"] and out["resume"].count("Amara Okafor") == 2
    assert out["transcript"].startswith("[PERSON]: Welcome Amara Okafor.")
    assert out["name"] == "Amara Okafor"
    assert {k: v for k, v in out.items() if k not in ("resume", "transcript", "name")} == {
        k: v for k, v in REC.items() if k not in ("resume", "transcript")
    }
    again = swaps.swap_name(out, "Lena Vogel")  # an already-named record: the old name goes
    assert "Amara" not in again["resume"] and again["resume"].count("Lena Vogel") == 2


def test_gender_swap_is_word_level_and_leaves_job_and_units():
    out = swaps.swap_gender(REC)
    assert "she led her team" in out["resume"] and out["resume"].startswith("[NAME]\nMs. [NAME]")
    assert "My husband and I" in out["transcript"] and "200 ms" in out["transcript"]
    assert out["job_description"] == REC["job_description"] and out["role"] == REC["role"]
    assert swaps.swap_gender(out)["resume"].replace("his", "her") == REC["resume"].replace(
        "his", "her"
    )


def test_age_shift_moves_only_education_years():
    out = swaps.shift_age(REC, 20)
    assert "BSc Nursing, Leeds (1992)" in out["resume"]
    assert "Worked 2012-2017" in out["resume"] and out["transcript"] == REC["transcript"]


def test_name_lists(tmp_path):
    groups = swaps.default_names(per_group=5)
    assert len(groups) == 16 and all(len(v) == 5 and len(set(v)) == 5 for v in groups.values())
    assert groups == swaps.default_names(per_group=5)  # seeded: the same everywhere
    (tmp_path / "top_mens_names.json").write_text(
        json.dumps({"W": ["ADAM SMITH"], "B": ["DARNELL JONES"]})
    )
    (tmp_path / "top_womens_names.json").write_text(
        json.dumps({"W": ["AMY KOCH"], "B": ["TANISHA BROWN"]})
    )
    folder = swaps.load_names(tmp_path)
    assert folder == {
        "W-men": ["Adam Smith"],
        "B-men": ["Darnell Jones"],
        "W-women": ["Amy Koch"],
        "B-women": ["Tanisha Brown"],
    }


def test_shared_names_load_when_present(shared_data):
    groups = swaps.load_names(shared_data("names"))
    assert len(groups) == 8 and all(len(v) == 100 for v in groups.values())
