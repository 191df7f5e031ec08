"""Text cleaning for hiring records: one deterministic, idempotent ``clean_text`` per field.

What it does, in order (each step was written against the public LLM-generated hiring export,
see the trade-offs below):

1. HTML entities are decoded (only the ``&name;`` / ``&#NN;`` forms, so ``AT&T`` or ``R&D`` stay),
   then Unicode NFKC (full-width letters, ligatures, NBSP -> plain forms), ``\\r\\n`` -> ``\\n``,
   and invisible characters are dropped: zero-width U+200B..U+200F, U+2060..U+2064, BOM U+FEFF,
   soft hyphen U+00AD, bidi controls U+202A..U+202E / U+2066..U+2069, other C0/C1 controls
   (vertical tab, form feed and NEL become newlines first, so words are not glued together).
   Words an LLM spelled out letter by letter ("g, a, m, i, n, g, ,,  , r, e, t, a, i, l") are
   joined back ("gaming, retail"); without this, 3.5 % of the records look like junk to spam.
2. Code is protected: fenced blocks (```` ``` ````) are kept verbatim with their fences, inline
   code keeps its backticks when it contains markup (``<``/``>``), and loses them otherwise.
   Interviews for UI roles contain candidates' HTML (```<nav><ul><li>...```); stripping those
   backticks would expose the code to the tag stripper on the next pass and break idempotency.
3. HTML tags are stripped only for real HTML element names (``<p>``, ``<br>``, ``<li>``, ``<a href>``
   -> ``text (url)``); ``<pause>``, ``Map<Integer, Integer>`` or ``#include <iostream>`` survive.
4. The export's `` | `` line joins become newlines again when they outnumber real newlines (a
   flattened field); a single `` | `` inside a normal multi-line field is an inline separator and
   stays. Markdown table rows become ``cell; cell`` lines.
5. Markdown: ``**bold**``, ``__bold__``, ``*emphasis*``, ``# headings``, ``> quotes``, horizontal
   rules are removed; ``*``/``+``/``•`` bullets become ``- `` items (nesting kept as 4 spaces per
   level); ``[text](url)`` becomes ``text (url)``, or just the address when the text repeats it
   (``[a@b.com](mailto:a@b.com)`` -> ``a@b.com``), so PII masking still sees every address.
6. LLM generation artefacts are removed: leading preambles ("Here's a simulated interview for
   ...:", "Here is a comprehensive job description ...:", "Sure! Here is ...", "I must note that
   ... However, I'll create a fictional resume ...") and trailing notes ("I hope this helps",
   "Note: this is just a sample ...", "End of interview", "Post-interview notes:", "In this
   simulated interview, X struggles ..."). A trailing note is cut (with everything after it)
   only when at least 200 characters precede it, it is not a speaker turn and no speaker turn
   follows it, so interviewer "notes" between two parts of the dialogue are kept. Review
   headings ("Recommendations:", "Areas for improvement:", "Overall, X performed ...") count
   only after a dialogue (two speakers with two turns each): in the export's evaluation-style
   "resumes" they are the body of the document, and cutting them would leave a stub.
7. Runs of spaces/tabs collapse to one space, at most one blank line, the field is trimmed.

``clean_text`` is applied until it reaches a fixed point, so ``clean_text(clean_text(x)) ==
clean_text(x)`` holds by construction (two passes on this data; the loop is capped at 4).

Trade-offs: trailing narrator notes such as "Overall, Hank performed well ..." are generation
artefacts *and* label leaks; they are removed here (the transcript has ended), so the leak
stage sees fewer of them. Template placeholders like ``[insert contact information]`` are left
alone: harmless, and removing them would leave broken sentences. Code indentation is only kept
inside fenced blocks; elsewhere leading whitespace is dropped except for list nesting.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence

from ..inference.preflight import INVISIBLE

__all__ = ["clean_text", "clean_record"]

# -------------------------------------------------------------------------- characters

# The same set the serving preflight strips, so training and live text are cleaned alike.
_INVISIBLE = INVISIBLE
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SENTINEL = re.compile("[\ue000\ue001]")  # placeholders for protected code; never in output
# Words spelled out letter by letter ("g, a, m, i, n, g, ,,  , r, e, t, a, i, l"): a generation bug
# in 104 records of the public export. ", " joins letters of one word; any other comma/space run
# was a word boundary. Six letters at least, so "A, B, C" grade lists stay.
_CHAR_SPLIT = re.compile(r"(?<![\w,])[a-z](?:,[ ,]*[a-z](?!\w)){5,}", re.I)
_CHAR_SEP = re.compile(r",[ ,]*")

# -------------------------------------------------------------------------- html

_HTML_TAGS = (
    "a abbr address article aside b big blockquote body br caption center cite code col "
    "colgroup dd del details div dl dt em font footer h1 h2 h3 h4 h5 h6 head header hr html i "
    "img ins kbd label li main mark meta nav ol p pre s section small span strike strong sub "
    "summary sup table tbody td tfoot th thead title tr tt u ul"
).split()
_TAG_NAMES = "|".join(sorted(_HTML_TAGS, key=len, reverse=True))
_HTML_DROP_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_ANCHOR = re.compile(
    r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a\s*>", re.I | re.S
)
_HTML_BREAK = re.compile(
    r"<\s*(?:br|hr)\s*/?\s*>|</\s*(?:p|div|h[1-6]|tr|table|ul|ol|section|article|header|footer|blockquote|pre|dd|dt|title)\s*>",
    re.I,
)
_HTML_LI = re.compile(r"<\s*li\b[^>]*>", re.I)
_HTML_TAG = re.compile(rf"</?\s*(?:{_TAG_NAMES})\b(?:\s+[^<>]*?)?\s*/?>", re.I)

# -------------------------------------------------------------------------- markdown

_FENCE = re.compile(r"^[ \t]*```[^\n]*\n.*?^[ \t]*```[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.M)
_TABLE_SEP = re.compile(
    r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+(?:[ \t]*:?-{3,}:?[ \t]*)?\|?[ \t]*(?:\n|$)", re.M
)
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.M)
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*([^)\s]*)\s*\)")
_BOLD_STAR = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_BOLD_UNDER = re.compile(r"__(?=\S)(.+?)(?<=\S)__(?!\w)")  # preceding char checked in _unbold
_EMPH_STAR = re.compile(
    r"\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])"
)  # preceding char checked in _unemph
_STRAY_STARS = re.compile(r"\*{2,}")
_BULLET = re.compile(
    r"^([ \t]*)(?:[*+\u2022\u00b7\u25aa\u25cf\u2023\u25e6\u2013-])[ \t]+(?=\S)", re.M
)
_NUMBERED = re.compile(r"^[ \t]+(?=\d{1,3}[.)][ \t])", re.M)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

# -------------------------------------------------------------------------- LLM artefacts

_GEN_NOUN = (
    r"(?:resume|résumé|cv|profile|transcript|interview|simulation|conversation|dialogue|"
    r"job description|description|job posting|posting|example|sample|version|draft|template|"
    r"scenario|role[- ]?play)"
)
# A first line that introduces generated content: "Here's a sample resume for Bob Miller:",
# "Sure! Here is a comprehensive job description for ...:", "What a unique combination of
# skills! Here's a resume for ...:", "Below is the interview transcript:".
_PREAMBLE = re.compile(
    r"^(?:(?:sure|certainly|of course|okay|ok|absolutely|great|alright|what an? [^.!?\n]{0,80})"
    r"[!.,:]*\s+)?"
    r"(?:here(?:'s| is| are)|below (?:is|are)|the following is|this is)\b"
    rf"[^\n]{{0,400}}?\b{_GEN_NOUN}s?\b[^\n]{{0,400}}$",
    re.I,
)
# Short first-line-only preambles without a noun: "Here it is:", "Here you go:".
_PREAMBLE_SHORT = re.compile(r"^(?:sure[!.,]?\s*)?here (?:it is|you go|goes)[!.:]*$", re.I)
# Leading meta/refusal paragraphs: "I must note that Hank Williams ... However, I'll create a
# fictional resume ...", "I couldn't find any information on ...", "I think there may be a
# confusion here."
_LEADING_META = re.compile(
    r"^(?:i must (?:note|point out|clarify)|i think there (?:may|might) be|i couldn'?t find|"
    r"i could not find|i need to (?:clarify|note|know)|however,? i (?:must|can|need|'ll|will|would)|"
    r"since\b[^\n]{0,200}?\bi'?ll (?:create|generate|write|make)|"
    r"i can(?:'t|not)? (?:generate|create|provide|write)|i'?ll (?:create|generate|write)|"
    r"as an ai\b|keep in mind that this|please note that this|nevertheless,? i)",
    re.I,
)
# Trailing notes, matched at the start of a paragraph (after markdown/paren stripping).
# Generation notes are cut from any field ...
_TRAILING_NOTE = re.compile(
    r"^(?:note\b\s*[:\-]|notes?\s*:|note that\b|please note|i hope (?:this|these|that|you)|hope this helps|"
    r"(?:please )?let me know|feel free to|remember to|remember,|good luck|disclaimer\b|"
    r"(?:this|that)(?:'s| is) (?:the )?end of|(?:and )?that(?:'s| is) (?:the )?end of|"
    r"end of (?:the )?(?:interview|transcript|simulation|conversation|simulated)|"
    r"the interview (?:ends|concludes|is over)|"
    r"in (?:this|the above) (?:simulated |sample |example )?(?:interview|simulation|transcript|scenario|example|conversation)\b|"
    r"(?:this|the above) (?:is (?:just |only )?(?:a|an|one)\b[^\n]{0,40}\b(?:sample|simulat|fictional|hypothetical|example|imaginary)|"
    r"(?:sample |simulated |fictional |interview )?(?:resume|transcript|interview|simulation|job description|profile|conversation|example)\b"
    r"[^\n]{0,30}\b(?:is|was|has been|highlights|demonstrates|shows|showcases|provides|should|aims|illustrates|serves|is designed|is tailored|is intended))|"
    r"i'?ve (?:kept|tailored|included|made|highlighted|created|written|assumed|used|added))",
    re.I,
)
# ... post-interview reviews only after a dialogue: in an evaluation-style document the same
# headings ("Areas for improvement:", "Recommendations:") are its body, not an appendix.
_TRAILING_REVIEW = re.compile(
    r"^(?:(?:post[- ]interview|after the interview|interviewer(?:'s)?|[a-z .]{2,40}'s) (?:notes?|evaluation|assessment|feedback|summary|thoughts)\b|"
    r"(?:evaluation|assessment|recommendations?|interview (?:summary|evaluation|notes?|feedback|assessment)|"
    r"summary of (?:the )?(?:interview|candidate)|candidate evaluation|final (?:thoughts|decision|evaluation|assessment)|"
    r"strengths and weaknesses|areas? (?:for|of) improvement|highlights? of (?:strengths|weaknesses))\s*:|"
    r"based on (?:this|the) (?:interview|conversation|transcript|simulation)|"
    r"overall,? (?:the candidate|[a-z]+(?: [a-z]+)?) (?:performed|performs|did|showed|shows|demonstrated|demonstrates|struggled|struggles|has|had|is|was|seems|appears))",
    re.I,
)
_MIN_KEPT = 200  # characters that must precede a trailing note for it to be cut
_SPEAKER = re.compile(r"^[A-Za-z][\w .'\-]{0,40}:\s+\S")
_PARA_LEAD = re.compile(r"^[\s(\[*_\-]+")

# -------------------------------------------------------------------------- whitespace

_BLANKS = re.compile(r"\n{3,}")


def _decode(text: str) -> str:
    for _ in range(3):  # "&amp;lt;" -> "&lt;" -> "<"
        new = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
        if new == text:
            break
        text = new
    text = unicodedata.normalize("NFKC", text)
    text = (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n\n")
    )
    text = text.replace("\x0b", "\n").replace("\x0c", "\n").replace("\x85", "\n")
    text = _INVISIBLE.sub("", text)
    return _SENTINEL.sub("", text)


def _unsplit(match: re.Match) -> str:
    return _CHAR_SEP.sub(lambda sep: "" if sep.group() == ", " else ", ", match.group())


def _link(text: str, url: str) -> str:
    text = text.strip()
    address = url[7:] if url.lower().startswith("mailto:") else url
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", address, flags=re.I).rstrip("/")
    if not address:
        return text
    if not text or text.lower() in {address.lower(), bare.lower(), url.lower()}:
        return address
    if (
        re.sub(r"^(?:https?://)?(?:www\.)?", "", text, flags=re.I).rstrip("/").lower()
        == bare.lower()
    ):
        return text
    return f"{text} ({address})"


def _html(text: str) -> str:
    if "<" not in text:
        return text
    text = _HTML_DROP_BLOCK.sub("", text)
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_ANCHOR.sub(lambda m: _link(_HTML_TAG.sub("", m.group(2)), m.group(1)), text)
    text = _HTML_LI.sub("\n- ", text)
    text = _HTML_BREAK.sub("\n", text)
    return _HTML_TAG.sub("", text)


def _table_row(match: re.Match) -> str:
    row = match.group(1)
    return "; ".join(cell.strip() for cell in row.split("|") if cell.strip())


def _bullet(match: re.Match) -> str:
    indent = len(match.group(1).expandtabs(4))
    return "    " * min(math.ceil(indent / 4), 3) + "- "


def _unwrap(match: re.Match, text: str, not_after: str) -> str:
    """Drop emphasis markers unless the opening one follows a word char (``2*3*4``, ``a__b__``)."""
    start = match.start()
    if start and re.match(f"[{not_after}]", text[start - 1]):
        return match.group()
    return match.group(1)


def _markdown(text: str) -> str:
    if "|" in text:
        text = _TABLE_SEP.sub("", text)
        text = _TABLE_ROW.sub(_table_row, text)
        if text.count(" | ") > text.count("\n"):
            text = text.replace(" | ", "\n")
    if "](" in text:
        text = _IMAGE_OR_LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = _RULE.sub("", text)
    if "#" in text:
        text = _HEADING.sub(r"\1", text)
    if ">" in text:
        text = _QUOTE.sub("", text)
    if "*" in text:
        text = _BOLD_STAR.sub(r"\1", text)
        text = _EMPH_STAR.sub(lambda m: _unwrap(m, text, "\\w*"), text)
        text = _STRAY_STARS.sub("", text)
    if "__" in text:
        text = _BOLD_UNDER.sub(
            lambda m: m.group() if _IDENTIFIER.fullmatch(m.group(1)) else _unwrap(m, text, "\\w"),
            text,
        )
    text = _BULLET.sub(_bullet, text)
    return _NUMBERED.sub("", text)


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _strip_preamble(text: str) -> str:
    paras = _paragraphs(text)
    while len(paras) > 1 and _LEADING_META.match(_PARA_LEAD.sub("", paras[0])):
        paras.pop(0)
    if not paras:
        return ""
    text = "\n\n".join(paras)
    first, _, rest = text.partition("\n")
    head = _PARA_LEAD.sub("", first).strip()
    if rest.strip() and len(head) <= 500 and (_PREAMBLE.match(head) or _PREAMBLE_SHORT.match(head)):
        return rest
    return text


def _strip_trailing(text: str) -> str:
    """Cut from the first trailing-note paragraph after which no speaker turn follows.

    The rule only looks at what precedes a candidate paragraph (>= ``_MIN_KEPT`` characters,
    a speaker turn for review headings) and at whether dialogue follows it, never at the field's
    total length: so cutting is stable (a second pass makes no further cut) and interviewer
    "notes" sections between two parts of the dialogue are kept.
    """
    paras = _paragraphs(text)
    leads = [_PARA_LEAD.sub("", p) for p in paras]
    turns = [_is_turn(lead) for lead in leads]
    seen = 0
    for i, lead in enumerate(leads):
        if (
            i
            and seen >= _MIN_KEPT
            and not turns[i]
            and not any(turns[i + 1 :])
            and (
                _TRAILING_NOTE.match(lead)
                or (_is_dialogue(leads[:i]) and _TRAILING_REVIEW.match(lead))
            )
        ):
            return "\n\n".join(paras[:i])
        seen += len(paras[i])
    return text


def _is_dialogue(leads: list[str]) -> bool:
    """Two speakers with two turns each ("Interviewer:", "Bob:"); a document of "Position: x",
    "Candidate profile: y" headers is not a dialogue."""
    speakers = Counter(lead.split(":", 1)[0].strip().lower() for lead in leads if _is_turn(lead))
    return sum(1 for n in speakers.values() if n >= 2) >= 2


def _is_turn(para: str) -> bool:
    """A speaker turn ("Rachel Lee: ...") is dialogue, never a trailing note."""
    if not _SPEAKER.match(para):
        return False
    label = para.split(":", 1)[0].lower()
    return not re.search(
        r"\b(?:note|notes|evaluation|assessment|recommendations?|summary|feedback|disclaimer)$",
        label,
    )


def _whitespace(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        body = line.strip()
        if "  " in body or "\t" in body or "\f" in body or "\v" in body:
            body = " ".join(body.split())
        # Only nested "- " items keep their (already normalised) indentation.
        indent = line[: len(line) - len(line.lstrip(" "))] if body.startswith("- ") else ""
        lines.append(indent + body if body else "")
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _clean_once(text: str) -> str:
    text = _decode(text)
    code: list[str] = []

    def protect(block: str) -> str:
        code.append(block)
        return f"\ue000{len(code) - 1}\ue001"

    text = _FENCE.sub(
        lambda m: protect("\n".join(row.rstrip() for row in m.group().strip().split("\n"))), text
    )
    text = _INLINE_CODE.sub(
        lambda m: protect(m.group()) if re.search(r"[<>]", m.group(1)) else m.group(1), text
    )
    if ", " in text:
        text = _CHAR_SPLIT.sub(_unsplit, text)
    text = _html(text)
    text = _markdown(text)
    text = _whitespace(text)
    for _ in range(4):
        new = _strip_trailing(_strip_preamble(text))
        if new == text:
            break
        text = new
    text = _whitespace(text)
    return re.sub("\ue000(\\d+)\ue001", lambda m: code[int(m.group(1))], text)


def clean_text(text: object) -> str:
    """Clean one field (see the module docstring); ``None``/NaN -> ``""``; idempotent."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = str(text)
    for _ in range(4):
        new = _clean_once(text)
        if new == text:
            break
        text = new
    return text


def clean_record(
    record: Mapping, fields: Sequence[str], min_chars: Mapping[str, int]
) -> tuple[dict | None, str | None]:
    """Clean ``fields`` of a copy of ``record``; ``(None, reason)`` when it must be dropped.

    A field listed in ``min_chars`` is required: it is dropped as ``"empty:<field>"`` when
    nothing is left after cleaning, or ``"too_short:<field>"`` when it is shorter than its
    minimum. Fields not in ``min_chars`` (``reason`` by default) may end up empty. Fields that
    are absent from the record are treated as empty. The input record is never modified.
    """
    out = dict(record)
    for name in fields:
        out[name] = clean_text(record.get(name))
    for name in fields:
        if name not in min_chars:
            continue
        length = len(out[name])
        if length == 0:
            return None, f"empty:{name}"
        if length < min_chars[name]:
            return None, f"too_short:{name}"
    return out, None


# An export can carry the decision reason in the job-description column and a job spec in the
# reason column (seen in the public "combined" export for ~960 consecutive rows). Left alone, the
# "job description" states the outcome ("lacked key technical skills") and leaks the label. The
# test is deliberately narrow: the JD must read as a list of past-tense verdicts about a person AND
# the reason must read as a job spec; only then are the two swapped back (and counted).
_VERDICT_CLAUSE = re.compile(
    r"^\s*(had|has|lacked|lacks|needed|needs|showed|shows|demonstrated|communicated|displayed|"
    r"exhibited|struggled|was|were|did not|didn't|failed|could not|couldn't|gave|provided|"
    r"possessed|impressed|excelled|performed)\b",
    re.IGNORECASE,
)
_JOB_SPEC = re.compile(
    r"expected_experience|\b(years?|domains?|required|responsibilit\w*|requirements?)\b",
    re.IGNORECASE,
)


def reads_as_verdict(text: str) -> bool:
    """A short text whose clauses are mostly past-tense verdicts about a person."""
    clauses = [c for c in re.split(r"[.,;\n]+", text) if c.strip()]
    if not clauses or len(text) > 400:
        return False
    return sum(bool(_VERDICT_CLAUSE.match(c)) for c in clauses) / len(clauses) >= 0.5


def reason_and_jd_swapped(record: Mapping) -> bool:
    """True when ``job_description`` holds verdicts about the candidate and ``reason`` a job spec."""
    jd, reason = str(record.get("job_description") or ""), str(record.get("reason") or "")
    return reads_as_verdict(jd) and bool(_JOB_SPEC.search(reason))


def repair_swapped_columns(record: Mapping) -> tuple[dict, bool]:
    """Swap ``job_description`` and ``reason`` back when :func:`reason_and_jd_swapped`."""
    if not reason_and_jd_swapped(record):
        return dict(record), False
    out = dict(record)
    out["job_description"], out["reason"] = (
        record.get("reason", ""),
        record.get("job_description", ""),
    )
    return out, True
