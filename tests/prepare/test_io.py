import json

import pandas as pd
import pytest

from recruiter.errors import InputError
from recruiter.prepare import io

ROWS = [
    {
        "ID": "a1",
        "Name": "Ann Lee",
        "Role": "Nurse",
        "Transcript": "T1",
        "Resume": "R1",
        "decision": "Selected",
        "Reason for decision": "Good",
        "Job Description": "JD",
    },
    {
        "ID": "a2",
        "Name": "Bo Chan",
        "Role": "Nurse",
        "Transcript": "T2",
        "Resume": "R2",
        "decision": "no hire",
        "Reason for decision": "Weak",
        "Job Description": "JD",
    },
    {
        "ID": "a2",
        "Name": "Cy Diaz",
        "Role": "Nurse",
        "Transcript": "T3",
        "Resume": "R3",
        "decision": "maybe",
        "Reason for decision": "?",
        "Job Description": "JD",
    },
]


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("select", "select"),
        ("Selected", "select"),
        (" HIRE ", "select"),
        ("yes", "select"),
        (1, "select"),
        (1.0, "select"),
        (True, "select"),
        ("reject", "reject"),
        ("Rejected", "reject"),
        ("No Hire", "reject"),
        ("no_hire", "reject"),
        ("0", "reject"),
        (0, "reject"),
        ("maybe", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_label_normalisation(raw, norm):
    assert io.normalise_label(raw) == norm


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_every_format_reads_the_same_records(tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    frame = pd.DataFrame(ROWS)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    records, report = io.read_records([path], preset="durgesh")
    assert [r["label"] for r in records] == ["select", "reject"]
    assert [r["id"] for r in records] == [f"export{suffix}:a1", f"export{suffix}:a2"]
    assert records[0]["source"] == path.name and records[0]["name"] == "Ann Lee"
    assert records[1]["reason"] == "Weak"
    assert report.as_dict()["dropped_unknown_label"] == {"maybe": 1}


def test_an_exports_own_label_values_map_first(tmp_path):
    assert io.normalise_label("Not Selected") == "reject"
    assert io.normalise_label("  MAYBE ", {"maybe": "select"}) == "select"
    assert io.normalise_label("Selected", {"selected": "reject"}) == "reject"  # the export's word
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    records, report = io.read_records([path], preset="durgesh", labels={"Maybe": "select"})
    assert [r["label"] for r in records] == ["select", "reject", "select"]
    assert not report.bad_labels
    with pytest.raises(InputError, match="prepare.labels"):
        io.read_records([path], preset="durgesh", labels={"Maybe": "perhaps"})


def test_repeated_ids_stay_unique(tmp_path):
    rows = [dict(ROWS[1], decision="reject"), dict(ROWS[2], decision="reject")]
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    records, _ = io.read_records([path], preset="durgesh")
    assert [r["id"] for r in records] == ["x.jsonl:a2", "x.jsonl:a2#1"]


def test_missing_mapped_column_names_file_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame(ROWS).drop(columns=["Transcript"]).to_csv(path, index=False)
    with pytest.raises(
        InputError,
        match=r"bad\.csv: missing mapped column\(s\): transcript \(column 'Transcript'\)",
    ):
        io.read_records([path], preset="durgesh")


def test_column_override(tmp_path):
    path = tmp_path / "renamed.csv"
    pd.DataFrame(ROWS).rename(columns={"Transcript": "Interview"}).to_csv(path, index=False)
    records, _ = io.read_records([path], preset="durgesh", columns={"transcript": "Interview"})
    assert records[0]["transcript"] == "T1"
    with pytest.raises(InputError, match="unknown field"):
        io.read_records([path], preset="durgesh", columns={"cv": "Resume"})


def test_bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"empty\.csv: file is empty"):
        io.read_records([empty], preset="durgesh")
    header_only = tmp_path / "header.csv"
    header_only.write_text("ID,Name\n")
    with pytest.raises(InputError, match="no data rows"):
        io.read_records([header_only], preset="durgesh")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ID,Name\n1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.csv: not UTF-8"):
        io.read_records([latin], preset="durgesh")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"a": 1}\n{oops\n')
    with pytest.raises(InputError, match=r"broken\.jsonl: line 2 is not valid JSON"):
        io.read_records([broken])
    with pytest.raises(InputError, match="file not found"):
        io.read_records([tmp_path / "missing.csv"])
    with pytest.raises(InputError, match="unsupported file type"):
        (tmp_path / "notes.txt").write_text("x")
        io.read_records([tmp_path / "notes.txt"])
    with pytest.raises(InputError, match="prepare.inputs is empty"):
        io.read_records([])


def test_folder_expands_to_supported_files(tmp_path):
    pd.DataFrame(ROWS[:1]).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame(ROWS[1:2]).to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "README.txt").write_text("ignored")
    records, report = io.read_records([tmp_path], preset="durgesh")
    assert report.files == {"a.csv": 1, "b.csv": 1} and len(records) == 2


def test_shared_hiring_export_reads(shared_data):
    records, report = io.read_records([shared_data("hiring")], preset="durgesh")
    assert len(report.files) == 6 and sum(report.files.values()) == 2974
    assert len(records) == 2974  # every label spelling there is one we know
    assert {r["label"] for r in records} == {"select", "reject"}
