"""Parsers of free text: sections, skill items, dated roles, languages, a job ad's asks."""

from __future__ import annotations

from datetime import date

import pytest

from recruiter.retrieval import textparse as tp
from recruiter.retrieval.jobasks import job_asks
from recruiter.retrieval.skills import skills_from_text

MARKDOWN_RESUME = """**Ada Example**
**Contact Information:**

* Email: ada@example.com

**Technical Skills:**

* Programming languages: Java, Python, C++
* Cloud platforms: AWS (S3, EMR), GCP

**Professional Experience:**

**Senior Software Engineer, ABC Corporation (2018-Present)**
* Led the development of a SaaS platform
**Software Engineer, DEF Startups (2015-2018)**

**Education:**
* BSc Computer Science, XYZ University (2011-2015)
"""


def test_skill_items_read_markdown_headings_and_category_lists():
    items = [it.text for it in tp.skill_items(MARKDOWN_RESUME)]
    assert items == ["Java", "Python", "C++", "AWS", "S3", "EMR", "GCP"]
    lines = MARKDOWN_RESUME.splitlines()
    for it in tp.skill_items(MARKDOWN_RESUME):
        assert it.text in lines[it.line - 1]
    assert skills_from_text("## Skills\n- Python\n- SQL\n\n## Experience\n- x") == ["Python", "SQL"]


def test_inline_and_plain_heading_skill_lists():
    text = "Summary\nBuilder.\n\nSkills\n- lesson planning\n- teaching maths\n\nExperience\n- Tutor"
    assert [it.text for it in tp.skill_items(text)] == ["lesson planning", "teaching maths"]
    text = "Key skills: plan campaigns; SEO; the marketing mix\nWork history:"
    assert [it.text for it in tp.skill_items(text)] == [
        "plan campaigns",
        "SEO",
        "the marketing mix",
    ]


@pytest.mark.parametrize(
    "line, months",
    [
        ("- Engineer, Acme (12/2021 – present): built", 42),
        ("- 2023-03 – present: Marketing Director – Acme", 27),
        ("Software Engineer (Jan 2022 – Jul 2024)", 30),
        ("From 2019-01 to 2020-06 I worked as a nurse", 17),
        ("Data Scientist, ABC (2018-Present)", 89),
        ("Analyst, DEF (2015-2018)", 36),
    ],
)
def test_date_ranges_in_common_formats(line, months):
    roles = tp.dated_roles(line, date(2025, 6, 1))
    assert [r.months for r in roles] == [months]
    assert roles[0].quote in line


def test_present_resolves_against_the_reference_date_and_overlaps_count_once():
    text = "A (2020-01 – present)\nB (2021-01 – 2022-01)"
    june = tp.dated_roles(text, date(2025, 6, 1))
    assert tp.experience_months(june, date(2025, 6, 1)) == 65
    december = tp.dated_roles(text, date(2026, 12, 1))
    assert tp.experience_months(december, date(2026, 12, 1)) == 83
    assert tp.parse_as_of("2025-06") == date(2025, 6, 1)
    assert tp.parse_as_of("not a date") is None


def test_education_ranges_and_degree_lines_are_not_work():
    roles = tp.dated_roles(MARKDOWN_RESUME, date(2025, 6, 1))
    assert [r.quote for r in roles] == ["2018-Present", "2015-2018"]
    # "Machine Learning Engineer" and "backend" are not degree abbreviations
    text = "- 08/2024 – present: Machine Learning Engineer – X. Operate backend services."
    assert len(tp.dated_roles(text, date(2025, 6, 1))) == 1


def test_languages_with_levels():
    langs = tp.languages_in("Languages: Swedish (native), English (B2), Portuguese (C1)")
    assert [(lg.name, lg.level) for lg in langs] == [
        ("Swedish", "native"),
        ("English", "B2"),
        ("Portuguese", "C1"),
    ]
    assert [(lg.name, lg.level) for lg in tp.languages_in("Fluent English and basic German")] == [
        ("English", "C1"),
        ("German", "A2"),
    ]


JOB = """Acme is a software company based in Berlin. It has been around for more than 20 years.

We are looking for someone with at least 4 years of relevant experience and solid skills in Python, SQL, REST APIs and debugging. A bachelor's degree in a related field is expected. Required languages: German at C1 level or above and English at B2 level or above.

It is a plus if you also bring Docker.

This is a hybrid (three days in the office) position in Berlin, Germany."""


def test_job_asks_from_prose():
    asks = job_asks(JOB)
    assert [it.text for it in asks.required] == ["Python", "SQL", "REST APIs", "debugging"]
    assert [it.text for it in asks.preferred] == ["Docker"]
    assert asks.min_years == 4  # not the company's 20 years
    assert [(lg.name, lg.level) for lg in asks.languages] == [("German", "C1"), ("English", "B2")]
    assert (asks.presence, asks.degree) == ("hybrid", "bachelor")


@pytest.mark.parametrize(
    "text, want",
    [
        ("Must-haves: accruals and reconciliations, budgeting and cost accounting; a minimum of "
         "4 years of experience.", ["accruals and reconciliations", "budgeting", "cost accounting"]),
        ("To succeed in this role you need Java (computer programming), git and SQL, plus 3+ years "
         "of experience in a similar position.", ["Java (computer programming)", "git", "SQL"]),
        ("**Requirements**\n- social media\n- testing and inspection\n- 5+ years of experience",
         ["social media", "testing and inspection"]),
        ("**Requirements:**\n\n* Proficiency in programming languages such as Java, Python or C++\n"
         "* Strong debugging and problem-solving skills", ["Java", "Python", "C++", "debugging and problem-solving"]),
    ],
)  # fmt: skip
def test_job_asks_lists(text, want):
    assert [it.text for it in job_asks(text).required] == want


def test_a_language_with_a_cefr_level_in_a_requirements_list_is_asked_for():
    text = (
        "Required: Python, SQL, Docker; at least 3 years of experience; English C1. Preferred: AWS."
    )
    asks = job_asks(text)
    assert [(lg.name, lg.level) for lg in asks.languages] == [("English", "C1")]
    assert asks.min_years == 3
