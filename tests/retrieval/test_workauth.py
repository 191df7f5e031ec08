"""Work-authorisation statements read with their negations, against the job's country."""

from __future__ import annotations

import pytest

from recruiter.retrieval.filters import apply_filters
from recruiter.retrieval.workauth import read_authorization

# (statement as job boards and ATS exports word it, job country, verdict)
CASES = [
    ("EU citizen, no work permit needed", "Germany", "authorised"),
    ("Does not require visa sponsorship", "Germany", "authorised"),
    ("Does not require sponsorship", "United States", "authorised"),
    ("No sponsorship required; German citizen", "Germany", "authorised"),
    ("Needs no visa", "France", "authorised"),
    ("I do not need a work permit", "Spain", "authorised"),
    ("I don't need visa sponsorship now or in the future", "United States", "authorised"),
    ("Visa: not required", "Netherlands", "authorised"),
    ("Sponsorship is not required", "Ireland", "authorised"),
    ("Will not require sponsorship", "United States", "authorised"),
    ("Citizen of Germany", "Germany", "authorised"),
    ("German citizen", "Austria", "authorised"),
    ("French national, living in Lyon", "Germany", "authorised"),
    ("Dutch passport holder", "Belgium", "authorised"),
    ("Swiss citizen", "Germany", "authorised"),
    ("Norwegian citizen", "Sweden", "authorised"),
    ("Permanent resident of Germany", "Germany", "authorised"),
    ("Valid work permit for Spain", "Spain", "authorised"),
    ("Holds a valid residence permit (Niederlassungserlaubnis)", "Germany", "authorised"),
    ("EU Blue Card holder", "Germany", "authorised"),
    ("Authorized to work in the US for any employer", "United States", "authorised"),
    ("US citizen", "USA", "authorised"),
    ("Green card holder", "United States", "authorised"),
    ("Right to work in the UK (settled status)", "United Kingdom", "authorised"),
    ("British citizen", "UK", "authorised"),
    ("Canadian citizen", "Canada", "authorised"),
    ("Eligible to work in the EU", "Poland", "authorised"),
    ("Fully authorised to work", None, "authorised"),
    ("Requires visa sponsorship", "Germany", "denied"),
    ("Will require sponsorship in the future", "United States", "denied"),
    ("Needs a work permit for Germany", "Germany", "denied"),
    ("Citizen of Turkey; needs work permit for the Netherlands", "Netherlands", "denied"),
    ("Work permit pending", "Germany", "denied"),
    ("Work visa expired in March", "United Kingdom", "denied"),
    ("Currently applying for a work permit", "Germany", "denied"),
    ("Not authorised to work in the UK", "United Kingdom", "denied"),
    ("Not yet eligible to work in Canada", "Canada", "denied"),
    ("No right to work in the EU", "Germany", "denied"),
    ("No work permit", "Germany", "denied"),
    ("Without a work permit at the moment", "France", "denied"),
    ("Open to relocation, will need visa sponsorship", "Ireland", "denied"),
    ("H-1B holder, sponsorship needed to change employers", "United States", "denied"),
    ("Work authorization: none", "United States", "denied"),
    ("Authorized to work in the US for any employer", "Germany", "review"),
    ("US citizen", "Germany", "review"),
    ("British citizen", "France", "review"),
    ("Green card holder", "Spain", "review"),
    ("Permanent resident of Canada", "Netherlands", "review"),
    ("Indian national", "Germany", "review"),
    ("Happy to discuss", "Germany", "review"),
    ("", "Germany", "review"),
]


@pytest.mark.parametrize(("statement", "country", "verdict"), CASES)
def test_statements(statement, country, verdict):
    got = read_authorization(statement, country)
    assert got.verdict == verdict, (statement, got)


def test_the_demo_candidate_is_not_excluded_and_a_us_permit_goes_to_review():
    job = {
        "location": {"city": "Berlin", "country": "Germany"},
        "presence": "remote",
        "mandatory_criteria": [
            {"name": "work authorization", "description": "Legal right to work in Germany"}
        ],
    }
    ok = apply_filters({"work_authorization": "EU citizen, no work permit needed"}, job)
    assert ok.passed and ok.unverified == []
    us = apply_filters({"work_authorization": "Authorized to work in the US"}, job)
    assert us.passed and us.unverified == [
        "work authorization: authorised for united states, the job is in Germany"
    ]
    no = apply_filters({"work_authorization": "Requires visa sponsorship"}, job)
    assert not no.passed and "requires visa sponsorship" in no.reasons[0].lower()
    none = apply_filters({}, job)
    assert none.passed and none.unverified == ["work authorization: no statement"]


def test_every_work_authorisation_verdict_in_the_demo_pool_is_right():
    import json
    from pathlib import Path

    from recruiter.retrieval.filters import check_criteria

    examples = Path(__file__).resolve().parents[2] / "examples"
    job = json.loads((examples / "job.json").read_text())
    for line in (examples / "pool.jsonl").read_text().splitlines():
        cand = json.loads(line)
        statement = cand.get("work_authorization") or ""
        reasons, unverified = check_criteria(cand, job)
        assert not reasons, (statement, reasons)  # nobody in the demo pool needs a permit
        us = "United States" in statement
        assert any("authorised for united states" in u for u in unverified) == us, statement
