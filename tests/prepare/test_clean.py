"""clean: unicode, invisible chars, HTML/markdown, ' | ' joins, LLM preambles/notes, idempotency."""

from __future__ import annotations

import re

import pytest

from recruiter.prepare.clean import clean_record, clean_text

TRANSCRIPT = """Here's a simulated interview for a Software Engineer role:

**Interviewer:** Hi Bob, thank you for coming in today. Can you start by telling me a little about your background and why you're interested in this role?

**Bob Miller:** Absolutely. I have a Bachelor's degree in Computer Science and about 5 years of experience in software development.

**Interviewer:** Thank you, Bob. We'll be in touch soon to let you know next steps.

This is the end of the simulated interview. Bob Miller performed well in demonstrating relevant skills."""

RESUME = """Here's a sample resume for Bob Miller, a selected candidate for the Software Engineer role:

**Bob Miller**
**Contact Information:**

* Email: [bob.miller@email.com](mailto:bob.miller@email.com)
* LinkedIn: [my profile](https://linkedin.com/in/bobmiller)
* Portfolio: [github.com/bobm](https://github.com/bobm)

### Technical Skills
* Programming languages:
\t+ Java
\t+ Python

I hope this sample resume helps! Remember to tailor your resume to the specific job."""


# ------------------------------------------------------------------------------ preambles/notes


@pytest.mark.parametrize(
    "preamble",
    [
        "Here's a simulated interview for a Software Engineer role:",
        "Here is a comprehensive job description for a Data Engineer role:",
        "Here's a sample resume for Alice Smith:",
        "Sure! Here is a sample resume for Alice Smith, a Data Analyst who was selected for the role:",
        "here's a realistic interview transcript for the role of ui engineer, highlighting kabir sharma's strengths and weaknesses:",
        "**Here's a professional resume for Navya:**",
        "What a unique combination of skills! Here's a resume for Melissa Lewis DVM:",
        "Here is a positive, detailed interview transcript for candidate Saanjh Mittal:",
    ],
)
def test_preamble_removed(preamble):
    body = "Alice Smith\nData Analyst with 5 years of experience in SQL, Python and Tableau."
    assert clean_text(f"{preamble}\n\n{body}") == body


def test_leading_meta_paragraphs_removed():
    text = (
        "I must note that Hank Williams, the legendary country music singer-songwriter, passed away in 1953. "
        "However, I'll create a fictional resume that highlights his transferable skills.\n\n"
        "**Hank Williams**\n**Contact Information:**\n\n* Phone: 555-123-4567"
    )
    assert clean_text(text) == "Hank Williams\nContact Information:\n\n- Phone: 555-123-4567"


def test_preamble_alone_is_not_removed_and_content_first_lines_stay():
    assert clean_text("Here is my portfolio") == "Here is my portfolio"  # nothing after it: keep
    text = "Interview Transcript\n\nInterviewer: Hi Guy, thanks for joining."
    assert clean_text(text) == text


def test_trailing_notes_removed():
    out = clean_text(TRANSCRIPT)
    assert out.startswith("Interviewer: Hi Bob")
    assert out.endswith("We'll be in touch soon to let you know next steps.")
    out = clean_text(RESUME)
    assert (
        "I hope this" not in out and "Here's a sample" not in out and out.startswith("Bob Miller")
    )
    body = "Summary:\n" + "Data engineer with eight years of experience building pipelines. " * 4
    for note in (
        "Note: This is just a sample resume and you should customize it.",
        "Note that this is just a sample resume, and you should tailor it.",
        "(Note: This is a simulated interview, and the interviewer's tone may not reflect real practice.)",
        "I hope this helps! Let me know if you need any modifications.",
    ):
        assert clean_text(f"{body}\n\n{note}") == body.strip()


def test_dialogue_after_a_notes_heading_is_kept():
    turns = "\n\n".join(
        f"Interviewer: Question number {i} about your work?\n\nAna: An answer about Spark {i}."
        for i in range(4)
    )
    text = (
        f"{turns}\n\nRohan's notes: good on Spark.\n\nInterviewer: One more question?\n\nAna: Sure."
    )
    assert "Rohan's notes" in clean_text(text)  # dialogue follows it: not a trailing note
    review = f"{turns}\n\nRecommendations:\n\n* Provide training on Spark."
    assert "Recommendations" not in clean_text(review)  # after a dialogue: an appendix


def test_review_headings_in_a_document_are_kept():
    doc = (
        "Candidate profile: Ana\n\nPosition: Data Engineer\n\n"
        + "Ana has worked on pipelines. " * 10
    )
    doc += "\n\nAreas for improvement:\n\n* Spark tuning"
    assert "Areas for improvement:" in clean_text(doc)


# ------------------------------------------------------------------------------ formatting


def test_pipe_joins_back_to_lines_only_when_flattened():
    assert (
        clean_text("Skills: Python | SQL | Spark | Airflow")
        == "Skills: Python\nSQL\nSpark\nAirflow"
    )
    multi = "Contact:\n\n(email: a@b.com | phone: 555-555-5555)\n\nSummary:\nData engineer."
    assert clean_text(multi) == multi  # a single inline separator in a multi-line field stays


def test_markdown_stripped_and_urls_survive():
    out = clean_text(RESUME)
    assert "**" not in out and "###" not in out and "[" not in out
    assert "- Email: bob.miller@email.com" in out
    assert "my profile (https://linkedin.com/in/bobmiller)" in out
    assert (
        "- Portfolio: https://github.com/bobm" in out
    )  # the full address when the text repeats it
    assert "Technical Skills\n- Programming languages:\n    - Java\n    - Python" in out
    assert (
        clean_text("__Bold__ and *pauses* and `code` and 2*3*4 and __init__")
        == "Bold and pauses and code and 2*3*4 and __init__"
    )
    assert (
        clean_text("| Skill | Level |\n|---|---|\n| SQL | expert |") == "Skill; Level\nSQL; expert"
    )
    assert clean_text("Intro\n\n---\n\n> quoted line") == "Intro\n\nquoted line"


def test_html_stripped_but_code_and_lookalikes_kept():
    assert clean_text(
        "<p>We&nbsp;are <b>hiring</b>&amp; growing</p><ul><li>Python</li><li>SQL</li></ul>"
    ) == ("We are hiring& growing\n\n- Python\n- SQL")
    assert (
        clean_text('See <a href="https://x.org/jobs">our jobs</a>.')
        == "See our jobs (https://x.org/jobs)."
    )
    assert clean_text("AT&T and R&D") == "AT&T and R&D"
    kept = "Juan: uh... <pause>... Map<Integer, Integer> and #include <iostream>"
    assert clean_text(kept) == kept
    code = "Candidate: something like `<nav><ul><li>Home</li></ul></nav>`?"
    assert clean_text(code) == code
    fenced = "Here it goes:\n```python\nclass Stack:\n    def __init__(self):\n        self.items = []\n```\nDone."
    assert clean_text(fenced) == fenced


def test_unicode_nfkc_and_invisible_characters():
    assert clean_text("Ｐｙｔｈｏｎ ﬁnance") == "Python finance"
    assert clean_text("data\u00a0engineer") == "data engineer"
    assert (
        clean_text("\ufeffPy\u200bthon de\u00advel\u200doper \u202eSQL\u202c\u2066x\u2069")
        == "Python developer SQLx"
    )
    assert clean_text("line one\x0bline two\x00") == "line one\nline two"
    assert clean_text("a\r\nb\rc") == "a\nb\nc"


def test_whitespace_collapsed_and_blank_lines_limited():
    assert clean_text("  a \t  b  \n\n\n\n  c   ") == "a b\n\nc"


def test_character_split_words_rejoined():
    text = "experience in g, a, m, i, n, g, ,,  , r, e, t, a, i, l, ,,  , m, e, d, i, a domains"
    assert clean_text(text) == "experience in gaming, retail, media domains"
    assert clean_text("Grades: A, B, C") == "Grades: A, B, C"
    assert clean_text("int arr[] = {5, 2, 8, 3, 1, 6, 4};") == "int arr[] = {5, 2, 8, 3, 1, 6, 4};"


@pytest.mark.parametrize(
    "text",
    [TRANSCRIPT, RESUME, "&amp;lt;b&amp;gt;x", "| a | b |", "* a\n\t\t- b", "**x:** y | z", ""],
)
def test_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


def test_none_and_nan():
    assert clean_text(None) == "" and clean_text(float("nan")) == ""


# ------------------------------------------------------------------------------ records


def test_clean_record_drops_short_required_fields_and_keeps_input():
    rec = {
        "id": 1,
        "role": " Data  Engineer ",
        "resume": "Here's a sample resume for Al:\n\nshort",
        "transcript": "x" * 150,
        "reason": None,
    }
    fields = ("role", "resume", "transcript", "reason")
    assert clean_record(rec, fields, {"role": 2, "resume": 100, "transcript": 100}) == (
        None,
        "too_short:resume",
    )
    assert rec["role"] == " Data  Engineer "  # input untouched
    assert clean_record(rec, fields, {"role": 2, "resume": 3, "transcript": 100, "reason": 1}) == (
        None,
        "empty:reason",
    )
    out, why = clean_record(rec, fields, {"role": 2, "resume": 3})
    assert (
        why is None
        and out["role"] == "Data Engineer"
        and out["resume"] == "short"
        and out["reason"] == ""
    )
    assert out["id"] == 1
    assert clean_record({"role": "x"}, ("role", "resume"), {"resume": 1}) == (None, "empty:resume")


# ------------------------------------------------------------------------------ real data

_PREAMBLE = re.compile(r"(?i)^\W*(?:here(?:'s| is| are)|sure\b|certainly\b|below is)")
_NOTE = re.compile(r"(?im)^\W*(?:i hope this|note: this is just|end of (?:the )?interview\b)")


def test_real_export_preambles_and_notes_removed(shared_data):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(
        shared_data("hiring", "durgesh_dataset4.csv"), dtype=str, keep_default_na=False
    )
    columns = {
        "role": "Role",
        "job_description": "Job Description",
        "resume": "Resume",
        "transcript": "Transcript",
    }
    raw = [{k: row[c] for k, c in columns.items()} for row in frame.to_dict("records")]
    assert sum(bool(_PREAMBLE.match(r["transcript"])) for r in raw) > 100  # the export has them
    min_chars = {"role": 2, "job_description": 50, "resume": 100, "transcript": 100}
    cleaned = []
    for rec in raw:
        out, why = clean_record(rec, tuple(columns), min_chars)
        assert why is None, why  # nothing in this export is too short
        cleaned.append(out)
    for rec in cleaned:
        for name in ("job_description", "resume", "transcript"):
            assert not _PREAMBLE.match(rec[name]), rec[name][:120]
            assert not _NOTE.search(rec[name]), rec[name][-200:]
            assert "**" not in rec[name] and "](mailto:" not in rec[name]
    assert sum("@" in r["resume"] for r in cleaned) >= 0.9 * len(cleaned)  # e-mails survive for PII
    for rec in cleaned[:60]:
        assert clean_text(rec["transcript"]) == rec["transcript"]
