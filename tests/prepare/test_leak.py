"""leak: outcome-stating sentences go, look-alikes and the rest of the paragraph stay."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from recruiter.prepare.leak import (
    find_leaks,
    looks_like_evaluation,
    scrub,
    scrub_record,
    split_sentences,
)

LEAKS = [
    "Here's a sample resume for Bob Miller, a selected candidate for the Software Engineer role:",
    "As a selected candidate, Bob brings strong Java skills.",
    "You're hired!",
    "You have been selected for the Data Analyst position.",
    "Ivy Smith applied for the Data Engineer role and was rejected.",
    "We will not be moving forward with your application at this time.",
    "We've decided to move forward with other candidates.",
    "Unfortunately, we'll need to consider other candidates whose skills better align with the role.",
    "Congratulations, Emma!",
    "Congratulations on being selected for the Network Engineer position!",
    "We'd like to offer you the Lead Data Analyst position.",
    "We would like to extend an offer to you.",
    "Welcome to the team!",
    "We regret to inform you that the position has been filled.",
    "I'm afraid we're going to go with someone else.",
    "I don't think you're the best fit for this role at this time.",
    "Her skills and experience did not fully align with the requirements of the role.",
    "Based on this interview, I do not recommend moving forward with the candidate.",
    "We'd like to invite you to the next round of interviews.",
    "Rejected UI Designer Position (2022)",
    "Application status: REJECTED.",
    "HR note: approved, send offer.",
    "Although not selected for this Data Engineer position, I am eager to learn.",
]

LOOKALIKES = [
    "I selected the best algorithm after comparing three models.",
    "The model was selected because it had the best recall.",
    "I'm excited about the opportunity to join a talented team.",
    "We thank all applicants; however, only those selected for an interview will be contacted.",
    "The selected candidate will lead our data platform team.",
    "We'll discuss that further if you're selected for the next round of interviews.",
    "Congratulations on that award! How did you prepare?",
    "Hi Meghana, congratulations on making it to the final round.",
    "Welcome to the interview for the Data Engineer position.",
    "What do you think sets you apart from other candidates?",
    "What kind of training would I receive if I were to be hired for this role?",
    "How can I improve my chances of getting selected for a role like this?",
    "The project wasn't moving forward because of the budget.",
    "We'll be in touch soon to let you know the next steps.",
    "Unfortunately, that's not the level of detail I was looking for.",
    "I would recommend using Spark for that workload.",
    "This design does not fit with the rest of the architecture.",
    "Thank you for the opportunity to interview today.",
    "Before moving forward with the design, we tested a prototype.",
    "Status: open to relocation.",
    "My project was selected for the company hackathon final.",
    "I want to know what I can do to improve and get hired for a role like this.",
]


@pytest.mark.parametrize("sentence", LEAKS)
def test_planted_leak_is_removed(sentence):
    text = f"I have five years of Python experience.\n{sentence}\nI also mentor juniors."
    out, n = scrub(text)
    assert n == 1, find_leaks(text)
    assert out == "I have five years of Python experience.\nI also mentor juniors."
    if (
        sentence[-1] in ".!?" and ": " not in sentence[:25]
    ):  # inside a paragraph: only the sentence goes
        assert scrub(f"I like SQL. {sentence} I also mentor juniors.") == (
            "I like SQL. I also mentor juniors.",
            1,
        )


@pytest.mark.parametrize("sentence", LOOKALIKES)
def test_lookalike_survives(sentence):
    assert scrub(sentence) == (sentence, 0), find_leaks(sentence)


def test_only_the_sentence_goes_and_speaker_labels_stay():
    text = (
        "**Interviewer:** Thanks, Navya. Unfortunately, we won't be moving forward with your application at this time. "
        "While you have some good technical skills, we need more experience.\n\n"
        "**Navya:** Okay, thank you.\n\n"
        "Interviewer: We've decided to go with another candidate.\n\n"
        "- Congratulations, you're selected for the Data Analyst position!\n"
        "- Python, SQL"
    )
    out, n = scrub(text)
    assert n == 3
    assert out == (
        "**Interviewer:** Thanks, Navya. While you have some good technical skills, we need more experience.\n\n"
        "**Navya:** Okay, thank you.\n\n"
        "- Python, SQL"
    )


def test_private_asides_and_evaluation_notes_drop_the_line():
    text = (
        "Interviewer: Thank you, Diana.\n\n"
        "Interviewer: (thinking to themselves) Yeah, I don't think so...\n"
        "Rachel Lee (to herself, after the interview): Strong candidate, good communicator.\n"
        "rohan's notes: kripal lacks key technical skills in data warehousing.\n"
        "Interviewer: (takes notes) Can you tell me about Airflow?"
    )
    out, n = scrub(text)
    assert n == 3
    assert (
        out
        == "Interviewer: Thank you, Diana.\n\nInterviewer: (takes notes) Can you tell me about Airflow?"
    )
    assert [rule for rule, _ in find_leaks(text)] == [
        "private_aside",
        "private_aside",
        "evaluation_note",
    ]


def test_scrub_is_stable_and_returns_unchanged_text():
    text = "Dr. Kim: We regret to inform you that we will not proceed with your application. Good luck!"
    once, n = scrub(text)
    assert n == 1 and once == "Dr. Kim: Good luck!"
    assert scrub(once) == (once, 0)
    plain = "Nothing to see here."
    out, n = scrub(plain)
    assert out is plain and n == 0
    assert scrub("") == ("", 0)


def test_sentence_splitter():
    assert split_sentences("Dr. Kim met Mr. J. Smith. He said: hi! Ok? yes") == [
        "Dr. Kim met Mr. J. Smith. ",
        "He said: hi! ",
        "Ok? ",
        "yes",
    ]
    assert "".join(split_sentences("a. b. c.")) == "a. b. c."


def test_scrub_record_counts_per_field():
    rec = {
        "id": 7,
        "resume": "Here's a resume for Ivy, a selected candidate for the role:\nIvy\nPython",
        "transcript": "Interviewer: You're hired! Welcome aboard!\nIvy: Thanks!",
        "job_description": "The selected candidate will own our pipelines.",
        "label": "select",
    }
    out, counts = scrub_record(rec, ("job_description", "resume", "transcript", "missing"))
    assert counts == Counter({"resume": 1, "transcript": 2})
    assert out["resume"] == "Ivy\nPython" and out["transcript"] == "Ivy: Thanks!"
    assert out["job_description"] == rec["job_description"] and out["label"] == "select"
    assert rec["resume"].startswith("Here's")  # input untouched


def test_looks_like_evaluation():
    report = "Candidate profile: Ana\n\nAreas for improvement:\n- SQL\n\nConcerns raised during the interview:\n- Spark\n\nRecommendations:\n- training"
    assert looks_like_evaluation(report)
    assert not looks_like_evaluation(
        "Ana\nData Engineer\n\nSkills:\n- SQL\n\nExperience:\n- ABC Corp"
    )


# ------------------------------------------------------------------------------ real data

_STATED = re.compile(
    r"(?i)\b(?:a|as a) selected candidate\b|\bwho was (?:selected|rejected) for\b|\bwe (?:will not|won't) be moving forward\b"
)


def test_real_export_leaks_found_and_gone(shared_data):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(
        shared_data("hiring", "durgesh_dataset4.csv"), dtype=str, keep_default_na=False
    )
    before = after = 0
    removed = Counter()
    for row in frame.to_dict("records"):
        rec = {
            "resume": row["Resume"],
            "transcript": row["Transcript"],
            "job_description": row["Job Description"],
        }
        before += sum(len(_STATED.findall(v)) for v in rec.values())
        out, counts = scrub_record(rec, tuple(rec))
        removed.update(counts)
        after += sum(len(_STATED.findall(v)) for v in out.values())
        if "only those selected for an interview" in rec["job_description"]:
            assert (
                "only those selected for an interview" in out["job_description"]
            )  # JD boilerplate stays
    assert before > 40  # the export states its labels ...
    assert after == 0  # ... and none of those statements survive
    assert removed["resume"] > 100 and removed["transcript"] > 50
    assert removed["job_description"] == 0
