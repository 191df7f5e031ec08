"""spam: every rule catches planted junk, real-looking text passes, thresholds are arguments."""

from __future__ import annotations

import base64
import random
import string

import pytest

from recruiter.prepare.spam import (
    SpamThresholds,
    field_reasons,
    length_outliers,
    spam_reasons,
    tokens,
)

RESUME = """Bob Miller
Contact Information:

- Email: bob.miller@email.com
- Phone: 555-555-5555
- LinkedIn: linkedin.com/in/bobmiller
- GitHub: https://github.com/bobmiller

Summary:
Highly motivated software engineer with 5+ years of experience in developing scalable, efficient
and maintainable software solutions. Proficient in Java, Python, C++ and JavaScript, with a strong
passion for problem-solving and collaboration.

Professional Experience:
Senior Software Engineer, ABC Corporation (2018-Present)
- Led the development of a cloud-based SaaS platform using Java, Spring, and AWS
- Collaborated with cross-functional teams to design and implement new features, resulting in a
  30% increase in user engagement
- Improved code quality by implementing automated testing and code review processes
- Mentored junior engineers in Agile development methodologies and best practices

Education:
- Bachelor's Degree in Computer Science, XYZ University (2015)
"""

TRANSCRIPT = " ".join(
    [
        "Interviewer: Can you walk me through your experience with data pipelines?",
        "Candidate: Sure. At my last job I built batch pipelines with Spark and Airflow, and a streaming",
        "pipeline with Kafka that fed our data warehouse. The data volume was about two terabytes a day,",
        "so most of my work was on partitioning, data quality checks and making the jobs idempotent.",
    ]
    * 6
)


def rng_words(n: int, alphabet: str, seed: int = 0) -> str:
    rnd = random.Random(seed)
    return " ".join("".join(rnd.choices(alphabet, k=rnd.randint(5, 11))) for _ in range(n))


@pytest.mark.parametrize("text", [RESUME, TRANSCRIPT, "Data Engineer", "", "Python " * 4])
def test_real_looking_text_passes(text):
    assert field_reasons(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Skills: " + "python " * 60, "keyword_stuffing"),
        ("Skills: " + "python " * 60, "top_token"),
        (RESUME + "\n" + " ".join(["python"] * 40), "keyword_stuffing"),
        (RESUME + "\nKeywords: " + ", ".join(["Java"] * 30), "keyword_stuffing"),
        (RESUME + "\nSkills: " + ", ".join(f"skill{i}" for i in range(80)), "long_list"),
        (" ".join(f"word{i % 20}" for i in range(2000)), "low_distinct"),
        (
            "Links: "
            + " ".join(f"https://spam{i}.example.com/buy?id={i} cheap" for i in range(20)),
            "url_density",
        ),
        ("Deals " + " ".join(f"www.cheap-pills{i}.ru now" for i in range(15)), "url_density"),
        (RESUME + "\n" + base64.b64encode(random.Random(1).randbytes(120)).decode(), "junk_string"),
        (RESUME + "\nchecksum " + random.Random(2).randbytes(32).hex(), "junk_string"),
        (rng_words(200, string.ascii_lowercase), "gibberish"),
        (rng_words(150, string.ascii_letters + string.digits, seed=3), "gibberish"),
        ("\n".join(f"{i} {i * 3} {i * 7} 0x{i:x} ### $$ 1234567" for i in range(100)), "non_text"),
        (RESUME * 80, "too_long"),
        (  # a pasted keyword list: no punctuation, no stop words
            " ".join(
                ["docker Terraform AWS CI/CD kubernetes Ansible monitoring scripting Linux"] * 5
            )
            + " HIRE ME NOW!!!",
            "keyword_run",
        ),
        (
            "".join(
                random.Random(4).choices(
                    string.ascii_letters + string.digits + string.punctuation + "     ", k=400
                )
            ),
            "symbols",
        ),
    ],
)
def test_planted_junk_is_caught(text, rule):
    assert rule in field_reasons(text)


def test_unpunctuated_speech_is_not_a_keyword_run():
    asr = (
        "so yeah i think the main thing i did there was move the nightly loads into airflow and then "
        "we had a lot of problems with the old cron jobs because nobody knew which one ran first and "
        "so i wrote a small script that checked the dependencies and after that it was much easier"
    )
    assert field_reasons(asr) == []


def test_lookalikes_are_not_junk():
    slugs = "Projects: github.com/ananya/data-warehouse-modernization, angelaanders/predicting_customer_churn"
    camel = "We used AbstractSingletonProxyFactoryBean and SimpleJdbcInsertOperations in Spring."
    heavy = (  # "data" is 10 % of the words, as in a real Data Engineer interview
        "Data Engineer interview. We discussed data models and the quality checks in my last job. "
        "I moved the data warehouse to Snowflake and rebuilt the nightly loads in Airflow. "
        "Our data volume doubled, so I partitioned the largest tables by day and region. "
        "Later I added data contracts so that upstream teams could not break our reports. "
        "Can you tell me how you would test a pipeline before it reaches production data?"
    )
    for text in (slugs, camel, RESUME + "\n" + slugs, heavy):
        assert field_reasons(text) == [], text[:60]


def test_thresholds_are_arguments():
    text = RESUME + "\n" + " ".join(["python"] * 4)
    assert field_reasons(text) == []
    assert "keyword_stuffing" in field_reasons(text, SpamThresholds(max_consecutive_repeats=3))
    assert "too_long" in field_reasons(RESUME, SpamThresholds(max_field_chars=100))
    links = "Links: " + " ".join(f"https://s{i}.com" for i in range(20))
    assert "url_density" in field_reasons(links)
    assert "url_density" not in field_reasons(links, SpamThresholds(max_urls_per_100_words=1000))


def test_thresholds_accept_the_config_section():
    config = pytest.importorskip("recruiter.config")
    th = SpamThresholds(**config.SpamConfig().model_dump(exclude={"enabled"}))
    assert th.max_keyword_repeats == config.SpamConfig().max_keyword_repeats


def test_spam_reasons_names_rule_and_field():
    rec = {"id": 1, "resume": "python " * 60, "transcript": TRANSCRIPT, "job_description": None}
    reasons = spam_reasons(rec, ("job_description", "resume", "transcript", "missing"))
    assert "keyword_stuffing:resume" in reasons and all(r.endswith(":resume") for r in reasons)
    assert spam_reasons({"resume": RESUME}, ("resume",)) == []


def test_tokens_keep_tech_names():
    assert tokens("C++, C#, Node.js and don't") == ["c++", "c#", "node.js", "and", "don't"]


def test_length_outliers_per_source():
    recs = [{"id": f"a{i}", "source": "a", "resume": "x" * (1000 + 10 * i)} for i in range(30)]
    recs += [{"id": f"b{i}", "source": "b", "resume": "x" * (4000 + 10 * i)} for i in range(30)]
    recs.append({"id": "dump", "source": "a", "resume": "x" * 50_000})
    assert length_outliers(recs, "resume", k=6.0) == {"dump"}
    # one corpus: the dump is still flagged, source b (3.4x the median of a) is not
    assert length_outliers(recs, "resume", k=6.0, by=None) == {"dump"}
    assert length_outliers(recs[:10] + [recs[-1]], "resume") == set()  # too few records to judge
    same = [{"id": i, "source": "s", "resume": "x" * 500} for i in range(25)] + [
        {"id": "long", "source": "s", "resume": "x" * 600}
    ]
    assert length_outliers(same, "resume") == set()  # IQR 0: floored, and 600 < 4 * 500


# ------------------------------------------------------------------------------ real data


def test_real_export_is_not_flagged(shared_data):
    pd = pytest.importorskip("pandas")
    from recruiter.prepare.clean import clean_text

    records = []
    for name, rows in (("durgesh_dataset4.csv", 300), ("durgesh_dataset7.csv", 200)):  # ~3 s
        frame = pd.read_csv(shared_data("hiring", name), dtype=str, keep_default_na=False)
        for i, row in enumerate(frame.to_dict("records")[:rows]):
            records.append(
                {
                    "id": f"{name}:{i}",
                    "source": name,
                    "job_description": clean_text(row["Job Description"]),
                    "resume": clean_text(row["Resume"]),
                    "transcript": clean_text(row["Transcript"]),
                }
            )
    fields = ("job_description", "resume", "transcript")
    flagged = [r["id"] for r in records if spam_reasons(r, fields)]
    assert len(flagged) < 0.01 * len(records), flagged[:10]
    for field in ("resume", "transcript"):
        assert len(length_outliers(records, field, k=6.0)) < 0.01 * len(records)
    # the same records with planted junk are caught
    junk = dict(records[0], resume=records[0]["resume"] + "\n" + ", ".join(["Java"] * 40))
    assert "keyword_stuffing:resume" in spam_reasons(junk, fields)
    junk = dict(
        records[1],
        transcript=records[1]["transcript"] + "\n" + base64.b64encode(bytes(range(90))).decode(),
    )
    assert "junk_string:transcript" in spam_reasons(junk, fields)
