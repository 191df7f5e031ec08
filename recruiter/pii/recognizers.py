"""The Presidio recognisers for PII masking (used by :mod:`.masker`).

Holds the offline tldextract (:func:`offline_tld_extractor`), Presidio recogniser subclasses
(offline e-mail, chunked URL, pre-filtered phone, ``\\K``-aware pattern recogniser), the
phone/address helpers, and :func:`build_recognizers`, which assembles the recognisers for the
requested entity types. Word tables and pattern strings live in :mod:`.patterns`, the entity
types in :mod:`recruiter.pii_entities`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex as re

from .names import (
    HONORIFICS,
    ORG_WORDS,
    ROLE_WORDS,
    TECH_ALLOW_LIST,
    Lexicon,
)
from .patterns import (
    ADDRESS_CONTEXT,
    ADDRESS_EUROPEAN_PREFIX_STREET_NO_NUMBER,
    ADDRESS_EUROPEAN_SUFFIX_STREET,
    ADDRESS_LINE,
    AGE_PATTERNS,
    AT_RX,
    DATE_LIKE,
    DATE_OF_BIRTH_PATTERNS,
    DIGITS,
    DOT_RX,
    DOTTED_TECH,
    EU_PREFIX_NEED,
    EXT,
    FILE_TLDS,
    GENDER_PATTERNS,
    IPV4,
    ISO_DATE,
    MARITAL_STATUS_PATTERNS,
    NATIONALITY_PATTERNS,
    PERSON_FIRST_LAST_NAME,
    PHONE_CONTEXT,
    PHONE_REGEX_PATTERNS,
    PHOTO_PATTERNS,
    PLACEHOLDER_RX,
    RELIGION_PATTERNS,
    SPEAKER_NAME_PATTERNS,
    STREET_ADDRESS_PATTERNS_1,
    STREET_ADDRESS_PATTERNS_2,
    STREET_ADDRESS_PATTERNS_3,
    STREET_WORD,
    UNIT_CORE,
    WS,
    YEAR,
    YEAR_RANGE,
)
from .prechecks import NeedWords, need_rx

# --------------------------------------------------------------------------------------------
# offline tldextract
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def offline_tld_extractor():
    """A ``tldextract.TLDExtract`` that never touches the network or a cache dir.

    It reads the public-suffix snapshot bundled with tldextract. The module-level
    ``tldextract.extract`` that Presidio's ``EmailRecognizer`` calls would first try to download
    the list and log a traceback when offline; :class:`OfflineEmailRecognizer` uses this instead.
    """
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


# --------------------------------------------------------------------------------------------
# Presidio recognisers
# --------------------------------------------------------------------------------------------


def _presidio():
    """Import presidio lazily (heavy imports) and return the classes used below."""
    from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
    )

    return (
        Pattern,
        PatternRecognizer,
        RecognizerResult,
        EmailRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
    )


@functools.lru_cache(maxsize=1)
def _recognizer_classes():
    """Define the recogniser subclasses once presidio is importable (keeps module import cheap)."""
    (
        Pattern,
        PatternRecognizer,
        RecognizerResult,
        EmailRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
    ) = _presidio()

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's e-mail recogniser, validating domains against the bundled suffix list.

        The pattern runs only on whitespace-delimited chunks holding an "@" (its character
        classes never cross whitespace, so the matches are the same, ~10x faster).
        """

        def validate_result(self, pattern_text: str):  # noqa: D102
            return offline_tld_extractor()(pattern_text).fqdn != ""

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
            out = []
            for a, b in _chunks_around(text, AT_RX):
                for r in super().analyze(text[a:b], entities, nlp_artifacts, regex_flags):
                    r.start += a
                    r.end += a
                    out.append(r)
            return out

    class ChunkedUrlRecognizer(UrlRecognizer):
        """Presidio's URL patterns, run only on whitespace-delimited chunks that contain a dot.

        Presidio's URL regex (a 1,500-way TLD alternation tried at every position) costs ~8 ms per
        resume; its character classes never cross whitespace, so running it per chunk finds the
        same matches. Dotted tech names ("ASP.NET", "Socket.io", "README.md") are dropped.
        """

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
            out = []
            for a, b in _chunks_around(text, DOT_RX):
                for r in super().analyze(text[a:b], entities, nlp_artifacts, regex_flags):
                    s, e = a + r.start, a + r.end
                    if e < len(text) and text[e].isalnum():
                        continue  # stopped inside a word: "System.out.pr|intln"
                    val = text[s:e]
                    # trailing punctuation and unbalanced closing brackets are not part of the URL
                    while val and (
                        val[-1] in ".,;:!?'\""
                        or (
                            val[-1] in ")]}"
                            and val.count(val[-1])
                            > val.count({")": "(", "]": "[", "}": "{"}[val[-1]])
                        )
                    ):
                        val = val[:-1]
                    if not val or _looks_like_tech_dotted(val):
                        continue
                    r.start, r.end = s, s + len(val)
                    out.append(r)
            return out

    class PrefilteredPhoneRecognizer(PhoneRecognizer):
        """Presidio's libphonenumber recogniser, run only around runs of >= 7 digits."""

        _CAND = re.compile(r"[+(]?\d[\d \t().\-/]{5,24}\d(?:\s?(?:x|ext\.?)\s?\d{1,6})?", re.I)
        REGIONS = (
            "US",
            "GB",
            "DE",
            "FR",
            "IL",
            "IN",
            "CA",
            "BR",
            "ES",
            "IT",
            "NL",
            "PL",
            "PT",
            "SE",
            "AT",
            "AU",
        )

        # plain North-American formats are left to the (much faster) regex recogniser
        _EASY = re.compile(r"(?:\+?1[ .\-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .\-])\d{3}[ .\-]\d{4}")

        def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
            out = []
            for m in self._CAND.finditer(text):
                cand = m.group().strip(" \t")
                if _phone_reject(cand.strip("()")) or self._EASY.fullmatch(cand):
                    continue
                a, b = max(0, m.start() - 2), min(len(text), m.end() + 2)
                for r in super().analyze(text[a:b], entities, None):
                    r.start += a
                    r.end += a
                    out.append(r)
            return out

    class CueRecognizer(PatternRecognizer):
        """PatternRecognizer whose patterns may use ``\\K`` to keep a cue word out of the span.

        Patterns are compiled once with the ``regex`` module and only the flags written in the
        pattern (no global IGNORECASE: capitalisation matters for names and streets). Per pattern,
        ``need`` is a cheap pre-check (the regex runs only if a keyword occurs) and ``reject`` drops
        a match; ``postprocess(text, start, end)`` may move or veto a span for the whole recogniser.
        """

        def __init__(
            self, entity: str, patterns, context=None, reject=None, postprocess=None, name=None
        ):
            super().__init__(
                supported_entity=entity,
                patterns=patterns,
                context=context or [],
                name=name or f"{entity.title().replace('_', '')}Recognizer",
                supported_language="en",
                global_regex_flags=re.MULTILINE,
            )
            self._compiled = [
                (
                    p,
                    re.compile(p.regex, re.MULTILINE | re.V0),
                    need_rx(getattr(p, "need", None)),
                    getattr(p, "reject", None) or reject,
                )
                for p in self.patterns
            ]
            self._post = postprocess

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
            out = []
            meta = {
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            }
            for pattern, rx, need, rejected in self._compiled:
                if need is not None and not need.ok(text):
                    continue
                for m in rx.finditer(text):
                    a, b = m.span()
                    if self._post is not None:
                        span = self._post(text, a, b)
                        if span is None:
                            continue
                        a, b = span
                    if b <= a or (rejected is not None and rejected(text[a:b])):
                        continue
                    out.append(
                        RecognizerResult(
                            self.supported_entities[0],
                            a,
                            b,
                            pattern.score,
                            recognition_metadata=dict(meta),
                        )
                    )
            return out

    return OfflineEmailRecognizer, ChunkedUrlRecognizer, PrefilteredPhoneRecognizer, CueRecognizer


def _chunks_around(text: str, rx) -> list[tuple[int, int]]:
    """Whitespace-delimited chunks of ``text`` that contain a match of ``rx``."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for m in rx.finditer(text):
        if out and m.start() < out[-1][1]:
            continue
        a = m.start()
        while a > 0 and text[a - 1] not in WS:
            a -= 1
        b = m.end()
        while b < n and text[b] not in WS:
            b += 1
        out.append((a, b))
    return out


def _looks_like_tech_dotted(s: str) -> bool:
    low = s.lower().strip("\"'()[]<>.,;:")
    if low in DOTTED_TECH:
        return True
    if "://" in low or low.startswith("www.") or "/" in low:
        return False
    # "main.rs", "setup.py", "deploy.sh": file names whose extension happens to be a ccTLD
    return low.rsplit(".", 1)[-1] in FILE_TLDS


def _phone_reject(s: str) -> bool:
    core = EXT.sub("", s.strip())
    digits = sum(ch.isdigit() for ch in core)
    if digits < 7 or digits > 15:
        return True
    if (
        YEAR_RANGE.fullmatch(core)
        or DATE_LIKE.fullmatch(core)
        or IPV4.fullmatch(core)
        or ISO_DATE.search(core)
    ):
        return True
    groups = DIGITS.findall(core)
    return len(groups) > 1 and all(YEAR.fullmatch(g) for g in groups)  # "2019 2020 2021"


def _address_line_value(text: str, a: int, b: int) -> tuple[int, int] | None:
    """Trim an "Address: ..." value to its street part, keeping a trailing locality visible.

    Comma-separated segments up to (and including) the first one holding a number, plus a
    following unit segment ("Apt 4"), are masked; the rest (city, "CA 94105") is kept. A value
    without numbers is masked except its last segment when it has several.
    """
    value = text[a:b]
    stripped = value.rstrip(" \t.;|*")
    b = a + len(stripped)
    parts = [p for p in re.finditer(r"[^,;|]+", stripped)]
    if not parts:
        return None
    if PLACEHOLDER_RX.match(stripped.lstrip()):
        return None  # already masked ("Address: [ADDRESS], Springfield")
    if stripped.lstrip().startswith("[") or stripped.lower().startswith(
        ("n/a", "none", "available")
    ):
        return (a, b)  # "[Insert address]" placeholders: mask as a whole
    digit_idx = [i for i, p in enumerate(parts) if any(ch.isdigit() for ch in p.group())]
    if digit_idx:
        last = digit_idx[0]
        if last + 1 < len(parts) and re.match(rf"\s*{UNIT_CORE}", parts[last + 1].group()):
            last += 1  # "12 Main St, Apt 4"
        # a house number or unit alone ("214, avenue Charlotte Gilles", "Flat 17, Janet Meadows"):
        # include the street name that follows
        elif last + 1 < len(parts) and (
            re.fullmatch(r"\s*[\d/\-–.#]+[A-Za-z]?\s*", parts[last].group())
            or re.fullmatch(rf"\s*{UNIT_CORE}\s*", parts[last].group())
        ):
            last += 1
    else:
        if not STREET_WORD.search(stripped):
            return None  # "billing address: tracy sukhorukova" (the street is on the next line)
        last = len(parts) - 2 if len(parts) > 1 else 0
    return (
        a + parts[0].start() + (len(parts[0].group()) - len(parts[0].group().lstrip())),
        a + parts[last].end(),
    )


# Pattern-only recognisers (no context words, reject or postprocess hooks), in build order.
_SIMPLE_CUES = (
    ("DATE_OF_BIRTH", DATE_OF_BIRTH_PATTERNS, "DateOfBirthRecognizer"),
    ("AGE", AGE_PATTERNS, "AgeRecognizer"),
    ("GENDER", GENDER_PATTERNS, "GenderRecognizer"),
    ("MARITAL_STATUS", MARITAL_STATUS_PATTERNS, "MaritalStatusRecognizer"),
    ("NATIONALITY", NATIONALITY_PATTERNS, "NationalityRecognizer"),
    ("RELIGION", RELIGION_PATTERNS, "ReligionRecognizer"),
    ("PHOTO", PHOTO_PATTERNS, "PhotoRecognizer"),
)


def build_recognizers(entities: set[str], lexicon: Lexicon | None = None) -> list:
    """All Presidio recognisers for the requested entity types (NER is added separately)."""
    Pattern = _presidio()[0]
    OfflineEmail, ChunkedUrl, PrefilteredPhone, Cue = _recognizer_classes()

    def P(name: str, regex: str, score: float, need: Sequence[str] | None = None, reject=None):
        """A Presidio ``Pattern``; ``need``: lowercase substrings one of which must occur;
        ``reject``: a predicate on the matched text that drops the match."""
        pat = Pattern(name, regex, score)
        pat.need = need if isinstance(need, NeedWords) else (tuple(need) if need else None)
        pat.reject = reject
        return pat

    def english_street_word(span: str) -> bool:
        """ "Engineering 101", "Spring 2019": a dictionary word is not a street name."""
        word = span.split()[0].lower()
        return lexicon is not None and (lexicon.is_word(word) or word in TECH_ALLOW_LIST)

    recs: list = []
    if "PERSON" in entities and lexicon is not None:

        def people(text: str, a: int, b: int) -> tuple[int, int] | None:
            """Keep a speaker label / "Interviewer: X" value only if it reads as a person's name."""
            words = text[a:b].split()
            core = [w for w in words if w.lower().rstrip(".") not in HONORIFICS]
            if not core or len(core) > 3:
                return None
            lows = [w.lower().strip(".,'’") for w in core]
            if any(w in TECH_ALLOW_LIST or w in ROLE_WORDS or w in lexicon.stop for w in lows):
                return None
            titled = len(core) < len(words)
            if not (titled or lows[0] in lexicon.first_names) or not all(
                w in lexicon.names or not lexicon.is_word(w) for w in lows
            ):
                return None
            return (a, b)

        def name_pair(text: str, a: int, b: int) -> tuple[int, int] | None:
            """ "Megan Payne", "Ana María Gómez": a known first name that is not an everyday word,
            then one or two surnames (names or non-dictionary words)."""
            toks = text[a:b].split()
            fl = toks[0].lower()
            if fl not in lexicon.first_names or lexicon.is_ambiguous(fl) or fl in TECH_ALLOW_LIST:
                return None
            end = a + len(toks[0])
            for tok in toks[1:]:
                low = tok.lower()
                if (
                    low in TECH_ALLOW_LIST
                    or low in ROLE_WORDS
                    or low in ORG_WORDS
                    or low in lexicon.stop
                    or (low not in lexicon.names and lexicon.is_word(low))
                ):
                    break
                end = text.index(tok, end) + len(tok)
            return (a, end) if end > a + len(toks[0]) else None

        recs.append(
            Cue(
                "PERSON",
                [P(*s) for s in SPEAKER_NAME_PATTERNS],
                postprocess=people,
                name="SpeakerNameRecognizer",
            )
        )
        recs.append(
            Cue(
                "PERSON",
                [P("first + last name", PERSON_FIRST_LAST_NAME, 0.6)],
                postprocess=name_pair,
                name="NamePairRecognizer",
            )
        )
    if "EMAIL" in entities:
        recs.append(OfflineEmail(supported_entity="EMAIL"))
    if "URL" in entities:
        recs.append(ChunkedUrl(supported_entity="URL"))
    if "PHONE" in entities:
        recs.append(
            PrefilteredPhone(supported_entity="PHONE", supported_regions=PrefilteredPhone.REGIONS)
        )
        recs.append(
            Cue(
                "PHONE",
                [P(*s) for s in PHONE_REGEX_PATTERNS],
                context=PHONE_CONTEXT,
                reject=_phone_reject,
                name="PhoneRegexRecognizer",
            )
        )
    if "ADDRESS" in entities:
        recs.append(
            Cue(
                "ADDRESS",
                [
                    *(P(*s) for s in STREET_ADDRESS_PATTERNS_1),
                    P(
                        "european suffix street",
                        ADDRESS_EUROPEAN_SUFFIX_STREET,
                        0.5,
                        reject=english_street_word,
                    ),
                    *(P(*s) for s in STREET_ADDRESS_PATTERNS_2),
                    P(
                        "european prefix street, no number",
                        ADDRESS_EUROPEAN_PREFIX_STREET_NO_NUMBER,
                        0.5,
                        EU_PREFIX_NEED,
                        reject=lambda span: span.split()[-1].lower() in TECH_ALLOW_LIST,
                    ),
                    *(P(*s) for s in STREET_ADDRESS_PATTERNS_3),
                ],
                context=ADDRESS_CONTEXT,
                name="StreetAddressRecognizer",
            )
        )
        recs.append(
            Cue(
                "ADDRESS",
                [P("address line", ADDRESS_LINE, 0.85)],
                postprocess=_address_line_value,
                name="AddressLineRecognizer",
            )
        )
    for entity, patterns, name in _SIMPLE_CUES:
        if entity in entities:
            recs.append(Cue(entity, [P(*row) for row in patterns], name=name))
    return recs
