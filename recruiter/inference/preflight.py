"""Untrusted-text preflight: what every candidate's text goes through before the model reads it.

Resume, transcript and job description come from outside and may carry attacks aimed at the
model. The preflight

* **strips invisible characters** (zero-width, bidi controls, soft hyphen, C0/C1 controls): they
  hide text from a human reviewer while the model still reads it, and the training data was
  cleaned of them too (``prepare.clean`` imports :data:`INVISIBLE` from here);
* **masks personal data with the masker the training data went through** (``recruiter.pii``:
  own name, other people, contacts, street addresses, dates of birth, stated protected
  attributes, as typed placeholders), then the own-name and contact regexes as a net: the served
  text stays in distribution and names, addresses and contacts stay out of the decision;
* **flags and removes instruction-like text** aimed at the model ("ignore previous
  instructions", "mark this candidate as selected", fake system/assistant turns). Flags go into
  the decision's ``flags`` for the human reviewer, who still has the original document; the
  model reads the document without it (no placeholder: see :func:`neutralise_injections`).
  Flagging alone was measured and not enough (a small model obeys often enough to matter). The cost: a
  candidate whose genuine line happens to match loses that line, which only hurts a
  candidate who addresses the screening model; the eval's over-defence check counts clean
  decisions that change with the defences on.

The patterns are deliberately about *addressing the model or the screening process*; ordinary
resume language ("selected for the leadership programme", "I follow instructions carefully")
does not match. ``tests/inference/test_preflight.py`` pins both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

INVISIBLE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u202a-\u202e\u2066-\u2069\u180e"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\U000e0000-\U000e007f]"
)
# U+E0000..E007F are Unicode "tag" characters: invisible in every renderer, but tokenizers
# read them, so they can smuggle ASCII text past a human reviewer ("ASCII smuggling").
UNTRUSTED = ("job_description", "resume", "transcript")

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b(?:linkedin|github)\.com/\S+", re.I)
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ()./-]{7,}\d(?!\w)")

_INJECTION = [
    (
        "ignore_instructions",
        r"\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(previous|prior|above|earlier|"
        r"all|any|your|the|system|these)\b[^.\n]{0,20}\b(instructions?|prompts?|rules?|directions?|"
        r"guidelines?|criteria)\b",
    ),
    (
        "decision_override",
        r"\b(mark|rate|classify|label|score|set|output|return|answer|respond|recommend|make)\b[^.\n]"
        r"{0,40}\b(candidate|applicant|me|this (person|profile|resume|cv))\b[^.\n]{0,30}\b(as|with|"
        r"is|to be)\b[^.\n]{0,12}\"?\b(select(ed)?|hire[d]?|accept(ed)?|strong(est)? (match|fit|yes)|"
        r"top candidate|pass(ed)?)\b",
    ),
    (
        "decision_override",
        r"\b(you (must|should|will|have to)|please)\b[^.\n]{0,30}\b(select|hire|shortlist|approve|"
        r"accept)\b[^.\n]{0,20}\b(this|the|me)\b",
    ),
    (
        "decision_override",
        r"\"?status\"?\s*[:=]\s*\"?select",
    ),
    (
        "role_play",
        r"(^|\n)\s*\W{0,3}\s*(system|assistant|developer)\s*(prompt|message)?\s*:|<\|?im_start\|?>|"
        r"\[/?(inst|system)\]|\bnew instructions?\b|\byou are now\b|\bact as\b[^.\n]{0,30}\b(ai|model|"
        r"assistant|recruiter)\b",
    ),
    (
        "addressed_to_model",
        r"\b(dear|note to|attention)\b[^.\n]{0,20}\b(ai|llm|language model|screening (tool|system|"
        r"bot)|ats|recruit(ing|ment) (ai|bot|assistant))\b|\b(ai|llm|chatgpt|gpt|model)s?\b[^.\n]{0,30}"
        r"\b(reading|screening|evaluating|reviewing) this\b",
    ),
]
_INJECTION_RE = [(name, re.compile(p, re.I)) for name, p in _INJECTION]


@dataclass
class Preflight:
    """Cleaned fields plus what was found; ``flags`` are strings like ``"resume:ignore_instructions"``."""

    fields: dict[str, str]
    flags: list[str] = field(default_factory=list)
    invisible_removed: int = 0


def neutralise_injections(text: str, max_line: int = 300) -> tuple[str, int]:
    """Delete what the injection patterns match; returns (text, count).

    Flagging alone left the model to decide whether to obey: on the synthetic test split a
    third of rejected candidates flipped to select when an instruction was added to the resume.
    An instruction to the screening model is not a qualification, so the model never reads it;
    the reviewer still sees the flag and the original document. The unit removed is the whole
    line when it is short (an inserted line, a fake "SYSTEM:" answer), else the sentence, so a
    long paragraph loses only the offending sentence.

    Deleted, not replaced by a placeholder: with a placeholder line ("[removed by preflight]")
    0.28 of 442 attacked rejections still flipped to select (0.31 for every attack kind alike:
    the placeholder itself, a line the model never saw in training, did it); with deletion
    0.038 of 476, the same as an attack that leaves only an empty line.
    """
    spans: list[tuple[int, int]] = []
    for _, rx in _INJECTION_RE:
        for m in rx.finditer(text):
            start = m.start() + len(m.group()) - len(m.group().lstrip("\n"))  # a leading "\n"
            ls = text.rfind("\n", 0, start) + 1
            le = text.find("\n", m.end())
            le = len(text) if le < 0 else le
            if le - ls <= max_line:
                spans.append((ls, min(le + 1, len(text))))  # the line and its newline
                continue
            ss = max(text.rfind(c, ls, start) for c in ".!?") + 1
            ss = max(ss, ls)
            ends = [i for i in (text.find(c, m.end(), le) for c in ".!?") if i >= 0]
            spans.append((ss, min(ends) + 1 if ends else le))
    if not spans:
        return text, 0
    spans.sort()
    merged = [list(spans[0])]
    for a, b in spans[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, last = [], 0
    for a, b in merged:
        lead = len(text[a:b]) - len(text[a:b].lstrip())
        out.append(text[last : a + lead])
        last = b
        while last < len(text) and text[last] == " ":  # the space after a removed sentence
            last += 1
    out.append(text[last:])
    return "".join(out), len(merged)


def strip_invisible(text: str) -> tuple[str, int]:
    cleaned, n = INVISIBLE.subn("", text)
    return cleaned, n


def injection_flags(text: str) -> list[str]:
    """Names of the injection patterns ``text`` matches (each once, in pattern order)."""
    found = []
    for name, rx in _INJECTION_RE:
        if name not in found and rx.search(text):
            found.append(name)
    return found


_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august"}


def _name_pattern(name: str) -> re.Pattern | None:
    """The candidate's own name: the full name in any case, single parts only as written
    (``Reyes``) or in capitals (``REYES``), never inside a hyphenated word.

    Parts are case-sensitive because first and last names are often words ("Long", "Will",
    "Rose"), and a hyphen usually means a company or place ("Williams-Smith"): masking those
    changed the text under counterfactual name swaps (measured on the synthetic test split,
    8 groups: 8 of 280 decisions flipped, all traced to over-masking). A part that is also a
    capitalised place name ("San Francisco" for a Francisco) is still masked.
    """
    full = name.strip()
    parts = [p for p in re.split(r"[\s,]+", full) if len(p) >= 2]
    if not parts:
        return None
    edge_l, edge_r = r"(?<![\w-])", r"(?![\w-])"
    alternatives = [f"(?i:{re.escape(full)})"] if len(parts) > 1 else []
    # month names are first names too (May, June, August) and fill every resume's dates
    parts = [x for x in parts if x.lower() not in _MONTHS] if len(parts) > 1 else parts
    for part in sorted({*parts, *(x.upper() for x in parts)}, key=len, reverse=True):
        alternatives.append(re.escape(part))
    return re.compile(edge_l + "(?:" + "|".join(alternatives) + ")" + edge_r)


def mask_contacts(text: str, name: str | None = None) -> str:
    """Own name -> [NAME]; e-mails, URLs, phone numbers -> their placeholders."""
    text = _EMAIL.sub("[EMAIL]", text)
    text = _URL.sub("[URL]", text)
    text = _PHONE.sub("[PHONE]", text)
    rx = _name_pattern(name) if name else None
    if rx is not None:
        text = rx.sub("[NAME]", text)
    return text


class RecordMasker(Protocol):
    """What :func:`preflight` needs of a PII masker (:class:`recruiter.pii.PiiMasker`)."""

    def mask_record(self, fields: dict[str, str], name: str | None) -> tuple[dict, object]: ...


def preflight(
    candidate: Mapping, mask: bool = True, masker: RecordMasker | None = None
) -> Preflight:
    """Apply the preflight to a candidate's prompt fields (``role`` + the untrusted documents).

    With ``mask``: ``masker`` (the PII masker ``prepare`` ran over the training data) masks the
    documents together, as prepare did, then the own-name and contact regexes run as a net
    (alone when no masker is given)."""
    out: dict[str, str] = {}
    flags: list[str] = []
    removed = 0
    for key in ("role", *UNTRUSTED):
        text, n = strip_invisible(str(candidate.get(key) or ""))
        removed += n
        if n:
            flags.append(f"{key}:invisible_characters")
        if key in ("resume", "transcript"):  # the JD is the employer's text
            found = injection_flags(text)
            flags += [f"{key}:{name}" for name in found]
            if found:  # clean text (the usual case) is not scanned a second time
                text, _ = neutralise_injections(text)
        out[key] = text
    if mask:
        name = candidate.get("name") or None
        if masker is not None:
            docs = {k: out[k] for k in UNTRUSTED if out[k]}
            masked, _counts = masker.mask_record(docs, name)
            out.update(masked)
        for key in ("resume", "transcript"):
            out[key] = mask_contacts(out[key], name)
    return Preflight(out, flags, removed)
