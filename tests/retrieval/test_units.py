"""Unit tests of the retrieval rules, each against a hand-computed value."""

from __future__ import annotations

import math
import random
from datetime import date

import numpy as np
import pytest

from recruiter.retrieval import evaluate as ev
from recruiter.retrieval.filters import (
    apply_filters,
    check_criteria,
    check_languages,
    check_location,
)
from recruiter.retrieval.model import info_nce, sample_weight
from recruiter.retrieval.negatives import bucket_of, curriculum, draw, mined_band, quota
from recruiter.retrieval.ontology import Ontology, sinkhorn_cost, skill_sim_from_distance
from recruiter.retrieval.scores import s_edu, s_exp, s_lang, s_skill, score, title_similarity
from recruiter.retrieval.skills import SkillVocabulary, quality_tier, skills_from_text

# a toy graph: skills a, b, c, d, e; occupations X (a, b), Y (b, c), Z (d); e isolated
NODES = ["a", "b", "c", "d", "e", "X", "Y", "Z"]
EDGES = [(0, 5), (1, 5), (1, 6), (2, 6), (3, 7)]


@pytest.fixture(scope="module")
def onto():
    return Ontology(NODES, EDGES)


def test_skill_distance_and_sim(onto):
    assert onto.distance("a", "a") == 0 and onto.skill_sim("a", "a") == 1.0
    assert onto.distance("a", "b") == 1.0  # a - X - b
    assert onto.distance("a", "c") == 2.0  # a - X - b - Y - c
    assert onto.distance("a", "d") is None and onto.skill_sim("a", "d") == 0.0
    assert onto.skill_sim("a", "c") == pytest.approx(math.exp(-1.4))
    assert onto.distance("a", "unknown") is None
    assert skill_sim_from_distance(3) == pytest.approx(math.exp(-2.1))


def test_set_similarity_is_mean_of_directional_best_matches(onto):
    # A={a}, B={b, d}: a->best(b)=e^-0.7; b->a e^-0.7, d->a 0 => mean e^-0.7/2
    expected = (math.exp(-0.7) + (math.exp(-0.7) + 0.0) / 2) / 2
    assert onto.set_similarity(["a"], ["b", "d"]) == pytest.approx(expected)
    assert onto.set_similarity([], ["a"]) == 0.0
    assert onto.set_similarity(["a", "b"], ["b", "a"]) == pytest.approx(1.0)


def test_sinkhorn_two_by_two_hand_computed():
    # uniform marginals, cost [[0,1],[1,0]], reg 0.4: the plan is symmetric with off-diagonal mass
    # 0.5 * e^(-2.5) / (1 + e^(-2.5)) in each corner, so the cost is 1 / (1 + e^2.5)
    cost = sinkhorn_cost(np.array([[0.0, 1.0], [1.0, 0.0]]), reg=0.4)
    assert cost == pytest.approx(1 / (1 + math.exp(2.5)), rel=1e-4)


def test_ot_distance_uses_no_path_cost(onto):
    assert onto.ot_distance(["a"], ["a"]) == pytest.approx(0.0, abs=1e-6)
    assert onto.ot_distance(["a"], ["d"]) == pytest.approx(10.0)
    assert onto.ot_distance([], ["a"]) == 10.0


def test_buckets_and_curriculum():
    assert [bucket_of(d) for d in (0.0, 0.3, 0.31, 0.6, 0.61, None)] == [
        "hard",
        "hard",
        "medium",
        "medium",
        "easy",
        "random",
    ]
    assert curriculum(0, 5) == (0.2, 0.3, 0.5)
    assert curriculum(4, 5) == (0.6, 0.3, 0.1)
    assert curriculum(2, 5) == pytest.approx((0.4, 0.3, 0.3))
    assert curriculum(0, 1) == (0.2, 0.3, 0.5)
    assert quota(7, (0.2, 0.3, 0.5)) == [1, 2, 4] and sum(quota(7, (0.6, 0.3, 0.1))) == 7
    rng = random.Random(0)
    picked = draw(
        {"hard": [1, 2], "medium": [3, 4, 5], "easy": list(range(10, 30))}, 7, (0.6, 0.3, 0.1), rng
    )
    assert (
        len(picked) == 7 and len(set(picked)) == 7 and {1, 2} <= set(picked)
    )  # hard ran short: topped up


def test_mined_band_skips_the_very_top():
    scores = np.arange(1000, dtype=float)  # item 999 is the most similar
    picked = mined_band(scores, {999}, (0.03, 0.04), 5, random.Random(0))
    # 999 items remain; the 3-4 % band is ranks 29..39 from the top, i.e. items 969 down to 959
    assert all(959 <= p <= 970 for p in picked)
    assert 999 not in picked and len(picked) == 5


def test_sample_weight_formula():
    # signal = mean(sim, 1 - ot/10); w = clamp(base * (1 + 0.3 (2 signal - 1)), 0.5, 1.5)
    assert sample_weight("A", 1.0, 0.0) == pytest.approx(1.3)
    assert sample_weight("B", 0.5, 5.0) == pytest.approx(0.9)
    assert sample_weight("C", 0.0, 10.0) == pytest.approx(0.525)
    assert sample_weight("C", 0.0, 20.0) == pytest.approx(0.525)  # ot capped at 10
    assert quality_tier(["u", "u", "u", "u", None]) == "A" and quality_tier(["u", None]) == "B"
    assert quality_tier([None, None, "u"]) == "C" and quality_tier([]) == "C"


def test_info_nce_prefers_the_positive():
    import torch

    a = torch.tensor([[1.0, 0.0]])
    good = info_nce(a, torch.tensor([[1.0, 0.0]]), torch.tensor([[[0.0, 1.0]]]), torch.ones(1))
    bad = info_nce(a, torch.tensor([[0.0, 1.0]]), torch.tensor([[[1.0, 0.0]]]), torch.ones(1))
    assert float(good) < 1e-3 < float(bad)
    # one negative at cos 0, tau 1: -log(e / (e + 1)) = log(1 + 1/e)
    loss = info_nce(
        a, torch.tensor([[1.0, 0.0]]), torch.tensor([[[0.0, 1.0]]]), torch.ones(1), tau=1.0
    )
    assert float(loss) == pytest.approx(math.log1p(math.exp(-1)), rel=1e-5)
    # sample weights: a weighted mean, so weights (1, 3) weigh the second row three times
    two = info_nce(
        torch.tensor([[1.0, 0.0], [1.0, 0.0]]),
        torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
        torch.tensor([[[0.0, 1.0]], [[1.0, 0.0]]]),
        torch.tensor([1.0, 3.0]),
        tau=1.0,
    )
    assert float(two) == pytest.approx(
        (math.log1p(math.exp(-1)) + 3 * math.log1p(math.exp(1))) / 4, rel=1e-5
    )


JOB = {
    "title": "Data Engineer",
    "description": "Build pipelines. Computer Science background helps.",
    "required_skills": ["SQL", "Python"],
    "preferred_skills": ["docker"],
    "min_years": 4,
    "degree_level": "bachelor",
    "mandatory_languages": [{"name": "German", "level": "B2"}],
    "preferred_languages": [{"name": "French", "level": "B1"}],
    "presence": "onsite",
    "location": {"city": "Berlin", "country": "Germany", "lat": 52.52, "lon": 13.405},
    "mandatory_criteria": [
        {"name": "work authorization", "description": "Right to work in the EU"}
    ],
}
CAND = {
    "years_experience": 6,
    "education": [
        {"degree_level": "master", "field": "Computer Science", "speciality": "Databases"}
    ],
    "experience": [
        {"title": "Senior Data Engineer", "start": "2021-01", "end": "present"},
        {"title": "Analyst", "start": "2019-01", "end": "2021-01"},
    ],
    "languages": [{"name": "German", "level": "C1"}, {"name": "French", "level": "A2"}],
    "skills": ["SQL", "Python", "Excel"],
    "location": {"city": "Potsdam", "country": "Germany", "lat": 52.39, "lon": 13.06},
    "work_authorization": "EU citizen",
}


def test_s_edu_rule():
    assert s_edu(CAND, JOB) == pytest.approx(0.7 + 0.2)  # field "computer science" in the JD
    assert s_edu({**CAND, "education": [{"degree_level": "associate"}]}, JOB) == 0.0
    assert s_edu(CAND, {**JOB, "degree_level": None}) == 1.0


def test_s_exp_rule():
    today = date(2025, 1, 1)
    # total 6/4 -> 1; years in titles like "data engineer": 2021-01..2025-01 = 4 -> 1;
    # best title similarity Jaccard({data, engineer}, {data, engineer}) = 1
    assert s_exp(CAND, JOB, today=today) == pytest.approx(1.0)
    junior = {
        **CAND,
        "years_experience": 2,
        "experience": [{"title": "Analyst", "start": "2023-01", "end": "present"}],
    }
    assert s_exp(junior, JOB, today=today) == pytest.approx(0.4 * 0.5)
    assert title_similarity("Senior Data Engineer", "Data Engineer") == 1.0


def test_s_lang_rule():
    assert s_lang(CAND, JOB) == pytest.approx(0.7)  # French A2 < B1: preferred share 0
    assert s_lang({**CAND, "languages": [{"name": "German", "level": "B1"}]}, JOB) == 0.0
    fluent = {
        **CAND,
        "languages": [{"name": "german", "level": "native"}, {"name": "French", "level": "B2"}],
    }
    assert s_lang(fluent, JOB) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def vocab():
    return SkillVocabulary.default()


def test_s_skill_rule(vocab, onto):
    # both required skills present by URI: overlap 1; weighted match: SQL 1, Python 1 (weight 1
    # each), docker (0.5) unmatched in the toy ontology -> (1 + 1 + 0) / 2.5 = 0.8
    assert s_skill(CAND, JOB, vocab, onto) == pytest.approx(0.6 + 0.4 * 0.8)
    half = {**CAND, "skills": ["SQL"]}
    assert s_skill(half, JOB, vocab, onto) == pytest.approx(0.6 * 0.5 + 0.4 * (1 / 2.5))
    assert s_skill(half, JOB, vocab, onto, required_are_mandatory=True) == 0.0


def test_s_base_weights(vocab, onto):
    b = score(CAND, JOB, vocab, onto, today=date(2025, 1, 1))
    assert b.base == pytest.approx(0.2 * b.edu + 0.4 * b.exp + 0.2 * b.lang + 0.2 * b.skill)
    assert any("required skills" in s for s in b.strengths)


def test_skill_lookup_and_extraction(vocab):
    assert vocab.lookup("Kubernetes").uri == "urn:recruiter:skill:kubernetes"
    assert vocab.lookup("perform software unit testing").score == 1.0
    assert vocab.lookup("Python").uri == vocab.lookup("python").uri
    assert vocab.lookup("zzqx wibble").uri is None
    assert skills_from_text("SUMMARY\nx\n\nSKILLS\nSQL, Java; teamwork\n\nEXPERIENCE\ny") == [
        "SQL",
        "Java",
        "teamwork",
    ]


def test_language_filter():
    assert check_languages(CAND, JOB) == ([], [])
    reasons, _ = check_languages({**CAND, "languages": [{"name": "German", "level": "A2"}]}, JOB)
    assert reasons == ["German A2 is below the required B2"]
    reasons, _ = check_languages({**CAND, "languages": [{"name": "English", "level": "C2"}]}, JOB)
    assert reasons == ["mandatory language German (B2) not listed"]
    assert check_languages({**CAND, "languages": []}, JOB)[1] == [
        "languages not stated (job requires German B2)"
    ]


def test_location_filter():
    assert check_location(CAND, JOB, 60) == ([], [])  # Potsdam is ~27 km from Berlin
    far = {**CAND, "location": {"city": "Munich", "country": "Germany", "lat": 48.14, "lon": 11.58}}
    (reason,), _ = check_location(far, JOB, 60)
    assert "not willing to relocate" in reason and "km away" in reason
    assert check_location({**far, "willing_to_relocate": True}, JOB, 60) == ([], [])
    assert check_location(far, {**JOB, "presence": "remote"}, 60) == ([], [])
    assert check_location({**CAND, "location": None}, JOB, 60) == (
        [],
        ["candidate location not stated"],
    )


def test_criteria_filter():
    assert check_criteria(CAND, JOB) == ([], [])
    reasons, _ = check_criteria({**CAND, "work_authorization": "Requires visa sponsorship"}, JOB)
    assert reasons and "sponsorship" in reasons[0]
    assert check_criteria({**CAND, "work_authorization": None}, JOB) == (
        [],
        ["work authorization: no statement"],
    )
    licence = {
        **JOB,
        "mandatory_criteria": [{"name": "driving licence", "description": "Category C"}],
    }
    assert check_criteria(CAND, licence)[1][0].startswith("driving licence: check by hand")
    res = apply_filters({**CAND, "languages": [{"name": "German", "level": "A1"}]}, JOB)
    assert not res.passed and res.reasons


def test_ranking_metrics_hand_computed():
    rels = [False, True, False, True]  # relevant at ranks 2 and 4
    assert ev.average_precision(rels) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert ev.reciprocal_rank(rels) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    assert ev.ndcg_at(rels, 10) == pytest.approx(dcg / (1 + 1 / math.log2(3)))
    assert ev.recall_at(rels, 2) == 0.5 and ev.recall_at(rels, 4) == 1.0
    m = ev.query_metrics(np.array([0.1, 0.9, 0.2, 0.8]), np.array([False, True, False, True]))
    assert m["map"] == 1.0 and m["mrr"] == 1.0
    lo, hi = ev.bootstrap_ci([0.0, 1.0] * 50, n=500)
    assert 0.38 < lo < 0.5 < hi < 0.62


def test_official_relations_csv_and_isco_edges(tmp_path, shared_data):
    rel = tmp_path / "occupationSkillRelations_en.csv"
    rel.write_text(
        "occupationUri,relationType,skillType,skillUri\n"
        "occ:dev,essential,skill/competence,sk:python\n"
        "occ:dev,essential,skill/competence,sk:sql\n"
        "occ:dba,optional,skill/competence,sk:sql\n"
        "occ:dba,essential,skill/competence,sk:backup\n"
    )
    onto = Ontology.from_relations(rel)
    assert (
        onto.distance("sk:python", "sk:sql") == 1.0
        and onto.distance("sk:python", "sk:backup") == 2.0
    )
    assert "ESCO relations" in onto.source
    occupations = shared_data("esco", "occupations_en.csv")
    derived = Ontology.derived(occupations_csv=occupations)
    assert any(n.startswith("isco:") for n in derived.nodes) and "ISCO" in derived.source
