"""Label-leak scrub: remove the sentences that *state* the hiring outcome inside the inputs.

LLM-generated hiring records often contain their own label: "Here's a resume for Ivy, a selected
candidate for the Data Analyst role", "we won't be moving forward with your application",
"Congratulations, we'd like to offer you the position", "(to herself) Not a great fit." A model
trained on them learns to read the verdict, not to judge fit. This module removes exactly those
sentences and nothing else:

* the unit is a sentence (a simple splitter: newlines always end a sentence; ``.!?`` followed by
  whitespace end one unless the word before is an abbreviation such as "Dr." or an initial);
  a speaker label ("Interviewer: ", "**Rachel Lee:** ") or a "- " bullet is kept in front of
  the remaining sentences, and the line disappears when nothing else is left;
* two line-level rules drop a whole line: the interviewer's private asides ("(to herself)",
  "(thinking to themselves)", "(after the candidate leaves)", "mental note") and labelled notes
  ("Rachel Lee's notes: ...", "Interviewer's notes:", "Post-interview assessment:");
* patterns are compiled once, case-insensitive, and grouped in ``RULES`` (name -> pattern,
  optional "unless" pattern that vetoes the match for the sentence). ``find_leaks`` shows which
  rule matched what, for reports and for reading false positives.

What is deliberately *not* removed (false positives measured on the public export):

* look-alikes: "selected the best algorithm", "only those selected for an interview will be
  contacted" (JD boilerplate), "the selected candidate will ..." (JD), "if you're selected for
  the next round", "congratulations on that award", "welcome to the interview", "sets you apart
  from other candidates", "what kind of training would I get if I were hired";
* neutral closings ("We'll be in touch soon to let you know the next steps"): both classes have
  them, they carry no label;
* tone. "Excellent answer!" vs "Okay..." still separates the classes in some exports (a
  bag-of-words model stays far above chance after scrubbing); that is a property of the data to
  be documented and measured, not something a sentence filter can fix without deleting the
  interview itself;
* whole documents that are evaluations (some "resumes" in the combined export are interview
  feedback reports with "areas for improvement" sections): sentence scrubbing cannot make them
  neutral; ``looks_like_evaluation`` flags them so a caller can count or drop them.

Measured on the public export after ``clean`` (which already removes preambles such as "...,
a selected candidate for the role:" and post-interview narrator notes): 951 sentences/lines in
759 of 2,974 records (transcripts 583, resumes 368, JDs 0); on the raw text 1,284. Reading the
matches per rule found no false positive outside label noise of the export itself. A
bag-of-words logistic regression (5-fold CV, resume+transcript) stays at 0.998 on
durgesh_dataset4 and 0.995-1.0 on durgesh_dataset7 before and after cleaning + scrubbing: the
transcripts' tone carries the label; the resume-only score on dataset4 drops from 0.75 to 0.68.
``looks_like_evaluation`` matches 424 resumes of the combined export, every one a reject.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

__all__ = [
    "RULES",
    "LINE_RULES",
    "scrub",
    "scrub_record",
    "find_leaks",
    "split_sentences",
    "looks_like_evaluation",
]

_I = re.IGNORECASE
_ROLE_NOUN = r"(?:role|position|job|opening|post|vacancy)"
_PERSON = r"(?:you|he|she|they|i|we|who|the candidate|this candidate|the applicant)"
_HIS = r"(?:you|your|my|his|her|their|the|this|[a-z]+'s)"

# name -> (pattern, unless, keywords). A sentence is removed when its lower-cased text contains
# one of the keywords (a cheap substring pre-filter: most sentences never reach a regex), the
# pattern matches, and the "unless" pattern (if any) does not.
RULES: dict[str, tuple[re.Pattern, re.Pattern | None, tuple[str, ...]]] = {
    # "a selected candidate", "as a selected candidate", "the rejected applicant"; not JD
    # boilerplate ("the selected candidate will ...").
    "selected_candidate": (
        re.compile(
            r"\b(?:(?:a|an|the|as a|as the|our)\s+)?(?:newly[- ])?(?:selected|chosen|hired|rejected|shortlisted)\s+"
            r"(?:[\w/-]+\s+){0,2}?(?:candidate|applicant|hire)s?\b(?!'?\s+(?:will|must|should|would|is expected|is required|may|can)\b)"
            r"|\bnewly[- ](?:hired|selected|appointed)\b",
            _I,
        ),
        None,
        ("selected", "chosen", "hired", "rejected", "shortlisted", "newly"),
    ),
    # "who was selected for the role", "you've been selected for the Data Scientist position",
    # "despite not being selected for the role", "you're hired!", "the candidate is selected."
    "was_selected": (
        re.compile(
            r"(?:\b(?:was|were|been|being|is|are|am|'re|'s|got|get|getting)\s+|\bnot\s+)?(?:not\s+)?(?:officially\s+|finally\s+)?"
            r"(?:(?:selected|chosen|rejected|accepted|shortlisted|turned down|declined)\s+(?:for|as)|hired\s+for)\s+"
            r"(?:the|this|a|an|our|that)\s+(?:[\w/&+().-]+\s+){0,5}?" + _ROLE_NOUN + r"\b"
            r"|\b"
            + _PERSON
            + r"(?:'re|'ve been|'s been| are| is| was| were| have been| has been| had been| got)\s+"
            r"(?:not\s+)?(?:officially\s+)?(?:selected|chosen|hired|rejected|shortlisted)\s*(?=[.!?:;,)]|$)"
            r"|\b(?:applied|interviewed)\b[^.!?\n]{0,80}\b(?:and|but)\s+(?:was|were|got)\s+(?:not\s+)?(?:selected|rejected|hired|chosen)\b"
            r"|\brejected\s+(?:[\w/&+-]+\s+){0,3}?(?:role|position|application|candidate|applicant)\b"
            r"|\bapplication\b[^.!?\n]{0,80}\b(?:was|were|has been|had been)\s+(?:rejected|declined|unsuccessful|accepted|successful)\b"
            r"|\b(?:rejected|selected|hired)\s+status\b|\bstatus\s*:\s*(?:rejected|selected|hired|not selected)\b"
            r"|\brejected\b[^.!?\n]{0,30}\bdue to\b"
            r"|\breasons? for (?:not moving forward|rejection|rejecting|selection|selecting|the decision|hiring|not hiring)\b"
            r"|\b(?:you|he|she|they)\s+(?:got|get|have got|has got|landed)\s+the\s+(?:job|position|role|offer)\b",
            _I,
        ),
        re.compile(
            r"\bif (?:you|he|she|they|i)(?:'re|'m| are| am| were| get| got| was| is)(?: to be)?\s+(?:not\s+)?(?:selected|chosen|hired)\b"
            r"|\bchances? of (?:getting|being)\b"
            r"|\b(?:to|and|can|could|will|would|should|might|may)\s+(?:get|be)\s+(?:hired|selected|chosen)\b",
            _I,
        ),
        (
            "selected",
            "chosen",
            "hired",
            "rejected",
            "accepted",
            "shortlisted",
            "turned down",
            "declined",
            "got the",
            "get the",
            "landed",
            "status",
            "successful",
            "reason",
        ),
    ),
    # "we'd like to offer you the position", "decided to offer Vikram the role", "a formal offer"
    "offer": (
        re.compile(
            r"\b(?:offer|offering|offered|extend|extending|extended)\s+(?:you|him|her|them|the candidate|[a-z]+)\s+"
            r"(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:position|role|job|offer|contract)\b"
            r"|\b(?:send|sending|extend|extending|make|making|prepare|preparing|issue|issuing)\s+(?:you\s+)?(?:a|an|the|our)\s+"
            r"(?:formal\s+|official\s+|job\s+|written\s+)*offer\b|\boffer letter\b"
            r"|\b(?:move|moving|proceed|proceeding)\s+(?:forward\s+)?with\s+(?:the|an|your|our)\s+offer\b"
            r"|\boffer(?:ing)?\s+(?:you|him|her|them)\s+(?:a|an|the)\s+(?:opportunity|chance)\s+to\s+(?:join|work with us|come back|reapply)\b",
            _I,
        ),
        None,
        ("offer",),
    ),
    "welcome_to_team": (
        re.compile(
            r"\bwelcome (?:you )?(?:to|aboard|on board)(?: the| our)? (?:team|family|board)\b|\bwelcome aboard\b",
            _I,
        ),
        None,
        ("welcome",),
    ),
    # The offer ("Congratulations, Emma!", "congratulations on being selected ..."), not "on
    # that award" or "on making it to the final round".
    "congratulations": (
        re.compile(
            r"\bcongratulations\b(?=[^.!?\n]{0,100}\b(?:selected|offer|position|role|job|hired|join|joining|team|aboard)\b)"
            r"|^\W*congratulations\b[\s,!.]*(?:[a-z]+[\s!.]*)?$",
            _I,
        ),
        None,
        ("congratulations",),
    ),
    "pleased_to_inform": (
        re.compile(
            r"\b(?:pleased|happy|delighted|thrilled|excited|glad)\s+to\s+(?:inform you|let you know that (?:you|we)|"
            r"tell you that you|announce that you|offer)\b|\b(?:regret|sorry)\s+to\s+(?:inform|tell you|say that we|let you know)\b",
            _I,
        ),
        None,
        (
            "to inform",
            "to let you know",
            "to tell you",
            "to announce",
            "to offer",
            "to say that we",
        ),
    ),
    # "we won't be moving forward with your application", "we will not be proceeding with ..."
    "not_moving_forward": (
        re.compile(
            r"(?:\bnot|n't|\bunable to|\bcannot|\bdecline to)\s+(?:be\s+)?(?:able to\s+)?(?:going to\s+)?(?:be\s+)?"
            r"(?:move|moving|proceed|proceeding|go|going|continue|continuing|advance|advancing|progress|progressing|"
            r"pursue|pursuing|offer|offering|extend|extending)\s+(?:forward\s+|ahead\s+)?(?:with\s+)?"
            + _HIS
            + r"\b"
            r"[^.!?\n]{0,40}?\b(?:application|candidacy|candidate|process|position|role|offer)\b"
            r"|(?:\bnot|n't)\b[^.!?\n]{0,30}\b(?:move|moving|proceed|proceeding|go|going)\s+forward\s+with\s+(?:you|him|her|them|[a-z]+)"
            r"\s*(?:[.!?,;]|$|at this time|for (?:this|the))"
            r"|\bwe\b[^.!?\n]{0,20}?(?:\bnot|n't)\s+(?:be\s+)?(?:going to\s+)?(?:be\s+)?(?:moving|move|proceeding|proceed|going)\s+"
            r"(?:forward|ahead)\s*(?=[.!?,;]|$|at this time|for now)",
            _I,
        ),
        None,
        (
            "forward",
            "ahead",
            "proceed",
            "continu",
            "advanc",
            "progress",
            "pursu",
            "offer",
            "extend",
            " go ",
            "going",
        ),
    ),
    # "move forward with other candidates", "go with someone else", "consider other candidates"
    "other_candidates": (
        re.compile(
            r"\b(?:move|moving|go|going|proceed|proceeding|went)\s+(?:forward\s+|ahead\s+)?with\s+(?:other|another|a different|"
            r"different|someone else|more|stronger|a stronger|a more)\b[^.!?\n]{0,40}?(?:candidates?|applicants?|profiles?|else)\b"
            r"|\b(?:consider|considering|pursue|pursuing|select|selecting|reach(?:ing)? out to)\s+other\s+(?:candidates|applicants)\b"
            r"|\b(?:have to|going to|will|'ll|decided to)\s+pass\s+on\b"
            r"|\b(?:come back|reapply|re-apply|apply again)\b[^.!?\n]{0,80}?\b(?:interview|in (?:a few|six|\d+) months|future)\b"
            r"|\bgo(?:ing)? with (?:someone else|another candidate)\b|\b(?:position|role) has (?:already )?been filled\b"
            r"|\b(?:go|move|going|moving|proceed)\s+in\s+(?:a\s+)?(?:different|another)\s+direction\b",
            _I,
        ),
        None,
        (
            "candidate",
            "applicant",
            "profile",
            "someone else",
            "filled",
            "direction",
            "pass on",
            "come back",
            "apply",
        ),
    ),
    # "we'd like to move forward with your application", "invite you to the next round"
    "moving_forward": (
        re.compile(
            r"\b(?:move|moving|proceed|proceeding|go|going)\s+(?:forward|ahead)\s+with\s+(?:your|his|her|their|[a-z]+'s)\s+"
            r"(?:application|candidacy)\b"
            r"|\b(?:invite|inviting|move|moving|advance|advancing|bring|bringing)\s+(?:you|him|her|them|[a-z]+)\s+(?:forward\s+|back\s+)?"
            r"(?:to|for|in|into)\s+(?:the\s+|a\s+)?(?:next|final|second|following)\s+(?:round|stage|step)\b"
            r"|\blook(?:ing)? forward to (?:having|welcoming) you\b|\bwhen can you start\b|\byour start date\b",
            _I,
        ),
        re.compile(r"\b(?:whether|if|decide|deciding|determine)\b", _I),
        ("forward", "ahead", "round", "stage", "step", "having you", "welcoming you", "start"),
    ),
    # "I do not recommend him for the role", "I would recommend hiring her", "Recommendation: hire"
    "recommendation": (
        re.compile(
            r"\b(?:i|we)\s+(?:would\s+|strongly\s+|highly\s+|do\s+|don't\s+|do not\s+|would not\s+|wouldn't\s+|cannot\s+|can't\s+)*"
            r"recommend\s+(?:hiring|him|her|them|moving forward|proceeding|the candidate|this candidate|against|[a-z]+ for the)\b"
            r"|\brecommendation\s*:\s*(?:strong\s+)?(?:hire|do not hire|don't hire|no hire|reject|select|not recommended|recommended)\b"
            r"|\b(?:not\s+)?recommended\s+for\s+(?:hire|hiring|the (?:role|position))\b",
            _I,
        ),
        None,
        ("recommend",),
    ),
    # "you may not be a good fit for our team", "her skills did not fully align with the
    # requirements", "did not meet our expectations"
    "not_a_fit": (
        re.compile(
            r"(?:\bnot|n't)\s+(?:be\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:fit|match)\s+(?:for|with)\s+(?:this|the|our|either|us|you|me)\b"
            r"|(?:\bnot|n't)\s+(?:think|believe|feel)\s+(?:that\s+)?(?:you|he|she|they)(?:'re|'d|'ll| are| would| will| is)?\s+"
            r"(?:be\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:fit|match|candidate)\b"
            r"|\b(?:skills?|experience|background|performance|qualifications|profile|responses)\s+(?:and\s+\w+\s+)?"
            r"(?:did not|didn't|does not|doesn't|do not|don't|were not|was not|weren't|wasn't)\s+(?:fully\s+|quite\s+|entirely\s+)?"
            r"(?:align|meet|match|aligned|up to)\b"
            r"|\b(?:did not|didn't|does not|doesn't)\s+meet\s+(?:our|the)\s+(?:expectations|requirements|bar|criteria)\b"
            r"|\bnot (?:the )?(?:right|best) (?:candidate|person)\b",
            _I,
        ),
        None,
        ("fit", "match", "align", "meet", "up to", "right", "best"),
    ),
    # "Unfortunately, we'll need to consider ...": the decision cue, not every "unfortunately"
    "unfortunately_decision": (
        re.compile(
            r"\bunfortunately\b[^.!?\n]{0,120}\b(?:other candidates?|another candidate|someone else|won't be (?:moving|proceeding|offering|able to offer)|"
            r"will not be (?:moving|proceeding|offering|able to offer)|decided|not (?:be )?selected|no longer|not (?:be )?(?:a )?(?:good |right |strong )?fit)\b",
            _I,
        ),
        None,
        ("unfortunately",),
    ),
}

# Whole lines: private asides of the interviewer and labelled evaluation notes (name -> pattern,
# keywords).
LINE_RULES: dict[str, tuple[re.Pattern, tuple[str, ...]]] = {
    "private_aside": (
        re.compile(
            r"\((?:[^()\n]{0,60}\b)?(?:to (?:her|him|them)sel(?:f|ves)|thinking to|thinks to|under (?:her|his|their) breath|"
            r"after the (?:interview|candidate (?:leaves|left|has left))|mental note|internal (?:review|notes?))\b[^()\n]{0,200}\)",
            _I,
        ),
        (
            "to her",
            "to him",
            "to them",
            "thinking to",
            "thinks to",
            "breath",
            "after the",
            "mental note",
            "internal",
        ),
    ),
    "evaluation_note": (
        re.compile(
            r"^\W*(?:[a-z][\w.'-]*(?: [a-z][\w.'-]*){0,3}'s|interviewer(?:'s)?|post[- ]interview|internal|"
            r"(?:hr|recruiter|hiring manager|hiring team|panel|committee)(?:'s)?)\s+"
            r"(?:notes?|evaluation|assessment|feedback|verdict|decision)\b\W*(?::|$)",
            _I,
        ),
        ("note", "evaluation", "assessment", "feedback", "verdict", "decision"),
    ),
}

# A line's label, kept in front of what survives: "**Rachel Lee:** ", "Dr. Kim (to Maya): ", "- ",
# "3. ". Label words may contain dots ("J.Smith") but not end in one, so "I like SQL. Status: x"
# is a sentence, not a label.
_WORD = r"[A-Za-z][\w'\-]*(?:\.[\w'\-]+)*"
_SPEAKER = re.compile(
    r"^(\s*(?:[-*+]\s+)?(?:\*\*)?(?:(?:dr|mr|mrs|ms|prof)\.\s*)?"
    + _WORD
    + r"(?: "
    + _WORD
    + r"){0,4}"
    r"(?:\s*\([^()\n]{0,80}\))?\s*:(?:\*\*)?\s+|\s*[-*+]\s+|\s*\d{1,3}[.)]\s+)",
    re.IGNORECASE,
)
_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
_ABBREV = frozenset(
    "dr mr mrs ms prof sr jr st vs etc e.g i.e inc ltd co no approx dept fig est mt jan feb mar apr aug sept sep oct nov dec".split()
)
_BLANKS = re.compile(r"\n{3,}")


def split_sentences(text: str) -> list[str]:
    """Sentences of one line, each with its trailing whitespace (``"".join`` gives the line)."""
    out, start = [], 0
    for m in _END.finditer(text):
        before = text[start : m.start()].rsplit(None, 1)
        word = before[-1].lower().rstrip(".") if before else ""
        if (
            m.group().startswith(".")
            and len(m.group()) == 1
            and (word in _ABBREV or (len(word) == 1 and word.isalpha()))
        ):
            continue
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        out.append(text[start:end])
        start = end
    if start < len(text):
        out.append(text[start:])
    return out


def _active(lower: str) -> tuple[list, list]:
    """Rules whose keywords occur somewhere in the (lower-cased) text."""
    rules = [(n, r) for n, r in RULES.items() if any(k in lower for k in r[2])]
    lines = [(n, r) for n, r in LINE_RULES.items() if any(k in lower for k in r[1])]
    return rules, lines


def _sentence_rule(sentence: str, rules: list) -> str | None:
    lower = sentence.lower()
    for name, (pattern, unless, keywords) in rules:
        if (
            any(k in lower for k in keywords)
            and pattern.search(sentence)
            and not (unless and unless.search(sentence))
        ):
            return name
    return None


def _line_rule(line: str, rules: list) -> str | None:
    lower = line.lower()
    for name, (pattern, keywords) in rules:
        if any(k in lower for k in keywords) and pattern.search(line):
            return name
    return None


def _scrub_line(
    line: str, active: tuple[list, list], hits: list[tuple[str, str]] | None
) -> tuple[str | None, int]:
    """(new line or None when nothing is left, sentences removed)."""
    rules, line_rules = active
    rule = _line_rule(line, line_rules) if line_rules else None
    if rule:
        if hits is not None:
            hits.append((rule, line.strip()))
        return None, 1
    match = _SPEAKER.match(line)
    prefix = match.group(1) if match else ""
    kept, removed = [], 0
    for i, sentence in enumerate(split_sentences(line[len(prefix) :]) if rules else ()):
        rule = _sentence_rule(sentence, rules)
        if not rule and i == 0 and prefix:  # "Application status: REJECTED." reads as a label
            rule = _sentence_rule(prefix + sentence, rules)
        if rule:
            removed += 1
            if hits is not None:
                hits.append((rule, sentence.strip()))
        else:
            kept.append(sentence)
    if not removed:
        return line, 0
    body = "".join(kept).rstrip()
    if not body.strip(" *_-:"):
        return None, removed
    return prefix + body, removed


def _scrub(text: str, hits: list[tuple[str, str]] | None) -> tuple[str, int]:
    if not text:
        return text, 0
    active = _active(text.lower())
    if not active[0] and not active[1]:
        return text, 0
    lines, total = [], 0
    for line in text.split("\n"):
        new, removed = _scrub_line(line, active, hits)
        total += removed
        if new is not None:
            lines.append(new)
    if not total:
        return text, 0
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip(), total


def scrub(text: str) -> tuple[str, int]:
    """``text`` without its outcome-stating sentences/lines, and how many were removed.

    Unchanged text is returned as is (same object) when nothing matched.
    """
    return _scrub(text, None)


def find_leaks(text: str) -> list[tuple[str, str]]:
    """``[(rule, removed sentence or line), ...]`` that ``scrub`` would remove, for reports."""
    hits: list[tuple[str, str]] = []
    _scrub(text, hits)
    return hits


def scrub_record(record: Mapping, fields: Iterable[str]) -> tuple[dict, Counter]:
    """Copy of ``record`` with ``fields`` scrubbed; ``Counter({field: sentences removed})``.

    Only fields with removals appear in the counter; non-string fields are left alone.
    """
    out, counts = dict(record), Counter()
    for name in fields:
        value = out.get(name)
        if isinstance(value, str) and value:
            out[name], n = scrub(value)
            if n:
                counts[name] += n
    return out, counts


_EVALUATION_HEADING = re.compile(
    r"^\W*(?:key )?(?:areas? (?:for|of) (?:improvement|concern|development)|concerns?(?: raised)?(?: during the interview)?|"
    r"(?:interview )?feedback|growth potential|potential for growth|recommendations?|strengths and weaknesses|"
    r"weaknesses|reasons? for (?:rejection|selection|not moving forward)|overall assessment|evaluation)\W*$",
    re.I | re.M,
)


def looks_like_evaluation(text: str, min_headings: int = 2) -> bool:
    """True when a document reads like interview feedback (>= ``min_headings`` headings such as
    "Areas for improvement:", "Concerns raised during the interview:", "Recommendations:")."""
    return (
        len({m.group().strip(" *:#-").lower() for m in _EVALUATION_HEADING.finditer(text)})
        >= min_headings
    )
