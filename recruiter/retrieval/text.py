"""What the encoder reads: candidates and jobs serialised with field priority.

The encoder truncates at its ``max_seq_length`` (256 word pieces for MiniLM), so the order of the
fields is the priority: position and skills first, so skills are never cut; the free-text profile
or description last, trimmed to ``profile_chars``.

* candidate: ``Position: {level} {role} [SEP] Skills: a, b, c [SEP] Profile: {experience}``
* job: ``Position: {title} [SEP] Required Skills: a, b [SEP] Description: {description}``

``level`` comes from the years of experience (junior < 2, mid < 6, senior otherwise); ``role``
is the most recent job title. The profile is the experience entries (title, company,
description), or the resume's text when there are none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .skills import candidate_skills

SEP = " [SEP] "


def level(years: float | None) -> str:
    if years is None:
        return ""
    return "junior" if years < 2 else "mid-level" if years < 6 else "senior"


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0]


def candidate_text(c: Mapping, profile_chars: int = 800) -> str:
    exp = c.get("experience") or []
    role = exp[0]["title"] if exp else c.get("role", "")
    head = " ".join(x for x in (level(c.get("years_experience")), role) if x)
    skills = ", ".join(candidate_skills(c))
    if exp:
        profile = "; ".join(
            " ".join(
                x for x in (e.get("title", ""), e.get("company", ""), e.get("description", "")) if x
            )
            for e in exp
        )
    else:
        profile = re.sub(r"\[[A-Z_]+\]", "", str(c.get("resume", "")))
    return f"Position: {head}{SEP}Skills: {skills}{SEP}Profile: {_clip(profile, profile_chars)}"


def job_text(j: Mapping, description_chars: int = 800) -> str:
    skills = ", ".join(j.get("required_skills") or [])
    return (
        f"Position: {j.get('title', '')}{SEP}Required Skills: {skills}{SEP}"
        f"Description: {_clip(j.get('description', ''), description_chars)}"
    )
