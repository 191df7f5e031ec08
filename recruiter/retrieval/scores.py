"""Interpretable layer scores of a candidate for a job (the two-tower recommender's rule layer).

Each score is in [0, 1] and has a stated rule, so a recruiter can see *why* a candidate ranks
where they do:

* ``S_edu``   0 if the highest degree is below the required one; else 0.7 + 0.2 field match
  + 0.1 speciality match (a field/speciality "matches" when one of its words appears in the
  job's title or description).
* ``S_exp``   0.4 total-years score (``min(1, years / min_years)``) + 0.3 years in titles like
  the job's (``min(1, those years / min_years)``) + 0.3 best title similarity (word Jaccard).
* ``S_lang``  0 if a mandatory language is missing or below its CEFR level; else 0.7 (all
  mandatory ones met) + 0.3 share of preferred languages met (1 when none are preferred).
* ``S_skill`` 0 if a *mandatory* skill is missing (``required_are_mandatory``: required skills
  count as mandatory; off by default, because job ads list wishes as requirements); else
  0.6 overlap ratio (required skills the candidate has, by URI) + 0.4 weighted match (each
  required skill weight 1, preferred 0.5, scored by its best ontology similarity to the
  candidate's skills).
* ``S_base = 0.20 S_edu + 0.40 S_exp + 0.20 S_lang + 0.20 S_skill``.

Unknown inputs score neutral rather than zero where the rule needs them (no degree required ->
S_edu 1; no ``min_years`` -> the years parts are 1), and every score comes with the strengths and
weaknesses that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .filters import CEFR, level_at_least
from .ontology import Ontology
from .skills import SkillVocabulary, candidate_skills, job_skills

DEGREES = ("none", "high_school", "vocational", "associate", "bachelor", "master", "phd")
WEIGHTS = {"edu": 0.20, "exp": 0.40, "lang": 0.20, "skill": 0.20}
_STOP = {
    "senior",
    "junior",
    "lead",
    "staff",
    "principal",
    "associate",
    "intern",
    "i",
    "ii",
    "iii",
    "the",
    "of",
    "and",
    "a",
    "(",
    ")",
}


@dataclass
class Breakdown:
    edu: float
    exp: float
    lang: float
    skill: float
    base: float
    strengths: list[str] = field(default_factory=list)
    weaknesses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "S_edu": round(self.edu, 4),
            "S_exp": round(self.exp, 4),
            "S_lang": round(self.lang, 4),
            "S_skill": round(self.skill, 4),
            "S_base": round(self.base, 4),
            "strengths": self.strengths,
            "weaknesses": self.weaknesses,
        }


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9+#]+", str(text).lower()) if w not in _STOP}


def title_similarity(a: str, b: str) -> float:
    x, y = _words(a), _words(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def _months(start: str | None, end: str | None, today: date) -> int:
    def parse(s):
        y, m = s.split("-")[:2]
        return int(y) * 12 + int(m) - 1

    if not start:
        return 0
    stop = today.year * 12 + today.month - 1 if end in (None, "present") else parse(end)
    return max(0, stop - parse(start))


def s_edu(c: Mapping, j: Mapping, notes: Breakdown | None = None) -> float:
    required = j.get("degree_level")
    if not required or required == "none":
        return 1.0
    edu = c.get("education") or []
    if not edu:
        if notes is not None:
            notes.weaknesses.append(f"no education listed ({required} required)")
        return 0.0
    best = max(edu, key=lambda e: DEGREES.index(e["degree_level"]))
    if DEGREES.index(best["degree_level"]) < DEGREES.index(required):
        if notes is not None:
            notes.weaknesses.append(
                f"highest degree {best['degree_level']} below the required {required}"
            )
        return 0.0
    target = _words(f"{j.get('title', '')} {j.get('description', '')}")
    field_match = any(_words(e.get("field", "")) & target for e in edu)
    spec_match = any(_words(e.get("speciality", "")) & target for e in edu)
    if notes is not None:
        notes.strengths.append(
            f"{best['degree_level']} meets the {required} requirement"
            + (" in a related field" if field_match else "")
        )
    return 0.7 + 0.2 * field_match + 0.1 * spec_match


def s_exp(
    c: Mapping, j: Mapping, notes: Breakdown | None = None, today: date | None = None
) -> float:
    today = today or date.today()
    need = float(j.get("min_years") or 0)
    years = c.get("years_experience")
    exp = c.get("experience") or []
    if years is None:
        years = sum(_months(e.get("start"), e.get("end"), today) for e in exp) / 12
    total = 1.0 if need <= 0 else min(1.0, years / need)
    title = j.get("title", "")
    sims = [title_similarity(e.get("title", ""), title) for e in exp]
    in_titles = (
        sum(
            _months(e.get("start"), e.get("end"), today)
            for e, s in zip(exp, sims, strict=True)
            if s >= 0.5
        )
        / 12
    )
    in_title_score = (1.0 if in_titles > 0 else 0.0) if need <= 0 else min(1.0, in_titles / need)
    best_title = max(sims, default=0.0)
    if notes is not None:
        if need and years >= need:
            notes.strengths.append(f"{years:g} years of experience (≥ {need:g} required)")
        elif need:
            notes.weaknesses.append(f"{years:g} years of experience (< {need:g} required)")
        if best_title < 0.3 and exp:
            notes.weaknesses.append(f"no previous title close to '{title}'")
    return 0.4 * total + 0.3 * in_title_score + 0.3 * best_title


def s_lang(c: Mapping, j: Mapping, notes: Breakdown | None = None) -> float:
    levels = {str(x["name"]).lower(): x["level"] for x in c.get("languages") or []}
    for m in j.get("mandatory_languages") or []:
        have = levels.get(str(m["name"]).lower())
        if have is None or not level_at_least(have, m["level"]):
            if notes is not None:
                notes.weaknesses.append(
                    f"{m['name']} {have or 'not listed'} (mandatory {m['level']})"
                )
            return 0.0
    preferred = j.get("preferred_languages") or []
    met = [
        p
        for p in preferred
        if (h := levels.get(str(p["name"]).lower())) and CEFR.index(h) >= CEFR.index(p["level"])
    ]
    if notes is not None and j.get("mandatory_languages"):
        notes.strengths.append("mandatory languages met")
    return 0.7 + 0.3 * (len(met) / len(preferred) if preferred else 1.0)


def s_skill(
    c: Mapping,
    j: Mapping,
    vocab: SkillVocabulary,
    onto: Ontology,
    notes: Breakdown | None = None,
    required_are_mandatory: bool = False,
) -> float:
    req, pref = job_skills(j)
    if not req and not pref:
        return 1.0
    have = [m.uri for m in vocab.map(candidate_skills(c)) if m.uri]
    req_uris = [(s, vocab.lookup(s).uri) for s in req]
    have_set = set(have)
    covered = [s for s, u in req_uris if u and u in have_set]
    missing = [s for s, u in req_uris if not (u and u in have_set)]
    if notes is not None:
        if covered:
            notes.strengths.append(
                f"has {len(covered)}/{len(req)} required skills ({', '.join(covered[:4])})"
            )
        if missing:
            notes.weaknesses.append(f"missing {', '.join(missing[:4])}")
    if required_are_mandatory and missing:
        return 0.0
    overlap = len(covered) / len(req) if req else 1.0
    weighted, total = 0.0, 0.0
    for skills, w in ((req, 1.0), (pref, 0.5)):
        for s in skills:
            u = vocab.lookup(s).uri
            best = max((onto.skill_sim(u, h) for h in have), default=0.0) if u else 0.0
            weighted += w * best
            total += w
    return 0.6 * overlap + 0.4 * (weighted / total if total else 0.0)


def score(
    c: Mapping,
    j: Mapping,
    vocab: SkillVocabulary,
    onto: Ontology,
    required_are_mandatory: bool = False,
    today: date | None = None,
) -> Breakdown:
    b = Breakdown(0, 0, 0, 0, 0)
    b.edu = s_edu(c, j, b)
    b.exp = s_exp(c, j, b, today)
    b.lang = s_lang(c, j, b)
    b.skill = s_skill(c, j, vocab, onto, b, required_are_mandatory)
    b.base = (
        WEIGHTS["edu"] * b.edu
        + WEIGHTS["exp"] * b.exp
        + WEIGHTS["lang"] * b.lang
        + WEIGHTS["skill"] * b.skill
    )
    return b
