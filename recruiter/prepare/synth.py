"""Deterministic synthetic hiring corpus: the embedded default dataset.

Public hiring exports have random or leaky labels, so the package ships a generator whose labels
follow a known rule. ``generate(n, seed)`` returns the same :class:`Corpus` for the same
arguments (stdlib ``random.Random(seed)`` plus seeded Faker instances; no set iteration, no
clock), and ``write`` stores it as ``records.jsonl`` (raw export rows, read by ``prepare`` with
the ``canonical`` column preset), ``jobs.jsonl`` and ``candidates.jsonl`` (schema-valid JSON).
Every record stores ``as_of`` (2025-06), the date its resumes were written at, so that a reader
resolves "present" in a date range the way the generator did.

Latent decision rule (also in :data:`RULE` and ``Corpus.rule``)::

    skills     = +2 if coverage >= 0.8, +1 if >= 0.6, 0 if >= 0.4, else -2
                 (coverage = share of the job's required_skills listed in the candidate's skills)
    experience = +1 if years_experience >= min_years, 0 if at most one year short, else -2
    interview  = +1 per competent answer, -1 per vague answer, over the 3 interview questions
                 on required skills (competent = a concrete, specific account of using the skill)
    SELECT iff  every mandatory language is spoken at the required CEFR level or above
           and  the interview shows no red flag (badmouthing an employer, unprofessional
                remarks, dates contradicting the resume)
           and  skills + experience + interview >= 2
    otherwise REJECT; then ``label_noise`` of the labels are flipped.
    An applicant from another occupation (``wrong_job_rate``) is scored the same way, against
    the job applied for.

Everything else is a distractor the rule ignores: name, age, nationality, marital status, gender,
location and relocation, degree, preferred skills and languages, resume layout, and tone. The
mandatory criteria (work authorization, licences, registrations) are always met in this version.
Select and reject interviews draw openers, questions and closings from the same pools, so the
label is in the content (which skills, how many years, which language level, what the answers
say), never in fluency or politeness.

Injected for the ``prepare`` stage to clean up (rates are shares of ``n_records``):

* PII (Faker, 20 locales): names in resume headers and transcript speaker lines, emails, phone
  numbers, LinkedIn/GitHub URLs, street addresses, sometimes date of birth, age, nationality and
  marital status;
* exact duplicates (``dup_rate``: the same row again under a new ``id``), near duplicates
  (``near_dup_rate``: a few words changed, new ``candidate_id``), spam rows (``spam_rate``:
  keyword stuffing, URL spam, random characters, word salad; always rejected);
* leaks (``leak_rate`` of the non-spam base rows): an outcome phrase that matches the recorded
  decision, in the resume ("As a selected candidate, ...") or as the interviewer's closing line
  ("Congratulations, you're hired!", "we will not be moving forward");
* LLM-generation preambles ("Here's a simulated interview for a ... role:"), markdown (bold
  speakers, headed resumes, bullet lists) and decision spellings other than select/reject (~10%).

``Corpus.meta`` (not written) holds the ground truth per record: kind, source row of duplicates,
rule features, true and recorded label, leak position.
"""

from __future__ import annotations

import copy
import json
import random
import re
import string
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..storage import atomic_write_text
from . import synth_text as T

RULE = (
    "skills = +2 if coverage >= 0.8, +1 if >= 0.6, 0 if >= 0.4, else -2 (coverage = share of the job's "
    "required skills the candidate lists); experience = +1 if years_experience >= min_years, 0 if at most "
    "one year short, else -2; interview = +1 per competent answer and -1 per vague answer over the 3 "
    "questions on required skills. SELECT iff every mandatory language is at the required CEFR level or "
    "above, and the interview has no red flag (badmouthing an employer, unprofessional remarks, dates "
    "contradicting the resume), and skills + experience + interview >= 2; otherwise REJECT. Then a share "
    "label_noise of the labels is flipped. Name, age, nationality, gender, marital status, location, "
    "degree, preferred skills and tone do not matter. An applicant whose work history is in another occupation "
    "than the job's is scored the same way, against the job applied for."
)
CEFR = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
DEGREES = ("none", "high_school", "vocational", "associate", "bachelor", "master", "phd")
REF_YEAR, REF_MONTH = 2025, 6  # "today" for every corpus: no clock, so output never drifts
AS_OF = f"{REF_YEAR}-{REF_MONTH:02d}"  # stored in every record: what "present" in its resume means
_VERBS = {"perform", "use", "prepare", "carry", "administer", "provide", "implement", "monitor", "maintain", "manage",
          "negotiate", "identify", "sell", "assess", "apply", "teach", "design", "create", "read", "recruit", "interview",
          "plan", "test", "install", "repair", "measure", "drive", "load", "operate", "ensure", "handle", "supervise",
          "communicate", "debug", "think", "work"}
EU = {"Germany", "Austria", "France", "Spain", "Netherlands", "Italy", "Poland", "Portugal", "Sweden", "Ireland"}
# Occupation families: a wrong-job applicant's own occupation is from another family than the job's.
_FAMILY = {"software_engineer": "tech", "data_scientist": "tech", "devops_engineer": "tech", "nurse": "care",
           "accountant": "office", "sales_representative": "commercial", "teacher": "education",
           "graphic_designer": "creative", "project_manager": "office", "customer_support": "commercial",
           "mechanical_engineer": "engineering", "hr_specialist": "office", "marketing_manager": "commercial",
           "electrician": "trades", "truck_driver": "transport", "chef": "hospitality"}
_SPELLINGS = {"select": ("selected", "Selected", "hire", "Select"), "reject": ("rejected", "Rejected", "no hire", "Reject")}
_CRITERIA = {
    "truck_driver": [("driving licence", "Valid category C+E licence and driver qualification card", "Driving licence: C+E, driver CPC card")],
    "electrician": [("trade certification", "Qualified electrician certificate", "Certified electrician (journeyman level)"),
                    ("driving licence", "Category B driving licence for site visits", "Driving licence: B")],
    "nurse": [("professional registration", "Active registration with the national nursing board", "Registered nurse, active registration")],
    "teacher": [("background check", "Clear criminal record check for work with children", "Enhanced background check completed")],
    "sales_representative": [("driving licence", "Category B driving licence (field role)", "Driving licence: B")],
}


@dataclass
class Corpus:
    records: list[dict]
    jobs: list[dict]
    candidates: list[dict]
    rule: str = RULE
    meta: list[dict] = field(default_factory=list)
    counterfactuals: list[dict] = field(default_factory=list)


def skill_catalogue() -> dict[str, list[str]]:
    """Occupation key -> its curated skill labels (ESCO preferred labels unless in NON_ESCO_SKILLS)."""
    return {occ["key"]: [s[0] for s in occ["skills"]] for occ in T.OCCUPATIONS}


def rule_score(coverage: float, years: float, min_years: float, competent: int, vague: int) -> int:
    skills = 2 if coverage >= 0.8 else 1 if coverage >= 0.6 else 0 if coverage >= 0.4 else -2
    experience = 1 if years >= min_years else 0 if years >= min_years - 1 else -2
    return skills + experience + competent - vague


def decide(coverage: float, years: float, min_years: float, languages_ok: bool, competent: int,
           vague: int, red_flags: int) -> str:
    """The latent rule (before label noise): 'select' or 'reject'."""
    ok = languages_ok and red_flags == 0 and rule_score(coverage, years, min_years, competent, vague) >= 2
    return "select" if ok else "reject"


def level_at_least(level: str, required: str) -> bool:
    return CEFR.index(level) >= CEFR.index(required)


_LOCK = threading.Lock()  # the cached Faker instances are reseeded per call: one generate() at a time


@cache
def _faker(locale: str):
    from faker import Faker

    return Faker(locale)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and (c.isalnum() or c in " -"))


def _a(title: str) -> str:
    return ("an " if title[0] in "AEIOU" else "a ") + title


def _country(name: str) -> str:
    return f"the {name}" if name in ("Netherlands", "United States", "United Kingdom") else name


def _ym(ym: tuple[int, int]) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


def _years(y: float) -> str:
    n = round(y)
    return "less than a year" if n == 0 else "one year" if n == 1 else f"{n} years"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class _Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        for i, loc in enumerate(sorted(T.LOCALES)):
            _faker(loc).seed_instance(seed * 1009 + i)

    def fake(self, locale: str):
        return _faker(locale)

    def month(self, months_ago: int) -> tuple[int, int]:
        k = REF_YEAR * 12 + REF_MONTH - 1 - months_ago
        return k // 12, k % 12 + 1

    # ---- jobs --------------------------------------------------------------------------------
    def job(self, idx: int, occ: dict) -> tuple[dict, dict]:
        r = self.rng
        city = r.choice(T.CITIES)
        cname, country, lat, lon, local, loc = city
        skills = list(occ["skills"])
        r.shuffle(skills)
        n_req = r.randint(4, min(6, len(skills) - 1))
        req, pref = skills[:n_req], skills[n_req : n_req + r.randint(1, 2)]
        min_years = r.randint(*occ["years"])
        langs = [{"name": "English", "level": r.choice(("B2", "B2", "B2", "C1") if local != "English" else ("B2", "C1"))}]
        if local != "English" and r.random() < 0.5:
            langs.insert(0, {"name": local, "level": r.choice(("B2", "C1", "C1"))})
        pref_langs = [{"name": r.choice([c[4] for c in T.CITIES if c[4] not in (local, "English")]), "level": "B1"}] if r.random() < 0.3 else []
        company = self.fake(loc).company()
        presence = r.choice(("onsite", "onsite", "hybrid", "remote") if occ["tech"] else ("onsite", "onsite", "onsite", "hybrid"))
        criteria = [("work authorization", f"Legal right to work in {_country(country)}", "")] + _CRITERIA.get(occ["key"], [])
        show = lambda s: s[0] if s[0].split()[0] not in _VERBS and r.random() < 0.4 else s[1]  # noqa: E731
        lang_text = " and ".join(f"{lg['name']} at {lg['level']} level or above" for lg in langs)
        lang_text = r.choice(("You speak {}.", "Required languages: {}.", "Fluency matters here: {}.")).format(lang_text)
        duties = r.sample(occ["duties"], 3)
        fmt = dict(company=company, sector=r.choice(occ["sector"]), city=cname, country=country, n_offices=r.randint(2, 9),
                   age=r.randint(5, 60), title=occ["titles"][0], a_title=_a(occ["titles"][0]), duty1=duties[0], duty2=duties[1], duty3=duties[2],
                   lead=r.choice(("team lead", "head of department", "operations manager", "engineering manager")),
                   min_years=min_years, required=_join([show(s) for s in req]), preferred=_join([show(s) for s in pref]),
                   degree_text=T.DEGREE_TEXT[occ["degree"]], lang_text=lang_text, presence_text=T.PRESENCE_TEXT[presence],
                   benefit1=r.choice(T.BENEFITS[:4]), benefit2=r.choice(T.BENEFITS[4:]))
        paras = [r.choice(T.JD_INTRO), r.choice(T.JD_ROLE), r.choice(T.JD_REQ), r.choice(T.JD_PREF), r.choice(T.JD_LOGISTICS)]
        paras = [p.format(**fmt).strip() for p in paras]
        if r.random() < 0.15:  # markdown requirement list
            paras[2] = ("**Requirements**\n" + "\n".join(f"- {show(s)}" for s in req) + f"\n- {min_years}+ years of experience"
                        + "\n\n" + " ".join(p for p in (fmt["degree_text"], lang_text) if p).strip())
        job = {"job_id": f"job-{idx:04d}", "title": occ["titles"][0], "description": "\n\n".join(paras),
               "required_skills": [s[0] for s in req], "preferred_skills": [s[0] for s in pref],
               "min_years": min_years, "degree_level": occ["degree"], "mandatory_languages": langs,
               "preferred_languages": pref_langs, "presence": presence,
               "location": {"city": cname, "country": country, "lat": lat, "lon": lon},
               "mandatory_criteria": [{"name": n, "description": d} for n, d, _ in criteria]}
        extra = {"occ": occ, "company": company, "locale": loc, "criteria": criteria, "skills": {s[0]: s for s in occ["skills"]}}
        return job, extra

    # ---- candidates --------------------------------------------------------------------------
    def candidate(self, cid: str, job: dict, x: dict, own: tuple[dict, dict] | None = None) -> tuple[dict, dict]:
        """A candidate applying for ``job``; with ``own`` = (job, extra) of another occupation, one
        whose skills, history and studies are that occupation's (a wrong-job applicant)."""
        own_job, ox = own or (job, x)
        r, occ = self.rng, ox["occ"]
        u = r.random()  # latent fit: correlates the features the way real applicant pools do
        loc = x["locale"] if r.random() < 0.6 else r.choice(T.MIGRANT_LOCALES)
        f = self.fake(loc)
        first, last = f.first_name(), f.last_name()
        name = f"{first} {last}"
        native, nationality = T.LOCALES[loc]
        req = job["required_skills"]
        if own is None:
            covered = [s for s in req if r.random() < 0.35 + 0.62 * u]
        else:  # only what the two occupations share
            covered = [s for s in req if s in ox["skills"]]
        others = [s[0] for s in occ["skills"] if s[0] not in req]
        skills = covered + [s for s in others if r.random() < 0.35] + r.sample(T.GENERIC_SKILLS, r.randint(1, 2))
        r.shuffle(skills)
        months = max(0, (own_job["min_years"] + round(r.gauss((u - 0.3) * 5, 1.5))) * 12 + r.randint(-6, 11))
        # languages: native + English + the job's local language when required
        levels = {native: "native"}
        if native != "English":
            levels["English"] = r.choices(("B1", "B2", "C1", "C2"), (1, 4, 10, 5))[0]
        for lang in job["mandatory_languages"] + job["preferred_languages"]:
            levels.setdefault(lang["name"], r.choices(("A2", "B1", "B2", "C1", "C2"), (1, 1, 3, 4, 2))[0])
        languages = [{"name": k, "level": v} for k, v in levels.items()]
        lang_ok = all(level_at_least(levels[m["name"]], m["level"]) for m in job["mandatory_languages"])
        # experience history, most recent first
        history, left, ago = [], months, 0 if r.random() < 0.85 else r.randint(1, 8)
        while left > 0:
            span = left if left < 16 else r.randint(10, min(48, left - 6))
            level = "junior" if ago + span >= months and months > 24 else "senior" if months > 84 and not history else "mid"
            title = r.choice(occ[level] if level != "mid" else occ["titles"])
            history.append({"title": title, "company": self.fake(x["locale"] if r.random() < 0.7 else loc).company(),
                            "start": self.month(ago + span), "end": self.month(ago) if ago else None,
                            "description": r.choice(occ["duties"]).capitalize() + "."})
            left, ago = left - span, ago + span + (r.randint(1, 4) if r.random() < 0.2 else 0)
        years = round(months / 12, 1)
        deg_i = DEGREES.index(occ["degree"]) + r.choices((-1, 0, 1), (15, 70, 15))[0]
        degree = DEGREES[max(1, min(len(DEGREES) - 1, deg_i))]
        grad = (history[-1]["start"][0] if history else REF_YEAR) - r.randint(0, 2)
        education = [{"degree_level": degree, "field": r.choice(occ["fields"]), "year": grad}]
        same = r.random() < 0.65
        city = next(c for c in T.CITIES if c[0] == job["location"]["city"]) if same else r.choice(T.CITIES)
        cc = city[1]
        jc = job["location"]["country"]
        auth = (f"Citizen of {_country(jc)}" if native == next(c[4] for c in T.CITIES if c[1] == jc) and r.random() < 0.7 else
                "EU citizen, no work permit needed" if jc in EU and cc in EU
                else r.choice((f"Valid work permit for {_country(jc)}", f"Permanent resident of {_country(jc)}")))
        # interview evidence
        asked = r.sample(req, 3)
        answers = {s: r.random() < (0.85 if s in covered else 0.12) for s in asked}
        flag = r.choice(tuple(T.RED_FLAGS)) if r.random() < 0.07 else None
        cand = {"candidate_id": cid, "name": name, "role": job["title"], "job_description": job["description"],
                "resume": "", "transcript": "", "languages": languages,
                "location": {"city": city[0], "country": cc, "lat": city[2], "lon": city[3]},
                "willing_to_relocate": r.random() < (0.5 if same else 0.75), "years_experience": years,
                "education": education, "skills": skills,
                "experience": [{**h, "start": _ym(h["start"]), "end": _ym(h["end"]) if h["end"] else "present"} for h in history],
                "work_authorization": auth}
        ev = {"first": first, "last": last, "locale": loc, "nationality": nationality, "history": history,
              "asked": asked, "answers": answers, "flag": flag, "levels": levels, "lang_ok": lang_ok,
              "coverage": len(covered) / len(req), "covered": covered, "degree": degree, "grad": grad,
              "own_title": own_job["title"] if own else None, "own_occ": occ}
        cand["resume"] = self.resume(cand, own_job, ox, ev)  # the person's own occupation throughout
        cand["transcript"], ev["flag_detail"] = self.transcript(cand, job, x, ev)
        competent = sum(answers.values())
        ev["label"] = decide(ev["coverage"], years, job["min_years"], lang_ok, competent, len(asked) - competent, int(bool(flag)))
        return cand, ev

    def fmt_date(self, ym: tuple[int, int] | None, style: str) -> str:
        if ym is None:
            return "present"
        return style.format(y=ym[0], m=ym[1], mon=T.MONTHS[ym[1] - 1])

    def resume(self, cand: dict, job: dict, x: dict, ev: dict) -> str:
        r, occ, f = self.rng, x["occ"], self.fake(ev["locale"])
        slug = _ascii(f"{ev['first']}.{ev['last']}").lower().replace(" ", "").replace("-", "") or "applicant"
        home = next(c[5] for c in T.CITIES if c[0] == cand["location"]["city"])
        contact = [f"{slug}{r.choice(('', str(r.randint(1, 99))))}@{f.free_email_domain()}", f.phone_number(),
                   self.fake(home).street_address().replace("\n", ", ") + ", " + cand["location"]["city"]]
        if r.random() < 0.6:
            contact.append(f"linkedin.com/in/{slug.replace('.', '-')}")
        if occ["tech"] and r.random() < 0.5:
            contact.append(f"github.com/{slug.replace('.', '')}")
        personal = []
        if r.random() < 0.15:
            personal.append(f"Date of birth: {ev['grad'] - r.randint(21, 24)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}")
        elif r.random() < 0.1:
            personal.append(f"Age: {REF_YEAR - ev['grad'] + 22}")
        if r.random() < 0.15:
            personal.append(f"Nationality: {ev['nationality']}")
        if r.random() < 0.1:
            personal.append(f"Marital status: {r.choice(T.MARITAL)}")
        skills = [x["skills"][s][1] if s in x["skills"] and r.random() < 0.4 else s for s in cand["skills"]]
        last = ev["history"][0] if ev["history"] else None
        yrs = _years(cand["years_experience"])
        summary = r.choice(T.SUMMARY).format(title=job["title"], title_lc=job["title"].lower(), a_title_lc=_a(job["title"]).lower(),
                                             years=yrs, Years=yrs.capitalize(),
                                             sector=r.choice(occ["sector"]), duty=r.choice(occ["duties"]),
                                             company=last["company"] if last else "university")
        style = r.choice(T.DATE_FORMATS)
        jobs = [(h["title"], h["company"].rstrip("."), f"{self.fmt_date(h['start'], style)} – {self.fmt_date(h['end'], style)}", h["description"]) for h in ev["history"]]
        edu = cand["education"][0]
        edu_line = f"{T.DEGREE_NAMES[edu['degree_level']]} {edu['field']}, {r.choice(T.CITIES)[0]} ({edu['year']})".strip()
        langs = ", ".join(f"{lg['name']} ({lg['level']})" for lg in cand["languages"])
        reloc = "Open to relocation" if cand["willing_to_relocate"] else "Not looking to relocate"
        other = [c[2] for c in x["criteria"] if c[2]] + [cand["work_authorization"]]
        layout = r.randrange(4)
        if layout == 0:  # classic sections
            parts = [cand["name"].upper(), " | ".join(contact), *personal, "", "SUMMARY", summary, "", "SKILLS", ", ".join(skills), "",
                     "EXPERIENCE", *[f"{t}, {c} ({d})\n  {ds}" for t, c, d, ds in jobs], "", "EDUCATION", edu_line, "",
                     "LANGUAGES", langs, "", "OTHER", f"Based in {cand['location']['city']}, {cand['location']['country']}. {reloc}.", *other]
        elif layout == 1:  # markdown
            parts = [f"# {cand['name']}", *[f"**{k}:** {v}" for k, v in zip(("Email", "Phone", "Address", "Web", "Web"), contact, strict=False)],
                     *personal, "", "## Summary", summary, "", "## Skills", *[f"- {s}" for s in skills], "", "## Experience",
                     *[f"- **{t}**, {c} ({d}): {ds}" for t, c, d, ds in jobs], "", "## Education", f"- {edu_line}", "",
                     "## Languages", langs, "", f"{reloc}. {' '.join(other)}"]
        elif layout == 2:  # prose
            hist = " ".join(f"From {d.split(' – ')[0]} to {d.split(' – ')[1]} I worked as {t} at {c}." for t, c, d, _ in jobs)
            parts = [f"{cand['name']} – {', '.join(contact)}", *personal, "", f"{summary} {hist}".strip(),
                     f"Skills: {', '.join(skills)}.", f"Education: {edu_line}. Languages: {langs}.",
                     f"I live in {cand['location']['city']}. {reloc}. {' '.join(other)}"]
        else:  # key: value
            parts = [f"Name: {cand['name']}", f"Contact: {'; '.join(contact)}", *personal, f"Professional summary: {summary}",
                     f"Key skills: {'; '.join(skills)}", "Work history:", *[f"* {d}: {t} – {c}. {ds}" for t, c, d, ds in jobs],
                     f"Education: {edu_line}", f"Languages: {langs}", f"Location: {cand['location']['city']} ({reloc.lower()})", *other]
        text = "\n".join(parts)
        if r.random() < 0.03:
            text = r.choice(T.RESUME_PREAMBLES).format(role=job["title"], a_role=_a(job["title"])) + text
        return text

    def transcript(self, cand: dict, job: dict, x: dict, ev: dict) -> tuple[str, str]:
        r, occ = self.rng, ev["own_occ"]  # the candidate's occupation (the job's, unless wrong-job)
        fi = self.fake(x["locale"])
        iv = f"{fi.first_name()} {fi.last_name()}"
        hist = ev["history"]
        cur = hist[0]["company"] if hist else "my previous employer"
        prev = hist[1]["company"] if len(hist) > 1 else "a smaller company"
        topics = [s[1] for s in occ["skills"]]
        turns = [("I", f"Hi {ev['first']}, thanks for making the time. I'm {iv.split()[0]}, I'll be interviewing you for the {job['title']} role."),
                 ("C", r.choice(("Hi, thanks for having me.", "Hello, nice to meet you.", "Thanks for the invitation."))),
                 ("I", r.choice(T.INTRO_Q)),
                 ("C", r.choice(T.INTRO_A if cand["years_experience"] >= 1 else T.INTRO_NEW[0 if hist else 1:]).format(
                     a_title_lc=_a(ev["own_title"] or job["title"]).lower(), years=_years(cand["years_experience"]), company=cur, prev=prev,
                     duty=r.choice(occ["duties"]), sector=r.choice(occ["sector"]), field=cand["education"][0]["field"]))]
        flag, detail = ev["flag"], ""
        if hist and (flag == "inconsistent_dates" or r.random() < 0.25):
            actual = hist[0]["start"][0]
            said = actual - r.randint(3, 6) if flag == "inconsistent_dates" else actual
            turns += [("I", f"How long have you been at {cur}?"),
                      ("C", r.choice(T.RED_FLAGS["inconsistent_dates"]).format(company=cur, year=said))]
            if flag == "inconsistent_dates":
                detail = T.RED_FLAG_REASON[flag].format(company=cur, said=said, actual=actual)
        elif flag == "inconsistent_dates":
            flag = ev["flag"] = "unprofessional"  # nothing to contradict without a work history
        for lang in job["mandatory_languages"]:
            if lang["name"] != "English" or r.random() < 0.3:
                lvl = ev["levels"][lang["name"]]
                turns += [("I", r.choice(T.LANG_Q).format(lang=lang["name"])), ("C", r.choice(T.LANG_A[lvl]))]
        skill_turns = []
        for s in ev["asked"]:
            label, topic, *details = x["skills"][s]
            q = r.choice(T.QUESTIONS).format(topic=topic)
            if ev["answers"][s]:
                res = r.choice(T.RESULTS).format(metric=r.choice(x["occ"]["metrics"]), pct=r.randint(10, 60))
                res_lc = res if res.startswith("I ") else res[0].lower() + res[1:]
                a = r.choice(T.COMPETENT).format(company=cur, detail=r.choice(details), result=res, result_lc=res_lc)
            else:
                other = r.choice([t for t in topics if t != topic])
                a = r.choice(T.GAPS).format(topic=topic, Topic=topic[0].upper() + topic[1:], other=other)
            skill_turns.append([("I", q), ("C", r.choice(T.OPENERS) + a)])
            ev.setdefault("answer_text", {})[s] = a
        ev["current_company"] = cur
        beh = r.sample(T.BEHAVIOURAL, r.randint(1, 2))
        if flag == "badmouthing" and T.BEHAVIOURAL[2] not in beh:  # badmouthing answers "why leave?"
            beh[-1] = T.BEHAVIOURAL[2]
        beh_turns = []
        for q, answers in beh:
            beh_turns.append([("I", q), ("C", r.choice(T.OPENERS) + r.choice(answers))])
        if flag in ("badmouthing", "unprofessional"):
            line = r.choice(T.RED_FLAGS[flag]).format(company=cur)
            beh_turns[beh.index(T.BEHAVIOURAL[2]) if flag == "badmouthing" else -1][1] = ("C", r.choice(T.OPENERS) + line)
            detail = T.RED_FLAG_REASON[flag]
        blocks = skill_turns + beh_turns
        r.shuffle(blocks)
        for b in blocks:
            turns += b
        turns += [("I", r.choice(T.CLOSINGS)), ("C", r.choice(T.CANDIDATE_CLOSINGS))]
        style = r.choices(range(4), (60, 20, 10, 10))[0]
        names = [("Interviewer", "Candidate"), (iv, cand["name"]), (f"Recruiter ({iv})", ev["first"]), ("Q", "A")][style]
        bold = r.random() < 0.08
        sep = "\n\n" if r.random() < 0.7 else "\n"
        lines = [f"**{names[sp == 'C']}:** {t}" if bold else f"{names[sp == 'C']}: {t}" for sp, t in turns]
        text = sep.join(lines)
        if r.random() < 0.05:
            text = r.choice(T.PREAMBLES).format(role=job["title"], a_role=_a(job["title"])) + text
        return text, detail

    # ---- reason, injections ------------------------------------------------------------------
    def reason(self, label: str, cand: dict, job: dict, x: dict, ev: dict) -> str:
        r = self.rng
        topic = lambda s: x["skills"][s][1]  # noqa: E731
        req = job["required_skills"]
        cov = [topic(s) for s in ev["covered"]]
        missing = [topic(s) for s in req if s not in ev["covered"]]
        parts = [f"covers {len(cov)}/{len(req)} required skills" + (f" incl. {_join(cov[:2])}" if cov else "")
                 + (f" (missing {_join(missing[:2])})" if missing else "")]
        if ev.get("own_title"):
            parts.insert(0, f"Experience is as {_a(ev['own_title']).lower()}, another occupation")
        parts.append(f"{cand['years_experience']:g} years vs {job['min_years']} required")
        good = [topic(s) for s in ev["asked"] if ev["answers"][s]]
        bad = [topic(s) for s in ev["asked"] if not ev["answers"][s]]
        if good:
            parts.append(f"answered the {_join(good)} question{'s' if len(good) > 1 else ''} concretely")
        if bad:
            parts.append(r.choice(("vague on {}", "no hands-on answer on {}", "could not give an example for {}")).format(_join(bad)))
        for m in job["mandatory_languages"]:
            lvl = ev["levels"][m["name"]]
            if not level_at_least(lvl, m["level"]):
                parts.append(f"{m['name']} {lvl} below the required {m['level']}")
            elif m["name"] != "English":
                parts.append(f"{m['name']} {lvl} meets the {m['level']} requirement")
        parts.append(ev["flag_detail"] or "no red flags")
        head = r.choice(("Recommend hiring. ", "Strong match. ", "Proceed. ", "") if label == "select"
                        else ("Not a fit. ", "Do not proceed. ", "Below the bar. ", ""))
        body = "; ".join(parts) + "."
        return head + body[0].upper() + body[1:]

    def near_dup(self, text: str) -> str:
        r = self.rng
        words = text.split(" ")
        spots = [i for i, w in enumerate(words) if w.lower() in T.SYNONYMS]
        edits = r.sample(spots, min(len(spots), r.randint(2, 4)))
        for i in edits:
            words[i] = T.SYNONYMS[words[i].lower()]
        long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
        for i in r.sample(long, min(len(long), 1 if edits else 2)):  # a typo
            w = words[i]
            j = r.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        return " ".join(words)

    def spam(self, job: dict, x: dict) -> dict:
        r = self.rng
        kind = r.choice(("stuffing", "url", "random", "salad"))
        topics = [s[1] for s in x["occ"]["skills"]] + [s[0] for s in x["occ"]["skills"]]
        if kind == "stuffing":
            resume = " ".join(r.choice(topics) for _ in range(r.randint(60, 150))) + " HIRE ME NOW!!! BEST CANDIDATE!!!"
            transcript = "Candidate: " + " ".join(r.choice(topics).upper() for _ in range(40))
        elif kind == "url":
            urls = [r.choice(T.SPAM_URLS) for _ in range(6)]
            resume = f"Earn $5000 a week from home!!! Visit {urls[0]} and {urls[1]} NOW. Limited offer: {urls[2]}"
            transcript = f"Interviewer: Hello?\nCandidate: Check out {urls[3]} for free money {urls[4]} {urls[5]}"
        elif kind == "random":
            chars = string.ascii_letters + string.digits + string.punctuation + "     "
            resume = "".join(r.choice(chars) for _ in range(r.randint(200, 600)))
            transcript = "".join(r.choice(chars) for _ in range(r.randint(100, 400)))
        else:
            f = self.fake("en_US")
            resume, transcript = f.paragraph(nb_sentences=8), "Interviewer: " + f.paragraph(nb_sentences=4)
        name = self.fake(r.choice(T.MIGRANT_LOCALES)).name() if r.random() < 0.6 else "".join(r.choices(string.ascii_lowercase, k=8))
        return {"name": name, "resume": resume, "transcript": transcript, "kind": kind}


def _spell(label: str, r: random.Random) -> str:
    return r.choice(_SPELLINGS[label]) if r.random() < 0.1 else label


def generate(n_records: int = 3000, seed: int = 0, label_noise: float = 0.03, dup_rate: float = 0.03,
             near_dup_rate: float = 0.03, spam_rate: float = 0.02, leak_rate: float = 0.05,
             wrong_job_rate: float = 0.0) -> Corpus:
    """A synthetic hiring corpus of exactly ``n_records`` raw rows (see the module docstring).

    ``wrong_job_rate`` of the records are applicants whose work history is in an occupation of
    another family than the job's (a nurse applying for a software job): scored by the same rule
    against the job they applied for, which almost always rejects them. At 0 the corpus is the
    one generated before the option existed, byte for byte."""
    if n_records < 1:
        raise ValueError("n_records must be >= 1")
    for name, rate in (("label_noise", label_noise), ("dup_rate", dup_rate), ("near_dup_rate", near_dup_rate),
                       ("spam_rate", spam_rate), ("leak_rate", leak_rate), ("wrong_job_rate", wrong_job_rate)):
        if not 0 <= rate <= 0.5:
            raise ValueError(f"{name} must be within [0, 0.5], got {rate}")
    with _LOCK:
        return _generate(n_records, seed, label_noise, dup_rate, near_dup_rate, spam_rate, leak_rate, wrong_job_rate)


def _generate(n_records: int, seed: int, label_noise: float, dup_rate: float, near_dup_rate: float,
              spam_rate: float, leak_rate: float, wrong_job_rate: float) -> Corpus:
    g = _Gen(seed)
    r = g.rng
    n_dup, n_near, n_spam, n_wrong = (round(n_records * x) for x in (dup_rate, near_dup_rate, spam_rate, wrong_job_rate))
    n_base = n_records - n_dup - n_near - n_spam
    if n_base - n_wrong < 1:
        raise ValueError("injection rates leave no base records")
    occs = list(T.OCCUPATIONS)
    n_jobs = max(len(occs), min(400, round(n_records / 20)))
    jobs = [g.job(i + 1, occs[i % len(occs)]) for i in range(n_jobs)]
    rows: list[dict] = []
    for i in range(n_base - n_wrong):
        job, x = jobs[r.randrange(n_jobs)]
        cand, ev = g.candidate(f"cand-{i + 1:05d}", job, x)
        rows.append({"cand": cand, "ev": ev, "job": job, "x": x, "kind": "original", "label": ev["label"], "leak": None})
    # the last n_wrong base rows are wrong-job applicants (drawn after the others, so that a
    # corpus without them is unchanged)
    for i in range(n_base - n_wrong, n_base):
        job, x = jobs[r.randrange(n_jobs)]
        family = _FAMILY[x["occ"]["key"]]
        own = r.choice([j for j in jobs if _FAMILY[j[1]["occ"]["key"]] != family])
        cand, ev = g.candidate(f"cand-{i + 1:05d}", job, x, own=own)
        rows.append({"cand": cand, "ev": ev, "job": job, "x": x, "kind": "wrong_job", "label": ev["label"], "leak": None})
    for i in r.sample(range(n_base), round(n_base * label_noise)):
        rows[i]["label"] = "reject" if rows[i]["label"] == "select" else "select"
    for i in r.sample(range(n_base), round(n_base * leak_rate)):
        row, where = rows[i], r.choice(("resume", "transcript"))
        phrase = r.choice(T.LEAKS[row["label"]][where])
        cand = row["cand"]
        if where == "resume":
            cand["resume"] = f"{phrase}\n{cand['resume']}" if r.random() < 0.3 else f"{cand['resume']}\n{phrase}"
        else:
            lines = cand["transcript"].split("\n")
            k = max(i for i, ln in enumerate(lines) if ln.strip()) - 1  # the interviewer's closing line
            while k > 0 and not lines[k].strip():
                k -= 1
            lines[k] = re.match(r"(\*\*.+?:\*\*|.+?:) ", lines[k]).group(0) + phrase
            cand["transcript"] = "\n".join(lines)
        row["leak"] = where
    for row in rows:
        row["reason"] = g.reason(row["label"], row["cand"], row["job"], row["x"], row["ev"])
        row["decision"] = _spell(row["label"], r)
    extra: list[dict] = []
    for i in r.sample(range(n_base), min(n_base, n_dup)):
        extra.append({**rows[i], "kind": "duplicate", "of": rows[i]})
    for k, i in enumerate(r.sample(range(n_base), min(n_base, n_near))):
        src = rows[i]
        cand = {**copy.deepcopy(src["cand"]), "candidate_id": f"cand-{n_base + k + 1:05d}", "resume": g.near_dup(src["cand"]["resume"])}
        if r.random() < 0.5:
            cand["transcript"] = g.near_dup(cand["transcript"])
        extra.append({**src, "cand": cand, "kind": "near_duplicate", "of": src})
    for k in range(n_spam):
        job, x = jobs[r.randrange(n_jobs)]
        s = g.spam(job, x)
        cand = {"candidate_id": f"cand-{n_base + n_near + k + 1:05d}", "name": s["name"], "role": job["title"],
                "job_description": job["description"], "resume": s["resume"], "transcript": s["transcript"]}
        extra.append({"cand": cand, "ev": None, "job": job, "x": x, "kind": "spam", "spam": s["kind"], "label": "reject",
                      "leak": None, "decision": _spell("reject", r),
                      "reason": r.choice(("Spam / unreadable application.", "Junk submission, not a real application.", "Reject: keyword spam."))})
    for row in extra:  # insert at random positions, so injected rows are not all at the end
        rows.insert(r.randint(0, len(rows)), row)
    for i, row in enumerate(rows):
        row["id"] = f"rec-{i + 1:05d}"
    records, meta, candidates, seen = [], [], [], set()
    for row in rows:
        c, job = row["cand"], row["job"]
        records.append({"id": row["id"], "name": c["name"], "role": c["role"], "job_description": c["job_description"],
                        "resume": c["resume"], "transcript": c["transcript"], "decision": row["decision"],
                        "reason": row["reason"], "job_id": job["job_id"], "candidate_id": c["candidate_id"],
                        "as_of": AS_OF})
        ev = row["ev"] or {}
        competent = sum(ev.get("answers", {}).values())
        meta.append({"id": row["id"], "kind": row["kind"], "of": row["of"]["id"] if row.get("of") else None,
                     "spam": row.get("spam"), "label": row["label"], "true_label": ev.get("label", "reject"),
                     "leak": row["leak"], "coverage": ev.get("coverage"), "years": c.get("years_experience"),
                     "min_years": job["min_years"], "languages_ok": ev.get("lang_ok"), "competent": competent,
                     "vague": len(ev.get("asked", ())) - competent, "red_flag": ev.get("flag"),
                     "competent_skills": [s for s in ev.get("asked", ()) if ev["answers"][s]],
                     "nationality": ev.get("nationality"),
                     "native_language": T.LOCALES[ev["locale"]][0] if ev.get("locale") else None})
        if row["kind"] != "spam" and c["candidate_id"] not in seen:
            seen.add(c["candidate_id"])
            candidates.append(c)
    cf = _counterfactuals([row for row in rows if row["kind"] == "original"], seed)
    return Corpus(records=records, jobs=[j for j, _ in jobs], candidates=candidates, meta=meta,
                  counterfactuals=cf)


def _flip_answer(skill: str, competent: bool, row: dict, r: random.Random) -> str:
    """An answer of the other kind for ``skill``: vague where it was concrete, and back."""
    x, ev = row["x"], row["ev"]
    label, topic, *details = x["skills"][skill]
    if competent:  # -> vague
        other = r.choice([s[1] for s in ev["own_occ"]["skills"] if s[1] != topic])
        return r.choice(T.GAPS).format(topic=topic, Topic=topic[0].upper() + topic[1:], other=other)
    res = r.choice(T.RESULTS).format(metric=r.choice(x["occ"]["metrics"]), pct=r.randint(10, 60))
    res_lc = res if res.startswith("I ") else res[0].lower() + res[1:]
    return r.choice(T.COMPETENT).format(company=ev["current_company"], detail=r.choice(details),
                                        result=res, result_lc=res_lc)


def _counterfactuals(rows: list[dict], seed: int) -> list[dict]:
    """For records whose recorded label is the rule's (no noise, no leak): the same record with
    interview answers turned from concrete to vague (a select) or vague to concrete (a reject),
    fewest first, until the rule's label flips; records that cannot flip this way are skipped.
    Only the answer texts change: resume, job, other turns and the skills asked stay."""
    r = random.Random(seed * 7919 + 17)
    out = []
    for row in rows:
        ev, job, cand = row["ev"], row["job"], row["cand"]
        if row["leak"] or row["label"] != ev["label"] or not ev.get("answer_text"):
            continue
        was_select = ev["label"] == "select"
        answers = dict(ev["answers"])
        turn = [s for s in ev["asked"] if answers[s] == was_select]
        changed = []
        for s in turn:
            answers[s] = not answers[s]
            changed.append(s)
            competent = sum(answers.values())
            label = decide(ev["coverage"], cand["years_experience"], job["min_years"], ev["lang_ok"],
                           competent, len(answers) - competent, int(bool(ev["flag"])))
            if label != ev["label"]:
                break
        else:
            continue
        transcript = cand["transcript"]
        for s in changed:
            old = ev["answer_text"][s]
            transcript = transcript.replace(old, _flip_answer(s, was_select, row, r), 1)
        out.append({"id": f"{row['id']}#cf", "of": row["id"], "role": cand["role"],
                    "job_description": cand["job_description"], "resume": cand["resume"],
                    "transcript": transcript, "decision": label, "as_of": AS_OF,
                    "original_decision": ev["label"], "changed_skills": changed,
                    "direction": "concrete->vague" if was_select else "vague->concrete"})
    return out


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def applicants(corpus: Corpus) -> list[dict]:
    """The applicant table an HR system keeps beside its decisions, for `recruiter eval
    bias-audit`'s worked example: record id, nationality, native language and the recorded
    decision of every application that is not spam. The rule never reads nationality, but a job's
    mandatory languages fall harder on some native languages than others: the audit shows that
    adverse impact, which no name swap can."""
    by_id = {m["id"]: m for m in corpus.meta}
    return [
        {"id": r["id"], "nationality": by_id[r["id"]]["nationality"],
         "native_language": by_id[r["id"]]["native_language"], "decision": by_id[r["id"]]["label"]}
        for r in corpus.records
        if by_id[r["id"]]["kind"] != "spam" and by_id[r["id"]].get("nationality")
    ]  # fmt: skip


def write(corpus: Corpus, out_dir: Path) -> dict[str, Path]:
    """Write records.jsonl, jobs.jsonl, candidates.jsonl, counterfactual.jsonl (the
    interview-flip pairs of :func:`_counterfactuals`, keyed to records by ``of``) and
    applicants.jsonl (:func:`applicants`) atomically; returns name -> path."""
    out_dir = Path(out_dir)
    files = {"records": corpus.records, "jobs": corpus.jobs, "candidates": corpus.candidates,
             "counterfactual": corpus.counterfactuals, "applicants": applicants(corpus)}
    return {name: atomic_write_text(out_dir / f"{name}.jsonl", _jsonl(rows)) for name, rows in files.items()}


def run(cfg, command: str = "recruiter prepare synth") -> Path:
    """The `recruiter prepare synth` stage: generate with ``cfg.prepare.synth`` and write it.

    The folder gets ``records.jsonl`` (the raw export `recruiter prepare` reads with the
    ``canonical`` preset), ``jobs.jsonl``, ``candidates.jsonl``, ``rule.txt`` and the resolved
    config. It appears atomically; an existing folder is refused unless ``prepare.overwrite``.
    """
    from ..config import save_resolved
    from ..errors import InputError
    from ..storage import atomic_dir, new_run_dir

    s = cfg.prepare.synth
    out = Path(s.output) if s.output else new_run_dir("synth")
    if out.exists() and not cfg.prepare.overwrite:
        raise InputError(f"{out} already exists; pass -o prepare.overwrite=true to replace it")
    try:
        corpus = generate(s.n_records, s.seed, s.label_noise, s.dup_rate, s.near_dup_rate, s.spam_rate, s.leak_rate,
                          s.wrong_job_rate)
    except ValueError as exc:
        raise InputError(f"prepare.synth: {exc}") from None
    with atomic_dir(out, overwrite=cfg.prepare.overwrite) as tmp:
        write(corpus, tmp)
        atomic_write_text(tmp / "rule.txt", corpus.rule.strip() + "\n")
        save_resolved(cfg, tmp, command)
    return out
