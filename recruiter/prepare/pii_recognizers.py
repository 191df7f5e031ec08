"""Entity types and the Presidio recognisers for PII masking (used by :mod:`.pii`).

Holds the supported entity types and their placeholders, the offline tldextract
(:func:`offline_tld_extractor`), Presidio recogniser subclasses (offline e-mail, chunked URL,
pre-filtered phone, ``\\K``-aware pattern recogniser), the regex building blocks for phones,
addresses, dates and protected attributes, phone/address helpers, and
:func:`_build_recognizers`, which assembles the recognisers for the requested entity types.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex as re

from .pii_names import (
    _HONORIFICS,
    _ORG_WORDS,
    _ROLE_WORDS,
    TECH_ALLOW_LIST,
    _expand_alt,
    _Lexicon,
    _need_rx,
    _NeedWords,
)

# --------------------------------------------------------------------------------------------
# entity types and placeholders
# --------------------------------------------------------------------------------------------

DEFAULT_ENTITIES: tuple[str, ...] = (
    "NAME",
    "PERSON",
    "EMAIL",
    "PHONE",
    "URL",
    "ADDRESS",
    "DATE_OF_BIRTH",
    "AGE",
    "GENDER",
    "MARITAL_STATUS",
    "NATIONALITY",
    "RELIGION",
    "PHOTO",
)
#: Opt-in NER types (not masked by default: location filters need cities).
OPTIONAL_ENTITIES: tuple[str, ...] = ("LOCATION", "ORGANIZATION")
SUPPORTED_ENTITIES: tuple[str, ...] = DEFAULT_ENTITIES + OPTIONAL_ENTITIES
#: Presidio / config spellings accepted in ``entities``.
ENTITY_ALIASES: dict[str, str] = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "STREET_ADDRESS": "ADDRESS",
    "DOMAIN_NAME": "URL",
    "DOB": "DATE_OF_BIRTH",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
    "PER": "PERSON",
}
PLACEHOLDERS: dict[str, str] = {e: f"[{e}]" for e in SUPPORTED_ENTITIES}
_PLACEHOLDER_RX = re.compile(r"\[(?:" + "|".join(SUPPORTED_ENTITIES) + r")\]")

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
            for a, b in _chunks_around(text, _AT_RX):
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
            for a, b in _chunks_around(text, _DOT_RX):
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
                    _need_rx(getattr(p, "need", None)),
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


_AT_RX = re.compile(r"@")
_DOT_RX = re.compile(r"[A-Za-z0-9\-]{2}\.[A-Za-z]{2}")
_WS = " \t\n\r\f\v"


def _chunks_around(text: str, rx) -> list[tuple[int, int]]:
    """Whitespace-delimited chunks of ``text`` that contain a match of ``rx``."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for m in rx.finditer(text):
        if out and m.start() < out[-1][1]:
            continue
        a = m.start()
        while a > 0 and text[a - 1] not in _WS:
            a -= 1
        b = m.end()
        while b < n and text[b] not in _WS:
            b += 1
        out.append((a, b))
    return out


_DOTTED_TECH = frozenset(
    """
asp.net vb.net ado.net dot.net socket.io node.js vue.js next.js nuxt.js react.js express.js d3.js
three.js chart.js ember.js backbone.js angular.js nest.js deno.land readme.md changelog.md
""".split()
)
_FILE_TLDS = frozenset(
    "md sh rs pl py cc ps so at it is be by am in do go to rb ts js cs kt".split()
)


def _looks_like_tech_dotted(s: str) -> bool:
    low = s.lower().strip("\"'()[]<>.,;:")
    if low in _DOTTED_TECH:
        return True
    if "://" in low or low.startswith("www.") or "/" in low:
        return False
    # "main.rs", "setup.py", "deploy.sh": file names whose extension happens to be a ccTLD
    return low.rsplit(".", 1)[-1] in _FILE_TLDS


# ---- regex building blocks -----------------------------------------------------------------

_SEP = (
    r"[ \t]*(?:\*{1,2}|_{1,2})?[ \t]*[:\-–=][ \t]*(?:\*{1,2}|_{1,2})?[ \t]*"  # "Key: ", "**Key:** "
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}(?!\d)|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"
    rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH},?\s+(?:19|20)\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}}{_ORD},?\s+(?:19|20)\d{{2}}|{_MONTH}\s+(?:19|20)\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}}{_ORD}\b|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}(?![a-z]))"
)
_AGE_NUM = r"(?:1[4-9]|[2-9]\d)"
_WORD = r"\p{L}[\p{L}'’\-]*"
_STOP_KEYS = (
    r"(?!(?i:marital|status|gender|religion|age|date|dob|sex|phone|email|e-mail|address|visa|"
    r"nationality|citizenship|languages?|location|mobile|tel|linkedin|github|website|photo)\b)"
)
_VALUE_1_3 = rf"{_WORD}(?:[ \t]+{_STOP_KEYS}{_WORD}){{0,2}}"

_US_SUFFIX = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Plaza|Alley|Crescent|"
    "Close|Grove|Groves|Gardens|Garden|Heights|Vista|Ridge|Ridges|Mews|Walk|Row|Crossing|Pike|"
    "Loop|Expressway|Freeway|Turnpike|Hollow|Meadow|Meadows|Mountain|Mountains|Manor|Manors|"
    "Estate|Estates|Village|Villages|Valley|Valleys|Hill|Hills|Creek|Brook|Brooks|Cove|Coves|"
    "Harbor|Harbors|Haven|Knoll|Knolls|Landing|Glen|Glens|Dale|Canyon|Cliff|Cliffs|Orchard|"
    "Shore|Shores|Springs|Falls|Ferry|Forest|Fork|Forks|Ford|Fords|Lake|Lakes|Island|Islands|"
    "Isle|Junction|Mill|Mills|Overpass|Underpass|Passage|Path|Pines|Plains|Prairie|Ranch|"
    "Rapids|River|Skyway|Stravenue|Stream|Throughway|Trafficway|Tunnel|"
    "Viaduct|Views|Ville|Wells|Causeway|Bypass|Cape|Corner|Corners|Crest|"
    "Flats|Motorway|Oval|Shoal|Shoals|Squares|"
    "Streets|Walks|Ways|Roads|Drives|Parkways|Hwy|Mount|Pine|Plain|Rue"
)
_UNIT_CORE = (
    r"(?i:apt|apartment|suite|ste|unit|flat|studio|fl|floor|room|rm|puerta|piso|portal|planta|escalera|"
    r"interno|interior|int|edif|depto|dpto|scala|top|tür|stiege|étage|bus|lgh|кв|#)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b"
)
# every street word Faker's en_* address providers use; after a unit ("Flat 3, Leanne Dam") or
# before one ("1965 Kelly Field Apt. 094") they are safe, alone they need an address context
_ANY_SUFFIX = (
    _US_SUFFIX
    + "|Branch|Bridge|Burg|Burgs|Camp|Centers|Center|Centre|Club|Common|Course|Courts|Curve|"
    "Dam|Divide|Extension|Extensions|Fall|Field|Fields|Forge|Forges|Gateway|Green|Greens|Harbour|Inlet|"
    "Key|Keys|Land|Light|Lights|Loaf|Lock|Locks|Lodge|Mall|Mission|Neck|Park|Parks|Pass|Point|Points|"
    "Port|Ports|Radial|Ramp|Rest|Route|Run|Spring|Spur|Spurs|Station|Summit|Trace|Track|Union|"
    "Unions|Via|View|Wall|Well|Rise|Quay|Esplanade|Approach|Wynd|Tor|Steps|"
    "Nagar|Ganj|Chowk|Marg|Colony|Vihar|Enclave|Puram|Bagh|Layout|Sector"
)
_UNIT = rf"(?:,?[ \t]*{_UNIT_CORE})"
# street words glued to the name ("Jens-Drubin-Straße 47", "Kayleighsteeg 10", "Storgatan 77")
_EU_SUFFIX = (
    "straße|strasse|str\\.|gasse|weg|allee|platz|ring|damm|ufer|steig|"
    "straat|laan|plein|gracht|kade|singel|hof|dreef|baan|pad|steeg|lei|"
    "gatan|gata|vägen|väg|gränd|stigen|torget|vej|gade|stræde|alléen|veien|vegen|gaten|løkka|faret|stien|"
    "katu|tie|kuja|polku|bulevardi|utca|út|tér|körút|köz|sétány|ulice|ulica|cesta|iela|gatvė|tänav|boulevard"
)
# street words before the name ("rue Margot Blanc", "Via Roma", "ulica Paderewskiego")
_EU_PREFIX = (
    "rue|avenue|av\\.|boulevard|bd|chemin|allée|impasse|place|quai|cours|route|montée|"
    "via|viale|piazza|piazzale|corso|contrada|vicolo|largo|borgo|strada|stretto|rotonda|canale|"
    "calle|callejón|camino|carrera|cuesta|cañada|acceso|glorieta|pasaje|pasadizo|urbanización|rambla|"
    "avenida|avda\\.?|paseo|plaza|ronda|travesía|vial|alameda|"
    "rua|travessa|praça|estrada|ladeira|pátio|trecho|vila|quadra|conjunto|setor|rodovia|jardim|residencial|"
    "condomínio|chácara|núcleo|vereda|"
    "andador|calzada|privada|prolongación|circuito|cerrada|retorno|periférico|diagonal|continuación|"
    "eje vial|c\\.|av|incrocio|"
    "вулиця|провулок|площа|проспект|бульвар|сквер|шосе|набережна|"
    "bulevardul|calea|șoseaua|soseaua|aleea|intrarea|drumul|"
    "ulica|ul\\.|aleja|al\\.|plac|osiedle|os\\."
)

_STREET_WORD = re.compile(rf"(?i)\b(?:{_ANY_SUFFIX}|{_EU_PREFIX})\b|\p{{L}}(?:{_EU_SUFFIX})\b")
_EU_PREFIX_TITLE = "|".join(
    w[0].upper() + w[1:] for w in _EU_PREFIX.split("|") if w not in ("al\\.", "os\\.")
)
# lower-case street words that English prose does not use before a capitalised name + number
_EU_PREFIX_LOWER = "|".join(
    w
    for w in _EU_PREFIX.split("|")
    if w not in ("via", "place", "route", "plaza", "cours", "vial", "largo", "canale")
)
# ... and before a capitalised name alone ("avenue Lacombe", "ulica Paderewskiego")
_EU_PREFIX_LOWER_SAFE = (
    "rue|avenue|boulevard|chemin|allée|impasse|quai|calle|callejón|avenida|travessa|rua|"
    "strada|bulevardul|calea|aleea|ulica|aleja|plac|viale|piazza|corso|вулиця|провулок|площа|"
    "проспект|бульвар|сквер|шосе|набережна"
)

# "@": a street next to an e-mail address on a contact line
_ADDRESS_CONTEXT = [
    "address",
    "live",
    "lives",
    "living",
    "located",
    "location",
    "street",
    "reside",
    "residence",
    "home",
    "mail",
    "mailing",
    "billing",
    "shipping",
    "return",
    "deliver",
    "apt",
    "suite",
    "zip",
    "postal",
    "@",
]
# "@": a number next to an e-mail address on a contact line ("jo@x.com | 728 355 272 | ...")
_PHONE_CONTEXT = [
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "cellphone",
    "call",
    "contact",
    "fax",
    "desk",
    "office",
    "whatsapp",
    "number",
    "reach",
    "text",
    "sms",
    "landline",
    "@",
]


_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d")
_DATE_LIKE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")
_ISO_DATE = re.compile(r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b")
_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_EXT = re.compile(r"(?i)\s?(?:x|ext\.?|extension)\s?\d{1,6}$")


def _phone_reject(s: str) -> bool:
    core = _EXT.sub("", s.strip())
    digits = sum(ch.isdigit() for ch in core)
    if digits < 7 or digits > 15:
        return True
    if (
        _YEAR_RANGE.fullmatch(core)
        or _DATE_LIKE.fullmatch(core)
        or _IPV4.fullmatch(core)
        or _ISO_DATE.search(core)
    ):
        return True
    groups = _DIGITS.findall(core)
    return len(groups) > 1 and all(_YEAR.fullmatch(g) for g in groups)  # "2019 2020 2021"


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
    if _PLACEHOLDER_RX.match(stripped.lstrip()):
        return None  # already masked ("Address: [ADDRESS], Springfield")
    if stripped.lstrip().startswith("[") or stripped.lower().startswith(
        ("n/a", "none", "available")
    ):
        return (a, b)  # "[Insert address]" placeholders: mask as a whole
    digit_idx = [i for i, p in enumerate(parts) if any(ch.isdigit() for ch in p.group())]
    if digit_idx:
        last = digit_idx[0]
        if last + 1 < len(parts) and re.match(rf"\s*{_UNIT_CORE}", parts[last + 1].group()):
            last += 1  # "12 Main St, Apt 4"
        # a house number or unit alone ("214, avenue Charlotte Gilles", "Flat 17, Janet Meadows"):
        # include the street name that follows
        elif last + 1 < len(parts) and (
            re.fullmatch(r"\s*[\d/\-–.#]+[A-Za-z]?\s*", parts[last].group())
            or re.fullmatch(rf"\s*{_UNIT_CORE}\s*", parts[last].group())
        ):
            last += 1
    else:
        if not _STREET_WORD.search(stripped):
            return None  # "billing address: tracy sukhorukova" (the street is on the next line)
        last = len(parts) - 2 if len(parts) > 1 else 0
    return (
        a + parts[0].start() + (len(parts[0].group()) - len(parts[0].group().lstrip())),
        a + parts[last].end(),
    )


def _build_recognizers(entities: set[str], lexicon: _Lexicon | None = None) -> list:
    """All Presidio recognisers for the requested entity types (NER is added separately)."""
    Pattern = _presidio()[0]
    OfflineEmail, ChunkedUrl, PrefilteredPhone, Cue = _recognizer_classes()

    def P(name: str, regex: str, score: float, need: Sequence[str] | None = None, reject=None):
        """A Presidio ``Pattern``; ``need``: lowercase substrings one of which must occur;
        ``reject``: a predicate on the matched text that drops the match."""
        pat = Pattern(name, regex, score)
        pat.need = need if isinstance(need, _NeedWords) else (tuple(need) if need else None)
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
            core = [w for w in words if w.lower().rstrip(".") not in _HONORIFICS]
            if not core or len(core) > 3:
                return None
            lows = [w.lower().strip(".,'’") for w in core]
            if any(w in TECH_ALLOW_LIST or w in _ROLE_WORDS or w in lexicon.stop for w in lows):
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
                    or low in _ROLE_WORDS
                    or low in _ORG_WORDS
                    or low in lexicon.stop
                    or (low not in lexicon.names and lexicon.is_word(low))
                ):
                    break
                end = text.index(tok, end) + len(tok)
            return (a, end) if end > a + len(toks[0]) else None

        name_seq = r"\p{L}[\p{L}'’\-]*\.?(?:[ \t]+\p{L}[\p{L}'’\-]*\.?){0,3}"
        recs.append(
            Cue(
                "PERSON",
                [
                    P(
                        "speaker label",
                        rf"^[ \t>]*(?:\*\*|__)?[ \t]*\K{name_seq}(?=[ \t]*(?:\*\*|__)?[ \t]*:)",
                        0.6,
                    ),
                    P(
                        "named role",
                        rf"\b(?i:interviewer|interviewed[ \t]+by|hiring[ \t]+manager|recruiter|references?|referees?|"
                        rf"supervisor|manager|contact[ \t]+person|mentor|panel(?:ists?)?){_SEP}\K{name_seq}(?=[ \t]*(?:$|[,;(|]))",
                        0.6,
                        [
                            "interview",
                            "manager",
                            "recruiter",
                            "referen",
                            "referee",
                            "supervisor",
                            "contact",
                            "mentor",
                            "panel",
                        ],
                    ),
                ],
                postprocess=people,
                name="SpeakerNameRecognizer",
            )
        )
        recs.append(
            Cue(
                "PERSON",
                [
                    P(
                        "first + last name",
                        r"(?<![\w\-])\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?){1,2}(?![\w\-])",
                        0.6,
                    )
                ],
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
        ext = r"(?:[ \t]?(?i:x|ext\.?|extension)[ \t]?\d{1,6})?"
        recs.append(
            Cue(
                "PHONE",
                [
                    P(
                        "parenthesised area code",
                        rf"(?<![\w+])(?:\+\d{{1,3}}[ \t.\-]?)?\(\d{{1,5}}\)[ \t.\-]?\d{{2,5}}(?:[ \t.\-]?\d{{2,5}}){{0,3}}{ext}(?![\w\-])",
                        0.5,
                    ),
                    P(
                        "international",
                        rf"(?<![\w+])\+\d{{1,3}}(?:[ \t.\-]?(?:\(\d{{1,5}}\)|\d{{1,5}})){{2,5}}{ext}(?![\w\-])",
                        0.5,
                    ),
                    P(
                        "nanp",
                        rf"(?<![\w.\-/])(?:(?:\+|00)\d{{1,3}}[ \t.\-]?|1[ \t.\-])?\d{{3}}[ \t.\-]\d{{3}}[ \t.\-]\d{{4}}{ext}(?![\w\-/])",
                        0.45,
                    ),
                    P(
                        "grouped digits (needs context)",
                        rf"(?<![\w.\-/+])\d{{2,5}}(?:[ \t.\-]\d{{1,5}}){{0,3}}[ \t.\-]\d{{2,5}}{ext}(?![\w\-/])",
                        0.3,
                    ),
                    P(
                        "digit run (needs context)",
                        rf"(?<![\w.\-/+])0{{0,2}}\d{{8,12}}{ext}(?![\w\-/])",
                        0.3,
                    ),
                ],
                context=_PHONE_CONTEXT,
                reject=_phone_reject,
                name="PhoneRegexRecognizer",
            )
        )
    if "ADDRESS" in entities:
        num = r"\d{1,6}[A-Za-z]?(?:[\-–/]\d{1,6}[A-Za-z]?)?"
        title = r"(?:\p{Lu}[\p{L}'’.\-]*|\d{1,3}(?:st|nd|rd|th))"
        lower = (
            r"(?!(?i:of|and|the|in|on|at|to|for|with|from|by|or|a|an|years?|yrs?|months?|weeks?|days?|"
            r"hours?|times?|people|members|teams?|projects?|clients?|users?|new|key|major|main)\b)\p{L}[\p{L}'’.\-]*"
        )
        compass = r"(?:(?:[NSEW]|N\.|S\.|E\.|W\.|North|South|East|West|NE|NW|SE|SW)[ \t]+)?"
        articles = r"(?:(?:de|del|de la|di|da|do|dos|das|du|des|della|van|von)[ \t]+)?"
        name_tok = r"\p{Lu}[\p{L}'’\-]*\.?"
        street_name = rf"{articles}{name_tok}(?:[ \t]+(?:{name_tok}|de|del|la|di|da|do|dos|das|du|des|e|y)){{0,3}}"
        house = r"(?:(?i:nr|no|nº|n°|n|буд|д)\.?[ \t]*)?\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)?"
        prefix_words = _NeedWords(
            w.replace("\\.?", "").replace("\\.", ".").split()[0] for w in _EU_PREFIX.split("|")
        )
        unit_words = _NeedWords(
            w
            for u in (
                "apt",
                "apartment",
                "suite",
                "ste",
                "unit",
                "flat",
                "studio",
                "fl",
                "floor",
                "room",
                "rm",
                "puerta",
                "piso",
                "portal",
                "planta",
                "escalera",
                "interno",
                "interior",
                "int",
                "edif",
                "depto",
                "dpto",
                "scala",
                "top",
                "tür",
                "stiege",
                "étage",
                "bus",
                "lgh",
                "кв",
            )
            for w in (u, u + ".")
        )
        recs.append(
            Cue(
                "ADDRESS",
                [
                    P(
                        "street (title case)",
                        rf"\b{num},?[ \t]+{compass}(?:{title}[ \t]+){{0,3}}{title}[ \t]+(?:{_US_SUFFIX})\b\.?{_UNIT}?",
                        0.6,
                    ),
                    P(
                        "street with unit (any street word)",
                        rf"\b{num},?[ \t]+(?:{title}[ \t]+){{1,3}}(?:{_ANY_SUFFIX})\b\.?{_UNIT}",
                        0.6,
                    ),
                    P(
                        "street (any street word, needs context)",
                        rf"\b{num},?[ \t]+(?:{title}[ \t]+){{1,3}}(?:{_ANY_SUFFIX})\b\.?",
                        0.3,
                    ),
                    P(
                        "street (any case, needs context)",
                        rf"\b{num}[ \t]+(?:{lower}[ \t]+){{1,3}}(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|terrace|circle|parkway|highway|square|trail|plaza)\b\.?{_UNIT}?",
                        0.3,
                    ),
                    P(
                        "unit then street",
                        rf"\b{_UNIT_CORE},?[ \t]+(?:{title}[ \t]+){{0,3}}(?:{_ANY_SUFFIX})\b\.?",
                        0.6,
                        unit_words,
                    ),
                    P(
                        "european suffix street",
                        rf"\b\p{{Lu}}(?=[\p{{L}}\-]{{2,40}}\.?[ \t]+\d)[\p{{L}}\-]{{1,}}(?i:{_EU_SUFFIX})[ \t]+\d{{1,5}}[A-Za-z]?(?:[\-–/]\d{{1,5}}[A-Za-z]?)?\b\.?{_UNIT}?",
                        0.5,
                        reject=english_street_word,
                    ),
                    P(
                        "european prefix street, number first",
                        rf"(?<!\d[ \t.\-/]\d{{1,4}}[ \t.\-/])\b\d{{1,5}}[A-Za-z]?,?[ \t]+(?i:{_EU_PREFIX})[ \t]+{street_name}",
                        0.5,
                        prefix_words,
                    ),
                    P(
                        "european prefix street, number last",
                        rf"(?<!et[ \t])\b(?:{_EU_PREFIX_TITLE}|{_EU_PREFIX_LOWER})[ \t]+{street_name},?[ \t]+{house}\b(?:,?[ \t]*{_UNIT_CORE})*",
                        0.5,
                        prefix_words,
                    ),
                    P(
                        "european prefix street, no number",
                        rf"\b(?:{_EU_PREFIX_LOWER_SAFE})[ \t]+{street_name}",
                        0.5,
                        prefix_words,
                        reject=lambda span: span.split()[-1].lower() in TECH_ALLOW_LIST,
                    ),
                    P(
                        "house number",
                        r"\b(?i:h\.?[ \t]?no\.?|house[ \t]+no\.?|plot[ \t]+no\.?|flat[ \t]+no\.?)[ \t]*\d{1,5}[A-Za-z/\-]*(?:,?[ \t]+\p{Lu}[\p{L}]+){0,3}",
                        0.6,
                        ["no"],
                    ),
                    P(
                        "unit",
                        r"\b(?i:apt|apartment|suite|flat|studio)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b",
                        0.45,
                    ),
                    P(
                        "po box",
                        r"\b(?i:p\.?[ \t]?o\.?[ \t]*box|post[ \t]+office[ \t]+box)[ \t]*#?[ \t]*\d{1,6}\b",
                        0.8,
                    ),
                ],
                context=_ADDRESS_CONTEXT,
                name="StreetAddressRecognizer",
            )
        )
        recs.append(
            Cue(
                "ADDRESS",
                [
                    P(
                        "address line",
                        rf"(?<![\w\-])(?i:(?:home|street|mailing|postal|permanent|current|residential|billing|shipping)[ \t]+)?(?i:address)(?<!(?i:e-?mail|ip|web|mac)[ \t]*address){_SEP}\K[^\n]{{3,160}}",
                        0.85,
                    )
                ],
                postprocess=_address_line_value,
                name="AddressLineRecognizer",
            )
        )
    if "DATE_OF_BIRTH" in entities:
        recs.append(
            Cue(
                "DATE_OF_BIRTH",
                [
                    P(
                        "dob cue",
                        rf"\b(?i:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|birthday)(?:[ \t]+is)?(?:{_SEP}|[ \t]+)\K(?i:{_DATE})",
                        0.9,
                        ["dob", "d.o.b", "birth"],
                    ),
                    P(
                        "born on/in",
                        rf"\b(?i:born)[ \t]+(?i:on[ \t]+|in[ \t]+)?(?i:the[ \t]+)?\K(?i:{_DATE}|(?:19|20)\d{{2}}\b)",
                        0.85,
                    ),
                ],
                name="DateOfBirthRecognizer",
            )
        )
    if "AGE" in entities:
        recs.append(
            Cue(
                "AGE",
                [
                    P(
                        "age cue",
                        rf"\b(?i:age|aged)(?:[ \t]+is)?(?:{_SEP}|[ \t]+)\K{_AGE_NUM}\b(?![ \t]*(?:%|\+|[\-–]\d|(?i:years?|yrs?)[ \t]+(?i:of|in|experience)))",
                        0.85,
                    ),
                    P(
                        "years old",
                        rf"\b{_AGE_NUM}[ \t]*[\-–]?[ \t]*(?i:years?|yrs?)(?:[ \t]*[\-–][ \t]*|[ \t]+)(?i:old)\b",
                        0.85,
                        ["old"],
                    ),
                    P(
                        "y/o",
                        rf"\b{_AGE_NUM}[ \t]*(?i:y/o|y\.o\.|yo)(?![\w/])",
                        0.7,
                        ["y/o", "y.o.", "yo"],
                    ),
                ],
                name="AgeRecognizer",
            )
        )
    if "GENDER" in entities:
        gvals = (
            r"(?i:male|female|man|woman|non[\s\-]?binary|transgender(?:[ \t]+(?:man|woman))?|"
            r"trans(?:[ \t]+(?:man|woman))?|genderqueer|gender[\s\-]?fluid|agender|intersex|"
            r"cis(?:gender)?(?:[ \t]+(?:man|woman))?|prefer[ \t]+not[ \t]+to[ \t]+(?:say|disclose)|other|m|f)\b"
        )
        pron = r"(?i:(?:she|he|they|ze|xe)[ \t]*/[ \t]*(?:her|him|them|they|hir|zir|xem)(?:[ \t]*/[ \t]*\w+)?)"
        recs.append(
            Cue(
                "GENDER",
                [
                    P(
                        "gender cue",
                        rf"\b(?i:gender(?:[ \t]+identity)?|sex){_SEP}\K{gvals}",
                        0.85,
                        ["gender", "sex"],
                    ),
                    P("pronouns cue", rf"\b(?i:pronouns?)(?:{_SEP}|[ \t]+)\K{pron}", 0.85),
                    P("pronouns in parentheses", rf"\({pron}\)", 0.85),
                    P(
                        "self description",
                        r"\b(?i:i[ \t]+am|i'm|i’m|as)[ \t]+(?i:an?)[ \t]+\K(?i:woman|man|female|male|mother|father|mom|dad|transgender[ \t]+(?:woman|man)|trans[ \t]+(?:woman|man)|non-binary[ \t]+person)\b",
                        0.7,
                        [
                            "woman",
                            "man ",
                            "man.",
                            "man,",
                            "male",
                            "mother",
                            "father",
                            "mom",
                            "dad",
                            "person",
                        ],
                    ),
                ],
                name="GenderRecognizer",
            )
        )
    if "MARITAL_STATUS" in entities:
        num_words = r"(?:\d+|one|two|three|four|five|six)"
        recs.append(
            Cue(
                "MARITAL_STATUS",
                [
                    P(
                        "marital cue",
                        rf"\b(?i:marital[ \t]+status|civil[ \t]+status|family[ \t]+status|relationship[ \t]+status){_SEP}\K(?i:single|married|divorced|widowed|widow|widower|separated|engaged|unmarried|partnered|in[ \t]+a[ \t]+(?:civil[ \t]+union|domestic[ \t]+partnership|relationship)|domestic[ \t]+partnership|civil[ \t]+union)\b(?:[ \t]*(?:,|with)[ \t]*(?i:{num_words})[ \t]+(?i:kids?|children|child|dependents?))?",
                        0.85,
                        ["status"],
                    ),
                    P(
                        "self statement",
                        r"\b(?i:i[ \t]+am|i'm|i’m|i[ \t]+got|we[ \t]+are|we're|we’re)[ \t]+(?i:happily[ \t]+|recently[ \t]+|newly[ \t]+|currently[ \t]+|now[ \t]+|just[ \t]+)?\K(?i:married|divorced|widowed|separated|engaged|single)\b(?![\-\w])",
                        0.8,
                    ),
                    P(
                        "family phrase",
                        rf"\b(?i:married|divorced|widowed|single)[ \t]+(?i:with[ \t]+{num_words}[ \t]+(?:kids|children|child)|(?:mother|father|mom|dad|parent)(?:[ \t]+of[ \t]+{num_words}\b)?)",
                        0.8,
                    ),
                    P(
                        "spouse",
                        r"\b(?i:my)[ \t]+\K(?i:husband|wife|spouse|fianc[ée]e?|ex-husband|ex-wife)\b",
                        0.6,
                    ),
                ],
                name="MaritalStatusRecognizer",
            )
        )
    if "NATIONALITY" in entities:
        demonym = r"(?:\p{Lu}[\p{L}]*(?:an|ian|ese|ish|i|ic|ch|ot|ss|er)|U\.?S\.?A?\.?|U\.?K\.?|EU)"
        recs.append(
            Cue(
                "NATIONALITY",
                [
                    P(
                        "nationality cue",
                        rf"\b(?i:nationality|nationalities|citizenship(?:[ \t]+status)?|national[ \t]+origin|country[ \t]+of[ \t]+(?:origin|birth|citizenship)|ethnicity|ethnic[ \t]+origin|race){_SEP}\K{_VALUE_1_3}",
                        0.85,
                        ["national", "citizenship", "origin", "birth", "ethnic", "race"],
                    ),
                    P(
                        "national of",
                        r"\b(?i:national|native)[ \t]+(?i:of)[ \t]+\K(?:the[ \t]+)?\p{Lu}[\p{L}.]*(?:[ \t]+\p{Lu}[\p{L}.]*){0,2}",
                        0.8,
                        ["national of", "native of"],
                    ),
                    P(
                        "X national",
                        rf"(?<![\w.]){demonym}(?=[ \t]+(?i:nationals?|passport[ \t]+holder|by[ \t]+birth)\b)",
                        0.8,
                        ["national", "passport", "by birth"],
                    ),
                ],
                name="NationalityRecognizer",
            )
        )
    if "RELIGION" in entities:
        religions = (
            r"muslims?|islam|islamic|hindus?|hinduism|jewish|judaism|jews?|buddhists?|buddhism|sikhs?|"
            r"sikhism|catholics?|catholicism|protestants?|mormons?|evangelicals?|atheists?|jains?|jainism|"
            r"baptists?|methodists?|lutherans?|presbyterians?|anglicans?|episcopalians?|pentecostals?|"
            r"quakers?|shia|shiite|sunni|zoroastrians?|bahá['’]?í|baha['’]?i|taoists?|taoism|shinto|"
            r"wiccans?|christianity|orthodox[ \t]+christian|born-again[ \t]+christian"
        )
        rel_words = [
            w for alt in religions.replace("[ \\t]+", " ").split("|") for w in _expand_alt(alt)
        ]
        rel_words += ["bahá'í", "bahá’í", "baha'i", "bahai"]
        recs.append(
            Cue(
                "RELIGION",
                [
                    P(
                        "religion cue",
                        rf"\b(?i:religion|religious[ \t]+(?:affiliation|beliefs?|background)|faith|denomination){_SEP}\K{_VALUE_1_3}",
                        0.85,
                        ["religio", "faith", "denomination"],
                    ),
                    P(
                        "named religion",
                        rf"(?<![\w\-])(?i:{religions})(?![\w\-])",
                        0.7,
                        _NeedWords(rel_words),
                    ),
                    P(
                        "christian",
                        r"(?<![\w\-])(?:Christians?|CHRISTIANS?)(?![\w\-])(?![ \t]+\p{Lu})",
                        0.6,
                    ),
                ],
                name="ReligionRecognizer",
            )
        )
    if "PHOTO" in entities:
        pic = r"(?i:photo(?:graph)?s?|picture|pic|headshot|portrait|passport[\s\-]+(?:size[d]?[ \t]+)?photo(?:graph)?|profile[ \t]+(?:photo|picture|pic))"
        pic_need = ["photo", "picture", "pic", "headshot", "portrait"]
        recs.append(
            Cue(
                "PHOTO",
                [
                    P(
                        "photo attached",
                        rf"\b{pic}[ \t]*(?:[:\-–][ \t]*)?(?:(?i:is|are)[ \t]+)?(?i:attached|enclosed|included|below|above|available[ \t]+on[ \t]+request)\b",
                        0.85,
                        pic_need,
                    ),
                    P(
                        "attached photo",
                        rf"\b(?i:see[ \t]+)?(?i:attached|enclosed)[ \t]+(?:(?i:is|are)[ \t]+)?(?:(?i:a|my|the)[ \t]+)?(?:(?i:recent|passport|profile)[ \t]+)?{pic}\b",
                        0.85,
                        pic_need,
                    ),
                    P(
                        "photo placeholder",
                        r"\[[ \t]*(?i:(?:insert|add|attach)[ \t]+)?(?i:photo|picture|headshot|image|profile[ \t]+(?:photo|picture))[^\]\n]{0,40}\]",
                        0.85,
                    ),
                    P(
                        "photo field",
                        rf"\b(?i:photo(?:graph)?|picture|headshot){_SEP}\K[^\n]{{1,80}}",
                        0.8,
                        pic_need,
                    ),
                    P("markdown image", r"!\[[^\]\n]{0,80}\]\([^)\n]{1,300}\)", 0.85),
                    P(
                        "image file",
                        r"(?<![\w\-])[\w\-]*(?i:photo|headshot|pic|picture|profile|selfie|portrait|passport|avatar|img|image)[\w\-]*\.(?i:jpe?g|png|gif|heic|webp|bmp)\b",
                        0.85,
                        [".jp", ".png", ".gif", ".heic", ".webp", ".bmp"],
                    ),
                ],
                name="PhotoRecognizer",
            )
        )
    return recs
