"""What a job ad asks for: required and preferred skills, minimum years, languages, presence, degree.

Requirement sections' bullets ("**Requirements:**", "Must have", "Qualifications") and, in prose,
the list after a cue ("Must-haves:", "you need", "skills in", "looking for someone with";
"Nice to have:", "a plus", "would help" for preferred skills). A labelled bullet asks for its
label ("Communication Skills: excellent written …"). Minimum years come from "N+ years of
experience"-like phrases (not a company's age); languages are those named with a level or in a
sentence about speaking. Every item keeps its 1-based line. The cue words are ordinary job-ad
English, not the vocabulary of any one generator; what they miss is reported as "not found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .textparse import (
    BULLET,
    Item,
    Language,
    clean_line,
    languages_in,
    lines_of,
    sections,
    split_list,
)

_REQ_HEAD = re.compile(
    r"require|qualification|must|what you (?:bring|need|have)|you (?:bring|have|need)|about you|"
    r"profile|skills|looking for|essential|experience",
    re.I,
)
_PREF_HEAD = re.compile(r"nice|prefer|bonus|plus|desir|ideal|optional|advantage", re.I)
_REQ_CUE = re.compile(
    r"(?:must[- ]haves?|requirements?|required(?: skills)?|essential)\s*:\s*"
    r"|\b(?:skills|experience|expertise|proficiency|knowledge|background) (?:in|with|of)\s+"
    r"|\byou (?:need|must have|should have|bring|have)\s+"
    r"|\blooking for (?:someone|a candidate|candidates) with\s+",
    re.I,
)
_PREF_CUE = re.compile(
    r"(?:nice to have|preferred|bonus|desirable|a plus)\s*:\s*"
    r"|\bit is a plus if you (?:also )?(?:bring|have|know)\s+"
    r"|\b(?:experience|familiarity|knowledge) (?:with|of|in)\s+(?=[^.]*\b(?:would help|is a plus|"
    r"a bonus|nice to have|preferred))",
    re.I,
)
_PREF_SENTENCE = re.compile(
    r"nice to have|a plus\b|would help|preferred|bonus|desirable|ideally", re.I
)
_LIST_END = re.compile(
    r"[;.](?:\s|$)|,\s*(?:plus|as well as|along with)\b|\s+(?:would help|is a plus|are a plus|"
    r"would be|to get up to speed)|,?\s*(?:plus )?(?:at least |a minimum of |minimum )?\d+\+? years",
    re.I,
)
_YEARS = re.compile(
    r"(?:at least|a minimum of|minimum of|min\.?|over|more than)?\s*(\d{1,2})(?:\s*[-–]\s*\d{1,2})?"
    r"\s*\+?\s*(?:or more\s+)?years?['’]?\s+(?:of\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:experience|in a similar|in the field|in (?:a|an) \w+ role|working)",
    re.I,
)
_DEGREE = (
    (r"\bph\.?d\b|doctorate", "phd"),
    (r"\bmaster'?s?\b|\bm\.?sc\b|\bmba\b", "master"),
    (r"\bbachelor'?s?\b|\bb\.?sc\b|\bb\.?a\b|university degree|\bdegree\b", "bachelor"),
    (r"\bassociate degree\b", "associate"),
    (r"vocational|apprenticeship|trade certificat", "vocational"),
    (r"high school|secondary school diploma", "high_school"),
)
_NOT_SKILL = re.compile(
    r"^(?:\d+\+? years|a minimum|at least|years|experience|relevant experience|a (?:bachelor|master)|"
    r"degree|(?:a|the|this) (?:similar|related|same) (?:position|role|field)|the field)\b",
    re.I,
)
_ADJ = r"strong|solid|excellent|good|proven|demonstrated|deep|hands-on|working|basic|advanced|expert|in-depth|sound"
_LEAD = re.compile(
    rf"^(?:(?:{_ADJ})\s+)*(?:experience|proficiency|knowledge|understanding|skills|familiarity|"
    r"expertise|background|competence|command)\s+(?:in|with|of|using)\s+",
    re.I,
)


@dataclass(frozen=True)
class JobAsks:
    required: list[Item]
    preferred: list[Item]
    min_years: float | None
    years_quote: Item | None
    languages: list[Language]
    presence: str | None
    degree: str | None


_LABELLED = re.compile(r"^([A-Za-z][\w &/+#.-]{1,40}?):\s+(.+)$")
_NOT_LABEL = re.compile(
    r"^(?:education|experience|degree|qualifications?|years|location|other)$", re.I
)
_TAIL = re.compile(r"^(?:with|and with|the ability|ability to|to |in order|as well as|etc)\b", re.I)


def _skills_of(phrase: str, bullet: bool = False) -> list[str]:
    phrase = re.sub(r"\s+", " ", phrase).strip()
    labelled = _LABELLED.match(phrase) if bullet else None
    if labelled:  # "Communication Skills: Excellent written …" asks for its label
        label = labelled.group(1).strip()
        if _NOT_LABEL.match(label) or len(label.split()) > 4:
            return []
        phrase = label
    phrase = _LEAD.sub("", phrase)
    if re.search(r"\s+skills?$", phrase, re.I):  # "Strong communication skills"
        phrase = re.sub(rf"^(?:(?:{_ADJ})\s+)+|\s+skills?$", "", phrase, flags=re.I)
    if not phrase or _NOT_SKILL.match(phrase):
        return []
    m = re.search(r"(?:such as|including|e\.g\.,?|like)\s+(.+)", phrase, re.I)
    if m and len(phrase.split()) > 6:
        phrase = m.group(1)
    split_and = not bullet or len(phrase.split()) > 4 or "," in phrase
    items = [_LEAD.sub("", s) for s in split_list(phrase, split_and)]
    return [
        " ".join(s.split()[:8])
        for s in items
        if s and not _NOT_SKILL.match(s) and not _TAIL.match(s)
    ]


def _after_cue(sentence: str, cue: re.Pattern) -> list[str]:
    """The list after each cue in the sentence (a cue followed by no list gives nothing)."""
    out = []
    for m in cue.finditer(sentence):
        rest = sentence[m.end() :]
        end = _LIST_END.search(rest)
        rest = rest[: end.start()] if end else rest
        if rest.strip():
            out.append(rest)
    return out


def job_asks(text: str) -> JobAsks:
    """What a job ad asks for, each item with its line (see the module docstring)."""
    lines = lines_of(text)
    required: list[Item] = []
    preferred: list[Item] = []
    used: set[int] = set()
    for sec in sections(text):
        if not sec.name:
            continue
        target = (
            preferred
            if _PREF_HEAD.search(sec.name)
            else required
            if _REQ_HEAD.search(sec.name)
            and not re.search(r"respons|duties|benefit|offer", sec.name)
            else None
        )
        if target is None:
            continue
        for i in range(sec.start, sec.end):
            body = clean_line(lines[i])
            if not body or not BULLET.match(lines[i]):
                continue
            used.add(i)
            where = preferred if _PREF_SENTENCE.search(body) else target
            where += [Item(s, i + 1) for s in _skills_of(body, bullet=True)]
    for i, ln in enumerate(lines):
        if i in used:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", ln):
            if _PREF_SENTENCE.search(sentence):
                for part in _after_cue(sentence, _PREF_CUE):
                    preferred += [Item(s, i + 1) for s in _skills_of(part)]
                continue
            for part in _after_cue(sentence, _REQ_CUE):
                required += [Item(s, i + 1) for s in _skills_of(part)]
    min_years, years_quote = None, None
    for i, ln in enumerate(lines):
        m = _YEARS.search(ln)
        if m:
            min_years, years_quote = float(m.group(1)), Item(m.group(0).strip(), i + 1)
            break
    langs = []
    for lang in languages_in(text):
        window = lines[lang.line - 1]
        cefr = re.search(r"\b[ABC][12]\b", lang.quote)  # "English C1" asks for a level
        if cefr or re.search(
            r"speak|language|fluen|level|native|proficien|communicat|written|spoken", window, re.I
        ):
            langs.append(lang)
    low = text.lower()
    presence = (
        "remote" if re.search(r"fully remote|remote[- ]first|\bremote (?:role|position|job)\b", low)
        else "hybrid" if "hybrid" in low
        else "onsite" if re.search(r"on-?site|in the office|in-office", low)
        else None
    )  # fmt: skip
    degree = next((lvl for rx, lvl in _DEGREE if re.search(rx, low)), None)
    return JobAsks(
        _dedup(required), _dedup(preferred), min_years, years_quote, langs, presence, degree
    )


def _dedup(items: list[Item]) -> list[Item]:
    seen, out = set(), []
    for it in items:
        key = " ".join(it.text.lower().split())
        if key and key not in seen and len(it.text) <= 80:
            seen.add(key)
            out.append(it)
    return out
