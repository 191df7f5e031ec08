"""The evidence sheet: the facts a decision rests on, each with the verbatim text that shows it.

A 135M model does not look facts up across a 1,000-token prompt, but the facts are easy to read
deterministically. :func:`build_sheet` reads role, job description, resume and transcript (the
parsers of :mod:`recruiter.retrieval.textparse`) and returns a :class:`Sheet`:

* the job's asks: required and preferred skills, minimum years, languages with levels, presence,
  degree, each with the job-description line that states it;
* for each required skill, ``found`` or ``missing`` in the resume's skill lists, with the resume
  line that shows it and how it matched (:class:`~recruiter.retrieval.skillmatch.SkillMatcher`);
* years of experience from dated roles ("present" = the record's ``as_of`` when it has one, else
  today, and the sheet says which), beside the minimum;
* the candidate's languages with levels beside the required ones;
* the interview as question/answer pairs, each tagged with the required skill or language it asks
  about, with the lines of the answer. Whether an answer is concrete is the model's judgement,
  not the sheet's: the sheet points, the model reads.

Every quote is a substring of the line it names in the field it names (tests check it), so a
reviewer can find it; the audit log keeps the items without the quotes (no raw text there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np

from ..retrieval import textparse as tp
from ..retrieval.jobasks import job_asks
from ..retrieval.skillmatch import (
    DEFAULT_MATCH_THRESHOLD,
    SkillMatcher,
    default_matcher,
    normalize,
    skill_forms,
    stems,
)

__all__ = [
    "DEFAULT_MATCH_THRESHOLD",
    "EVIDENCE_VERSION",
    "QA",
    "Quote",
    "Sheet",
    "SkillCheck",
    "SkillMatcher",
    "build_sheet",
    "default_matcher",
    "interview_pairs",
    "short_skill",
]

EVIDENCE_VERSION = "e1"
ANSWER_WORDS = 40  # words of each tagged answer the rendered sheet quotes
MAX_ITEMS = 10  # skills per found/missing list and answers the rendered sheet shows
QUESTION_THRESHOLD = 0.6  # MiniLM cosine of a question and a skill phrase, when no words match


@dataclass(frozen=True)
class Quote:
    source: str  # job_description | resume | transcript
    line: int  # 1-based line of that field
    text: str  # verbatim, a substring of that line


@dataclass
class SkillCheck:
    skill: str  # as the job description names it
    found: bool
    quote: Quote | None = None  # the resume line that shows it
    how: str | None = None  # exact | alias | esco | stem | embedding
    score: float = 0.0
    asked: list[int] = field(default_factory=list)  # indices into Sheet.interview
    jd_line: int | None = None  # the job-description line that asks for it


@dataclass
class LanguageFact:
    name: str
    level: str | None
    quote: Quote


@dataclass
class RoleMatch:
    """The resume line closest to the role applied for: does the person work in this occupation?"""

    role: str
    quote: Quote | None  # that resume line (None: no resume line to compare)
    similarity: float  # 1.0 when the line holds every word of the role, else MiniLM cosine
    how: str  # words | embedding | none (no embedder and no line with the role's words)


@dataclass
class QA:
    question: Quote
    answer: Quote | None  # first line of the answer
    answer_lines: tuple[int, int] | None  # first and last line of the answer
    answer_words: int
    topic: str | None  # a required skill, "language:<name>", or None
    topic_kind: str | None  # skill | language
    answer_text: str = ""  # the answer's words (speaker labels removed)


@dataclass
class Sheet:
    required: list[SkillCheck]
    preferred: list[str]
    min_years: float | None
    min_years_quote: Quote | None
    years: float | None  # from dated roles; None when the resume has none
    roles: list[Quote]
    as_of: str  # YYYY-MM that "present" means
    as_of_reason: str  # "record" (the record's as_of) or "today"
    job_languages: list[LanguageFact]
    languages: list[LanguageFact]
    interview: list[QA]
    presence: str | None
    degree: str | None
    version: str = EVIDENCE_VERSION
    # Not rendered into prompt v2 (the shipped adapter was trained without it): it is in the
    # decision's items, the audit and the evidence-feature baseline; a later sheet version shows it.
    role_match: RoleMatch | None = None

    @property
    def found(self) -> int:
        return sum(c.found for c in self.required)

    def languages_met(self) -> bool | None:
        """All required languages at their level in the resume; None when the resume states none."""
        if not self.job_languages:
            return True
        if not self.languages:
            return None
        have = {lg.name: tp.level_rank(lg.level) for lg in self.languages}
        return all(have.get(j.name, -2) >= tp.level_rank(j.level) for j in self.job_languages)

    def items(self) -> list[dict]:
        """The sheet as a flat list of facts with quotes (decisions and eval outputs carry it)."""
        out: list[dict] = []
        for c in self.required:
            item = {
                "kind": "required_skill",
                "skill": c.skill,
                "status": "found" if c.found else "missing",
            }
            if c.quote:
                item.update(how=c.how, **_quote(c.quote))
            out.append(item)
        if self.min_years is not None:
            out.append(
                {"kind": "min_years", "value": self.min_years, **_quote(self.min_years_quote)}
            )
        out.append(
            {
                "kind": "years",
                "value": self.years,
                "as_of": self.as_of,
                "as_of_reason": self.as_of_reason,
            }
        )
        out += [{"kind": "role_dates", **_quote(q)} for q in self.roles]
        out += [
            {"kind": "job_language", "name": lg.name, "level": lg.level, **_quote(lg.quote)}
            for lg in self.job_languages
        ]
        out += [
            {"kind": "language", "name": lg.name, "level": lg.level, **_quote(lg.quote)}
            for lg in self.languages
        ]
        if self.role_match is not None:
            rm = self.role_match
            item = {
                "kind": "role_match",
                "role": rm.role,
                "similarity": rm.similarity,
                "how": rm.how,
            }
            out.append({**item, **_quote(rm.quote)} if rm.quote else item)
        for qa in self.interview:
            if qa.topic is None:
                continue
            item = {"kind": "interview", "topic": qa.topic, **_quote(qa.question)}
            if qa.answer_lines:
                item["answer_lines"] = list(qa.answer_lines)
            out.append(item)
        return out

    def audit_items(self) -> list[dict]:
        """:meth:`items` without the verbatim text (the audit log stores no raw text)."""
        return [{k: v for k, v in it.items() if k != "quote"} for it in self.items()]

    def as_dict(self) -> dict:
        return asdict(self)

    def features(self) -> dict[str, float]:
        """Numbers read off the sheet only (the evidence-feature baseline's inputs)."""
        n = len(self.required)
        tagged = [qa for qa in self.interview if qa.topic_kind == "skill"]
        words = [qa.answer_words for qa in tagged]
        met = self.languages_met()
        years = -1.0 if self.years is None else self.years
        need = -1.0 if self.min_years is None else self.min_years
        return {
            "n_required": float(n),
            "n_found": float(self.found),
            "coverage": self.found / n if n else 0.0,
            "no_required": float(n == 0),
            "years": years,
            "min_years": need,
            "years_gap": years - need
            if self.years is not None and self.min_years is not None
            else 0.0,
            "years_unknown": float(self.years is None),
            "languages_met": float(met is True),
            "languages_unknown": float(met is None),
            "n_qa": float(len(self.interview)),
            "n_skill_questions": float(len(tagged)),
            "answer_words_mean": float(np.mean(words)) if words else 0.0,
            "answer_words_min": float(min(words)) if words else 0.0,
            "role_similarity": self.role_match.similarity if self.role_match else 0.0,
        }

    def cited_lines(self) -> dict[str, set[int]]:
        """1-based lines per document that the sheet rests on (the prompt fitting keeps them)."""
        out: dict[str, set[int]] = {"job_description": set(), "resume": set(), "transcript": set()}
        for c in self.required:
            if c.jd_line:
                out["job_description"].add(c.jd_line)
        for it in self.items():
            # the role line is not rendered in v2: citing it would change v2's prompt fitting
            if "line" in it and it["kind"] != "role_match":
                out[it["source"]].add(it["line"])
        for qa in self.interview:
            if qa.topic and qa.answer_lines:
                out["transcript"].update(range(qa.question.line, qa.answer_lines[1] + 1))
        return out

    def quoted_lines(self, answer_words: int = ANSWER_WORDS) -> set[int]:
        """Transcript lines (question and answer) of the tagged answers :meth:`render` quotes in
        full: a prompt short of room can drop them from the transcript."""
        out: set[int] = set()
        for qa in self._quoted_answers(answer_words, MAX_ITEMS):
            if qa.answer_lines and qa.answer_words <= answer_words:
                out.update(range(qa.question.line, qa.answer_lines[1] + 1))
        return out

    def render(self, answer_words: int = ANSWER_WORDS, max_items: int = MAX_ITEMS) -> str:
        """The sheet as compact text (what prompt v2 places right before generation): what was
        found and missing, years and languages beside the asks, and the first ``answer_words``
        words of one answer per required skill asked about (at most ``max_items`` of each list),
        for the model to judge. Long job ads stay bounded: the rest is counted, not listed."""
        found = [short_skill(c.skill) for c in self.required if c.found]
        missing = [short_skill(c.skill) for c in self.required if not c.found]
        lines = [f"Required skills found in the resume: {len(found)} of {len(self.required)}"]
        for name, items in (("found", found), ("missing", missing)):
            if items:
                more = f" (+{len(items) - max_items} more)" if len(items) > max_items else ""
                lines.append(f"- {name}: {'; '.join(items[:max_items])}{more}")
        yrs = "none found" if self.years is None else f"{self.years:g}"
        need = "not stated" if self.min_years is None else f"{self.min_years:g}"
        lines.append(f"Years in dated roles: {yrs} (as of {self.as_of}); required: {need}")
        if self.job_languages:
            asks = ", ".join(f"{lg.name} {lg.level or '(no level)'}" for lg in self.job_languages)
            has = ", ".join(f"{lg.name} {lg.level}" for lg in self.languages) or "none stated"
            lines.append(f"Languages required: {asks}; resume: {has}")
        asked = self._quoted_answers(answer_words, max_items)
        if asked:
            lines.append("Interview answers on required skills:")
            for qa in asked:
                words = qa.answer_text.split()
                text = " ".join(words[:answer_words]) + (" …" if len(words) > answer_words else "")
                lines.append(f'- {short_skill(qa.topic)}: "{text}"')
        return "\n".join(lines)

    def _quoted_answers(self, answer_words: int, max_items: int) -> list[QA]:
        """The first answer per required skill asked about (at most ``max_items``)."""
        if answer_words <= 0:
            return []
        seen, out = set(), []
        for qa in self.interview:
            if qa.topic_kind == "skill" and qa.answer_text and qa.topic not in seen:
                seen.add(qa.topic)
                out.append(qa)
        return out[:max_items]


def short_skill(skill: str | None, words: int = 6) -> str:
    """A skill phrase cut to ``words`` words (how the rendered sheet names it)."""
    w = str(skill or "").split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


def _quote(q: Quote | None) -> dict:
    return {} if q is None else {"source": q.source, "line": q.line, "quote": q.text}


# ---- the interview ----------------------------------------------------------------------------

_SPEAKER = re.compile(
    r"^\s*(?:\*\*)?(?P<who>[\[A-Za-z][^:*\n]{0,40}?)(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?P<text>\S.*)$"
)
_ASKS = re.compile(r"(?:^|[.!] )(?:tell|describe|walk|explain|give|share|talk) (?:me|us)\b", re.I)
_INTERVIEWER = re.compile(r"interview|recruit|hiring|manager|panel|^q$|^question", re.I)


def interview_turns(text: str) -> list[tuple[str, int, int, list[str]]]:
    """Turns as ``(speaker role "I"|"C", first line, last line, text lines)`` (1-based lines)."""
    lines = tp.lines_of(text)
    labels: dict[str, int] = {}
    for ln in lines:
        m = _SPEAKER.match(ln)
        if m:
            labels[m.group("who").strip()] = labels.get(m.group("who").strip(), 0) + 1
    speakers = [w for w, n in sorted(labels.items(), key=lambda kv: -kv[1]) if n >= 2][:2]
    if len(speakers) < 2:
        return []
    interviewer = next((s for s in speakers if _INTERVIEWER.search(s)), None)
    if interviewer is None:
        first = next(
            m.group("who").strip()
            for ln in lines
            if (m := _SPEAKER.match(ln)) and m.group("who").strip() in speakers
        )
        interviewer = first
    turns: list[tuple[str, int, int, list[str]]] = []
    for i, ln in enumerate(lines):
        m = _SPEAKER.match(ln)
        if m and m.group("who").strip() in speakers:
            role = "I" if m.group("who").strip() == interviewer else "C"
            turns.append((role, i + 1, i + 1, [m.group("text")]))
        elif ln.strip() and turns:
            role, a, _, body = turns[-1]
            turns[-1] = (role, a, i + 1, [*body, ln.strip()])
    return turns


def interview_pairs(text: str) -> list[QA]:
    lines = tp.lines_of(text)
    turns = interview_turns(text)
    out: list[QA] = []
    for k, (role, a, _b, _body) in enumerate(turns):
        if role != "I":
            continue
        q = Quote("transcript", a, lines[a - 1].strip())
        answers = []
        for nxt in turns[k + 1 :]:
            if nxt[0] != "C":
                break
            answers.append(nxt)
        if answers:
            first, last = answers[0][1], answers[-1][2]
            text = " ".join(" ".join(" ".join(t[3]) for t in answers).split())
            out.append(
                QA(
                    q,
                    Quote("transcript", first, lines[first - 1].strip()),
                    (first, last),
                    len(text.split()),
                    None,
                    None,
                    text,
                )
            )
        else:
            out.append(QA(q, None, None, 0, None, None))
    return out


def _tag_questions(
    interview: list[QA],
    checks: list[SkillCheck],
    have: list[tp.Item],
    matcher: SkillMatcher,
    job_languages: list[LanguageFact],
    lines: list[str],
) -> None:
    """Tag each question with the required skill (or language) it asks about, in place."""
    variants: list[tuple[int, str]] = []
    for i, c in enumerate(checks):
        variants += [(i, f) for f in skill_forms(c.skill)]
        variants += [
            (i, f) for f in sorted(matcher.esco_labels(c.skill) or ()) if len(f.split()) <= 3
        ]
        if c.found and c.quote is not None:
            variants += [
                (i, normalize(it.text))
                for it in have
                if it.line == c.quote.line and it.text in c.quote.text
            ][:1]
    texts = []
    for qa in interview:
        m = _SPEAKER.match(lines[qa.question.line - 1])
        texts.append(m.group("text") if m else lines[qa.question.line - 1])
    sims = None
    if matcher.embedder is not None and variants and texts:
        vecs = matcher.embedder.encode([v for _, v in variants] + texts)
        sims = vecs[len(variants) :] @ vecs[: len(variants)].T
    for k, qa in enumerate(interview):
        q = texts[k]
        if "?" not in q and not _ASKS.search(q):  # greetings and closings ask nothing
            continue
        langs = [lg.name for lg in job_languages if re.search(rf"\b{re.escape(lg.name)}\b", q)]
        if langs:
            qa.topic, qa.topic_kind = f"language:{langs[0]}", "language"
            continue
        qs = stems(q)
        best, best_score = None, 0.0
        for v_i, (i, v) in enumerate(variants):
            vs = stems(v)
            share = len(vs & qs) / len(vs) if vs else 0.0
            if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", q.lower()):
                score = 1.0 + len(vs) / 100  # the whole phrase; longer phrases win
            elif share >= 0.6:
                score = 0.8 * share
            elif sims is not None and sims[k, v_i] >= QUESTION_THRESHOLD:
                score = 0.5 * float(sims[k, v_i])
            else:
                score = 0.0
            if score > best_score:
                best, best_score = i, score
        if best is not None:
            qa.topic, qa.topic_kind = checks[best].skill, "skill"
            checks[best].asked.append(k)


# ---- the sheet --------------------------------------------------------------------------------


def build_sheet(
    fields: Mapping[str, str], matcher: SkillMatcher | None = None, as_of: object = None
) -> Sheet:
    """The evidence sheet of one candidate (``fields``: role, job_description, resume, transcript).

    ``as_of`` is the record's reference date (``YYYY-MM``); without it "present" means today.
    """
    matcher = matcher or SkillMatcher()
    jd, resume, transcript = (
        str(fields.get(k) or "") for k in ("job_description", "resume", "transcript")
    )
    cv_lines = tp.lines_of(resume)
    asks = job_asks(jd)
    have = tp.skill_items(resume)
    pairs = matcher.match([it.text for it in asks.required], [it.text for it in have])
    checks = []
    for it, hit in zip(asks.required, pairs, strict=True):
        if hit is None:
            checks.append(SkillCheck(it.text, False, jd_line=it.line))
            continue
        j, how, score = hit
        checks.append(
            SkillCheck(
                it.text,
                True,
                Quote("resume", have[j].line, _verbatim(cv_lines, have[j])),
                how,
                round(score, 3),
                jd_line=it.line,
            )
        )
    when = tp.parse_as_of(as_of)
    reason = "record" if when else "today"
    when = when or date.today()
    roles = tp.dated_roles(resume, when)
    years = round(tp.experience_months(roles, when) / 12, 1) if roles else None
    job_langs = [
        LanguageFact(lg.name, lg.level, Quote("job_description", lg.line, lg.quote))
        for lg in asks.languages
    ]
    cand_langs = [
        LanguageFact(lg.name, lg.level, Quote("resume", lg.line, lg.quote))
        for lg in tp.languages_in(resume)
        if lg.level is not None
    ]
    interview = interview_pairs(transcript)
    _tag_questions(interview, checks, have, matcher, job_langs, tp.lines_of(transcript))
    years_quote = asks.years_quote
    role = " ".join(str(fields.get("role") or "").split())
    return Sheet(
        required=checks,
        preferred=[it.text for it in asks.preferred],
        min_years=asks.min_years,
        min_years_quote=Quote("job_description", years_quote.line, years_quote.text)
        if years_quote
        else None,
        years=years,
        roles=[Quote("resume", r.line, r.quote) for r in roles],
        as_of=f"{when.year}-{when.month:02d}",
        as_of_reason=reason,
        job_languages=job_langs,
        languages=cand_langs,
        interview=interview,
        presence=asks.presence,
        degree=asks.degree,
        role_match=role_match(role, cv_lines, matcher) if role else None,
    )


ROLE_LINE_WORDS = 60  # longer resume lines (prose paragraphs) are left out of the role match


def role_match(role: str, lines: list[str], matcher: SkillMatcher) -> RoleMatch:
    """The resume line closest to ``role``: one holding every content word of the role (any
    order, 5-letter stems) wins outright; else the highest MiniLM cosine. Lines are what the
    resume's roles are written on (titles, dated roles, a summary naming an occupation); a
    heading or a contact line scores low against any role."""
    cands = [
        (k, ln.strip())
        for k, ln in enumerate(lines, 1)
        if ln.strip() and len(ln.split()) <= ROLE_LINE_WORDS
    ]
    if not cands:
        return RoleMatch(role, None, 0.0, "none")
    want = stems(role)
    for k, text in cands:
        if want and want <= stems(text):
            return RoleMatch(role, Quote("resume", k, text), 1.0, "words")
    if matcher.embedder is None:
        return RoleMatch(role, None, 0.0, "none")
    vecs = matcher.embedder.encode([role, *(t for _, t in cands)])
    cos = vecs[1:] @ vecs[0]
    best = int(np.argmax(cos))
    k, text = cands[best]
    return RoleMatch(role, Quote("resume", k, text), round(float(cos[best]), 3), "embedding")


def _verbatim(lines: list[str], item: tp.Item) -> str:
    """The item as it stands in its line (the item text was cleaned of bullets and emphasis)."""
    line = lines[item.line - 1]
    if item.text in line:
        return item.text
    return line.strip()
