"""Facts read from free text: sections, skill lists, dated roles, languages, a job ad's asks.

The structured side of retrieval (``skills``, ``experience``, ``languages`` fields) is often
missing from real exports, where all there is are a resume, a transcript and a job ad. These
parsers read those texts the way a recruiter skims them, and every fact keeps the 1-based line
it came from and the verbatim text that shows it, so a reader can check it:

* **sections**: headings in the common forms (``SKILLS``, ``## Skills``, ``**Technical Skills:**``,
  ``Skills:`` alone on a line, a short Title-case line followed by items);
* **skill items**: a skills section's bullets and comma lists (``* Languages: Java, Python``
  gives two), or an inline ``Skills: a, b`` / ``Key skills: a; b`` line;
* **dated roles**: date ranges ``2021-03 – present``, ``Mar 2021 - Jun 2023``, ``03/2021 to
  06/2023``, ``2015-2018``, ``From 2019-01 to 2020-06``; ``present`` resolves against a reference
  date (the record's own ``as_of`` when it has one, else today); ranges in an education section or
  on a degree line are not work. Years of experience are the union of the ranges (overlaps count
  once);
* **languages**: a language name with a CEFR level (``German (B2)``, ``English at C1 level``) or
  a level word (native, fluent, basic …) next to it;
* **a job ad's asks**: required and preferred skills (requirement sections' bullets, or the list
  after a cue such as "Must-haves:", "you need", "skills in", "Nice to have:"), minimum years,
  languages with levels, presence and degree.

The cue words are ordinary job-ad English, not the vocabulary of any one generator; what they
miss is reported as "not found", never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .filters import CEFR

# ---- lines and sections -----------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•+·▪◦]|\d+[.)])\s+")
_MD_HEAD = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD_HEAD = re.compile(r"^\s*\*\*([^*]{2,60}?):?\*\*:?\s*$")
_COLON_HEAD = re.compile(r"^\s*([A-Za-z][A-Za-z &/,'()-]{1,50}):\s*$")
_CAPS_HEAD = re.compile(r"^\s*([A-Z][A-Z &/]{2,40})\s*$")
_TITLE_HEAD = re.compile(r"^\s*([A-Z][a-z]+(?: [A-Za-z&/]+){0,3})\s*$")
_KNOWN_HEADS = {
    "summary", "profile", "objective", "skills", "technical skills", "core skills", "key skills",
    "experience", "work experience", "professional experience", "employment", "work history",
    "education", "languages", "certifications", "projects", "achievements", "other",
    "contact", "contact information", "references", "interests", "awards", "publications",
    "requirements", "qualifications", "responsibilities", "nice to have", "benefits", "about us",
    "about the role", "what you bring", "what we offer", "preferred qualifications",
}  # fmt: skip


def lines_of(text: str) -> list[str]:
    return str(text or "").splitlines()


def clean_line(line: str) -> str:
    """A line without bullets, markdown emphasis and surrounding space."""
    line = _BULLET.sub("", line)
    return line.replace("**", "").replace("__", "").strip()


def heading(line: str, next_line: str | None = None) -> str | None:
    """The lower-cased name of a section heading, or ``None`` for an ordinary line."""
    for rx in (_MD_HEAD, _BOLD_HEAD, _COLON_HEAD, _CAPS_HEAD):
        m = rx.match(line)
        if m:
            return " ".join(m.group(1).replace("*", "").lower().split()).rstrip(":")
    m = _TITLE_HEAD.match(line)
    if m and m.group(1).lower() in _KNOWN_HEADS:
        return m.group(1).lower()
    return None


@dataclass(frozen=True)
class Section:
    name: str  # lower-cased heading ("" for text before the first heading)
    start: int  # 0-based index of the first line after the heading
    end: int  # 0-based index one past the last line


def sections(text: str) -> list[Section]:
    lines = lines_of(text)
    heads = [(i, h) for i, ln in enumerate(lines) if (h := heading(ln)) is not None]
    out, prev, name = [], 0, ""
    for i, h in heads:
        out.append(Section(name, prev, i))
        prev, name = i + 1, h
    out.append(Section(name, prev, len(lines)))
    return [s for s in out if s.end > s.start or s.name]


# ---- skill items ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    text: str  # the item as written (bullets and markdown removed)
    line: int  # 1-based line in the document


_SKILL_HEAD = re.compile(r"\bskills?\b|\bcompetenc|\bexpertise\b|\btechnolog|\btools\b", re.I)
_INLINE_SKILLS = re.compile(
    r"^\s*(?:\*\*)?(?:technical |core |key |main |relevant )?skills(?:\*\*)?\s*[:\-–]\s*(?:\*\*)?\s*(.+)$",
    re.I,
)
_SPLIT = re.compile(r"\s*[,;|•·]\s*|\s+/\s+")


def split_list(body: str, split_and: bool = True) -> list[str]:
    """Items of a list written in prose: commas and semicolons; "and"/"or" splits only the last
    comma item ("a, b and c"), or a list without commas ("a and b"), so that a middle item such
    as "testing and inspection" stays whole. ``split_and=False`` never splits on "and"."""
    body = re.sub(r"\(([^()]*,[^()]*)\)", lambda m: ", " + m.group(1), body)  # "AWS (S3, EMR)" -> 3
    parts = [p.strip().strip(".:*- ") for p in _SPLIT.split(body)]
    parts = [re.sub(r"^(?:and|or|&)\s+", "", p) for p in parts if p]
    if parts and split_and and len(parts[-1].split()) > 1:
        last = re.split(r"\s+(?:and|or|&)\s+", parts[-1])
        parts = parts[:-1] + last
    return [p.strip().strip(".:*- ") for p in parts if p.strip().strip(".:*- ")]


def skill_items(text: str) -> list[Item]:
    """Skill strings of a resume with their lines: skills sections and inline skills lines."""
    lines = lines_of(text)
    out: list[Item] = []
    for sec in sections(text):
        if not sec.name or not _SKILL_HEAD.search(sec.name):
            continue
        for i in range(sec.start, sec.end):
            body = clean_line(lines[i])
            if not body:
                continue
            if ":" in body[:40]:  # "Programming languages: Java, Python"
                head, _, rest = body.partition(":")
                body = rest if rest.strip() else head
            out += [Item(s, i + 1) for s in split_list(body)]
    for i, ln in enumerate(lines):
        m = _INLINE_SKILLS.match(ln)
        if m and m.group(1).strip():
            out += [Item(s, i + 1) for s in split_list(m.group(1).replace("**", ""))]
    seen, unique = set(), []
    for it in out:
        key = " ".join(it.text.lower().split())
        if key not in seen and 0 < len(it.text) <= 80:
            seen.add(key)
            unique.append(it)
    return unique


# ---- dates and experience ---------------------------------------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}  # fmt: skip
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ONE = (
    rf"(?:(?P<{{p}}mon>{_MON})\s+(?P<{{p}}y1>(?:19|20)\d\d)"
    rf"|(?P<{{p}}y2>(?:19|20)\d\d)[-/.](?P<{{p}}m2>0?[1-9]|1[0-2])(?!\d)"
    rf"|(?P<{{p}}m3>0?[1-9]|1[0-2])[/.](?P<{{p}}y3>(?:19|20)\d\d)"
    rf"|(?P<{{p}}y4>(?:19|20)\d\d))"
)
_NOW = r"(?P<now>present|current|now|today|date|ongoing)"
_RANGE = re.compile(
    rf"(?<![\d/.-]){_ONE.format(p='a')}\s*(?:–|—|-|to|until|till)\s*(?:{_ONE.format(p='b')}|{_NOW})(?![\d/])",
    re.I,
)
_EDU_LINE = re.compile(
    r"\b(?:b\.?sc|m\.?sc|b\.a\.|m\.a\.|ba|ma|mba|ph\.?d|bachelor'?s?|master'?s?|diploma|degree|"
    r"university|college|gpa)\b|\bgraduat",
    re.I,
)


def _ym(m: re.Match, p: str) -> tuple[int, int] | None:
    g = m.groupdict()
    if g.get(f"{p}mon"):
        return int(g[f"{p}y1"]), _MONTHS[g[f"{p}mon"][:3].lower()]
    if g.get(f"{p}y2"):
        return int(g[f"{p}y2"]), int(g[f"{p}m2"])
    if g.get(f"{p}y3"):
        return int(g[f"{p}y3"]), int(g[f"{p}m3"])
    if g.get(f"{p}y4"):
        return int(g[f"{p}y4"]), 1
    return None


@dataclass(frozen=True)
class DatedRole:
    quote: str  # the date range as written
    line: int  # 1-based
    start: tuple[int, int]  # (year, month)
    end: tuple[int, int] | None  # None: "present"
    months: int


def parse_as_of(value: object) -> date | None:
    """A record's reference date (``2025-06`` or ``2025-06-30``), or ``None``."""
    m = re.match(r"^\s*((?:19|20)\d\d)-(\d{1,2})(?:-(\d{1,2}))?", str(value or ""))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))


def dated_roles(text: str, as_of: date | None = None) -> list[DatedRole]:
    """Date ranges of work in a resume ("present" = ``as_of``, default today)."""
    today = as_of or date.today()
    now = (today.year, today.month)
    lines = lines_of(text)
    edu = set()
    for sec in sections(text):
        if re.search(r"educat|academ|qualification|certif|training", sec.name):
            edu.update(range(sec.start, sec.end))
    out = []
    for i, ln in enumerate(lines):
        if i in edu:
            continue
        for m in _RANGE.finditer(ln):
            if _EDU_LINE.search(ln) and not re.search(r"\bworked\b|\bas\b", ln, re.I):
                continue
            start = _ym(m, "a")
            end = None if m.group("now") else _ym(m, "b")
            stop = end or now
            months = (stop[0] - start[0]) * 12 + stop[1] - start[1]
            if months < 0 or months > 600:
                continue
            out.append(DatedRole(m.group(0), i + 1, start, end, months))
    return out


def experience_months(roles: list[DatedRole], as_of: date | None = None) -> int:
    """Months covered by the roles, overlaps counted once."""
    today = as_of or date.today()
    spans = sorted(
        (r.start[0] * 12 + r.start[1], (r.end or (today.year, today.month))[0] * 12
         + (r.end or (today.year, today.month))[1])
        for r in roles
    )  # fmt: skip
    total, cur_s, cur_e = 0, None, None
    for s, e in spans:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


# ---- languages --------------------------------------------------------------------------------

LANGUAGES = (
    "English", "German", "French", "Spanish", "Italian", "Portuguese", "Dutch", "Polish",
    "Swedish", "Norwegian", "Danish", "Finnish", "Irish", "Greek", "Czech", "Slovak", "Hungarian",
    "Romanian", "Bulgarian", "Croatian", "Serbian", "Slovenian", "Ukrainian", "Russian",
    "Turkish", "Arabic", "Hebrew", "Persian", "Farsi", "Hindi", "Urdu", "Bengali", "Punjabi",
    "Tamil", "Telugu", "Marathi", "Gujarati", "Chinese", "Mandarin", "Cantonese", "Japanese",
    "Korean", "Vietnamese", "Thai", "Indonesian", "Malay", "Tagalog", "Filipino", "Swahili",
    "Amharic", "Yoruba", "Catalan", "Basque", "Galician", "Lithuanian", "Latvian", "Estonian",
    "Icelandic", "Albanian", "Afrikaans",
)  # fmt: skip
_LEVEL_WORDS = (
    (r"native|mother tongue|first language|bilingual", "native"),
    (r"near[- ]native", "C2"),
    (r"fluent|fluency|proficient|advanced|business[- ]level|professional working", "C1"),
    (r"upper[- ]intermediate|good command|conversational", "B2"),
    (r"intermediate|working knowledge", "B1"),
    (r"elementary|basic|beginner", "A2"),
)
_LANG_RX = re.compile(r"\b(" + "|".join(LANGUAGES) + r")\b")
_CEFR_RX = re.compile(r"\b([ABC][12])\b")


@dataclass(frozen=True)
class Language:
    name: str
    level: str | None  # CEFR or "native"; None when no level is stated
    line: int
    quote: str


def _level_near(text: str, last: bool = False) -> str | None:
    """A CEFR code, else a level word, in ``text``; ``last``: the one nearest its end."""
    codes = list(_CEFR_RX.finditer(text))
    if codes:
        return codes[-1 if last else 0].group(1)
    low = text.lower()
    hits = [
        (m.start(), level) for rx, level in _LEVEL_WORDS for m in re.finditer(rf"\b(?:{rx})", low)
    ]
    if not hits:
        return None
    return (max if last else min)(hits)[1]


def languages_in(text: str, lines: range | None = None) -> list[Language]:
    """Languages named with (or without) a level; the level is read within the clause."""
    all_lines = lines_of(text)
    out, seen = [], set()
    for i in lines if lines is not None else range(len(all_lines)):
        ln = all_lines[i]
        for m in _LANG_RX.finditer(ln):
            name = "Chinese" if m.group(1) == "Mandarin" else m.group(1)
            rest = ln[m.end() :]
            nxt = _LANG_RX.search(rest)
            clause = re.split(r"[;.]|,(?!\s*[ABC][12]\b)", rest[: nxt.start() if nxt else None])[0]
            before = ln[max(0, m.start() - 30) : m.start()]
            before = re.split(r"[;,.()]", before)[-1]
            after = clause[:40]
            level = (
                (_CEFR_RX.search(after) and _level_near(after))
                or _level_near(before, last=True)
                or _level_near(after)
            )
            end = m.end() + len(clause[:40].rstrip())
            key = (name, level)
            if key not in seen:
                seen.add(key)
                out.append(Language(name, level, i + 1, ln[m.start() : end].strip()))
    return out


def level_rank(level: str | None) -> int:
    return CEFR.index(level) if level in CEFR else -1


# ---- a job ad's requirements ------------------------------------------------------------------

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
            if not body or not _BULLET.match(lines[i]):
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
        if re.search(
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
