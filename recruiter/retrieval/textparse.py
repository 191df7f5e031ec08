"""Facts read from free text: sections, skill lists, dated roles, languages.

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
* a job ad's asks are read by :mod:`.jobasks` with these helpers.

The cue words are ordinary job-ad English, not the vocabulary of any one generator; what they
miss is reported as "not found", never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .filters import CEFR

# ---- lines and sections -----------------------------------------------------------------------

BULLET = re.compile(r"^\s*(?:[-*•+·▪◦]|\d+[.)])\s+")
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
    line = BULLET.sub("", line)
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
